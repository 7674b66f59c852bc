//! `enum`, `const` and `not` (`EnumSchemaDiff`, `ConstSchemaDiff`, `NotSchemaDiff`).
//!
//! Enum values are compared as sets (order and duplicates do not matter); any `const` change is
//! `ENUM_ARRAY_CHANGED`; the inner schemas of `not` are compared in reverse, since a schema that
//! excludes less accepts more.

use serde_json::Value;

use super::model::Node;
use super::{Ctx, child, compare};
use crate::compat::difference::DifferenceType as T;

pub(super) fn compare_enum(ctx: &mut Ctx<'_>, original: &[Value], update: &[Value]) {
    let contains_all = |a: &[Value], b: &[Value]| b.iter().all(|v| a.iter().any(|w| json_eq(v, w)));
    let o_in_u = contains_all(update, original);
    let u_in_o = contains_all(original, update);
    if o_in_u && u_in_o {
        return;
    }
    let kind = if o_in_u {
        T::EnumArrayExtended
    } else if u_in_o {
        T::EnumArrayNarrowed
    } else {
        T::EnumArrayChanged
    };
    ctx.add_at("enum", kind);
}

pub(super) fn compare_const(ctx: &mut Ctx<'_>, original: &Value, update: &Value) {
    if !json_eq(original, update) {
        ctx.add_at("const", T::EnumArrayChanged);
    }
}

pub(super) fn compare_not<'a>(
    ctx: &mut Ctx<'_>,
    original: &Node<'a>,
    original_inner: &'a Value,
    update: &Node<'a>,
    update_inner: &'a Value,
) {
    ctx.scoped("not", |ctx| {
        let mut sub = ctx.sub();
        compare(
            &mut sub,
            Some(child(update, update_inner)),
            Some(child(original, original_inner)),
        );
        ctx.add(if sub.is_compatible() {
            T::NotTypeNarrowed
        } else {
            T::NotTypeExtended
        });
    });
}

/// JSON equality where numbers compare by value (`1` equals `1.0`), as org.json's `similar` does.
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y || matches!((x.as_f64(), y.as_f64()), (Some(p), Some(q)) if p == q)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}
