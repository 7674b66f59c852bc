//! The shared view every check works from: the parsed and planned SQL, the engine, the connector
//! prediction, and for each source table its topic's records read the way the table's format reads them.
//!
//! Reading is done once here, leniently: a record that the format would reject is classified (framing,
//! converter, schema id, envelope) and, where its JSON is still reachable, turned into a best-effort row
//! (unconvertible columns become NULL) so that later checks — columns, types, predicates — can still say
//! what *else* is wrong, and checks never disagree about what a record is.

use std::collections::BTreeMap;

use serde_json::Value as Json;
use switchyard_sql::mapping::inferred_table;
pub use switchyard_sql::mapping::{after_schema, field_schema, is_envelope_schema, object_schema};
use switchyard_sql::parse::{Script, StatementKind};
use switchyard_sql::plan::{Catalog, ColumnDef, ColumnKind, Plan, TableDef};
use switchyard_sql::{CompiledExpr, DataType, SqlError, Value, parse_script, plan};
use switchyard_wire::{CaptureRecord, Sniffed};

use crate::compare::{Comparison, comparisons};
use crate::connector::{Prediction, predict};
use crate::engine::{Engine, FormatKind, detect};
use crate::incident::{Incident, Registry, SqlFile, TopicData};
use crate::read::Reader;

/// What the format makes of one record.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// A Kafka null value.
    Tombstone,
    /// A JSON `null` document (ExtractNewRecordState's delete in tombstone mode).
    NullDocument,
    /// Framed bytes under an unframed format, or unframed under a framed one.
    Framing,
    /// Framed, but not JSON (Avro/Protobuf) under a JSON format, or a non-JSON registered schema.
    Converter(String),
    /// The frame's schema id is not in the registry.
    SchemaNotFound(u32),
    /// Not JSON at all.
    Invalid(String),
    /// A Debezium envelope under a flat format.
    EnvelopeUnderFlat,
    /// A Kafka Connect `{"schema","payload"}` document under a format that does not expect it.
    ConnectEnvelope,
    /// A flat row under a Debezium format.
    FlatUnderDebezium,
    /// Readable: the row images.
    Rows,
}

/// One sampled record and what became of it.
#[derive(Debug, Clone)]
pub struct Sample<'a> {
    /// The record.
    pub record: &'a CaptureRecord,
    /// What the bytes are.
    pub sniffed: Sniffed,
    /// The writer schema id, when framed.
    pub schema_id: Option<u32>,
    /// The verdict under the table's format.
    pub verdict: Verdict,
    /// The row images (JSON objects) the format would read, best effort (also for envelope mismatches).
    pub images: Vec<Json>,
    /// Best-effort rows, one per image (source table column slots).
    pub rows: Vec<Vec<Value>>,
    /// Column conversion failures: (column, message).
    pub conversion_errors: Vec<(String, String)>,
    /// NOT NULL columns that got NULL.
    pub null_violations: Vec<String>,
}

/// A source table and its records.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    /// Index in [`Context::tables`].
    pub table: usize,
    /// Its topic.
    pub topic: Option<String>,
    /// Its value format.
    pub format: Option<String>,
    /// What the incident holds about the topic.
    pub data: Option<&'a TopicData>,
    /// The sampled records, read.
    pub samples: Vec<Sample<'a>>,
}

impl Source<'_> {
    /// The format's kind (`json-registry` when unset).
    pub fn kind(&self) -> FormatKind {
        FormatKind::of(self.format.as_deref().unwrap_or("json-registry"))
    }

    /// Samples with this verdict.
    pub fn count(&self, pred: impl Fn(&Verdict) -> bool) -> usize {
        self.samples.iter().filter(|s| pred(&s.verdict)).count()
    }

    /// Samples that carry data (not tombstones or null documents).
    pub fn data_samples(&self) -> impl Iterator<Item = &Sample<'_>> {
        self.samples
            .iter()
            .filter(|s| !matches!(s.verdict, Verdict::Tombstone | Verdict::NullDocument))
    }
}

/// A catalog of topics as Confluent Cloud sees them: every topic with a `<topic>-value` subject is a table.
#[derive(Debug)]
struct RegistryCatalog<'a> {
    registry: Option<&'a Registry>,
    topics: &'a BTreeMap<String, TopicData>,
}

