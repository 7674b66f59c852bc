//! Which engine runs the job, and what each engine's connectors and formats can read.
//!
//! The same `CREATE TABLE` means different things on Confluent Cloud for Apache Flink (a table *is* its
//! topic, formats are the `*-registry` ones), on Apache Flink 2.x (`json` / `debezium-json`, no format reads
//! Confluent framing) and under `switchyard run` (`'connector'='kafka'` with the Confluent formats). The
//! SQL's header comment says where the job runs; without one, the connector and formats decide.

use serde::Serialize;
use switchyard_sql::plan::TableDef;

/// Where the job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    /// Confluent Cloud for Apache Flink.
    ConfluentCloud,
    /// Apache Flink 2.x with the Kafka SQL connector.
    ApacheFlink,
    /// `switchyard run`.
    Switchyard,
}

impl Engine {
    /// Every engine, in the order predictions are shown.
    pub const ALL: [Engine; 3] = [Engine::ConfluentCloud, Engine::ApacheFlink, Engine::Switchyard];

    /// A label for reports.
    pub fn label(&self) -> &'static str {
        match self {
            Engine::ConfluentCloud => "Confluent Cloud for Apache Flink",
            Engine::ApacheFlink => "Apache Flink 2.x",
            Engine::Switchyard => "switchyard run",
        }
    }

    /// The key used in JSON reports.
    pub fn key(&self) -> &'static str {
        match self {
            Engine::ConfluentCloud => "confluent-cloud",
            Engine::ApacheFlink => "apache-flink",
            Engine::Switchyard => "switchyard",
        }
    }

    /// Parses `confluent-cloud`, `apache-flink`, `switchyard`.
    pub fn parse(s: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.key() == s)
    }

    /// Whether the engine has the connector.
    pub fn has_connector(&self, connector: &str) -> bool {
        match self {
            Engine::ConfluentCloud => connector == "confluent",
            Engine::ApacheFlink => matches!(connector, "kafka" | "upsert-kafka"),
            Engine::Switchyard => matches!(connector, "kafka" | "upsert-kafka" | "confluent"),
        }
    }

    /// Whether the engine has the format.
    pub fn has_format(&self, format: &str) -> bool {
        match self {
            Engine::ConfluentCloud => matches!(
                format,
                "avro-registry"
                    | "json-registry"
                    | "proto-registry"
                    | "raw"
                    | "avro-debezium-registry"
                    | "json-debezium-registry"
                    | "proto-debezium-registry"
            ),
            Engine::ApacheFlink => matches!(
                format,
                "json"
                    | "debezium-json"
                    | "canal-json"
                    | "maxwell-json"
                    | "ogg-json"
                    | "avro"
                    | "avro-confluent"
                    | "debezium-avro-confluent"
                    | "protobuf"
                    | "csv"
                    | "raw"
            ),
            Engine::Switchyard => {
                matches!(
                    format,
                    "json-registry" | "json-debezium-registry" | "json" | "debezium-json" | "raw"
                )
            }
        }
    }
}

/// The engine the SQL's header comment names (the first one mentioned wins), else the one its tables
/// imply.
pub fn detect(sql: &str, tables: &[TableDef]) -> Engine {
    let header: Vec<String> = sql
        .lines()
        .map(str::trim)
        .take_while(|l| l.is_empty() || l.starts_with("--"))
        .map(|l| l.to_ascii_lowercase())
        .collect();
    let text = header.join("\n");
    // Specific phrases only: a header that merely mentions "Confluent Cloud" (say, the brokers) does not
    // make the job a Confluent Cloud Flink job. The earliest specific mention wins.
    const PHRASES: &[(&str, Engine)] = &[
        ("switchyard run", Engine::Switchyard),
        ("confluent cloud for apache flink", Engine::ConfluentCloud),
        ("confluent cloud flink", Engine::ConfluentCloud),
        ("confluent flink", Engine::ConfluentCloud),
        ("compute pool", Engine::ConfluentCloud),
        ("apache flink", Engine::ApacheFlink),
        ("pyflink", Engine::ApacheFlink),
        ("session cluster", Engine::ApacheFlink),
        ("flink-sql-connector-kafka", Engine::ApacheFlink),
        ("flink 1.", Engine::ApacheFlink),
        ("flink 2.", Engine::ApacheFlink),
    ];
    let best = PHRASES
        .iter()
        .filter_map(|(p, e)| text.find(p).map(|pos| (pos, *e)))
        // "confluent cloud for apache flink" contains "apache flink" later on: the earlier match wins.
        .min_by_key(|(pos, _)| *pos);
    if let Some((_, e)) = best {
        return e;
    }
    if text.contains("confluent cloud")
        && tables
            .iter()
            .all(|t| t.option("connector").is_none_or(|c| c == "confluent"))
    {
        return Engine::ConfluentCloud;
    }
    if tables.iter().any(|t| t.connector() == "confluent") {
        return Engine::ConfluentCloud;
    }
    let registry_formats = tables
        .iter()
        .any(|t| t.value_format().is_some_and(|f| f.ends_with("-registry")));
    if registry_formats {
        Engine::Switchyard
    } else {
        Engine::ApacheFlink
    }
}

