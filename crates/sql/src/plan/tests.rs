//! Planner tests: every scenario script plans; options, metadata, changelog and type checks; near-miss names.

use super::*;
use crate::parse::parse_script;
use crate::types::{TypeKind, Value};

const SCENARIOS: &[(&str, &str)] = &[
    (
        "01",
        include_str!("../../testdata/scenarios/01-user-json-over-jsonsr.sql"),
    ),
    (
        "02",
        include_str!("../../testdata/scenarios/02-healthy-json-registry.sql"),
    ),
    (
        "03",
        include_str!("../../testdata/scenarios/03-json-registry-over-envelope.sql"),
    ),
    (
        "04",
        include_str!("../../testdata/scenarios/04-timestamp3-over-microtimestamp.sql"),
    ),
    (
        "05",
        include_str!("../../testdata/scenarios/05-predicate-case.sql"),
    ),
    (
        "06",
        include_str!("../../testdata/scenarios/06-cc-create-table-new-topic.sql"),
    ),
    (
        "07",
        include_str!("../../testdata/scenarios/07-schema-id-missing.sql"),
    ),
    (
        "08",
        include_str!("../../testdata/scenarios/08-group-offsets-at-end.sql"),
    ),
];

fn plan_sql(sql: &str) -> Result<Plan, Vec<SqlError>> {
    let script = parse_script(sql).inspect_err(|e| {
        for x in e {
            eprintln!("{}", x.render(sql, "t.sql"));
        }
    })?;
    plan(&script, &EmptyCatalog)
}

fn plan_ok(sql: &str) -> Plan {
    match plan_sql(sql) {
        Ok(p) => p,
        Err(errs) => panic!(
            "{}",
            errs.iter().map(|e| e.render(sql, "t.sql")).collect::<String>()
        ),
    }
}

