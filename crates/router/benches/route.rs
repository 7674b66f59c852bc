//! The per-record core of `switchyard run` — frame check, schema lookup (cached), JSON parse, conversion to
//! a row, four statements' WHERE and SELECT, JSON_SR encoding of the outputs — on flattened Debezium
//! records of ~620 bytes and of ~1 KB (a longer `event_data`), each beside one plain `serde_json`
//! parse + serialize of the same records in the same run.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};
use switchyard_registry::{RegisterRequest, RegistryClient, SchemaType, ServerConfig};
use switchyard_router::sink::SinkEncoder;
use switchyard_router::source::{Headers, RecordView, SourceDecoder};
use switchyard_sql::{EmptyCatalog, EvalContext, eval_filter, parse_script, plan};
use switchyard_wire::encode_json_sr;

/// The allocator the `switchyard` binary uses, for both sides of the comparison.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SQL: &str = include_str!("../../../examples/business-events/pipeline.sql");

/// More of a loan application's `event_data`, for the ~1 KB records.
const MORE: &str = r#", "payments": [{"due": "2024-04-01", "principal": 512.33, "interest": 1604.17}, {"due": "2024-05-01", "principal": 514.68, "interest": 1601.82}, {"due": "2024-06-01", "principal": 517.04, "interest": 1599.46}], "officer": {"id": "LO-2231", "name": "Charles Babbage", "branch": "Marylebone"}"#;

fn record(i: i64, long: bool) -> Value {
    let types = ["LOAN", "PAYMENT", "ESCROW", "DOCUMENT"];
    let more = if long { MORE } else { "" };
    json!({
        "id": i, "event_name": "LoanApplicationSubmitted", "event_type": types[(i % 4) as usize],
        "created_date": 1_709_284_500_123_456i64 + i, "saved_date": 1_709_284_600_000_000i64 + i,
        "event_data": format!("{{\"loanId\": \"L-{i}\", \"amount\": 350000.00, \"borrower\": {{\"name\": \"Ada Lovelace\", \"city\": \"London\", \"email\": \"ada@example.com\"}}, \"property\": {{\"street\": \"12 Analytical Engine Way\", \"zip\": \"NW1 2DB\", \"value\": 725000}}, \"tags\": [\"new\", \"priority\", \"fixed-rate\", \"30y\"], \"notes\": \"Applicant requested a rate lock for 60 days; documents pending review by underwriting.\"{more}}}"),
        "__op": if i % 10 == 9 { "d" } else { "c" }, "__table": "business_events", "__ts_ms": 1_795_828_467_634i64 + i
    })
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (registry, _server) = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = switchyard_registry::start(
            listener,
            ServerConfig {
                data_dir: None,
                basic_auth: None,
                body_limit: 0,
            },
        )
        .await
        .unwrap();
        let client = RegistryClient::from_url(&format!("http://{}", server.local_addr())).unwrap();
        (client, server)
    });
    let schema = json!({"type": "object", "properties": {
        "id": {"type": "integer", "connect.type": "int64"}, "event_name": {"type": "string"}, "event_type": {"type": "string"},
        "created_date": {"type": "integer", "connect.type": "int64", "title": "io.debezium.time.MicroTimestamp"},
        "saved_date": {"oneOf": [{"type": "null"}, {"type": "integer", "connect.type": "int64", "title": "io.debezium.time.MicroTimestamp"}]},
        "event_data": {"oneOf": [{"type": "null"}, {"type": "string", "title": "io.debezium.data.Json"}]},
        "__op": {"type": "string"}, "__table": {"type": "string"}, "__ts_ms": {"type": "integer", "connect.type": "int64"}}});
    let id = rt
        .block_on(registry.register(
            "raw-business-events-value",
            &RegisterRequest::new(schema.to_string(), SchemaType::Json),
        ))
        .unwrap() as u32;
    let script = parse_script(SQL).unwrap();
    let plan = plan(&script, &EmptyCatalog).unwrap();
    let pipeline = &plan.pipelines[0];
    let mut decoder = SourceDecoder::new(&plan.tables[pipeline.source]).unwrap();
    let sinks: Vec<Arc<SinkEncoder>> = pipeline
        .statements
        .iter()
        .map(|s| {
            Arc::new(
                rt.block_on(SinkEncoder::build(&plan.tables[s.sink], Some(&registry)))
                    .unwrap(),
            )
        })
        .collect();
    let ctx = EvalContext { now_micros: 0 };
    let headers: Vec<(String, Option<Vec<u8>>)> = Vec::new();
    for (group, long) in [("route", false), ("route_1kb", true)] {
        let records: Vec<Vec<u8>> = (0..512).map(|i| encode_json_sr(id, &record(i, long))).collect();
        let total: usize = records.iter().map(Vec::len).sum();
        let mut g = c.benchmark_group(group);
        g.throughput(Throughput::Bytes(total as u64));
        g.bench_function("serde_json_parse_serialize_baseline", |b| {
            b.iter(|| {
                for r in &records {
                    let v: Value = serde_json::from_slice(&r[5..]).unwrap();
                    std::hint::black_box(serde_json::to_vec(&v).unwrap());
                }
            })
        });
        g.bench_function("decode_route_encode", |b| {
            let mut values = Vec::new();
            b.iter(|| {
                rt.block_on(async {
                    for (offset, r) in records.iter().enumerate() {
                        let view = RecordView {
                            topic: "raw-business-events",
                            partition: 0,
                            offset: offset as i64,
                            timestamp: None,
                            key: None,
                            value: Some(r),
                            headers: Headers::Slice(&headers),
                        };
                        let decoded = decoder.decode(&view, Some(&registry), &ctx).await.unwrap();
                        for row in &decoded.rows {
                            for (st, sink) in pipeline.statements.iter().zip(&sinks) {
                                if st
                                    .filter
                                    .as_ref()
                                    .is_none_or(|f| eval_filter(f, &row.values, &ctx).unwrap())
                                {
                                    // As `run` does: the projected row in a reused buffer.
                                    values.clear();
                                    values.extend(
                                        st.projection.iter().map(|p| p.eval(&row.values, &ctx).unwrap()),
                                    );
                                    std::hint::black_box(sink.encode(&values).unwrap());
                                }
                            }
                        }
                        // As `run` does: the next record is read into this one's row.
                        decoder.recycle(decoded);
                    }
                })
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
