//! The expression AST the parser produces and the planner binds.
//!
//! It mirrors what the user wrote (special call syntaxes keep their own nodes, names keep their spans), so the
//! planner can report problems precisely; typing and resolution happen later, in `plan::bind`.

use super::Ident;
use crate::error::Span;
use crate::types::DataType;

/// An expression and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is (its first line).
    pub span: Span,
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `NOT`.
    Not,
    /// `-`.
    Neg,
    /// `+`.
    Plus,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `=`.
    Eq,
    /// `<>` / `!=`.
    Neq,
    /// `<`.
    Lt,
    /// `>`.
    Gt,
    /// `<=`.
    LtEq,
    /// `>=`.
    GtEq,
    /// `+`.
    Plus,
    /// `-`.
    Minus,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `%`.
    Mod,
    /// `||`.
    Concat,
    /// `AND`.
    And,
    /// `OR`.
    Or,
}

impl BinaryOp {
    /// The operator as written in SQL.
    pub fn as_str(&self) -> &'static str {
        match self {
            BinaryOp::Eq => "=",
            BinaryOp::Neq => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::Gt => ">",
            BinaryOp::LtEq => "<=",
            BinaryOp::GtEq => ">=",
            BinaryOp::Plus => "+",
            BinaryOp::Minus => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::Concat => "||",
            BinaryOp::And => "AND",
            BinaryOp::Or => "OR",
        }
    }

    /// Whether this is a comparison.
    pub fn is_comparison(&self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Neq | BinaryOp::Lt | BinaryOp::Gt | BinaryOp::LtEq | BinaryOp::GtEq
        )
    }
}

/// `TRIM`'s side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrimMode {
    /// `BOTH` (the default).
    Both,
    /// `LEADING`.
    Leading,
    /// `TRAILING`.
    Trailing,
}

/// `JSON_VALUE`'s `ON EMPTY` / `ON ERROR` behaviour.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonBehavior {
    /// `NULL` (the default).
    Null,
    /// `ERROR`.
    Error,
    /// `DEFAULT expr`.
    Default(Box<Expr>),
}

/// `JSON_QUERY`'s `ON EMPTY` / `ON ERROR` behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonQueryBehavior {
    /// `NULL` (the default).
    Null,
    /// `ERROR`.
    Error,
    /// `EMPTY ARRAY`.
    EmptyArray,
    /// `EMPTY OBJECT`.
    EmptyObject,
}

/// `JSON_QUERY`'s wrapper behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonWrapper {
    /// `WITHOUT [ARRAY] WRAPPER` (the default).
    Without,
    /// `WITH CONDITIONAL [ARRAY] WRAPPER`.
    Conditional,
    /// `WITH [UNCONDITIONAL] [ARRAY] WRAPPER`.
    Unconditional,
}

/// `JSON_EXISTS`'s `ON ERROR` behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonExistsBehavior {
    /// `FALSE` (the default).
    False,
    /// `TRUE`.
    True,
    /// `UNKNOWN`.
    Unknown,
    /// `ERROR`.
    Error,
}

