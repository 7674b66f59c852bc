//! The special call syntaxes of Flink SQL: `CASE`, `TRIM(LEADING x FROM s)`, `SUBSTRING(s FROM a FOR b)`,
//! `JSON_VALUE(… RETURNING T DEFAULT d ON EMPTY …)`, `JSON_QUERY(… WITH WRAPPER …)`, `JSON_EXISTS(… ON ERROR)`,
//! interval units, and generic calls (where `OVER` and aggregate `FILTER` are refused).

use super::ast::{
    Expr, ExprKind, JsonBehavior, JsonExistsBehavior, JsonQueryBehavior, JsonWrapper, TrimMode,
};
use super::expr::CMP_PREC;
use super::{Ident, PResult, Parser, Tok, refusal};
use crate::error::Span;

impl Parser<'_> {
    pub(super) fn interval_unit(&mut self) -> PResult<String> {
        const UNITS: [&str; 8] = [
            "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "WEEK", "QUARTER",
        ];
        if let Tok::Word { text, quoted: false } = self.peek() {
            let u = text.to_ascii_uppercase();
            let u = u
                .strip_suffix('S')
                .filter(|s| UNITS.contains(s))
                .map(str::to_string)
                .unwrap_or(u);
            if UNITS.contains(&u.as_str()) {
                self.pos += 1;
                if self.eat_sym("(") {
                    // `SECOND(3)`: a precision we do not need.
                    while !self.eat_sym(")") && !self.at_eof() {
                        self.pos += 1;
                    }
                }
                return Ok(u);
            }
        }
        Err(self.expected("an interval unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND)"))
    }

    pub(super) fn call(&mut self, name: String, start: usize, here: Span) -> PResult<Expr> {
        self.pos += 2; // name (
        let mut args = Vec::new();
        let mut star = false;
        let distinct = self.eat_kw("DISTINCT");
        if !distinct {
            self.eat_kw("ALL");
        }
        if self.eat_sym("*") {
            star = true;
        } else if !self.is_sym(")") {
            loop {
                if self.is_kw("SELECT") {
                    return Err(refusal("a subquery", self.here()));
                }
                args.push(self.expr()?);
                if !self.eat_sym(",") {
                    break;
                }
            }
        }
        self.expect_sym(")")?;
        if self.is_kw("FILTER") && self.is_sym_at(1, "(") {
            return Err(refusal("an aggregate FILTER clause", self.here()));
        }
        if self.is_kw("OVER") {
            let span = self.join(here, self.here());
            return Err(refusal("OVER (an over-window aggregation)", span));
        }
        let name = Ident {
            value: name,
            span: here,
        };
        Ok(self.mk(
            ExprKind::Function {
                name,
                args,
                star,
                distinct,
            },
            start,
        ))
    }

    pub(super) fn case_expr(&mut self, start: usize) -> PResult<Expr> {
        self.expect_kw("CASE")?;
        let operand = if self.is_kw("WHEN") {
            None
        } else {
            Some(Box::new(self.expr()?))
        };
        let mut whens = Vec::new();
        while self.eat_kw("WHEN") {
            let cond = self.expr()?;
            self.expect_kw("THEN")?;
            let result = self.expr()?;
            whens.push((cond, result));
        }
        if whens.is_empty() {
            return Err(self.expected("WHEN"));
        }
        let else_result = if self.eat_kw("ELSE") {
            Some(Box::new(self.expr()?))
        } else {
            None
        };
        self.expect_kw("END")?;
        Ok(self.mk(
            ExprKind::Case {
                operand,
                whens,
                else_result,
            },
            start,
        ))
    }

    pub(super) fn trim_expr(&mut self, start: usize) -> PResult<Expr> {
        self.pos += 2;
        let mode = if self.eat_kw("BOTH") {
            Some(TrimMode::Both)
        } else if self.eat_kw("LEADING") {
            Some(TrimMode::Leading)
        } else if self.eat_kw("TRAILING") {
            Some(TrimMode::Trailing)
        } else {
            None
        };
        let (chars, expr) = if self.eat_kw("FROM") {
            (None, self.expr()?)
        } else {
            let first = self.expr()?;
            if self.eat_kw("FROM") {
                (Some(Box::new(first)), self.expr()?)
            } else if mode.is_none() && self.eat_sym(",") {
                // Non-standard `TRIM(s, chars)` is not Flink; keep the standard form only.
                return Err(self.expected("`FROM` (TRIM([BOTH|LEADING|TRAILING] chars FROM s))"));
            } else {
                (None, first)
            }
        };
        self.expect_sym(")")?;
        let mode = mode.unwrap_or(TrimMode::Both);
        Ok(self.mk(
            ExprKind::Trim {
                mode,
                chars,
                expr: Box::new(expr),
            },
            start,
        ))
    }

    pub(super) fn substring_expr(&mut self, start: usize) -> PResult<Expr> {
        self.pos += 2;
        let expr = self.expr()?;
        let (from, length) = if self.eat_kw("FROM") {
            let from = self.expr()?;
            let length = if self.eat_kw("FOR") {
                Some(Box::new(self.expr()?))
            } else {
                None
            };
            (from, length)
        } else {
            self.expect_sym(",")?;
            let from = self.expr()?;
            let length = if self.eat_sym(",") {
                Some(Box::new(self.expr()?))
            } else {
                None
            };
            (from, length)
        };
        self.expect_sym(")")?;
        Ok(self.mk(
            ExprKind::Substring {
                expr: Box::new(expr),
                from: Box::new(from),
                length,
            },
            start,
        ))
    }

    pub(super) fn json_expr(&mut self, upper: &str, start: usize) -> PResult<Expr> {
        self.pos += 2;
        let json = Box::new(self.expr()?);
        self.expect_sym(",")?;
        let path = Box::new(self.expr()?);
        let kind = match upper {
            "JSON_VALUE" => {
                let returning = if self.eat_kw("RETURNING") {
                    Some(self.data_type()?)
                } else {
                    None
                };
                let mut on_empty = JsonBehavior::Null;
                let mut on_error = JsonBehavior::Null;
                while !self.is_sym(")") {
                    let b = if self.eat_kw("NULL") {
                        JsonBehavior::Null
                    } else if self.eat_kw("ERROR") {
                        JsonBehavior::Error
                    } else if self.eat_kw("DEFAULT") {
                        JsonBehavior::Default(Box::new(self.expr_prec(CMP_PREC)?))
                    } else {
                        return Err(self.expected("NULL, ERROR or DEFAULT … ON EMPTY|ERROR"));
                    };
                    self.expect_kw("ON")?;
                    if self.eat_kw("EMPTY") {
                        on_empty = b;
                    } else {
                        self.expect_kw("ERROR")?;
                        on_error = b;
                    }
                }
                ExprKind::JsonValue {
                    json,
                    path,
                    returning,
                    on_empty,
                    on_error,
                }
            }
            "JSON_QUERY" => {
                let mut wrapper = JsonWrapper::Without;
                let mut on_empty = JsonQueryBehavior::Null;
                let mut on_error = JsonQueryBehavior::Null;
                if self.eat_kw("RETURNING") {
                    self.data_type()?;
                }
                while !self.is_sym(")") {
                    if self.eat_kw("WITHOUT") {
                        self.eat_kw("ARRAY");
                        self.expect_kw("WRAPPER")?;
                        wrapper = JsonWrapper::Without;
                        continue;
                    }
                    if self.eat_kw("WITH") {
                        wrapper = if self.eat_kw("CONDITIONAL") {
                            JsonWrapper::Conditional
                        } else {
                            self.eat_kw("UNCONDITIONAL");
                            JsonWrapper::Unconditional
                        };
                        self.eat_kw("ARRAY");
                        self.expect_kw("WRAPPER")?;
                        continue;
                    }
                    let b = if self.eat_kw("NULL") {
                        JsonQueryBehavior::Null
                    } else if self.eat_kw("ERROR") {
                        JsonQueryBehavior::Error
                    } else if self.eat_kw("EMPTY") {
                        if self.eat_kw("ARRAY") {
                            JsonQueryBehavior::EmptyArray
                        } else {
                            self.expect_kw("OBJECT")?;
                            JsonQueryBehavior::EmptyObject
                        }
                    } else {
                        return Err(
                            self.expected("a WRAPPER clause or NULL|ERROR|EMPTY ARRAY|EMPTY OBJECT ON …")
                        );
                    };
                    self.expect_kw("ON")?;
                    if self.eat_kw("EMPTY") {
                        on_empty = b;
                    } else {
                        self.expect_kw("ERROR")?;
                        on_error = b;
                    }
                }
                ExprKind::JsonQuery {
                    json,
                    path,
                    wrapper,
                    on_empty,
                    on_error,
                }
            }
            _ => {
                let mut on_error = JsonExistsBehavior::False;
                if !self.is_sym(")") {
                    on_error = if self.eat_kw("TRUE") {
                        JsonExistsBehavior::True
                    } else if self.eat_kw("FALSE") {
                        JsonExistsBehavior::False
                    } else if self.eat_kw("UNKNOWN") {
                        JsonExistsBehavior::Unknown
                    } else if self.eat_kw("ERROR") {
                        JsonExistsBehavior::Error
                    } else {
                        return Err(self.expected("TRUE, FALSE, UNKNOWN or ERROR ON ERROR"));
                    };
                    self.expect_kw("ON")?;
                    self.expect_kw("ERROR")?;
                }
                ExprKind::JsonExists { json, path, on_error }
            }
        };
        self.expect_sym(")")?;
        Ok(self.mk(kind, start))
    }
}
