//! The doctor reads records with its own lenient model (so that it can keep looking past the first
//! failure); `switchyard run` reads them with `switchyard_router::source::SourceDecoder`. This test holds
//! the two together on every shared incident: for each sampled record of each source table, the doctor's
//! verdict must be what the router's decoder does — the same failure code, or the same rows.
//!
//! The decoder takes a `RegistryClient`, so each incident's `registry/` is imported (IMPORT mode, same ids)
//! into Switchyard's embedded registry started in-process on 127.0.0.1:0.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use switchyard_doctor::context::{Context, Verdict};
use switchyard_doctor::{Incident, Registry};
use switchyard_registry::{Mode, RegisterRequest, RegistryClient, SchemaType, ServerConfig};
use switchyard_router::Failure;
use switchyard_router::source::{Headers, RecordView, Skip, SourceDecoder};
use switchyard_sql::EvalContext;

fn scenarios() -> Vec<PathBuf> {
    common::scenario_dirs()
}

async fn registry_for(reg: &Registry) -> (switchyard_registry::RunningServer, RegistryClient) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = switchyard_registry::start(listener, ServerConfig::default())
        .await
        .unwrap();
    let client = RegistryClient::from_url(&server.url()).unwrap();
    client.set_mode(None, Mode::Import, true).await.unwrap();
    for (subject, versions) in &reg.subjects {
        for v in versions {
            let ty = match v.schema_type() {
                "JSON" => SchemaType::Json,
                "PROTOBUF" => SchemaType::Protobuf,
                _ => SchemaType::Avro,
            };
            let mut req = RegisterRequest::new(v.schema.clone(), ty);
            req.id = Some(v.id as i32);
            req.version = Some(v.version);
            client.register(subject, &req).await.unwrap();
        }
    }
    client.set_mode(None, Mode::Readwrite, true).await.unwrap();
    (server, client)
}

#[tokio::test]
async fn doctor_verdicts_match_the_router_decoder() {
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for dir in scenarios() {
        let incident = Incident::load(&dir).unwrap();
        let cx = Context::build(&incident, None);
        let (_server, client) = registry_for(incident.registry.as_ref().unwrap()).await;
        for source in &cx.sources {
            let table = &cx.tables[source.table];
            let Ok(mut decoder) = SourceDecoder::new(table) else {
                continue;
            };
            for s in &source.samples {
                let r = s.record;
                let headers: Vec<(String, Option<Vec<u8>>)> = r
                    .headers
                    .iter()
                    .map(|h| (h.name.clone(), h.value.clone()))
                    .collect();
                let view = RecordView {
                    topic: &r.topic,
                    partition: r.partition,
                    offset: r.offset,
                    timestamp: r.timestamp,
                    key: r.key.as_deref(),
                    value: r.value.as_deref(),
                    headers: Headers::Slice(&headers),
                };
                let got = decoder
                    .decode(&view, Some(&client), &EvalContext::default())
                    .await;
                let expected_code = match &s.verdict {
                    Verdict::Framing => Some("FRAMING_MISMATCH"),
                    Verdict::SchemaNotFound(_) => Some("SCHEMA_NOT_FOUND"),
                    Verdict::EnvelopeUnderFlat | Verdict::FlatUnderDebezium => Some("ENVELOPE_MISMATCH"),
                    Verdict::Rows if !s.conversion_errors.is_empty() => Some("TYPE_MISMATCH"),
                    Verdict::Rows if !s.null_violations.is_empty() => Some("NULLABILITY"),
                    _ => None,
                };
                let what = format!(
                    "{} {}@{}",
                    dir.file_name().unwrap().to_string_lossy(),
                    r.topic,
                    r.offset
                );
                match (&got, expected_code, &s.verdict) {
                    (Err(Failure::Permanent(e)), Some(code), _) if e.code == code => {}
                    (Ok(d), None, Verdict::Tombstone) if d.skipped == Some(Skip::Tombstone) => {}
                    (Ok(d), None, Verdict::NullDocument) if d.skipped == Some(Skip::NullValue) => {}
                    (Ok(d), None, Verdict::Rows) => {
                        let rows: Vec<_> = d.rows.iter().map(|row| row.values.clone()).collect();
                        if rows != s.rows {
                            mismatches.push(format!(
                                "{what}: router rows {rows:?} vs doctor rows {:?}",
                                s.rows
                            ));
                        }
                    }
                    _ => mismatches.push(format!(
                        "{what}: doctor {:?} ({expected_code:?}) vs router {got:?}",
                        s.verdict
                    )),
                }
                compared += 1;
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(compared >= 60, "only {compared} records compared");
}
