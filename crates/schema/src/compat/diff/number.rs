//! Numeric constraints (`NumberSchemaDiff`): bounds, `multipleOf`, and integer ↔ number.
//!
//! Bounds are compared as doubles like Confluent. `multipleOf` is compared exactly as decimals
//! (Confluent uses `BigDecimal`), so `0.5` equals `0.50` and `0.1` divides `0.3`: the decimal
//! digits of the JSON number text are kept (the workspace enables `arbitrary_precision`).

use serde_json::{Map, Number, Value};

use super::{Ctx, compare_limit, num};
use crate::compat::difference::DifferenceType as T;

type Side<'a> = (&'a Map<String, Value>, bool);

pub(super) fn compare(ctx: &mut Ctx<'_>, original: Side<'_>, update: Side<'_>) {
    let (o, o_int) = original;
    let (u, u_int) = update;
    compare_limit(
        ctx,
        "maximum",
        num(o, "maximum"),
        num(u, "maximum"),
        [
            T::MaximumAdded,
            T::MaximumRemoved,
            T::MaximumIncreased,
            T::MaximumDecreased,
        ],
    );
    compare_limit(
        ctx,
        "minimum",
        num(o, "minimum"),
        num(u, "minimum"),
        [
            T::MinimumAdded,
            T::MinimumRemoved,
            T::MinimumIncreased,
            T::MinimumDecreased,
        ],
    );
    compare_exclusive_maximum(
        ctx,
        num(o, "exclusiveMaximum"),
        num(u, "exclusiveMaximum"),
        num(u, "maximum"),
    );
    compare_limit(
        ctx,
        "exclusiveMinimum",
        num(o, "exclusiveMinimum"),
        num(u, "exclusiveMinimum"),
        [
            T::ExclusiveMinimumAdded,
            T::ExclusiveMinimumRemoved,
            T::ExclusiveMinimumIncreased,
            T::ExclusiveMinimumDecreased,
        ],
    );
    compare_multiple_of(ctx, o.get("multipleOf"), u.get("multipleOf"));
    if o_int != u_int {
        ctx.add(if o_int { T::TypeExtended } else { T::TypeNarrowed });
    }
}

/// Confluent's DECREASED branch compares the original `exclusiveMaximum` against the update's
/// `maximum` (a quirk kept here); where the update has no `maximum`, Confluent fails with a null
/// pointer, and we report the decrease that was evidently made.
fn compare_exclusive_maximum(ctx: &mut Ctx<'_>, o: Option<f64>, u: Option<f64>, u_maximum: Option<f64>) {
    match (o, u) {
        (None, Some(_)) => ctx.add_at("exclusiveMaximum", T::ExclusiveMaximumAdded),
        (Some(_), None) => ctx.add_at("exclusiveMaximum", T::ExclusiveMaximumRemoved),
        (Some(o), Some(u)) if o < u => ctx.add_at("exclusiveMaximum", T::ExclusiveMaximumIncreased),
        (Some(o), Some(u)) if o > u => match u_maximum {
            Some(max) if o > max => ctx.add_at("exclusiveMaximum", T::ExclusiveMaximumDecreased),
            Some(_) => {}
            None => ctx.add_at("exclusiveMaximum", T::ExclusiveMaximumDecreased),
        },
        _ => {}
    }
}

fn compare_multiple_of(ctx: &mut Ctx<'_>, o: Option<&Value>, u: Option<&Value>) {
    let dec = |v: Option<&Value>| match v {
        Some(Value::Number(n)) => Some(Decimal::from_number(n)),
        _ => None,
    };
    let (o, u) = (dec(o), dec(u));
    let kind = match (o, u) {
        (None, None) => return,
        (None, Some(_)) => T::MultipleOfAdded,
        (Some(_), None) => T::MultipleOfRemoved,
        (Some(o), Some(u)) => {
            if o.equals(&u) {
                return;
            }
            if !o.is_zero() && u.is_multiple_of(&o) {
                T::MultipleOfExpanded
            } else if !u.is_zero() && o.is_multiple_of(&u) {
                T::MultipleOfReduced
            } else {
                T::MultipleOfChanged
            }
        }
    };
    ctx.add_at("multipleOf", kind);
}

/// A decimal `mantissa × 10^-scale`, or an `f64` when the digits do not fit.
#[derive(Debug, Clone, Copy)]
enum Decimal {
    Exact(i128, u32),
    Approx(f64),
}

impl Decimal {
    fn from_number(n: &Number) -> Decimal {
        parse_decimal(&n.to_string()).unwrap_or_else(|| Decimal::Approx(n.as_f64().unwrap_or(f64::NAN)))
    }

    fn to_f64(self) -> f64 {
        match self {
            Decimal::Exact(m, s) => m as f64 / 10f64.powi(s as i32),
            Decimal::Approx(f) => f,
        }
    }

    fn is_zero(&self) -> bool {
        match self {
            Decimal::Exact(m, _) => *m == 0,
            Decimal::Approx(f) => *f == 0.0,
        }
    }

    /// Both mantissas at a common scale, if that fits.
    fn aligned(&self, other: &Decimal) -> Option<(i128, i128)> {
        let (Decimal::Exact(a, sa), Decimal::Exact(b, sb)) = (*self, *other) else {
            return None;
        };
        let scale = sa.max(sb);
        let a = a.checked_mul(10i128.checked_pow(scale - sa)?)?;
        let b = b.checked_mul(10i128.checked_pow(scale - sb)?)?;
        Some((a, b))
    }

    fn equals(&self, other: &Decimal) -> bool {
        match self.aligned(other) {
            Some((a, b)) => a == b,
            None => self.to_f64() == other.to_f64(),
        }
    }

    /// Whether `self` is an integer multiple of `divisor` (`self % divisor == 0`).
    fn is_multiple_of(&self, divisor: &Decimal) -> bool {
        match self.aligned(divisor) {
            Some((a, b)) => b != 0 && a % b == 0,
            None => {
                let q = self.to_f64() / divisor.to_f64();
                q.is_finite() && q.fract() == 0.0
            }
        }
    }
}

fn parse_decimal(text: &str) -> Option<Decimal> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let negative = mantissa.starts_with('-');
    let mantissa = mantissa.trim_start_matches(['-', '+']);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = format!("{int}{frac}");
    let mut m: i128 = digits.parse().ok()?;
    let mut scale = frac.len() as i32 - exponent;
    if scale < 0 {
        m = m.checked_mul(10i128.checked_pow(scale.unsigned_abs())?)?;
        scale = 0;
    }
    let m = if negative { -m } else { m };
    let scale = u32::try_from(scale).ok().filter(|s| *s <= 36)?;
    Some(Decimal::Exact(m, scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_compare_exactly() {
        let d = |s: &str| parse_decimal(s).expect("decimal");
        assert!(d("0.5").equals(&d("0.50")));
        assert!(d("0.3").is_multiple_of(&d("0.1")));
        assert!(d("20").is_multiple_of(&d("10")));
        assert!(!d("11").is_multiple_of(&d("10")));
        assert!(d("1e2").equals(&d("100")));
        assert!(d("10").is_multiple_of(&d("0.5")));
    }
}
