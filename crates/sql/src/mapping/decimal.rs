//! Exact `DECIMAL` conversions.
//!
//! Connect's `Decimal` travels as base64 of the unscaled value in big-endian two's complement, with the
//! scale in the schema's `connect.parameters.scale` (or as a plain JSON number with
//! `decimal.format=NUMERIC`); Debezium's `VariableScaleDecimal` carries its own scale. Both, and plain JSON
//! numbers (whose exact digits `serde_json`'s `arbitrary_precision` keeps), become a
//! [`Decimal`] that must fit the declared `DECIMAL(p, s)` without rounding: a value that would need
//! rounding or more integer digits is an error, never silently changed.
//!
//! `rust_decimal` holds 96-bit mantissas (28–29 significant digits) and scales up to 28; wider values
//! are reported rather than approximated.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::types::Decimal;

/// Why a decimal did not convert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecimalError {
    /// The text is not base64 / not a number.
    Malformed(String),
    /// More digits than Switchyard's 96-bit decimal holds.
    TooWide(String),
    /// Needs rounding to fit the scale.
    Rounding(String),
    /// Too many integer digits for the precision.
    Overflow(String),
}

impl std::fmt::Display for DecimalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecimalError::Malformed(m)
            | DecimalError::TooWide(m)
            | DecimalError::Rounding(m)
            | DecimalError::Overflow(m) => f.write_str(m),
        }
    }
}

/// Decode big-endian two's-complement bytes into an `i128`.
pub fn unscaled_from_bytes(bytes: &[u8]) -> Result<i128, DecimalError> {
    if bytes.is_empty() {
        return Ok(0);
    }
    // Drop redundant sign-extension bytes so that wide but small values still fit.
    let negative = bytes[0] & 0x80 != 0;
    let pad = if negative { 0xff } else { 0x00 };
    let mut start = 0;
    while start + 1 < bytes.len() && bytes[start] == pad && (bytes[start + 1] & 0x80 != 0) == negative {
        start += 1;
    }
    let bytes = &bytes[start..];
    if bytes.len() > 16 {
        return Err(DecimalError::TooWide(format!(
            "unscaled value of {} bytes exceeds 128 bits",
            bytes.len()
        )));
    }
    let mut value: i128 = if negative { -1 } else { 0 };
    for b in bytes {
        value = (value << 8) | i128::from(*b);
    }
    Ok(value)
}

/// Big-endian two's-complement bytes of an `i128`, minimal length (as Java's `BigInteger.toByteArray`).
pub fn unscaled_to_bytes(value: i128) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let negative = value < 0;
    let pad = if negative { 0xff } else { 0x00 };
    let mut start = 0;
    while start + 1 < bytes.len() && bytes[start] == pad && (bytes[start + 1] & 0x80 != 0) == negative {
        start += 1;
    }
    bytes[start..].to_vec()
}

/// A decimal from an unscaled value and a scale.
pub fn from_unscaled(unscaled: i128, scale: u32) -> Result<Decimal, DecimalError> {
    Decimal::try_from_i128_with_scale(unscaled, scale)
        .map_err(|_| DecimalError::TooWide(format!("{unscaled}E-{scale} exceeds 28 significant digits")))
}

/// A Connect `Decimal` in base64 with the schema's scale.
pub fn from_base64(text: &str, scale: u32) -> Result<Decimal, DecimalError> {
    let bytes = STANDARD
        .decode(text)
        .map_err(|e| DecimalError::Malformed(format!("\"{text}\" is not base64: {e}")))?;
    from_unscaled(unscaled_from_bytes(&bytes)?, scale)
}

/// A decimal from the exact text of a JSON number (`12.50`, `-1e3`, `9.99999999999E9`).
pub fn from_number_text(text: &str) -> Result<Decimal, DecimalError> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => {
            let exp: i64 = text[i + 1..]
                .parse()
                .map_err(|_| DecimalError::Malformed(format!("\"{text}\" is not a number")))?;
            (&text[..i], exp)
        }
        None => (text, 0),
    };
    let (negative, digits) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    if int_part.is_empty() && frac_part.is_empty()
        || !int_part
            .bytes()
            .chain(frac_part.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return Err(DecimalError::Malformed(format!("\"{text}\" is not a number")));
    }
    let all: String = format!("{int_part}{frac_part}");
    let all = all.trim_start_matches('0');
    let mut scale = (frac_part.len() as i64)
        .checked_sub(exponent)
        .filter(|s| (-40..=10_000).contains(s))
        .ok_or_else(|| DecimalError::TooWide(format!("{text} is out of the decimal range")))?;
    let mut digits = all.to_owned();
    if scale < 0 {
        digits.extend(std::iter::repeat_n('0', (-scale) as usize));
        scale = 0;
    }
    // Trailing zeros beyond what the 28-digit scale can hold are dropped exactly.
    while scale > 28 && digits.ends_with('0') {
        digits.pop();
        scale -= 1;
    }
    if scale > 28 || digits.len() > 38 {
        return Err(DecimalError::TooWide(format!(
            "{text} has more digits than a 28-digit decimal holds"
        )));
    }
    let unscaled: i128 = if digits.is_empty() {
        0
    } else {
        digits
            .parse()
            .map_err(|_| DecimalError::TooWide(format!("{text} is too wide")))?
    };
    from_unscaled(if negative { -unscaled } else { unscaled }, scale as u32)
}

