//! Parser tests: every DDL form, statement sets, precedence, refusals with their spans, caret rendering.

use super::*;
use crate::types::{DataType, Field, MAX_LENGTH, TypeKind};

fn one_error(sql: &str) -> SqlError {
    match parse_script(sql) {
        Ok(s) => panic!("expected an error, parsed {s:?}"),
        Err(mut e) => {
            assert_eq!(e.len(), 1, "{e:?}");
            e.remove(0)
        }
    }
}

fn create(sql: &str) -> CreateTable {
    let script = parse_script(sql).unwrap_or_else(|e| panic!("{}", e[0].render(sql, "t.sql")));
    match script.statements.into_iter().next().map(|s| s.kind) {
        Some(StatementKind::CreateTable(ct)) => ct,
        other => panic!("{other:?}"),
    }
}

#[test]
fn create_table_with_every_flink_column_form() {
    let ct = create(
        "CREATE TABLE IF NOT EXISTS cat.db.`raw-business-events` (
            id BIGINT NOT NULL COMMENT 'the id',
            name VARCHAR(20), code CHAR(3), flag BOOLEAN, t TINYINT, s SMALLINT, i INTEGER, f FLOAT, d DOUBLE,
            amount DECIMAL(10, 2), n NUMERIC, day DATE, tm TIME(3), ts TIMESTAMP(3) WITHOUT TIME ZONE,
            ltz TIMESTAMP_LTZ(3), ltz2 TIMESTAMP(6) WITH LOCAL TIME ZONE, b BYTES, bin BINARY(4), vb VARBINARY(8),
            r ROW<a STRING, `b c` ARRAY<ARRAY<INT>>>, r2 ROW(x INT NOT NULL 'desc'), m MAP<STRING, INT>,
            ms MULTISET<STRING>,
            `offset` BIGINT METADATA VIRTUAL,
            ts_kafka TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
            upper_name AS UPPER(name) COMMENT 'computed',
            CONSTRAINT pk PRIMARY KEY (id) NOT ENFORCED,
            WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
        ) COMMENT 'events' DISTRIBUTED BY HASH(id) INTO 6 BUCKETS
        WITH ('connector' = 'kafka', 'topic' = 'raw-business-events');",
    );
    assert_eq!(ct.name.name(), "cat.db.raw-business-events");
    assert!(ct.if_not_exists);
    assert_eq!(ct.columns.len(), 26);
    let ty = |i: usize| match &ct.columns[i].kind {
        ColumnSpecKind::Physical(t) | ColumnSpecKind::Metadata { data_type: t, .. } => t.clone(),
        ColumnSpecKind::Computed(_) => panic!("computed"),
    };
    assert_eq!(ty(0), DataType::not_null(TypeKind::BigInt));
    assert_eq!(ct.columns[0].comment.as_deref(), Some("the id"));
    assert_eq!(ty(1).kind, TypeKind::Varchar(20));
    assert_eq!(ty(2).kind, TypeKind::Char(3));
    assert_eq!(
        ty(9).kind,
        TypeKind::Decimal {
            precision: 10,
            scale: 2
        }
    );
    assert_eq!(
        ty(10).kind,
        TypeKind::Decimal {
            precision: 10,
            scale: 0
        }
    );
    assert_eq!(ty(12).kind, TypeKind::Time(3));
    assert_eq!(ty(13).kind, TypeKind::Timestamp(3));
    assert_eq!(ty(14).kind, TypeKind::TimestampLtz(3));
    assert_eq!(ty(15).kind, TypeKind::TimestampLtz(6));
    assert_eq!(ty(16).kind, TypeKind::Varbinary(MAX_LENGTH));
    assert_eq!(ty(17).kind, TypeKind::Binary(4));
    assert_eq!(
        ty(19).kind,
        TypeKind::Row(vec![
            Field {
                name: "a".into(),
                data_type: DataType::string()
            },
            Field {
                name: "b c".into(),
                data_type: DataType::nullable(TypeKind::Array(Box::new(DataType::nullable(
                    TypeKind::Array(Box::new(DataType::nullable(TypeKind::Int)))
                ))))
            },
        ])
    );
    assert_eq!(ty(20).to_string(), "ROW<`x` INT NOT NULL>");
    assert_eq!(ty(21).to_string(), "MAP<STRING, INT>");
    assert_eq!(ty(22).to_string(), "MULTISET<STRING>");
    assert_eq!(
        ct.columns[23].kind,
        ColumnSpecKind::Metadata {
            data_type: DataType::nullable(TypeKind::BigInt),
            key: None,
            is_virtual: true
        }
    );
    assert!(
        matches!(&ct.columns[24].kind, ColumnSpecKind::Metadata { key: Some(k), is_virtual: false, .. } if k == "timestamp")
    );
    assert!(matches!(&ct.columns[25].kind, ColumnSpecKind::Computed(_)));
    assert_eq!(
        ct.primary_key
            .as_ref()
            .map(|p| (p.columns[0].value.as_str(), p.enforced)),
        Some(("id", false))
    );
    assert_eq!(ct.watermark.as_ref().map(|w| w.column.value.as_str()), Some("ts"));
    assert_eq!(ct.comment.as_deref(), Some("events"));
    assert_eq!(
        ct.distribution.as_ref().map(|d| d.0.as_str()),
        Some("DISTRIBUTED BY HASH(id) INTO 6 BUCKETS")
    );
    assert_eq!(ct.options.len(), 2);
    assert_eq!(ct.options[1].value, "raw-business-events");
}

