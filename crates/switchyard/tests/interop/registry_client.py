"""Confluent's own Python Schema Registry client against the switchyard registry.

Usage: registry_client.py URL

Every call's answer is asserted; the first mismatch is printed and the script exits 1. Each check
uses a fresh client where the Confluent client would otherwise answer from its own cache, so the
answer really comes from the server.
"""

import json
import struct
import sys

from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

URL = sys.argv[1]
SUBJECT = "py-orders-value"
CHECKS = 0


def fail(message):
    print(f"MISMATCH: {message}", flush=True)
    sys.exit(1)


def check(name, got, want):
    global CHECKS
    if got != want:
        fail(f"{name}: got {got!r}, want {want!r}")
    CHECKS += 1
    print(f"ok {name}", flush=True)


def expect_error(name, fn, error_code, http_status):
    global CHECKS
    try:
        result = fn()
    except SchemaRegistryError as e:
        if e.error_code != error_code or e.http_status_code != http_status:
            fail(
                f"{name}: got error {e.http_status_code}/{e.error_code} ({e.error_message!r}), "
                f"want {http_status}/{error_code}"
            )
        CHECKS += 1
        print(f"ok {name} -> {e.http_status_code}/{e.error_code}: {e.error_message}", flush=True)
        return
    fail(f"{name}: expected SchemaRegistryError {error_code}, got result {result!r}")


def fresh():
    return SchemaRegistryClient({"url": URL})


def schema(obj):
    return Schema(json.dumps(obj), "JSON")


V1 = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Order",
    "type": "object",
    "properties": {"id": {"type": "integer"}, "amount": {"type": "number"}},
    "required": ["id"],
    "additionalProperties": False,
}
# Backward compatible: an optional property is added to a closed content model.
V2 = dict(V1, properties=dict(V1["properties"], note={"type": "string"}))
# Incompatible with V2: `amount` changes type.
BAD = dict(V2, properties=dict(V2["properties"], amount={"type": "string"}))

# ---- register, re-register, lookup ----
id1 = fresh().register_schema(SUBJECT, schema(V1))
check("register returns an id", isinstance(id1, int) and id1 > 0, True)
check("re-register returns the same id", fresh().register_schema(SUBJECT, schema(V1)), id1)
check("re-register adds no version", fresh().get_versions(SUBJECT), [1])
found = fresh().lookup_schema(SUBJECT, schema(V1))
check("lookup_schema id", found.schema_id, id1)
check("lookup_schema version", found.version, 1)
check("lookup_schema subject", found.subject, SUBJECT)
expect_error("lookup_schema of an unregistered schema", lambda: fresh().lookup_schema(SUBJECT, schema(V2)), 40403, 404)

# ---- global and subject compatibility ----
check("set global compatibility", fresh().set_compatibility(level="BACKWARD"), {"compatibility": "BACKWARD"})
check("get global compatibility", fresh().get_compatibility(), "BACKWARD")

id2 = fresh().register_schema(SUBJECT, schema(V2))
check("second schema gets a new id", id2 != id1, True)
check("versions after second registration", fresh().get_versions(SUBJECT), [1, 2])
v1 = fresh().get_version(SUBJECT, 1)
check("get_version(1) id", v1.schema_id, id1)
check("get_version(1) type", v1.schema.schema_type, "JSON")
check("get_version(1) schema", json.loads(v1.schema.schema_str), V1)
latest = fresh().get_latest_version(SUBJECT)
check("get_latest_version version", latest.version, 2)
check("get_latest_version id", latest.schema_id, id2)
by_id = fresh().get_schema(id1)
check("get_schema(id) text", json.loads(by_id.schema_str), V1)
check("get_schema(id) type", by_id.schema_type, "JSON")

check("test_compatibility passes", fresh().test_compatibility(SUBJECT, schema(V2)), True)
check("test_compatibility fails for a changed type", fresh().test_compatibility(SUBJECT, schema(BAD)), False)
expect_error("registering an incompatible schema", lambda: fresh().register_schema(SUBJECT, schema(BAD)), 409, 409)

