//! A bounded least-recently-used cache of schemas by id.
//!
//! Schema ids are immutable in a registry, so a decoded schema can be kept forever — except that a
//! consumer meeting many ids would grow without bound. The cache keeps the `capacity` most recently
//! used entries; eviction is O(log n) through a recency index.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::types::{SchemaReference, SchemaType};

/// A schema fetched by id: raw text for every type, parsed for JSON.
#[derive(Debug, Clone)]
pub struct CachedSchema {
    /// The global id.
    pub id: i32,
    /// The schema type.
    pub schema_type: SchemaType,
    /// The schema text as the registry stores it.
    pub schema: String,
    /// Its references.
    pub references: Vec<SchemaReference>,
    /// The parsed JSON Schema (JSON schemas only).
    pub json: Option<switchyard_schema::JsonSchema>,
}

/// What the id cache has done so far, from [`RegistryClient::cache_stats`](super::RegistryClient::cache_stats).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups by id answered from the cache.
    pub hits: u64,
    /// Lookups by id that had to ask the registry (failed requests included).
    pub misses: u64,
    /// Schemas held now.
    pub entries: usize,
    /// The most it holds (`cache.capacity`).
    pub capacity: usize,
}

/// Hit and miss counters, atomics so that counting never takes the cache's lock.
#[derive(Debug, Default)]
pub(crate) struct CacheCounters {
    hits: AtomicU64,
    misses: AtomicU64,
}

impl CacheCounters {
    pub(crate) fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn stats(&self, entries: usize, capacity: usize) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries,
            capacity,
        }
    }
}

/// The LRU map.
#[derive(Debug)]
pub(crate) struct LruCache {
    capacity: usize,
    tick: u64,
    entries: HashMap<i32, (Arc<CachedSchema>, u64)>,
    recency: BTreeMap<u64, i32>,
}

impl LruCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            tick: 0,
            entries: HashMap::new(),
            recency: BTreeMap::new(),
        }
    }

    pub(crate) fn get(&mut self, id: i32) -> Option<Arc<CachedSchema>> {
        self.tick += 1;
        let tick = self.tick;
        let (schema, last) = self.entries.get_mut(&id)?;
        self.recency.remove(last);
        *last = tick;
        self.recency.insert(tick, id);
        Some(Arc::clone(schema))
    }

    pub(crate) fn insert(&mut self, schema: Arc<CachedSchema>) {
        self.tick += 1;
        let tick = self.tick;
        if let Some((_, last)) = self.entries.insert(schema.id, (schema.clone(), tick)) {
            self.recency.remove(&last);
        }
        self.recency.insert(tick, schema.id);
        while self.entries.len() > self.capacity {
            let Some((_, oldest)) = self.recency.pop_first() else {
                break;
            };
            self.entries.remove(&oldest);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i32) -> Arc<CachedSchema> {
        Arc::new(CachedSchema {
            id,
            schema_type: SchemaType::Avro,
            schema: "\"string\"".into(),
            references: vec![],
            json: None,
        })
    }

    #[test]
    fn evicts_least_recently_used() {
        let mut c = LruCache::new(2);
        c.insert(entry(1));
        c.insert(entry(2));
        assert!(c.get(1).is_some());
        c.insert(entry(3));
        assert_eq!(c.len(), 2);
        assert!(c.get(2).is_none(), "2 was least recently used");
        assert!(c.get(1).is_some());
        assert!(c.get(3).is_some());
    }
}