#[test]
fn statement_sets_set_and_comments() {
    let sql = "-- header\nSET 'pipeline.name' = 'x';\n/* block\ncomment */\nEXECUTE STATEMENT SET\nBEGIN\n  INSERT INTO a SELECT x FROM b;\n  INSERT INTO c (x) SELECT x FROM b WHERE x IS NOT NULL;\nEND;\nBEGIN STATEMENT SET;\nINSERT INTO a SELECT * FROM b;\nEND;\nINSERT INTO a SELECT `__op` FROM `raw-business-events` r WHERE r.`__op` <> 'd'";
    let script = parse_script(sql).unwrap();
    assert_eq!(script.statements.len(), 4);
    assert_eq!(
        script.statements[0].kind,
        StatementKind::Set {
            key: "pipeline.name".into(),
            value: "x".into()
        }
    );
    let StatementKind::StatementSet(inner) = &script.statements[1].kind else {
        panic!()
    };
    assert_eq!(inner.len(), 2);
    assert_eq!(inner[1].span, Span::new(8, 3, 53));
    assert_eq!(
        inner[1].sql,
        "INSERT INTO c (x) SELECT x FROM b WHERE x IS NOT NULL"
    );
    assert_eq!(script.statements[1].span.line, 5);
    let StatementKind::StatementSet(inner) = &script.statements[2].kind else {
        panic!()
    };
    assert_eq!(inner.len(), 1);
    let StatementKind::Insert(ins) = &script.statements[3].kind else {
        panic!()
    };
    assert_eq!(ins.select.from.name(), "raw-business-events");
    assert_eq!(ins.select.alias.as_ref().map(|a| a.value.as_str()), Some("r"));
}

#[test]
fn expressions_parse_with_flink_precedence() {
    let sql = "INSERT INTO s SELECT a + b * c || d, NOT x = 1 AND y OR z, CAST(x AS DECIMAL(10, 2)), TRY_CAST(x AS INT),
        TRIM(LEADING '0' FROM s), SUBSTRING(s FROM 2 FOR 3), POSITION('a' IN s), CASE WHEN a THEN 1 ELSE 2 END,
        CASE k WHEN 1 THEN 'a' END, JSON_VALUE(d, '$.a' RETURNING INT DEFAULT 0 ON EMPTY NULL ON ERROR),
        JSON_QUERY(d, '$.a' WITH CONDITIONAL ARRAY WRAPPER EMPTY OBJECT ON EMPTY), JSON_EXISTS(d, '$.a' UNKNOWN ON ERROR),
        TIMESTAMP '2024-01-01 00:00:00', DATE '2024-01-01', r.f.g, arr[1], -5, x NOT BETWEEN 1 AND 2,
        s NOT LIKE 'a%' ESCAPE '\\', s SIMILAR TO 'a|b', x IS NOT DISTINCT FROM y, x IS NOT TRUE, CURRENT_TIMESTAMP,
        ARRAY[1, 2], ROW(1, 'a')
        FROM t WHERE x IN (1, 2) AND y NOT IN ('a')";
    let script = parse_script(sql).unwrap_or_else(|e| panic!("{}", e[0].render(sql, "t.sql")));
    let StatementKind::Insert(ins) = &script.statements[0].kind else {
        panic!()
    };
    assert_eq!(ins.select.items.len(), 25);
    let SelectItem::Expr { expr, .. } = &ins.select.items[0] else {
        panic!()
    };
    // `||` binds like `*`: a + ((b * c) || d)
    let ExprKind::Binary {
        op: BinaryOp::Plus,
        right,
        ..
    } = &expr.kind
    else {
        panic!("{expr:?}")
    };
    assert!(matches!(
        right.kind,
        ExprKind::Binary {
            op: BinaryOp::Concat,
            ..
        }
    ));
    let SelectItem::Expr { expr, .. } = &ins.select.items[1] else {
        panic!()
    };
    assert!(
        matches!(expr.kind, ExprKind::Binary { op: BinaryOp::Or, .. }),
        "{expr:?}"
    );
    let SelectItem::Expr { expr, .. } = &ins.select.items[16] else {
        panic!()
    };
    assert_eq!(expr.kind, ExprKind::Number("-5".into()));
}

