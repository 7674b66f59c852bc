//! `switchyard capture`: PostgreSQL logical replication → Debezium-compatible change events on Kafka.
//!
//! Glue only: flags → `switchyard_capture::CaptureConfig`, the registry client and the Kafka client
//! configuration from the shared connection flags, Ctrl-C/SIGTERM → a clean stop (flush, then the
//! final standby status update). The capture itself lives in the `switchyard-capture` crate.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use indicatif::ProgressBar;
use switchyard_capture::{
    CancellationToken, CaptureConfig, CaptureError, DEBEZIUM_VERSION, DecimalHandling, DeleteHandling,
    Encoder, EventConfig, Format, PgConfig, SnapshotHook, SnapshotTick, TimePrecision, TypeOptions,
    UnwrapConfig,
};

use crate::connect::{ConnectArgs, registry_client};
use crate::output::with_hint;
use crate::progress;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Confluent JSON Schema framing; registers `<topic>-key` / `<topic>-value` like `JsonSchemaConverter`.
    JsonSr,
    /// Kafka Connect `JsonConverter` without schemas (payload only).
    Json,
    /// Kafka Connect `JsonConverter` with `{"schema":…,"payload":…}`.
    JsonSchemas,
}

/// `time.precision.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TimeArg {
    /// `io.debezium.time.*`, precision from the column.
    Adaptive,
    /// Kafka Connect `Timestamp`/`Date`/`Time` (milliseconds).
    Connect,
}

/// `decimal.handling.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DecimalArg {
    /// Connect `Decimal` / `VariableScaleDecimal`.
    Precise,
    /// `float64`.
    Double,
    /// Text.
    String,
}

/// `delete.tombstone.handling.mode` of the flattening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeleteArg {
    /// The delete becomes a null value.
    Tombstone,
    /// The delete becomes the before-image with `__deleted:"true"`.
    Rewrite,
    /// Deletes are dropped.
    Drop,
}

/// Capture a PostgreSQL database as Debezium change events.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:
  switchyard capture --pg postgresql://postgres@127.0.0.1:5432/postgres \\
      --publication dbz_pub --slot dbz_slot --create --tables public.orders \\
      --topic-prefix pg1 -b localhost:9092 --registry http://localhost:8081
  # → topic pg1.public.orders, subjects pg1.public.orders-key / -value; Ctrl-C stops cleanly

Delivery: the slot's confirmed flush LSN advances only after Kafka acknowledged every record of the \
transactions before it, so a restart (even after kill -9) loses nothing; it may resend the records of \
the last unacknowledged transactions. If it dies during the initial snapshot, the next run with \
--create drops the half-snapshotted slot and takes the snapshot again (a marker slot \
`<slot>_snapshot`, physical and reserving no WAL, exists exactly while a snapshot is in progress).

