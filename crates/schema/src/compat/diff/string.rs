//! String constraints (`StringSchemaDiff`): `maxLength`, `minLength` and `pattern`.
//!
//! Patterns are compared as text, as Confluent does: even an equivalent regex counts as
//! `PATTERN_CHANGED`, because deciding regex language inclusion is not worth its cost here.

use serde_json::{Map, Value};

use super::{Ctx, compare_limit, num};
use crate::compat::difference::DifferenceType as T;

pub(super) fn compare(ctx: &mut Ctx<'_>, original: &Map<String, Value>, update: &Map<String, Value>) {
    compare_limit(
        ctx,
        "maxLength",
        num(original, "maxLength"),
        num(update, "maxLength"),
        [
            T::MaxLengthAdded,
            T::MaxLengthRemoved,
            T::MaxLengthIncreased,
            T::MaxLengthDecreased,
        ],
    );
    compare_limit(
        ctx,
        "minLength",
        num(original, "minLength"),
        num(update, "minLength"),
        [
            T::MinLengthAdded,
            T::MinLengthRemoved,
            T::MinLengthIncreased,
            T::MinLengthDecreased,
        ],
    );
    let pattern = |m: &Map<String, Value>| m.get("pattern").and_then(Value::as_str).map(str::to_owned);
    match (pattern(original), pattern(update)) {
        (None, Some(_)) => ctx.add_at("pattern", T::PatternAdded),
        (Some(_), None) => ctx.add_at("pattern", T::PatternRemoved),
        (Some(o), Some(u)) if o != u => ctx.add_at("pattern", T::PatternChanged),
        _ => {}
    }
}
