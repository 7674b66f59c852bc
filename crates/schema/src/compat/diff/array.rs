//! Array schemas (`ArraySchemaDiff`): the all-items schema, tuple items, additional and
//! unevaluated items, and size/uniqueness/contains limits.
//!
//! Tuple items follow the same content-model rules as object properties, with
//! `additionalItems` (or `unevaluatedItems`) in the role of `additionalProperties`. Draft
//! 2020-12 spells tuples `prefixItems` and the rest `items`; they are mapped onto the older
//! vocabulary (tuple → `items/N`, rest → `additionalItems`) the way Confluent's translator does,
//! so paths and verdicts are the same for every draft.

use serde_json::{Map, Value};

use super::model::Node;
use super::object::compare_unevaluated_keyword;
use super::{Ctx, child, compare, compare_limit, num};
use crate::compat::difference::DifferenceType as T;
use crate::json_schema::Draft;

type Arr = Map<String, Value>;

/// The array keywords of one side, in the pre-2020-12 vocabulary.
struct View<'a> {
    all_items: Option<&'a Value>,
    tuple: &'a [Value],
    permits_additional: bool,
    additional_schema: Option<&'a Value>,
}

fn view<'a>(node: &Node<'a>, m: &'a Arr) -> View<'a> {
    let draft = node.docs.draft(node.doc);
    if draft == Draft::Draft202012 {
        let tuple = match m.get("prefixItems") {
            Some(Value::Array(a)) => a.as_slice(),
            _ => &[],
        };
        let items = m.get("items");
        let has_prefix = m.contains_key("prefixItems");
        View {
            all_items: items.filter(|v| v.is_object() && !has_prefix),
            tuple,
            permits_additional: items != Some(&Value::Bool(false)),
            additional_schema: items.filter(|v| v.is_object() && has_prefix),
        }
    } else {
        let (all_items, tuple) = match m.get("items") {
            Some(Value::Array(a)) => (None, a.as_slice()),
            Some(v @ (Value::Object(_) | Value::Bool(_))) => (Some(v), &[][..]),
            _ => (None, &[][..]),
        };
        let additional = m.get("additionalItems");
        View {
            all_items,
            tuple,
            permits_additional: additional != Some(&Value::Bool(false)),
            additional_schema: additional.filter(|v| v.is_object()),
        }
    }
}

pub(super) fn compare_array<'a>(ctx: &mut Ctx<'_>, on: &Node<'a>, o: &'a Arr, un: &Node<'a>, u: &'a Arr) {
    let (ov, uv) = (view(on, o), view(un, u));
    ctx.scoped("items", |ctx| {
        compare(
            ctx,
            ov.all_items.map(|s| child(on, s)),
            uv.all_items.map(|s| child(un, s)),
        );
    });
    compare_tuple(ctx, (on, o, &ov), (un, u, &uv));
    ctx.scoped("additionalItems", |ctx| {
        if ov.permits_additional != uv.permits_additional {
            ctx.add(if ov.permits_additional {
                T::AdditionalItemsRemoved
            } else {
                T::AdditionalItemsAdded
            });
        } else if ov.additional_schema.is_none() && uv.additional_schema.is_some() {
            ctx.add(T::AdditionalItemsNarrowed);
        } else if uv.additional_schema.is_none() && ov.additional_schema.is_some() {
            ctx.add(T::AdditionalItemsExtended);
        } else {
            compare(
                ctx,
                ov.additional_schema.map(|s| child(on, s)),
                uv.additional_schema.map(|s| child(un, s)),
            );
        }
    });
    compare_unevaluated_keyword(
        ctx,
        "unevaluatedItems",
        unevaluated(on, o),
        unevaluated(un, u),
        [
            T::UnevaluatedItemsAdded,
            T::UnevaluatedItemsRemoved,
            T::UnevaluatedItemsExtended,
            T::UnevaluatedItemsNarrowed,
        ],
    );
    compare_limit(
        ctx,
        "maxItems",
        num(o, "maxItems"),
        num(u, "maxItems"),
        [
            T::MaxItemsAdded,
            T::MaxItemsRemoved,
            T::MaxItemsIncreased,
            T::MaxItemsDecreased,
        ],
    );
    compare_limit(
        ctx,
        "minItems",
        num(o, "minItems"),
        num(u, "minItems"),
        [
            T::MinItemsAdded,
            T::MinItemsRemoved,
            T::MinItemsIncreased,
            T::MinItemsDecreased,
        ],
    );
    let unique = |m: &Arr| m.get("uniqueItems") == Some(&Value::Bool(true));
    if unique(o) != unique(u) {
        ctx.add_at(
            "uniqueItems",
            if unique(o) {
                T::UniqueItemsRemoved
            } else {
                T::UniqueItemsAdded
            },
        );
    }
    compare_limit(
        ctx,
        "maxContains",
        num(o, "maxContains"),
        num(u, "maxContains"),
        [
            T::MaxContainsAdded,
            T::MaxContainsRemoved,
            T::MaxContainsIncreased,
            T::MaxContainsDecreased,
        ],
    );
    compare_limit(
        ctx,
        "minContains",
        num(o, "minContains"),
        num(u, "minContains"),
        [
            T::MinContainsAdded,
            T::MinContainsRemoved,
            T::MinContainsIncreased,
            T::MinContainsDecreased,
        ],
    );
}