Exit codes: 0 stopped cleanly (Ctrl-C, SIGTERM, --stop-after-idle); 2 error (PostgreSQL, Kafka, \
registry, configuration).")]
pub struct Args {
    /// PostgreSQL connection string or URI (the user needs the REPLICATION attribute).
    #[arg(long, env = "SWITCHYARD_PG", value_name = "URL")]
    pub pg: String,
    /// Publication to stream (pgoutput `publication_names`).
    #[arg(long, value_name = "NAME")]
    pub publication: String,
    /// Logical replication slot.
    #[arg(long, value_name = "NAME")]
    pub slot: String,
    /// Tables to capture, comma-separated (`schema.table`, or `table` for `public`); default: the publication's.
    #[arg(long, value_delimiter = ',', value_name = "TABLES")]
    pub tables: Vec<String>,
    /// Create the publication and the slot if missing; a new slot starts with a consistent snapshot (`op:"r"`).
    #[arg(long)]
    pub create: bool,
    /// Topic prefix (`topic.prefix`): topics are `<prefix>.<schema>.<table>`.
    #[arg(long, value_name = "PREFIX")]
    pub topic_prefix: String,
    /// Record format.
    #[arg(long, value_enum, default_value = "json-sr")]
    pub format: FormatArg,
    /// `time.precision.mode`.
    #[arg(long, value_enum, default_value = "adaptive")]
    pub time_precision_mode: TimeArg,
    /// `decimal.handling.mode`.
    #[arg(long, value_enum, default_value = "precise")]
    pub decimal_handling_mode: DecimalArg,
    /// JSON_SR only: write Decimal values as JSON numbers (`JsonSchemaConverter`'s `decimal.format=NUMERIC`)
    /// instead of base64 text; validating consumers need it, since the registered schema says `number`.
    #[arg(long)]
    pub numeric_decimals: bool,
    /// Do not write a tombstone after each delete (`tombstones.on.delete=false`).
    #[arg(long)]
    pub no_tombstones: bool,
    /// Emit `op:"t"` events for TRUNCATE (Debezium skips them unless `skipped.operations` allows them).
    #[arg(long)]
    pub truncate: bool,
    /// Flatten like `ExtractNewRecordState`: the value is the row.
    #[arg(long)]
    pub unwrap: bool,
    /// Metadata to add when flattening (`op,table,ts_ms,source.ts_ms,lsn,…`).
    #[arg(long, value_delimiter = ',', value_name = "FIELDS", requires = "unwrap")]
    pub add_fields: Vec<String>,
    /// Prefix of added fields.
    #[arg(long, default_value = "__", value_name = "PREFIX")]
    pub add_fields_prefix: String,
    /// What flattening does with deletes.
    #[arg(long, value_enum, default_value = "tombstone")]
    pub delete_handling: DeleteArg,
    /// Stop cleanly once nothing arrived for this many seconds and every record is acknowledged.
    #[arg(long, value_name = "SECONDS")]
    pub stop_after_idle: Option<f64>,
    /// Seconds between progress lines on stderr (0 = only the final one).
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS")]
    pub progress: f64,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

fn config(args: &Args) -> CaptureConfig {
    let types = TypeOptions {
        time_precision: match args.time_precision_mode {
            TimeArg::Adaptive => TimePrecision::Adaptive,
            TimeArg::Connect => TimePrecision::Connect,
        },
        decimal_handling: match args.decimal_handling_mode {
            DecimalArg::Precise => DecimalHandling::Precise,
            DecimalArg::Double => DecimalHandling::Double,
            DecimalArg::String => DecimalHandling::String,
        },
    };
    let unwrap = args.unwrap.then(|| UnwrapConfig {
        add_fields: args.add_fields.clone(),
        prefix: args.add_fields_prefix.clone(),
        delete_handling: match args.delete_handling {
            DeleteArg::Tombstone => DeleteHandling::Tombstone,
            DeleteArg::Rewrite => DeleteHandling::Rewrite,
            DeleteArg::Drop => DeleteHandling::Drop,
        },
    });
    CaptureConfig {
        pg: PgConfig {
            url: args.pg.clone(),
            publication: args.publication.clone(),
            slot: args.slot.clone(),
            tables: args.tables.clone(),
            create: args.create,
        },
        events: EventConfig {
            topic_prefix: args.topic_prefix.clone(),
            database: String::new(),
            connector_version: DEBEZIUM_VERSION.to_string(),
            types,
            tombstones_on_delete: !args.no_tombstones,
        },
        unwrap,
        truncate: args.truncate,
        stop_after_idle: args.stop_after_idle.map(Duration::from_secs_f64),
        progress: (args.progress > 0.0).then(|| Duration::from_secs_f64(args.progress)),
        on_snapshot_row: None,
    }
}

/// A spinner for the initial snapshot: the table being read, its rows so far, and which table of how many.
fn snapshot_bar() -> (ProgressBar, SnapshotHook) {
    let bar = progress::counter("snapshot", "rows");
    let draw = bar.clone();
    let hook = SnapshotHook(Arc::new(move |tick: SnapshotTick<'_>| {
        if tick.table_rows == 1 {
            draw.set_position(0);
            draw.set_message(format!(
                "{} (table {}/{})",
                tick.table, tick.table_number, tick.tables
            ));
        }
        draw.set_position(tick.table_rows);
        if tick.last {
            draw.finish_and_clear();
        }
    }));
    (bar, hook)
}

fn capture_error(e: CaptureError) -> anyhow::Error {
    match e.hint() {
        Some(h) => with_hint(e.to_string(), &h),
        None => anyhow::Error::new(e),
    }
}

/// Run the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let cfg = args.connect.client_config()?;
    let format = match args.format {
        FormatArg::JsonSr => Format::JsonSr,
        FormatArg::Json => Format::Json,
        FormatArg::JsonSchemas => Format::JsonSchemas,
    };
    let registry = match format {
        Format::JsonSr => registry_client(&cfg)?,
        _ => None,
    };
    let encoder = Encoder::new(format, registry)
        .map_err(capture_error)?
        .with_numeric_decimals(args.numeric_decimals);
    let mut capture = config(&args);
    let (bar, hook) = snapshot_bar();
    capture.on_snapshot_row = Some(hook);
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let token = CancellationToken::new();
        let stop = token.clone();
        tokio::spawn(async move {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
            }
            eprintln!("capture: stopping (flushing, then confirming the last delivered LSN)");
            stop.cancel();
        });
        let counters = switchyard_capture::run(capture, &cfg, encoder, token).await.map_err(capture_error);
        bar.finish_and_clear();
        let counters = counters?;
        eprintln!("capture: done: {}", counters.line());
        Ok(ExitCode::SUCCESS)
    })
}