/// How a format reads a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatKind {
    /// `json-registry`: framed JSON rows.
    JsonRegistry,
    /// `json-debezium-registry`: framed Debezium envelopes.
    DebeziumRegistry,
    /// `json`: bare JSON rows.
    Json,
    /// `debezium-json`: bare Debezium envelopes.
    DebeziumJson,
    /// Framed Avro or Protobuf formats.
    FramedBinary,
    /// Unframed Avro/Protobuf/CSV.
    OtherUnframed,
    /// `raw`.
    Raw,
}

impl FormatKind {
    /// The kind of a format name.
    pub fn of(format: &str) -> FormatKind {
        match format {
            "json-registry" => FormatKind::JsonRegistry,
            "json-debezium-registry" => FormatKind::DebeziumRegistry,
            "json" => FormatKind::Json,
            "debezium-json" => FormatKind::DebeziumJson,
            "avro-registry"
            | "proto-registry"
            | "avro-confluent"
            | "avro-debezium-registry"
            | "proto-debezium-registry"
            | "debezium-avro-confluent" => FormatKind::FramedBinary,
            "raw" => FormatKind::Raw,
            _ => FormatKind::OtherUnframed,
        }
    }

    /// Whether the format expects the Confluent frame.
    pub fn framed(&self) -> bool {
        matches!(
            self,
            FormatKind::JsonRegistry | FormatKind::DebeziumRegistry | FormatKind::FramedBinary
        )
    }

    /// Whether it reads Debezium envelopes.
    pub fn debezium(&self) -> bool {
        matches!(self, FormatKind::DebeziumRegistry | FormatKind::DebeziumJson)
    }

    /// Whether it reads JSON.
    pub fn json(&self) -> bool {
        matches!(
            self,
            FormatKind::JsonRegistry
                | FormatKind::DebeziumRegistry
                | FormatKind::Json
                | FormatKind::DebeziumJson
        )
    }
}

/// The table Apache Flink would run in place of one it cannot: Apache Flink has no `confluent` connector
/// and no Schema Registry JSON format, so someone moving the job there writes `'connector' = 'kafka'` and
/// the unframed format that reads the same rows (`json-registry` → `json`, `json-debezium-registry` →
/// `debezium-json`). `None` when the table already runs there as written, or has no such counterpart.
pub fn apache_flink_variant(connector: &str, format: &str) -> Option<(String, String)> {
    let engine = Engine::ApacheFlink;
    let native_connector = engine.has_connector(connector);
    let native_format = engine.has_format(format);
    if (native_connector && native_format) || (!native_connector && connector != "confluent") {
        return None;
    }
    let connector = if native_connector { connector } else { "kafka" };
    let format = if native_format {
        format
    } else {
        reframed(format).filter(|f| engine.has_format(f))?
    };
    Some((connector.to_string(), format.to_string()))
}

/// The format that reads the same rows as `format` but from the other framing (`json` ⇄ `json-registry`).
pub fn reframed(format: &str) -> Option<&'static str> {
    Some(match format {
        "json" => "json-registry",
        "debezium-json" => "json-debezium-registry",
        "json-registry" => "json",
        "json-debezium-registry" => "debezium-json",
        _ => return None,
    })
}

/// The format that reads the other shape (`json-registry` ⇄ `json-debezium-registry`).
pub fn reshaped(format: &str) -> Option<&'static str> {
    Some(match format {
        "json" => "debezium-json",
        "debezium-json" => "json",
        "json-registry" => "json-debezium-registry",
        "json-debezium-registry" => "json-registry",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apache_flink_variant_swaps_only_what_apache_flink_lacks() {
        let v = |c: &str, f: &str| apache_flink_variant(c, f);
        let pair = |c: &str, f: &str| Some((c.to_string(), f.to_string()));
        assert_eq!(v("kafka", "json-registry"), pair("kafka", "json"));
        assert_eq!(
            v("confluent", "json-debezium-registry"),
            pair("kafka", "debezium-json")
        );
        assert_eq!(v("confluent", "json"), pair("kafka", "json"));
        assert_eq!(v("upsert-kafka", "json-registry"), pair("upsert-kafka", "json"));
        // Runs there as written, or has no counterpart (Avro with a registry has its own format).
        assert_eq!(v("kafka", "debezium-json"), None);
        assert_eq!(v("kafka", "avro-registry"), None);
        assert_eq!(v("jdbc", "json-registry"), None);
    }

    #[test]
    fn header_phrases_decide_the_engine() {
        let e = |sql: &str| detect(sql, &[]);
        assert_eq!(
            e("-- Confluent Cloud for Apache Flink: pool lfcp-1\nCREATE"),
            Engine::ConfluentCloud
        );
        assert_eq!(
            e("-- Runs on the team's Apache Flink 2.1 session cluster\n"),
            Engine::ApacheFlink
        );
        assert_eq!(
            e("-- Deployed with `switchyard run job.sql`\n"),
            Engine::Switchyard
        );
        // Brokers on Confluent Cloud do not make the job a Confluent Cloud Flink job.
        assert_eq!(
            e("-- Reads the Confluent Cloud cluster; deployed with `switchyard run`.\n"),
            Engine::Switchyard
        );
        assert_eq!(
            e("CREATE TABLE t (a INT) WITH ('connector' = 'kafka');"),
            Engine::ApacheFlink
        );
    }
}
