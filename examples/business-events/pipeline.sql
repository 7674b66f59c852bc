-- business-events routing, as the user's Flink job describes it — run natively by `switchyard run`.
--
-- Source: `raw-business-events`, written by the Debezium PostgreSQL connector through Confluent's
-- JsonSchemaConverter (JSON_SR), rows flattened by ExtractNewRecordState with add.fields=op,table,ts_ms.
-- Timestamps are io.debezium.time.MicroTimestamp (µs since epoch): declared TIMESTAMP(6) they convert
-- losslessly; TIMESTAMP(3) would lose the microseconds and is dead-lettered instead of silently truncated.

CREATE TABLE raw_business_events (
  id            BIGINT NOT NULL,
  event_name    STRING,
  event_type    STRING,
  created_date  TIMESTAMP(6),
  saved_date    TIMESTAMP(6),
  event_data    STRING,
  __op          STRING,
  __table       STRING,
  __ts_ms       BIGINT,
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'kafka',
  'topic' = 'raw-business-events',
  'properties.group.id' = 'business-events-routing',
  'scan.startup.mode' = 'earliest-offset',
  'value.format' = 'json-registry',
  'error-handling.mode' = 'log',
  'error-handling.log.target' = 'raw-business-events-dlq'
);

CREATE TABLE loan_events (
  id          BIGINT,
  event_name  STRING,
  created_at  TIMESTAMP(6),
  loan_id     STRING,
  amount      STRING,
  op          STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'loan-events',
  'key.format' = 'json-registry',
  'key.fields' = 'id',
  'value.format' = 'json-registry'
);

CREATE TABLE servicing_events (
  id          BIGINT,
  event_name  STRING,
  event_type  STRING,
  created_at  TIMESTAMP(6),
  event_data  STRING,
  op          STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'servicing-events',
  'key.format' = 'json-registry',
  'key.fields' = 'id',
  'value.format' = 'json-registry'
);

CREATE TABLE business_events_audit (
  id          BIGINT,
  event_type  STRING,
  op          STRING,
  source_table STRING,
  ts_ms       BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = 'business-events-audit',
  'value.format' = 'json-registry'
);

EXECUTE STATEMENT SET
BEGIN
  -- Loans, whatever the case of event_type (the user's data has both 'LOAN' and 'loan').
  INSERT INTO loan_events
  SELECT id, event_name, created_date, JSON_VALUE(event_data, '$.loanId'), JSON_VALUE(event_data, '$.amount'), __op
  FROM raw_business_events
  WHERE UPPER(event_type) = 'LOAN' AND __op <> 'd';

  INSERT INTO servicing_events
  SELECT id, event_name, event_type, created_date, event_data, __op
  FROM raw_business_events
  WHERE event_type IN ('PAYMENT', 'ESCROW') AND __op <> 'd';

  -- Deletes, as ExtractNewRecordState's rewrite mode writes them (__op = 'd').
  INSERT INTO business_events_audit
  SELECT id, event_type, __op, __table, __ts_ms
  FROM raw_business_events
  WHERE __op = 'd';

  INSERT INTO business_events_audit
  SELECT id, event_type, __op, __table, __ts_ms
  FROM raw_business_events
  WHERE __table = 'business_events' AND __op IN ('c', 'u') AND event_type NOT IN ('LOAN', 'PAYMENT', 'ESCROW');
END;
