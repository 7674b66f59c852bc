//! Object schemas (`ObjectSchemaDiff`): required, properties, dependencies, additional and
//! unevaluated properties, and property counts.
//!
//! The verdict for an added or removed property depends on the *content model*: open
//! (`additionalProperties` absent/true, no `patternProperties`, `unevaluatedProperties`
//! absent/true), partially open (a pattern or an additional/unevaluated *schema* covers the
//! name) or closed. An added property is judged by the original's model (could the old writer
//! have produced it?), a removed one by the update's (can the new reader still accept it?).

use serde_json::{Map, Value};

use super::model::Node;
use super::{Ctx, child, compare, compare_limit, num};
use crate::compat::difference::DifferenceType as T;
use crate::json_schema::Draft;

type Obj = Map<String, Value>;

pub(super) fn compare_object<'a>(ctx: &mut Ctx<'_>, on: &Node<'a>, o: &'a Obj, un: &Node<'a>, u: &'a Obj) {
    compare_required(ctx, o, u);
    compare_properties(ctx, on, o, un, u);
    compare_dependencies(ctx, on, o, un, u);
    compare_additional(ctx, on, o, un, u);
    compare_unevaluated(ctx, on, o, un, u);
    compare_limit(
        ctx,
        "maxProperties",
        num(o, "maxProperties"),
        num(u, "maxProperties"),
        [
            T::MaxPropertiesAdded,
            T::MaxPropertiesRemoved,
            T::MaxPropertiesIncreased,
            T::MaxPropertiesDecreased,
        ],
    );
    compare_limit(
        ctx,
        "minProperties",
        num(o, "minProperties"),
        num(u, "minProperties"),
        [
            T::MinPropertiesAdded,
            T::MinPropertiesRemoved,
            T::MinPropertiesIncreased,
            T::MinPropertiesDecreased,
        ],
    );
}

fn properties(m: &Obj) -> Option<&Obj> {
    m.get("properties").and_then(Value::as_object)
}

fn required(m: &Obj) -> Vec<&str> {
    match m.get("required") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn has_default(v: &Value) -> bool {
    v.as_object().is_some_and(|m| m.contains_key("default"))
}

fn compare_required(ctx: &mut Ctx<'_>, o: &Obj, u: &Obj) {
    let (Some(op), Some(up)) = (properties(o), properties(u)) else {
        return;
    };
    let (o_req, u_req) = (required(o), required(u));
    ctx.scoped("required", |ctx| {
        for key in op.keys().filter(|k| up.contains_key(*k)) {
            let was = o_req.contains(&key.as_str());
            let is = u_req.contains(&key.as_str());
            if was && !is {
                ctx.add_at(key, T::RequiredAttributeRemoved);
            } else if !was && is {
                let with_default = up.get(key).is_some_and(has_default);
                ctx.add_at(
                    key,
                    if with_default {
                        T::RequiredAttributeWithDefaultAdded
                    } else {
                        T::RequiredAttributeAdded
                    },
                );
            }
        }
    });
}

fn compare_properties<'a>(ctx: &mut Ctx<'_>, on: &Node<'a>, o: &'a Obj, un: &Node<'a>, u: &'a Obj) {
    let empty = Map::new();
    let op = properties(o).unwrap_or(&empty);
    let up = properties(u).unwrap_or(&empty);
    let keys: Vec<&String> = op
        .keys()
        .chain(up.keys().filter(|k| !op.contains_key(*k)))
        .collect();
    if keys.is_empty() {
        return;
    }
    let u_req = required(u);
    ctx.scoped("properties", |ctx| {
        for key in keys {
            ctx.scoped(key, |ctx| match (op.get(key), up.get(key)) {
                (Some(os), None) => property_removed(ctx, on, os, un, u, key),
                (None, Some(us)) => property_added(ctx, on, o, un, us, u_req.contains(&key.as_str()), key),
                (Some(os), Some(us)) => compare(ctx, Some(child(on, os)), Some(child(un, us))),
                (None, None) => {}
            });
        }
    });
}

fn property_removed<'a>(
    ctx: &mut Ctx<'_>,
    on: &Node<'a>,
    original_schema: &'a Value,
    un: &Node<'a>,
    u: &'a Obj,
    key: &str,
) {
    if is_open(un, u) {
        return ctx.add(T::PropertyRemovedFromOpenContentModel);
    }
    if let Some(partial) = schema_from_partial(un, u, key) {
        let mut sub = ctx.sub();
        compare(
            &mut sub,
            Some(child(on, original_schema)),
            Some(child(un, partial)),
        );
        let covered = sub.is_compatible();
        ctx.extend(sub.into_diffs());
        ctx.add(if covered {
            T::PropertyRemovedIsCoveredByPartiallyOpenContentModel
        } else {
            T::PropertyRemovedNotCoveredByPartiallyOpenContentModel
        });
    } else if child(on, original_schema).is_false() {
        ctx.add(T::PropertyWithFalseRemovedFromClosedContentModel);
    } else {
        ctx.add(T::PropertyRemovedFromClosedContentModel);
    }
}

