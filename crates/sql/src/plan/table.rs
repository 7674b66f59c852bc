//! The planner's state, `CREATE TABLE` → [`TableDef`], and table resolution (script tables, then the catalog).

use std::collections::BTreeMap;

use super::bind::Scope;
use super::{
    Catalog, ColumnDef, ColumnKind, Note, Plan, SourcePipeline, StatementPlan, TableDef, options, suggest,
};
use crate::error::{Span, SqlError};
use crate::eval::cast;
use crate::parse::{ColumnSpecKind, CreateTable, ObjectName};

pub(super) struct Planner<'a> {
    catalog: &'a dyn Catalog,
    pub tables: Vec<TableDef>,
    pub errors: Vec<SqlError>,
    pub notes: Vec<Note>,
    pub settings: BTreeMap<String, String>,
    pub statements: Vec<(usize, StatementPlan)>,
    pub insert_count: usize,
    /// Names of tables the catalog did not have (reported once).
    missing: Vec<String>,
}

impl<'a> Planner<'a> {
    pub fn new(catalog: &'a dyn Catalog) -> Self {
        Planner {
            catalog,
            tables: Vec::new(),
            errors: Vec::new(),
            notes: Vec::new(),
            settings: BTreeMap::new(),
            statements: Vec::new(),
            insert_count: 0,
            missing: Vec::new(),
        }
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.tables.iter().position(|t| t.name == name)
    }

    pub fn create_table(&mut self, ct: &CreateTable, span: Span) {
        let name = ct.name.name();
        if self.find(&name).is_some() {
            if ct.if_not_exists {
                self.notes.push(Note {
                    message: format!(
                        "table `{name}` already exists; CREATE TABLE IF NOT EXISTS keeps the first definition"
                    ),
                    span: Some(ct.name.span),
                });
            } else {
                self.errors.push(SqlError::new(
                    format!("table `{name}` is created twice"),
                    ct.name.span,
                ));
            }
            return;
        }
        let mut def = TableDef {
            name: name.clone(),
            columns: Vec::new(),
            options: ct
                .options
                .iter()
                .map(|o| (o.key.clone(), o.value.clone()))
                .collect(),
            primary_key: ct
                .primary_key
                .as_ref()
                .map(|pk| pk.columns.iter().map(|c| c.value.clone()).collect()),
            span: Some(span),
            inferred: false,
        };
        for (i, o) in ct.options.iter().enumerate() {
            if ct.options[..i].iter().any(|p| p.key == o.key) {
                self.errors.push(SqlError::new(
                    format!("option '{}' is set twice", o.key),
                    o.key_span,
                ));
            }
        }
        // Physical and metadata columns first, so computed columns can bind against them.
        for c in &ct.columns {
            if def.columns.iter().any(|d| d.name == c.name.value) {
                self.errors.push(SqlError::new(
                    format!("column `{}` is declared twice", c.name.value),
                    c.name.span,
                ));
            }
            let (data_type, kind) = match &c.kind {
                ColumnSpecKind::Physical(t) => (t.clone(), ColumnKind::Physical),
                ColumnSpecKind::Metadata {
                    data_type,
                    key,
                    is_virtual,
                } => (
                    data_type.clone(),
                    ColumnKind::Metadata {
                        key: key.clone().unwrap_or_else(|| c.name.value.clone()),
                        is_virtual: *is_virtual,
                    },
                ),
                // Placeholder until bound below.
                ColumnSpecKind::Computed(_) => (crate::types::DataType::string(), ColumnKind::Physical),
            };
            def.columns.push(ColumnDef {
                name: c.name.value.clone(),
                data_type,
                kind,
            });
        }
        // Computed columns.
        let mut computed = Vec::new();
        for (i, c) in ct.columns.iter().enumerate() {
            if let ColumnSpecKind::Computed(e) = &c.kind {
                let mut scope_def = def.clone();
                // Hide other computed columns from the scope by marking them computed (placeholders).
                for (j, sc) in ct.columns.iter().enumerate() {
                    if matches!(sc.kind, ColumnSpecKind::Computed(_)) {
                        scope_def.columns[j].kind = ColumnKind::Computed(crate::eval::CompiledExpr::literal(
                            crate::types::Value::Null,
                            crate::types::DataType::string(),
                        ));
                    }
                }
                let scope = Scope {
                    table: &scope_def,
                    qualifiers: vec![],
                    allow_computed: false,
                };
                match scope.bind(e) {
                    Ok(expr) => computed.push((i, expr)),
                    Err(err) => self.errors.push(err),
                }
            }
        }
        for (i, expr) in computed {
            def.columns[i].data_type = expr.data_type().clone();
            def.columns[i].kind = ColumnKind::Computed(expr);
        }
        // Primary key: columns exist, are physical, become NOT NULL; ENFORCED is refused as Flink does.
        if let Some(pk) = &ct.primary_key {
            if pk.enforced {
                self.errors.push(
                    SqlError::new(
                        "Flink doesn't support ENFORCED mode for PRIMARY KEY constraints",
                        pk.span,
                    )
                    .with_hint("write PRIMARY KEY (…) NOT ENFORCED"),
                );
            }
            for k in &pk.columns {
                match def.column_index(&k.value) {
                    Some(i) if matches!(def.columns[i].kind, ColumnKind::Physical) => {
                        def.columns[i].data_type.nullable = false;
                    }
                    Some(_) => self.errors.push(SqlError::new(
                        format!("primary key column `{}` must be a physical column", k.value),
                        k.span,
                    )),
                    None => {
                        let scope = Scope {
                            table: &def,
                            qualifiers: vec![],
                            allow_computed: true,
                        };
                        self.errors.push(scope.unknown_column(&k.value, k.span));
                    }
                }
            }
        }
        if let Some(wm) = &ct.watermark {
            if def.column_index(&wm.column.value).is_none() {
                let scope = Scope {
                    table: &def,
                    qualifiers: vec![],
                    allow_computed: true,
                };
                self.errors
                    .push(scope.unknown_column(&wm.column.value, wm.column.span));
            }
            self.notes.push(Note {
                message: format!(
                    "WATERMARK on `{name}` is accepted but unused: `switchyard run` routes records one at a time and does not track event time"
                ),
                span: Some(wm.span),
            });
        }
        if let Some((text, dspan)) = &ct.distribution {
            self.notes.push(Note {
                message: format!(
                    "`{text}` on `{name}` is accepted but unused: the topic's partitioning is left as it is"
                ),
                span: Some(*dspan),
            });
        }
        options::validate(ct, &def, &mut self.errors, &mut self.notes);
        self.check_metadata(ct, &def);
        self.tables.push(def);
    }

