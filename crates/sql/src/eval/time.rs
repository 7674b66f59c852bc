//! Calendar arithmetic and the text forms of dates and times, in UTC (Switchyard's session time zone).
//!
//! Values are integers since the epoch (see [`crate::types`]); this module converts them to and from civil
//! dates with Howard Hinnant's algorithms, prints them the way Flink's `CAST(… AS STRING)` does, and
//! implements the Java `SimpleDateFormat`-style patterns that `DATE_FORMAT` and `TO_TIMESTAMP` take.

pub(crate) const MICROS_PER_SECOND: i64 = 1_000_000;
pub(crate) const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SECOND;

/// Days since 1970-01-01 of a civil date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of days since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub(crate) fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Truncates microseconds to a precision (0–6; higher keeps microseconds).
pub(crate) fn truncate_micros(micros: i64, precision: u8) -> i64 {
    if precision >= 6 {
        return micros;
    }
    let unit = 10i64.pow(6 - precision as u32);
    micros.div_euclid(unit) * unit
}

/// `yyyy-MM-dd`.
pub(crate) fn format_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `HH:mm:ss[.f…]` with `precision` fraction digits.
pub(crate) fn format_time(micros_of_day: i64, precision: u8) -> String {
    let secs = micros_of_day.div_euclid(MICROS_PER_SECOND);
    let frac = micros_of_day.rem_euclid(MICROS_PER_SECOND);
    let mut s = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    if precision > 0 {
        let digits = format!("{:06}", frac);
        let p = precision.min(6) as usize;
        s.push('.');
        s.push_str(&digits[..p]);
        for _ in 6..precision as usize {
            s.push('0');
        }
    }
    s
}

/// `yyyy-MM-dd HH:mm:ss[.f…]`, as Flink casts a `TIMESTAMP(p)` to a string.
pub(crate) fn format_timestamp(micros: i64, precision: u8) -> String {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let tod = micros.rem_euclid(MICROS_PER_DAY);
    format!("{} {}", format_date(days), format_time(tod, precision))
}