fn property_added<'a>(
    ctx: &mut Ctx<'_>,
    on: &Node<'a>,
    o: &'a Obj,
    un: &Node<'a>,
    update_schema: &'a Value,
    required: bool,
    key: &str,
) {
    let with_default = has_default(update_schema);
    if is_open(on, o) {
        let kind = if child(un, update_schema).is_empty_schema() {
            T::PropertyWithEmptySchemaAddedToOpenContentModel
        } else if required && with_default {
            T::RequiredPropertyWithDefaultAddedToOpenContentModel
        } else if required {
            T::RequiredPropertyAddedToOpenContentModel
        } else {
            T::OptionalPropertyAddedToOpenContentModel
        };
        return ctx.add(kind);
    }
    if let Some(partial) = schema_from_partial(on, o, key) {
        let mut sub = ctx.sub();
        compare(&mut sub, Some(child(on, partial)), Some(child(un, update_schema)));
        let covered = sub.is_compatible();
        ctx.extend(sub.into_diffs());
        ctx.add(if covered {
            T::PropertyAddedIsCoveredByPartiallyOpenContentModel
        } else {
            T::PropertyAddedNotCoveredByPartiallyOpenContentModel
        });
    }
    ctx.add(if required && with_default {
        T::RequiredPropertyWithDefaultAddedToUnopenContentModel
    } else if required {
        T::RequiredPropertyAddedToUnopenContentModel
    } else {
        T::OptionalPropertyAddedToUnopenContentModel
    });
}

