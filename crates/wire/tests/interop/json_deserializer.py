"""Confluent's own JSONDeserializer (confluent-kafka) reads bytes that Switchyard encoded.

Input (argv[1]): a JSON list of {"name","subject","schema","schema_id","hex","record"}. For each case a fresh
in-memory mock registry is made to hand out exactly `schema_id` (as the golden vectors' generator does), the
schema is registered, and the bytes are deserialized with schema validation on. Exits non-zero on the first
mismatch, naming it.
"""
import json
import sys

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.json_schema import JSONDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

cases = json.load(open(sys.argv[1]))
for case in cases:
    sr = SchemaRegistryClient.new_client({"url": "mock://switchyard-" + case["name"]})
    sr._store.max_id = case["schema_id"] - 1  # the mock assigns max_id + 1
    got_id = sr.register_schema(case["subject"], Schema(case["schema"], "JSON"))
    assert got_id == case["schema_id"], (case["name"], got_id)
    de = JSONDeserializer(None, schema_registry_client=sr)
    topic = case["subject"].rsplit("-value", 1)[0]
    record = de(bytes.fromhex(case["hex"]), SerializationContext(topic, MessageField.VALUE))
    if record != case["record"]:
        print(f"{case['name']}: deserialized {record!r}, expected {case['record']!r}", file=sys.stderr)
        sys.exit(1)
print(f"{len(cases)} records read back by confluent-kafka JSONDeserializer")
