//! What a connector config says will land in its topic, predicted from the config alone: the value
//! encoding (converter class or Confluent Cloud `output.data.format`), the topic names (`topic.prefix` +
//! schema + table, then `RegexRouter` / `ByLogicalTableRouter`), whether rows are Debezium envelopes or
//! flattened by `ExtractNewRecordState` (with which added fields and which delete handling), and the
//! logical-type modes.
//!
//! The doctor compares this prediction with the table definition (what the SQL reads) and with the
//! evidence (what the bytes and the registry show), so a wrong converter or a forgotten SMT is named even
//! when no record was sampled.

use regex::Regex;

use crate::incident::ConnectorConfig;

/// How the connector encodes values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueEncoding {
    /// `JsonSchemaConverter` / `JSON_SR`: 0x00 + schema id + JSON.
    JsonSr,
    /// `JsonConverter` with `schemas.enable=true`: `{"schema":…,"payload":…}`, unframed.
    JsonWithSchema,
    /// `JsonConverter` with `schemas.enable=false` / `JSON`: bare JSON.
    JsonPlain,
    /// Confluent Avro (framed).
    Avro,
    /// Confluent Protobuf (framed).
    Protobuf,
    /// `StringConverter` and others.
    Other(String),
    /// Not set in the connector config (the Connect worker's default applies).
    Unknown,
}

impl ValueEncoding {
    /// A label for reports.
    pub fn label(&self) -> String {
        match self {
            ValueEncoding::JsonSr => "JSON_SR (0x00 + 4-byte schema id + JSON)".into(),
            ValueEncoding::JsonWithSchema => {
                "JSON with an embedded Connect schema ({\"schema\",\"payload\"}), unframed".into()
            }
            ValueEncoding::JsonPlain => "plain JSON, unframed".into(),
            ValueEncoding::Avro => "Confluent Avro (framed binary)".into(),
            ValueEncoding::Protobuf => "Confluent Protobuf (framed binary)".into(),
            ValueEncoding::Other(c) => format!("`{c}` output"),
            ValueEncoding::Unknown => {
                "unknown (no value converter in the config: the worker's default applies)".into()
            }
        }
    }

    /// Whether values carry the Confluent frame.
    pub fn framed(&self) -> Option<bool> {
        match self {
            ValueEncoding::JsonSr | ValueEncoding::Avro | ValueEncoding::Protobuf => Some(true),
            ValueEncoding::JsonWithSchema | ValueEncoding::JsonPlain => Some(false),
            _ => None,
        }
    }
}

/// `ExtractNewRecordState`, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unwrap {
    /// The transform's alias.
    pub alias: String,
    /// Fields added to the row, with their prefix (`__op`, `__table`, …).
    pub added_fields: Vec<String>,
    /// `add.fields` as configured (`op`, `source.ts_ms`), in order.
    pub fields: Vec<String>,
    /// The prefix (`add.fields.prefix`, default `__`).
    pub prefix: String,
    /// What a delete becomes: `tombstone` (a null value), `drop`, `rewrite`, `rewrite-with-tombstone`,
    /// `delete-to-tombstone`.
    pub delete_mode: String,
}

/// The prediction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prediction {
    /// The connector's name.
    pub name: Option<String>,
    /// `connector.class`.
    pub class: Option<String>,
    /// Whether this is a Confluent Cloud managed connector (flat config, `output.data.format`).
    pub managed: bool,
    /// The value encoding.
    pub encoding: ValueEncoding,
    /// The setting that decided the encoding (`value.converter=…`).
    pub encoding_setting: Option<(String, String)>,
    /// `topic.prefix` (or the older `database.server.name`): the first part of record names.
    pub topic_prefix: Option<String>,
    /// The captured tables (`schema.table`, from `table.include.list`), in order.
    pub tables: Vec<String>,
    /// The topics records land in (one per table when the list names them).
    pub topics: Vec<String>,
    /// How each topic name came about.
    pub topic_reasoning: Vec<String>,
    /// `ExtractNewRecordState`, when configured (or `after.state.only=true` on a managed connector).
    pub unwrap: Option<Unwrap>,
    /// `time.precision.mode`.
    pub time_precision_mode: String,
    /// `decimal.handling.mode`.
    pub decimal_handling_mode: String,
    /// The value converter's Schema Registry URL, if set.
    pub registry_url: Option<String>,
}

impl Prediction {
    /// Whether rows arrive as Debezium envelopes (no unwrap).
    pub fn envelope(&self) -> bool {
        self.unwrap.is_none()
    }

    /// Whether a setting makes the connector Debezium (vs. any other source).
    pub fn is_debezium(&self) -> bool {
        self.class
            .as_deref()
            .is_some_and(|c| c.contains("debezium") || c.contains("Cdc") || c.contains("CDC"))
    }
}

