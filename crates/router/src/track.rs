//! Which offsets are safe to commit.
//!
//! At-least-once means an offset is committed only after every output and dead-letter record produced
//! from it — and from every earlier offset of its partition — has been acknowledged. Records complete out
//! of order (several sinks, retries), so per partition we keep the offsets still pending and commit up to
//! (not including) the lowest one; when nothing is pending, up to one past the highest offset seen.

use std::collections::{BTreeMap, HashMap};

/// Pending work per (topic, partition).
#[derive(Debug, Default)]
pub struct OffsetTracker {
    partitions: HashMap<(String, i32), PartitionState>,
}

#[derive(Debug, Default)]
struct PartitionState {
    /// offset → deliveries still outstanding for it.
    pending: BTreeMap<i64, usize>,
    /// One past the highest offset read.
    next: i64,
    /// The last offset committed (one past the last record processed).
    committed: Option<i64>,
}

impl OffsetTracker {
    /// A record at `offset` was read and will produce `outputs` deliveries (0: done already).
    pub fn read(&mut self, topic: &str, partition: i32, offset: i64, outputs: usize) {
        let state = self.partitions.entry((topic.to_string(), partition)).or_default();
        state.next = state.next.max(offset + 1);
        if outputs > 0 {
            *state.pending.entry(offset).or_default() += outputs;
        }
    }

    /// One delivery for the record at `offset` was acknowledged.
    pub fn acked(&mut self, topic: &str, partition: i32, offset: i64) {
        if let Some(state) = self.partitions.get_mut(&(topic.to_string(), partition))
            && let Some(n) = state.pending.get_mut(&offset)
        {
            *n -= 1;
            if *n == 0 {
                state.pending.remove(&offset);
            }
        }
    }

    /// The offset to commit for each partition whose safe point moved since the last call.
    pub fn committable(&mut self) -> Vec<(String, i32, i64)> {
        self.committable_where(|_, _| true)
    }

    /// Like [`OffsetTracker::committable`], for the partitions `keep` selects.
    pub fn committable_where(&mut self, keep: impl Fn(&str, i32) -> bool) -> Vec<(String, i32, i64)> {
        let mut out = Vec::new();
        for ((topic, partition), state) in &mut self.partitions {
            if !keep(topic, *partition) {
                continue;
            }
            let safe = state.pending.keys().next().copied().unwrap_or(state.next);
            if safe > 0 && state.committed != Some(safe) && state.committed.is_none_or(|c| safe > c) {
                state.committed = Some(safe);
                out.push((topic.clone(), *partition, safe));
            }
        }
        out.sort();
        out
    }

    /// Deliveries still outstanding in all partitions.
    pub fn outstanding(&self) -> usize {
        self.partitions
            .values()
            .map(|s| s.pending.values().sum::<usize>())
            .sum()
    }

    /// Forget partitions this instance no longer owns (after a rebalance).
    pub fn forget(&mut self, topic: &str, partition: i32) {
        self.partitions.remove(&(topic.to_string(), partition));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_only_past_fully_acknowledged_offsets() {
        let mut t = OffsetTracker::default();
        t.read("s", 0, 0, 2); // two sinks
        t.read("s", 0, 1, 0); // filtered out everywhere
        t.read("s", 0, 2, 1);
        assert!(t.committable().is_empty(), "offset 0 still pending");
        t.acked("s", 0, 2);
        t.acked("s", 0, 0);
        assert!(
            t.committable().is_empty(),
            "one delivery of offset 0 still pending"
        );
        t.acked("s", 0, 0);
        assert_eq!(t.committable(), [("s".to_string(), 0, 3)]);
        assert!(t.committable().is_empty(), "nothing new");
        assert_eq!(t.outstanding(), 0);
    }

    #[test]
    fn partitions_are_independent() {
        let mut t = OffsetTracker::default();
        t.read("s", 0, 10, 1);
        t.read("s", 1, 5, 0);
        // Partition 0 may resume at 10 (still pending), partition 1 after 5.
        assert_eq!(
            t.committable(),
            [("s".to_string(), 0, 10), ("s".to_string(), 1, 6)]
        );
        t.acked("s", 0, 10);
        assert_eq!(t.committable(), [("s".to_string(), 0, 11)]);
        t.forget("s", 0);
        assert_eq!(t.outstanding(), 0);
    }
}
