//! The router's counters, with fixed label sets so cardinality stays bounded, rendered as Prometheus text
//! for `/metrics` and as JSON for the dashboard.
//!
//! Every outcome of a record is counted somewhere: read, written per statement and sink, dead-lettered by
//! stage and code, skipped on purpose (tombstones), ignored by `'error-handling.mode' = 'ignore'`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use serde::Serialize;

/// A dead letter kept for display (the last few).
#[derive(Debug, Clone, Serialize)]
pub struct DeadLetterSample {
    /// Stage.
    pub stage: String,
    /// Code.
    pub code: String,
    /// Message.
    pub message: String,
    /// Source topic, partition and offset.
    pub source: String,
    /// The key, shown as text or hex.
    pub key: String,
}

#[derive(Debug, Default, Serialize)]
struct Counters {
    records_in: BTreeMap<String, u64>,
    records_out: BTreeMap<(usize, String), u64>,
    filtered: BTreeMap<usize, u64>,
    dead_letters: BTreeMap<(String, String), u64>,
    skipped: BTreeMap<String, u64>,
    ignored: BTreeMap<String, u64>,
    commits: u64,
    retries: u64,
    lag: BTreeMap<(String, i32), i64>,
    samples: Vec<DeadLetterSample>,
}

/// All of the router's counters.
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    counters: Mutex<Counters>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            started: Instant::now(),
            counters: Mutex::new(Counters::default()),
        }
    }
}

const MAX_SAMPLES: usize = 20;

impl Metrics {
    fn with(&self, f: impl FnOnce(&mut Counters)) {
        if let Ok(mut c) = self.counters.lock() {
            f(&mut c);
        }
    }

    /// A record was read from `source`.
    pub fn record_in(&self, source: &str) {
        self.with(|c| *c.records_in.entry(source.to_string()).or_default() += 1);
    }

    /// Statement `statement` wrote a record to `sink`.
    pub fn record_out(&self, statement: usize, sink: &str) {
        self.with(|c| *c.records_out.entry((statement, sink.to_string())).or_default() += 1);
    }

    /// Statement `statement`'s WHERE dropped a row.
    pub fn filtered(&self, statement: usize) {
        self.with(|c| *c.filtered.entry(statement).or_default() += 1);
    }

    /// A record was dead-lettered.
    pub fn dead_letter(&self, sample: DeadLetterSample) {
        self.with(|c| {
            *c.dead_letters
                .entry((sample.stage.clone(), sample.code.clone()))
                .or_default() += 1;
            if c.samples.len() == MAX_SAMPLES {
                c.samples.remove(0);
            }
            c.samples.push(sample);
        });
    }

    /// A record produced no rows on purpose.
    pub fn skipped(&self, reason: &str) {
        self.with(|c| *c.skipped.entry(reason.to_string()).or_default() += 1);
    }

    /// A bad record was dropped because the table says `'error-handling.mode' = 'ignore'`.
    pub fn ignored(&self, code: &str) {
        self.with(|c| *c.ignored.entry(code.to_string()).or_default() += 1);
    }

    /// Offsets were committed.
    pub fn committed(&self) {
        self.with(|c| c.commits += 1);
    }

    /// A transient failure was retried.
    pub fn retried(&self) {
        self.with(|c| c.retries += 1);
    }

    /// Consumer lag per partition.
    pub fn set_lag(&self, lag: &[(String, i32, i64)]) {
        self.with(|c| {
            c.lag.clear();
            for (t, p, l) in lag {
                c.lag.insert((t.clone(), *p), *l);
            }
        });
    }

    /// Total dead letters so far.
    pub fn dead_letters_total(&self) -> u64 {
        self.counters
            .lock()
            .map(|c| c.dead_letters.values().sum())
            .unwrap_or(0)
    }

    /// Total records read so far.
    pub fn records_in_total(&self) -> u64 {
        self.counters
            .lock()
            .map(|c| c.records_in.values().sum())
            .unwrap_or(0)
    }

    /// Prometheus text exposition.
    pub fn prometheus(&self) -> String {
        let mut out = String::new();
        let Ok(c) = self.counters.lock() else { return out };
        let _ = writeln!(
            out,
            "# TYPE switchyard_uptime_seconds gauge\nswitchyard_uptime_seconds {}",
            self.started.elapsed().as_secs()
        );
        let _ = writeln!(out, "# TYPE switchyard_records_in_total counter");
        for (s, n) in &c.records_in {
            let _ = writeln!(out, "switchyard_records_in_total{{source=\"{}\"}} {n}", esc(s));
        }
        let _ = writeln!(out, "# TYPE switchyard_records_out_total counter");
        for ((st, sink), n) in &c.records_out {
            let _ = writeln!(
                out,
                "switchyard_records_out_total{{statement=\"{st}\",sink=\"{}\"}} {n}",
                esc(sink)
            );
        }
        let _ = writeln!(out, "# TYPE switchyard_records_filtered_total counter");
        for (st, n) in &c.filtered {
            let _ = writeln!(out, "switchyard_records_filtered_total{{statement=\"{st}\"}} {n}");
        }
        let _ = writeln!(out, "# TYPE switchyard_dead_letters_total counter");
        for ((stage, code), n) in &c.dead_letters {
            let _ = writeln!(
                out,
                "switchyard_dead_letters_total{{stage=\"{stage}\",code=\"{code}\"}} {n}"
            );
        }
        let _ = writeln!(out, "# TYPE switchyard_records_skipped_total counter");
        for (r, n) in &c.skipped {
            let _ = writeln!(out, "switchyard_records_skipped_total{{reason=\"{r}\"}} {n}");
        }
        let _ = writeln!(out, "# TYPE switchyard_records_ignored_total counter");
        for (code, n) in &c.ignored {
            let _ = writeln!(out, "switchyard_records_ignored_total{{code=\"{code}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# TYPE switchyard_commits_total counter\nswitchyard_commits_total {}",
            c.commits
        );
        let _ = writeln!(
            out,
            "# TYPE switchyard_transient_retries_total counter\nswitchyard_transient_retries_total {}",
            c.retries
        );
        let _ = writeln!(out, "# TYPE switchyard_consumer_lag gauge");
        for ((t, p), l) in &c.lag {
            let _ = writeln!(
                out,
                "switchyard_consumer_lag{{topic=\"{}\",partition=\"{p}\"}} {l}",
                esc(t)
            );
        }
        out
    }

    /// A JSON snapshot for the dashboard.
    pub fn snapshot(&self) -> serde_json::Value {
        let Ok(c) = self.counters.lock() else {
            return serde_json::Value::Null;
        };
        serde_json::json!({
            "uptime_seconds": self.started.elapsed().as_secs(),
            "records_in": c.records_in,
            "records_out": c.records_out.iter().map(|((s, k), n)| serde_json::json!({"statement": s, "sink": k, "count": n})).collect::<Vec<_>>(),
            "filtered": c.filtered,
            "dead_letters": c.dead_letters.iter().map(|((s, k), n)| serde_json::json!({"stage": s, "code": k, "count": n})).collect::<Vec<_>>(),
            "skipped": c.skipped, "ignored": c.ignored, "commits": c.commits, "retries": c.retries,
            "lag": c.lag.iter().map(|((t, p), l)| serde_json::json!({"topic": t, "partition": p, "lag": l})).collect::<Vec<_>>(),
            "recent_dead_letters": c.samples,
        })
    }
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
