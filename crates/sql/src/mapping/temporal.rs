//! Calendar arithmetic and the text formats of Flink's `json` format, without a date library.
//!
//! Flink keeps `DATE` as days since 1970-01-01, `TIME` as microseconds of the day and `TIMESTAMP` /
//! `TIMESTAMP_LTZ` as microseconds since the epoch (see [`crate::types`]). Connect and Debezium encode
//! the same instants as integers in other units or as ISO-8601 text; Flink's `json` format writes
//! `yyyy-MM-dd HH:mm:ss[.f…]` (`SQL`) or `yyyy-MM-ddTHH:mm:ss[.f…]` (`ISO-8601`), with a `Z` for
//! `TIMESTAMP_LTZ`. The proleptic Gregorian conversions are Howard Hinnant's `days_from_civil` /
//! `civil_from_days`, exact for every date Flink supports (years 0000–9999).

/// `json.timestamp-format.standard` of Flink's `json` format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimestampFormat {
    /// `yyyy-MM-dd HH:mm:ss.f…` (Flink's default).
    #[default]
    Sql,
    /// `yyyy-MM-ddTHH:mm:ss.f…`.
    Iso8601,
}

/// Microseconds per day.
pub const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of days since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// A small cursor over ASCII text.
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let end = self.i.checked_add(n)?;
        let part = self.s.get(self.i..end)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.i = end;
        Some(part.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn done(&self) -> bool {
        self.i == self.s.len()
    }

    /// `.f…` (1–9 digits): (nanoseconds, digits given).
    fn fraction(&mut self) -> Option<(u32, u8)> {
        if !self.eat(b'.') {
            return Some((0, 0));
        }
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let n = self.i - start;
        if n == 0 || n > 9 {
            return None;
        }
        let mut value = 0u32;
        for d in &self.s[start..self.i] {
            value = value * 10 + u32::from(d - b'0');
        }
        Some((value * 10u32.pow(9 - n as u32), n as u8))
    }

    fn date(&mut self) -> Option<i64> {
        let y = self.digits(4)?;
        if !self.eat(b'-') {
            return None;
        }
        let m = self.digits(2)?;
        if !self.eat(b'-') {
            return None;
        }
        let d = self.digits(2)?;
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(i64::from(y), m) {
            return None;
        }
        Some(days_from_civil(i64::from(y), m, d))
    }

    /// `HH:mm[:ss[.f…]]` → nanoseconds of the day.
    fn time(&mut self) -> Option<i64> {
        let h = self.digits(2)?;
        if !self.eat(b':') {
            return None;
        }
        let m = self.digits(2)?;
        let s = if self.eat(b':') { self.digits(2)? } else { 0 };
        if h > 23 || m > 59 || s > 59 {
            return None;
        }
        let (nanos, _) = self.fraction()?;
        Some((i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s)) * 1_000_000_000 + i64::from(nanos))
    }

    /// `Z`, `+HH:mm`, `+HHmm`, `+HH` → offset seconds east of UTC.
    fn offset(&mut self) -> Option<i64> {
        match self.peek()? {
            b'Z' | b'z' => {
                self.i += 1;
                Some(0)
            }
            sign @ (b'+' | b'-') => {
                self.i += 1;
                let h = self.digits(2)?;
                let m = if self.eat(b':') {
                    self.digits(2)?
                } else {
                    self.digits(2).unwrap_or(0)
                };
                if h > 18 || m > 59 {
                    return None;
                }
                let secs = i64::from(h) * 3600 + i64::from(m) * 60;
                Some(if sign == b'-' { -secs } else { secs })
            }
            _ => None,
        }
    }
}

/// Parse `yyyy-MM-dd` → days since 1970-01-01.
pub fn parse_date(text: &str) -> Option<i32> {
    let mut c = Cursor {
        s: text.as_bytes(),
        i: 0,
    };
    let days = c.date()?;
    if !c.done() {
        return None;
    }
    i32::try_from(days).ok()
}

/// Parse `HH:mm:ss[.f…]` → nanoseconds of the day.
pub fn parse_time(text: &str) -> Option<i64> {
    let mut c = Cursor {
        s: text.as_bytes(),
        i: 0,
    };
    let t = c.time()?;
    c.done().then_some(t)
}

/// Parse a timestamp in Flink `json` text → nanoseconds since the epoch (of the wall clock, or of
/// the instant when the text has a zone). `separator` is `' '` for [`TimestampFormat::Sql`] and `'T'`
/// for ISO; `zone` says whether a `Z`/offset suffix is required (`Some(true)`), forbidden
/// (`Some(false)`) or optional (`None`).
pub fn parse_timestamp(text: &str, format: TimestampFormat, zone: Option<bool>) -> Option<i128> {
    let mut c = Cursor {
        s: text.as_bytes(),
        i: 0,
    };
    let days = c.date()?;
    let sep = match format {
        TimestampFormat::Sql => b' ',
        TimestampFormat::Iso8601 => b'T',
    };
    if !c.eat(sep) {
        return None;
    }
    let nanos = c.time()?;
    let offset = if c.done() {
        if zone == Some(true) {
            return None;
        }
        0
    } else {
        if zone == Some(false) {
            return None;
        }
        c.offset()?
    };
    if !c.done() {
        return None;
    }
    Some(i128::from(days) * 86_400_000_000_000 + i128::from(nanos) - i128::from(offset) * 1_000_000_000)
}