    fn check_metadata(&mut self, ct: &CreateTable, def: &TableDef) {
        let keys = options::metadata_keys(def.connector(), def.value_format().unwrap_or(""));
        for (c, spec) in def.columns.iter().zip(&ct.columns) {
            let ColumnKind::Metadata { key, .. } = &c.kind else {
                continue;
            };
            if !keys.contains(&key.as_str()) {
                self.errors.push(
                    SqlError::new(
                        format!(
                            "invalid metadata key '{key}' in column `{}` of table `{}`",
                            c.name, def.name
                        ),
                        spec.span,
                    )
                    .with_hint(format!(
                        "the '{}' connector with format '{}' supports: {}",
                        def.connector(),
                        def.value_format().unwrap_or("(none)"),
                        keys.iter()
                            .map(|k| format!("'{k}'"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
                continue;
            }
            if let Some(t) = options::metadata_type(key)
                && let Err(why) = cast::check_explicit(&t.kind, &c.data_type.kind)
            {
                self.errors.push(SqlError::new(
                    format!(
                        "metadata '{key}' is {}, which column `{}` ({}) cannot hold: {why}",
                        t, c.name, c.data_type
                    ),
                    spec.span,
                ));
            }
        }
    }

    /// Resolves a table reference: created tables, then the catalog (added to the plan as inferred).
    pub fn resolve(&mut self, name: &ObjectName) -> Option<usize> {
        let full = name.name();
        if let Some(i) = self.find(&full).or_else(|| self.find(name.last())) {
            return Some(i);
        }
        if let Some(mut t) = self.catalog.table(&full) {
            t.inferred = true;
            if let Some(i) = self.find(&t.name) {
                return Some(i);
            }
            self.tables.push(t);
            return Some(self.tables.len() - 1);
        }
        if !self.missing.contains(&full) {
            self.missing.push(full.clone());
            let names: Vec<&str> = self.tables.iter().map(|t| t.name.as_str()).collect();
            let mut err = SqlError::new(format!("table `{full}` not found"), name.span);
            if let Some(why) = names.iter().find_map(|n| suggest::near_miss(&full, n)) {
                err = err.with_hint(why);
            } else if let Some(best) = suggest::close(&full, names.iter().copied()).first() {
                err = err.with_hint(format!("did you mean `{best}`?"));
            } else {
                err = err.with_hint("create it with CREATE TABLE, or check the topic exists in the registry");
            }
            self.errors.push(err);
        }
        None
    }

    pub fn finish(mut self) -> Result<Plan, Vec<SqlError>> {
        if let Some(tz) = self.settings.get("table.local-time-zone")
            && !matches!(tz.as_str(), "UTC" | "Z" | "GMT" | "Etc/UTC")
        {
            self.notes.push(Note {
                message: format!(
                    "'table.local-time-zone' = '{tz}' is ignored: `switchyard run` evaluates in UTC (TIMESTAMP_LTZ values are instants either way)"
                ),
                span: None,
            });
        }
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        let mut pipelines: Vec<SourcePipeline> = Vec::new();
        for (source, st) in self.statements {
            match pipelines.iter_mut().find(|p| p.source == source) {
                Some(p) => p.statements.push(st),
                None => pipelines.push(SourcePipeline {
                    source,
                    statements: vec![st],
                }),
            }
        }
        Ok(Plan {
            tables: self.tables,
            pipelines,
            notes: self.notes,
            settings: self.settings,
        })
    }
}
