//! PostgreSQL's ISO text forms of dates and times → Debezium's numbers and strings.
//!
//! Both the replication stream and the snapshot read values as text (`DateStyle=ISO`), and the
//! connection pins `TimeZone=UTC` so that `timestamptz` arrives with a `+00` offset; the offset is
//! still parsed, so another session zone would only change the text, never the instant.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// Parse `YYYY-MM-DD HH:MM:SS[.f][ BC]` (ISO: 1 BC is year 0).
fn parse_datetime(text: &str) -> Option<NaiveDateTime> {
    let (body, bc) = match text.strip_suffix(" BC") {
        Some(b) => (b, true),
        None => (text, false),
    };
    let dt = NaiveDateTime::parse_from_str(body, "%Y-%m-%d %H:%M:%S%.f").ok()?;
    if bc { dt.with_year(1 - dt.year()) } else { Some(dt) }
}

/// `timestamp` text → microseconds since the epoch.
pub fn timestamp_micros(text: &str) -> Option<i64> {
    let dt = parse_datetime(text)?;
    Some(dt.and_utc().timestamp_micros())
}

/// Split `…+02`, `…-05:30`, `…+00[ BC]` into the local part (with its era) and the offset in seconds.
fn split_offset(text: &str) -> Option<(String, i64)> {
    let text = text.trim();
    let (body, era) = match text.strip_suffix(" BC") {
        Some(b) => (b, " BC"),
        None => (text, ""),
    };
    let pos = body.rfind(['+', '-']).filter(|p| *p > 8)?;
    let (local, off) = body.split_at(pos);
    let sign = if off.starts_with('-') { -1 } else { 1 };
    let mut parts = off[1..].split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next().map_or(Some(0), |s| s.parse().ok())?;
    let s: i64 = parts.next().map_or(Some(0), |s| s.parse().ok())?;
    Some((format!("{local}{era}"), sign * (h * 3600 + m * 60 + s)))
}

/// `timestamptz` text → Debezium's `ZonedTimestamp`: UTC, ISO-8601, `digits` fractional digits, `Z`.
pub fn zoned_timestamp(text: &str, digits: i32) -> Option<String> {
    let (local, offset) = split_offset(text)?;
    let dt = parse_datetime(&local)? - chrono::Duration::seconds(offset);
    let mut out = dt.format("%Y-%m-%dT%H:%M:%S").to_string();
    if digits > 0 {
        let frac = format!("{:09}", dt.nanosecond());
        out.push('.');
        out.push_str(&frac[..usize::try_from(digits.min(9)).ok()?]);
    }
    out.push('Z');
    Some(out)
}

/// `date` text → days since the epoch.
pub fn date_days(text: &str) -> Option<i32> {
    let d = match text.strip_suffix(" BC") {
        Some(body) => {
            let d = NaiveDate::parse_from_str(body, "%Y-%m-%d").ok()?;
            d.with_year(1 - d.year())?
        }
        None => NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?,
    };
    i32::try_from((d - epoch()).num_days()).ok()
}

/// `time` text → microseconds since midnight (`24:00:00` is a day).
pub fn time_micros(text: &str) -> Option<i64> {
    if text.starts_with("24:00:00") {
        return Some(86_400_000_000);
    }
    let t = NaiveTime::parse_from_str(text, "%H:%M:%S%.f").ok()?;
    Some(i64::from(t.num_seconds_from_midnight()) * 1_000_000 + i64::from(t.nanosecond() / 1000))
}

/// `timetz` text → `ZonedTime` (`HH:MM:SS[.ffffff]Z` in UTC).
pub fn zoned_time(text: &str) -> Option<String> {
    let pos = text.rfind(['+', '-'])?;
    let (local, off) = text.split_at(pos);
    let sign = if off.starts_with('-') { -1 } else { 1 };
    let mut parts = off[1..].split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next().map_or(Some(0), |s| s.parse().ok())?;
    let t = NaiveTime::parse_from_str(local, "%H:%M:%S%.f").ok()?;
    let (t, _) = t.overflowing_sub_signed(chrono::Duration::seconds(sign * (h * 3600 + m * 60)));
    Some(format!("{}Z", t.format("%H:%M:%S%.f")))
}

/// `interval` text (`IntervalStyle=postgres`: `1 year 2 mons -3 days 04:05:06.5`) → Debezium's
/// `MicroDuration`: months count as 365.25 / 12 days, as `PostgresValueConverter` has it.
pub fn interval_micros(text: &str) -> Option<i64> {
    const DAYS_PER_MONTH: f64 = 365.25 / 12.0;
    let (mut years, mut months, mut days) = (0f64, 0f64, 0f64);
    let mut seconds = 0f64;
    let mut words = text.split_whitespace().peekable();
    while let Some(w) = words.next() {
        if w.contains(':') {
            let neg = w.starts_with('-');
            let mut parts = w.trim_start_matches(['-', '+']).split(':');
            let h: f64 = parts.next()?.parse().ok()?;
            let m: f64 = parts.next()?.parse().ok()?;
            let s: f64 = parts.next().map_or(Some(0.0), |s| s.parse().ok())?;
            let total = h * 3600.0 + m * 60.0 + s;
            seconds += if neg { -total } else { total };
            continue;
        }
        let n: f64 = w.parse().ok()?;
        match words.next()? {
            u if u.starts_with("year") => years += n,
            u if u.starts_with("mon") => months += n,
            u if u.starts_with("day") => days += n,
            _ => return None,
        }
    }
    let total_days = (years * 12.0 + months) * DAYS_PER_MONTH + days;
    let micros = (total_days * 86_400.0 + seconds) * 1e6;
    Some(micros as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_match_the_debezium_fixtures() {
        assert_eq!(
            timestamp_micros("2024-03-01 09:15:00.123456"),
            Some(1_709_284_500_123_456)
        );
        assert_eq!(
            timestamp_micros("2024-03-04 08:00:00.000001"),
            Some(1_709_539_200_000_001)
        );
        assert_eq!(
            zoned_timestamp("2024-01-02 01:04:05.5+00", 6).as_deref(),
            Some("2024-01-02T01:04:05.500000Z")
        );
        assert_eq!(
            zoned_timestamp("2024-01-02 03:04:05.5+02", 6).as_deref(),
            Some("2024-01-02T01:04:05.500000Z")
        );
        assert_eq!(
            zoned_timestamp("2024-03-02 17:45:30-05", 6).as_deref(),
            Some("2024-03-02T22:45:30.000000Z")
        );
        assert_eq!(date_days("2024-01-03"), Some(19725));
        assert_eq!(date_days("1969-12-31"), Some(-1));
        assert_eq!(time_micros("03:04:05.25"), Some(11_045_250_000));
        assert_eq!(interval_micros("00:00:01.5"), Some(1_500_000));
        assert_eq!(interval_micros("1 day -01:00:00"), Some(82_800_000_000));
        assert_eq!(interval_micros("1 mon"), Some(2_629_800_000_000));
        // 1 BC is ISO year 0
        assert!(date_days("0001-01-01 BC").is_some());
        assert_eq!(date_days("0001-01-01 BC"), date_days("0000-01-01"));
        assert_eq!(
            timestamp_micros("0001-01-01 00:00:00 BC"),
            timestamp_micros("0000-01-01 00:00:00")
        );
    }
}
