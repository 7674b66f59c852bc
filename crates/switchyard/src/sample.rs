//! Realistic sample records for demos, tests and benchmarks, shaped like the topics of the user's pipeline:
//! Debezium PostgreSQL rows flattened by `ExtractNewRecordState` (`__op`, `__table`, `__ts_ms`, µs
//! `io.debezium.time.MicroTimestamp` timestamps, JSON `event_data`), or full Debezium envelopes — each
//! with the JSON Schema that Confluent's `JsonSchemaConverter` registers for it.
//!
//! Generation is deterministic for a given seed, so tests can rely on what comes out.

use serde_json::{Value, json};

/// Which sample to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SampleKind {
    /// Flattened `business_events` rows, as on the user's `raw-business-events` topic.
    BusinessEvents,
    /// Full Debezium envelopes for the same table.
    DebeziumEnvelope,
}

/// A splitmix64 generator: tiny, fast and reproducible; no need for cryptographic quality here.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded generator.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const EVENTS: [(&str, &str); 9] = [
    ("LoanCreated", "LOAN"),
    ("LoanFunded", "LOAN"),
    ("LoanModified", "LOAN"),
    ("PaymentReceived", "PAYMENT"),
    ("PaymentLate", "PAYMENT"),
    ("PaymentCured", "PAYMENT"),
    ("EscrowAnalysis", "ESCROW"),
    ("EscrowDisbursed", "ESCROW"),
    ("DocumentUploaded", "DOCUMENT"),
];
const PAYEES: [&str; 4] = ["County Tax", "Hazard Insurance", "HOA", "Flood Insurance"];
const NAMES: [&str; 6] = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken"];

/// µs since the epoch of 2024-03-01T00:00:00Z, the start of the sample timeline.
const BASE_MICROS: i64 = 1_709_251_200_000_000;

/// The row of `business_events` with id `id`.
fn row(rng: &mut Rng, id: i64) -> Value {
    let (name, ty) = EVENTS[rng.below(EVENTS.len() as u64) as usize];
    let created = BASE_MICROS + id * 60_000_000 + rng.below(60_000_000) as i64;
    let saved = (rng.below(3) > 0).then(|| created + rng.below(5_000_000) as i64);
    let loan = format!("L-{}", 1000 + rng.below(500));
    let data = match ty {
        "LOAN" => {
            json!({"loanId": loan, "amount": (rng.below(90) + 10) * 5000, "borrower": {"name": rng.pick(&NAMES)}})
        }
        "PAYMENT" => {
            json!({"loanId": loan, "amount": format!("{}.{:02}", 500 + rng.below(3000), rng.below(100)), "daysLate": rng.below(30)})
        }
        "ESCROW" => {
            json!({"loanId": loan, "payee": rng.pick(&PAYEES), "amount": format!("{}.{:02}", 100 + rng.below(5000), rng.below(100))})
        }
        _ => json!({"loanId": loan, "document": format!("doc-{}.pdf", rng.below(10_000))}),
    };
    // One record in twenty has no event_data, as nullable columns do in real tables.
    let data = (rng.below(20) > 0).then(|| data.to_string());
    json!({
        "id": id, "event_name": name, "event_type": ty, "created_date": created,
        "saved_date": saved, "event_data": data,
    })
}

fn op(rng: &mut Rng, i: u64) -> &'static str {
    if i < 3 {
        return "r";
    }
    match rng.below(10) {
        0..=6 => "c",
        7 | 8 => "u",
        _ => "d",
    }
}

/// `n` sample values of `kind` (keys are `{"id": …}`), with the value schema.
pub fn generate(kind: SampleKind, n: u64, seed: u64) -> Vec<(Value, Value)> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        let id = i as i64 + 1;
        let row = row(&mut rng, id);
        let op = op(&mut rng, i);
        let ts_ms = (BASE_MICROS / 1000) + id * 60_000 + 250;
        let value = match kind {
            SampleKind::BusinessEvents => {
                let mut flat = row;
                flat["__op"] = json!(op);
                flat["__table"] = json!("business_events");
                flat["__ts_ms"] = json!(ts_ms);
                flat
            }
            SampleKind::DebeziumEnvelope => {
                let (before, after) = match op {
                    "d" => (row, Value::Null),
                    _ => (Value::Null, row),
                };
                let snapshot = match i {
                    0 => "first",
                    1 => "true",
                    2 => "last",
                    _ => "false",
                };
                json!({
                    "before": before, "after": after,
                    "source": {
                        "version": "3.6.3.Final", "connector": "postgresql", "name": "pg1", "ts_ms": ts_ms - 50,
                        "snapshot": snapshot, "db": "postgres", "sequence": format!("[null,\"{}\"]", 22_951_288 + i * 96),
                        "ts_us": (ts_ms - 50) * 1000, "ts_ns": (ts_ms - 50) * 1_000_000, "schema": "public",
                        "table": "business_events", "txId": 770 + i, "lsn": 22_951_288 + i * 96, "xmin": null
                    },
                    "transaction": null, "op": op, "ts_ms": ts_ms, "ts_us": ts_ms * 1000, "ts_ns": ts_ms * 1_000_000
                })
            }
        };
        out.push((json!({"id": id}), value));
    }
    out
}

