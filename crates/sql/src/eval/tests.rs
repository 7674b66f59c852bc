//! Expression semantics, compiled against a test table and evaluated on rows.

use std::collections::BTreeMap;

use super::*;
use crate::plan::{ColumnDef, ColumnKind, TableDef, compile_expression};
use crate::types::{Field, MAX_LENGTH};

const CTX: EvalContext = EvalContext {
    now_micros: 1_704_164_645_123_456,
};

fn col(name: &str, kind: TypeKind) -> ColumnDef {
    ColumnDef {
        name: name.into(),
        data_type: DataType::nullable(kind),
        kind: ColumnKind::Physical,
    }
}

/// Columns: b BOOLEAN, n INT, big BIGINT, d DECIMAL(10,2), f DOUBLE, s STRING, j STRING, ts TIMESTAMP(3),
/// ltz TIMESTAMP_LTZ(3), dt DATE, r ROW<name STRING, age INT>, arr ARRAY<INT>, m MAP<STRING, INT>, nb BOOLEAN.
fn table() -> TableDef {
    TableDef {
        name: "t".into(),
        columns: vec![
            col("b", TypeKind::Boolean),
            col("n", TypeKind::Int),
            col("big", TypeKind::BigInt),
            col(
                "d",
                TypeKind::Decimal {
                    precision: 10,
                    scale: 2,
                },
            ),
            col("f", TypeKind::Double),
            col("s", TypeKind::Varchar(MAX_LENGTH)),
            col("j", TypeKind::Varchar(MAX_LENGTH)),
            col("ts", TypeKind::Timestamp(3)),
            col("ltz", TypeKind::TimestampLtz(3)),
            col("dt", TypeKind::Date),
            col(
                "r",
                TypeKind::Row(vec![
                    Field {
                        name: "name".into(),
                        data_type: DataType::string(),
                    },
                    Field {
                        name: "age".into(),
                        data_type: DataType::nullable(TypeKind::Int),
                    },
                ]),
            ),
            col(
                "arr",
                TypeKind::Array(Box::new(DataType::nullable(TypeKind::Int))),
            ),
            col(
                "m",
                TypeKind::Map(
                    Box::new(DataType::string()),
                    Box::new(DataType::nullable(TypeKind::Int)),
                ),
            ),
            col("nb", TypeKind::Boolean),
        ],
        options: BTreeMap::new(),
        primary_key: None,
        span: None,
        inferred: false,
    }
}

fn dec(s: &str) -> Value {
    Value::Decimal(s.parse().unwrap())
}

fn st(s: &str) -> Value {
    Value::string(s)
}

const EVENT: &str = r#"{"loanId": "L-1001", "amount": 350000.00, "term": 360, "active": true, "borrower": {"name": "Ada", "emails": ["a@x.io", "b@x.io"]}, "notes": null}"#;

fn row() -> Vec<Value> {
    vec![
        Value::Boolean(true),
        Value::Int(7),
        Value::BigInt(1_704_164_645_123_456),
        dec("12.50"),
        Value::Double(2.5),
        st("Hello World"),
        st(EVENT),
        Value::Timestamp(1_704_164_645_123_000),
        Value::TimestampLtz(1_704_164_645_123_000),
        Value::Date(19_724),
        Value::Row(Arc::from(vec![st("Ada"), Value::Int(36)])),
        Value::Array(Arc::from(vec![Value::Int(10), Value::Int(20)])),
        Value::Map(Arc::from(vec![(st("a"), Value::Int(1))])),
        Value::Null,
    ]
}

fn compile(sql: &str) -> CompiledExpr {
    match compile_expression(sql, &table()) {
        Ok(e) => e,
        Err(errs) => panic!("{}", errs[0].render(sql, "expr")),
    }
}

