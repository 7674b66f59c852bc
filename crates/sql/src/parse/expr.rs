//! Flink SQL expressions: a precedence-climbing parser over our tokens, producing the [`super::ast`] nodes
//! (special call syntaxes are in `calls`).
//!
//! Precedence follows Calcite (which Flink uses): `OR` < `AND` < `NOT` < comparisons, `IS`, `BETWEEN`, `IN`,
//! `LIKE` < `+ -` < `* / % ||` < unary minus < `.field` and `[index]`. Special call syntaxes (`CAST(x AS T)`,
//! `TRIM(LEADING 'x' FROM s)`, `SUBSTRING(s FROM a FOR b)`, `POSITION(a IN b)`, `JSON_VALUE(… RETURNING T
//! DEFAULT d ON EMPTY)`) get their own nodes; every other call is a generic [`ExprKind::Function`] resolved by
//! the planner, which is also where unknown functions and aggregates are reported. Subqueries and `OVER` are
//! refused here, where their span is known.

use super::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use super::{Ident, PResult, Parser, Tok, refusal};
use crate::error::{Span, SqlError};

pub(super) const CMP_PREC: u8 = 4;

/// Reserved words that cannot start an expression unquoted (backtick them to use them as names).
const RESERVED: &[&str] = &[
    "FROM",
    "WHERE",
    "SELECT",
    "AND",
    "OR",
    "GROUP",
    "ORDER",
    "BY",
    "HAVING",
    "JOIN",
    "ON",
    "UNION",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "AS",
    "IN",
    "IS",
    "BETWEEN",
    "LIKE",
    "LIMIT",
    "INSERT",
    "INTO",
    "VALUES",
    "CREATE",
    "TABLE",
    "WITH",
    "DISTINCT",
    "INTERSECT",
    "EXCEPT",
];

