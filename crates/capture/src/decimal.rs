//! PostgreSQL `numeric` text → the unscaled two's-complement big-endian integer Connect's `Decimal`
//! (and Debezium's `VariableScaleDecimal`) carry, without a big-integer dependency: the digits are
//! converted to base 256 by repeated division, which is plenty fast for column-sized numbers.

/// Parse `-123.4500` into (unscaled bytes, scale). With `scale` given the value is rescaled to it
/// (PostgreSQL already prints `numeric(p,s)` with exactly `s` digits); without, the printed scale is
/// kept. Returns `None` for text that is not a finite decimal (`NaN`, `Infinity`).
pub fn unscaled(text: &str, scale: Option<i32>) -> Option<(Vec<u8>, i32)> {
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut digits: Vec<u8> = Vec::with_capacity(body.len());
    for c in int_part.chars().chain(frac_part.chars()) {
        digits.push(c.to_digit(10)? as u8);
    }
    let printed = i32::try_from(frac_part.len()).ok()?;
    let scale = scale.unwrap_or(printed);
    if scale > printed {
        digits.extend(std::iter::repeat_n(0, usize::try_from(scale - printed).ok()?));
    } else if scale < printed {
        digits.truncate(digits.len() - usize::try_from(printed - scale).ok()?);
    }
    Some((twos_complement(&digits, neg), scale))
}

/// Decimal digits (most significant first) and a sign → minimal two's-complement big-endian bytes.
fn twos_complement(digits: &[u8], neg: bool) -> Vec<u8> {
    // base-256 magnitude, least significant first
    let mut mag: Vec<u8> = Vec::new();
    let mut num: Vec<u8> = digits.iter().copied().skip_while(|d| *d == 0).collect();
    while !num.is_empty() {
        let mut rem: u32 = 0;
        let mut next = Vec::with_capacity(num.len());
        for d in &num {
            let cur = rem * 10 + u32::from(*d);
            let q = cur / 256;
            rem = cur % 256;
            if !(next.is_empty() && q == 0) {
                next.push(q as u8);
            }
        }
        mag.push(rem as u8);
        num = next;
    }
    if mag.is_empty() {
        return vec![0];
    }
    if neg {
        // two's complement: invert and add one
        let mut carry = true;
        for b in mag.iter_mut() {
            *b = !*b;
            if carry {
                let (v, c) = b.overflowing_add(1);
                *b = v;
                carry = c;
            }
        }
        if mag.last().is_some_and(|b| b & 0x80 == 0) {
            mag.push(0xff);
        }
    } else if mag.last().is_some_and(|b| b & 0x80 != 0) {
        mag.push(0);
    }
    // minimal form: drop redundant sign bytes
    while mag.len() > 1 {
        let top = mag[mag.len() - 1];
        let below = mag[mag.len() - 2];
        if (top == 0 && below & 0x80 == 0) || (top == 0xff && below & 0x80 != 0) {
            mag.pop();
        } else {
            break;
        }
    }
    mag.reverse();
    mag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_java_big_integer_to_byte_array() {
        // values from the real Debezium fixtures: 12.50 → "BOI=", 99.99 → "Jw8=", 0.05 → "BQ==", 1.00 → "ZA=="
        assert_eq!(unscaled("12.50", Some(2)), Some((vec![0x04, 0xe2], 2)));
        assert_eq!(unscaled("99.99", Some(2)), Some((vec![0x27, 0x0f], 2)));
        assert_eq!(unscaled("0.05", Some(2)), Some((vec![0x05], 2)));
        assert_eq!(unscaled("1.00", Some(2)), Some((vec![0x64], 2)));
        assert_eq!(unscaled("-12.34", Some(2)), Some((vec![0xfb, 0x2e], 2)));
        assert_eq!(unscaled("128", Some(0)), Some((vec![0x00, 0x80], 0)));
        assert_eq!(unscaled("-128", Some(0)), Some((vec![0x80], 0)));
        assert_eq!(unscaled("0", None), Some((vec![0], 0)));
        assert_eq!(unscaled("6.125", None), Some((vec![0x17, 0xed], 3)));
        assert_eq!(unscaled("NaN", None), None);
    }
}

/// The inverse of [`unscaled`]: two's-complement big-endian bytes and a scale → decimal text
/// (`[0x04, 0xe2]`, 2 → `12.50`), as `JsonSchemaConverter` writes a Decimal with `decimal.format=NUMERIC`.
pub fn to_text(bytes: &[u8], scale: u32) -> String {
    let neg = bytes.first().is_some_and(|b| b & 0x80 != 0);
    // magnitude bytes
    let mut mag: Vec<u8> = if neg {
        let mut m: Vec<u8> = bytes.iter().map(|b| !b).collect();
        for b in m.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
        m
    } else {
        bytes.to_vec()
    };
    // base-256 → base-10 by repeated division
    let mut digits = Vec::new();
    while mag.iter().any(|b| *b != 0) {
        let mut rem: u32 = 0;
        for b in mag.iter_mut() {
            let cur = (rem << 8) | u32::from(*b);
            *b = (cur / 10) as u8;
            rem = cur % 10;
        }
        digits.push(char::from(b'0' + rem as u8));
    }
    let scale = scale as usize;
    while digits.len() <= scale {
        digits.push('0');
    }
    digits.reverse();
    let mut text: String = digits.iter().collect();
    if scale > 0 {
        text.insert(text.len() - scale, '.');
    }
    if neg { format!("-{text}") } else { text }
}

#[cfg(test)]
mod text_tests {
    use super::*;

    #[test]
    fn round_trips_through_unscaled() {
        for (text, scale) in [
            ("12.50", 2),
            ("-12.34", 2),
            ("0.05", 2),
            ("128", 0),
            ("-128", 0),
            ("0.000", 3),
        ] {
            let (bytes, s) = unscaled(text, Some(scale)).unwrap_or_default();
            assert_eq!(to_text(&bytes, s as u32), text);
        }
    }
}