/// Predicts a connector's output from its config.
pub fn predict(c: &ConnectorConfig) -> Prediction {
    let managed = c.get("output.data.format").is_some() || c.get("kafka.api.key").is_some();
    let (encoding, encoding_setting) = encoding(c);
    let (topics, topic_reasoning) = topics(c);
    let unwrap = unwrap(c, managed);
    Prediction {
        name: c.name.clone().or_else(|| c.get("name").map(String::from)),
        class: c.get("connector.class").map(String::from),
        managed,
        encoding,
        encoding_setting,
        topic_prefix: c
            .get("topic.prefix")
            .or_else(|| c.get("database.server.name"))
            .map(String::from),
        tables: table_list(c),
        topics,
        topic_reasoning,
        unwrap,
        time_precision_mode: c.get("time.precision.mode").unwrap_or("adaptive").to_string(),
        decimal_handling_mode: c.get("decimal.handling.mode").unwrap_or("precise").to_string(),
        registry_url: c
            .get("value.converter.schema.registry.url")
            .or_else(|| c.get("schema.registry.url"))
            .map(String::from),
    }
}

fn encoding(c: &ConnectorConfig) -> (ValueEncoding, Option<(String, String)>) {
    if let Some(f) = c.get("output.data.format") {
        let e = match f.to_ascii_uppercase().as_str() {
            "JSON_SR" => ValueEncoding::JsonSr,
            "JSON" => ValueEncoding::JsonPlain,
            "AVRO" => ValueEncoding::Avro,
            "PROTOBUF" => ValueEncoding::Protobuf,
            other => ValueEncoding::Other(other.to_string()),
        };
        return (e, Some(("output.data.format".into(), f.into())));
    }
    let Some(class) = c.get("value.converter") else {
        return (ValueEncoding::Unknown, None);
    };
    let e = if class.ends_with("JsonSchemaConverter") {
        ValueEncoding::JsonSr
    } else if class.ends_with("connect.json.JsonConverter") || class.ends_with(".JsonConverter") {
        match c.get("value.converter.schemas.enable").map(str::trim) {
            Some(v) if v.eq_ignore_ascii_case("false") => ValueEncoding::JsonPlain,
            _ => ValueEncoding::JsonWithSchema,
        }
    } else if class.ends_with("AvroConverter") {
        ValueEncoding::Avro
    } else if class.ends_with("ProtobufConverter") {
        ValueEncoding::Protobuf
    } else {
        ValueEncoding::Other(class.rsplit('.').next().unwrap_or(class).to_string())
    };
    (e, Some(("value.converter".into(), class.into())))
}