#[test]
fn refusals_point_at_the_construct() {
    let cases: &[(&str, &str, Span)] = &[
        (
            "INSERT INTO s SELECT a FROM t JOIN u ON t.a = u.a",
            "JOIN",
            Span::new(1, 31, 4),
        ),
        (
            "INSERT INTO s SELECT a FROM t LEFT OUTER JOIN u ON t.a = u.a",
            "JOIN",
            Span::new(1, 31, 15),
        ),
        ("INSERT INTO s SELECT a FROM t, u", "a join", Span::new(1, 30, 1)),
        (
            "INSERT INTO s SELECT a, COUNT(*) FROM t GROUP BY a",
            "GROUP BY",
            Span::new(1, 41, 8),
        ),
        (
            "INSERT INTO s SELECT a FROM t ORDER BY a",
            "ORDER BY",
            Span::new(1, 31, 8),
        ),
        (
            "INSERT INTO s SELECT a FROM t LIMIT 5",
            "LIMIT",
            Span::new(1, 31, 5),
        ),
        (
            "INSERT INTO s SELECT a FROM t UNION ALL SELECT a FROM u",
            "UNION",
            Span::new(1, 31, 5),
        ),
        (
            "INSERT INTO s SELECT DISTINCT a FROM t",
            "SELECT DISTINCT",
            Span::new(1, 22, 8),
        ),
        (
            "INSERT INTO s SELECT a FROM (SELECT a FROM t)",
            "a subquery",
            Span::new(1, 29, 7),
        ),
        (
            "INSERT INTO s SELECT a FROM t WHERE a IN (SELECT b FROM u)",
            "a subquery",
            Span::new(1, 42, 7),
        ),
        (
            "INSERT INTO s SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE))",
            "the TUMBLE window",
            Span::new(1, 35, 6),
        ),
        (
            "INSERT INTO s SELECT ROW_NUMBER() OVER (ORDER BY a) FROM t",
            "OVER",
            Span::new(1, 22, 17),
        ),
        (
            "INSERT INTO s SELECT a FROM t MATCH_RECOGNIZE (PATTERN (A))",
            "MATCH_RECOGNIZE",
            Span::new(1, 31, 15),
        ),
        ("CREATE VIEW v AS SELECT 1", "CREATE VIEW", Span::new(1, 1, 11)),
        ("CREATE FUNCTION f AS 'x'", "CREATE FUNCTION", Span::new(1, 1, 15)),
    ];
    for (sql, what, span) in cases {
        let e = one_error(sql);
        assert!(e.message.starts_with(what), "{sql}: {}", e.message);
        assert!(
            e.message
                .ends_with("is not supported by `switchyard run`, which routes records one at a time"),
            "{}",
            e.message
        );
        assert_eq!(e.hint.as_deref(), Some(FLINK_HINT));
        assert_eq!(e.span, *span, "{sql}");
    }
}

#[test]
fn syntax_errors_render_with_carets_and_recover() {
    let sql = "CREATE TABLE t (\n  id BIGINT,\n  name STRNG\n) WITH ('connector' = 'kafka');\nINSERT INTO s SELECT a FROM t JOIN u ON a = b;\nINSERT INTO s SELECT a, FROM t;\n";
    let errs = parse_script(sql).unwrap_err();
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert_eq!(
        errs[0].render(sql, "pipeline.sql"),
        "error: unknown data type `STRNG`\n --> pipeline.sql:3:8\n  |\n3 |   name STRNG\n  |        ^^^^^\n  = hint: Flink's types are STRING, VARCHAR(n), CHAR(n), BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p, s), DATE, TIME(p), TIMESTAMP(p), TIMESTAMP_LTZ(p), BYTES, BINARY(n), VARBINARY(n), ARRAY<T>, MAP<K, V>, MULTISET<T>, ROW<name T, …>\n"
    );
    assert_eq!(
        errs[1].render(sql, "pipeline.sql"),
        "error: JOIN is not supported by `switchyard run`, which routes records one at a time\n --> pipeline.sql:5:31\n  |\n5 | INSERT INTO s SELECT a FROM t JOIN u ON a = b;\n  |                               ^^^^\n  = hint: run this part on Flink: `switchyard export flink pipeline.sql`\n"
    );
    assert_eq!(errs[2].message, "expected an expression, found `FROM`");
    assert_eq!(errs[2].span, Span::new(6, 25, 4));
}

