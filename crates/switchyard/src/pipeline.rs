//! Loading a pipeline file for `run` and `explain`: parse, resolve the tables the script names but does
//! not create (Confluent Cloud style: a topic is a table, its columns from the latest `<topic>-value`
//! schema), and plan — every SQL error rendered with the file's line, column and a caret.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};
use switchyard_registry::RegistryClient;
use switchyard_sql::mapping::inferred_table;
use switchyard_sql::parse::{Statement, StatementKind};
use switchyard_sql::{Catalog, Plan, TableDef, plan};
use switchyard_sql::{Script, SqlError, parse_script};

use crate::output::with_hint;

/// A parsed and planned pipeline, with its source text for rendering.
#[derive(Debug)]
pub struct Loaded {
    /// The plan.
    pub plan: Plan,
    /// The pipeline's name (the file stem).
    pub name: String,
}

/// Tables inferred from the registry, by name.
#[derive(Debug, Default)]
struct RegistryCatalog {
    tables: HashMap<String, TableDef>,
}

impl Catalog for RegistryCatalog {
    fn table(&self, name: &str) -> Option<TableDef> {
        self.tables.get(name).cloned()
    }
}

fn render(errors: &[SqlError], source: &str, file: &str) -> anyhow::Error {
    let text: Vec<String> = errors.iter().map(|e| e.render(source, file)).collect();
    anyhow::Error::new(crate::output::Rendered(format!(
        "{}\n{} error{} in {file}",
        text.join("\n"),
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    )))
}

/// Read, parse, resolve and plan `path`.
pub async fn load(path: &Path, registry: Option<&RegistryClient>) -> Result<Loaded> {
    let source = std::fs::read_to_string(path).map_err(|e| {
        with_hint(
            format!("cannot read `{}`: {e}", path.display()),
            "pass the pipeline's .sql file",
        )
    })?;
    let file = path.display().to_string();
    let script = parse_script(&source).map_err(|errors| render(&errors, &source, &file))?;
    let catalog = resolve_missing(&script, registry).await?;
    let plan = plan(&script, &catalog).map_err(|errors| render(&errors, &source, &file))?;
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("pipeline")
        .to_string();
    Ok(Loaded { plan, name })
}

/// Tables named by INSERTs and FROMs that no CREATE TABLE defines, inferred from the registry.
async fn resolve_missing(script: &Script, registry: Option<&RegistryClient>) -> Result<RegistryCatalog> {
    let mut created = Vec::new();
    let mut used = Vec::new();
    fn walk(st: &Statement, created: &mut Vec<String>, used: &mut Vec<String>) {
        match &st.kind {
            StatementKind::CreateTable(t) => created.push(t.name.last().to_string()),
            StatementKind::Insert(i) => {
                used.push(i.sink.last().to_string());
                used.push(i.select.from.last().to_string());
            }
            StatementKind::StatementSet(inner) => inner.iter().for_each(|s| walk(s, created, used)),
            _ => {}
        }
    }
    for st in &script.statements {
        walk(st, &mut created, &mut used);
    }
    let mut catalog = RegistryCatalog::default();
    let Some(registry) = registry else {
        return Ok(catalog);
    };
    for name in used {
        if created.contains(&name) || catalog.tables.contains_key(&name) {
            continue;
        }
        let subject = format!("{name}-value");
        let Ok(latest) = registry.latest(&subject).await else {
            continue;
        };
        let schema: serde_json::Value = serde_json::from_str(&latest.schema)
            .with_context(|| format!("the latest schema of `{subject}` is not JSON"))?;
        let table = inferred_table(&name, &schema)
            .with_context(|| format!("inferring table `{name}` from `{subject}`"))?;
        catalog.tables.insert(name, table);
    }
    Ok(catalog)
}