impl Catalog for RegistryCatalog<'_> {
    fn table(&self, name: &str) -> Option<TableDef> {
        let topic = name.rsplit('.').next().unwrap_or(name).trim_matches('`');
        let registry = self.registry?;
        // The topic's `<topic>-value` subject; failing that, the schema its records name by id (registered
        // under another subject: SUBJECT_MISMATCH says so), so the table still resolves as it would once
        // the subject is fixed.
        let latest = registry.latest(&format!("{topic}-value")).or_else(|| {
            let records = self.topics.get(topic)?.records.as_ref()?;
            let id = records
                .iter()
                .filter_map(|r| r.value.as_deref())
                .find_map(|v| switchyard_wire::parse_frame(v).ok().and_then(|f| f.schema.id()))?;
            registry.by_id(id).first().map(|(_, v)| *v)
        })?;
        let schema = latest.json()?;
        inferred_table(topic, &schema).ok()
    }
}

/// Everything the checks share.
#[derive(Debug)]
pub struct Context<'a> {
    /// The incident.
    pub incident: &'a Incident,
    /// The SQL, when present.
    pub sql: Option<&'a SqlFile>,
    /// Where the job runs.
    pub engine: Engine,
    /// Whether `engine` came from the caller rather than the SQL.
    pub engine_forced: bool,
    /// The parsed script.
    pub script: Option<Script>,
    /// The plan, when the script plans.
    pub plan: Option<Plan>,
    /// Parse or plan errors.
    pub sql_errors: Vec<SqlError>,
    /// Tables (from the plan, or from the `CREATE TABLE`s when planning failed).
    pub tables: Vec<TableDef>,
    /// The connector prediction.
    pub prediction: Option<Prediction>,
    /// The predicted value schemas against the registered ones, per predicted topic.
    pub comparisons: Vec<(String, Comparison)>,
    /// Source tables and their records.
    pub sources: Vec<Source<'a>>,
    /// What could not be checked, and why.
    pub unchecked: Vec<String>,
}