check("set subject compatibility", fresh().set_compatibility(SUBJECT, "FULL"), {"compatibility": "FULL"})
check("get subject compatibility", fresh().get_compatibility(SUBJECT), "FULL")
check("global compatibility unchanged", fresh().get_compatibility(), "BACKWARD")
expect_error("invalid compatibility level", lambda: fresh().set_compatibility(SUBJECT, "SIDEWAYS"), 42203, 422)

# ---- another subject reuses the id ----
other = fresh().register_schema("py-other-value", schema(V1))
check("same schema under another subject reuses the id", other, id1)
check("its version numbering starts at 1", fresh().get_latest_version("py-other-value").version, 1)

# ---- schema references ----
customer_id = fresh().register_schema("py-customer-value", schema({"type": "object", "properties": {"name": {"type": "string"}}}))
invoice = Schema(
    json.dumps({"type": "object", "properties": {"customer": {"$ref": "customer.json"}}}),
    "JSON",
    [SchemaReference("customer.json", "py-customer-value", 1)],
)
invoice_id = fresh().register_schema("py-invoice-value", invoice)
got = fresh().get_schema(invoice_id)
check("references are served", [(r.name, r.subject, r.version) for r in got.references], [("customer.json", "py-customer-value", 1)])
check("referencing schema has its own id", invoice_id not in (customer_id, id1, id2), True)
dangling = Schema(json.dumps({"$ref": "nowhere.json"}), "JSON", [SchemaReference("nowhere.json", "py-nowhere", 1)])
expect_error("unknown reference", lambda: fresh().register_schema("py-dangling-value", dangling), 42201, 422)

# ---- unknown subject, version, id; invalid schema ----
expect_error("get_latest_version of an unknown subject", lambda: fresh().get_latest_version("py-nope"), 40401, 404)
expect_error("get_versions of an unknown subject", lambda: fresh().get_versions("py-nope"), 40401, 404)
expect_error("get_version of an unknown version", lambda: fresh().get_version(SUBJECT, 99), 40402, 404)
expect_error("get_schema of an unknown id", lambda: fresh().get_schema(987654), 40403, 404)
expect_error(
    "register an invalid schema",
    lambda: fresh().register_schema("py-invalid-value", Schema("{not json", "JSON")),
    42201,
    422,
)

# ---- deletes: versions, then subjects; soft then permanent ----
expect_error(
    "permanent delete of a version not soft-deleted",
    lambda: fresh().delete_version(SUBJECT, 2, permanent=True),
    40407,
    404,
)
check("soft delete version 2", fresh().delete_version(SUBJECT, 2), 2)
check("versions after soft delete", fresh().get_versions(SUBJECT), [1])
expect_error("soft delete of a soft-deleted version", lambda: fresh().delete_version(SUBJECT, 2), 40406, 404)
check("permanent delete version 2", fresh().delete_version(SUBJECT, 2, permanent=True), 2)
expect_error("version 2 is gone", lambda: fresh().get_version(SUBJECT, 2), 40402, 404)
expect_error(
    "permanent delete of a subject not soft-deleted",
    lambda: fresh().delete_subject(SUBJECT, permanent=True),
    40405,
    404,
)
check("soft delete subject", fresh().delete_subject(SUBJECT), [1])
check("subject hidden from the list", SUBJECT in fresh().get_subjects(), False)
expect_error("versions of a soft-deleted subject", lambda: fresh().get_versions(SUBJECT), 40401, 404)
check("permanent delete subject", fresh().delete_subject(SUBJECT, permanent=True), [1])
expect_error("subject is gone", lambda: fresh().delete_subject(SUBJECT), 40401, 404)

# ---- JSONSerializer (auto-register) and JSONDeserializer round trip ----
record = {"id": 7, "amount": 12.5, "note": "interop"}
ser = JSONSerializer(json.dumps(V2), fresh(), conf={"auto.register.schemas": True})
ctx = SerializationContext("py-topic", MessageField.VALUE)
data = ser(record, ctx)
check("serialized frame magic byte", data[0], 0)
schema_id = struct.unpack(">I", data[1:5])[0]
check("serialized id is the registered one", schema_id, fresh().get_latest_version("py-topic-value").schema_id)
check("serialized body is the record", json.loads(data[5:]), record)
de = JSONDeserializer(None, schema_registry_client=fresh())
check("deserialized record", de(data, ctx), record)

print(f"{CHECKS} checks passed", flush=True)
