//! `INSERT INTO sink [(cols)] SELECT … FROM source [WHERE …]` — the one query shape `switchyard run` executes —
//! and the refusals for every relational construct beyond it.
//!
//! Refusals are raised where the construct is parsed, so the caret lands on `JOIN`, `GROUP BY`, `UNION`, … .
//! Aggregate functions are refused by the planner, which knows which names are functions.

use super::{Ident, ObjectName, PResult, Parser, Tok, refusal};
use crate::error::{Span, SqlError};
use crate::parse::ast::Expr;

/// `INSERT INTO sink [(columns)] SELECT …`.
#[derive(Debug, Clone, PartialEq)]
pub struct Insert {
    /// The sink table.
    pub sink: ObjectName,
    /// The explicit target column list.
    pub columns: Option<Vec<Ident>>,
    /// The query.
    pub select: Select,
}

/// `SELECT items FROM table [alias] [WHERE filter]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    /// The select list.
    pub items: Vec<SelectItem>,
    /// The source table.
    pub from: ObjectName,
    /// The source's alias.
    pub alias: Option<Ident>,
    /// `WHERE`.
    pub filter: Option<Expr>,
    /// From `SELECT` on.
    pub span: Span,
}

/// One item of the select list.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    /// `expr [[AS] alias]`.
    Expr {
        /// The expression.
        expr: Expr,
        /// Its alias.
        alias: Option<Ident>,
    },
    /// `*` or `t.*`.
    Wildcard {
        /// `t` of `t.*`.
        qualifier: Option<Ident>,
        /// Where.
        span: Span,
    },
}

/// Words that end a select item or table reference (so they are not taken as aliases).
const CLAUSE_WORDS: &[&str] = &[
    "FROM",
    "WHERE",
    "GROUP",
    "HAVING",
    "WINDOW",
    "ORDER",
    "LIMIT",
    "OFFSET",
    "FETCH",
    "UNION",
    "INTERSECT",
    "EXCEPT",
    "MINUS",
    "JOIN",
    "INNER",
    "LEFT",
    "RIGHT",
    "FULL",
    "CROSS",
    "NATURAL",
    "ON",
    "USING",
    "MATCH_RECOGNIZE",
    "FOR",
    "END",
    "LATERAL",
    "QUALIFY",
];