fn plan_err(sql: &str) -> Vec<SqlError> {
    match plan_sql(sql) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

fn s(x: &str) -> Value {
    Value::string(x)
}

/// A row of the business-events source table.
fn event(event_type: &str, op: &str, table: &str) -> Vec<Value> {
    vec![
        Value::BigInt(7),
        s("LoanCreated"),
        s(event_type),
        Value::BigInt(1_704_164_645_123_456),
        Value::BigInt(1_704_164_645_123_456),
        s(r#"{"loanId": "L-1001", "amount": 350000.00}"#),
        s(op),
        s(table),
        Value::BigInt(1_704_164_645_999),
    ]
}

const CTX: EvalContext = EvalContext { now_micros: 0 };

#[test]
fn every_scenario_parses_and_plans() {
    for (name, sql) in SCENARIOS {
        let plan = match plan_sql(sql) {
            Ok(p) => p,
            Err(errs) => panic!(
                "scenario {name}: {}",
                errs.iter().map(|e| e.render(sql, name)).collect::<String>()
            ),
        };
        assert_eq!(plan.tables.len(), 4, "scenario {name}");
        assert_eq!(
            plan.pipelines.len(),
            1,
            "scenario {name}: one source, one pipeline"
        );
        let p = &plan.pipelines[0];
        assert_eq!(plan.tables[p.source].name, "raw_business_events");
        let n = if *name == "06" { 3 } else { 4 };
        assert_eq!(p.statements.len(), n, "scenario {name}");
        for (i, st) in p.statements.iter().enumerate() {
            assert_eq!(st.index, i);
            assert!(st.sql.starts_with("INSERT INTO"), "{}", st.sql);
            let sink = &plan.tables[st.sink];
            assert_eq!(st.projection.len(), sink.physical_columns().count());
            for (e, (_, c)) in st.projection.iter().zip(sink.physical_columns()) {
                assert_eq!(e.data_type().kind, c.data_type.kind);
            }
        }
    }
}

#[test]
fn scenario_02_routes_and_converts_timestamps() {
    let plan = plan_ok(SCENARIOS[1].1);
    let p = &plan.pipelines[0];
    let loan = &p.statements[0];
    let row = event("loan", "c", "business_events");
    assert!(
        eval_filter(loan.filter.as_ref().unwrap(), &row, &CTX).unwrap(),
        "UPPER('loan') = 'LOAN'"
    );
    let out: Vec<Value> = loan
        .projection
        .iter()
        .map(|e| e.eval(&row, &CTX).unwrap())
        .collect();
    assert_eq!(out[3], Value::TimestampLtz(1_704_164_645_123_000));
    assert_eq!(
        loan.projection[3].to_sql(),
        "TO_TIMESTAMP_LTZ(created_date / 1000, 3)"
    );
    assert_eq!(
        loan.filter.as_ref().unwrap().to_sql(),
        "UPPER(event_type) = 'LOAN'"
    );
    assert_eq!(loan.filter.as_ref().unwrap().columns(), vec![2]);
    let audit = &p.statements[3];
    assert!(eval_filter(audit.filter.as_ref().unwrap(), &row, &CTX).unwrap());
    let row_d = event("LOAN", "d", "business_events");
    assert!(!eval_filter(audit.filter.as_ref().unwrap(), &row_d, &CTX).unwrap());
    let row_null = {
        let mut r = event("LOAN", "c", "x");
        r[7] = Value::Null;
        r
    };
    assert!(!eval_filter(audit.filter.as_ref().unwrap(), &row_null, &CTX).unwrap());
    assert_eq!(plan.settings.len(), 0);
}

#[test]
fn scenario_05_predicate_is_case_sensitive() {
    let plan = plan_ok(SCENARIOS[4].1);
    let loan = &plan.pipelines[0].statements[0];
    assert!(!eval_filter(loan.filter.as_ref().unwrap(), &event("LOAN", "c", "t"), &CTX).unwrap());
    assert!(eval_filter(loan.filter.as_ref().unwrap(), &event("Loan", "c", "t"), &CTX).unwrap());
}

#[test]
fn scenario_06_notes_distribution_and_uses_table_names_as_topics() {
    let plan = plan_ok(SCENARIOS[5].1);
    assert!(
        plan.notes
            .iter()
            .any(|n| n.message.contains("DISTRIBUTED BY HASH(id) INTO 6 BUCKETS")),
        "{:?}",
        plan.notes
    );
    let src = &plan.tables[plan.pipelines[0].source];
    assert_eq!(src.topic(), Some("raw_business_events"));
    assert_eq!(src.connector(), "confluent");
    assert!(!src.inferred);
}

#[test]
fn scenario_04_keeps_timestamp3() {
    let plan = plan_ok(SCENARIOS[3].1);
    let src = &plan.tables[plan.pipelines[0].source];
    assert_eq!(src.columns[3].data_type.kind, TypeKind::Timestamp(3));
}

#[test]
fn statements_reading_one_source_share_a_pipeline() {
    let sql = "CREATE TABLE a (x INT) WITH ('connector'='kafka','topic'='a','value.format'='json-registry');
        CREATE TABLE b (x INT) WITH ('connector'='kafka','topic'='b','value.format'='json-registry');
        CREATE TABLE c (x BIGINT) WITH ('connector'='kafka','topic'='c','value.format'='json-registry');
        INSERT INTO c SELECT x FROM a;
        INSERT INTO c SELECT x FROM b WHERE x > 1;
        INSERT INTO c SELECT x + 1 FROM a;";
    let plan = plan_ok(sql);
    assert_eq!(plan.pipelines.len(), 2);
    assert_eq!(
        plan.pipelines[0]
            .statements
            .iter()
            .map(|s| s.index)
            .collect::<Vec<_>>(),
        vec![0, 2]
    );
    assert_eq!(plan.pipelines[1].statements[0].index, 1);
    // INT widens into BIGINT implicitly.
    let e = &plan.pipelines[0].statements[0].projection[0];
    assert_eq!(e.eval(&[Value::Int(5)], &CTX).unwrap(), Value::BigInt(5));
    assert_eq!(e.to_sql(), "CAST(x AS BIGINT)");
}

#[test]
fn catalog_tables_are_used_and_marked_inferred() {
    struct Cat;
    impl Catalog for Cat {
        fn table(&self, name: &str) -> Option<TableDef> {
            (name == "orders").then(|| TableDef {
                name: "orders".into(),
                columns: vec![ColumnDef {
                    name: "id".into(),
                    data_type: DataType::nullable(TypeKind::BigInt),
                    kind: ColumnKind::Physical,
                }],
                options: [
                    ("connector".to_string(), "confluent".to_string()),
                    ("value.format".into(), "json-registry".into()),
                ]
                .into(),
                primary_key: None,
                span: None,
                inferred: false,
            })
        }
    }
    let sql =
        "CREATE TABLE big_orders (id BIGINT) WITH ('connector'='confluent','value.format'='json-registry');
        INSERT INTO big_orders SELECT id FROM orders WHERE id > 100;";
    let plan = plan(&parse_script(sql).unwrap(), &Cat).unwrap();
    let src = &plan.tables[plan.pipelines[0].source];
    assert!(src.inferred);
    assert_eq!(src.topic(), Some("orders"));
    let errs = super::plan(
        &parse_script(sql.replace("FROM orders", "FROM order").as_str()).unwrap(),
        &Cat,
    )
    .unwrap_err();
    assert_eq!(errs[0].message, "table `order` not found");
}

#[test]
fn metadata_and_computed_columns() {
    let sql = "CREATE TABLE src (
          id BIGINT,
          payload STRING,
          `offset` BIGINT METADATA VIRTUAL,
          ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
          tbl STRING METADATA FROM 'value.source.table' VIRTUAL,
          loan AS JSON_VALUE(payload, '$.loanId'),
          PRIMARY KEY (id) NOT ENFORCED,
          WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
        ) COMMENT 'cdc' WITH ('connector'='kafka','topic'='src','value.format'='json-debezium-registry','properties.group.id'='g');
        CREATE TABLE out (id BIGINT, loan STRING, `offset` BIGINT, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp')
          WITH ('connector'='kafka','topic'='out','value.format'='debezium-json');
        INSERT INTO out SELECT id, loan, `offset`, ts FROM src;";
    let plan = plan_ok(sql);
    let src = &plan.tables[0];
    assert!(
        !src.columns[0].data_type.nullable,
        "primary key columns are NOT NULL"
    );
    assert!(plan.notes.iter().any(|n| n.message.contains("WATERMARK")));
    let mut row = vec![
        Value::BigInt(1),
        s(r#"{"loanId":"L-1"}"#),
        Value::BigInt(42),
        Value::TimestampLtz(0),
        Value::Null,
        Value::Null,
    ];
    src.fill_computed(&mut row, &CTX).unwrap();
    assert_eq!(row[5], s("L-1"));
    let st = &plan.pipelines[0].statements[0];
    assert_eq!(st.projection.len(), 3);
    assert_eq!(st.metadata.len(), 1);
    assert_eq!(st.metadata[0].0, 3);
    assert_eq!(metadata_keys("kafka", "json-registry").len(), 7);
    assert!(metadata_keys("kafka", "debezium-json").contains(&"value.source.table"));
}

#[test]
fn invalid_metadata_keys_list_the_valid_ones() {
    let sql = "CREATE TABLE t (op_ts TIMESTAMP_LTZ(3) METADATA FROM 'ingestion-timestamp' VIRTUAL, x INT)
        WITH ('connector'='kafka','topic'='t','value.format'='debezium-json');";
    let errs = plan_err(sql);
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0]
            .message
            .contains("invalid metadata key 'ingestion-timestamp'"),
        "{}",
        errs[0].message
    );
    assert!(
        errs[0]
            .hint
            .as_ref()
            .unwrap()
            .contains("'value.ingestion-timestamp'")
    );
}

#[test]
fn option_validation() {
    let sql = "CREATE TABLE t (x INT) WITH ('connector'='kafka','topic'='t','value.format'='jsn',
        'scan.startup.mode'='earliest','error-handling.mode'='skip','scan.startup.mod'='x');";
    let errs = plan_err(sql);
    let msgs: Vec<&str> = errs.iter().map(|e| e.message.as_str()).collect();
    assert!(
        msgs.contains(&"invalid value 'jsn' for option 'value.format'"),
        "{msgs:?}"
    );
    assert!(
        msgs.contains(&"invalid value 'earliest' for option 'scan.startup.mode'"),
        "{msgs:?}"
    );
    assert!(
        msgs.contains(&"invalid value 'skip' for option 'error-handling.mode'"),
        "{msgs:?}"
    );
    let ok = "CREATE TABLE t (x INT) WITH ('connector'='kafka','topic'='t','value.format'='json-registry',
        'scan.startup.mode'='timestamp','scan.startup.timestamp-millis'='1700000000000','sink.partitioner'='fixed',
        'value.json-registry.subject-names'='a');";
    let plan = plan_ok(ok);
    assert_eq!(plan.notes.len(), 1);
    assert!(plan.notes[0].message.contains("'sink.partitioner'"));
    let bad_ts = "CREATE TABLE t (x INT) WITH ('connector'='kafka','topic'='t','value.format'='json','scan.startup.mode'='timestamp');";
    assert!(
        plan_err(bad_ts)[0]
            .message
            .contains("scan.startup.timestamp-millis")
    );
    let offsets = "CREATE TABLE t (x INT) WITH ('connector'='kafka','topic'='t','value.format'='json',
        'scan.startup.mode'='specific-offsets','scan.startup.specific-offsets'='partition:0,offset:42;partition:1,offset:300');";
    plan_ok(offsets);
    assert_eq!(
        options::parse_specific_offsets("partition:0,offset:42;partition:1,offset:300"),
        Some(vec![(0, 42), (1, 300)])
    );
    assert_eq!(options::parse_specific_offsets("0:42"), None);
}

