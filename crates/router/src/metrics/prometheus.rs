//! The Prometheus text exposition of the counters, for `/metrics`.

use std::fmt::Write as _;
use std::sync::atomic::Ordering;

use switchyard_registry::RegistryClient;

use super::{COMMIT_BUCKETS, Metrics, nanos_to_secs};

impl Metrics {
    /// Prometheus text exposition.
    pub fn prometheus(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP switchyard_uptime_seconds Seconds since the pipeline started.\n\
             # TYPE switchyard_uptime_seconds gauge\nswitchyard_uptime_seconds {:.3}",
            self.started.elapsed().as_secs_f64()
        );
        family(
            &mut out,
            "switchyard_records_in_total",
            "Records read, per source topic.",
            self.records_in
                .values()
                .into_iter()
                .map(|(s, n)| (format!("source=\"{}\"", esc(&s)), n)),
        );
        family(
            &mut out,
            "switchyard_records_out_total",
            "Records written, per statement and sink topic.",
            self.records_out
                .values()
                .into_iter()
                .map(|((st, sink), n)| (format!("statement=\"{st}\",sink=\"{}\"", esc(&sink)), n)),
        );
        family(
            &mut out,
            "switchyard_records_filtered_total",
            "Rows dropped by a statement's WHERE.",
            self.filtered
                .values()
                .into_iter()
                .map(|(st, n)| (format!("statement=\"{st}\""), n)),
        );
        family(
            &mut out,
            "switchyard_dead_letters_total",
            "Records sent to the dead-letter topic, per stage and error code.",
            self.dead_letters
                .values()
                .into_iter()
                .map(|((stage, code), n)| (format!("stage=\"{}\",code=\"{}\"", esc(&stage), esc(&code)), n)),
        );
        family(
            &mut out,
            "switchyard_records_skipped_total",
            "Records that produce no rows on purpose (tombstones), per reason.",
            self.skipped
                .values()
                .into_iter()
                .map(|(r, n)| (format!("reason=\"{}\"", esc(&r)), n)),
        );
        family(
            &mut out,
            "switchyard_records_ignored_total",
            "Bad records dropped by 'error-handling.mode' = 'ignore', per error code.",
            self.ignored
                .values()
                .into_iter()
                .map(|(c, n)| (format!("code=\"{}\"", esc(&c)), n)),
        );
        family(
            &mut out,
            "switchyard_commits_total",
            "Offset commits.",
            [(String::new(), self.commits.load(Ordering::Relaxed))].into_iter(),
        );
        let h = &self.commit_latency;
        let _ = writeln!(
            out,
            "# HELP switchyard_commit_duration_seconds How long offset commits took.\n\
             # TYPE switchyard_commit_duration_seconds histogram"
        );
        let cumulative = h.cumulative();
        for (i, n) in cumulative.iter().enumerate() {
            let le = COMMIT_BUCKETS
                .get(i)
                .map_or_else(|| "+Inf".to_string(), f64::to_string);
            let _ = writeln!(
                out,
                "switchyard_commit_duration_seconds_bucket{{le=\"{le}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "switchyard_commit_duration_seconds_sum {}\nswitchyard_commit_duration_seconds_count {}",
            nanos_to_secs(h.sum_nanos.load(Ordering::Relaxed)),
            h.count.load(Ordering::Relaxed)
        );
        family(
            &mut out,
            "switchyard_transient_retries_total",
            "Transient failures (registry or broker unreachable) retried with backoff.",
            [(String::new(), self.retries.load(Ordering::Relaxed))].into_iter(),
        );
        if let Some(stats) = self.registry.as_ref().map(RegistryClient::cache_stats) {
            family(
                &mut out,
                "switchyard_registry_cache_hits_total",
                "Schema lookups by id answered from the client's cache.",
                [(String::new(), stats.hits)].into_iter(),
            );
            family(
                &mut out,
                "switchyard_registry_cache_misses_total",
                "Schema lookups by id that asked the registry.",
                [(String::new(), stats.misses)].into_iter(),
            );
            let _ = writeln!(
                out,
                "# HELP switchyard_registry_cache_entries Schemas held in the client's id cache.\n\
                 # TYPE switchyard_registry_cache_entries gauge\nswitchyard_registry_cache_entries {}",
                stats.entries
            );
        }
        let _ = writeln!(
            out,
            "# HELP switchyard_consumer_lag Records between the consumer's position and the partition's end.\n\
             # TYPE switchyard_consumer_lag gauge"
        );
        if let Ok(lag) = self.lag.lock() {
            for ((t, p), l) in lag.by_partition.iter() {
                let _ = writeln!(
                    out,
                    "switchyard_consumer_lag{{topic=\"{}\",partition=\"{p}\"}} {l}",
                    esc(t)
                );
            }
        }
        out
    }
}

