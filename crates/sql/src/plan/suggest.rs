//! "Did you mean …?" for names: exact-but-for-case, a missing or extra `__` prefix (Debezium's `add.fields`
//! columns are `__op`, `__table`, …), and small edit distances.

/// Levenshtein distance (on characters, case-insensitive).
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Why `wanted` is probably `candidate`, if it is: "did you mean `__op`? It differs only by its `__` prefix".
pub(crate) fn near_miss(wanted: &str, candidate: &str) -> Option<String> {
    if wanted == candidate {
        return None;
    }
    if wanted.eq_ignore_ascii_case(candidate) {
        return Some(format!(
            "did you mean `{candidate}`? It differs only in case (Flink identifiers are case-sensitive)"
        ));
    }
    let w = wanted.trim_start_matches('_');
    let c = candidate.trim_start_matches('_');
    if w.eq_ignore_ascii_case(c) {
        let (long, short) = if wanted.len() > candidate.len() {
            (wanted, w)
        } else {
            (candidate, c)
        };
        let prefix = &long[..long.len() - short.len()];
        let prefix = if prefix.is_empty() { "_" } else { prefix };
        return Some(format!(
            "did you mean `{candidate}`? It differs only by its `{prefix}` prefix"
        ));
    }
    None
}

/// Names close to `wanted`, best first (at most 3).
pub(crate) fn close<'a>(wanted: &str, names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let max = (wanted.chars().count() / 3).clamp(1, 3);
    let mut scored: Vec<(usize, &str)> = names
        .into_iter()
        .filter_map(|n| {
            let d = distance(wanted, n);
            let prefix = n.to_lowercase().starts_with(&wanted.to_lowercase()) && wanted.len() >= 3;
            (d <= max || prefix).then_some((d, n))
        })
        .collect();
    scored.sort_by_key(|(d, n)| (*d, n.to_string()));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses() {
        assert_eq!(
            near_miss("op", "__op").unwrap(),
            "did you mean `__op`? It differs only by its `__` prefix"
        );
        assert!(near_miss("EVENT_TYPE", "event_type").unwrap().contains("case"));
        assert!(near_miss("__op", "op").unwrap().contains("`__` prefix"));
        assert_eq!(near_miss("id", "uid"), None);
        assert_eq!(close("UPPPER", ["UPPER", "LOWER", "TRIM"]), vec!["UPPER"]);
        assert_eq!(
            close("JSON_VAL", ["JSON_VALUE", "JSON_QUERY"]),
            vec!["JSON_VALUE"]
        );
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
