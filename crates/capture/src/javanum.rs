//! Floating-point numbers as Kafka Connect's `JsonConverter` writes them: Jackson prints a Java `double`
//! or `float` with `Double.toString` / `Float.toString`, which switches to `d.dddE±n` outside
//! 1e-3 ≤ |x| < 1e7 (`9.99999999999E9`) and always keeps a fraction digit (`2.0`). Rust's shortest
//! round-trip digits are the ones Java picks since JDK 19, so only the layout needs porting.

use serde_json::{Value, json};

/// Java's text for `x`, given `shortest` = Rust's shortest round-trip text of the same value (of the
/// `f32` for a float column, so that `3.25f32` stays `3.25`).
pub fn java_float_text(x: f64, shortest: &str) -> String {
    let sign = if shortest.starts_with('-') { "-" } else { "" };
    let body = shortest.trim_start_matches('-');
    let a = x.abs();
    if a == 0.0 {
        return format!("{sign}0.0");
    }
    let (mantissa, exp10) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (body, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all = format!("{int_part}{frac_part}");
    let trimmed = all.trim_start_matches('0');
    // position of the decimal point relative to the first significant digit
    let point = len_i32(int_part) + exp10 - len_i32(&all[..all.len() - trimmed.len()]);
    let digits = trimmed.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    if (1e-3..1e7).contains(&a) {
        let n = len_i32(digits);
        let text = if point <= 0 {
            format!("0.{}{digits}", zeros(-point))
        } else if point >= n {
            format!("{digits}{}.0", zeros(point - n))
        } else {
            let (i, f) = digits.split_at(usize::try_from(point).unwrap_or(0));
            format!("{i}.{f}")
        };
        format!("{sign}{text}")
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{sign}{first}.{rest}E{}", point - 1)
    }
}

fn len_i32(s: &str) -> i32 {
    i32::try_from(s.len()).unwrap_or(i32::MAX)
}

fn zeros(n: i32) -> String {
    "0".repeat(usize::try_from(n).unwrap_or(0))
}

/// A JSON number with `text`'s digits (the workspace enables serde_json's `arbitrary_precision`, which
/// keeps them; it writes an exponent as `e+9`, the same JSON number as Java's `E9`).
pub fn number(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| json!(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_like_java() {
        let j = |x: f64| java_float_text(x, &x.to_string());
        assert_eq!(j(9_999_999_999.99), "9.99999999999E9");
        assert_eq!(j(1.5), "1.5");
        assert_eq!(j(2.0), "2.0");
        assert_eq!(j(-0.125), "-0.125");
        assert_eq!(j(0.000001), "1.0E-6");
        assert_eq!(j(1234567.0), "1234567.0");
        assert_eq!(j(12345678.0), "1.2345678E7");
        assert_eq!(j(0.001), "0.001");
        assert_eq!(j(-1.2345678901234567e19), "-1.2345678901234567E19");
        let f = 3.25f32;
        assert_eq!(java_float_text(f64::from(f), &f.to_string()), "3.25");
        // serde_json keeps the digits but writes the exponent as `e+9`: the same JSON number
        assert_eq!(number("9.99999999999E9").to_string(), "9.99999999999e+9");
    }
}
