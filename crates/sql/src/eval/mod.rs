//! Evaluating compiled expressions against a row.
//!
//! The planner turns the parser's [`crate::parse::Expr`] into a [`CompiledExpr`]: column references resolved to
//! row slots, every node typed, implicit casts inserted, literal regexes and JSON paths compiled once. Evaluation
//! is then a plain tree walk with SQL's three-valued logic: `NULL` propagates through operators and most
//! functions, `AND`/`OR` follow the SQL truth tables, and [`eval_filter`] keeps a row only when the condition is
//! `TRUE`.

pub(crate) mod cast;
pub(crate) mod functions;
mod json;
pub(crate) mod json_path;
pub(crate) mod time;
mod to_sql;

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

use regex::Regex;
use rust_decimal::prelude::ToPrimitive;

use crate::error::EvalError;
use crate::parse::BinaryOp;
use crate::types::{DataType, Decimal, TypeKind, Value};
pub(crate) use functions::Func;

/// What evaluation may depend on besides the row: the clock (the session time zone is UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EvalContext {
    /// `CURRENT_TIMESTAMP`, in microseconds since the epoch.
    pub now_micros: i64,
}

/// A typed, resolved expression, ready to evaluate against a row.
#[derive(Debug, Clone)]
pub struct CompiledExpr {
    pub(crate) node: Node,
    pub(crate) data_type: DataType,
}

/// Expression nodes. Operands are already coerced so that evaluation needs no type decisions.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Literal(Value),
    Column {
        index: usize,
        name: String,
    },
    Field {
        base: Box<CompiledExpr>,
        index: usize,
        name: String,
    },
    Index {
        base: Box<CompiledExpr>,
        index: Box<CompiledExpr>,
    },
    Not(Box<CompiledExpr>),
    And(Box<CompiledExpr>, Box<CompiledExpr>),
    Or(Box<CompiledExpr>, Box<CompiledExpr>),
    Compare {
        op: BinaryOp,
        left: Box<CompiledExpr>,
        right: Box<CompiledExpr>,
    },
    Arith {
        op: BinaryOp,
        left: Box<CompiledExpr>,
        right: Box<CompiledExpr>,
    },
    Concat(Box<CompiledExpr>, Box<CompiledExpr>),
    Neg(Box<CompiledExpr>),
    IsNull {
        expr: Box<CompiledExpr>,
        negated: bool,
    },
    IsBool {
        expr: Box<CompiledExpr>,
        value: Option<bool>,
        negated: bool,
    },
    IsDistinct {
        left: Box<CompiledExpr>,
        right: Box<CompiledExpr>,
        negated: bool,
    },
    In {
        expr: Box<CompiledExpr>,
        list: Vec<CompiledExpr>,
        negated: bool,
    },
    Between {
        expr: Box<CompiledExpr>,
        low: Box<CompiledExpr>,
        high: Box<CompiledExpr>,
        negated: bool,
        symmetric: bool,
    },
    Like {
        expr: Box<CompiledExpr>,
        pattern: Box<CompiledExpr>,
        escape: Option<Box<CompiledExpr>>,
        negated: bool,
        similar: bool,
        cached: Option<Arc<Regex>>,
    },
    Case {
        whens: Vec<(CompiledExpr, CompiledExpr)>,
        else_result: Option<Box<CompiledExpr>>,
    },
    Cast {
        expr: Box<CompiledExpr>,
        try_cast: bool,
    },
    /// The implicit cast into a sink column, enforcing `NOT NULL` as Flink's sink does.
    SinkCast {
        expr: Box<CompiledExpr>,
        column: String,
    },
    Call {
        func: Func,
        args: Vec<CompiledExpr>,
        cached: Option<Arc<Regex>>,
    },
}

impl CompiledExpr {
    pub(crate) fn new(node: Node, data_type: DataType) -> Self {
        CompiledExpr { node, data_type }
    }

    /// A literal.
    pub fn literal(value: Value, data_type: DataType) -> Self {
        CompiledExpr::new(Node::Literal(value), data_type)
    }