impl Parser<'_> {
    /// An expression.
    pub(crate) fn expr(&mut self) -> PResult<Expr> {
        self.expr_prec(0)
    }

    pub(super) fn mk(&self, kind: ExprKind, start: usize) -> Expr {
        Expr {
            kind,
            span: self.span_from(start),
        }
    }

    pub(super) fn expr_prec(&mut self, min: u8) -> PResult<Expr> {
        let start = self.tok().start;
        let mut left = if self.is_kw("NOT") && min <= 3 {
            self.pos += 1;
            let e = self.expr_prec(3)?;
            self.mk(
                ExprKind::Unary {
                    op: UnaryOp::Not,
                    expr: Box::new(e),
                },
                start,
            )
        } else {
            self.unary()?
        };
        loop {
            let (prec, op) = match self.peek() {
                Tok::Word { text, quoted: false } => match text.to_ascii_uppercase().as_str() {
                    "OR" => (1, Some(BinaryOp::Or)),
                    "AND" => (2, Some(BinaryOp::And)),
                    "IS" | "IN" | "BETWEEN" | "LIKE" | "SIMILAR" | "NOT" => (CMP_PREC, None),
                    _ => break,
                },
                Tok::Sym(s) => match *s {
                    "=" => (CMP_PREC, Some(BinaryOp::Eq)),
                    "<>" => (CMP_PREC, Some(BinaryOp::Neq)),
                    "<" => (CMP_PREC, Some(BinaryOp::Lt)),
                    ">" => (CMP_PREC, Some(BinaryOp::Gt)),
                    "<=" => (CMP_PREC, Some(BinaryOp::LtEq)),
                    ">=" => (CMP_PREC, Some(BinaryOp::GtEq)),
                    "+" => (5, Some(BinaryOp::Plus)),
                    "-" => (5, Some(BinaryOp::Minus)),
                    "*" => (6, Some(BinaryOp::Mul)),
                    "/" => (6, Some(BinaryOp::Div)),
                    "%" => (6, Some(BinaryOp::Mod)),
                    "||" => (6, Some(BinaryOp::Concat)),
                    _ => break,
                },
                _ => break,
            };
            if prec <= min {
                break;
            }
            match op {
                Some(op) => {
                    self.pos += 1;
                    let right = self.expr_prec(prec)?;
                    left = self.mk(
                        ExprKind::Binary {
                            op,
                            left: Box::new(left),
                            right: Box::new(right),
                        },
                        start,
                    );
                }
                None => {
                    if self.is_kw("NOT")
                        && !(self.is_kw_at(1, "IN")
                            || self.is_kw_at(1, "BETWEEN")
                            || self.is_kw_at(1, "LIKE")
                            || self.is_kw_at(1, "SIMILAR"))
                    {
                        break;
                    }
                    left = self.predicate(left, start)?;
                }
            }
        }
        Ok(left)
    }

    /// `IS …`, `[NOT] IN`, `[NOT] BETWEEN`, `[NOT] LIKE`, `[NOT] SIMILAR TO` after `left`.
    fn predicate(&mut self, left: Expr, start: usize) -> PResult<Expr> {
        let expr = Box::new(left);
        if self.eat_kw("IS") {
            let negated = self.eat_kw("NOT");
            let kind = if self.eat_kw("NULL") {
                ExprKind::IsNull { expr, negated }
            } else if self.eat_kw("TRUE") {
                ExprKind::IsBool {
                    expr,
                    value: Some(true),
                    negated,
                }
            } else if self.eat_kw("FALSE") {
                ExprKind::IsBool {
                    expr,
                    value: Some(false),
                    negated,
                }
            } else if self.eat_kw("UNKNOWN") {
                ExprKind::IsBool {
                    expr,
                    value: None,
                    negated,
                }
            } else if self.eat_kw("DISTINCT") {
                self.expect_kw("FROM")?;
                let right = self.expr_prec(CMP_PREC)?;
                ExprKind::IsDistinctFrom {
                    left: expr,
                    right: Box::new(right),
                    negated,
                }
            } else if self.is_kw("JSON") {
                // `IS [NOT] JSON [VALUE|SCALAR|ARRAY|OBJECT]` → IS_JSON(e, 'KIND'), negated with NOT.
                let kw_span = self.here();
                self.pos += 1;
                let mut kind_name = "VALUE".to_string();
                for k in ["VALUE", "SCALAR", "ARRAY", "OBJECT"] {
                    if self.eat_kw(k) {
                        kind_name = k.to_string();
                        break;
                    }
                }
                let name = Ident {
                    value: "IS_JSON".into(),
                    span: kw_span,
                };
                let kind_arg = Expr {
                    kind: ExprKind::String(kind_name),
                    span: kw_span,
                };
                let call = self.mk(
                    ExprKind::Function {
                        name,
                        args: vec![*expr, kind_arg],
                        star: false,
                        distinct: false,
                    },
                    start,
                );
                if !negated {
                    return Ok(call);
                }
                ExprKind::Unary {
                    op: UnaryOp::Not,
                    expr: Box::new(call),
                }
            } else {
                return Err(self.expected("NULL, TRUE, FALSE, UNKNOWN, JSON or DISTINCT FROM after IS"));
            };
            return Ok(self.mk(kind, start));
        }
        let negated = self.eat_kw("NOT");
        if self.eat_kw("IN") {
            let open = self.expect_sym("(")?;
            if self.is_kw("SELECT") || self.is_kw("WITH") {
                return Err(refusal("a subquery", self.join(open, self.here())));
            }
            let mut list = vec![self.expr()?];
            while self.eat_sym(",") {
                list.push(self.expr()?);
            }
            self.expect_sym(")")?;
            return Ok(self.mk(ExprKind::InList { expr, list, negated }, start));
        }
        if self.eat_kw("BETWEEN") {
            let symmetric = self.eat_kw("SYMMETRIC");
            if !symmetric {
                self.eat_kw("ASYMMETRIC");
            }
            let low = self.expr_prec(CMP_PREC)?;
            self.expect_kw("AND")?;
            let high = self.expr_prec(CMP_PREC)?;
            return Ok(self.mk(
                ExprKind::Between {
                    expr,
                    low: Box::new(low),
                    high: Box::new(high),
                    negated,
                    symmetric,
                },
                start,
            ));
        }
        let similar = if self.eat_kw("LIKE") {
            false
        } else if self.eat_kw("SIMILAR") {
            self.expect_kw("TO")?;
            true
        } else {
            return Err(self.expected("IN, BETWEEN, LIKE or SIMILAR TO after NOT"));
        };
        let pattern = Box::new(self.expr_prec(CMP_PREC)?);
        let escape = if self.eat_kw("ESCAPE") {
            Some(Box::new(self.expr_prec(CMP_PREC)?))
        } else {
            None
        };
        Ok(self.mk(
            ExprKind::Like {
                expr,
                pattern,
                escape,
                negated,
                similar,
            },
            start,
        ))
    }

    fn unary(&mut self) -> PResult<Expr> {
        let start = self.tok().start;
        if self.eat_sym("-") {
            let e = self.unary()?;
            // Fold `-<number>` into the literal, so `-128` is a TINYINT-range INT literal as in Flink.
            if let ExprKind::Number(n) = &e.kind {
                return Ok(self.mk(ExprKind::Number(format!("-{n}")), start));
            }
            return Ok(self.mk(
                ExprKind::Unary {
                    op: UnaryOp::Neg,
                    expr: Box::new(e),
                },
                start,
            ));
        }
        if self.eat_sym("+") {
            let e = self.unary()?;
            return Ok(self.mk(
                ExprKind::Unary {
                    op: UnaryOp::Plus,
                    expr: Box::new(e),
                },
                start,
            ));
        }
        let mut e = self.primary()?;
        loop {
            if self.eat_sym("[") {
                let index = self.expr()?;
                self.expect_sym("]")?;
                e = self.mk(
                    ExprKind::Index {
                        expr: Box::new(e),
                        index: Box::new(index),
                    },
                    start,
                );
            } else if self.is_sym(".") && matches!(self.peek_at(1), Tok::Word { .. }) {
                self.pos += 1;
                let field = self.ident()?;
                e = match e.kind {
                    ExprKind::Column(mut parts) => {
                        parts.push(field);
                        self.mk(ExprKind::Column(parts), start)
                    }
                    kind => self.mk(
                        ExprKind::Field {
                            expr: Box::new(Expr { kind, span: e.span }),
                            field,
                        },
                        start,
                    ),
                };
            } else {
                return Ok(e);
            }
        }
    }

    fn primary(&mut self) -> PResult<Expr> {
        let start = self.tok().start;
        let here = self.here();
        match self.peek().clone() {
            Tok::Num(n) => {
                self.pos += 1;
                Ok(self.mk(ExprKind::Number(n), start))
            }
            Tok::Str(s) => {
                self.pos += 1;
                Ok(self.mk(ExprKind::String(s), start))
            }
            Tok::Sym("(") => {
                self.pos += 1;
                if self.is_kw("SELECT") || self.is_kw("WITH") {
                    return Err(refusal("a subquery", self.join(here, self.here())));
                }
                let e = self.expr()?;
                if self.is_sym(",") {
                    return Err(
                        SqlError::new("row constructors `(a, b, …)` are not supported here", here)
                            .with_hint("use ROW(a, b, …)"),
                    );
                }
                self.expect_sym(")")?;
                Ok(Expr {
                    kind: e.kind,
                    span: self.span_from(start),
                })
            }
            Tok::Word { text, quoted: true } => {
                self.pos += 1;
                Ok(self.mk(
                    ExprKind::Column(vec![Ident {
                        value: text,
                        span: here,
                    }]),
                    start,
                ))
            }
            Tok::Word { text, quoted: false } if RESERVED.iter().any(|r| text.eq_ignore_ascii_case(r)) => {
                Err(self.expected("an expression"))
            }
            Tok::Word { text, quoted: false } => self.word_expr(text, start, here),
            _ => Err(self.expected("an expression")),
        }
    }

    fn word_expr(&mut self, text: String, start: usize, here: Span) -> PResult<Expr> {
        let upper = text.to_ascii_uppercase();
        let next_is_paren = self.is_sym_at(1, "(");
        let next_is_str = matches!(self.peek_at(1), Tok::Str(_));
        match upper.as_str() {
            "NULL" => {
                self.pos += 1;
                return Ok(self.mk(ExprKind::Null, start));
            }
            "TRUE" | "FALSE" => {
                self.pos += 1;
                return Ok(self.mk(ExprKind::Bool(upper == "TRUE"), start));
            }
            "CASE" => return self.case_expr(start),
            "CAST" | "TRY_CAST" if next_is_paren => {
                self.pos += 2;
                let e = self.expr()?;
                self.expect_kw("AS")?;
                let data_type = self.data_type()?;
                self.expect_sym(")")?;
                return Ok(self.mk(
                    ExprKind::Cast {
                        expr: Box::new(e),
                        data_type,
                        try_cast: upper == "TRY_CAST",
                    },
                    start,
                ));
            }
            "DATE" | "TIME" | "TIMESTAMP" | "TIMESTAMP_LTZ" if next_is_str => {
                self.pos += 1;
                let (value, _) = self.string_lit()?;
                return Ok(self.mk(
                    ExprKind::Typed {
                        type_name: upper,
                        value,
                    },
                    start,
                ));
            }
            "INTERVAL" => {
                self.pos += 1;
                let neg = self.eat_sym("-");
                let value = match self.peek().clone() {
                    Tok::Str(s) | Tok::Num(s) => {
                        self.pos += 1;
                        if neg { format!("-{s}") } else { s }
                    }
                    _ => return Err(self.expected("the interval's quoted value")),
                };
                let mut unit = self.interval_unit()?;
                if self.eat_kw("TO") {
                    unit = format!("{unit} TO {}", self.interval_unit()?);
                }
                return Ok(self.mk(ExprKind::Interval { value, unit }, start));
            }
            "EXISTS" if next_is_paren => {
                return Err(refusal("a subquery (EXISTS)", here));
            }
            "CURRENT_TIMESTAMP"
            | "LOCALTIMESTAMP"
            | "CURRENT_DATE"
            | "CURRENT_TIME"
            | "LOCALTIME"
            | "CURRENT_ROW_TIMESTAMP"
                if !next_is_paren =>
            {
                self.pos += 1;
                let name = Ident {
                    value: text,
                    span: here,
                };
                return Ok(self.mk(
                    ExprKind::Function {
                        name,
                        args: vec![],
                        star: false,
                        distinct: false,
                    },
                    start,
                ));
            }
            "TRIM" if next_is_paren => return self.trim_expr(start),
            "SUBSTRING" | "SUBSTR" if next_is_paren => return self.substring_expr(start),
            "POSITION" if next_is_paren => {
                self.pos += 2;
                let needle = self.expr_prec(CMP_PREC)?;
                self.expect_kw("IN")?;
                let haystack = self.expr()?;
                self.expect_sym(")")?;
                return Ok(self.mk(
                    ExprKind::Position {
                        needle: Box::new(needle),
                        haystack: Box::new(haystack),
                    },
                    start,
                ));
            }
            "EXTRACT" if next_is_paren => {
                // `EXTRACT(unit FROM e)` → EXTRACT('UNIT', e).
                self.pos += 2;
                let unit_span = self.here();
                let unit = match self.peek().clone() {
                    Tok::Word { text, quoted: false } => text.to_ascii_uppercase(),
                    _ => return Err(self.expected("a time unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, …)")),
                };
                self.pos += 1;
                self.expect_kw("FROM")?;
                let e = self.expr()?;
                self.expect_sym(")")?;
                let name = Ident {
                    value: text,
                    span: here,
                };
                let unit = Expr {
                    kind: ExprKind::String(unit),
                    span: unit_span,
                };
                return Ok(self.mk(
                    ExprKind::Function {
                        name,
                        args: vec![unit, e],
                        star: false,
                        distinct: false,
                    },
                    start,
                ));
            }
            "JSON_VALUE" | "JSON_QUERY" | "JSON_EXISTS" if next_is_paren => {
                return self.json_expr(&upper, start);
            }
            "TABLE" if next_is_paren => return Err(refusal("a table function", here)),
            "ARRAY" | "MAP" if self.is_sym_at(1, "[") => {
                self.pos += 2;
                let mut args = Vec::new();
                if !self.is_sym("]") {
                    loop {
                        args.push(self.expr()?);
                        if !self.eat_sym(",") {
                            break;
                        }
                    }
                }
                self.expect_sym("]")?;
                let name = Ident {
                    value: text,
                    span: here,
                };
                return Ok(self.mk(
                    ExprKind::Function {
                        name,
                        args,
                        star: false,
                        distinct: false,
                    },
                    start,
                ));
            }
            _ => {}
        }
        if next_is_paren {
            return self.call(text, start, here);
        }
        self.pos += 1;
        Ok(self.mk(
            ExprKind::Column(vec![Ident {
                value: text,
                span: here,
            }]),
            start,
        ))
    }
}