#[test]
fn changelog_source_into_append_sink_is_refused() {
    let base = "CREATE TABLE src (id BIGINT, v STRING) WITH ('connector'='kafka','topic'='s','value.format'='json-debezium-registry');
        CREATE TABLE dst (id BIGINT, v STRING) WITH ('connector'='kafka','topic'='d','value.format'='json-registry');
        CREATE TABLE up (id BIGINT, v STRING, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector'='upsert-kafka','topic'='u','key.format'='json-registry','value.format'='json-registry');
        CREATE TABLE dbz (id BIGINT, v STRING) WITH ('connector'='kafka','topic'='z','value.format'='debezium-json');";
    let errs = plan_err(&format!("{base} INSERT INTO dst SELECT id, v FROM src;"));
    assert!(
        errs[0]
            .message
            .starts_with("Table sink `dst` doesn't support consuming update and delete changes"),
        "{}",
        errs[0].message
    );
    plan_ok(&format!(
        "{base} INSERT INTO up SELECT id, v FROM src; INSERT INTO dbz SELECT * FROM src;"
    ));
}

#[test]
fn sink_type_mismatches_are_refused_like_flink() {
    let base = "CREATE TABLE src (id BIGINT, created BIGINT, name STRING, price DECIMAL(10, 2)) WITH ('connector'='kafka','topic'='s','value.format'='json-registry');
        CREATE TABLE dst (id INT, created_at TIMESTAMP_LTZ(3)) WITH ('connector'='kafka','topic'='d','value.format'='json-registry');";
    let errs = plan_err(&format!("{base} INSERT INTO dst SELECT id, created FROM src;"));
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs[0]
            .message
            .contains("sink column `id` at position 0: the query produces BIGINT, the column is INT")
    );
    assert!(errs[1].hint.as_ref().unwrap().contains("TO_TIMESTAMP_LTZ"));
    let errs = plan_err(&format!("{base} INSERT INTO dst SELECT id FROM src;"));
    assert!(
        errs[0]
            .message
            .contains("the query produces 1 column but sink `dst` takes 2"),
        "{}",
        errs[0].message
    );
    // Explicit target columns; the rest are NULL.
    let plan = plan_ok(&format!(
        "{base} INSERT INTO dst (created_at) SELECT TO_TIMESTAMP_LTZ(created, 3) FROM src;"
    ));
    let st = &plan.pipelines[0].statements[0];
    let row = vec![Value::BigInt(1), Value::BigInt(1000), s("n"), Value::Null];
    assert_eq!(st.projection[0].eval(&row, &CTX).unwrap(), Value::Null);
    assert_eq!(
        st.projection[1].eval(&row, &CTX).unwrap(),
        Value::TimestampLtz(1_000_000)
    );
}