#[test]
fn more_syntax_errors() {
    assert_eq!(
        one_error("INSERT INTO s SELECT a FROM t WHERE").message,
        "expected an expression, found the end of the input"
    );
    assert_eq!(
        one_error("CREATE TABLE t (x INT) WITH ('a' = )").message,
        "expected a string literal, found `)`"
    );
    assert_eq!(one_error("SELECT 1").span, Span::new(1, 1, 6));
    assert!(
        one_error("EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT x FROM b;")
            .message
            .contains("`END`")
    );
    assert!(
        one_error("CREATE TABLE t (ts TIMESTAMP(3) WITH TIME ZONE)")
            .message
            .contains("WITH TIME ZONE")
    );
    assert!(
        one_error("CREATE TABLE t (d DECIMAL(40, 2))")
            .message
            .contains("DECIMAL(40, 2)")
    );
    assert!(one_error("INSERT INTO s VALUES (1)").message.contains("VALUES"));
    assert!(
        one_error("DROP TABLE t")
            .message
            .starts_with("`DROP TABLE` is not supported by `switchyard run`")
    );
    assert_eq!(one_error("DROP TABLE t").span, Span::new(1, 1, 10));
    assert!(
        one_error("FROBNICATE")
            .message
            .starts_with("expected a statement")
    );
    // Errors in several statements are all reported.
    assert_eq!(
        parse_script("SELECT 1; SELECT 2; CREATE TABLE t (x INT);")
            .unwrap_err()
            .len(),
        2
    );
}

#[test]
fn table_hints_are_refused_and_inserts_flatten() {
    let e = one_error("INSERT INTO s SELECT a FROM t /*+ OPTIONS('scan.startup.mode'='latest-offset') */");
    assert!(e.message.contains("table hints"));
    assert_eq!(e.span.column, 31);
    let script = parse_script(
        "INSERT INTO a SELECT x FROM b; EXECUTE STATEMENT SET BEGIN INSERT INTO c SELECT x FROM b; INSERT INTO d SELECT x FROM b; END",
    )
    .unwrap();
    let sinks: Vec<String> = script.inserts().map(|(_, i)| i.sink.name()).collect();
    assert_eq!(sinks, vec!["a", "c", "d"]);
}

#[test]
fn odd_unicode_never_splits_a_character() {
    // Found by proptest: the tokenizer's column for a combining mark inside a quoted identifier.
    let sql = "\"\"r\"\u{f99}";
    if let Err(errs) = parse_script(sql) {
        for e in errs {
            let _ = e.render(sql, "x.sql");
        }
    }
}

#[test]
fn spans_count_characters_not_bytes() {
    let sql = "-- é ☃\nINSERT INTO s SELECT 'é☃', a FROM t JOIN u ON true";
    let e = one_error(sql);
    assert_eq!(e.span, Span::new(2, 37, 4));
    assert!(
        e.render(sql, "x.sql")
            .contains("\n  |                                     ^^^^\n")
    );
}

mod props {
    use proptest::prelude::*;

    use super::super::parse_script;

    const WORDS: &[&str] = &[
        "CREATE",
        "TABLE",
        "INSERT",
        "INTO",
        "SELECT",
        "FROM",
        "WHERE",
        "(",
        ")",
        ",",
        ";",
        "'x'",
        "`y`",
        "a",
        "1",
        "=",
        "AND",
        "OR",
        "NOT",
        "CASE",
        "WHEN",
        "THEN",
        "END",
        "ROW<",
        ">",
        "WITH",
        "METADATA",
        "EXECUTE",
        "STATEMENT",
        "SET",
        "BEGIN",
        "CAST",
        "AS",
        "INT",
        "JSON_VALUE",
        "IN",
        "IS",
        "NULL",
        "--c\n",
        "/*",
        "*/",
        "é",
        ".",
        "[",
        "]",
        "||",
        "-",
    ];

    proptest! {
        #[test]
        fn parsing_never_panics_and_spans_stay_in_the_text(words in prop::collection::vec(prop::sample::select(WORDS), 0..40)) {
            let sql = words.join(" ");
            match parse_script(&sql) {
                Ok(script) => {
                    for st in &script.statements {
                        prop_assert!(st.span.line >= 1 && st.span.line <= sql.lines().count().max(1));
                    }
                }
                Err(errs) => {
                    prop_assert!(!errs.is_empty());
                    for e in &errs {
                        prop_assert!(e.span.line >= 1 && e.span.column >= 1);
                        let rendered = e.render(&sql, "p.sql");
                        prop_assert!(rendered.starts_with("error: "));
                    }
                }
            }
        }

        #[test]
        fn arbitrary_text_never_panics(sql in "\\PC{0,80}") {
            let _ = parse_script(&sql);
        }
    }
}
