//! `switchyard export flink`, judged by the engines themselves.
//!
//! * Apache Flink: the exported `flink.sql` of the bundled pipeline, every scenario pipeline and a Debezium
//!   envelope pipeline is planned by real Apache Flink 2.3 (PyFlink; only the connector options are swapped
//!   for the filesystem connector, since the wheels carry no Kafka connector), and each `bridge.sql` is
//!   accepted by `switchyard explain`. Then the bundled pipeline runs end to end on a real broker: `switchyard
//!   run` of the original on sampled JSON_SR records, the bridge, and Flink's run of `flink.sql` over the
//!   bridge's output must route the same number of rows to every sink.
//! * Confluent Cloud: the export parses and plans with our own parser, and every option is one Confluent
//!   documents.
#![allow(clippy::unwrap_used)]

mod common;
mod flink;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{bootstrap, registry, repo, switchyard, text, unique_topic};
use serde_json::Value;

/// The scenario pipelines and the bundled one.
fn pipelines() -> Vec<PathBuf> {
    let mut out = vec![repo().join("examples/business-events/pipeline.sql")];
    let dirs = common::scenario_dirs();
    for d in dirs {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "sql") && !p.to_string_lossy().ends_with(".fixed.sql") {
                out.push(p);
            }
        }
    }
    out
}

/// A Debezium-envelope pipeline: a changelog source feeding an upsert sink.
const ENVELOPE: &str = "-- Orders from Debezium envelopes (JSON_SR), routed by `switchyard run`.
CREATE TABLE orders (
  id BIGINT NOT NULL,
  customer STRING,
  amount DECIMAL(10, 2),
  paid BOOLEAN,
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'kafka',
  'topic' = 'pg1.public.orders',
  'properties.group.id' = 'orders-routing',
  'scan.startup.mode' = 'earliest-offset',
  'value.format' = 'json-debezium-registry'
);

CREATE TABLE big_orders (
  id BIGINT NOT NULL,
  customer STRING,
  amount DECIMAL(10, 2),
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'big-orders',
  'key.format' = 'json-registry',
  'value.format' = 'json-registry'
);

INSERT INTO big_orders SELECT id, customer, amount FROM orders WHERE amount > 10;
";

