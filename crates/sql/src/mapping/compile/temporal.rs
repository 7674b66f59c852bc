//! Planning the temporal conversions: what an epoch count, a day count or a timestamp text in the
//! writer's encoding becomes in `DATE`, `TIME(p)`, `TIMESTAMP(p)` and `TIMESTAMP_LTZ(p)`, and which
//! fractional-second digits a declared precision would have to drop (those values fail rather than
//! being truncated).

use serde_json::Value as Json;

use super::{Plan, PlanError, natural_or, refuse};
use crate::mapping::read::{Op, ReadOptions, TempSrc};
use crate::mapping::schema::{Kind, Temporal, Writer, title};
use crate::mapping::temporal::TimestampFormat;

pub(super) fn plan_date(
    col: &str,
    w: Option<&Writer<'_>>,
    opts: &ReadOptions,
    from: &str,
) -> Result<Plan, PlanError> {
    let kind = w.map(|w| &w.kind);
    match kind {
        None => Ok(Plan::new(
            Op::Date {
                src: TempSrc::Text(opts.timestamp_format, None),
            },
            "",
        )
        .described("text 'yyyy-MM-dd' → DATE")),
        Some(Kind::Temporal(Temporal::EpochDays)) => Ok(Plan::new(
            Op::Date {
                src: TempSrc::Units(1),
            },
            "",
        )
        .described(format!(
            "{} (days since epoch) → DATE",
            w.and_then(|w| title(w.schema)).unwrap_or("date")
        ))),
        Some(Kind::String { .. }) => Ok(Plan::new(
            Op::Date {
                src: TempSrc::Text(opts.timestamp_format, None),
            },
            "",
        )
        .described(format!("{from} 'yyyy-MM-dd' → DATE"))
        .lossy(
            "strings that are not 'yyyy-MM-dd' fail",
            format!("declare `{col}` STRING and use TO_DATE"),
        )),
        Some(Kind::Temporal(t)) if t.is_instant() => refuse(
            format!("{from} is a point in time, not a date"),
            format!(
                "declare `{col}` {} and use CAST(… AS DATE) in the query",
                natural_or(w)
            ),
        ),
        Some(Kind::Int { .. }) => refuse(
            format!("{from} has no date annotation: its unit is unknown"),
            format!(
                "declare `{col}` {} and convert it in the query (e.g. TO_DATE, DATE_ADD)",
                natural_or(w)
            ),
        ),
        Some(_) => refuse(
            format!("{from} is not a date"),
            format!("declare `{col}` {}", natural_or(w)),
        ),
    }
}

pub(super) fn plan_time(
    col: &str,
    w: Option<&Writer<'_>>,
    p: u8,
    opts: &ReadOptions,
    from: &str,
    to: &str,
) -> Result<Plan, PlanError> {
    let kind = w.map(|w| &w.kind);
    match kind {
        None => Ok(Plan::new(
            Op::Time {
                precision: p,
                src: TempSrc::Text(opts.timestamp_format, None),
            },
            format!("declare `{col}` TIME(6)"),
        )
        .described(format!("text 'HH:mm:ss[.f]' → {to}"))),
        Some(Kind::Temporal(t)) if t.is_time_of_day() => {
            let unit = match t {
                Temporal::MillisOfDay => 1_000_000,
                Temporal::MicrosOfDay => 1000,
                _ => 1,
            };
            let plan = Plan::new(
                Op::Time {
                    precision: p,
                    src: TempSrc::Units(unit),
                },
                "",
            )
            .described(format!(
                "{} ({}) → {to}",
                w.and_then(|w| title(w.schema)).unwrap_or("time"),
                t.unit()
            ));
            Ok(if p.min(6) < t.digits() {
                plan.lossy(
                    format!(
                        "values with more than {p} fractional-second digits fail (the writer has {})",
                        t.digits()
                    ),
                    format!("declare `{col}` TIME({})", t.digits().min(6)),
                )
            } else {
                plan
            })
        }
        Some(Kind::String { .. }) => Ok(Plan::new(
            Op::Time {
                precision: p,
                src: TempSrc::Text(opts.timestamp_format, None),
            },
            "",
        )
        .described(format!("{from} 'HH:mm:ss[.f]' → {to}"))
        .lossy(
            "strings that are not 'HH:mm:ss[.f]' fail",
            format!("declare `{col}` STRING"),
        )),
        Some(_) => refuse(
            format!("{from} is not a time of day"),
            format!("declare `{col}` {}", natural_or(w)),
        ),
    }
}

