//! Which offsets are safe to commit.
//!
//! At-least-once means an offset is committed only after every output and dead-letter record produced
//! from it — and from every earlier offset of its partition — has been acknowledged. Records complete out
//! of order (several sinks, retries), so per partition we keep the offsets still pending and commit up to
//! (not including) the lowest one; when nothing is pending, up to one past the highest offset seen.
//!
//! This runs for every record read and every delivery acknowledged, so it does not allocate there: the
//! partitions are found by a borrowed topic name (with a fast hash: the keys are the pipeline's own
//! topics and partitions, not input to guard against), and each partition's pending offsets are a queue in
//! offset order (records are read in offset order, so a new one goes at the back; acknowledged ones
//! leave from the front).

use std::collections::VecDeque;

use foldhash::HashMap;

/// Pending work per (topic, partition).
#[derive(Debug, Default)]
pub struct OffsetTracker {
    topics: HashMap<String, HashMap<i32, PartitionState>>,
}

#[derive(Debug, Default)]
struct PartitionState {
    /// (offset, deliveries still outstanding for it), in offset order. An entry whose count reached
    /// zero stays until every entry before it is done too, so the front is always the lowest pending
    /// offset once zeros are popped.
    pending: VecDeque<(i64, usize)>,
    /// One past the highest offset read.
    next: i64,
    /// The last offset committed (one past the last record processed).
    committed: Option<i64>,
}

impl PartitionState {
    /// The lowest offset with outstanding deliveries.
    fn lowest_pending(&self) -> Option<i64> {
        self.pending.iter().find(|(_, n)| *n > 0).map(|(o, _)| *o)
    }

    fn pop_done(&mut self) {
        while self.pending.front().is_some_and(|(_, n)| *n == 0) {
            self.pending.pop_front();
        }
    }
}

impl OffsetTracker {
    fn partition_mut(&mut self, topic: &str, partition: i32) -> Option<&mut PartitionState> {
        self.topics.get_mut(topic)?.get_mut(&partition)
    }

    /// A record at `offset` was read and will produce `outputs` deliveries (0: done already).
    pub fn read(&mut self, topic: &str, partition: i32, offset: i64, outputs: usize) {
        let state = match self.partition_mut(topic, partition) {
            Some(state) => state,
            None => self
                .topics
                .entry(topic.to_string())
                .or_default()
                .entry(partition)
                .or_default(),
        };
        state.next = state.next.max(offset + 1);
        if outputs == 0 {
            return;
        }
        match state.pending.back_mut() {
            Some((last, n)) if *last == offset => *n += outputs,
            Some((last, _)) if *last > offset => {
                // Out of order (not seen in practice): keep the queue sorted.
                match state.pending.binary_search_by_key(&offset, |(o, _)| *o) {
                    Ok(i) => state.pending[i].1 += outputs,
                    Err(i) => state.pending.insert(i, (offset, outputs)),
                }
            }
            _ => state.pending.push_back((offset, outputs)),
        }
    }

    /// One delivery for the record at `offset` was acknowledged.
    pub fn acked(&mut self, topic: &str, partition: i32, offset: i64) {
        let Some(state) = self.partition_mut(topic, partition) else {
            return;
        };
        // Acknowledgements mostly arrive in send order, so the record is usually the first pending one.
        let at = match state.pending.front() {
            Some((o, _)) if *o == offset => Some(0),
            _ => state.pending.binary_search_by_key(&offset, |(o, _)| *o).ok(),
        };
        if let Some(i) = at
            && state.pending[i].1 > 0
        {
            state.pending[i].1 -= 1;
            state.pop_done();
        }
    }

    /// The offset to commit for each partition whose safe point moved since the last call.
    pub fn committable(&mut self) -> Vec<(String, i32, i64)> {
        self.committable_where(|_, _| true)
    }

    /// Like [`OffsetTracker::committable`], for the partitions `keep` selects.
    pub fn committable_where(&mut self, keep: impl Fn(&str, i32) -> bool) -> Vec<(String, i32, i64)> {
        let mut out = Vec::new();
        for (topic, partitions) in &mut self.topics {
            for (partition, state) in partitions {
                if !keep(topic, *partition) {
                    continue;
                }
                let safe = state.lowest_pending().unwrap_or(state.next);
                if safe > 0 && state.committed != Some(safe) && state.committed.is_none_or(|c| safe > c) {
                    state.committed = Some(safe);
                    out.push((topic.clone(), *partition, safe));
                }
            }
        }
        out.sort();
        out
    }

    /// Deliveries still outstanding in all partitions.
    pub fn outstanding(&self) -> usize {
        self.topics
            .values()
            .flat_map(HashMap::values)
            .map(|s| s.pending.iter().map(|(_, n)| n).sum::<usize>())
            .sum()
    }

    /// Forget partitions this instance no longer owns (after a rebalance).
    pub fn forget(&mut self, topic: &str, partition: i32) {
        if let Some(partitions) = self.topics.get_mut(topic) {
            partitions.remove(&partition);
        }
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
    fn a_later_record_acknowledged_first_waits_for_the_earlier_ones() {
        let mut t = OffsetTracker::default();
        t.read("s", 0, 0, 1);
        t.read("s", 0, 1, 1);
        t.read("s", 0, 2, 1);
        t.acked("s", 0, 1);
        t.acked("s", 0, 1); // a duplicate acknowledgement changes nothing
        assert!(t.committable().is_empty(), "offset 0 still pending");
        t.acked("s", 0, 0);
        assert_eq!(t.committable(), [("s".to_string(), 0, 2)]);
        assert_eq!(t.outstanding(), 1);
        t.read("s", 0, 2, 1); // a second output of the same record
        t.acked("s", 0, 2);
        assert!(t.committable().is_empty(), "offset 2 has one more delivery");
        t.acked("s", 0, 2);
        assert_eq!(t.committable(), [("s".to_string(), 0, 3)]);
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