fn export(file: &Path, target: &str, out: &Path) -> BTreeMap<String, String> {
    let o = switchyard(
        &[
            "export",
            "flink",
            file.to_str().unwrap(),
            "--target",
            target,
            "-b",
            "broker:9092",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "export of {}: {}",
        file.display(),
        text(&o.stderr)
    );
    std::fs::read_dir(out)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

fn inserts(sql: &str) -> usize {
    sql.matches("INSERT INTO").count()
}

#[test]
fn apache_flink_export_is_planned_and_run_by_real_flink() {
    let Some(py) = flink::python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let envelope = dir.path().join("envelope.sql");
    std::fs::write(&envelope, ENVELOPE).unwrap();
    let mut files = pipelines();
    files.push(envelope);

    let mut cases = Vec::new();
    let mut expected_statements = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let out = dir.path().join(format!("export-{i}"));
        let exported = export(file, "apache-flink", &out);
        if exported.contains_key("bridge.sql") {
            let o = switchyard(&["explain", out.join("bridge.sql").to_str().unwrap()], None);
            assert_eq!(
                o.status.code(),
                Some(0),
                "bridge of {} rejected by `switchyard explain`: {}",
                file.display(),
                text(&o.stderr)
            );
        }
        let sql = &exported["flink.sql"];
        expected_statements.push(inserts(sql));
        cases.push(flink::case(&file.display().to_string(), sql, "explain", &[]));
    }
    // The control: the original pipeline (JSON_SR formats) must be refused by the same harness, or the
    // harness proves nothing.
    let original = std::fs::read_to_string(&files[0]).unwrap();
    cases.push(flink::case(
        "control: json-registry as written",
        &original,
        "explain",
        &[],
    ));

    // End to end: sampled JSON_SR records → `run` of the original, and → bridge → Flink.
    let e2e = EndToEnd::prepare(dir.path());
    cases.push(flink::case(
        "end to end over the bridge's output",
        &e2e.flink_sql,
        "count",
        &[(e2e.plain_topic.clone(), e2e.plain_file.clone())],
    ));

    let results = flink::run(&py, cases, dir.path());
    for (i, file) in files.iter().enumerate() {
        let r = &results[i];
        assert!(
            r["ddl_error"].is_null(),
            "{}: Flink refused a table: {}",
            file.display(),
            r["ddl_error"]
        );
        let statements = r["statements"].as_array().unwrap();
        assert_eq!(statements.len(), expected_statements[i], "{}", file.display());
        assert!(
            !statements.is_empty(),
            "{}: no statement was planned",
            file.display()
        );
        for s in statements {
            assert!(
                s["error"].is_null(),
                "{}: Flink refused\n{}\n{}",
                file.display(),
                s["sql"],
                s["error"]
            );
        }
    }
    let control = &results[files.len()];
    let refused = control["ddl_error"].as_str().unwrap_or_default().to_string()
        + &control["statements"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["error"].as_str())
            .collect::<String>();
    assert!(
        refused.contains("json-registry"),
        "the control was not refused: {control}"
    );

    let run = &results[files.len() + 1];
    assert!(run["ddl_error"].is_null(), "{run}");
    let mut flink_rows: BTreeMap<String, u64> = BTreeMap::new();
    let mut flink_ids: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for s in run["statements"].as_array().unwrap() {
        assert!(
            s["error"].is_null(),
            "Flink failed on the bridge's output: {}",
            s["error"]
        );
        let sink = s["sql"].as_str().unwrap().split('`').nth(1).unwrap().to_string();
        *flink_rows.entry(sink.clone()).or_default() += s["rows"].as_u64().unwrap();
        // Every sink's first column is the event id: [row kind, id, …].
        let ids = flink_ids.entry(sink).or_default();
        for row in s["values"].as_array().unwrap() {
            assert_eq!(row[0], "INSERT", "{row}");
            ids.push(row[1].as_str().unwrap().parse().unwrap());
        }
    }
    for ids in flink_ids.values_mut() {
        ids.sort_unstable();
    }
    eprintln!(
        "rows per sink, Flink over the bridge: {flink_rows:?}; switchyard run: {:?}",
        e2e.run_rows
    );
    assert_eq!(
        flink_rows, e2e.run_rows,
        "rows per sink: Flink over the bridge vs `switchyard run`"
    );
    assert!(flink_rows.values().all(|n| *n > 0), "{flink_rows:?}");
    assert_eq!(
        flink_ids, e2e.run_ids,
        "ids per sink: Flink over the bridge vs `switchyard run`"
    );
}

/// The bundled pipeline on a real broker and registry: `run` of the original, the bridge, and the Flink SQL
/// whose source topic is the bridge's output.
struct EndToEnd {
    flink_sql: String,
    plain_topic: String,
    plain_file: PathBuf,
    /// Records `run` wrote per sink table.
    run_rows: BTreeMap<String, u64>,
    /// The ids of those records (from their values), sorted.
    run_ids: BTreeMap<String, Vec<i64>>,
}

impl EndToEnd {
    fn prepare(dir: &Path) -> EndToEnd {
        let (b, r) = (bootstrap(), registry());
        let suffix = unique_topic("x");
        let mut sql = std::fs::read_to_string(repo().join("examples/business-events/pipeline.sql")).unwrap();
        let mut sinks = BTreeMap::new();
        for (table, t) in [
            ("", "raw-business-events-dlq"),
            ("", "raw-business-events"),
            ("loan_events", "loan-events"),
            ("servicing_events", "servicing-events"),
            ("business_events_audit", "business-events-audit"),
        ] {
            let renamed = format!("{t}-{suffix}");
            sql = sql.replace(&format!("'{t}'"), &format!("'{renamed}'"));
            if !table.is_empty() {
                sinks.insert(table.to_string(), renamed);
            }
        }
        sql = sql.replace("'business-events-routing'", &format!("'routing-{suffix}'"));
        let pipeline = dir.join("e2e.sql");
        std::fs::write(&pipeline, &sql).unwrap();
        let source = format!("raw-business-events-{suffix}");
        let ok = |o: std::process::Output, what: &str| {
            assert_eq!(o.status.code(), Some(0), "{what}: {}", text(&o.stderr));
            o
        };
        ok(
            switchyard(
                &[
                    "produce",
                    &source,
                    "--sample",
                    "business-events",
                    "300",
                    "--seed",
                    "11",
                    "-b",
                    &b,
                    "--registry",
                    &r,
                ],
                None,
            ),
            "produce",
        );
        let out = dir.join("e2e-export");
        let o = switchyard(
            &[
                "export",
                "flink",
                pipeline.to_str().unwrap(),
                "--target",
                "apache-flink",
                "-b",
                &b,
                "-o",
                out.to_str().unwrap(),
            ],
            None,
        );
        ok(o, "export");
        let run = |file: &Path| {
            ok(
                switchyard(
                    &[
                        "run",
                        file.to_str().unwrap(),
                        "-b",
                        &b,
                        "--registry",
                        &r,
                        "--until-end",
                    ],
                    None,
                ),
                "run",
            )
        };
        run(&pipeline);
        run(&out.join("bridge.sql"));
        let count = |topic: &str| -> Vec<Value> {
            let path = dir.join(format!("{topic}.jsonl"));
            ok(
                switchyard(&["tail", topic, "-b", &b, "--out", path.to_str().unwrap()], None),
                "tail",
            );
            std::fs::read_to_string(&path)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        };
        let mut run_rows = BTreeMap::new();
        let mut run_ids = BTreeMap::new();
        for (table, topic) in &sinks {
            let records = count(topic);
            run_rows.insert(table.clone(), records.len() as u64);
            let mut ids: Vec<i64> = records
                .iter()
                .map(|rec| {
                    use base64::Engine as _;
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(rec["value"].as_str().unwrap())
                        .unwrap();
                    let frame = switchyard_wire::parse_frame(&bytes).unwrap();
                    let v: Value = serde_json::from_slice(frame.payload).unwrap();
                    v["id"].as_i64().unwrap()
                })
                .collect();
            ids.sort_unstable();
            run_ids.insert(table.clone(), ids);
        }
        // The bridge's records, their values exactly as bytes, one per line (what the Kafka source hands
        // the `json` format).
        let plain_topic = format!("{source}.plain");
        let mut lines = Vec::new();
        for rec in count(&plain_topic) {
            use base64::Engine as _;
            let v = base64::engine::general_purpose::STANDARD
                .decode(rec["value"].as_str().unwrap())
                .unwrap();
            assert!(!v.contains(&b'\n'));
            lines.extend_from_slice(&v);
            lines.push(b'\n');
        }
        let plain_file = dir.join("plain.json");
        std::fs::write(&plain_file, lines).unwrap();
        EndToEnd {
            flink_sql: std::fs::read_to_string(out.join("flink.sql")).unwrap(),
            plain_topic,
            plain_file,
            run_rows,
            run_ids,
        }
    }
}

/// The options Confluent documents for Confluent Cloud for Apache Flink tables ("CREATE TABLE Statement in
/// Confluent Cloud for Apache Flink", WITH options:
/// https://docs.confluent.io/cloud/current/flink/reference/statements/create-table.html). Kept here, apart
/// from the exporter's own list, so the test checks the exporter rather than itself.
const CC_DOCUMENTED: &[&str] = &[
    "changelog.mode",
    "connector",
    "error-handling.log.target",
    "error-handling.mode",
    "kafka.cleanup-policy",
    "kafka.max-message-size",
    "kafka.retention.size",
    "kafka.retention.time",
    "key.fields-prefix",
    "key.format",
    "scan.bounded.mode",
    "scan.bounded.specific-offsets",
    "scan.bounded.timestamp-millis",
    "scan.startup.mode",
    "scan.startup.specific-offsets",
    "scan.startup.timestamp-millis",
    "value.fields-include",
    "value.format",
];

#[test]
fn confluent_cloud_export_parses_plans_and_uses_documented_options() {
    let dir = tempfile::tempdir().unwrap();
    let envelope = dir.path().join("envelope.sql");
    std::fs::write(&envelope, ENVELOPE).unwrap();
    let mut files = pipelines();
    files.push(envelope);
    let mut exported_any = 0;
    for (i, file) in files.iter().enumerate() {
        let original = std::fs::read_to_string(file).unwrap();
        // Plain `json` sources have no Confluent Cloud equivalent: the export must refuse them.
        if original.contains("'value.format' = 'json'") {
            let o = switchyard(
                &[
                    "export",
                    "flink",
                    file.to_str().unwrap(),
                    "--target",
                    "confluent-cloud",
                ],
                None,
            );
            assert_eq!(o.status.code(), Some(2), "{}", file.display());
            assert!(text(&o.stderr).contains("json-registry"), "{}", text(&o.stderr));
            continue;
        }
        let out = dir.path().join(format!("cc-{i}"));
        let sql = &export(file, "confluent-cloud", &out)["flink.sql"];
        let script =
            switchyard_sql::parse_script(sql).unwrap_or_else(|e| panic!("{}: {e:?}\n{sql}", file.display()));
        let plan = switchyard_sql::plan(&script, &switchyard_sql::EmptyCatalog)
            .unwrap_or_else(|e| panic!("{}: {e:?}\n{sql}", file.display()));
        for t in &plan.tables {
            assert_eq!(t.connector(), "confluent", "{}", t.name);
            assert!(t.option("topic").is_none(), "{}", t.name);
            for k in t.options.keys() {
                assert!(
                    CC_DOCUMENTED.contains(&k.as_str()),
                    "{}: option `{k}` is not documented by Confluent",
                    file.display()
                );
            }
            let f = t.value_format().unwrap();
            assert!(f == "json-registry" || f == "json-debezium-registry", "{f}");
        }
        // A Confluent Cloud table is named after its topic.
        let original_plan = switchyard_sql::plan(
            &switchyard_sql::parse_script(&original).unwrap(),
            &switchyard_sql::EmptyCatalog,
        )
        .unwrap();
        let topics: std::collections::BTreeSet<String> = original_plan
            .tables
            .iter()
            .filter(|t| !t.inferred)
            .map(|t| t.topic().unwrap().trim_matches('`').to_string())
            .collect();
        let names: std::collections::BTreeSet<String> = plan.tables.iter().map(|t| t.name.clone()).collect();
        assert_eq!(names, topics, "{}", file.display());
        assert_eq!(
            inserts(sql),
            plan.pipelines.iter().map(|p| p.statements.len()).sum::<usize>()
        );
        exported_any += 1;
    }
    assert!(exported_any >= 8);
}

#[test]
fn refuses_what_cannot_be_exported_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            ENVELOPE.replace(
                "amount DECIMAL(10, 2),\n  paid",
                "amount DECIMAL(10, 2),\n  changed TIMESTAMP(6),\n  paid",
            ),
            "apache-flink",
            "inside a Debezium envelope",
        ),
        (
            ENVELOPE.replace(
                "paid BOOLEAN,",
                "paid BOOLEAN,\n  off BIGINT METADATA FROM 'offset' VIRTUAL,",
            ),
            "apache-flink",
            "metadata column `off`",
        ),
    ];
    for (i, (sql, target, needle)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("refuse-{i}.sql"));
        std::fs::write(&file, sql).unwrap();
        let o = switchyard(
            &[
                "export",
                "flink",
                file.to_str().unwrap(),
                "--target",
                target,
                "-b",
                "k:9092",
            ],
            None,
        );
        assert_eq!(o.status.code(), Some(2), "case {i}: {}", text(&o.stdout));
        assert!(text(&o.stderr).contains(needle), "case {i}: {}", text(&o.stderr));
        assert!(
            o.stdout.is_empty(),
            "nothing is printed when the export is refused"
        );
    }
    // Apache Flink tables need brokers: from -b or the pipeline, never invented.
    let file = dir.path().join("no-brokers.sql");
    std::fs::write(&file, ENVELOPE).unwrap();
    let o = switchyard(
        &[
            "export",
            "flink",
            file.to_str().unwrap(),
            "--target",
            "apache-flink",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("bootstrap"), "{}", text(&o.stderr));
}