/// Parse an ISO-8601 instant with a zone (`2024-01-02T01:04:05.500000Z`, `…+02:00`), as Debezium's
/// `ZonedTimestamp` writes it → nanoseconds since the epoch.
pub fn parse_iso_instant(text: &str) -> Option<i128> {
    parse_timestamp(text, TimestampFormat::Iso8601, Some(true))
}

/// The number of sub-second digits a nanosecond count needs (0, 3, 6 or 9 rounded up to what is
/// non-zero: 0..=9).
pub fn needed_digits(nanos_of_second: i64) -> u8 {
    let mut n = nanos_of_second.rem_euclid(1_000_000_000);
    if n == 0 {
        return 0;
    }
    let mut digits = 9;
    while n % 10 == 0 {
        n /= 10;
        digits -= 1;
    }
    digits
}

/// `yyyy-MM-dd`.
pub fn format_date(days: i32) -> String {
    let (y, m, d) = civil_from_days(i64::from(days));
    format!("{y:04}-{m:02}-{d:02}")
}

fn push_fraction(out: &mut String, micros_of_second: i64) {
    if micros_of_second != 0 {
        let digits = format!("{micros_of_second:06}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
}

/// `HH:mm:ss[.f…]` of microseconds of the day (fraction only when non-zero, trailing zeros dropped,
/// as `DateTimeFormatter.appendFraction(NANO_OF_SECOND, 0, 9, true)` prints it).
pub fn format_time(micros_of_day: i64) -> String {
    let secs = micros_of_day.div_euclid(1_000_000);
    let mut out = format!("{:02}:{:02}:{:02}", secs / 3600, (secs / 60) % 60, secs % 60);
    push_fraction(&mut out, micros_of_day.rem_euclid(1_000_000));
    out
}

/// A timestamp (µs since the epoch) as Flink's `json` format writes it; `ltz` appends `Z`.
pub fn format_timestamp(micros: i64, format: TimestampFormat, ltz: bool) -> String {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let of_day = micros.rem_euclid(MICROS_PER_DAY);
    let sep = match format {
        TimestampFormat::Sql => ' ',
        TimestampFormat::Iso8601 => 'T',
    };
    let (y, m, d) = civil_from_days(days);
    let mut out = format!("{y:04}-{m:02}-{d:02}{sep}{}", format_time(of_day));
    if ltz {
        out.push('Z');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 1, 3), 19725);
        assert_eq!(civil_from_days(19725), (2024, 1, 3));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        for d in (-800_000..3_000_000).step_by(997) {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn parses_dates_times_and_timestamps() {
        assert_eq!(parse_date("2024-01-03"), Some(19725));
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("2024-1-3"), None);
        assert_eq!(parse_time("10:00:01.5"), Some(36_001_500_000_000));
        assert_eq!(parse_time("24:00:00"), None);
        let ts = parse_timestamp("2024-03-01 09:15:00.123456", TimestampFormat::Sql, Some(false));
        assert_eq!(ts, Some(1_709_284_500_123_456_000));
        assert_eq!(
            parse_timestamp("2024-03-01T09:15:00.123456", TimestampFormat::Sql, None),
            None
        );
        assert_eq!(
            parse_iso_instant("2024-01-02T01:04:05.500000Z"),
            Some(1_704_157_445_500_000_000)
        );
        assert_eq!(
            parse_iso_instant("2024-01-02T03:04:05.5+02:00"),
            Some(1_704_157_445_500_000_000)
        );
        assert_eq!(parse_iso_instant("2024-01-02T01:04:05.5"), None);
    }

    #[test]
    fn formats_like_flink() {
        assert_eq!(format_date(19725), "2024-01-03");
        assert_eq!(format_time(36_001_500_000), "10:00:01.5");
        assert_eq!(format_time(0), "00:00:00");
        assert_eq!(
            format_timestamp(1_709_284_500_123_456, TimestampFormat::Sql, false),
            "2024-03-01 09:15:00.123456"
        );
        assert_eq!(
            format_timestamp(-1, TimestampFormat::Iso8601, true),
            "1969-12-31T23:59:59.999999Z"
        );
        assert_eq!(needed_digits(500_000_000), 1);
        assert_eq!(needed_digits(123_456_000), 6);
        assert_eq!(needed_digits(0), 0);
    }
}