fn compare_dependencies<'a>(ctx: &mut Ctx<'_>, on: &Node<'a>, o: &'a Obj, un: &Node<'a>, u: &'a Obj) {
    let (o_arrays, o_schemas) = dependencies(o);
    let (u_arrays, u_schemas) = dependencies(u);
    if o_arrays.is_empty() && u_arrays.is_empty() && o_schemas.is_empty() && u_schemas.is_empty() {
        return;
    }
    ctx.scoped("dependencies", |ctx| {
        for key in union_keys(&o_arrays, &u_arrays) {
            let find = |v: &[(&str, Vec<&'a str>)]| v.iter().find(|(k, _)| *k == key).map(|(_, d)| d.clone());
            let kind = match (find(&o_arrays), find(&u_arrays)) {
                (_, None) => T::DependencyArrayRemoved,
                (None, Some(_)) => T::DependencyArrayAdded,
                (Some(od), Some(ud)) => {
                    let o_in_u = od.iter().all(|d| ud.contains(d));
                    let u_in_o = ud.iter().all(|d| od.contains(d));
                    match (o_in_u, u_in_o) {
                        (true, true) => continue,
                        (true, false) => T::DependencyArrayExtended,
                        (false, true) => T::DependencyArrayNarrowed,
                        (false, false) => T::DependencyArrayChanged,
                    }
                }
            };
            ctx.add_at(key, kind);
        }
        for key in union_keys(&o_schemas, &u_schemas) {
            let find = |v: &[(&str, &'a Value)]| v.iter().find(|(k, _)| *k == key).map(|(_, s)| *s);
            ctx.scoped(key, |ctx| match (find(&o_schemas), find(&u_schemas)) {
                (_, None) => ctx.add(T::DependencySchemaRemoved),
                (None, Some(_)) => ctx.add(T::DependencySchemaAdded),
                (Some(os), Some(us)) => compare(ctx, Some(child(on, os)), Some(child(un, us))),
            });
        }
    });
}

type Dependencies<'a> = (Vec<(&'a str, Vec<&'a str>)>, Vec<(&'a str, &'a Value)>);

/// Property dependencies (name → names) and schema dependencies (name → schema), from
/// `dependencies` or the 2019-09 `dependentRequired` / `dependentSchemas`.
fn dependencies(m: &Obj) -> Dependencies<'_> {
    let mut arrays = Vec::new();
    let mut schemas = Vec::new();
    for key in ["dependencies", "dependentRequired", "dependentSchemas"] {
        let Some(Value::Object(deps)) = m.get(key) else {
            continue;
        };
        for (name, dep) in deps {
            match dep {
                Value::Array(a) => arrays.push((name.as_str(), a.iter().filter_map(Value::as_str).collect())),
                other => schemas.push((name.as_str(), other)),
            }
        }
    }
    (arrays, schemas)
}

fn union_keys<'k, A, B>(a: &[(&'k str, A)], b: &[(&'k str, B)]) -> Vec<&'k str> {
    let mut keys: Vec<&str> = a.iter().map(|(k, _)| *k).collect();
    for (k, _) in b {
        if !keys.contains(k) {
            keys.push(k);
        }
    }
    keys
}

fn permits_additional(m: &Obj) -> bool {
    m.get("additionalProperties") != Some(&Value::Bool(false))
}

fn schema_of_additional(m: &Obj) -> Option<&Value> {
    m.get("additionalProperties").filter(|v| v.is_object())
}

fn compare_additional<'a>(ctx: &mut Ctx<'_>, on: &Node<'a>, o: &'a Obj, un: &Node<'a>, u: &'a Obj) {
    ctx.scoped("additionalProperties", |ctx| {
        let (os, us) = (schema_of_additional(o), schema_of_additional(u));
        if permits_additional(o) != permits_additional(u) {
            ctx.add(if permits_additional(u) {
                T::AdditionalPropertiesAdded
            } else {
                T::AdditionalPropertiesRemoved
            });
        } else if os.is_none() && us.is_some() {
            ctx.add(T::AdditionalPropertiesNarrowed);
        } else if us.is_none() && os.is_some() {
            ctx.add(T::AdditionalPropertiesExtended);
        } else {
            compare(ctx, os.map(|s| child(on, s)), us.map(|s| child(un, s)));
        }
    });
}

/// `unevaluatedProperties` (or `unevaluatedItems`) as a schema; drafts before 2019-09 do not
/// have the keyword, and Confluent's draft-7 loader leaves it uninterpreted.
pub(super) fn unevaluated<'a>(node: &Node<'a>, m: &'a Obj, key: &str) -> Option<Node<'a>> {
    if node.docs.draft(node.doc) < Draft::Draft201909 {
        return None;
    }
    m.get(key)
        .filter(|v| v.is_object() || v.is_boolean())
        .map(|v| child(node, v))
}

/// Shared by objects and arrays: the `unevaluatedProperties` / `unevaluatedItems` rules.
pub(super) fn compare_unevaluated_keyword<'a>(
    ctx: &mut Ctx<'_>,
    key: &str,
    original: Option<Node<'a>>,
    update: Option<Node<'a>>,
    kinds: [T; 4],
) {
    let [added, removed, extended, narrowed] = kinds;
    if original.is_none() && update.is_none() {
        return;
    }
    ctx.scoped(key, |ctx| match (original, update) {
        (None, Some(u)) => ctx.add(if u.is_false() { removed } else { narrowed }),
        (Some(o), None) => ctx.add(if o.is_false() { added } else { extended }),
        (Some(o), Some(u)) => {
            if o.is_false() && !u.is_false() {
                ctx.add(added);
            } else if !o.is_false() && u.is_false() {
                ctx.add(removed);
            } else if o.is_empty_schema() && !u.is_empty_schema() {
                ctx.add(narrowed);
            } else if !o.is_empty_schema() && u.is_empty_schema() {
                ctx.add(extended);
            } else {
                compare(ctx, Some(o), Some(u));
            }
        }
        (None, None) => {}
    });
}

fn compare_unevaluated<'a>(ctx: &mut Ctx<'_>, on: &Node<'a>, o: &'a Obj, un: &Node<'a>, u: &'a Obj) {
    let key = "unevaluatedProperties";
    compare_unevaluated_keyword(
        ctx,
        key,
        unevaluated(on, o, key),
        unevaluated(un, u, key),
        [
            T::UnevaluatedPropertiesAdded,
            T::UnevaluatedPropertiesRemoved,
            T::UnevaluatedPropertiesExtended,
            T::UnevaluatedPropertiesNarrowed,
        ],
    );
}

fn pattern_properties(m: &Obj) -> Option<&Obj> {
    m.get("patternProperties")
        .and_then(Value::as_object)
        .filter(|p| !p.is_empty())
}

/// Open content model: anything not declared is accepted with any value.
fn is_open<'a>(node: &Node<'a>, m: &'a Obj) -> bool {
    if !permits_additional(m) || schema_of_additional(m).is_some() || pattern_properties(m).is_some() {
        return false;
    }
    unevaluated(node, m, "unevaluatedProperties").is_none_or(|u| u.is_empty_schema())
}

/// The schema a partially open content model applies to property `key`, if any.
fn schema_from_partial<'a>(node: &Node<'a>, m: &'a Obj, key: &str) -> Option<&'a Value> {
    if let Some(patterns) = pattern_properties(m) {
        for (pattern, schema) in patterns {
            if regex::Regex::new(pattern).is_ok_and(|re| re.is_match(key)) {
                return Some(schema);
            }
        }
    }
    if let Some(s) = schema_of_additional(m) {
        return Some(s);
    }
    if permits_additional(m) {
        let key = "unevaluatedProperties";
        if let Some(u) = unevaluated(node, m, key)
            && !u.is_false()
            && !u.is_empty_schema()
        {
            return m.get(key);
        }
    }
    None
}