/// Expression kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `NULL`.
    Null,
    /// `TRUE` / `FALSE`.
    Bool(bool),
    /// A numeric literal as written: `42`, `1.50`, `1e3`.
    Number(String),
    /// `'text'`.
    String(String),
    /// `DATE '…'`, `TIME '…'`, `TIMESTAMP '…'`, `TIMESTAMP_LTZ '…'` (type name upper-cased).
    Typed {
        /// `DATE`, `TIME`, `TIMESTAMP` or `TIMESTAMP_LTZ`.
        type_name: String,
        /// The quoted text.
        value: String,
    },
    /// `INTERVAL '5' SECOND` (unit upper-cased, e.g. `SECOND` or `DAY TO SECOND`).
    Interval {
        /// The quoted text, with a leading `-` when the literal is negated inside.
        value: String,
        /// The unit.
        unit: String,
    },
    /// A column, or `table.column`, or `column.field.field`.
    Column(Vec<Ident>),
    /// `NOT e`, `-e`, `+e`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        expr: Box<Expr>,
    },
    /// `l op r`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left.
        left: Box<Expr>,
        /// Right.
        right: Box<Expr>,
    },
    /// `e IS [NOT] NULL`.
    IsNull {
        /// The operand.
        expr: Box<Expr>,
        /// `IS NOT NULL`.
        negated: bool,
    },
    /// `e IS [NOT] TRUE|FALSE|UNKNOWN` (`value` `None` for `UNKNOWN`).
    IsBool {
        /// The operand.
        expr: Box<Expr>,
        /// `TRUE`, `FALSE`, or `None` for `UNKNOWN`.
        value: Option<bool>,
        /// `IS NOT`.
        negated: bool,
    },
    /// `l IS [NOT] DISTINCT FROM r`.
    IsDistinctFrom {
        /// Left.
        left: Box<Expr>,
        /// Right.
        right: Box<Expr>,
        /// `IS NOT DISTINCT FROM`.
        negated: bool,
    },
    /// `e [NOT] IN (a, b, …)`.
    InList {
        /// The operand.
        expr: Box<Expr>,
        /// The list.
        list: Vec<Expr>,
        /// `NOT IN`.
        negated: bool,
    },
    /// `e [NOT] BETWEEN [SYMMETRIC] lo AND hi`.
    Between {
        /// The operand.
        expr: Box<Expr>,
        /// Low bound.
        low: Box<Expr>,
        /// High bound.
        high: Box<Expr>,
        /// `NOT BETWEEN`.
        negated: bool,
        /// `SYMMETRIC`.
        symmetric: bool,
    },
    /// `e [NOT] LIKE p [ESCAPE x]` or `e [NOT] SIMILAR TO p [ESCAPE x]`.
    Like {
        /// The operand.
        expr: Box<Expr>,
        /// The pattern.
        pattern: Box<Expr>,
        /// The escape character.
        escape: Option<Box<Expr>>,
        /// `NOT`.
        negated: bool,
        /// `SIMILAR TO` instead of `LIKE`.
        similar: bool,
    },
    /// `CASE [operand] WHEN … THEN … [ELSE …] END`.
    Case {
        /// The simple form's operand.
        operand: Option<Box<Expr>>,
        /// `WHEN` / `THEN` pairs.
        whens: Vec<(Expr, Expr)>,
        /// `ELSE`.
        else_result: Option<Box<Expr>>,
    },
    /// `CAST(e AS T)` / `TRY_CAST(e AS T)`.
    Cast {
        /// The operand.
        expr: Box<Expr>,
        /// The target type.
        data_type: DataType,
        /// `TRY_CAST`: `NULL` instead of an error.
        try_cast: bool,
    },
    /// A function call: `UPPER(x)`, `COALESCE(a, b)`, `CURRENT_TIMESTAMP` (no parentheses).
    Function {
        /// The name as written.
        name: Ident,
        /// Arguments.
        args: Vec<Expr>,
        /// `f(*)`.
        star: bool,
        /// `f(DISTINCT …)`.
        distinct: bool,
    },
    /// `TRIM([BOTH|LEADING|TRAILING] [chars] FROM s)` / `TRIM(s)`.
    Trim {
        /// The side.
        mode: TrimMode,
        /// The characters to remove (a space when absent).
        chars: Option<Box<Expr>>,
        /// The string.
        expr: Box<Expr>,
    },
    /// `SUBSTRING(s FROM a [FOR n])`, `SUBSTRING(s, a[, n])`, `SUBSTR(…)`.
    Substring {
        /// The string.
        expr: Box<Expr>,
        /// 1-based start.
        from: Box<Expr>,
        /// Length.
        length: Option<Box<Expr>>,
    },
    /// `POSITION(needle IN haystack)`.
    Position {
        /// What to find.
        needle: Box<Expr>,
        /// Where.
        haystack: Box<Expr>,
    },
    /// `JSON_VALUE(json, path [RETURNING T] [… ON EMPTY] [… ON ERROR])`.
    JsonValue {
        /// The JSON text.
        json: Box<Expr>,
        /// The SQL/JSON path.
        path: Box<Expr>,
        /// `RETURNING T` (default `STRING`).
        returning: Option<DataType>,
        /// `ON EMPTY`.
        on_empty: JsonBehavior,
        /// `ON ERROR`.
        on_error: JsonBehavior,
    },
    /// `JSON_QUERY(json, path [… WRAPPER] [… ON EMPTY] [… ON ERROR])`.
    JsonQuery {
        /// The JSON text.
        json: Box<Expr>,
        /// The SQL/JSON path.
        path: Box<Expr>,
        /// Wrapper behaviour.
        wrapper: JsonWrapper,
        /// `ON EMPTY`.
        on_empty: JsonQueryBehavior,
        /// `ON ERROR`.
        on_error: JsonQueryBehavior,
    },
    /// `JSON_EXISTS(json, path [… ON ERROR])`.
    JsonExists {
        /// The JSON text.
        json: Box<Expr>,
        /// The SQL/JSON path.
        path: Box<Expr>,
        /// `ON ERROR`.
        on_error: JsonExistsBehavior,
    },
    /// `(e).field` on a `ROW` that is not a plain column.
    Field {
        /// The row.
        expr: Box<Expr>,
        /// The field.
        field: Ident,
    },
    /// `e[i]`: array element (1-based) or map value.
    Index {
        /// The array or map.
        expr: Box<Expr>,
        /// The index or key.
        index: Box<Expr>,
    },
}