/// One counter family: HELP, TYPE and a line per label set (`labels` empty for a family without labels).
fn family(out: &mut String, name: &str, help: &str, rows: impl Iterator<Item = (String, u64)>) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
    for (labels, n) in rows {
        if labels.is_empty() {
            let _ = writeln!(out, "{name} {n}");
        } else {
            let _ = writeln!(out, "{name}{{{labels}}} {n}");
        }
    }
}

/// Escape a Prometheus label value.
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Duration;

    use super::super::sample;
    use super::*;

    #[test]
    fn counts_by_label_set_and_renders_prometheus() {
        let m = Metrics::default();
        m.register_statement(1, "raw", "never");
        // Handles for one label set are one counter.
        let raw = m.records_in_counter("raw");
        raw.inc();
        raw.inc();
        m.records_in_counter("raw").inc();
        let loans = m.statement_counters(0, "loans");
        loans.written.inc();
        m.statement_counters(0, "loans").written.inc();
        loans.filtered.inc();
        m.dead_letter(sample("INVALID_JSON", "k"));
        m.committed(Duration::from_millis(3));
        m.committed(Duration::from_secs(10));
        m.set_lag(0, &[("raw\"x".into(), 2, 7)]);
        let text = m.prometheus();
        for line in [
            "switchyard_records_in_total{source=\"raw\"} 3",
            "switchyard_records_out_total{statement=\"0\",sink=\"loans\"} 2",
            "switchyard_records_out_total{statement=\"1\",sink=\"never\"} 0",
            "switchyard_records_filtered_total{statement=\"0\"} 1",
            "switchyard_dead_letters_total{stage=\"decode\",code=\"INVALID_JSON\"} 1",
            "switchyard_commits_total 2",
            "switchyard_commit_duration_seconds_bucket{le=\"0.001\"} 0",
            "switchyard_commit_duration_seconds_bucket{le=\"0.005\"} 1",
            "switchyard_commit_duration_seconds_bucket{le=\"5\"} 1",
            "switchyard_commit_duration_seconds_bucket{le=\"+Inf\"} 2",
            "switchyard_commit_duration_seconds_sum 10.003",
            "switchyard_commit_duration_seconds_count 2",
            "switchyard_consumer_lag{topic=\"raw\\\"x\",partition=\"2\"} 7",
            "# TYPE switchyard_commit_duration_seconds histogram",
        ] {
            assert!(text.lines().any(|l| l == line), "missing `{line}` in:\n{text}");
        }
        assert!(!text.contains("registry_cache"), "no registry, no cache metrics");
        assert_eq!(m.records_in_total(), 3);
        assert_eq!(m.dead_letters_total(), 1);
    }

    #[test]
    fn lag_keeps_each_consumers_latest_report() {
        let m = Metrics::default();
        let lag = |m: &Metrics| -> Vec<String> {
            m.prometheus()
                .lines()
                .filter(|l| l.starts_with("switchyard_consumer_lag{"))
                .map(String::from)
                .collect()
        };
        m.set_lag(0, &[("t".into(), 0, 5), ("t".into(), 1, 6)]);
        m.set_lag(1, &[("t".into(), 2, 7)]);
        assert_eq!(lag(&m).len(), 3, "{:?}", lag(&m));
        // Consumer 0 lost partition 1 in a rebalance: its old figure goes, consumer 1's stays.
        m.set_lag(0, &[("t".into(), 0, 4)]);
        assert_eq!(
            lag(&m),
            [
                "switchyard_consumer_lag{topic=\"t\",partition=\"0\"} 4",
                "switchyard_consumer_lag{topic=\"t\",partition=\"2\"} 7",
            ]
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(esc("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