fn num(s: &str, what: &str) -> Result<i64, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{s}` is not a valid {what}"));
    }
    s.parse::<i64>()
        .map_err(|_| format!("`{s}` is not a valid {what}"))
}

/// Parses `yyyy-MM-dd` (also `yyyy-M-d`) into days since the epoch.
pub(crate) fn parse_date(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let err = || format!("'{s}' is not a date (expected yyyy-MM-dd)");
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let mut parts = body.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(err());
    };
    let y = num(y, "year").map_err(|_| err())? * if neg { -1 } else { 1 };
    if y.abs() > 999_999 {
        return Err(err());
    }
    let m = num(m, "month").map_err(|_| err())? as u32;
    let d = num(d, "day").map_err(|_| err())? as u32;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return Err(err());
    }
    Ok(days_from_civil(y, m, d))
}

/// Parses `HH:mm[:ss[.fffffffff]]` into microseconds of the day.
pub(crate) fn parse_time(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let err = || format!("'{s}' is not a time (expected HH:mm:ss[.SSS])");
    let (hms, frac) = match s.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let mut parts = hms.split(':');
    let h = parts
        .next()
        .map(|p| num(p, "hour"))
        .transpose()
        .map_err(|_| err())?
        .ok_or_else(err)?;
    let mi = parts
        .next()
        .map(|p| num(p, "minute"))
        .transpose()
        .map_err(|_| err())?
        .ok_or_else(err)?;
    let sec = parts
        .next()
        .map(|p| num(p, "second"))
        .transpose()
        .map_err(|_| err())?
        .unwrap_or(0);
    if parts.next().is_some() || h > 23 || mi > 59 || sec > 59 {
        return Err(err());
    }
    let mut micros = 0;
    if let Some(f) = frac {
        if f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let padded = format!("{f:0<6}");
        micros = num(&padded[..6], "fraction").map_err(|_| err())?;
    }
    Ok(((h * 60 + mi) * 60 + sec) * MICROS_PER_SECOND + micros)
}

/// Parses `yyyy-MM-dd[ HH:mm[:ss[.f…]]]` (also with `T`, and a trailing `Z` when `allow_zone`) into
/// microseconds since the epoch.
pub(crate) fn parse_timestamp(s: &str, allow_zone: bool) -> Result<i64, String> {
    let t = s.trim();
    let t = if allow_zone {
        t.strip_suffix('Z').unwrap_or(t)
    } else {
        t
    };
    let (date, time) = match t.find([' ', 'T']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let days = parse_date(date)
        .map_err(|_| format!("'{s}' is not a timestamp (expected yyyy-MM-dd HH:mm:ss[.SSS])"))?;
    let tod = match time {
        Some(tm) => parse_time(tm)
            .map_err(|_| format!("'{s}' is not a timestamp (expected yyyy-MM-dd HH:mm:ss[.SSS])"))?,
        None => 0,
    };
    Ok(days * MICROS_PER_DAY + tod)
}

/// Formats a timestamp with a Java `SimpleDateFormat`-style pattern (`yyyy-MM-dd HH:mm:ss.SSS`, quoted text in
/// `'…'`). Letters: `y M d H h m s S a E` (others are copied).
pub(crate) fn format_pattern(micros: i64, pattern: &str) -> String {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let tod = micros.rem_euclid(MICROS_PER_DAY);
    let (y, mo, d) = civil_from_days(days);
    let secs = tod / MICROS_PER_SECOND;
    let frac = tod % MICROS_PER_SECOND;
    let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            i += 1;
            if i < chars.len() && chars[i] == '\'' {
                out.push('\'');
                i += 1;
                continue;
            }
            while i < chars.len() && chars[i] != '\'' {
                out.push(chars[i]);
                i += 1;
            }
            i += 1;
            continue;
        }
        let mut n = 1;
        while i + n < chars.len() && chars[i + n] == c {
            n += 1;
        }
        i += n;
        let pad = |v: i64, n: usize| format!("{v:0n$}");
        match c {
            'y' | 'u' => out.push_str(&if n == 2 {
                pad(y.rem_euclid(100), 2)
            } else {
                pad(y, n)
            }),
            'M' => out.push_str(&pad(mo as i64, n)),
            'd' => out.push_str(&pad(d as i64, n)),
            'H' => out.push_str(&pad(h, n)),
            'h' => out.push_str(&pad(if h % 12 == 0 { 12 } else { h % 12 }, n)),
            'm' => out.push_str(&pad(mi, n)),
            's' => out.push_str(&pad(s, n)),
            'S' => {
                let digits = format!("{frac:06}");
                let mut f: String = digits.chars().take(n).collect();
                while f.len() < n {
                    f.push('0');
                }
                out.push_str(&f);
            }
            'a' => out.push_str(if h < 12 { "AM" } else { "PM" }),
            'E' => {
                const NAMES: [&str; 7] = [
                    "Thursday",
                    "Friday",
                    "Saturday",
                    "Sunday",
                    "Monday",
                    "Tuesday",
                    "Wednesday",
                ];
                let name = NAMES[days.rem_euclid(7) as usize];
                out.push_str(if n >= 4 { name } else { &name[..3] });
            }
            'D' => out.push_str(&pad(days - days_from_civil(y, 1, 1) + 1, n)),
            _ => {
                for _ in 0..n {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// Parses text with a Java-style pattern (see [`format_pattern`]) into a timestamp.
pub(crate) fn parse_pattern(text: &str, pattern: &str) -> Result<i64, String> {
    let err = || format!("'{text}' does not match the pattern '{pattern}'");
    let chars: Vec<char> = pattern.chars().collect();
    let input: Vec<char> = text.chars().collect();
    let (mut y, mut mo, mut d, mut h, mut mi, mut s, mut frac) =
        (1970i64, 1i64, 1i64, 0i64, 0i64, 0i64, 0i64);
    let mut pm: Option<bool> = None;
    let (mut i, mut j) = (0, 0);
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if input.get(j) != Some(&chars[i]) {
                    return Err(err());
                }
                i += 1;
                j += 1;
            }
            i += 1;
            continue;
        }
        let mut n = 1;
        while i + n < chars.len() && chars[i + n] == c {
            n += 1;
        }
        i += n;
        if c.is_ascii_alphabetic() {
            if c == 'a' {
                let rest: String = input[j.min(input.len())..].iter().take(2).collect();
                pm = Some(rest.eq_ignore_ascii_case("PM"));
                j += 2;
                continue;
            }
            // Numbers: take up to n digits when the next pattern char is a letter (adjacent fields), else all.
            let adjacent = i < chars.len() && chars[i].is_ascii_alphabetic();
            let start = j;
            while j < input.len() && input[j].is_ascii_digit() && (!adjacent || j - start < n) {
                j += 1;
            }
            let digits: String = input[start..j].iter().collect();
            if digits.is_empty() {
                return Err(err());
            }
            let v = digits.parse::<i64>().map_err(|_| err())?;
            match c {
                'y' | 'u' => y = if n == 2 && digits.len() == 2 { 2000 + v } else { v },
                'M' => mo = v,
                'd' => d = v,
                'H' | 'h' => h = v,
                'm' => mi = v,
                's' => s = v,
                'S' => {
                    let padded = format!("{digits:0<6}");
                    frac = padded[..6].parse::<i64>().map_err(|_| err())?;
                }
                _ => return Err(err()),
            }
        } else {
            for _ in 0..n {
                if input.get(j) != Some(&c) {
                    return Err(err());
                }
                j += 1;
            }
        }
    }
    if j != input.len() {
        return Err(err());
    }
    if let Some(pm) = pm {
        h = h % 12 + if pm { 12 } else { 0 };
    }
    if !(-999_999..=999_999).contains(&y)
        || !(1..=12).contains(&mo)
        || d < 1
        || d > days_in_month(y, mo as u32) as i64
        || h > 23
        || mi > 59
        || s > 59
    {
        return Err(err());
    }
    let days = days_from_civil(y, mo as u32, d as u32);
    Ok(days * MICROS_PER_DAY + ((h * 60 + mi) * 60 + s) * MICROS_PER_SECOND + frac)
}

/// Parses an interval literal's text for its unit (`'5' SECOND`, `'1-2' YEAR TO MONTH`,
/// `'1 02:03:04.5' DAY TO SECOND`) into (months, microseconds).
pub(crate) fn parse_interval(value: &str, unit: &str) -> Result<(i64, i64), String> {
    let err = || format!("INTERVAL '{value}' {unit} is not a valid interval");
    let v = value.trim();
    let (neg, v) = match v.strip_prefix('-') {
        Some(rest) => (true, rest.trim()),
        None => (false, v.strip_prefix('+').unwrap_or(v).trim()),
    };
    let sign = if neg { -1 } else { 1 };
    let (start, end) = match unit.split_once(" TO ") {
        Some((a, b)) => (a, b),
        None => (unit, unit),
    };
    let int = |s: &str| s.trim().parse::<i64>().map_err(|_| err());
    match (start, end) {
        ("YEAR", "YEAR") => Ok((sign * int(v)?.checked_mul(12).ok_or_else(err)?, 0)),
        ("QUARTER", "QUARTER") => Ok((sign * int(v)?.checked_mul(3).ok_or_else(err)?, 0)),
        ("MONTH", "MONTH") => Ok((sign * int(v)?, 0)),
        ("YEAR", "MONTH") => {
            let (y, m) = v.split_once('-').ok_or_else(err)?;
            let months = int(y)?
                .checked_mul(12)
                .and_then(|y| y.checked_add(int(m).ok()?))
                .ok_or_else(err)?;
            Ok((sign * months, 0))
        }
        ("WEEK", "WEEK") => Ok((0, sign * int(v)?.checked_mul(7 * MICROS_PER_DAY).ok_or_else(err)?)),
        _ => {
            const UNITS: [(&str, i64); 4] = [
                ("DAY", MICROS_PER_DAY),
                ("HOUR", 3_600_000_000),
                ("MINUTE", 60_000_000),
                ("SECOND", 1_000_000),
            ];
            let from = UNITS.iter().position(|(u, _)| *u == start).ok_or_else(err)?;
            let to = UNITS.iter().position(|(u, _)| *u == end).ok_or_else(err)?;
            if to < from {
                return Err(err());
            }
            let parts: Vec<&str> = v.split([' ', ':']).filter(|p| !p.is_empty()).collect();
            if parts.len() != to - from + 1 {
                return Err(err());
            }
            let mut micros = 0i64;
            for (i, part) in parts.iter().enumerate() {
                let scale = UNITS[from + i].1;
                if from + i == 3 || (i == parts.len() - 1 && part.contains('.')) {
                    let f: f64 = part.parse().map_err(|_| err())?;
                    micros += (f * scale as f64).round() as i64;
                } else {
                    micros = int(part)?
                        .checked_mul(scale)
                        .and_then(|x| micros.checked_add(x))
                        .ok_or_else(err)?;
                }
            }
            Ok((0, sign * micros))
        }
    }
}
