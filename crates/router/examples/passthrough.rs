//! The baseline for `bench/e2e.sh`: a bare rdkafka consume → produce passthrough, with the same client
//! settings `switchyard run` uses (group consumer, idempotent producer, many records in flight), so the
//! ratio measures what decoding, routing and encoding cost on top of moving the bytes.
//!
//! Usage: `passthrough BOOTSTRAP FROM_TOPIC TO_TOPIC COUNT` — exits after COUNT records were delivered,
//! printing the count and the seconds from the first `recv` to the last delivery. `bench/e2e.sh` times
//! the whole process instead, as it times `switchyard run`, so that start-up and group join count on
//! both sides.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use rdkafka::Message;
use switchyard_kafka::{ClientConfig, GroupConsumer, OutRecord, Producer, Startup};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (bootstrap, from, to, count) = (&args[1], &args[2], &args[3], args[4].parse::<u64>().unwrap());
    let mut cfg = ClientConfig::new();
    cfg.set("bootstrap.servers", bootstrap.as_str());
    let group = format!("passthrough-{}", std::process::id());
    let consumer = GroupConsumer::subscribe(
        &cfg,
        &group,
        &[from.as_str()],
        &Startup::Earliest,
        std::sync::Arc::new(|_, _| {}),
    )
    .unwrap();
    let mut producer: Producer<i64> = Producer::connect(&cfg).unwrap();
    let to: std::sync::Arc<str> = to.as_str().into();
    let start = Instant::now();
    let mut moved = 0u64;
    let mut done = Vec::new();
    while moved < count {
        let m = consumer.consumer.recv().await.unwrap();
        if moved == 0 {
            // Group join and the first fetch: a fixed cost both sides of the bench pay.
            // `unix_ms` is what bench/e2e.sh reads, as it reads `switchyard run`'s "first record read" log.
            let unix_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis());
            eprintln!(
                "first record after {:.3} s unix_ms={unix_ms}",
                start.elapsed().as_secs_f64()
            );
        }
        let out = OutRecord {
            topic: to.clone(),
            partition: None,
            key: m.key().map(<[u8]>::to_vec),
            value: m.payload().map(<[u8]>::to_vec),
            headers: Vec::new(),
            timestamp: None,
        };
        let offset = m.offset();
        drop(m);
        producer.send(offset, &out, &mut done).await;
        for (_, r) in done.drain(..) {
            r.unwrap();
        }
        moved += 1;
    }
    for (_, r) in producer.flush().await {
        r.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!("{moved} {secs:.3}");
    std::mem::forget(consumer);
}