fn ev(sql: &str) -> Value {
    compile(sql)
        .eval(&row(), &CTX)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn ev_err(sql: &str) -> String {
    compile(sql).eval(&row(), &CTX).unwrap_err().message
}

fn plan_err(sql: &str) -> String {
    match compile_expression(sql, &table()) {
        Ok(e) => panic!("{sql} compiled to {}", e.to_sql()),
        Err(errs) => errs[0].message.clone(),
    }
}

fn tv(v: &str) -> Value {
    match v {
        "T" => Value::Boolean(true),
        "F" => Value::Boolean(false),
        _ => Value::Null,
    }
}

#[test]
fn three_valued_logic_truth_tables() {
    let vals = ["TRUE", "FALSE", "CAST(NULL AS BOOLEAN)"];
    let short = ["T", "F", "N"];
    // AND / OR rows: a × b.
    let and = ["TFN", "FFF", "NFN"];
    let or = ["TTT", "TFN", "TNN"];
    for (i, a) in vals.iter().enumerate() {
        for (k, b) in vals.iter().enumerate() {
            let want_and = &and[i][k..k + 1];
            let want_or = &or[i][k..k + 1];
            assert_eq!(
                ev(&format!("{a} AND {b}")),
                tv(want_and),
                "{} AND {}",
                short[i],
                short[k]
            );
            assert_eq!(
                ev(&format!("{a} OR {b}")),
                tv(want_or),
                "{} OR {}",
                short[i],
                short[k]
            );
        }
        assert_eq!(ev(&format!("NOT {a}")), tv(["F", "T", "N"][i]));
        assert_eq!(ev(&format!("{a} IS TRUE")), tv(["T", "F", "F"][i]));
        assert_eq!(ev(&format!("{a} IS NOT TRUE")), tv(["F", "T", "T"][i]));
        assert_eq!(ev(&format!("{a} IS FALSE")), tv(["F", "T", "F"][i]));
        assert_eq!(ev(&format!("{a} IS UNKNOWN")), tv(["F", "F", "T"][i]));
        assert_eq!(ev(&format!("{a} IS NULL")), tv(["F", "F", "T"][i]));
    }
    // Column-based NULLs behave the same.
    assert_eq!(ev("nb AND FALSE"), tv("F"));
    assert_eq!(ev("nb OR TRUE"), tv("T"));
    assert_eq!(ev("nb AND b"), Value::Null);
}

#[test]
fn where_keeps_a_row_only_when_true() {
    let r = row();
    for (sql, keep) in [
        ("b", true),
        ("NOT b", false),
        ("nb", false),
        ("NOT nb", false),
        ("n = 7", true),
        ("s = NULL", false),
        ("s <> NULL", false),
    ] {
        assert_eq!(eval_filter(&compile(sql), &r, &CTX).unwrap(), keep, "{sql}");
    }
}

#[test]
fn comparisons_and_null_propagation() {
    assert_eq!(ev("n = 7"), tv("T"));
    assert_eq!(ev("n <> 7"), tv("F"));
    assert_eq!(ev("n < 7.5"), tv("T"));
    assert_eq!(ev("big > n"), tv("T"));
    assert_eq!(ev("d = 12.5"), tv("T"));
    assert_eq!(ev("f >= 2.5"), tv("T"));
    assert_eq!(ev("s = 'Hello World'"), tv("T"));
    assert_eq!(ev("s < 'I'"), tv("T"));
    assert_eq!(ev("n = NULL"), Value::Null);
    assert_eq!(ev("NULL = NULL"), Value::Null);
    assert_eq!(ev("n IS DISTINCT FROM NULL"), tv("T"));
    assert_eq!(ev("NULL IS NOT DISTINCT FROM NULL"), tv("T"));
    assert_eq!(ev("ts = TIMESTAMP '2024-01-02 03:04:05.123'"), tv("T"));
    assert_eq!(ev("ts > '2024-01-01 00:00:00'"), tv("T"));
    assert_eq!(ev("dt = DATE '2024-01-02'"), tv("T"));
    assert_eq!(ev("n = '7'"), tv("T"));
    assert!(plan_err("n = 'seven'").contains("cannot compare INT with 'seven'"));
    assert!(plan_err("s = n").contains("cannot apply `=` to STRING and INT"));
    assert!(plan_err("b = 1").contains("cannot apply"));
}

#[test]
fn in_between_like() {
    assert_eq!(ev("n IN (1, 7)"), tv("T"));
    assert_eq!(ev("n IN (1, 2)"), tv("F"));
    assert_eq!(ev("n IN (1, NULL)"), Value::Null);
    assert_eq!(ev("n IN (7, NULL)"), tv("T"));
    assert_eq!(ev("n NOT IN (1, NULL)"), Value::Null);
    assert_eq!(ev("n NOT IN (1, 2)"), tv("T"));
    assert_eq!(ev("nb IN (TRUE)"), Value::Null);
    assert_eq!(ev("n BETWEEN 1 AND 7"), tv("T"));
    assert_eq!(ev("n BETWEEN 8 AND 1"), tv("F"));
    assert_eq!(ev("n BETWEEN SYMMETRIC 8 AND 1"), tv("T"));
    assert_eq!(ev("n NOT BETWEEN 1 AND 5"), tv("T"));
    assert_eq!(ev("n BETWEEN NULL AND 5"), tv("F"), "FALSE AND UNKNOWN is FALSE");
    assert_eq!(ev("n BETWEEN NULL AND 9"), Value::Null);
    assert_eq!(ev("s LIKE 'Hello%'"), tv("T"));
    assert_eq!(ev("s LIKE 'hello%'"), tv("F"));
    assert_eq!(ev("s LIKE '_ello W_rld'"), tv("T"));
    assert_eq!(ev("s NOT LIKE '%x%'"), tv("T"));
    assert_eq!(ev("'50%' LIKE '50!%' ESCAPE '!'"), tv("T"));
    assert_eq!(ev("'500' LIKE '50!%' ESCAPE '!'"), tv("F"));
    assert_eq!(ev("'a.c' LIKE 'a.c'"), tv("T"));
    assert_eq!(ev("'abc' LIKE 'a.c'"), tv("F"));
    assert_eq!(ev("CAST(NULL AS STRING) LIKE 'a'"), Value::Null);
    assert_eq!(ev("'ab' SIMILAR TO '(a|x)b'"), tv("T"));
    assert_eq!(ev("'cb' SIMILAR TO '(a|x)b'"), tv("F"));
    assert_eq!(ev("s LIKE s"), tv("T"));
}

#[test]
fn case_if_coalesce_nullif() {
    assert_eq!(ev("CASE WHEN n > 5 THEN 'big' ELSE 'small' END"), st("big"));
    assert_eq!(ev("CASE WHEN nb THEN 1 WHEN n = 7 THEN 2 END"), Value::Int(2));
    assert_eq!(ev("CASE WHEN n = 0 THEN 1 END"), Value::Null);
    assert_eq!(
        ev("CASE n WHEN 1 THEN 'one' WHEN 7 THEN 'seven' ELSE 'other' END"),
        st("seven")
    );
    assert_eq!(ev("CASE WHEN b THEN 1 ELSE 2.5 END"), dec("1.0"));
    assert_eq!(
        compile("CASE WHEN b THEN 1 ELSE 2.5 END").data_type().to_string(),
        "DECIMAL(11, 1) NOT NULL"
    );
    assert_eq!(ev("COALESCE(nb, b)"), tv("T"));
    assert_eq!(ev("COALESCE(NULL, n, 3)"), Value::Int(7));
    assert_eq!(
        ev("COALESCE(CAST(NULL AS INT), big)"),
        Value::BigInt(1_704_164_645_123_456)
    );
    assert_eq!(ev("IFNULL(nb, FALSE)"), tv("F"));
    assert_eq!(ev("NULLIF(n, 7)"), Value::Null);
    assert_eq!(ev("NULLIF(n, 8)"), Value::Int(7));
    assert_eq!(ev("IF(n > 5, 'y', 'n')"), st("y"));
    assert_eq!(ev("IF(nb, 'y', 'n')"), st("n"));
    // Lazy: the untaken branch cannot fail.
    assert_eq!(ev("IF(n = 0, n / 0, n)"), Value::Int(7));
    assert_eq!(ev("CASE WHEN n = 0 THEN n / 0 ELSE 1 END"), Value::Int(1));
    assert!(plan_err("CASE WHEN b THEN 1 ELSE 'x' END").contains("incompatible types"));
    assert!(plan_err("IF(n, 1, 2)").contains("BOOLEAN"));
}

#[test]
fn arithmetic_follows_flink_types() {
    assert_eq!(ev("n + 1"), Value::Int(8));
    assert_eq!(ev("n / 2"), Value::Int(3), "integer division");
    assert_eq!(ev("big / 1000"), Value::BigInt(1_704_164_645_123));
    assert_eq!(ev("n % 4"), Value::Int(3));
    assert_eq!(ev("-n"), Value::Int(-7));
    assert_eq!(ev("n * 2.5"), dec("17.5"));
    assert_eq!(ev("d + 0.005"), dec("12.505"));
    assert_eq!(compile("d + 0.005").data_type().to_string(), "DECIMAL(12, 3)");
    assert_eq!(compile("d * d").data_type().to_string(), "DECIMAL(20, 4)");
    assert_eq!(compile("d / 3").data_type().to_string(), "DECIMAL(21, 13)");
    assert_eq!(ev("d / 3"), dec("4.1666666666667"));
    assert_eq!(ev("f * 2"), Value::Double(5.0));
    assert_eq!(ev("f + d"), Value::Double(15.0));
    assert_eq!(ev("n + NULL"), Value::Null);
    assert_eq!(compile("n + big").data_type().kind, TypeKind::BigInt);
    assert_eq!(
        compile("CAST(1 AS TINYINT) + CAST(1 AS SMALLINT)")
            .data_type()
            .kind,
        TypeKind::SmallInt
    );
    assert_eq!(
        ev("2147483647 + 1"),
        Value::Int(i32::MIN),
        "INT overflow wraps as in Java"
    );
    assert_eq!(ev_err("n / 0"), "division by zero in `n / 0`");
    assert!(ev_err("d % 0").contains("division by zero"));
    assert!(ev("f / 0") == Value::Double(f64::INFINITY));
    assert!(plan_err("s * 2").contains("`*` needs numbers"));
    assert!(plan_err("s + INTERVAL '1' HOUR").contains("cannot add INTERVAL '1' HOUR to STRING"));
    assert!(plan_err("INTERVAL '1' HOUR").contains("INTERVAL"));
}

#[test]
fn string_functions() {
    assert_eq!(ev("UPPER(s)"), st("HELLO WORLD"));
    assert_eq!(ev("LOWER(s)"), st("hello world"));
    assert_eq!(ev("upper(CAST(NULL AS STRING))"), Value::Null);
    assert_eq!(ev("INITCAP('hello wORLD')"), st("Hello World"));
    assert_eq!(ev("TRIM('  x  ')"), st("x"));
    assert_eq!(ev("TRIM(BOTH 'x' FROM 'xxaxx')"), st("a"));
    assert_eq!(ev("TRIM(LEADING 'x' FROM 'xxaxx')"), st("axx"));
    assert_eq!(ev("TRIM(TRAILING FROM '  a  ')"), st("  a"));
    assert_eq!(ev("LTRIM('  a ')"), st("a "));
    assert_eq!(ev("RTRIM('  a ')"), st("  a"));
    assert_eq!(ev("CONCAT('a', 'b', 'c')"), st("abc"));
    assert_eq!(ev("CONCAT('a', CAST(NULL AS STRING))"), Value::Null);
    assert_eq!(ev("CONCAT_WS('-', 'a', CAST(NULL AS STRING), 'c')"), st("a-c"));
    assert_eq!(ev("CONCAT_WS(CAST(NULL AS STRING), 'a')"), Value::Null);
    assert_eq!(ev("'a' || 'b'"), st("ab"));
    assert_eq!(ev("'a' || CAST(NULL AS STRING)"), Value::Null);
    assert_eq!(ev("SUBSTRING(s FROM 7)"), st("World"));
    assert_eq!(ev("SUBSTRING(s FROM 1 FOR 5)"), st("Hello"));
    assert_eq!(ev("SUBSTRING(s, 7, 3)"), st("Wor"));
    assert_eq!(ev("SUBSTR(s, -5)"), st("World"));
    assert_eq!(ev("SUBSTRING(s, 0, 2)"), st("He"));
    assert_eq!(ev("SUBSTRING(s, 50)"), st(""));
    assert_eq!(ev("CHAR_LENGTH('héllo')"), Value::Int(5));
    assert_eq!(ev("CHARACTER_LENGTH(s)"), Value::Int(11));
    assert_eq!(ev("POSITION('World' IN s)"), Value::Int(7));
    assert_eq!(ev("POSITION('x' IN s)"), Value::Int(0));
    assert_eq!(ev("REPLACE(s, 'l', 'L')"), st("HeLLo WorLd"));
    assert_eq!(ev("SPLIT_INDEX('a,b,c', ',', 1)"), st("b"));
    assert_eq!(ev("SPLIT_INDEX('a,b,c', ',', 5)"), Value::Null);
    assert_eq!(ev("LPAD('7', 3, '0')"), st("007"));
    assert_eq!(ev("RPAD('ab', 5, 'xy')"), st("abxyx"));
    assert_eq!(ev("LPAD('hello', 2, '0')"), st("he"));
    assert_eq!(ev("REPEAT('ab', 3)"), st("ababab"));
    assert_eq!(ev("REVERSE('abc')"), st("cba"));
    assert!(plan_err("UPPER(n)").contains("UPPER needs a string here, got INT"));
    assert!(plan_err("UPPER(s, s)").contains("UPPER takes 1 argument, got 2"));
}

#[test]
fn regex_functions() {
    assert_eq!(ev("REGEXP(s, 'W.r')"), tv("T"));
    assert_eq!(ev("REGEXP(s, '^World')"), tv("F"));
    assert_eq!(ev("REGEXP_REPLACE(s, '[aeiou]', '*')"), st("H*ll* W*rld"));
    assert_eq!(
        ev("REGEXP_REPLACE('2024-01-02', '(\\d+)-(\\d+)-(\\d+)', '$3/$2/$1')"),
        st("02/01/2024")
    );
    assert_eq!(ev("REGEXP_EXTRACT('foo123bar', '[a-z]+(\\d+)', 1)"), st("123"));
    assert_eq!(ev("REGEXP_EXTRACT('foo123bar', '\\d+')"), st("123"));
    assert_eq!(ev("REGEXP_EXTRACT('foo', '\\d+')"), Value::Null);
    assert_eq!(ev("REGEXP_EXTRACT('foo1', '(\\d)', 5)"), Value::Null);
    assert!(plan_err("REGEXP(s, '(')").contains("invalid regular expression"));
}

#[test]
fn json_functions_on_event_data() {
    assert_eq!(ev("JSON_VALUE(j, '$.loanId')"), st("L-1001"));
    assert_eq!(ev("JSON_VALUE(j, '$.amount')"), st("350000.0"));
    assert_eq!(
        ev("JSON_VALUE(j, '$.amount' RETURNING DECIMAL(12, 2))"),
        dec("350000.00")
    );
    assert_eq!(ev("JSON_VALUE(j, '$.term' RETURNING INT)"), Value::Int(360));
    assert_eq!(ev("JSON_VALUE(j, '$.active' RETURNING BOOLEAN)"), tv("T"));
    assert_eq!(ev("JSON_VALUE(j, '$.borrower.name')"), st("Ada"));
    assert_eq!(ev("JSON_VALUE(j, '$.borrower.emails[1]')"), st("b@x.io"));
    assert_eq!(ev("JSON_VALUE(j, '$[''loanId'']')"), st("L-1001"));
    assert_eq!(ev("JSON_VALUE(j, '$.missing')"), Value::Null);
    assert_eq!(ev("JSON_VALUE(j, '$.notes')"), Value::Null);
    assert_eq!(
        ev("JSON_VALUE(j, '$.borrower')"),
        Value::Null,
        "objects are not scalars"
    );
    assert_eq!(
        ev("JSON_VALUE(j, '$.missing' DEFAULT 'none' ON EMPTY)"),
        st("none")
    );
    assert_eq!(
        ev("JSON_VALUE(j, '$.loanId' RETURNING INT DEFAULT -1 ON ERROR)"),
        Value::Int(-1)
    );
    assert!(ev_err("JSON_VALUE(j, '$.missing' ERROR ON EMPTY)").contains("JSON_VALUE"));
    assert!(ev_err("JSON_VALUE(j, 'strict $.missing' ERROR ON ERROR)").contains("no such member"));
    assert_eq!(ev("JSON_VALUE('not json', '$.a')"), Value::Null);
    assert_eq!(ev("JSON_VALUE(CAST(NULL AS STRING), '$.a')"), Value::Null);
    assert!(plan_err("JSON_VALUE(j, 'loanId')").contains("invalid JSON path"));
    assert_eq!(
        ev("JSON_QUERY(j, '$.borrower')"),
        st(r#"{"name":"Ada","emails":["a@x.io","b@x.io"]}"#)
    );
    assert_eq!(
        ev("JSON_QUERY(j, '$.borrower.emails')"),
        st(r#"["a@x.io","b@x.io"]"#)
    );
    assert_eq!(ev("JSON_QUERY(j, '$.loanId')"), Value::Null);
    assert_eq!(ev("JSON_QUERY(j, '$.loanId' WITH WRAPPER)"), st(r#"["L-1001"]"#));
    assert_eq!(
        ev("JSON_QUERY(j, '$.borrower.emails' WITH CONDITIONAL WRAPPER)"),
        st(r#"["a@x.io","b@x.io"]"#)
    );
    assert_eq!(ev("JSON_QUERY(j, '$.missing' EMPTY ARRAY ON EMPTY)"), st("[]"));
    assert_eq!(ev("JSON_QUERY(j, '$.loanId' EMPTY OBJECT ON ERROR)"), st("{}"));
    assert_eq!(ev("JSON_EXISTS(j, '$.borrower.name')"), tv("T"));
    assert_eq!(ev("JSON_EXISTS(j, '$.nope')"), tv("F"));
    assert_eq!(ev("JSON_EXISTS('{', '$.a')"), tv("F"));
    assert_eq!(ev("JSON_EXISTS('{', '$.a' UNKNOWN ON ERROR)"), Value::Null);
    assert_eq!(ev("JSON_EXISTS(j, 'strict $.nope' TRUE ON ERROR)"), tv("T"));
    // Paths that are not literals are parsed per row.
    assert_eq!(ev("JSON_VALUE(j, CONCAT('$.', 'loanId'))"), st("L-1001"));
}

#[test]
fn temporal_functions() {
    assert_eq!(
        ev("TO_TIMESTAMP_LTZ(big / 1000, 3)"),
        Value::TimestampLtz(1_704_164_645_123_000)
    );
    assert_eq!(
        ev("TO_TIMESTAMP_LTZ(1704164645, 0)"),
        Value::TimestampLtz(1_704_164_645_000_000)
    );
    assert_eq!(
        ev("TO_TIMESTAMP_LTZ(1704164645123)"),
        Value::TimestampLtz(1_704_164_645_123_000)
    );
    assert_eq!(ev("TO_TIMESTAMP_LTZ(1.5, 0)"), Value::TimestampLtz(1_500_000));
    assert_eq!(ev("TO_TIMESTAMP_LTZ(CAST(NULL AS BIGINT), 3)"), Value::Null);
    assert!(plan_err("TO_TIMESTAMP_LTZ(big, 2)").contains("precision must be 0"));
    assert!(plan_err("TO_TIMESTAMP_LTZ(s, 3)").contains("needs a number"));
    assert_eq!(
        compile("TO_TIMESTAMP_LTZ(big, 3)").data_type().to_string(),
        "TIMESTAMP_LTZ(3)"
    );
    assert_eq!(
        ev("TO_TIMESTAMP('2024-01-02 03:04:05')"),
        Value::Timestamp(1_704_164_645_000_000)
    );
    assert_eq!(
        ev("TO_TIMESTAMP('02/01/2024 03:04', 'dd/MM/yyyy HH:mm')"),
        Value::Timestamp(1_704_164_640_000_000)
    );
    assert_eq!(ev("TO_TIMESTAMP('garbage')"), Value::Null);
    assert_eq!(ev("TO_DATE('2024-01-02')"), Value::Date(19_724));
    assert_eq!(
        ev("DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss.SSS')"),
        st("2024-01-02 03:04:05.123")
    );
    assert_eq!(ev("DATE_FORMAT(ltz, 'yyyyMMdd')"), st("20240102"));
    assert_eq!(ev("DATE_FORMAT('2024-01-02 03:04:05', 'HH''h''mm')"), st("03h04"));
    assert_eq!(
        ev("CURRENT_TIMESTAMP"),
        Value::TimestampLtz(1_704_164_645_123_000)
    );
    assert_eq!(ev("NOW()"), Value::TimestampLtz(1_704_164_645_123_000));
    assert_eq!(ev("LOCALTIMESTAMP"), Value::Timestamp(1_704_164_645_123_000));
    assert_eq!(ev("CURRENT_DATE"), Value::Date(19_724));
    assert_eq!(ev("UNIX_TIMESTAMP()"), Value::BigInt(1_704_164_645));
    assert_eq!(
        ev("UNIX_TIMESTAMP('2024-01-02 03:04:05')"),
        Value::BigInt(1_704_164_645)
    );
    assert_eq!(ev("FROM_UNIXTIME(1704164645)"), st("2024-01-02 03:04:05"));
    assert_eq!(ev("FROM_UNIXTIME(0, 'yyyy')"), st("1970"));
}

#[test]
fn extract_is_json_greatest() {
    assert_eq!(ev("EXTRACT(YEAR FROM ts)"), Value::BigInt(2024));
    assert_eq!(ev("EXTRACT(MONTH FROM dt)"), Value::BigInt(1));
    assert_eq!(ev("EXTRACT(DAY FROM ltz)"), Value::BigInt(2));
    assert_eq!(ev("HOUR(ts)"), Value::BigInt(3));
    assert_eq!(ev("MINUTE(ts)"), Value::BigInt(4));
    assert_eq!(ev("SECOND(ts)"), Value::BigInt(5));
    assert_eq!(ev("EXTRACT(MILLISECOND FROM ts)"), Value::BigInt(5123));
    assert_eq!(ev("DAYOFWEEK(dt)"), Value::BigInt(3), "2024-01-02 is a Tuesday");
    assert_eq!(ev("DAYOFYEAR(dt)"), Value::BigInt(2));
    assert_eq!(ev("WEEK(dt)"), Value::BigInt(1));
    assert_eq!(ev("QUARTER(ts)"), Value::BigInt(1));
    assert_eq!(ev("EXTRACT(EPOCH FROM ts)"), Value::BigInt(1_704_164_645));
    assert!(plan_err("EXTRACT(HOUR FROM dt)").contains("needs a DATE, TIME or TIMESTAMP"));
    assert!(plan_err("EXTRACT(FORTNIGHT FROM ts)").contains("unknown time unit"));
    assert_eq!(compile("EXTRACT(YEAR FROM ts)").to_sql(), "EXTRACT(YEAR FROM ts)");
    assert_eq!(ev("j IS JSON"), tv("T"));
    assert_eq!(ev("j IS JSON OBJECT"), tv("T"));
    assert_eq!(ev("j IS JSON ARRAY"), tv("F"));
    assert_eq!(ev("s IS JSON"), tv("F"));
    assert_eq!(ev("s IS NOT JSON"), tv("T"));
    assert_eq!(ev("'1' IS JSON SCALAR"), tv("T"));
    assert_eq!(ev("CAST(NULL AS STRING) IS JSON"), tv("F"));
    assert_eq!(ev("GREATEST(1, n, 3)"), Value::Int(7));
    assert_eq!(ev("LEAST(d, 2)"), dec("2.00"));
    assert_eq!(
        ev("GREATEST(n, NULL)"),
        Value::Null,
        "Flink: NULL when any argument is NULL"
    );
}

#[test]
fn interval_arithmetic() {
    assert_eq!(
        ev("ts + INTERVAL '1' HOUR"),
        Value::Timestamp(1_704_164_645_123_000 + 3_600_000_000)
    );
    assert_eq!(
        ev("ltz - INTERVAL '5' SECOND"),
        Value::TimestampLtz(1_704_164_645_123_000 - 5_000_000)
    );
    assert_eq!(ev("INTERVAL '1' DAY + dt"), Value::Date(19_725));
    assert_eq!(ev("dt - INTERVAL '2' DAY"), Value::Date(19_722));
    assert_eq!(
        ev("ts + INTERVAL '1 02:00:00' DAY TO SECOND"),
        Value::Timestamp(1_704_164_645_123_000 + 93_600_000_000)
    );
    assert_eq!(
        ev("ts + INTERVAL '1.5' SECOND"),
        Value::Timestamp(1_704_164_645_123_000 + 1_500_000)
    );
    // Month arithmetic clamps the day: 2024-01-31 + 1 month = 2024-02-29.
    assert_eq!(ev("DATE '2024-01-31' + INTERVAL '1' MONTH"), Value::Date(19_782));
    assert_eq!(
        ev("DATE '2024-01-31' + INTERVAL '1-1' YEAR TO MONTH"),
        Value::Date(20_147)
    );
    assert_eq!(ev("CURRENT_TIMESTAMP - INTERVAL '1' DAY < ltz"), tv("T"));
    assert_eq!(
        compile("ts - INTERVAL '5' MINUTE").to_sql(),
        "ts - INTERVAL '5' MINUTE"
    );
    assert!(plan_err("dt + INTERVAL '1' HOUR").contains("cannot add"));
    assert!(plan_err("ts + INTERVAL 'x' HOUR").contains("not a valid interval"));
}

#[test]
fn numeric_functions_rows_arrays_maps() {
    assert_eq!(ev("ABS(-n)"), Value::Int(7));
    assert_eq!(ev("ABS(d - 20)"), dec("7.50"));
    assert_eq!(ev("MOD(n, 4)"), Value::Int(3));
    assert_eq!(ev("ROUND(d, 1)"), dec("12.5"));
    assert_eq!(ev("ROUND(2.345, 2)"), dec("2.35"));
    assert_eq!(ev("ROUND(f)"), Value::Double(3.0));
    assert_eq!(ev("FLOOR(d)"), dec("12"));
    assert_eq!(ev("CEIL(d)"), dec("13"));
    assert_eq!(ev("r.name"), st("Ada"));
    assert_eq!(ev("t.r.age"), Value::Int(36));
    assert_eq!(ev("arr[2]"), Value::Int(20));
    assert_eq!(ev("arr[5]"), Value::Null);
    assert_eq!(ev("m['a']"), Value::Int(1));
    assert_eq!(ev("m['zz']"), Value::Null);
    assert_eq!(ev("CARDINALITY(arr)"), Value::Int(2));
    assert_eq!(
        ev("ARRAY[1, 2]"),
        Value::Array(Arc::from(vec![Value::Int(1), Value::Int(2)]))
    );
    assert_eq!(
        ev("ROW(1, 'a')"),
        Value::Row(Arc::from(vec![Value::Int(1), st("a")]))
    );
    assert_eq!(
        ev("MAP['a', 1, 'b', n, 'a', 3]"),
        Value::Map(Arc::from(vec![
            (st("a"), Value::Int(3)),
            (st("b"), Value::Int(7))
        ])),
        "a later entry for a key replaces the earlier one"
    );
    assert_eq!(ev("MAP['k', 5]['k']"), Value::Int(5));
    assert!(plan_err("MAP['a', 1, 'b']").contains("MAP[…] needs key/value pairs, got 3"));
    assert!(plan_err("r.nme").contains("the ROW has no field `nme`; its fields are: name, age"));
    assert!(plan_err("n.x").contains("needs a ROW"));
}

#[test]
fn cast_matrix() {
    let ok: &[(&str, Value)] = &[
        ("CAST('42' AS INT)", Value::Int(42)),
        ("CAST(' 42 ' AS BIGINT)", Value::BigInt(42)),
        ("CAST('4.7' AS INT)", Value::Int(4)),
        ("CAST(300 AS TINYINT)", Value::TinyInt(44)),
        ("CAST(4.7 AS INT)", Value::Int(4)),
        ("CAST(f AS INT)", Value::Int(2)),
        ("CAST(d AS INT)", Value::Int(12)),
        ("CAST(TRUE AS INT)", Value::Int(1)),
        ("CAST(n AS DOUBLE)", Value::Double(7.0)),
        ("CAST('1e3' AS DOUBLE)", Value::Double(1000.0)),
        ("CAST('12.345' AS DECIMAL(5, 2))", dec("12.35")),
        ("CAST(f AS DECIMAL(4, 1))", dec("2.5")),
        ("CAST(123456 AS DECIMAL(4, 1))", Value::Null),
        ("CAST(n AS STRING)", st("7")),
        ("CAST(b AS STRING)", st("TRUE")),
        ("CAST(f AS STRING)", st("2.5")),
        ("CAST(1e10 AS STRING)", st("1.0E10")),
        ("CAST(d AS STRING)", st("12.50")),
        ("CAST(ts AS STRING)", st("2024-01-02 03:04:05.123")),
        ("CAST(ltz AS STRING)", st("2024-01-02 03:04:05.123")),
        ("CAST(dt AS STRING)", st("2024-01-02")),
        ("CAST(r AS STRING)", st("(Ada, 36)")),
        ("CAST(arr AS STRING)", st("[10, 20]")),
        ("CAST(m AS STRING)", st("{a=1}")),
        ("CAST('true' AS BOOLEAN)", tv("T")),
        ("CAST('NO' AS BOOLEAN)", tv("F")),
        ("CAST(0 AS BOOLEAN)", tv("F")),
        ("CAST('2024-01-02' AS DATE)", Value::Date(19_724)),
        ("CAST('03:04:05.5' AS TIME(1))", Value::Time(11_045_500_000)),
        (
            "CAST('2024-01-02 03:04:05.123456' AS TIMESTAMP(3))",
            Value::Timestamp(1_704_164_645_123_000),
        ),
        (
            "CAST('2024-01-02T03:04:05' AS TIMESTAMP)",
            Value::Timestamp(1_704_164_645_000_000),
        ),
        (
            "CAST('2024-01-02 03:04:05Z' AS TIMESTAMP_LTZ(3))",
            Value::TimestampLtz(1_704_164_645_000_000),
        ),
        ("CAST(ts AS DATE)", Value::Date(19_724)),
        (
            "CAST(dt AS TIMESTAMP(0))",
            Value::Timestamp(19_724 * 86_400_000_000),
        ),
        (
            "CAST(ts AS TIMESTAMP_LTZ(3))",
            Value::TimestampLtz(1_704_164_645_123_000),
        ),
        (
            "CAST(1704164645 AS TIMESTAMP_LTZ(0))",
            Value::TimestampLtz(1_704_164_645_000_000),
        ),
        ("CAST(ltz AS BIGINT)", Value::BigInt(1_704_164_645)),
        ("CAST('abc' AS BYTES)", Value::Bytes(Arc::from(&b"abc"[..]))),
        ("CAST(CAST('abc' AS BYTES) AS STRING)", st("abc")),
        ("CAST(NULL AS INT)", Value::Null),
        ("CAST(nb AS INT)", Value::Null),
        ("TRY_CAST('x' AS INT)", Value::Null),
        ("TRY_CAST('42' AS INT)", Value::Int(42)),
        ("TRY_CAST('2024-13-01' AS DATE)", Value::Null),
        ("TRY_CAST('maybe' AS BOOLEAN)", Value::Null),
    ];
    for (sql, want) in ok {
        assert_eq!(&ev(sql), want, "{sql}");
    }
    assert_eq!(
        ev_err("CAST('x' AS INT)"),
        "CAST failed: cannot cast 'x' to INT: not a number"
    );
    assert!(ev_err("CAST('2024-13-01' AS DATE)").contains("is not a date"));
    assert!(ev_err("CAST('99999999999' AS INT)").contains("out of range"));
    assert!(ev_err("CAST('maybe' AS BOOLEAN)").contains("not a boolean"));
    assert!(plan_err("CAST(big AS TIMESTAMP(3))").contains("TO_TIMESTAMP_LTZ"));
    assert!(plan_err("CAST(ts AS BIGINT)").contains("Flink does not cast TIMESTAMP to a number"));
    assert!(plan_err("CAST(b AS DATE)").contains("Flink cannot cast BOOLEAN to DATE"));
    assert!(plan_err("CAST(dt AS INT)").contains("cannot cast DATE to INT"));
    assert!(plan_err("CAST(arr AS MAP<STRING, INT>)").contains("cannot cast"));
    assert!(compile("TRY_CAST('1' AS INT)").data_type().nullable);
}

#[test]
fn to_sql_round_trips_readably() {
    for (sql, want) in [
        (
            "UPPER(s) = 'LOAN' AND n IN (1, 2)",
            "(UPPER(s) = 'LOAN') AND (n IN (1, 2))",
        ),
        ("TRIM(s)", "TRIM(BOTH ' ' FROM s)"),
        ("CAST(n AS BIGINT)", "CAST(n AS BIGINT)"),
        (
            "JSON_VALUE(j, '$.a' RETURNING INT)",
            "JSON_VALUE(j, '$.a' RETURNING INT)",
        ),
        ("s LIKE 'a%' ESCAPE '!'", "s LIKE 'a%' ESCAPE '!'"),
        ("CASE WHEN b THEN 'x' END", "CASE WHEN b THEN 'x' END"),
        ("n IS NOT NULL", "n IS NOT NULL"),
        ("r.name", "r.name"),
    ] {
        assert_eq!(compile(sql).to_sql(), want, "{sql}");
    }
    assert_eq!(compile("s = 'x' OR n > big").columns(), vec![1, 2, 5]);
}

mod props {
    use proptest::prelude::*;

    use super::super::time;
    use super::*;

    proptest! {
        #[test]
        fn civil_dates_round_trip(days in -1_000_000i64..1_000_000) {
            let (y, m, d) = time::civil_from_days(days);
            prop_assert_eq!(time::days_from_civil(y, m, d), days);
        }

        #[test]
        fn timestamps_print_and_parse_back(micros in 0i64..4_102_444_800_000_000) {
            let text = time::format_timestamp(micros, 6);
            prop_assert_eq!(time::parse_timestamp(&text, false), Ok(micros));
        }

        #[test]
        fn like_without_wildcards_is_equality(a in "[a-z.*+?()]{0,6}", b in "[a-z.*+?()]{0,6}") {
            let re = like_regex(&a, None, false).unwrap();
            prop_assert_eq!(re.is_match(&b), a == b);
        }

        #[test]
        fn decimal_addition_is_exact(a in -99_999_999i64..99_999_999, b in -99_999_999i64..99_999_999) {
            let sql = format!("CAST({a} AS DECIMAL(10, 2)) / 100 + CAST({b} AS DECIMAL(10, 2)) / 100 - CAST({b} AS DECIMAL(10, 2)) / 100");
            let v = compile(&sql).eval(&row(), &CTX).unwrap();
            let Value::Decimal(d) = v else { panic!("{v:?}") };
            prop_assert_eq!(d.normalize(), (Decimal::from(a) / Decimal::from(100)).normalize());
        }

        #[test]
        fn functions_never_panic(i in any::<i64>(), j in any::<i64>(), text in "\\PC{0,12}") {
            let lit = text.replace('\'', "''");
            let templates = [
                format!("SUBSTRING(s, {i}, {j})"), format!("SUBSTR(s, {i})"), format!("LPAD(s, {i}, 'x')"),
                format!("RPAD('{lit}', {j}, '{lit}')"), format!("REPEAT('{lit}', {i})"), format!("SPLIT_INDEX('{lit}', ',', {i})"),
                format!("CAST('{lit}' AS INT)"), format!("CAST('{lit}' AS DECIMAL(10, 2))"), format!("CAST('{lit}' AS DATE)"),
                format!("CAST('{lit}' AS TIMESTAMP(3))"), format!("CAST('{lit}' AS TIME)"), format!("CAST('{lit}' AS BOOLEAN)"),
                format!("CAST('{lit}' AS DOUBLE)"), format!("TO_TIMESTAMP_LTZ({i}, 3)"), format!("TO_TIMESTAMP_LTZ({i}, 0)"),
                format!("TO_TIMESTAMP('{lit}', '{lit}')"), format!("DATE_FORMAT(ts, '{lit}')"), format!("FROM_UNIXTIME({i})"),
                format!("{i} / {j}"), format!("{i} % {j}"), format!("CAST({i} AS DECIMAL(38, 2)) * {j}"),
                format!("JSON_VALUE('{lit}', '$.a')"), format!("JSON_QUERY(j, '{lit}')"), format!("'{lit}' LIKE '{lit}'"),
                format!("REGEXP_EXTRACT('{lit}', 'a(b)', {i})"), format!("ROUND(d, {})", i % 40),
                format!("ts + INTERVAL '{i}' DAY"), format!("dt + INTERVAL '{i}' MONTH"), format!("CAST({i} AS TIMESTAMP_LTZ(3))"),
            ];
            for sql in &templates {
                if let Ok(e) = compile_expression(sql, &table()) {
                    let _ = e.eval(&row(), &CTX);
                    let _ = e.to_sql();
                }
            }
        }

        #[test]
        fn not_distributes_over_and(a in 0usize..3, b in 0usize..3) {
            let v = ["TRUE", "FALSE", "CAST(NULL AS BOOLEAN)"];
            let lhs = ev(&format!("NOT ({} AND {})", v[a], v[b]));
            let rhs = ev(&format!("(NOT {}) OR (NOT {})", v[a], v[b]));
            prop_assert_eq!(lhs, rhs);
        }
    }
}

#[test]
fn json_value_parses_each_string_once_and_never_confuses_strings() {
    // Two paths over the same row's column share one parse; every row, and each of two columns,
    // still sees its own text, including rows whose text equals an earlier row's.
    let (loan, other) = (
        compile("JSON_VALUE(j, '$.loanId')"),
        compile("JSON_VALUE(s, '$.loanId')"),
    );
    for i in 0..20 {
        let mut r = row();
        r[6] = st(&format!("{{\"loanId\": \"L-{}\"}}", i % 7));
        r[5] = st(&format!("{{\"loanId\": \"S-{i}\"}}"));
        for _ in 0..2 {
            assert_eq!(loan.eval(&r, &CTX).unwrap(), st(&format!("L-{}", i % 7)));
            assert_eq!(other.eval(&r, &CTX).unwrap(), st(&format!("S-{i}")));
        }
        r[6] = st("not json");
        assert_eq!(loan.eval(&r, &CTX).unwrap(), Value::Null);
    }
}

#[test]
fn json_paths_from_a_member_see_the_whole_document() {
    // Member-first paths read only their member, but the document is still checked whole, and
    // duplicate keys, arrays at the top and odd documents behave as with a full parse.
    let eval_j = |sql: &str, text: &str| {
        let mut r = row();
        r[6] = st(text);
        compile(sql).eval(&r, &CTX)
    };
    let v = |sql: &str, text: &str| eval_j(sql, text).unwrap();
    assert_eq!(v("JSON_VALUE(j, '$.a')", r#"{"a": "x", "a": "y"}"#), st("y"));
    assert_eq!(
        v(
            "JSON_VALUE(j, '$.a.b')",
            r#"{"z": [1, {"q": null}], "a": {"b": 2}}"#
        ),
        st("2")
    );
    assert_eq!(v("JSON_VALUE(j, '$.a')", r#"[{"a": "x"}]"#), st("x")); // lax: member over an array
    assert_eq!(
        v("JSON_QUERY(j, '$.a')", r#"[{"a": [1]}, {"a": [2]}]"#),
        st("[[1],[2]]")
    );
    assert_eq!(
        v("JSON_VALUE(j, '$.a')", r#"{"a": "x", "b": "\ud800"}"#),
        Value::Null
    );
    assert_eq!(v("JSON_VALUE(j, '$.a')", r#"{"a": "x"} trailing"#), Value::Null);
    assert_eq!(v("JSON_VALUE(j, '$.a')", r#"{"a": "x", "b": 1"#), Value::Null);
    assert_eq!(v("JSON_EXISTS(j, '$.b')", r#"{"a": "x", "b": null}"#), tv("T"));
    assert_eq!(v("JSON_EXISTS(j, 'strict $.c')", r#"{"a": "x"}"#), tv("F"));
    assert_eq!(
        v(
            "JSON_VALUE(j, '$.a')",
            r#"{"a": 1.50, "b": 12345678901234567890}"#
        ),
        st("1.5")
    );
    let whole = serde_json::from_str::<serde_json::Value>(r#"{"a": "x", "b": "\ud800"}"#).unwrap_err();
    let err = eval_j(
        "JSON_VALUE(j, '$.a' ERROR ON ERROR)",
        r#"{"a": "x", "b": "\ud800"}"#,
    )
    .unwrap_err();
    assert_eq!(err.message, format!("JSON_VALUE: invalid JSON: {whole}"));
}

#[test]
fn upper_and_lower_keep_a_string_already_in_that_case() {
    let s_slot = table().columns.iter().position(|c| c.name == "s").unwrap();
    let with_s = |text: Value| {
        let mut r = row();
        r[s_slot] = text;
        r
    };
    let text: Arc<str> = Arc::from("LOAN");
    let r = with_s(Value::String(text.clone()));
    let Value::String(out) = compile("UPPER(s)").eval(&r, &CTX).unwrap() else {
        panic!("UPPER of a string is a string")
    };
    assert!(Arc::ptr_eq(&out, &text), "no copy when nothing changes");
    assert_eq!(compile("LOWER(s)").eval(&r, &CTX).unwrap(), st("loan"));
    assert_eq!(
        compile("UPPER(s)").eval(&with_s(st("straße")), &CTX).unwrap(),
        st("STRASSE")
    );
    assert_eq!(
        compile("LOWER(s)").eval(&with_s(st("ÀB")), &CTX).unwrap(),
        st("àb")
    );
    assert_eq!(
        compile("UPPER(s)").eval(&with_s(Value::Null), &CTX).unwrap(),
        Value::Null
    );
}

#[test]
fn json_paths_on_one_string_share_its_member_index() {
    // The first member lookup on a string indexes its members; later ones (other paths, other
    // statements) read from the index and must see exactly what a full parse would.
    let mut r = row();
    r[6] = st(r#"{"loanId": "L-1", "amount": 350000.00, "who": {"name": "Ad\u00e9"}, "loanId": "L-2"}"#);
    let v = |sql: &str| compile(sql).eval(&r, &CTX).unwrap();
    assert_eq!(v("JSON_VALUE(j, '$.amount')"), st("350000.0")); // a JSON number, read as Calcite does
    assert_eq!(v("JSON_VALUE(j, '$.loanId')"), st("L-2"));
    assert_eq!(v("JSON_VALUE(j, '$.who.name')"), st("Adé"));
    assert_eq!(v("JSON_QUERY(j, '$.who')"), st(r#"{"name":"Adé"}"#));
    assert_eq!(v("JSON_VALUE(j, '$.missing')"), Value::Null);
    // A lone surrogate anywhere makes the whole document invalid, indexed or not.
    r[6] = st(r#"{"a": "x", "b": "\ud800"}"#);
    assert_eq!(
        compile("JSON_VALUE(j, '$.a')").eval(&r, &CTX).unwrap(),
        Value::Null
    );
    assert_eq!(
        compile("JSON_VALUE(j, '$.a')").eval(&r, &CTX).unwrap(),
        Value::Null
    );
}

/// `switchyard run` reads the clock for a record only when `reads_clock` says so: an expression that
/// claims not to read it must evaluate alike at any time.
#[test]
fn reads_clock_names_every_expression_that_depends_on_the_time() {
    let later = EvalContext {
        now_micros: CTX.now_micros + 86_400_000_000 + 1_001_000,
    };
    for sql in [
        "CURRENT_TIMESTAMP",
        "NOW()",
        "LOCALTIMESTAMP",
        "CURRENT_DATE",
        "CURRENT_TIME",
        "UNIX_TIMESTAMP()",
        "CASE WHEN b THEN CAST(CURRENT_TIMESTAMP AS STRING) END",
        "CURRENT_TIMESTAMP - INTERVAL '1' DAY < ltz",
        "COALESCE(NULL, UNIX_TIMESTAMP())",
    ] {
        let e = compile(sql);
        assert!(e.reads_clock(), "{sql}");
        assert_ne!(
            e.eval(&row(), &CTX).unwrap(),
            e.eval(&row(), &later).unwrap(),
            "{sql}"
        );
    }
    for sql in [
        "UNIX_TIMESTAMP('2024-01-02 03:04:05')",
        "DATE_FORMAT(ts, 'yyyy-MM-dd')",
        "TO_TIMESTAMP_LTZ(n, 3)",
        "UPPER(s) = 'HELLO WORLD' AND n > 3",
        "JSON_VALUE(j, '$.loanId')",
        "FROM_UNIXTIME(1704164645)",
    ] {
        let e = compile(sql);
        assert!(!e.reads_clock(), "{sql}");
        let zero = EvalContext { now_micros: 0 };
        assert_eq!(
            e.eval(&row(), &CTX).unwrap(),
            e.eval(&row(), &zero).unwrap(),
            "{sql}"
        );
    }
}

/// `JSON_VALUE(x, '$.k')` (the member-index fast path) agrees with the general path, which a
/// `DEFAULT … ON EMPTY` clause that also gives NULL forces, for every kind of member value.
#[test]
fn json_value_of_one_member_agrees_with_the_general_path() {
    let docs = [
        r#"{"k": "plain"}"#,
        r#"{"k": "esc\"aped \u00e9\n"}"#,
        r#"{"k": 12}"#,
        r#"{"k": -0}"#,
        r#"{"k": 350000.00}"#,
        r#"{"k": 1e3}"#,
        r#"{"k": 12345678901234567890123}"#,
        r#"{"k": true}"#,
        r#"{"k": null}"#,
        r#"{"k": {"x": 1}}"#,
        r#"{"k": [1, 2]}"#,
        r#"{"other": 1}"#,
        r#"{"k": "first", "k": "last"}"#,
        r#"{"k": "\ud800"}"#,
        r#"[{"k": 1}]"#,
        r#""k""#,
        r#"{"k": 1"#,
        "not json",
        "",
    ];
    for doc in docs {
        let lit = doc.replace('\'', "''");
        let fast = ev(&format!("JSON_VALUE('{lit}', '$.k')"));
        let general = ev(&format!(
            "JSON_VALUE('{lit}', '$.k' DEFAULT CAST(NULL AS STRING) ON EMPTY)"
        ));
        assert_eq!(fast, general, "{doc}");
    }
    assert_eq!(ev(r#"JSON_VALUE('{"k": "plain"}', '$.k')"#), st("plain"));
    assert_eq!(ev(r#"JSON_VALUE('{"k": 350000.00}', '$.k')"#), st("350000.0"));
}
