//! `SchemaDiff.compare(original, update)`: a recursive diff of two JSON Schemas that lists every
//! [`DifferenceType`] found, with the JSON path where it was found.
//!
//! This is a port of Confluent's `json/diff` package, shaped the same way so each rule can be
//! checked against its Java original: this module holds the dispatcher (`compare`, with `$ref`
//! resolution, the empty/false/`connect.type: bytes` short-circuits and the plain↔combined
//! special cases) and the shared [`Ctx`]; the per-class rules live in `object`, `array`,
//! `number`, `string`, `combined` and `enums`. The original is the *writer* and the update the
//! *reader*: a BACKWARD check is `compare(previous, new)`.
//!
//! Like Confluent, comparisons of a pair of subschemas are memoised by identity (so oneOf-heavy
//! recursive schemas do not explode), a pair met again while being compared is a recursive cycle
//! assumed compatible, and the whole comparison is iterated to a fixpoint so that assumption
//! cannot mask a real incompatibility.

mod array;
mod combined;
mod enums;
pub(crate) mod model;
mod number;
mod object;
mod string;

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use serde_json::Value;

use super::difference::{CompatibilityPolicy, DifferenceType};
use crate::json_schema::Draft;
use model::{Kind, Node};

/// A difference as the diff finds it: its type and JSON path (`#/properties/a`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawDiff {
    pub kind: DifferenceType,
    pub path: String,
}

type PairKey = ((usize, u16), (usize, u16));

/// State shared by every context of one comparison pass.
struct Shared {
    policy: CompatibilityPolicy,
    memo: RefCell<HashMap<PairKey, Rc<Vec<RawDiff>>>>,
    in_progress: RefCell<HashSet<PairKey>>,
    seed: HashMap<PairKey, Rc<Vec<RawDiff>>>,
    optimism_used: Cell<bool>,
    /// Work budget: a guard against pathological inputs (each pair compared costs one unit).
    budget: Cell<u64>,
}

/// Confluent's `Context`: the current JSON path and the differences found so far.
pub(crate) struct Ctx<'s> {
    shared: &'s Shared,
    path: Vec<String>,
    diffs: Vec<RawDiff>,
}

impl<'s> Ctx<'s> {
    /// A context at the same path with no differences yet (Confluent's `getSubcontext`).
    pub fn sub(&self) -> Ctx<'s> {
        Ctx {
            shared: self.shared,
            path: self.path.clone(),
            diffs: Vec::new(),
        }
    }

    fn path_string(&self) -> String {
        format!("#/{}", self.path.join("/"))
    }

    /// Record a difference at the current path.
    pub fn add(&mut self, kind: DifferenceType) {
        let path = self.path_string();
        self.diffs.push(RawDiff { kind, path });
    }

    /// Record a difference at `attribute` below the current path.
    pub fn add_at(&mut self, attribute: &str, kind: DifferenceType) {
        self.path.push(attribute.to_owned());
        self.add(kind);
        self.path.pop();
    }

    /// Run `f` with `segment` appended to the path.
    pub fn scoped<R>(&mut self, segment: &str, f: impl FnOnce(&mut Self) -> R) -> R {
        self.path.push(segment.to_owned());
        let r = f(self);
        self.path.pop();
        r
    }

    pub fn extend(&mut self, diffs: Vec<RawDiff>) {
        self.diffs.extend(diffs);
    }

    pub fn into_diffs(self) -> Vec<RawDiff> {
        self.diffs
    }

    /// Whether every difference recorded here is allowed by the policy.
    pub fn is_compatible(&self) -> bool {
        self.diffs.iter().all(|d| self.shared.policy.allows(d.kind))
    }

    fn add_rebased(&mut self, relative: &[RawDiff]) {
        let prefix = self.path_string();
        for d in relative {
            let path = if self.path.is_empty() {
                d.path.clone()
            } else if d.path.len() <= 2 {
                prefix.clone()
            } else {
                format!("{prefix}/{}", &d.path[2..])
            };
            self.diffs.push(RawDiff { kind: d.kind, path });
        }
    }
}

