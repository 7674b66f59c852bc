//! `INSERT INTO sink SELECT … FROM source WHERE …` → [`StatementPlan`]: bind the filter and select list in the
//! source's scope, line the select list up with the sink's persisted columns, and check what Flink checks —
//! column counts, implicit castability into each sink column, and that an append-only sink is not fed a
//! changelog.

use super::bind::{Scope, coerce, is_null_literal};
use super::table::Planner;
use super::{ColumnKind, StatementPlan, options};
use crate::error::SqlError;
use crate::eval::{CompiledExpr, Node, cast};
use crate::parse::{Insert, SelectItem, Statement};
use crate::types::{DataType, TypeKind, Value};

impl Planner<'_> {
    pub fn insert(&mut self, ins: &Insert, st: &Statement) {
        let index = self.insert_count;
        self.insert_count += 1;
        let sink = self.resolve(&ins.sink);
        let source = self.resolve(&ins.select.from);
        let (Some(sink), Some(source)) = (sink, source) else {
            return;
        };
        let src = self.tables[source].clone();
        let mut qualifiers = vec![
            src.name.clone(),
            ins.select.from.name(),
            ins.select.from.last().to_string(),
        ];
        if let Some(a) = &ins.select.alias {
            qualifiers = vec![a.value.clone()];
        }
        let scope = Scope {
            table: &src,
            qualifiers,
            allow_computed: true,
        };
        let mut ok = true;

        let filter = match &ins.select.filter {
            Some(f) => match scope.bind(f) {
                Ok(e) if e.data_type().kind == TypeKind::Boolean || is_null_literal(&e) => Some(e),
                Ok(e) => {
                    self.errors.push(SqlError::new(
                        format!(
                            "WHERE needs a BOOLEAN condition, got {}",
                            e.data_type().clone().with_nullable(true)
                        ),
                        f.span,
                    ));
                    ok = false;
                    None
                }
                Err(err) => {
                    self.errors.push(err);
                    ok = false;
                    None
                }
            },
            None => None,
        };

        // The select list, with `*` expanded, and each item's span for errors.
        let mut items: Vec<(CompiledExpr, crate::error::Span, String)> = Vec::new();
        for item in &ins.select.items {
            match item {
                SelectItem::Wildcard { qualifier, span } => {
                    if let Some(q) = qualifier
                        && !scope.qualifiers.contains(&q.value)
                    {
                        self.errors.push(SqlError::new(
                            format!("unknown table `{}` in `{}.*`", q.value, q.value),
                            q.span,
                        ));
                        ok = false;
                        continue;
                    }
                    for (i, c) in src.columns.iter().enumerate() {
                        let e = CompiledExpr::new(
                            Node::Column {
                                index: i,
                                name: c.name.clone(),
                            },
                            c.data_type.clone(),
                        );
                        items.push((e, *span, c.name.clone()));
                    }
                }
                SelectItem::Expr { expr, alias } => match scope.bind(expr) {
                    Ok(e) => {
                        let name = alias
                            .as_ref()
                            .map(|a| a.value.clone())
                            .unwrap_or_else(|| e.to_sql());
                        items.push((e, expr.span, name));
                    }
                    Err(err) => {
                        self.errors.push(err);
                        ok = false;
                    }
                },
            }
        }
        if !ok {
            return;
        }

        let sink_def = self.tables[sink].clone();
        let persisted: Vec<usize> = sink_def.persisted_columns().map(|(i, _)| i).collect();
        for c in &sink_def.columns {
            if let ColumnKind::Metadata {
                key,
                is_virtual: false,
            } = &c.kind
                && !options::writable_metadata_keys(sink_def.connector()).contains(&key.as_str())
            {
                self.errors.push(
                    SqlError::new(
                        format!(
                            "sink `{}` declares metadata column `{}` ('{key}') without VIRTUAL, but '{key}' cannot be written",
                            sink_def.name, c.name
                        ),
                        sink_def.span.unwrap_or(st.span),
                    )
                    .with_hint("declare it METADATA … VIRTUAL (read-only)"),
                );
                return;
            }
        }
        // Target slots for each select item.
        let targets: Vec<usize> = match &ins.columns {
            Some(cols) => {
                let mut t = Vec::new();
                for c in cols {
                    match sink_def.column_index(&c.value) {
                        Some(i) if persisted.contains(&i) => {
                            if t.contains(&i) {
                                self.errors.push(SqlError::new(
                                    format!("column `{}` is listed twice", c.value),
                                    c.span,
                                ));
                                return;
                            }
                            t.push(i);
                        }
                        Some(_) => {
                            self.errors.push(SqlError::new(
                                format!(
                                    "column `{}` of `{}` is computed or virtual and cannot be written",
                                    c.value, sink_def.name
                                ),
                                c.span,
                            ));
                            return;
                        }
                        None => {
                            let s = Scope {
                                table: &sink_def,
                                qualifiers: vec![],
                                allow_computed: true,
                            };
                            self.errors.push(s.unknown_column(&c.value, c.span));
                            return;
                        }
                    }
                }
                t
            }
            None => persisted.clone(),
        };
        if targets.len() != items.len() {
            let names: Vec<String> = targets
                .iter()
                .map(|i| format!("{} {}", sink_def.columns[*i].name, sink_def.columns[*i].data_type))
                .collect();
            self.errors.push(
                SqlError::new(
                    format!(
                        "the query produces {} column{} but sink `{}` takes {}: [{}]",
                        items.len(),
                        if items.len() == 1 { "" } else { "s" },
                        sink_def.name,
                        targets.len(),
                        names.join(", ")
                    ),
                    ins.select.span,
                )
                .with_hint("select one expression per sink column, in the sink's column order, or list the target columns"),
            );
            return;
        }

        let mut by_slot: Vec<Option<CompiledExpr>> = vec![None; sink_def.columns.len()];
        for (pos, ((e, span, _name), slot)) in items.into_iter().zip(&targets).enumerate() {
            let col = &sink_def.columns[*slot];
            if !is_null_literal(&e) && !cast::can_cast_implicit(&e.data_type().kind, &col.data_type.kind) {
                let mut err = SqlError::new(
                    format!(
                        "incompatible types for sink column `{}` at position {pos}: the query produces {}, the column is {}",
                        col.name,
                        e.data_type().clone().with_nullable(true),
                        col.data_type.clone().with_nullable(true)
                    ),
                    span,
                );
                err = err.with_hint(conversion_hint(e.data_type(), &col.data_type));
                self.errors.push(err);
                ok = false;
                continue;
            }
            if !col.data_type.nullable && !e.data_type().nullable && is_null_literal(&e) {
                self.errors.push(SqlError::new(
                    format!("column `{}` is NOT NULL but the query writes NULL", col.name),
                    span,
                ));
                ok = false;
                continue;
            }
            let coerced = if is_null_literal(&e) {
                coerce(e, &col.data_type)
            } else {
                e
            };
            by_slot[*slot] = Some(CompiledExpr::new(
                Node::SinkCast {
                    expr: Box::new(coerced),
                    column: col.name.clone(),
                },
                col.data_type.clone(),
            ));
        }
        // Unlisted persisted columns get NULL (refused for NOT NULL columns).
        for slot in &persisted {
            if by_slot[*slot].is_none() {
                let col = &sink_def.columns[*slot];
                if !col.data_type.nullable {
                    self.errors.push(SqlError::new(
                        format!(
                            "sink column `{}` is NOT NULL but the INSERT does not write it",
                            col.name
                        ),
                        st.span,
                    ));
                    ok = false;
                }
                by_slot[*slot] = Some(CompiledExpr::new(
                    Node::Literal(Value::Null),
                    col.data_type.clone().with_nullable(true),
                ));
            }
        }
        if !ok {
            return;
        }
        if src.is_changelog() && !options::accepts_changes(&sink_def) {
            self.errors.push(
                SqlError::new(
                    format!(
                        "Table sink `{}` doesn't support consuming update and delete changes which are produced by source `{}` (format '{}')",
                        sink_def.name,
                        src.name,
                        src.value_format().unwrap_or(src.connector())
                    ),
                    st.span,
                )
                .with_hint("write to an 'upsert-kafka' table with a PRIMARY KEY, or give the sink a changelog format such as 'debezium-json' / 'json-debezium-registry'"),
            );
            return;
        }
        let mut projection = Vec::new();
        let mut metadata = Vec::new();
        for (slot, e) in by_slot.into_iter().enumerate() {
            let Some(e) = e else { continue };
            match sink_def.columns[slot].kind {
                ColumnKind::Physical => projection.push(e),
                _ => metadata.push((slot, e)),
            }
        }
        self.statements.push((
            source,
            StatementPlan {
                index,
                sink,
                filter,
                projection,
                metadata,
                span: st.span,
                sql: st.sql.clone(),
            },
        ));
    }
}

fn conversion_hint(from: &DataType, to: &DataType) -> String {
    let to_s = to.clone().with_nullable(true).to_string();
    match (&from.kind, &to.kind) {
        (TypeKind::BigInt | TypeKind::Int, TypeKind::TimestampLtz(_)) => {
            "convert epoch numbers with TO_TIMESTAMP_LTZ(col, 3) (milliseconds) or TO_TIMESTAMP_LTZ(col, 0) (seconds); Debezium MicroTimestamp values are microseconds: TO_TIMESTAMP_LTZ(col / 1000, 3)".to_string()
        }
        (TypeKind::BigInt | TypeKind::Int, TypeKind::Timestamp(_)) => {
            "Flink does not turn numbers into TIMESTAMP implicitly; use TO_TIMESTAMP_LTZ(col, 3) and declare the column TIMESTAMP_LTZ(3)".to_string()
        }
        _ => match cast::check_explicit(&from.kind, &to.kind) {
            Ok(()) => format!("convert explicitly: CAST(… AS {to_s})"),
            Err(why) => why,
        },
    }
}
