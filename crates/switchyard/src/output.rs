//! How errors and hints reach the user: `error: …` then `hint: …` on stderr, as uv does.

/// A hint attached to an error with `.context(Hint(..))`-free style: errors whose chain contains a [`Hint`]
/// print it after the error.
#[derive(Debug)]
pub struct Hint(pub String);

impl std::fmt::Display for Hint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Hint {}

/// Return an error made of a message and a hint.
pub fn with_hint(message: impl std::fmt::Display, hint: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Hint(hint.into())).context(message.to_string())
}

/// An error already rendered for the terminal, `error:` lines included (SQL errors with their carets).
#[derive(Debug)]
pub struct Rendered(pub String);

impl std::fmt::Display for Rendered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Rendered {}

/// Print an error chain as `error: …`, `  caused by: …`, and any hint last.
pub fn print_error(err: &anyhow::Error) {
    if let Some(r) = err.downcast_ref::<Rendered>() {
        eprintln!("{r}");
        return;
    }
    let mut hint = None;
    eprintln!("error: {err}");
    for cause in err.chain().skip(1) {
        if let Some(h) = cause.downcast_ref::<Hint>() {
            hint = Some(h.0.clone());
        } else {
            eprintln!("  caused by: {cause}");
        }
    }
    if let Some(h) = hint {
        eprintln!("\nhint: {h}");
    }
}

/// Format milliseconds since the epoch as RFC 3339 UTC (`2024-03-01T09:15:00.123Z`).
pub fn format_timestamp_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 → (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_format_as_rfc3339() {
        assert_eq!(format_timestamp_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_timestamp_ms(1_709_284_500_123), "2024-03-01T09:15:00.123Z");
        assert_eq!(format_timestamp_ms(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(format_timestamp_ms(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}