/// Compare `original` (writer) with `update` (reader) and list every difference found.
pub(crate) fn compare_roots<'a>(
    policy: CompatibilityPolicy,
    original: Node<'a>,
    update: Node<'a>,
) -> Vec<RawDiff> {
    let mut seed: HashMap<PairKey, Rc<Vec<RawDiff>>> = HashMap::new();
    const MAX_PASSES: usize = 32;
    for pass in 1..=MAX_PASSES {
        let shared = Shared {
            policy,
            memo: RefCell::new(HashMap::new()),
            in_progress: RefCell::new(HashSet::new()),
            seed: seed.clone(),
            optimism_used: Cell::new(false),
            budget: Cell::new(2_000_000),
        };
        let mut ctx = Ctx {
            shared: &shared,
            path: Vec::new(),
            diffs: Vec::new(),
        };
        compare(&mut ctx, Some(original.clone()), Some(update.clone()));
        let incompatible: HashMap<PairKey, Rc<Vec<RawDiff>>> = shared
            .memo
            .borrow()
            .iter()
            .filter(|(_, diffs)| diffs.iter().any(|d| !policy.allows(d.kind)))
            .map(|(k, v)| (*k, Rc::clone(v)))
            .collect();
        let same_keys = incompatible.len() == seed.len() && incompatible.keys().all(|k| seed.contains_key(k));
        if !shared.optimism_used.get() || same_keys || pass == MAX_PASSES {
            return ctx.into_diffs();
        }
        seed = incompatible;
    }
    Vec::new()
}

/// Confluent's `SchemaDiff.compare(ctx, original, update)`.
pub(crate) fn compare<'a>(ctx: &mut Ctx<'_>, original: Option<Node<'a>>, update: Option<Node<'a>>) {
    let (original, update) = match (original, update) {
        (None, None) => return,
        (None, Some(_)) => return ctx.add(DifferenceType::SchemaAdded),
        (Some(_), None) => return ctx.add(DifferenceType::SchemaRemoved),
        (Some(o), Some(u)) => (model::resolve(o), model::resolve(u)),
    };
    let key = (original.id, update.id);
    let cached = ctx.shared.memo.borrow().get(&key).cloned();
    if let Some(cached) = cached {
        return ctx.add_rebased(&cached);
    }
    if !ctx.shared.in_progress.borrow_mut().insert(key) {
        if let Some(seeded) = ctx.shared.seed.get(&key) {
            let seeded = Rc::clone(seeded);
            return ctx.add_rebased(&seeded);
        }
        ctx.shared.optimism_used.set(true);
        return;
    }
    // A guard against pathological inputs: each distinct pair compared costs one unit; when the
    // budget is spent the pair is reported as changed rather than silently passed.
    let remaining = ctx.shared.budget.get();
    if remaining == 0 {
        ctx.shared.in_progress.borrow_mut().remove(&key);
        return ctx.add(DifferenceType::TypeChanged);
    }
    ctx.shared.budget.set(remaining - 1);
    let mut sub = Ctx {
        shared: ctx.shared,
        path: Vec::new(),
        diffs: Vec::new(),
    };
    compare_types(&mut sub, &original, &update);
    let result = Rc::new(sub.into_diffs());
    ctx.shared.in_progress.borrow_mut().remove(&key);
    ctx.shared.memo.borrow_mut().insert(key, Rc::clone(&result));
    ctx.add_rebased(&result);
}

/// Try each branch of `combined` against `other`; on the first compatible one, keep its
/// differences plus `extra` and report success.
fn first_compatible_branch<'a>(
    ctx: &mut Ctx<'_>,
    branches: &[Node<'a>],
    other: &Node<'a>,
    branch_is_original: bool,
    extra: Option<DifferenceType>,
) -> bool {
    for branch in branches {
        let mut sub = ctx.sub();
        if branch_is_original {
            compare(&mut sub, Some(branch.clone()), Some(other.clone()));
        } else {
            compare(&mut sub, Some(other.clone()), Some(branch.clone()));
        }
        if sub.is_compatible() {
            ctx.extend(sub.into_diffs());
            if let Some(kind) = extra {
                ctx.add(kind);
            }
            return true;
        }
    }
    false
}