type Side<'s, 'a> = (&'s Node<'a>, &'a Arr, &'s View<'a>);

fn compare_tuple<'a>(ctx: &mut Ctx<'_>, original: Side<'_, 'a>, update: Side<'_, 'a>) {
    let (on, o, ov) = original;
    let (un, u, uv) = update;
    let common = ov.tuple.len().min(uv.tuple.len());
    for i in 0..common {
        ctx.scoped(&format!("items/{i}"), |ctx| {
            compare(ctx, Some(child(on, &ov.tuple[i])), Some(child(un, &uv.tuple[i])));
        });
    }
    for (i, removed) in ov.tuple.iter().enumerate().skip(common) {
        ctx.scoped(&format!("items/{i}"), |ctx| {
            if is_open(un, u, uv) {
                return ctx.add(T::ItemRemovedFromOpenContentModel);
            }
            if let Some(partial) = schema_from_partial(un, u, uv) {
                let mut sub = ctx.sub();
                compare(&mut sub, Some(child(on, removed)), Some(partial));
                let covered = sub.is_compatible();
                ctx.extend(sub.into_diffs());
                ctx.add(if covered {
                    T::ItemRemovedIsCoveredByPartiallyOpenContentModel
                } else {
                    T::ItemRemovedNotCoveredByPartiallyOpenContentModel
                });
            } else if child(on, removed).is_false() {
                ctx.add(T::ItemWithFalseRemovedFromClosedContentModel);
            } else {
                ctx.add(T::ItemRemovedFromClosedContentModel);
            }
        });
    }
    for (i, added) in uv.tuple.iter().enumerate().skip(common) {
        ctx.scoped(&format!("items/{i}"), |ctx| {
            if is_open(on, o, ov) {
                return ctx.add(if child(un, added).is_empty_schema() {
                    T::ItemWithEmptySchemaAddedToOpenContentModel
                } else {
                    T::ItemAddedToOpenContentModel
                });
            }
            if let Some(partial) = schema_from_partial(on, o, ov) {
                let mut sub = ctx.sub();
                compare(&mut sub, Some(partial), Some(child(un, added)));
                let covered = sub.is_compatible();
                ctx.extend(sub.into_diffs());
                ctx.add(if covered {
                    T::ItemAddedIsCoveredByPartiallyOpenContentModel
                } else {
                    T::ItemAddedNotCoveredByPartiallyOpenContentModel
                });
            } else {
                ctx.add(T::ItemAddedToClosedContentModel);
            }
        });
    }
}

fn unevaluated<'a>(node: &Node<'a>, m: &'a Arr) -> Option<Node<'a>> {
    super::object::unevaluated(node, m, "unevaluatedItems")
}

fn is_open<'a>(node: &Node<'a>, m: &'a Arr, v: &View<'a>) -> bool {
    v.permits_additional
        && v.additional_schema.is_none()
        && unevaluated(node, m).is_none_or(|u| u.is_empty_schema())
}

fn schema_from_partial<'a>(node: &Node<'a>, m: &'a Arr, v: &View<'a>) -> Option<Node<'a>> {
    if let Some(s) = v.additional_schema {
        return Some(child(node, s));
    }
    if v.permits_additional {
        return unevaluated(node, m).filter(|u| !u.is_false() && !u.is_empty_schema());
    }
    None
}