impl Parser<'_> {
    pub(super) fn insert(&mut self) -> PResult<Insert> {
        self.expect_kw("INSERT")?;
        if self.is_kw("OVERWRITE") {
            return Err(refusal("INSERT OVERWRITE", self.here()));
        }
        self.expect_kw("INTO")?;
        let sink = self.object_name()?;
        if self.is_kw("PARTITION") {
            return Err(refusal("INSERT … PARTITION", self.here()));
        }
        let columns = if self.eat_sym("(") {
            let mut cols = vec![self.ident()?];
            while self.eat_sym(",") {
                cols.push(self.ident()?);
            }
            self.expect_sym(")")?;
            Some(cols)
        } else {
            None
        };
        if self.is_kw("VALUES") {
            return Err(SqlError::new(
                "INSERT … VALUES has no source topic; `switchyard run` routes records from a source table",
                self.here(),
            )
            .with_hint("use `switchyard produce` to write test records"));
        }
        if self.is_kw("WITH") {
            return Err(refusal("WITH (a common table expression)", self.here()));
        }
        if self.is_sym("(") {
            return Err(refusal("a parenthesised query", self.here()));
        }
        let select = self.select()?;
        Ok(Insert {
            sink,
            columns,
            select,
        })
    }

    fn select(&mut self) -> PResult<Select> {
        let start = self.tok().start;
        self.expect_kw("SELECT")?;
        if self.is_kw("DISTINCT") {
            return Err(refusal("SELECT DISTINCT", self.here()));
        }
        self.eat_kw("ALL");
        let mut items = Vec::new();
        loop {
            items.push(self.select_item()?);
            if !self.eat_sym(",") {
                break;
            }
        }
        if !self.is_kw("FROM") {
            return Err(self.expected("`FROM` (a select item ends here)"));
        }
        self.pos += 1;
        if self.is_sym("(") {
            let span = self.here();
            return Err(if self.is_kw_at(1, "SELECT") || self.is_kw_at(1, "WITH") {
                refusal("a subquery", self.join(span, self.span_at(1)))
            } else {
                refusal("a parenthesised table expression", span)
            });
        }
        if self.is_kw("TABLE") && self.is_sym_at(1, "(") {
            let name_span = self.span_at(2);
            let what = match self.peek_at(2) {
                Tok::Word { text, .. } => {
                    let u = text.to_ascii_uppercase();
                    if ["TUMBLE", "HOP", "SESSION", "CUMULATE"].contains(&u.as_str()) {
                        format!("the {u} window")
                    } else {
                        format!("the table function {text}")
                    }
                }
                _ => "a table function".to_string(),
            };
            return Err(refusal(&what, name_span));
        }
        if self.is_kw("LATERAL") || self.is_kw("UNNEST") {
            return Err(refusal(&self.describe_at(0).to_uppercase(), self.here()));
        }
        let from = self.object_name()?;
        let alias = self.alias()?;
        self.refuse_after_table()?;
        let filter = if self.eat_kw("WHERE") {
            Some(self.expr()?)
        } else {
            None
        };
        self.refuse_trailing_clauses()?;
        Ok(Select {
            items,
            from,
            alias,
            filter,
            span: self.span_from(start),
        })
    }

    fn select_item(&mut self) -> PResult<SelectItem> {
        let span = self.here();
        if self.eat_sym("*") {
            return Ok(SelectItem::Wildcard {
                qualifier: None,
                span,
            });
        }
        if matches!(self.peek(), Tok::Word { .. }) && self.is_sym_at(1, ".") && self.is_sym_at(2, "*") {
            let q = self.ident()?;
            self.pos += 2;
            let span = self.join(span, self.map.span(self.prev_end() - 1, self.prev_end()));
            return Ok(SelectItem::Wildcard {
                qualifier: Some(q),
                span,
            });
        }
        let expr = self.expr()?;
        let alias = self.alias()?;
        Ok(SelectItem::Expr { expr, alias })
    }

    /// `[AS] alias`, when present.
    fn alias(&mut self) -> PResult<Option<Ident>> {
        if self.eat_kw("AS") {
            return Ok(Some(self.ident()?));
        }
        match self.peek() {
            Tok::Word { quoted: true, .. } => Ok(Some(self.ident()?)),
            Tok::Word { text, quoted: false }
                if !CLAUSE_WORDS.iter().any(|w| text.eq_ignore_ascii_case(w)) =>
            {
                Ok(Some(self.ident()?))
            }
            _ => Ok(None),
        }
    }

    /// Joins and `MATCH_RECOGNIZE` after the `FROM` table.
    fn refuse_after_table(&mut self) -> PResult<()> {
        let span = self.here();
        if self.is_sym(",") {
            return Err(refusal("a join (a comma-separated FROM list)", span));
        }
        for kw in ["JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL"] {
            if self.is_kw(kw) {
                let mut n = 0;
                while !self.is_kw_at(n, "JOIN") && n < 3 && !matches!(self.peek_at(n), Tok::Eof) {
                    n += 1;
                }
                let end = if self.is_kw_at(n, "JOIN") {
                    self.span_at(n)
                } else {
                    span
                };
                return Err(refusal("JOIN", self.join(span, end)));
            }
        }
        if self.is_kw("MATCH_RECOGNIZE") {
            return Err(refusal("MATCH_RECOGNIZE", span));
        }
        if self.is_kw("FOR") && self.is_kw_at(1, "SYSTEM_TIME") {
            return Err(refusal("a temporal table lookup (FOR SYSTEM_TIME AS OF)", span));
        }
        Ok(())
    }

    /// `GROUP BY`, `HAVING`, `WINDOW`, `ORDER BY`, `LIMIT`, set operations.
    fn refuse_trailing_clauses(&mut self) -> PResult<()> {
        let span = self.here();
        let two = self.join(span, self.span_at(1));
        let (what, span) = if self.is_kw("GROUP") {
            ("GROUP BY (aggregation)", two)
        } else if self.is_kw("HAVING") {
            ("HAVING (aggregation)", span)
        } else if self.is_kw("WINDOW") {
            ("WINDOW", span)
        } else if self.is_kw("ORDER") {
            ("ORDER BY", two)
        } else if self.is_kw("LIMIT") || self.is_kw("FETCH") || self.is_kw("OFFSET") {
            ("LIMIT", span)
        } else if self.is_kw("UNION") {
            ("UNION", span)
        } else if self.is_kw("INTERSECT") {
            ("INTERSECT", span)
        } else if self.is_kw("EXCEPT") || self.is_kw("MINUS") {
            ("EXCEPT", span)
        } else {
            return Ok(());
        };
        Err(refusal(what, span))
    }
}