/// The transforms, in order: (alias, type, settings prefix).
fn transforms(c: &ConnectorConfig) -> Vec<(String, String)> {
    c.get("transforms")
        .map(|t| {
            t.split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .filter_map(|a| {
                    c.get(&format!("transforms.{a}.type"))
                        .map(|ty| (a.to_string(), ty.to_string()))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn topics(c: &ConnectorConfig) -> (Vec<String>, Vec<String>) {
    let mut reasoning = Vec::new();
    let prefix = c.get("topic.prefix").or_else(|| c.get("database.server.name"));
    let tables = table_list(c);
    let mut topics: Vec<String> = match prefix {
        Some(p) => tables.iter().map(|t| format!("{p}.{t}")).collect(),
        None => Vec::new(),
    };
    if let (Some(p), false) = (prefix, topics.is_empty()) {
        reasoning.push(format!(
            "topic.prefix `{p}` + table.include.list → {}",
            quote_all(&topics)
        ));
    }
    if let Some(t) = c.get("kafka.topic").or_else(|| c.get("topic")) {
        topics = vec![t.to_string()];
        reasoning.push(format!("topic setting → `{t}`"));
    }
    for (alias, ty) in transforms(c) {
        let (regex_key, repl_key) = if ty.ends_with("RegexRouter") {
            ("regex", "replacement")
        } else if ty.ends_with("ByLogicalTableRouter") {
            ("topic.regex", "topic.replacement")
        } else {
            continue;
        };
        let (Some(re), Some(repl)) = (
            c.get(&format!("transforms.{alias}.{regex_key}")),
            c.get(&format!("transforms.{alias}.{repl_key}")),
        ) else {
            continue;
        };
        let Ok(regex) = Regex::new(&format!("^(?:{re})$")) else {
            reasoning.push(format!(
                "transform `{alias}`: regex `{re}` could not be evaluated"
            ));
            continue;
        };
        let repl = java_replacement(repl);
        for t in topics.iter_mut() {
            if regex.is_match(t) {
                let new = regex.replace(t, repl.as_str()).into_owned();
                reasoning.push(format!(
                    "transform `{alias}` ({}) renames `{t}` → `{new}`",
                    short(&ty)
                ));
                *t = new;
            }
        }
    }
    (topics, reasoning)
}

/// `table.include.list` (or `table.whitelist`) as `schema.table` names (regex escapes of the dot removed).
fn table_list(c: &ConnectorConfig) -> Vec<String> {
    c.get("table.include.list")
        .or_else(|| c.get("table.whitelist"))
        .map(|l| {
            l.split(',')
                .map(|t| t.trim().replace("\\.", "."))
                .filter(|t| !t.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Java's `$1` → the regex crate's `${1}` (so that `$1abc` is not read as a group named `1abc`).
fn java_replacement(r: &str) -> String {
    let mut out = String::new();
    let mut chars = r.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => {
                if let Some(n) = chars.next() {
                    if n == '$' {
                        out.push_str("$$");
                    } else {
                        out.push(n);
                    }
                }
            }
            '$' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    out.push_str("$$");
                } else {
                    out.push_str(&format!("${{{digits}}}"));
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn short(ty: &str) -> &str {
    ty.rsplit('.').next().unwrap_or(ty)
}

fn quote_all(items: &[String]) -> String {
    items
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn unwrap(c: &ConnectorConfig, managed: bool) -> Option<Unwrap> {
    for (alias, ty) in transforms(c) {
        if !ty.ends_with("ExtractNewRecordState") {
            continue;
        }
        let get = |k: &str| c.get(&format!("transforms.{alias}.{k}"));
        let prefix = get("add.fields.prefix").unwrap_or("__").to_string();
        let fields: Vec<String> = get("add.fields")
            .map(|f| {
                f.split(',')
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        let added_fields: Vec<String> = fields
            .iter()
            .map(|f| format!("{prefix}{}", f.replace('.', "_")))
            .collect();
        let delete_mode = match get("delete.tombstone.handling.mode") {
            Some(m) => m.to_string(),
            None => match (get("delete.handling.mode"), get("drop.tombstones")) {
                (Some("rewrite"), Some("false")) => "rewrite-with-tombstone".into(),
                (Some("rewrite"), _) => "rewrite".into(),
                (Some("drop"), _) => "drop".into(),
                _ => "tombstone".into(),
            },
        };
        let mut added_fields: Vec<String> = added_fields;
        if delete_mode.starts_with("rewrite") {
            added_fields.push(format!("{prefix}deleted"));
        }
        return Some(Unwrap {
            alias,
            added_fields,
            fields,
            prefix,
            delete_mode,
        });
    }
    if managed
        && c.get("after.state.only")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return Some(Unwrap {
            alias: "after.state.only".into(),
            added_fields: Vec::new(),
            fields: Vec::new(),
            prefix: "__".into(),
            delete_mode: "tombstone".into(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> ConnectorConfig {
        ConnectorConfig {
            name: None,
            config: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn regex_router_and_unwrap() {
        let c = config(&[
            (
                "connector.class",
                "io.debezium.connector.postgresql.PostgresConnector",
            ),
            ("topic.prefix", "pg1"),
            ("table.include.list", "public.business_events"),
            ("value.converter", "io.confluent.connect.json.JsonSchemaConverter"),
            ("transforms", "unwrap,route"),
            (
                "transforms.unwrap.type",
                "io.debezium.transforms.ExtractNewRecordState",
            ),
            ("transforms.unwrap.add.fields", "op,table,ts_ms"),
            (
                "transforms.route.type",
                "org.apache.kafka.connect.transforms.RegexRouter",
            ),
            ("transforms.route.regex", "pg1\\.public\\.(.*)"),
            ("transforms.route.replacement", "raw-$1"),
        ]);
        let p = predict(&c);
        assert_eq!(p.topics, ["raw-business_events"]);
        assert_eq!(p.encoding, ValueEncoding::JsonSr);
        let u = p.unwrap.unwrap();
        assert_eq!(u.added_fields, ["__op", "__table", "__ts_ms"]);
        assert_eq!(u.delete_mode, "tombstone");
    }

    #[test]
    fn json_converter_defaults_to_schemas() {
        let c = config(&[("value.converter", "org.apache.kafka.connect.json.JsonConverter")]);
        assert_eq!(predict(&c).encoding, ValueEncoding::JsonWithSchema);
        let c = config(&[
            ("value.converter", "org.apache.kafka.connect.json.JsonConverter"),
            ("value.converter.schemas.enable", "false"),
        ]);
        assert_eq!(predict(&c).encoding, ValueEncoding::JsonPlain);
        let c = config(&[
            ("output.data.format", "JSON_SR"),
            ("topic.prefix", "lending"),
            ("table.include.list", "public.t"),
        ]);
        let p = predict(&c);
        assert!(p.managed);
        assert_eq!(p.topics, ["lending.public.t"]);
    }
}
