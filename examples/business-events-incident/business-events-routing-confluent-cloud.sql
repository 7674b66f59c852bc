-- business-events-routing-confluent-cloud.sql
-- Confluent Cloud for Apache Flink (environment env-7qv2p1, cluster lkc-9wx3m2, compute pool lfcp-5kq81z).
-- Routes the business events the managed connector postgres-cdc-source-business-events (JSON_SR) captures
-- from Aurora PostgreSQL. Source table re-created with 'value.format' = 'json-registry' (schema id 100026
-- matches these fields); all statements show RUNNING, startup mode earliest-offset.

CREATE TABLE raw_business_events (
  id            BIGINT,
  event_name    STRING,
  event_type    STRING,
  created_date  BIGINT,
  saved_date    BIGINT,
  event_data    STRING,
  __op          STRING,
  __table       STRING,
  __ts_ms       BIGINT
) WITH (
  'connector' = 'confluent',
  'value.format' = 'json-registry',
  'scan.startup.mode' = 'earliest-offset'
);

CREATE TABLE loan_events (
  id            BIGINT,
  event_name    STRING,
  event_type    STRING,
  created_date  BIGINT,
  event_data    STRING,
  __op          STRING,
  __ts_ms       BIGINT
) WITH (
  'connector' = 'confluent',
  'value.format' = 'json-registry'
);

CREATE TABLE servicing_events (
  id            BIGINT,
  event_name    STRING,
  event_type    STRING,
  created_date  BIGINT,
  event_data    STRING,
  __op          STRING,
  __ts_ms       BIGINT
) WITH (
  'connector' = 'confluent',
  'value.format' = 'json-registry'
);

CREATE TABLE business_events_audit (
  id            BIGINT,
  event_type    STRING,
  __op          STRING,
  __table       STRING,
  __ts_ms       BIGINT
) WITH (
  'connector' = 'confluent',
  'value.format' = 'json-registry'
);

INSERT INTO loan_events
SELECT id, event_name, event_type, created_date, event_data, __op, __ts_ms
FROM raw_business_events
WHERE event_type = 'LOAN';

INSERT INTO servicing_events
SELECT id, event_name, event_type, created_date, event_data, __op, __ts_ms
FROM raw_business_events
WHERE event_type IN ('PAYMENT', 'ESCROW');

INSERT INTO business_events_audit
SELECT id, event_type, __op, __table, __ts_ms
FROM raw_business_events
WHERE __table = 'business_events' AND __op IN ('c', 'u');