#[test]
fn not_null_sink_columns_are_enforced_at_runtime() {
    let sql = "CREATE TABLE src (id BIGINT, name STRING) WITH ('connector'='kafka','topic'='s','value.format'='json-registry');
        CREATE TABLE dst (id BIGINT, name STRING NOT NULL) WITH ('connector'='kafka','topic'='d','value.format'='json-registry');
        INSERT INTO dst SELECT id, name FROM src;";
    let plan = plan_ok(sql);
    let e = &plan.pipelines[0].statements[0].projection[1];
    assert_eq!(e.eval(&[Value::BigInt(1), s("x")], &CTX).unwrap(), s("x"));
    let err = e.eval(&[Value::BigInt(1), Value::Null], &CTX).unwrap_err();
    assert_eq!(
        err.message,
        "column `name` is NOT NULL, however, a null value is being written into it"
    );
}

#[test]
fn near_miss_columns_say_why() {
    let sql = "CREATE TABLE src (id BIGINT, __op STRING, Event_Type STRING) WITH ('connector'='kafka','topic'='s','value.format'='json-registry');
        CREATE TABLE dst (id BIGINT) WITH ('connector'='kafka','topic'='d','value.format'='json-registry');
        INSERT INTO dst SELECT id FROM src WHERE op = 'c';
        INSERT INTO dst SELECT id FROM src WHERE event_type = 'LOAN';
        INSERT INTO dst SELECT idd FROM src;";
    let errs = plan_err(sql);
    assert_eq!(errs.len(), 3, "all errors, not the first");
    assert_eq!(
        errs[0].message,
        "column `op` not found in table `src`, whose columns are: id, __op, Event_Type"
    );
    assert_eq!(
        errs[0].hint.as_deref(),
        Some("did you mean `__op`? It differs only by its `__` prefix")
    );
    assert!(
        errs[1]
            .hint
            .as_ref()
            .unwrap()
            .contains("`Event_Type`? It differs only in case")
    );
    assert_eq!(errs[2].hint.as_deref(), Some("did you mean `id`?"));
    assert_eq!(errs[0].span.line, 3);
    let rendered = errs[0].render(sql, "job.sql");
    assert_eq!(
        rendered,
        "error: column `op` not found in table `src`, whose columns are: id, __op, Event_Type\n \
         --> job.sql:3:50\n  |\n3 |         INSERT INTO dst SELECT id FROM src WHERE op = 'c';\n  |                                                  ^^\n  \
         = hint: did you mean `__op`? It differs only by its `__` prefix\n"
    );
}