impl<'a> Context<'a> {
    /// Builds the context: parse, plan, predict, read.
    pub fn build(incident: &'a Incident, engine: Option<Engine>) -> Context<'a> {
        let mut cx = Context {
            incident,
            sql: incident.sql.as_ref(),
            engine: engine.unwrap_or(Engine::Switchyard),
            engine_forced: engine.is_some(),
            script: None,
            plan: None,
            sql_errors: Vec::new(),
            tables: Vec::new(),
            prediction: incident.connector.as_ref().map(predict),
            comparisons: Vec::new(),
            sources: Vec::new(),
            unchecked: Vec::new(),
        };
        if let Some(p) = &cx.prediction {
            cx.comparisons = comparisons(incident, p);
        }
        if cx.prediction.is_none() {
            cx.unchecked.push("connector: no connector config, so its output (topic, converter, envelope) was not predicted".into());
        }
        if incident.registry.is_none() {
            cx.unchecked
                .push("registry: no registry content, so schema ids and subjects were not checked".into());
        }
        let Some(sql) = incident.sql.as_ref() else {
            cx.unchecked
                .push("sql: no SQL file, so no table, column or predicate was checked".into());
            return cx;
        };
        match parse_script(&sql.text) {
            Ok(script) => {
                let created = created_tables(&script);
                if engine.is_none() {
                    cx.engine = detect(&sql.text, &created);
                }
                let reg = RegistryCatalog {
                    registry: incident.registry.as_ref(),
                    topics: &incident.topics,
                };
                let empty = switchyard_sql::plan::EmptyCatalog;
                let catalog: &dyn Catalog = if cx.engine == Engine::ConfluentCloud {
                    &reg
                } else {
                    &empty
                };
                match plan(&script, catalog) {
                    Ok(p) => {
                        cx.tables = p.tables.clone();
                        cx.plan = Some(p);
                    }
                    Err(errors) => {
                        cx.sql_errors = errors;
                        cx.tables = created;
                    }
                }
                cx.script = Some(script);
            }
            Err(errors) => {
                cx.sql_errors = errors;
                if engine.is_none() {
                    cx.engine = detect(&sql.text, &[]);
                }
            }
        }
        cx.read_sources();
        cx
    }

    /// Indices of the tables statements read from.
    fn source_indices(&self) -> Vec<usize> {
        if let Some(p) = &self.plan {
            return p.pipelines.iter().map(|p| p.source).collect();
        }
        let mut names: Vec<String> = Vec::new();
        if let Some(script) = &self.script {
            for st in &script.statements {
                let inserts: Vec<&switchyard_sql::parse::Statement> = match &st.kind {
                    StatementKind::StatementSet(inner) => inner.iter().collect(),
                    _ => vec![st],
                };
                for ins in inserts {
                    if let StatementKind::Insert(i) = &ins.kind {
                        let n = i.select.from.name();
                        if !names.contains(&n) {
                            names.push(n);
                        }
                    }
                }
            }
        }
        let mut out: Vec<usize> = names
            .iter()
            .filter_map(|n| {
                self.tables
                    .iter()
                    .position(|t| &t.name == n || t.name.rsplit('.').next() == Some(n))
            })
            .collect();
        out.dedup();
        out
    }

    fn read_sources(&mut self) {
        for idx in self.source_indices() {
            let table = &self.tables[idx];
            let topic = table.topic().map(|t| t.trim_matches('`').to_string());
            let format = table
                .value_format()
                .map(String::from)
                .or_else(|| (table.connector() == "confluent").then(|| "json-registry".to_string()));
            let data = topic.as_ref().and_then(|t| self.incident.topics.get(t));
            if data.is_none_or(|d| d.records.is_none())
                && let Some(t) = &topic
            {
                self.unchecked.push(format!(
                    "topic `{t}`: no records captured, so framing, shape, columns and predicates of `{}` were not checked",
                    table.name
                ));
            }
            let mut source = Source {
                table: idx,
                topic,
                format,
                data,
                samples: Vec::new(),
            };
            if let Some(records) = data.and_then(|d| d.records.as_ref()) {
                let reader = Reader::new(table, source.kind(), self.incident.registry.as_ref());
                source.samples = records.iter().map(|r| reader.read(r)).collect();
            }
            self.sources.push(source);
        }
    }

    /// The SQL rendered at `span` with a caret, as evidence.
    pub fn render_span(&self, span: switchyard_sql::Span, message: &str) -> Option<String> {
        let sql = self.sql?;
        let rendered = SqlError::new(message, span).render(&sql.text, &sql.name);
        Some(rendered.trim_end().to_string())
    }

    /// The span of `needle` inside the text of the statement or table that starts at `start` (first match).
    pub fn find_span(&self, start: switchyard_sql::Span, needle: &str) -> Option<switchyard_sql::Span> {
        let sql = self.sql?;
        for (i, line) in sql.text.lines().enumerate().skip(start.line.saturating_sub(1)) {
            if let Some(pos) = line.find(needle) {
                let col = line[..pos].chars().count() + 1;
                return Some(switchyard_sql::Span::new(i + 1, col, needle.chars().count()));
            }
        }
        None
    }
}

fn created_tables(script: &Script) -> Vec<TableDef> {
    let mut out = Vec::new();
    for st in &script.statements {
        if let StatementKind::CreateTable(ct) = &st.kind {
            let columns = ct
                .columns
                .iter()
                .map(|c| {
                    use switchyard_sql::parse::ColumnSpecKind as K;
                    let (data_type, kind) = match &c.kind {
                        K::Physical(t) => (t.clone(), ColumnKind::Physical),
                        K::Metadata {
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
                        K::Computed(_) => (
                            DataType::string(),
                            ColumnKind::Computed(CompiledExpr::literal(Value::Null, DataType::string())),
                        ),
                    };
                    ColumnDef {
                        name: c.name.value.clone(),
                        data_type,
                        kind,
                    }
                })
                .collect();
            out.push(TableDef {
                name: ct.name.name(),
                columns,
                options: ct
                    .options
                    .iter()
                    .map(|o| (o.key.clone(), o.value.clone()))
                    .collect(),
                primary_key: ct
                    .primary_key
                    .as_ref()
                    .map(|pk| pk.columns.iter().map(|c| c.value.clone()).collect()),
                span: Some(st.span),
                inferred: false,
            });
        }
    }
    out
}
