//! Producing with many records in flight and every delivery accounted for.
//!
//! The producer is idempotent and partitions keys with `murmur2_random`, so keyed records land on the
//! partitions Java clients would choose. Sends never await one record at a time: up to `max_in_flight`
//! deliveries are outstanding, and each one's outcome is handed back with the caller's tag so that the
//! caller can report (or commit) exactly what was delivered.

use std::collections::VecDeque;
use std::future::Future as _;
use std::time::Duration;

use rdkafka::error::KafkaError as RdError;
use rdkafka::message::{Header as RdHeader, OwnedHeaders};
use rdkafka::producer::future_producer::OwnedDeliveryResult;
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord, Producer as _};
use rdkafka::types::RDKafkaErrorCode;
use switchyard_wire::Header;

use crate::client::{CONNECT_TIMEOUT, EdgeContext, KafkaError, contact_error, rdkafka_config};
use crate::config::ClientConfig;

/// A record to send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutRecord {
    /// Destination topic.
    pub topic: String,
    /// Partition, or `None` to let the partitioner choose by key.
    pub partition: Option<i32>,
    /// Key bytes.
    pub key: Option<Vec<u8>>,
    /// Value bytes (`None` sends a tombstone).
    pub value: Option<Vec<u8>>,
    /// Headers.
    pub headers: Vec<Header>,
}

/// Where a record was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    /// Partition.
    pub partition: i32,
    /// Offset.
    pub offset: i64,
}

/// The outcome of one send, with the caller's tag.
pub type Outcome<T> = (T, Result<Delivered, KafkaError>);

/// Turn a delivery future's output into our result.
fn delivery_result<E>(r: Result<OwnedDeliveryResult, E>) -> Result<Delivered, KafkaError> {
    match r {
        Ok(Ok(d)) => Ok(Delivered {
            partition: d.partition,
            offset: d.offset,
        }),
        Ok(Err((source, _))) => Err(KafkaError::Client {
            context: "delivery failed".into(),
            source,
        }),
        Err(_) => Err(KafkaError::Client {
            context: "delivery was cancelled (producer shut down)".into(),
            source: RdError::Canceled,
        }),
    }
}

/// An idempotent producer with bounded in-flight deliveries.
pub struct Producer<T> {
    inner: FutureProducer<EdgeContext>,
    in_flight: VecDeque<(T, DeliveryFuture)>,
    max_in_flight: usize,
}

impl<T> std::fmt::Debug for Producer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Producer")
            .field("in_flight", &self.in_flight.len())
            .finish()
    }
}

impl<T> Producer<T> {
    /// Build the producer and check that the cluster answers (bounded wait).
    pub fn connect(cfg: &ClientConfig) -> Result<Self, KafkaError> {
        let mut c = rdkafka_config(cfg)?;
        for (k, v) in [
            ("enable.idempotence", "true"),
            ("partitioner", "murmur2_random"),
            ("linger.ms", "5"),
            ("message.timeout.ms", "60000"),
        ] {
            if cfg.get(k).is_none() {
                c.set(k, v);
            }
        }
        let context = EdgeContext::default();
        let inner: FutureProducer<EdgeContext> = c
            .create_with_context(context.clone())
            .map_err(|e| KafkaError::InvalidSetting(e.to_string()))?;
        inner
            .client()
            .fetch_metadata(None, CONNECT_TIMEOUT)
            .map_err(|e| contact_error(cfg, &context, e))?;
        Ok(Producer {
            inner,
            in_flight: VecDeque::new(),
            max_in_flight: 10_000,
        })
    }

    /// Topics the cluster has, for "did you mean" hints.
    pub fn topics(&self) -> Result<Vec<String>, KafkaError> {
        let md = self
            .inner
            .client()
            .fetch_metadata(None, CONNECT_TIMEOUT)
            .map_err(|source| KafkaError::Client {
                context: "fetching metadata".into(),
                source,
            })?;
        Ok(md.topics().iter().map(|t| t.name().to_string()).collect())
    }

    /// Queue a record; returns the outcomes of earlier sends that completed to make room.
    pub async fn send(&mut self, tag: T, record: &OutRecord) -> Vec<Outcome<T>> {
        let mut done = Vec::new();
        while self.in_flight.len() >= self.max_in_flight {
            done.extend(self.complete_oldest().await);
        }
        let mut headers = OwnedHeaders::new_with_capacity(record.headers.len());
        for h in &record.headers {
            headers = headers.insert(RdHeader {
                key: &h.name,
                value: h.value.as_deref(),
            });
        }
        let mut fr: FutureRecord<'_, [u8], [u8]> = FutureRecord::to(&record.topic).headers(headers);
        if let Some(k) = &record.key {
            fr = fr.key(k.as_slice());
        }
        if let Some(v) = &record.value {
            fr = fr.payload(v.as_slice());
        }
        if let Some(p) = record.partition {
            fr = fr.partition(p);
        }
        loop {
            match self.inner.send_result(fr) {
                Ok(fut) => {
                    self.in_flight.push_back((tag, fut));
                    return done;
                }
                Err((RdError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                    fr = back;
                    match self.complete_oldest().await {
                        Some(o) => done.push(o),
                        None => tokio::time::sleep(Duration::from_millis(10)).await,
                    }
                }
                Err((source, _)) => {
                    done.push((
                        tag,
                        Err(KafkaError::Client {
                            context: format!("sending to `{}`", record.topic),
                            source,
                        }),
                    ));
                    return done;
                }
            }
        }
    }

    async fn complete_oldest(&mut self) -> Option<Outcome<T>> {
        let (tag, fut) = self.in_flight.pop_front()?;
        let result = match fut.await {
            Ok(Ok(d)) => Ok(Delivered {
                partition: d.partition,
                offset: d.offset,
            }),
            Ok(Err((source, _))) => Err(KafkaError::Client {
                context: "delivery failed".into(),
                source,
            }),
            Err(_) => Err(KafkaError::Client {
                context: "delivery was cancelled (producer shut down)".into(),
                source: RdError::Canceled,
            }),
        };
        Some((tag, result))
    }

    /// The outcomes of deliveries that have already completed, in send order, without waiting.
    pub fn completed(&mut self) -> Vec<Outcome<T>> {
        let mut done = Vec::new();
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        while let Some((_, fut)) = self.in_flight.front_mut() {
            let result = match std::pin::Pin::new(fut).poll(&mut cx) {
                std::task::Poll::Pending => break,
                std::task::Poll::Ready(r) => r,
            };
            let Some((tag, _)) = self.in_flight.pop_front() else {
                break;
            };
            done.push((tag, delivery_result(result)));
        }
        done
    }

    /// Deliveries still outstanding.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Wait for every outstanding delivery.
    pub async fn flush(&mut self) -> Vec<Outcome<T>> {
        let mut done = Vec::with_capacity(self.in_flight.len());
        while let Some(o) = self.complete_oldest().await {
            done.push(o);
        }
        done
    }
}
