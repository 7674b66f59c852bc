//! Throughput of the per-record wire work: frame → JSON parse → shape, on real-sized Debezium records,
//! beside a bare `serde_json` parse of the same bodies (the floor any JSON consumer pays).
#![allow(clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};
use switchyard_wire::{decode_json_sr, encode_json_sr, sniff};

/// A ~1 KB Debezium envelope like the ones PostgreSQL tables produce.
fn envelope(i: u64) -> Value {
    let row = json!({
        "id": i, "event_name": "LoanApplicationSubmitted", "event_type": "LOAN",
        "created_date": 1_709_284_500_123_456u64 + i, "saved_date": null,
        "event_data": "{\"amount\": 350000.00, \"loanId\": \"L-1001\", \"borrower\": {\"name\": \"Ada Lovelace\", \"city\": \"London\"}, \"tags\": [\"new\", \"priority\"]}",
    });
    json!({
        "before": null, "after": row,
        "source": {"version": "3.6.3.Final", "connector": "postgresql", "name": "pg1", "ts_ms": 1_795_828_467_634u64,
            "snapshot": "false", "db": "postgres", "sequence": "[\"22952088\",\"22952088\"]", "ts_us": 1_795_828_467_634_000u64,
            "ts_ns": 1_795_828_467_634_000_000u64, "schema": "public", "table": "business_events", "txId": 770, "lsn": 22_952_088,
            "xmin": null},
        "op": "c", "ts_ms": 1_795_828_467_700u64, "ts_us": 1_795_828_467_700_123u64, "ts_ns": 1_795_828_467_700_123_000u64,
        "transaction": null
    })
}

fn bench(c: &mut Criterion) {
    let records: Vec<Vec<u8>> = (0..256).map(|i| encode_json_sr(100_026, &envelope(i))).collect();
    let total: usize = records.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("wire");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("serde_json_parse_baseline", |b| {
        b.iter(|| {
            for r in &records {
                let v: Value = serde_json::from_slice(&r[5..]).unwrap();
                std::hint::black_box(v);
            }
        })
    });
    g.bench_function("decode_json_sr", |b| {
        b.iter(|| {
            for r in &records {
                std::hint::black_box(decode_json_sr(r, None).unwrap());
            }
        })
    });
    g.bench_function("frame_sniff_parse", |b| {
        b.iter(|| {
            for r in &records {
                std::hint::black_box(sniff(Some(r), None));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
