//! Printing compiled expressions back as Flink SQL (for logs, `switchyard export`, and error messages).
//! Implicit casts the planner inserted are printed as `CAST`s, so the text shows what will really run.

use super::{CompiledExpr, Func, Node, cast};
use crate::parse::TrimMode;
use crate::types::{TypeKind, Value};

impl CompiledExpr {
    /// The expression as Flink SQL.
    pub fn to_sql(&self) -> String {
        match &self.node {
            Node::Literal(v) => literal(v, self),
            Node::Column { name, .. } => quote_ident(name),
            Node::Field { base, name, .. } => format!("{}.{}", base.to_sql(), quote_ident(name)),
            Node::Index { base, index } => format!("{}[{}]", base.to_sql(), index.to_sql()),
            Node::Not(e) => format!("NOT {}", paren(e)),
            Node::And(a, b) => format!("{} AND {}", paren(a), paren(b)),
            Node::Or(a, b) => format!("{} OR {}", paren(a), paren(b)),
            Node::Compare { op, left, right } | Node::Arith { op, left, right } => {
                format!("{} {} {}", paren(left), op.as_str(), paren(right))
            }
            Node::Concat(a, b) => format!("{} || {}", paren(a), paren(b)),
            Node::Neg(e) => format!("-{}", paren(e)),
            Node::IsNull { expr, negated } => format!("{} IS {}NULL", paren(expr), not(*negated)),
            Node::IsBool { expr, value, negated } => {
                let v = match value {
                    Some(true) => "TRUE",
                    Some(false) => "FALSE",
                    None => "UNKNOWN",
                };
                format!("{} IS {}{v}", paren(expr), not(*negated))
            }
            Node::IsDistinct { left, right, negated } => {
                format!(
                    "{} IS {}DISTINCT FROM {}",
                    paren(left),
                    not(*negated),
                    paren(right)
                )
            }
            Node::In { expr, list, negated } => format!(
                "{} {}IN ({})",
                paren(expr),
                not(*negated),
                list.iter().map(|e| e.to_sql()).collect::<Vec<_>>().join(", ")
            ),
            Node::Between {
                expr,
                low,
                high,
                negated,
                symmetric,
            } => format!(
                "{} {}BETWEEN {}{} AND {}",
                paren(expr),
                not(*negated),
                if *symmetric { "SYMMETRIC " } else { "" },
                paren(low),
                paren(high)
            ),
            Node::Like {
                expr,
                pattern,
                escape,
                negated,
                similar,
                ..
            } => {
                let mut s = format!(
                    "{} {}{} {}",
                    paren(expr),
                    not(*negated),
                    if *similar { "SIMILAR TO" } else { "LIKE" },
                    paren(pattern)
                );
                if let Some(e) = escape {
                    s.push_str(&format!(" ESCAPE {}", e.to_sql()));
                }
                s
            }
            Node::Case { whens, else_result } => {
                let mut s = String::from("CASE");
                for (c, r) in whens {
                    s.push_str(&format!(" WHEN {} THEN {}", c.to_sql(), r.to_sql()));
                }
                if let Some(e) = else_result {
                    s.push_str(&format!(" ELSE {}", e.to_sql()));
                }
                s.push_str(" END");
                s
            }
            Node::Cast { expr, try_cast } => format!(
                "{}({} AS {})",
                if *try_cast { "TRY_CAST" } else { "CAST" },
                expr.to_sql(),
                self.data_type.clone().with_nullable(true)
            ),
            Node::SinkCast { expr, .. } => {
                if expr.data_type.kind == self.data_type.kind {
                    expr.to_sql()
                } else {
                    format!(
                        "CAST({} AS {})",
                        expr.to_sql(),
                        self.data_type.clone().with_nullable(true)
                    )
                }
            }
            Node::Call { func, args, .. } => call_sql(func, args, self),
        }
    }
}

fn call_sql(func: &Func, args: &[CompiledExpr], e: &CompiledExpr) -> String {
    let list = |a: &[CompiledExpr]| a.iter().map(|x| x.to_sql()).collect::<Vec<_>>().join(", ");
    match func {
        Func::Trim(mode) => {
            let m = match mode {
                TrimMode::Both => "BOTH",
                TrimMode::Leading => "LEADING",
                TrimMode::Trailing => "TRAILING",
            };
            format!("TRIM({m} {} FROM {})", args[1].to_sql(), args[0].to_sql())
        }
        Func::Position => format!("POSITION({} IN {})", args[0].to_sql(), args[1].to_sql()),
        Func::CurrentTimestamp | Func::LocalTimestamp | Func::CurrentDate | Func::CurrentTime => {
            func.name().into()
        }
        Func::JsonValue { .. } => {
            let mut s = format!("JSON_VALUE({}, {}", args[0].to_sql(), args[1].to_sql());
            if !e.data_type.is_string() {
                s.push_str(&format!(" RETURNING {}", e.data_type.clone().with_nullable(true)));
            }
            s.push(')');
            s
        }
        Func::JsonQuery { .. } | Func::JsonExists { .. } => format!("{}({})", func.name(), list(&args[..2])),
        Func::Extract(unit) => format!("EXTRACT({unit} FROM {})", args[1].to_sql()),
        Func::IsJson => match args[1].as_literal() {
            Some(Value::String(k)) if &**k != "VALUE" => format!("{} IS JSON {k}", paren(&args[0])),
            _ => format!("{} IS JSON", paren(&args[0])),
        },
        Func::AddInterval { text, .. } => format!("{} {text}", paren(&args[0])),
        _ => format!("{}({})", func.name(), list(args)),
    }
}

fn not(negated: bool) -> &'static str {
    if negated { "NOT " } else { "" }
}

fn paren(e: &CompiledExpr) -> String {
    let s = e.to_sql();
    match e.node {
        Node::And(..)
        | Node::Or(..)
        | Node::Compare { .. }
        | Node::Arith { .. }
        | Node::Concat(..)
        | Node::Not(_)
        | Node::IsNull { .. }
        | Node::IsBool { .. }
        | Node::In { .. }
        | Node::Between { .. }
        | Node::Like { .. }
        | Node::IsDistinct { .. } => format!("({s})"),
        _ => s,
    }
}

/// Backticks an identifier unless it is a plain lower/upper-case word.
pub(crate) fn quote_ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        name.to_string()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

fn literal(v: &Value, e: &CompiledExpr) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::String(s) => format!("'{}'", s.replace('\'', "''")),
        Value::Date(_) => format!("DATE '{}'", cast::to_string(v, &e.data_type)),
        Value::Time(_) => format!("TIME '{}'", cast::to_string(v, &e.data_type)),
        Value::Timestamp(_) => format!("TIMESTAMP '{}'", cast::to_string(v, &e.data_type)),
        Value::TimestampLtz(_) => {
            format!(
                "CAST('{}' AS {})",
                cast::to_string(v, &e.data_type),
                e.data_type.clone().with_nullable(true)
            )
        }
        Value::BigInt(i) if matches!(e.data_type.kind, TypeKind::BigInt) && i32::try_from(*i).is_ok() => {
            format!("CAST({i} AS BIGINT)")
        }
        Value::Double(f) => {
            let s = cast::java_double(*f, false);
            if s.contains('E') { s } else { format!("{s}E0") }
        }
        Value::Bytes(b) => format!("X'{}'", b.iter().map(|x| format!("{x:02X}")).collect::<String>()),
        _ => cast::to_string(v, &e.data_type),
    }
}
