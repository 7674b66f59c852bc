//! The JSON snapshot of the counters, with rates and the throughput history, for `/api/stats` and the
//! dashboard.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::{Metrics, Sample, nanos_to_secs};

/// Rates are averaged over about this long.
const RATE_WINDOW: Duration = Duration::from_secs(5);

/// Seconds since the Unix epoch, for display.
fn unix_seconds(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

impl Metrics {
    /// A JSON snapshot for the dashboard.
    pub fn snapshot(&self) -> Value {
        let now = Instant::now();
        let records_in = self.records_in.values();
        let records_out = self.records_out.values();
        let (base, history) = self
            .history
            .lock()
            .map(|h| (rate_base(&h, now), throughput(&h)))
            .unwrap_or_default();
        let uptime = now.duration_since(self.started).as_secs_f64();
        // Per second since `base` (the sample about RATE_WINDOW ago), or since the start without one.
        let rate = |i: usize, count: u64, pick: fn(&Sample) -> &Vec<u64>| -> f64 {
            match &base {
                Some(s) => {
                    let then = pick(s).get(i).copied().unwrap_or(0);
                    count.saturating_sub(then) as f64 / now.duration_since(s.at).as_secs_f64()
                }
                None if uptime > 0.0 => count as f64 / uptime,
                None => 0.0,
            }
        };
        let sources: Vec<Value> = records_in
            .iter()
            .enumerate()
            .map(|(i, (topic, n))| {
                json!({"topic": topic, "records_in": n, "rate": round(rate(i, *n, |s| &s.records_in))})
            })
            .collect();
        let filtered: BTreeMap<usize, u64> = self.filtered.values().into_iter().collect();
        let infos = self.statements.read().map(|s| s.clone()).unwrap_or_default();
        let out_rows: Vec<Value> = records_out
            .iter()
            .enumerate()
            .map(|(i, ((st, sink), n))| {
                let source = infos
                    .iter()
                    .find(|s| s.index == *st && s.sink == *sink)
                    .map(|s| &s.source);
                let source_in =
                    source.and_then(|src| records_in.iter().find(|(t, _)| t == src).map(|(_, n)| *n));
                json!({
                    "statement": st, "source": source, "sink": sink, "records_in": source_in, "count": n,
                    "filtered": filtered.get(st).copied().unwrap_or(0),
                    "rate": round(rate(i, *n, |s| &s.records_out)),
                })
            })
            .collect();
        let h = &self.commit_latency;
        let count = h.count.load(Ordering::Relaxed);
        let sum = nanos_to_secs(h.sum_nanos.load(Ordering::Relaxed));
        let samples: Vec<Value> = self
            .samples
            .lock()
            .map(|s| {
                s.iter()
                    .rev()
                    .map(|(at, d)| {
                        json!({"time": round(unix_seconds(*at)), "stage": d.stage, "code": d.code,
                            "message": d.message, "source": d.source, "key": d.key})
                    })
                    .collect()
            })
            .unwrap_or_default();
        let lag: Vec<Value> = self
            .lag
            .lock()
            .map(|l| {
                l.by_partition
                    .iter()
                    .map(|((t, p), n)| json!({"topic": t, "partition": p, "lag": n}))
                    .collect()
            })
            .unwrap_or_default();
        json!({
            "started_at": round(unix_seconds(self.started_at)),
            "uptime_seconds": round(uptime),
            "records_in": records_in.into_iter().collect::<BTreeMap<_, _>>(),
            "sources": sources,
            "records_out": out_rows,
            "filtered": filtered,
            "dead_letters": self.dead_letters.values().into_iter()
                .map(|((stage, code), n)| json!({"stage": stage, "code": code, "count": n}))
                .collect::<Vec<_>>(),
            "skipped": self.skipped.values().into_iter().collect::<BTreeMap<_, _>>(),
            "ignored": self.ignored.values().into_iter().collect::<BTreeMap<_, _>>(),
            "commits": self.commits.load(Ordering::Relaxed),
            "commit_latency": {
                "count": count,
                "sum_seconds": sum,
                "mean_seconds": if count > 0 { sum / count as f64 } else { 0.0 },
                "last_seconds": nanos_to_secs(h.last_nanos.load(Ordering::Relaxed)),
                "max_seconds": nanos_to_secs(h.max_nanos.load(Ordering::Relaxed)),
            },
            "retries": self.retries.load(Ordering::Relaxed),
            "registry_cache": self.registry.as_ref().map(|r| {
                let s = r.cache_stats();
                json!({"hits": s.hits, "misses": s.misses, "entries": s.entries, "capacity": s.capacity})
            }),
            "lag": lag,
            "recent_dead_letters": samples,
            "throughput": history,
        })
    }
}

/// The newest sample at least RATE_WINDOW old, else the oldest one if it is at least a second old.
fn rate_base(history: &VecDeque<Sample>, now: Instant) -> Option<Sample> {
    let pick = history
        .iter()
        .rev()
        .find(|s| now.duration_since(s.at) >= RATE_WINDOW)
        .or_else(|| {
            history
                .front()
                .filter(|s| now.duration_since(s.at) >= Duration::from_secs(1))
        })?;
    Some(Sample {
        at: pick.at,
        records_in: pick.records_in.clone(),
        records_out: pick.records_out.clone(),
    })
}

/// Records per second in and out between consecutive samples, oldest first.
fn throughput(history: &VecDeque<Sample>) -> Value {
    let mut r_in = Vec::new();
    let mut r_out = Vec::new();
    for (a, b) in history.iter().zip(history.iter().skip(1)) {
        let secs = b.at.duration_since(a.at).as_secs_f64().max(1e-3);
        let delta = |x: &[u64], y: &[u64]| y.iter().sum::<u64>().saturating_sub(x.iter().sum()) as f64 / secs;
        r_in.push(round(delta(&a.records_in, &b.records_in)));
        r_out.push(round(delta(&a.records_out, &b.records_out)));
    }
    json!({"records_in_per_second": r_in, "records_out_per_second": r_out})
}

/// Three decimals are plenty for display and keep the JSON short.
fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::{MAX_SAMPLES, sample};
    use super::*;

    #[test]
    fn snapshot_has_statements_rates_and_recent_dead_letters() {
        let m = Metrics::default();
        let loans = m.register_statement(0, "raw", "loans");
        m.sample();
        for i in 0..MAX_SAMPLES + 5 {
            m.dead_letter(sample("INVALID_JSON", &format!("k{i}")));
        }
        m.records_in_counter("raw").inc();
        loans.written.inc();
        // Pretend the first sample was taken two seconds ago.
        m.history.lock().unwrap()[0].at -= Duration::from_secs(2);
        m.sample();
        let s = m.snapshot();
        let row = &s["records_out"][0];
        assert_eq!(row["statement"], 0);
        assert_eq!(row["source"], "raw");
        assert_eq!(row["records_in"], 1);
        assert_eq!(row["count"], 1);
        let rate = row["rate"].as_f64().unwrap();
        assert!(
            rate > 0.3 && rate <= 0.5,
            "about one record in two seconds: {rate}"
        );
        let recent = s["recent_dead_letters"].as_array().unwrap();
        assert_eq!(recent.len(), MAX_SAMPLES);
        assert_eq!(recent[0]["key"], format!("k{}", MAX_SAMPLES + 4), "newest first");
        assert_eq!(s["dead_letters"][0]["count"], MAX_SAMPLES as u64 + 5);
        assert_eq!(
            s["throughput"]["records_out_per_second"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert!(s["registry_cache"].is_null());
    }
}
