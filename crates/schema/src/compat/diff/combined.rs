//! `oneOf` / `anyOf` / `allOf` against each other (`CombinedSchemaDiff`).
//!
//! Branch order must not matter, so branches are paired by a maximum-cardinality bipartite
//! matching over the (original, update) pairs that are compatible on their own; if the matching
//! does not cover the smaller side, some branch has no counterpart and the change is
//! `COMBINED_TYPE_SUBSCHEMAS_CHANGED`. Branch counts give SUM/PRODUCT EXTENDED/NARROWED, and a
//! criterion change is EXTENDED only in the cases Confluent allows (to `anyOf`, between
//! singletons, singleton → `oneOf`, `allOf` → singleton).

use super::model::{Criterion, Node};
use super::{Ctx, RawDiff, compare};

use crate::compat::difference::DifferenceType as T;

type Side<'s, 'a> = (Criterion, &'s [Node<'a>]);

pub(super) fn compare_combined<'a>(ctx: &mut Ctx<'_>, original: Side<'_, 'a>, update: Side<'_, 'a>) {
    let (o_crit, o_subs) = original;
    let (u_crit, u_subs) = update;
    if o_crit != u_crit {
        let extended = u_crit == Criterion::Any
            || (o_subs.len() == 1 && u_subs.len() == 1)
            || (o_subs.len() == 1 && u_crit == Criterion::One)
            || (u_subs.len() == 1 && o_crit == Criterion::All);
        if extended {
            ctx.add(T::CombinedTypeExtended);
        } else {
            return ctx.add(T::CombinedTypeChanged);
        }
    }
    let o_subs = dedup(o_subs);
    let u_subs = dedup(u_subs);
    let (o_len, u_len) = (o_subs.len(), u_subs.len());
    if o_len < u_len {
        ctx.add(if u_crit == Criterion::All {
            T::ProductTypeExtended
        } else {
            T::SumTypeExtended
        });
    } else if o_len > u_len {
        ctx.add(if o_crit == Criterion::All {
            T::ProductTypeNarrowed
        } else {
            T::SumTypeNarrowed
        });
    }

    // edges[i] = compatible (update index, differences) for original branch i.
    let mut edges: Vec<Vec<(usize, Vec<RawDiff>)>> = Vec::with_capacity(o_len);
    for (i, o) in o_subs.iter().enumerate() {
        let segment = format!("{}/{i}", o_crit.keyword());
        let row = ctx.scoped(&segment, |ctx| {
            let mut row = Vec::new();
            for (j, u) in u_subs.iter().enumerate() {
                let mut sub = ctx.sub();
                compare(&mut sub, Some((*o).clone()), Some((*u).clone()));
                if sub.is_compatible() {
                    row.push((j, sub.into_diffs()));
                }
            }
            row
        });
        edges.push(row);
    }
    let matching = maximum_matching(&edges, u_len);
    let mut matched = 0;
    for (i, j) in matching.iter().enumerate() {
        if let Some(j) = j {
            matched += 1;
            if let Some((_, diffs)) = edges[i].iter().find(|(u, _)| u == j) {
                ctx.extend(diffs.clone());
            }
        }
    }
    if matched < o_len.min(u_len) {
        ctx.add(T::CombinedTypeSubschemasChanged);
    }
}

/// Drop repeated branches, keeping the first of each (Confluent collects them into a set).
fn dedup<'s, 'a>(subs: &'s [Node<'a>]) -> Vec<&'s Node<'a>> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for s in subs {
        let sig = s.signature();
        if !seen.contains(&sig) {
            seen.push(sig);
            out.push(s);
        }
    }
    out
}

/// Kuhn's augmenting-path algorithm; returns, for each left vertex, its matched right vertex.
fn maximum_matching<D>(edges: &[Vec<(usize, D)>], right: usize) -> Vec<Option<usize>> {
    fn augment<D>(
        u: usize,
        edges: &[Vec<(usize, D)>],
        seen: &mut [bool],
        match_right: &mut [Option<usize>],
    ) -> bool {
        for (v, _) in &edges[u] {
            if seen[*v] {
                continue;
            }
            seen[*v] = true;
            let free = match match_right[*v] {
                None => true,
                Some(w) => augment(w, edges, seen, match_right),
            };
            if free {
                match_right[*v] = Some(u);
                return true;
            }
        }
        false
    }
    let mut match_right: Vec<Option<usize>> = vec![None; right];
    for u in 0..edges.len() {
        let mut seen = vec![false; right];
        augment(u, edges, &mut seen, &mut match_right);
    }
    let mut match_left = vec![None; edges.len()];
    for (v, u) in match_right.iter().enumerate() {
        if let Some(u) = u {
            match_left[*u] = Some(v);
        }
    }
    match_left
}

#[cfg(test)]
mod tests {
    use super::maximum_matching;

    #[test]
    fn matching_finds_augmenting_paths() {
        // 0 can take a or b, 1 only a: greedy 0→a would leave 1 unmatched.
        let edges = vec![vec![(0, ()), (1, ())], vec![(0, ())]];
        let m = maximum_matching(&edges, 2);
        assert_eq!(m, vec![Some(1), Some(0)]);
    }
}