    /// The expression's type.
    pub fn data_type(&self) -> &DataType {
        &self.data_type
    }

    /// The constant value, when the expression is a literal.
    pub fn as_literal(&self) -> Option<&Value> {
        match &self.node {
            Node::Literal(v) => Some(v),
            _ => None,
        }
    }

    /// The source columns it reads (row slots), sorted, without duplicates.
    pub fn columns(&self) -> Vec<usize> {
        let mut out = Vec::new();
        self.visit(&mut |e| {
            if let Node::Column { index, .. } = &e.node {
                out.push(*index);
            }
        });
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether evaluating it reads the clock (`CURRENT_TIMESTAMP` and the like): only then does a
    /// record's [`EvalContext`] need the time, a system call per record.
    pub fn reads_clock(&self) -> bool {
        let mut reads = false;
        self.visit(&mut |e| {
            if let Node::Call { func, args, .. } = &e.node {
                reads |= func.reads_clock(args.len());
            }
        });
        reads
    }

    pub(crate) fn children(&self) -> Vec<&CompiledExpr> {
        match &self.node {
            Node::Literal(_) | Node::Column { .. } => vec![],
            Node::Field { base, .. } => vec![base],
            Node::Index { base, index } => vec![base, index],
            Node::Not(e) | Node::Neg(e) | Node::IsNull { expr: e, .. } | Node::IsBool { expr: e, .. } => {
                vec![e]
            }
            Node::Cast { expr, .. } | Node::SinkCast { expr, .. } => vec![expr],
            Node::And(a, b) | Node::Or(a, b) | Node::Concat(a, b) => vec![a, b],
            Node::Compare { left, right, .. }
            | Node::Arith { left, right, .. }
            | Node::IsDistinct { left, right, .. } => {
                vec![left, right]
            }
            Node::In { expr, list, .. } => std::iter::once(&**expr).chain(list.iter()).collect(),
            Node::Between { expr, low, high, .. } => vec![expr, low, high],
            Node::Like {
                expr,
                pattern,
                escape,
                ..
            } => {
                let mut v: Vec<&CompiledExpr> = vec![expr, pattern];
                if let Some(e) = escape {
                    v.push(e);
                }
                v
            }
            Node::Case { whens, else_result } => {
                let mut v: Vec<&CompiledExpr> = whens.iter().flat_map(|(a, b)| [a, b]).collect();
                if let Some(e) = else_result {
                    v.push(e);
                }
                v
            }
            Node::Call { args, .. } => args.iter().collect(),
        }
    }

    fn visit<'a>(&'a self, f: &mut impl FnMut(&'a CompiledExpr)) {
        f(self);
        for c in self.children() {
            c.visit(f);
        }
    }

    /// The value, borrowed where the expression is a column or a literal: predicates only read their
    /// operands, and copying a string value costs a reference-count update.
    /// A literal's or a column's value, read in place (`None` for anything that must be evaluated). Where
    /// it applies it spares the hot predicates moving a `Result<Cow<Value>>` around.
    fn in_place<'a>(&'a self, row: &'a [Value]) -> Option<&'a Value> {
        match &self.node {
            Node::Literal(v) => Some(v),
            Node::Column { index, .. } => row.get(*index),
            _ => None,
        }
    }

    fn eval_ref<'a>(&'a self, row: &'a [Value], ctx: &EvalContext) -> Result<Cow<'a, Value>, EvalError> {
        match &self.node {
            Node::Literal(v) => Ok(Cow::Borrowed(v)),
            Node::Column { index, .. } if *index < row.len() => Ok(Cow::Borrowed(&row[*index])),
            _ => self.eval(row, ctx).map(Cow::Owned),
        }
    }

    /// A condition's truth: `None` for `NULL` (UNKNOWN). Predicates are evaluated here, to a truth value
    /// rather than through [`Value`]s, so that a `WHERE` clause builds none; any other expression is
    /// evaluated and its value read as a truth.
    pub(crate) fn truth_of(&self, row: &[Value], ctx: &EvalContext) -> Result<Option<bool>, EvalError> {
        Ok(match &self.node {
            Node::Not(e) => e.truth_of(row, ctx)?.map(|b| !b),
            Node::And(a, b) => match a.truth_of(row, ctx)? {
                Some(false) => Some(false),
                l => match (l, b.truth_of(row, ctx)?) {
                    (_, Some(false)) => Some(false),
                    (Some(true), Some(true)) => Some(true),
                    _ => None,
                },
            },
            Node::Or(a, b) => match a.truth_of(row, ctx)? {
                Some(true) => Some(true),
                l => match (l, b.truth_of(row, ctx)?) {
                    (_, Some(true)) => Some(true),
                    (Some(false), Some(false)) => Some(false),
                    _ => None,
                },
            },
            Node::Compare { op, left, right } => {
                // The usual predicate compares a column with a literal: both read in place.
                if let (Some(l), Some(r)) = (left.in_place(row), right.in_place(row)) {
                    return Ok(compare_truth(*op, l, r));
                }
                compare_truth(*op, &*left.eval_ref(row, ctx)?, &*right.eval_ref(row, ctx)?)
            }
            Node::IsNull { expr, negated } => Some(expr.eval_ref(row, ctx)?.is_null() != *negated),
            Node::IsBool { expr, value, negated } => Some((expr.truth_of(row, ctx)? == *value) != *negated),
            Node::IsDistinct { left, right, negated } => {
                let l = left.eval_ref(row, ctx)?;
                let r = right.eval_ref(row, ctx)?;
                let distinct = match (l.is_null(), r.is_null()) {
                    (true, true) => false,
                    (true, false) | (false, true) => true,
                    _ => compare(&l, &r) != Some(Ordering::Equal),
                };
                Some(distinct != *negated)
            }
            Node::In { expr, list, negated } => {
                let owned;
                let v = match expr.in_place(row) {
                    Some(v) => v,
                    None => {
                        owned = expr.eval(row, ctx)?;
                        &owned
                    }
                };
                if v.is_null() {
                    return Ok(None);
                }
                let mut saw_null = false;
                for item in list {
                    let found = match item.in_place(row) {
                        Some(x) => (!x.is_null()).then(|| equal(v, x)),
                        None => {
                            let x = item.eval(row, ctx)?;
                            (!x.is_null()).then(|| equal(v, &x))
                        }
                    };
                    match found {
                        Some(true) => return Ok(Some(!*negated)),
                        Some(false) => {}
                        None => saw_null = true,
                    }
                }
                if saw_null { None } else { Some(*negated) }
            }
            Node::Between {
                expr,
                low,
                high,
                negated,
                symmetric,
            } => {
                let v = expr.eval_ref(row, ctx)?;
                let mut lo = low.eval_ref(row, ctx)?;
                let mut hi = high.eval_ref(row, ctx)?;
                if *symmetric
                    && !lo.is_null()
                    && !hi.is_null()
                    && compare(&lo, &hi) == Some(Ordering::Greater)
                {
                    std::mem::swap(&mut lo, &mut hi);
                }
                let ge = cmp3(&v, &lo, |o| o != Ordering::Less);
                let le = cmp3(&v, &hi, |o| o != Ordering::Greater);
                and3(ge, le).map(|b| b != *negated)
            }
            Node::Like {
                expr,
                pattern,
                escape,
                negated,
                similar,
                cached,
            } => {
                let v = expr.eval_ref(row, ctx)?;
                let Value::String(s) = &*v else {
                    return Ok(None);
                };
                let matched = match cached {
                    Some(re) => re.is_match(s),
                    None => {
                        let Value::String(p) = pattern.eval(row, ctx)? else {
                            return Ok(None);
                        };
                        let esc = match escape {
                            Some(e) => match e.eval(row, ctx)? {
                                Value::String(e) => e.chars().next(),
                                _ => return Ok(None),
                            },
                            None => None,
                        };
                        like_regex(&p, esc, *similar).map_err(EvalError::new)?.is_match(s)
                    }
                };
                Some(matched != *negated)
            }
            Node::Literal(v) => truth(v),
            Node::Column { index, .. } if *index < row.len() => truth(&row[*index]),
            _ => truth(&self.eval(row, ctx)?),
        })
    }

    /// Evaluates the expression against a row (one slot per table column, in declaration order).
    pub fn eval(&self, row: &[Value], ctx: &EvalContext) -> Result<Value, EvalError> {
        match &self.node {
            Node::Literal(v) => Ok(v.clone()),
            Node::Column { index, name } => row.get(*index).cloned().ok_or_else(|| {
                EvalError::new(format!("column `{name}` (slot {index}) is missing from the row"))
            }),
            Node::Field { base, index, .. } => match base.eval(row, ctx)? {
                Value::Row(vals) => Ok(vals.get(*index).cloned().unwrap_or(Value::Null)),
                _ => Ok(Value::Null),
            },
            Node::Index { base, index } => {
                let b = base.eval(row, ctx)?;
                let i = index.eval(row, ctx)?;
                Ok(match (b, i) {
                    (Value::Array(items), i) => match cast::to_i64(&i) {
                        Some(n) if n >= 1 => items.get((n - 1) as usize).cloned().unwrap_or(Value::Null),
                        Some(n) => {
                            return Err(EvalError::new(format!(
                                "array index {n} is out of bounds (indexes start at 1)"
                            )));
                        }
                        None => Value::Null,
                    },
                    (Value::Map(entries), k) if !k.is_null() => entries
                        .iter()
                        .find(|(key, _)| compare(key, &k) == Some(Ordering::Equal))
                        .map(|(_, v)| v.clone())
                        .unwrap_or(Value::Null),
                    _ => Value::Null,
                })
            }
            Node::Not(_)
            | Node::And(..)
            | Node::Or(..)
            | Node::Compare { .. }
            | Node::IsNull { .. }
            | Node::IsBool { .. }
            | Node::IsDistinct { .. }
            | Node::In { .. }
            | Node::Between { .. }
            | Node::Like { .. } => Ok(self.truth_of(row, ctx)?.map_or(Value::Null, Value::Boolean)),
            Node::Arith { op, left, right } => {
                let l = left.eval(row, ctx)?;
                let r = right.eval(row, ctx)?;
                arith(*op, &l, &r, &self.data_type, self)
            }
            Node::Concat(a, b) => {
                let l = a.eval(row, ctx)?;
                let r = b.eval(row, ctx)?;
                Ok(match (&l, &r) {
                    (Value::String(x), Value::String(y)) => Value::string(&format!("{x}{y}")),
                    (Value::Bytes(x), Value::Bytes(y)) => Value::Bytes(Arc::from([&x[..], &y[..]].concat())),
                    _ => Value::Null,
                })
            }
            Node::Neg(e) => {
                let v = e.eval(row, ctx)?;
                Ok(match v {
                    Value::TinyInt(i) => Value::TinyInt(i.wrapping_neg()),
                    Value::SmallInt(i) => Value::SmallInt(i.wrapping_neg()),
                    Value::Int(i) => Value::Int(i.wrapping_neg()),
                    Value::BigInt(i) => Value::BigInt(i.wrapping_neg()),
                    Value::Float(f) => Value::Float(-f),
                    Value::Double(f) => Value::Double(-f),
                    Value::Decimal(d) => Value::Decimal(-d),
                    _ => Value::Null,
                })
            }
            Node::Case { whens, else_result } => {
                for (cond, result) in whens {
                    if cond.truth_of(row, ctx)? == Some(true) {
                        return result.eval(row, ctx);
                    }
                }
                match else_result {
                    Some(e) => e.eval(row, ctx),
                    None => Ok(Value::Null),
                }
            }
            Node::Cast { expr, try_cast } => {
                let v = expr.eval(row, ctx)?;
                match cast::cast(&v, &expr.data_type, &self.data_type) {
                    Ok(v) => Ok(v),
                    Err(_) if *try_cast => Ok(Value::Null),
                    Err(e) => Err(EvalError::new(format!("CAST failed: {e}"))),
                }
            }
            Node::SinkCast { expr, column } => {
                // The usual projection writes a column as it is: read it here, not through a call.
                let v = match &expr.node {
                    Node::Column { index, .. } if *index < row.len() => row[*index].clone(),
                    _ => expr.eval(row, ctx)?,
                };
                let v = if expr.data_type.kind == self.data_type.kind {
                    v
                } else {
                    cast::cast(&v, &expr.data_type, &self.data_type)
                        .map_err(|e| EvalError::new(format!("writing column `{column}`: {e}")))?
                };
                if v.is_null() && !self.data_type.nullable {
                    return Err(EvalError::new(format!(
                        "column `{column}` is NOT NULL, however, a null value is being written into it"
                    )));
                }
                Ok(v)
            }
            Node::Call { func, args, cached } => {
                functions::call(func, args, cached.as_deref(), &self.data_type, row, ctx)
            }
        }
    }
}

/// Evaluates a `WHERE` condition: `true` only when it is `TRUE` (`FALSE` and `NULL` drop the row).
pub fn eval_filter(expr: &CompiledExpr, row: &[Value], ctx: &EvalContext) -> Result<bool, EvalError> {
    Ok(expr.truth_of(row, ctx)? == Some(true))
}

/// A boolean value's truth: `None` for `NULL` (UNKNOWN).
pub(crate) fn truth(v: &Value) -> Option<bool> {
    match v {
        Value::Boolean(b) => Some(*b),
        _ => None,
    }
}

fn cmp3(a: &Value, b: &Value, f: impl Fn(Ordering) -> bool) -> Option<bool> {
    if a.is_null() || b.is_null() {
        return None;
    }
    compare(a, b).map(f).or(Some(false))
}

fn and3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

fn to_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Float(f) => Some(*f as f64),
        Value::Double(f) => Some(*f),
        Value::Decimal(d) => d.to_f64(),
        _ => cast::to_i64(v).map(|i| i as f64),
    }
}