pub(super) fn plan_timestamp(
    col: &str,
    w: Option<&Writer<'_>>,
    p: u8,
    ltz: bool,
    opts: &ReadOptions,
    from: &str,
    to: &str,
) -> Result<Plan, PlanError> {
    let kind = w.map(|w| &w.kind);
    let op = |src| Op::Timestamp {
        precision: p,
        ltz,
        src,
    };
    match kind {
        None => {
            let fmt = match opts.timestamp_format {
                TimestampFormat::Sql => "yyyy-MM-dd HH:mm:ss[.f]",
                TimestampFormat::Iso8601 => "yyyy-MM-ddTHH:mm:ss[.f]",
            };
            Ok(Plan::new(
                op(TempSrc::Text(opts.timestamp_format, Some(ltz))),
                format!(
                    "declare `{col}` {}(6) or fix the text format",
                    if ltz { "TIMESTAMP_LTZ" } else { "TIMESTAMP" }
                ),
            )
            .described(format!("text '{fmt}{}' → {to}", if ltz { "Z" } else { "" })))
        }
        Some(Kind::Temporal(t)) if t.is_instant() => {
            let t = *t;
            let name = w.and_then(|w| title(w.schema)).unwrap_or("timestamp");
            if t == Temporal::ZonedText && !ltz {
                return refuse(
                    format!("{from} is an instant; reading it as a zone-less TIMESTAMP needs a time zone"),
                    format!("declare `{col}` TIMESTAMP_LTZ(6) (or STRING, as Confluent Cloud infers it)"),
                );
            }
            let (src, unit_words) = match t {
                Temporal::EpochMillis => (TempSrc::Units(1_000_000), "ms since epoch"),
                Temporal::EpochMicros => (TempSrc::Units(1000), "µs since epoch"),
                Temporal::EpochNanos => (TempSrc::Units(1), "ns since epoch"),
                _ => (TempSrc::Zoned, "ISO-8601 with zone"),
            };
            // Wall-clock encodings (Debezium's timestamp without time zone; Connect Timestamp marked
            // flink.type=timestamp) read into an instant type as UTC.
            let wall = match t {
                Temporal::EpochMillis => {
                    name != crate::mapping::schema::CONNECT_TIMESTAMP
                        || w.and_then(|w| w.schema.get("flink.type")).and_then(Json::as_str)
                            == Some("timestamp")
                }
                Temporal::ZonedText => false,
                _ => true,
            };
            let note = match (wall, ltz) {
                (true, true) => " (the wall-clock reading taken as UTC)",
                (false, false) => " (the instant's UTC wall clock)",
                _ => "",
            };
            let plan = Plan::new(op(src), "").described(format!("{name} ({unit_words}) → {to}{note}"));
            let digits = if t == Temporal::ZonedText { 6 } else { t.digits() };
            Ok(if p.min(6) < digits {
                let fix = match t {
                    Temporal::EpochMicros => format!(
                        "declare `{col}` {}(6), or declare it BIGINT and use TO_TIMESTAMP_LTZ(`{col}` / 1000, 3)",
                        if ltz { "TIMESTAMP_LTZ" } else { "TIMESTAMP" }
                    ),
                    Temporal::EpochNanos => {
                        format!("declare `{col}` BIGINT and use TO_TIMESTAMP_LTZ(`{col}` / 1000000, 3)")
                    }
                    _ => format!(
                        "declare `{col}` {}({})",
                        if ltz { "TIMESTAMP_LTZ" } else { "TIMESTAMP" },
                        digits.min(6)
                    ),
                };
                plan.lossy(
                    format!("{name} carries {digits} fractional-second digits; values with more than {p} fail instead of being truncated"),
                    fix,
                )
            } else {
                plan
            })
        }
        Some(Kind::String { .. }) => {
            let plan = Plan::new(op(TempSrc::Text(opts.timestamp_format, Some(ltz))), "")
                .described(format!("{from} timestamp text → {to}"));
            Ok(plan.lossy(
                "strings not in the timestamp format fail",
                format!("declare `{col}` STRING and use TO_TIMESTAMP"),
            ))
        }
        Some(Kind::Temporal(Temporal::EpochDays)) => refuse(
            format!("{from} is a date, not a point in time"),
            format!("declare `{col}` DATE and use CAST(`{col}` AS {to}) in the query"),
        ),
        Some(Kind::Int { .. }) => refuse(
            format!("{from} has no timestamp annotation: its unit (s, ms, µs) is unknown"),
            format!(
                "declare `{col}` {} and use TO_TIMESTAMP_LTZ(`{col}`, 3) (ms) or TO_TIMESTAMP_LTZ(`{col}`, 0) (s)",
                natural_or(w)
            ),
        ),
        Some(_) => refuse(
            format!("{from} is not a timestamp"),
            format!("declare `{col}` {}", natural_or(w)),
        ),
    }
}
