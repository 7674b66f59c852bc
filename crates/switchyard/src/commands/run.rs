//! `switchyard run pipeline.sql`: the routing Flink SQL, run natively on JSON_SR and Debezium topics.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;
use switchyard_router::{Router, RunError, RunOptions};
use tokio::sync::watch;

use crate::connect::{ConnectArgs, registry_client};
use crate::output::with_hint;

/// Run a pipeline: CREATE TABLE + INSERT INTO … SELECT … WHERE (and statement sets) over Kafka topics.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  switchyard run examples/business-events/pipeline.sql -b localhost:9092 --registry http://localhost:8081
  switchyard run pipeline.sql --config client.properties --http 127.0.0.1:9464   # dashboard at /, /metrics, /health, /ready
  switchyard run pipeline.sql -b localhost:9092 --registry http://localhost:8081 --until-end   # one pass, then exit
  switchyard run pipeline.sql --config client.properties --exactly-once   # Kafka transactions
  switchyard run pipeline.sql --config client.properties --parallelism 4   # four consumers, one thread each

Delivery is at-least-once: offsets are committed only past records whose outputs and dead letters were
acknowledged. With --exactly-once, outputs, dead letters and source offsets are committed together in
Kafka transactions; after a crash the open transaction is aborted and its records are read again.
Several instances with the same group id share the partitions, as do the --parallelism consumers of
one instance (or SET 'parallelism.default' = 'N' in the script). A record that cannot be processed goes
to the dead-letter topic ('error-handling.log.target', default <source topic>-dlq) with its reason in
headers. Exit codes: 0 stopped cleanly; 1 the pipeline failed; 2 usage or SQL error.")]
pub struct Args {
    /// The pipeline's Flink SQL file.
    file: PathBuf,
    #[command(flatten)]
    connect: ConnectArgs,
    /// Consumer group id (default: the source table's 'properties.group.id', else switchyard-<file stem>).
    #[arg(long, value_name = "GROUP")]
    group: Option<String>,
    /// Serve a live dashboard (/), /metrics (Prometheus), /health, /ready and /api/stats on this address.
    #[arg(long, value_name = "ADDR")]
    http: Option<SocketAddr>,
    /// Stop after reading every partition up to the end offsets seen at start (a one-shot pass).
    #[arg(long)]
    until_end: bool,
    /// Exactly-once: commit outputs, dead letters and source offsets in one Kafka transaction every
    /// 100 ms (readers downstream need isolation.level=read_committed). Refused at start when the
    /// broker has no transactions.
    #[arg(long)]
    exactly_once: bool,
    /// Consumers per source table, each on a thread of its own, all in the source's group: they share
    /// the topic's partitions (more consumers than partitions leaves some idle). Default: the script's
    /// SET 'parallelism.default', else the config file's [run] parallelism, else 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    parallelism: Option<u16>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let settings = args.connect.settings()?;
    // Flags beat the config file's [run] defaults.
    let defaults = settings.run;
    let cfg = settings.client;
    let registry = registry_client(&cfg)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let loaded = crate::pipeline::load(&args.file, registry.as_ref()).await?;
        for note in &loaded.plan.notes {
            eprintln!("note: {}", note.message);
        }
        let parallelism = match args.parallelism {
            Some(n) => usize::from(n),
            None => match loaded.plan.settings.get("parallelism.default") {
                Some(text) => text
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| {
                        with_hint(
                            format!("SET 'parallelism.default' = '{text}': not a number of consumers"),
                            "e.g. SET 'parallelism.default' = '4'; (1 or more)",
                        )
                    })?,
                None => defaults.parallelism.unwrap_or(1),
            },
        };
        let options = RunOptions {
            name: loaded.name.clone(),
            group: args.group.clone().or(defaults.group),
            client: cfg,
            until_end: args.until_end,
            exactly_once: args.exactly_once || defaults.exactly_once,
            parallelism,
        };
        let router = Router::build(&loaded.plan, registry, options)
            .await
            .map_err(|e| match e {
                RunError::Build(msg) => with_hint(
                    msg,
                    "fix the table definitions, or check the registry and broker settings",
                ),
                other => anyhow::Error::new(other),
            })?;
        let metrics = router.metrics();
        let ready = Arc::new(AtomicBool::new(false));
        if let Some(addr) = args.http.or(defaults.http) {
            let bound = crate::http::serve(addr, metrics.clone(), ready.clone()).await?;
            eprintln!("dashboard on http://{bound}/ (also /metrics, /health, /ready, /api/stats)");
        }
        for (topic, group, statements) in router.sources() {
            eprintln!("reading `{topic}` as group `{group}` for {statements} statement(s)");
        }
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(async move {
            wait_for_signal().await;
            eprintln!("stopping: flushing outputs and committing offsets");
            let _ = stop.send(true);
        });
        ready.store(true, Ordering::Relaxed);
        let result = router.run(stopped).await;
        eprintln!(
            "{} records read, {} dead-lettered",
            metrics.records_in_total(),
            metrics.dead_letters_total()
        );
        match result {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(e) => {
                // Kafka errors keep their hints (e.g. a broker without transactions under --exactly-once).
                let e = match e {
                    RunError::Kafka(k) => crate::connect::kafka_error(k),
                    other => anyhow::Error::new(other),
                };
                crate::output::print_error(&e);
                Ok(ExitCode::from(1))
            }
        }
    })
}

/// SIGINT or SIGTERM.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
