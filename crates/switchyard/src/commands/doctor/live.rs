//! Live mode: build an incident from a running cluster — every topic the SQL names (and the connector's
//! predicted output topics): end offsets, the tables' consumer groups' committed offsets, a sample of
//! records from the start and the end of each partition; and from the registry the subjects and versions
//! those records and topics use, plus the global compatibility level. The result is the same
//! [`Incident`] an incident directory holds, so `--save` makes it replayable offline.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result};
use rdkafka::consumer::Consumer;
use rdkafka::{Offset, TopicPartitionList};
use switchyard_doctor::incident::read_sql;
use switchyard_doctor::{
    ConnectorConfig, Context, Incident, Offsets, PartitionOffsets, Registry, SchemaVersion, TopicData,
};
use switchyard_kafka::client::{consumer, metadata};
use switchyard_kafka::{ClientConfig, ReadOptions, StartOffset, TopicReader};
use switchyard_registry::{RegistryClient, VersionSpec};
use switchyard_wire::{CaptureRecord, VALUE_SCHEMA_ID_HEADER, parse_frame_with_header};

use crate::connect::{ConnectArgs, kafka_error, registry_client};
use crate::output::with_hint;
use crate::progress;

const TIMEOUT: Duration = Duration::from_secs(10);

/// Collects an incident for `sql`.
pub fn collect(
    sql: &Path,
    connector: Option<ConnectorConfig>,
    connect: &ConnectArgs,
    sample: usize,
) -> Result<Incident> {
    let cfg = connect.client_config()?;
    if cfg.bootstrap().is_none() {
        return Err(with_hint(
            "live mode needs a broker",
            "pass -b HOST:PORT (or SWITCHYARD_BOOTSTRAP), or an incident directory",
        ));
    }
    let mut incident = Incident {
        sql: Some(read_sql(sql)?),
        connector,
        ..Incident::default()
    };
    let (topics, groups) = {
        let cx = Context::build(&incident, None);
        let mut topics: BTreeSet<String> = cx
            .tables
            .iter()
            .filter_map(|t| t.topic().map(|s| s.trim_matches('`').to_string()))
            .collect();
        topics.extend(cx.prediction.iter().flat_map(|p| p.topics.iter().cloned()));
        let groups: BTreeSet<String> = cx
            .tables
            .iter()
            .filter_map(|t| t.option("properties.group.id").map(String::from))
            .collect();
        (topics, groups)
    };
    for topic in topics {
        eprintln!("sampling `{topic}` …");
        let data = sample_topic(&cfg, &topic, &groups, sample)?;
        if let Some(r) = &data.records {
            eprintln!("  {} record(s) sampled", r.len());
        }
        incident.topics.insert(topic, data);
    }
    if let Some(client) = registry_client(&cfg)? {
        eprintln!("reading the Schema Registry …");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        incident.registry = Some(runtime.block_on(read_registry(&client, &incident))?);
    }
    Ok(incident)
}