fn to_decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Decimal(d) => Some(*d),
        _ => cast::to_i64(v).map(Decimal::from),
    }
}

fn is_int_value(v: &Value) -> bool {
    matches!(
        v,
        Value::TinyInt(_) | Value::SmallInt(_) | Value::Int(_) | Value::BigInt(_)
    )
}

/// Orders two non-null values of comparable types (numbers of any width compare by value).
/// The truth of `a op b` for a comparison operator: UNKNOWN when either side is `NULL`.
fn compare_truth(op: BinaryOp, a: &Value, b: &Value) -> Option<bool> {
    if a.is_null() || b.is_null() {
        return None;
    }
    // The usual predicates, (in)equality, need no ordering.
    Some(match op {
        BinaryOp::Eq => equal(a, b),
        BinaryOp::Neq => !equal(a, b),
        _ => match compare(a, b) {
            Some(o) => match op {
                BinaryOp::Lt => o == Ordering::Less,
                BinaryOp::Gt => o == Ordering::Greater,
                BinaryOp::LtEq => o != Ordering::Greater,
                _ => o != Ordering::Less,
            },
            // NaN and incomparable composites: no ordering holds.
            None => false,
        },
    })
}

/// Whether `a = b`, neither side `NULL` (strings compared without ordering them).
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x == y,
        _ => compare(a, b) == Some(Ordering::Equal),
    }
}