/// Rescale `value` to exactly `scale` digits and check it has at most `precision - scale` integer
/// digits. Never rounds.
pub fn fit(value: Decimal, precision: u8, scale: u8) -> Result<Decimal, DecimalError> {
    let scale = u32::from(scale);
    if scale > 28 {
        return Err(DecimalError::TooWide(format!(
            "scale {scale} exceeds the 28 Switchyard supports"
        )));
    }
    let mut r = value;
    if r.scale() > scale {
        let normalized = r.normalize();
        if normalized.scale() > scale {
            return Err(DecimalError::Rounding(format!(
                "{value} has more than {scale} fractional digits"
            )));
        }
        r = normalized;
    }
    r.rescale(scale);
    if r != value || r.scale() != scale {
        return Err(DecimalError::Overflow(format!(
            "{value} does not fit DECIMAL({precision}, {scale})"
        )));
    }
    let limit = 10u128.checked_pow(u32::from(precision)).unwrap_or(u128::MAX);
    if r.mantissa().unsigned_abs() >= limit {
        return Err(DecimalError::Overflow(format!(
            "{value} has more than {} integer digits (DECIMAL({precision}, {scale}))",
            u32::from(precision).saturating_sub(scale)
        )));
    }
    Ok(r)
}

/// Exact JSON number text of a decimal (plain notation, scale kept: `12.50`).
pub fn to_number_text(value: &Decimal) -> String {
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn base64_two_complement() {
        // Debezium fixture: numeric(10,2) 12.50 → "BOI=" (0x04e2 = 1250).
        assert_eq!(from_base64("BOI=", 2).unwrap(), d("12.50"));
        assert_eq!(from_base64("Jw8=", 2).unwrap(), d("99.99"));
        assert_eq!(from_base64("BQ==", 2).unwrap(), d("0.05"));
        assert_eq!(from_base64("/w==", 0).unwrap(), d("-1"));
        assert_eq!(from_base64("AA==", 3).unwrap(), d("0.000"));
        assert!(matches!(from_base64("!!", 0), Err(DecimalError::Malformed(_))));
        for v in [
            0i128,
            1,
            -1,
            127,
            128,
            -128,
            -129,
            255,
            256,
            i64::MAX as i128,
            -(1i128 << 95),
        ] {
            assert_eq!(unscaled_from_bytes(&unscaled_to_bytes(v)).unwrap(), v, "{v}");
        }
        assert_eq!(unscaled_to_bytes(1250), vec![0x04, 0xe2]);
        assert_eq!(unscaled_to_bytes(128), vec![0x00, 0x80]);
        assert_eq!(unscaled_to_bytes(-129), vec![0xff, 0x7f]);
        // sign-extended wide encodings still decode
        let mut wide = vec![0xffu8; 20];
        wide[19] = 0xfe;
        assert_eq!(unscaled_from_bytes(&wide).unwrap(), -2);
    }

    #[test]
    fn number_text_exact() {
        assert_eq!(from_number_text("12.50").unwrap().to_string(), "12.50");
        assert_eq!(from_number_text("-1e3").unwrap(), d("-1000"));
        assert_eq!(from_number_text("9.99999999999E9").unwrap(), d("9999999999.99"));
        assert_eq!(from_number_text("1.5e-3").unwrap(), d("0.0015"));
        assert_eq!(from_number_text("0").unwrap(), d("0"));
        assert!(from_number_text("abc").is_err());
        assert!(from_number_text("1e-40").is_err());
        assert!(from_number_text("1e999999999").is_err());
        assert!(from_number_text("1e-9223372036854775808").is_err());
        assert!(from_number_text("1e9223372036854775807").is_err());
        assert!(from_number_text("123456789012345678901234567890123").is_err());
    }

    #[test]
    fn fitting_never_rounds() {
        assert_eq!(fit(d("12.5"), 10, 2).unwrap().to_string(), "12.50");
        assert_eq!(fit(d("12.500"), 10, 2).unwrap().to_string(), "12.50");
        assert!(matches!(fit(d("12.345"), 10, 2), Err(DecimalError::Rounding(_))));
        assert!(matches!(fit(d("123.4"), 4, 2), Err(DecimalError::Overflow(_))));
        assert_eq!(fit(d("99.99"), 4, 2).unwrap(), d("99.99"));
        assert_eq!(fit(d("-99.99"), 4, 2).unwrap(), d("-99.99"));
        assert!(fit(d("100"), 4, 2).is_err());
    }
}
