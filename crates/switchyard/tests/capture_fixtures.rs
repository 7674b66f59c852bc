//! `switchyard capture` against real PostgreSQL and a real Kafka-protocol broker, compared record by
//! record — keys, values and Connect schemas — with what real Debezium 3.6.3 wrote for the same DDL and
//! DML (the stored fixtures in `shared/fixtures/debezium-3.6.3-postgres/`, SQL taken from their own
//! `scenario.py` / `capture.py`). Only run-dependent values (timestamps, LSNs, txIds, `sequence`,
//! `xmin`) are masked. The JSON_SR run is read back with Confluent's `JSONDeserializer` (schema
//! validation on), and its registered schemas are checked against `JsonSchemaConverter`'s rules
//! applied to Debezium's own Connect schemas.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod capture_support;
mod common;

use capture_support::{
    Capture, Pg, Rec, assert_same, business_fixture, capture_args, orders_fixture, read_topics, scenario,
    unique_prefix,
};
use serde_json::Value;

/// Run the business_events scenario through `switchyard capture EXTRA…` and read the topic back.
fn business_events(extra: &[&str], registry: Option<&str>) -> (Vec<Rec>, String) {
    let pg = Pg::start();
    let sc = scenario("visible");
    for s in &sc.setup {
        pg.sql(s);
    }
    let prefix = unique_prefix("cap");
    let mut cap = Capture::spawn(&capture_args(&pg, &prefix, "public.business_events", extra));
    cap.wait_for("capture: streaming from LSN", 60);
    for s in &sc.dml {
        pg.sql(s);
    }
    let stderr = cap.finish(90);
    let recs = read_topics(&[format!("{prefix}.public.business_events")], registry);
    (recs, prefix + "\n" + &stderr)
}

fn prefix_of(out: &str) -> &str {
    out.lines().next().unwrap_or_default()
}

#[test]
fn envelope_with_schemas_matches_debezium_v1() {
    let (recs, out) = business_events(&["--format", "json-schemas", "--stop-after-idle", "6"], None);
    assert_same(
        &recs,
        &business_fixture("v1-envelope-schemas.jsonl"),
        prefix_of(&out),
    );
}

#[test]
fn envelope_without_schemas_matches_debezium_v4() {
    let (recs, out) = business_events(&["--format", "json", "--stop-after-idle", "6"], None);
    assert_same(
        &recs,
        &business_fixture("v4-envelope-noschema.jsonl"),
        prefix_of(&out),
    );
}

#[test]
fn unwrap_default_matches_debezium_v2() {
    let args = [
        "--format",
        "json-schemas",
        "--unwrap",
        "--add-fields",
        "op,table,ts_ms",
        "--stop-after-idle",
        "4",
    ];
    let (recs, out) = business_events(&args, None);
    assert_same(
        &recs,
        &business_fixture("v2-unwrap-default.jsonl"),
        prefix_of(&out),
    );
}

#[test]
fn unwrap_rewrite_matches_debezium_v3() {
    let args = [
        "--format",
        "json-schemas",
        "--unwrap",
        "--add-fields",
        "op,table,ts_ms",
        "--delete-handling",
        "rewrite",
        "--stop-after-idle",
        "4",
    ];
    let (recs, out) = business_events(&args, None);
    assert_same(
        &recs,
        &business_fixture("v3-unwrap-rewrite.jsonl"),
        prefix_of(&out),
    );
}

#[test]
fn unwrap_without_schemas_matches_debezium_x5() {
    let args = [
        "--format",
        "json",
        "--unwrap",
        "--add-fields",
        "op,table,ts_ms",
        "--stop-after-idle",
        "4",
    ];
    let (recs, out) = business_events(&args, None);
    assert_same(
        &recs,
        &business_fixture("extra-v5-unwrap-default-noschema.jsonl"),
        prefix_of(&out),
    );
}

/// JSON_SR: payloads equal Debezium's, and the schemas registered under `<topic>-key`/`-value` are
/// what `JsonSchemaConverter` derives from Debezium's Connect schemas.
#[test]
fn json_sr_matches_debezium_payloads_and_registers_converter_schemas() {
    let registry = common::start_registry();
    let (recs, out) = business_events(
        &[
            "--format",
            "json-sr",
            "--registry",
            &registry,
            "--stop-after-idle",
            "4",
        ],
        Some(&registry),
    );
    let prefix = prefix_of(&out).to_string();
    let fixture = business_fixture("v1-envelope-schemas.jsonl");
    assert_eq!(recs.len(), fixture.len());
    // payloads: strip Debezium's {"schema","payload"} and compare with our framed JSON
    let payload_only: Vec<_> = fixture
        .iter()
        .map(|(t, k, v)| {
            let p = |s: &Option<String>| {
                s.as_ref()
                    .map(|s| serde_json::from_str::<Value>(s).unwrap()["payload"].to_string())
            };
            (t.clone(), p(k), p(v))
        })
        .collect();
    assert_same(&recs, &payload_only, &prefix);
    // schemas: fetch what we registered and compare with the converter's rules on Debezium's schema
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = switchyard_registry::RegistryClient::from_url(&registry).unwrap();
    for (r, (_, k, v)) in recs.iter().zip(&fixture) {
        for (id, fx) in [(r.key_schema_id, k), (r.value_schema_id, v)] {
            let (Some(id), Some(fx)) = (id, fx) else { continue };
            let connect = serde_json::from_str::<Value>(&fx.replace("pg1.", &format!("{prefix}."))).unwrap()
                ["schema"]
                .clone();
            let expected =
                switchyard_schema::json_schema_from_connect(&connect, &Default::default()).unwrap();
            let got = rt.block_on(client.get_schema_by_id(id as i32)).unwrap();
            let got: Value = serde_json::from_str(&got.schema).unwrap();
            assert_eq!(got, expected, "schema id {id}");
        }
    }
}