#[test]
fn unknown_functions_and_refusals_at_plan_time() {
    let base = "CREATE TABLE src (id BIGINT, t STRING) WITH ('connector'='kafka','topic'='s','value.format'='json-registry');
        CREATE TABLE dst (id BIGINT) WITH ('connector'='kafka','topic'='d','value.format'='json-registry');";
    let errs = plan_err(&format!(
        "{base} INSERT INTO dst SELECT id FROM src WHERE UPPPER(t) = 'A';"
    ));
    assert_eq!(errs[0].message, "unknown function `UPPPER`");
    assert_eq!(errs[0].hint.as_deref(), Some("did you mean `UPPER`?"));
    let errs = plan_err(&format!("{base} INSERT INTO dst SELECT COUNT(*) FROM src;"));
    assert!(
        errs[0]
            .message
            .starts_with("the aggregate function COUNT (aggregation) is not supported by `switchyard run`")
    );
    assert_eq!(errs[0].hint.as_deref(), Some(crate::parse::FLINK_HINT));
    let errs = plan_err(&format!("{base} INSERT INTO dst SELECT MAX(id) FROM src;"));
    assert!(errs[0].message.contains("MAX"));
    let errs = plan_err(&format!(
        "{base} INSERT INTO dst SELECT id FROM src WHERE t + 1 > 2;"
    ));
    assert!(errs[0].message.contains("`+` needs numbers"));
    let errs = plan_err(&format!("{base} INSERT INTO dst SELECT id FROM src WHERE t;"));
    assert!(errs[0].message.contains("WHERE needs a BOOLEAN"));
    let errs = plan_err(&format!(
        "{base} INSERT INTO dst SELECT id FROM src WHERE id = 'abc';"
    ));
    assert!(
        errs[0].message.contains("cannot compare BIGINT with 'abc'"),
        "{}",
        errs[0].message
    );
    // A numeric string literal is coerced.
    let plan = plan_ok(&format!(
        "{base} INSERT INTO dst SELECT id FROM src WHERE id = '5';"
    ));
    let f = plan.pipelines[0].statements[0].filter.clone().unwrap();
    assert!(eval_filter(&f, &[Value::BigInt(5), Value::Null], &CTX).unwrap());
    let errs = plan_err(&format!("{base} INSERT INTO nowhere SELECT id FROM src;"));
    assert_eq!(errs[0].message, "table `nowhere` not found");
}