fn compare_types<'a>(ctx: &mut Ctx<'_>, original: &Node<'a>, update: &Node<'a>) {
    use model::Criterion;
    match (&original.kind, &update.kind) {
        (o, Kind::Combined(crit, subs)) if !matches!(o, Kind::Combined(..)) => {
            if subs.len() == 1 {
                if first_compatible_branch(ctx, subs, original, false, None) {
                    return;
                }
            } else if matches!(crit, Criterion::Any | Criterion::One)
                && first_compatible_branch(ctx, subs, original, false, Some(DifferenceType::SumTypeExtended))
            {
                return;
            }
        }
        (Kind::Combined(crit, subs), u) if !matches!(u, Kind::Combined(..)) => {
            if subs.len() == 1 {
                if first_compatible_branch(ctx, subs, update, true, None) {
                    return;
                }
            } else if *crit == Criterion::All
                && first_compatible_branch(ctx, subs, update, true, Some(DifferenceType::ProductTypeNarrowed))
            {
                return;
            }
        }
        _ => {}
    }

    if !original.same_class(update) {
        if original.is_false() || update.is_empty_schema() {
            return;
        }
        let bytes = |n: &Node<'_>| n.meta_value("connect.type").and_then(Value::as_str) == Some("bytes");
        if bytes(original) && bytes(update) {
            return;
        }
        return ctx.add(DifferenceType::TypeChanged);
    }

    compare_annotations(ctx, original, update);

    match (&original.kind, &update.kind) {
        (Kind::String(o), Kind::String(u)) => string::compare(ctx, o, u),
        (Kind::Number(o, oi), Kind::Number(u, ui)) => number::compare(ctx, (o, *oi), (u, *ui)),
        (Kind::Const(o), Kind::Const(u)) => enums::compare_const(ctx, o, u),
        (Kind::Enum(o), Kind::Enum(u)) => enums::compare_enum(ctx, o, u),
        (Kind::Combined(oc, os), Kind::Combined(uc, us)) => {
            combined::compare_combined(ctx, (*oc, os), (*uc, us));
        }
        (Kind::Not(o), Kind::Not(u)) => enums::compare_not(ctx, original, o, update, u),
        (Kind::Object(o), Kind::Object(u)) => object::compare_object(ctx, original, o, update, u),
        (Kind::Array(o), Kind::Array(u)) => array::compare_array(ctx, original, o, update, u),
        _ => {}
    }
}

fn compare_annotations(ctx: &mut Ctx<'_>, original: &Node<'_>, update: &Node<'_>) {
    let id_key = |n: &Node<'_>| match n.docs.draft(n.doc) {
        Draft::Draft4 => Some("id"),
        Draft::Draft6 | Draft::Draft7 => Some("$id"),
        Draft::Draft201909 | Draft::Draft202012 => None,
    };
    let (o_id, u_id) = (
        id_key(original).and_then(|k| original.meta_value(k)),
        id_key(update).and_then(|k| update.meta_value(k)),
    );
    if o_id != u_id {
        ctx.add(DifferenceType::IdChanged);
    }
    let checks = [
        ("title", DifferenceType::TitleChanged),
        ("description", DifferenceType::DescriptionChanged),
        ("default", DifferenceType::DefaultChanged),
    ];
    for (key, kind) in checks {
        if original.meta_value(key) != update.meta_value(key) {
            ctx.add(kind);
        }
    }
}

/// A schema position inside a node's document, for the per-class modules.
pub(crate) fn child<'a>(node: &Node<'a>, value: &'a Value) -> Node<'a> {
    model::load(node.docs, node.doc, value)
}

/// Read a number keyword as `f64`.
pub(crate) fn num(map: &serde_json::Map<String, Value>, key: &str) -> Option<f64> {
    map.get(key).and_then(Value::as_f64)
}

/// Compare an optional numeric limit with Confluent's ADDED/REMOVED/INCREASED/DECREASED rules.
#[allow(clippy::too_many_arguments)]
pub(crate) fn compare_limit(
    ctx: &mut Ctx<'_>,
    attribute: &str,
    original: Option<f64>,
    update: Option<f64>,
    kinds: [DifferenceType; 4],
) {
    let [added, removed, increased, decreased] = kinds;
    match (original, update) {
        (None, Some(_)) => ctx.add_at(attribute, added),
        (Some(_), None) => ctx.add_at(attribute, removed),
        (Some(o), Some(u)) if o < u => ctx.add_at(attribute, increased),
        (Some(o), Some(u)) if o > u => ctx.add_at(attribute, decreased),
        _ => {}
    }
}