pub(crate) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    use Value as V;
    match (a, b) {
        (V::String(x), V::String(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        _ if is_int_value(a) && is_int_value(b) => cast::to_i64(a)?.partial_cmp(&cast::to_i64(b)?),
        (V::Float(_) | V::Double(_), _) | (_, V::Float(_) | V::Double(_)) => {
            to_f64(a)?.partial_cmp(&to_f64(b)?)
        }
        (V::Decimal(_), _) | (_, V::Decimal(_)) => to_decimal(a)?.partial_cmp(&to_decimal(b)?),
        (V::Boolean(x), V::Boolean(y)) => Some(x.cmp(y)),
        (V::Bytes(x), V::Bytes(y)) => Some(x.cmp(y)),
        (V::Date(x), V::Date(y)) => Some(x.cmp(y)),
        (V::Time(x), V::Time(y)) => Some(x.cmp(y)),
        (V::Timestamp(x) | V::TimestampLtz(x), V::Timestamp(y) | V::TimestampLtz(y)) => Some(x.cmp(y)),
        (V::Array(_), V::Array(_)) | (V::Map(_), V::Map(_)) | (V::Row(_), V::Row(_)) => {
            if a == b {
                Some(Ordering::Equal)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn arith(op: BinaryOp, l: &Value, r: &Value, ty: &DataType, e: &CompiledExpr) -> Result<Value, EvalError> {
    if l.is_null() || r.is_null() {
        return Ok(Value::Null);
    }
    let zero = || EvalError::new(format!("division by zero in `{}`", e.to_sql()));
    Ok(match &ty.kind {
        TypeKind::TinyInt | TypeKind::SmallInt | TypeKind::Int | TypeKind::BigInt => {
            let (Some(a), Some(b)) = (cast::to_i64(l), cast::to_i64(r)) else {
                return Ok(Value::Null);
            };
            let v = match op {
                BinaryOp::Plus => a.wrapping_add(b),
                BinaryOp::Minus => a.wrapping_sub(b),
                BinaryOp::Mul => a.wrapping_mul(b),
                BinaryOp::Div => a.checked_div(b).ok_or_else(zero)?,
                _ => a.checked_rem(b).ok_or_else(zero)?,
            };
            cast::int_value(&ty.kind, v)
        }
        TypeKind::Float | TypeKind::Double => {
            let (Some(a), Some(b)) = (to_f64(l), to_f64(r)) else {
                return Ok(Value::Null);
            };
            let v = match op {
                BinaryOp::Plus => a + b,
                BinaryOp::Minus => a - b,
                BinaryOp::Mul => a * b,
                BinaryOp::Div => a / b,
                _ => a % b,
            };
            if ty.kind == TypeKind::Float {
                Value::Float(v as f32)
            } else {
                Value::Double(v)
            }
        }
        TypeKind::Decimal { precision, scale } => {
            let (Some(a), Some(b)) = (to_decimal(l), to_decimal(r)) else {
                return Ok(Value::Null);
            };
            let v = match op {
                BinaryOp::Plus => a.checked_add(b),
                BinaryOp::Minus => a.checked_sub(b),
                BinaryOp::Mul => a.checked_mul(b),
                BinaryOp::Div => {
                    if b.is_zero() {
                        return Err(zero());
                    }
                    a.checked_div(b)
                }
                _ => {
                    if b.is_zero() {
                        return Err(zero());
                    }
                    a.checked_rem(b)
                }
            };
            match v.and_then(|v| cast::fit_decimal(v, *precision, *scale)) {
                Some(d) => Value::Decimal(d),
                None => Value::Null, // Flink: decimal overflow yields NULL
            }
        }
        _ => Value::Null,
    })
}

/// Translates a `LIKE` (or `SIMILAR TO`) pattern into an anchored regex.
pub(crate) fn like_regex(pattern: &str, escape: Option<char>, similar: bool) -> Result<Regex, String> {
    let mut re = String::from("(?s)^");
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            match chars.next() {
                Some(n) => re.push_str(&regex::escape(&n.to_string())),
                None => {
                    return Err(format!(
                        "the LIKE pattern '{pattern}' ends with the escape character"
                    ));
                }
            }
            continue;
        }
        match c {
            '%' => re.push_str(".*"),
            '_' => re.push('.'),
            '|' | '*' | '+' | '?' | '{' | '}' | '(' | ')' | '[' | ']' if similar => re.push(c),
            _ => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re).map_err(|e| format!("invalid pattern '{pattern}': {e}"))
}

#[cfg(test)]
mod tests;