fn optional(schema: Value, index: usize) -> Value {
    json!({"oneOf": [{"type": "null"}, schema], "connect.index": index})
}

/// The row's columns as `JsonSchemaConverter` writes them (`timestamp(6)` → MicroTimestamp, `jsonb` → Json).
fn row_properties() -> serde_json::Map<String, Value> {
    let micros = json!({"type": "integer", "connect.type": "int64", "connect.version": 1, "title": "io.debezium.time.MicroTimestamp"});
    let mut p = serde_json::Map::new();
    p.insert(
        "id".into(),
        json!({"type": "integer", "connect.index": 0, "connect.type": "int64"}),
    );
    p.insert("event_name".into(), json!({"type": "string", "connect.index": 1}));
    p.insert("event_type".into(), json!({"type": "string", "connect.index": 2}));
    let mut created = micros.clone();
    created["connect.index"] = json!(3);
    p.insert("created_date".into(), created);
    p.insert("saved_date".into(), optional(micros, 4));
    p.insert(
        "event_data".into(),
        optional(
            json!({"type": "string", "connect.version": 1, "title": "io.debezium.data.Json"}),
            5,
        ),
    );
    p
}

/// The JSON Schema registered for the sample's values.
pub fn value_schema(kind: SampleKind) -> Value {
    match kind {
        SampleKind::BusinessEvents => {
            let mut p = row_properties();
            p.insert("__op".into(), optional(json!({"type": "string"}), 6));
            p.insert("__table".into(), optional(json!({"type": "string"}), 7));
            p.insert(
                "__ts_ms".into(),
                optional(json!({"type": "integer", "connect.type": "int64"}), 8),
            );
            json!({"type": "object", "title": "pg1.public.business_events.Value", "properties": p})
        }
        SampleKind::DebeziumEnvelope => {
            let value = json!({"type": "object", "title": "pg1.public.business_events.Value", "properties": row_properties()});
            let int64 = |i: usize| json!({"type": "integer", "connect.type": "int64", "connect.index": i});
            let text = |i: usize| json!({"type": "string", "connect.index": i});
            let opt_text = |i: usize| optional(json!({"type": "string"}), i);
            let opt_int64 = |i: usize| optional(json!({"type": "integer", "connect.type": "int64"}), i);
            let source = json!({"type": "object", "title": "io.debezium.connector.postgresql.Source", "connect.index": 2, "properties": {
                "version": text(0), "connector": text(1), "name": text(2), "ts_ms": int64(3),
                "snapshot": optional(json!({"type": "string", "title": "io.debezium.data.Enum", "connect.version": 1,
                    "connect.parameters": {"allowed": "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"}}), 4),
                "db": text(5), "sequence": opt_text(6), "ts_us": opt_int64(7), "ts_ns": opt_int64(8), "schema": text(9),
                "table": text(10), "txId": opt_int64(11), "lsn": opt_int64(12), "xmin": opt_int64(13)
            }});
            let before = optional(value.clone(), 0);
            json!({"type": "object", "title": "pg1.public.business_events.Envelope", "connect.version": 2, "properties": {
                "before": before, "after": optional(value, 1), "source": source,
                "transaction": optional(json!({"type": "object", "title": "event.block", "connect.version": 1, "properties": {
                    "id": text(0), "total_order": int64(1), "data_collection_order": int64(2)}}), 3),
                "op": text(4), "ts_ms": opt_int64(5), "ts_us": opt_int64(6), "ts_ns": opt_int64(7)
            }})
        }
    }
}

/// The key schema (`{"id": int64}`), as `JsonSchemaConverter` writes the primary key struct.
pub fn key_schema() -> Value {
    json!({"type": "object", "title": "pg1.public.business_events.Key", "properties": {
        "id": {"type": "integer", "connect.index": 0, "connect.type": "int64"}}})
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchyard_schema::JsonSchema;

    #[test]
    fn samples_match_their_schemas_and_are_deterministic() {
        for kind in [SampleKind::BusinessEvents, SampleKind::DebeziumEnvelope] {
            let schema = JsonSchema::parse(&value_schema(kind).to_string(), &[]).unwrap();
            let keys = JsonSchema::parse(&key_schema().to_string(), &[]).unwrap();
            let records = generate(kind, 200, 7);
            for (k, v) in &records {
                assert!(schema.validate(v).is_ok(), "{kind:?}: {v}");
                assert!(keys.validate(k).is_ok());
            }
            assert_eq!(records, generate(kind, 200, 7));
            assert_ne!(records, generate(kind, 200, 8));
        }
    }

    #[test]
    fn samples_sniff_as_their_shapes() {
        use switchyard_wire::{JsonShape, encode_json_sr, sniff};
        let (_, flat) = &generate(SampleKind::BusinessEvents, 1, 1)[0];
        let s = sniff(Some(&encode_json_sr(1, flat)), None);
        assert!(matches!(s.shape, Some(JsonShape::DebeziumFlattened { .. })));
        let (_, env) = &generate(SampleKind::DebeziumEnvelope, 1, 1)[0];
        let s = sniff(Some(&encode_json_sr(1, env)), None);
        assert!(matches!(s.shape, Some(JsonShape::DebeziumEnvelope { .. })));
    }
}
