//! The checks, one module per family. Each looks at the shared [`Context`] and returns findings; none
//! decides the root cause (ranking does, in [`crate::finding::rank`]).
//!
//! Checks that need decoded rows skip a source whose records the format cannot read at all (every record
//! fails on framing, converter or JSON): the earlier finding already explains why nothing is read, and
//! guessing at columns through a frame the engine rejects would only add noise.

mod bytes;
mod columns;
mod predicate;
mod registered;
mod shape;
mod sql;
mod topics;

use crate::context::{Context, Source, Verdict};
use crate::finding::Finding;

/// Runs every check.
pub fn run(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(sql::check(cx));
    out.extend(topics::check(cx));
    out.extend(bytes::check(cx));
    out.extend(shape::check(cx));
    out.extend(columns::check(cx));
    out.extend(predicate::check(cx));
    let drift = registered::check(cx, &mut out);
    out.extend(drift);
    out.extend(sql::silent_skip(cx, &out));
    out
}

/// Whether any of the source's records yields rows the checks can look at.
pub(crate) fn readable(source: &Source<'_>) -> bool {
    // Records the format rejects outright (framing, converter) carry no rows, so a topic whose producer
    // changed converters midway is still checked on the records that do decode.
    source
        .samples
        .iter()
        .any(|s| !s.rows.is_empty() && !matches!(s.verdict, Verdict::Framing | Verdict::Converter(_)))
}

/// `n record(s)`.
pub fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// `topic p/offset`, for evidence.
pub(crate) fn at(s: &crate::context::Sample<'_>) -> String {
    format!("{}[{}]@{}", s.record.topic, s.record.partition, s.record.offset)
}
