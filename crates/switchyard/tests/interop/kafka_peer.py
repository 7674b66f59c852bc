"""Confluent's own Python client as the independent peer in Kafka interop tests.

  kafka_peer.py produce BOOTSTRAP REGISTRY TOPIC SCHEMA_FILE RECORDS_FILE
      JSONSerializer with auto-registration; keys are plain strings (the record's "id").
      Prints {"schema_id": N, "count": M}.
  kafka_peer.py create BOOTSTRAP REGISTRY TOPIC PARTITIONS
      Creates TOPIC with PARTITIONS partitions (admin API).
  kafka_peer.py consume BOOTSTRAP REGISTRY TOPIC COUNT
      Reads COUNT records from the beginning with JSONDeserializer for value and key (JSON_SR keys),
      prints one JSON line per record: {"partition","offset","key","value","headers"}.
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

cmd, bootstrap, registry, topic = sys.argv[1:5]
sr = SchemaRegistryClient({"url": registry})

if cmd == "produce":
    schema_text = open(sys.argv[5]).read()
    records = [json.loads(line) for line in open(sys.argv[6]) if line.strip()]
    ser = JSONSerializer(schema_text, sr, conf={"auto.register.schemas": True})
    producer = Producer({"bootstrap.servers": bootstrap, "partitioner": "murmur2_random"})
    for rec in records:
        value = ser(rec, SerializationContext(topic, MessageField.VALUE))
        producer.produce(topic, key=str(rec.get("id")), value=value)
    if producer.flush(30) != 0:
        sys.exit("not every record was delivered")
    schema_id = int.from_bytes(value[1:5], "big")
    print(json.dumps({"schema_id": schema_id, "count": len(records)}))
elif cmd == "create":
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics([NewTopic(topic, int(sys.argv[5]))]).values():
        f.result(30)
    print(json.dumps({"created": topic}))
elif cmd == "consume":
    count = int(sys.argv[5])
    de = JSONDeserializer(None, schema_registry_client=sr)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "interop-" + topic,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    got, deadline = [], time.time() + 60
    while len(got) < count and time.time() < deadline:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        if msg.error():
            sys.exit(f"consume error: {msg.error()}")
        key = de(msg.key(), SerializationContext(topic, MessageField.KEY)) if msg.key() else None
        value = de(msg.value(), SerializationContext(topic, MessageField.VALUE)) if msg.value() else None
        headers = [[k, v.decode() if v is not None else None] for k, v in (msg.headers() or [])]
        got.append({"partition": msg.partition(), "offset": msg.offset(), "key": key, "value": value, "headers": headers})
    consumer.close()
    for g in sorted(got, key=lambda g: (g["partition"], g["offset"])):
        print(json.dumps(g))
    if len(got) < count:
        sys.exit(f"only {len(got)} of {count} records arrived")
else:
    sys.exit(f"unknown command {cmd}")