/// Two tables, REPLICA IDENTITY FULL and DEFAULT, numeric/bool/timestamp(6)/timestamptz/date/jsonb/uuid/bytea:
/// the root fixture set (`setup.sql` + the DML of its `capture.py`).
fn orders(extra: &[&str]) -> (Vec<Rec>, String) {
    let pg = Pg::start();
    pg.sql(&std::fs::read_to_string(capture_support::fixtures().join("setup.sql")).unwrap());
    let prefix = unique_prefix("ord");
    let mut cap = Capture::spawn(&capture_args(
        &pg,
        &prefix,
        "public.orders_full,public.orders_default",
        extra,
    ));
    cap.wait_for("capture: streaming from LSN", 60);
    for s in [
        "INSERT INTO orders_full VALUES (2,'bób ☃',0.05,false,'2024-12-31 23:59:59','2024-12-31 23:59:59Z','1970-01-01','[1,{\"x\":null}]',NULL,NULL)",
        "UPDATE orders_full SET amount=99.99, paid=true WHERE id=1",
        "DELETE FROM orders_full WHERE id=2",
        "UPDATE orders_default SET amount=1.00 WHERE id=1",
        "DELETE FROM orders_default WHERE id=1",
    ] {
        pg.sql(s);
    }
    let stderr = cap.finish(90);
    let topics = [
        format!("{prefix}.public.orders_full"),
        format!("{prefix}.public.orders_default"),
    ];
    (read_topics(&topics, None), prefix + "\n" + &stderr)
}

/// Order both sides by (topic, position within the topic): the fixture interleaves two topics.
fn by_topic<T: Clone>(v: &[T], topic: impl Fn(&T) -> String) -> Vec<T> {
    let mut v = v.to_vec();
    v.sort_by_key(&topic);
    v
}

#[test]
fn replica_identity_full_and_default_match_debezium() {
    let (recs, out) = orders(&["--format", "json-schemas", "--stop-after-idle", "6"]);
    let prefix = prefix_of(&out).to_string();
    let fixture = by_topic(&orders_fixture("events-schemas.jsonl"), |f| f.0.clone());
    let recs = by_topic(&recs, |r| r.topic.replace(&prefix, "pg1"));
    assert_same(&recs, &fixture, &prefix);
}

#[test]
fn decimal_string_without_schemas_matches_debezium() {
    let (recs, out) = orders(&[
        "--format",
        "json",
        "--decimal-handling-mode",
        "string",
        "--stop-after-idle",
        "4",
    ]);
    let prefix = prefix_of(&out).to_string();
    let fixture = by_topic(&orders_fixture("events-noschema.jsonl"), |f| f.0.clone());
    let recs = by_topic(&recs, |r| r.topic.replace(&prefix, "pg1"));
    assert_same(&recs, &fixture, &prefix);
}

/// JSON_SR with `--numeric-decimals` (`decimal.format=NUMERIC`): Confluent's validating
/// `JSONDeserializer` accepts every record (with the default base64 it rejects Decimal fields against
/// the `"type":"number"` the converter registers, as it would the real converter's), and the values
/// equal Debezium's once its decimal strings (`decimal.handling.mode=string` fixture) are compared as text.
#[test]
fn json_sr_numeric_decimals_pass_confluents_validating_deserializer() {
    let registry = common::start_registry();
    let (recs, out) = orders(&[
        "--format",
        "json-sr",
        "--registry",
        &registry,
        "--numeric-decimals",
        "--stop-after-idle",
        "6",
    ]);
    let prefix = prefix_of(&out).to_string();
    // read again, this time through the validating deserializer
    let topics = [
        format!("{prefix}.public.orders_full"),
        format!("{prefix}.public.orders_default"),
    ];
    let validated = read_topics(&topics, Some(&registry));
    assert_eq!(validated.len(), recs.len());
    fn amounts_as_text(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    if k == "amount" && x.is_number() {
                        *x = Value::String(x.to_string());
                    } else {
                        amounts_as_text(x);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(amounts_as_text),
            _ => {}
        }
    }
    let ours: Vec<Rec> = by_topic(&validated, |r| r.topic.replace(&prefix, "pg1"))
        .into_iter()
        .map(|mut r| {
            if let Some(v) = &r.value {
                let mut j: Value = serde_json::from_str(v).unwrap();
                amounts_as_text(&mut j);
                r.value = Some(j.to_string());
            }
            r
        })
        .collect();
    let fixture = by_topic(&orders_fixture("events-noschema.jsonl"), |f| f.0.clone());
    assert_same(&ours, &fixture, &prefix);
}