#[test]
fn set_statements_become_settings() {
    let sql = "SET 'pipeline.name' = 'routing'; SET 'table.local-time-zone' = 'UTC'; RESET 'table.local-time-zone';";
    let plan = plan_ok(sql);
    assert_eq!(
        plan.settings.get("pipeline.name").map(String::as_str),
        Some("routing")
    );
    assert_eq!(plan.settings.len(), 1);
}

#[test]
fn duplicate_tables_and_columns() {
    let sql = "CREATE TABLE t (x INT, x STRING) WITH ('connector'='kafka','topic'='t','value.format'='json');
        CREATE TABLE t (y INT) WITH ('connector'='kafka','topic'='t','value.format'='json');
        CREATE TABLE IF NOT EXISTS t (y INT) WITH ('connector'='kafka','topic'='t','value.format'='json');";
    let errs = plan_err(sql);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs[0].message.contains("declared twice"));
    assert!(errs[1].message.contains("created twice"));
}

#[test]
fn plans_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Plan>();
    assert_send_sync::<CompiledExpr>();
}

#[test]
fn read_only_metadata_in_a_sink_is_refused() {
    let sql = "CREATE TABLE src (id BIGINT) WITH ('connector'='kafka','topic'='s','value.format'='json-registry');
        CREATE TABLE dst (id BIGINT, `offset` BIGINT METADATA) WITH ('connector'='kafka','topic'='d','value.format'='json-registry');
        INSERT INTO dst SELECT id, id FROM src;";
    let errs = plan_err(sql);
    assert!(
        errs[0].message.contains("'offset' cannot be written"),
        "{}",
        errs[0].message
    );
    assert_eq!(
        errs[0].hint.as_deref(),
        Some("declare it METADATA … VIRTUAL (read-only)")
    );
}

#[test]
fn computed_columns_cannot_use_computed_columns_and_pk_must_exist() {
    let sql = "CREATE TABLE t (a STRING, b AS UPPER(a), c AS LOWER(b), PRIMARY KEY (nope) NOT ENFORCED)
        WITH ('connector'='kafka','topic'='t','value.format'='json');";
    let errs = plan_err(sql);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs[0]
            .message
            .contains("computed column `b` cannot be used in another computed column")
    );
    assert!(errs[1].message.contains("column `nope` not found"));
    let enforced = "CREATE TABLE t (a STRING, PRIMARY KEY (a)) WITH ('connector'='kafka','topic'='t','value.format'='json');";
    assert!(plan_err(enforced)[0].message.contains("ENFORCED"));
}