fn sample_topic(
    cfg: &ClientConfig,
    topic: &str,
    groups: &BTreeSet<String>,
    sample: usize,
) -> Result<TopicData> {
    let c = consumer(cfg, None).map_err(kafka_error)?;
    let md = metadata(cfg, &c).map_err(kafka_error)?;
    let Some(t) = md
        .topics()
        .iter()
        .find(|t| t.name() == topic && t.error().is_none())
    else {
        return Ok(TopicData {
            records: None,
            offsets: Some(Offsets::default()),
        });
    };
    let mut partitions: Vec<i32> = t.partitions().iter().map(|p| p.id()).collect();
    partitions.sort_unstable();
    let mut offsets = Offsets::default();
    for p in &partitions {
        let (low, high) = c
            .fetch_watermarks(topic, *p, TIMEOUT)
            .with_context(|| format!("end offsets of {topic}[{p}]"))?;
        offsets.partitions.push(PartitionOffsets {
            partition: *p,
            low,
            high,
        });
    }
    for g in groups {
        let gc = consumer(cfg, Some(g)).map_err(kafka_error)?;
        let mut tpl = TopicPartitionList::new();
        for p in &partitions {
            tpl.add_partition(topic, *p);
        }
        let committed = gc
            .committed_offsets(tpl, TIMEOUT)
            .with_context(|| format!("committed offsets of group {g}"))?;
        let mut map = BTreeMap::new();
        for e in committed.elements() {
            if let Offset::Offset(o) = e.offset() {
                map.insert(e.partition().to_string(), o);
            }
        }
        if !map.is_empty() {
            offsets.groups.insert(g.clone(), map);
        }
    }
    let available = offsets.available();
    let mut records: BTreeMap<(i32, i64), CaptureRecord> = BTreeMap::new();
    if available > 0 && sample > 0 {
        let whole = available as usize <= sample;
        let expected = if whole { available as u64 } else { sample as u64 };
        let bar = progress::bar(expected, &format!("records sampled from `{topic}`"));
        let half = (sample / 2).max(1);
        let mut reads = vec![(
            StartOffset::Beginning,
            if whole { None } else { Some(half as u64) },
        )];
        if !whole {
            let per_partition = (half / partitions.len().max(1)).max(1) as i64;
            reads.push((StartOffset::FromEnd(per_partition), Some(half as u64)));
        }
        for (start, count) in reads {
            let opts = ReadOptions {
                topic: topic.to_string(),
                partitions: None,
                start,
                count,
                follow: false,
                group: None,
                idle_timeout: TIMEOUT,
            };
            let reader = TopicReader::open(cfg, opts).map_err(kafka_error)?;
            for r in reader {
                let r = r.map_err(kafka_error)?;
                bar.inc(1);
                records.insert((r.partition, r.offset), r);
            }
        }
        bar.finish_and_clear();
    }
    Ok(TopicData {
        records: Some(records.into_values().collect()),
        offsets: Some(offsets),
    })
}

async fn read_registry(client: &RegistryClient, incident: &Incident) -> Result<Registry> {
    let mut registry = Registry::default();
    if let Ok(level) = client.get_config(None, false).await {
        registry.compatibility = Some(level.to_string());
    }
    let mut wanted: BTreeSet<(String, Option<i32>)> = BTreeSet::new();
    let mut ids: BTreeSet<u32> = BTreeSet::new();
    for (topic, data) in &incident.topics {
        wanted.insert((format!("{topic}-value"), None));
        wanted.insert((format!("{topic}-key"), None));
        for r in data.records.iter().flatten() {
            for (bytes, header) in [
                (r.value.as_deref(), r.header(VALUE_SCHEMA_ID_HEADER)),
                (r.key.as_deref(), None),
            ] {
                if let Some(id) = bytes
                    .and_then(|b| parse_frame_with_header(b, header).ok())
                    .and_then(|f| f.schema.id())
                {
                    ids.insert(id);
                }
            }
        }
    }
    for id in ids {
        if let Ok(versions) = client.get_schema_versions(id as i32).await {
            for v in versions {
                wanted.insert((v.subject, Some(v.version)));
            }
        }
    }
    let mut pairs: BTreeSet<(String, i32)> = BTreeSet::new();
    for (subject, version) in wanted {
        match version {
            Some(v) => {
                pairs.insert((subject, v));
            }
            None => {
                if let Ok(vs) = client.versions(&subject, false).await {
                    pairs.extend(vs.into_iter().map(|v| (subject.clone(), v)));
                }
            }
        }
    }
    for (subject, version) in pairs {
        let s = client
            .get_version(&subject, VersionSpec::Number(version), false)
            .await
            .with_context(|| format!("reading {subject} v{version}"))?;
        let entry = SchemaVersion {
            id: s.id as u32,
            version: s.version,
            schema_type: Some(s.schema_type.as_str().to_string()),
            schema: s.schema,
            references: s
                .references
                .iter()
                .filter_map(|r| serde_json::to_value(r).ok())
                .collect(),
        };
        registry.subjects.entry(subject).or_default().push(entry);
    }
    Ok(registry)
}
