#!/usr/bin/env python3
"""Runs Flink SQL on real Apache Flink (PyFlink, local mini-cluster) for the Rust tests, all cases in one JVM.

Input (a JSON file named by argv[1]):
    {"cases": [{"name": str, "sql": str, "mode": "explain" | "count", "files": {topic: path}}]}

Every CREATE TABLE is run with only its connector options rewritten, because the apache-flink wheels carry
no Kafka connector: 'connector' = 'kafka' becomes 'filesystem' over files[topic] (or an empty directory),
'value.format' becomes 'format' (and 'value.<format>.<option>' becomes '<format>.<option>'), and the
Kafka-only options (topic, properties.*, scan.startup.*, key.*, value.fields-include) are dropped. An
'upsert-kafka' sink becomes 'blackhole', the one bundled sink that accepts updates and deletes. Columns,
types, formats and statements are untouched.

  explain: every INSERT is planned (EXPLAIN); an error is what the planner said.
  count:   the SELECT of every INSERT is run over the files; rows of every kind are counted (a Debezium
           update is two rows, -U and +U), and a failure is the root cause Flink printed. A source that
           cannot be read is read once, and its error given to every statement over it.

Output (stdout, one JSON document):
    {"cases": [{"name", "ddl_error", "statements": [{"sql", "rows", "error", "values"}]}]}
where "values" (count mode) holds each row as [row kind, column text…].
"""
import json
import os
import re
import sys
import tempfile

from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
from pyflink.table.expressions import col


def split_statements(sql):
    """Top-level statements, with comments removed; EXECUTE STATEMENT SET blocks become their INSERTs."""
    out, cur, i, n = [], [], 0, len(sql)
    while i < n:
        c = sql[i]
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if c in "'`\"":
            j = i + 1
            while j < n:
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            cur.append(sql[i : j + 1])
            i = j + 1
            continue
        if c == ";":
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    flat = []
    for s in out:
        m = re.match(r"(?is)^EXECUTE\s+STATEMENT\s+SET\s+BEGIN\s+(.*)$", s)
        if m:
            s = m.group(1)
        if re.match(r"(?is)^END$", s):
            continue
        if s:
            flat.append(s)
    return flat


OPTION = re.compile(r"'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'")


def rewrite_create(stmt, files, tmp):
    """The CREATE TABLE with its connector options rewritten for the filesystem connector."""
    m = re.search(r"(?is)\bWITH\s*\((.*)\)\s*$", stmt)
    if not m:
        return stmt
    opts = [(k.replace("''", "'"), v.replace("''", "'")) for k, v in OPTION.findall(m.group(1))]
    d = dict(opts)
    connector = d.get("connector")
    if connector not in ("kafka", "upsert-kafka"):
        return stmt
    name = re.match(r"(?is)^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(`(?:[^`]|``)+`|\S+)", stmt).group(1)
    if connector == "upsert-kafka":
        new = [("connector", "blackhole")]
    else:
        topic = d.get("topic", name.strip("`"))
        path = files.get(topic)
        if path is None:
            path = os.path.join(tmp, re.sub(r"[^A-Za-z0-9_.-]", "_", name.strip("`")))
            os.makedirs(path, exist_ok=True)
        new = [("connector", "filesystem"), ("path", "file://" + os.path.abspath(path))]
        fmt = d.get("value.format") or d.get("format")
        for k, v in opts:
            if k in ("value.format", "format"):
                new.append(("format", v))
            elif fmt and k.startswith("value." + fmt + "."):
                new.append((k[len("value.") :], v))
            elif fmt and k.startswith(fmt + "."):
                new.append((k, v))
    body = ",\n  ".join("'%s' = '%s'" % (k.replace("'", "''"), v.replace("'", "''")) for k, v in new)
    return stmt[: m.start()] + "WITH (\n  " + body + "\n)"


def root_cause(e):
    text = str(e)
    lines = [l.strip() for l in text.splitlines() if l.strip().startswith("Caused by") or l.startswith(": ")]
    if not lines:
        lines = [l.strip() for l in text.splitlines() if l.strip()][:1]
    return " | ".join(lines[:1] + lines[-3:] if len(lines) > 4 else lines)[:1500]


def select_of(insert):
    m = re.match(r"(?is)^INSERT\s+INTO\s+(?:`(?:[^`]|``)+`|\S+)\s*(?:\([^)]*\))?\s*(SELECT\b.*)$", insert)
    return m.group(1) if m else None


def count_rows(env, select):
    """Runs a SELECT to the end and counts its rows. Every column is cast to STRING on the Java side
    first: PyFlink cannot hand some values (TIMESTAMP_LTZ) to Python, and the cast keeps every column
    computed, so a value that fails to convert still fails the query."""
    table = env.sql_query(select)
    names = ["c%d" % i for i in range(len(table.get_schema().get_field_names()))]
    table = table.alias(*names).select(*[col(n).cast(DataTypes.STRING()) for n in names])
    rows = []
    with table.execute().collect() as it:
        for row in it:
            rows.append([row.get_row_kind().name] + [None if v is None else str(v) for v in row])
    return rows


def run_case(case, tmp):
    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    env.get_config().set("parallelism.default", "1")
    env.get_config().set("table.local-time-zone", "UTC")
    result = {"name": case["name"], "ddl_error": None, "statements": []}
    files = case.get("files", {})
    source_errors = {}
    for stmt in split_statements(case["sql"]):
        head = stmt.split(None, 2)[:2]
        kind = " ".join(head).upper()
        if kind.startswith("CREATE TABLE"):
            try:
                env.execute_sql(rewrite_create(stmt, files, tmp))
            except Exception as e:  # noqa: BLE001 - the error is the result
                result["ddl_error"] = root_cause(e)
                return result
        elif kind.startswith("SET"):
            env.execute_sql(stmt)
        elif kind.startswith("INSERT"):
            entry = {"sql": stmt, "rows": None, "error": None}
            try:
                if case["mode"] == "explain":
                    env.explain_sql(stmt)
                else:
                    # A source that cannot be read fails every statement the same way: read it once.
                    source = re.search(r"(?is)\bFROM\s+(`(?:[^`]|``)+`|\S+)", select_of(stmt)).group(1)
                    if source not in source_errors:
                        try:
                            count_rows(env, "SELECT * FROM " + source)
                            source_errors[source] = None
                        except Exception as e:  # noqa: BLE001
                            source_errors[source] = root_cause(e)
                    if source_errors[source] is not None:
                        entry["error"] = source_errors[source]
                    else:
                        entry["values"] = count_rows(env, select_of(stmt))
                        entry["rows"] = len(entry["values"])
            except Exception as e:  # noqa: BLE001
                entry["error"] = root_cause(e)
            result["statements"].append(entry)
    return result


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, case in enumerate(spec["cases"]):
            out.append(run_case(case, os.path.join(tmp, str(i))))
    json.dump({"cases": out}, sys.stdout)


if __name__ == "__main__":
    main()
