//! Choosing the conversion from a writer's JSON subschema to a declared Flink type, and classifying it
//! as lossless, lossy (some values fail) or incompatible (no value converts) before any record flows.
//!
//! The rules follow what the writer's annotations mean (Connect `connect.type`, Connect and Debezium
//! logical types in `title`) rather than the bare JSON type: an `int64` titled
//! `io.debezium.time.MicroTimestamp` is microseconds since the epoch, so it reads exactly into
//! `TIMESTAMP(6)` or `BIGINT`, but into `TIMESTAMP(3)` only when the microseconds are zero. Without a
//! writer schema (plain `json`), values are read the way Apache Flink's `json` format reads them.

use serde_json::Value as Json;

mod temporal;

use super::error::{Compatibility, ConversionError, MappingError};
use super::read::{DecSrc, FieldReader, IntKind, Op, ReadOptions, StrSrc};
use super::schema::{IntWidth, Kind, Temporal, Writer, title};
use crate::types::{DataType, MAX_LENGTH, TypeKind};

/// Compile a reader for one column with default [`ReadOptions`]; errors name the column `value`
/// until [`FieldReader::with_column`] renames it.
///
/// `writer` is the field's JSON subschema in the writer's (registered) schema, `None` for formats
/// without one (plain `json`).
///
/// # Errors
/// [`MappingError::Incompatible`] when no value of the writer's type can be read as `declared`
/// (e.g. a `ZonedTimestamp` string into `INT`); [`MappingError::Unsupported`] for declared types
/// Switchyard cannot read (`MAP` keys of a `ROW` type…).
pub fn compile_reader(writer: Option<&Json>, declared: &DataType) -> Result<FieldReader, MappingError> {
    compile_reader_with("value", writer, declared, &ReadOptions::default())
}

/// [`compile_reader`] with the column name errors should carry and options for schemaless input.
///
/// # Errors
/// As [`compile_reader`].
pub fn compile_reader_with(
    column: &str,
    writer: Option<&Json>,
    declared: &DataType,
    opts: &ReadOptions,
) -> Result<FieldReader, MappingError> {
    let w = writer
        .map(Writer::classify)
        .filter(|w| !matches!(w.kind, Kind::Any));
    build(column, w.as_ref(), declared, opts)
}

/// The plan-time verdict for reading the writer's field as `declared` (default [`ReadOptions`]).
pub fn check_column(writer: Option<&Json>, declared: &DataType) -> Compatibility {
    check_column_with("value", writer, declared, &ReadOptions::default())
}

/// [`check_column`] with a column name and options.
pub fn check_column_with(
    column: &str,
    writer: Option<&Json>,
    declared: &DataType,
    opts: &ReadOptions,
) -> Compatibility {
    match compile_reader_with(column, writer, declared, opts) {
        Ok(reader) => match reader.lossy {
            Some(e) => Compatibility::Lossy(e),
            None => Compatibility::Lossless(
                reader
                    .description
                    .unwrap_or_else(|| format!("{} → {} (as is)", reader.from, reader.to)),
            ),
        },
        Err(MappingError::Incompatible(e)) => Compatibility::Incompatible(*e),
        Err(other) => Compatibility::Incompatible(ConversionError {
            column: column.to_owned(),
            from: writer
                .map(|w| Writer::classify(w).describe())
                .unwrap_or_else(|| "JSON".to_owned()),
            to: declared.to_string(),
            message: other.to_string(),
            fix: "declare a type Switchyard supports for this field".to_owned(),
        }),
    }
}

/// A chosen conversion before it is wrapped into a [`FieldReader`].
pub(super) struct Plan {
    op: Op,
    description: Option<String>,
    /// `(message, fix)` when some writer values will fail.
    lossy: Option<(String, String)>,
    /// The fix reported with per-value errors.
    fix: String,
}

impl Plan {
    fn new(op: Op, fix: impl Into<String>) -> Self {
        Plan {
            op,
            description: None,
            lossy: None,
            fix: fix.into(),
        }
    }

    fn described(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    fn lossy(mut self, message: impl Into<String>, fix: impl Into<String>) -> Self {
        let fix = fix.into();
        self.fix.clone_from(&fix);
        self.lossy = Some((message.into(), fix));
        self
    }
}

/// `(message, fix)` for a combination no value survives.
type Refusal = (String, String);

fn leaf(column: &str) -> &str {
    column
        .rsplit(['.', '[', '{'])
        .next()
        .unwrap_or(column)
        .trim_end_matches([']', '}'])
}

fn build(
    column: &str,
    w: Option<&Writer<'_>>,
    declared: &DataType,
    opts: &ReadOptions,
) -> Result<FieldReader, MappingError> {
    let from = w.map(Writer::describe).unwrap_or_else(|| "JSON".to_owned());
    let to = declared.to_string();
    let plan = plan(column, w, declared, opts, &from).map_err(|e| match e {
        PlanError::Refused((message, fix)) => MappingError::Incompatible(Box::new(ConversionError {
            column: column.to_owned(),
            from: from.clone(),
            to: to.clone(),
            message,
            fix,
        })),
        PlanError::Mapping(m) => m,
    })?;
    let mut lossy = plan.lossy.map(|(message, fix)| ConversionError {
        column: column.to_owned(),
        from: from.clone(),
        to: to.clone(),
        message,
        fix,
    });
    if lossy.is_none() {
        lossy = child_lossy(&plan.op);
    }
    if lossy.is_none() && !declared.nullable && w.is_some_and(|w| w.nullable) {
        lossy = Some(ConversionError {
            column: column.to_owned(),
            from: format!("nullable {from}"),
            to: to.clone(),
            message: "the writer allows null, which fails in a NOT NULL column".to_owned(),
            fix: "drop NOT NULL from the column, or filter/COALESCE the nulls upstream".to_owned(),
        });
    }
    Ok(FieldReader {
        column: column.to_owned(),
        from,
        to: declared.clone(),
        fix: plan.fix,
        op: plan.op,
        description: plan.description,
        lossy,
    })
}

fn child_lossy(op: &Op) -> Option<ConversionError> {
    match op {
        Op::Array(e) | Op::Multiset(e) => e.lossy.clone(),
        Op::Map { key, value } => key.lossy.clone().or_else(|| value.lossy.clone()),
        Op::Row(fields) => fields.iter().find_map(|(_, f)| f.lossy.clone()),
        _ => None,
    }
}

pub(super) enum PlanError {
    Refused(Refusal),
    Mapping(MappingError),
}

impl From<MappingError> for PlanError {
    fn from(e: MappingError) -> Self {
        PlanError::Mapping(e)
    }
}

pub(super) fn refuse<T>(message: impl Into<String>, fix: impl Into<String>) -> Result<T, PlanError> {
    Err(PlanError::Refused((message.into(), fix.into())))
}

fn int_kind(kind: &TypeKind) -> Option<(IntKind, IntWidth)> {
    match kind {
        TypeKind::TinyInt => Some((IntKind::Tiny, IntWidth::I8)),
        TypeKind::SmallInt => Some((IntKind::Small, IntWidth::I16)),
        TypeKind::Int => Some((IntKind::Int, IntWidth::I32)),
        TypeKind::BigInt => Some((IntKind::Big, IntWidth::I64)),
        _ => None,
    }
}

fn width_type(width: IntWidth) -> &'static str {
    match width {
        IntWidth::I8 => "TINYINT",
        IntWidth::I16 => "SMALLINT",
        IntWidth::I32 => "INT",
        IntWidth::I64 => "BIGINT",
    }
}

/// The integer width of integer-encoded writers (plain integers and epoch/day counts).
fn integer_width(kind: &Kind<'_>) -> Option<IntWidth> {
    match kind {
        Kind::Int { width, .. } => Some(*width),
        Kind::Temporal(Temporal::EpochDays | Temporal::MillisOfDay) => Some(IntWidth::I32),
        Kind::Temporal(Temporal::ZonedText) => None,
        Kind::Temporal(_) => Some(IntWidth::I64),
        _ => None,
    }
}

/// What CC Flink would infer for the writer (used in fixes).
fn natural(w: &Writer<'_>) -> String {
    super::infer::flink_type(w.schema)
        .map(|t| t.with_nullable(true).to_string())
        .unwrap_or_else(|_| "STRING".to_owned())
}

fn plan(
    column: &str,
    w: Option<&Writer<'_>>,
    declared: &DataType,
    opts: &ReadOptions,
    from: &str,
) -> Result<Plan, PlanError> {
    let to = declared.clone().with_nullable(true).to_string();
    let col = leaf(column);
    let kind = w.map(|w| &w.kind);
    match &declared.kind {
        TypeKind::Boolean => match kind {
            None => Ok(Plan::new(Op::Boolean { strings: true }, "send JSON booleans")),
            Some(Kind::Boolean) => Ok(Plan::new(Op::Boolean { strings: false }, "")),
            Some(Kind::String { .. } | Kind::Enum) => Ok(Plan::new(Op::Boolean { strings: true }, "")
                .described(format!("{from} 'true'/'false' → BOOLEAN"))
                .lossy(
                    "strings other than 'true'/'false' fail",
                    format!("declare `{col}` STRING and compare it in SQL"),
                )),
            Some(_) => refuse(
                format!("{from} is not a boolean"),
                format!("declare `{col}` {}", natural_or(w)),
            ),
        },
        k if int_kind(k).is_some() => {
            let Some((ik, dw)) = int_kind(k) else {
                return refuse("", "");
            };
            match kind {
                None => Ok(Plan::new(
                    Op::Integer {
                        kind: ik,
                        strings: true,
                    },
                    format!("declare `{col}` with a wider type (BIGINT, DECIMAL)"),
                )),
                Some(Kind::String { .. } | Kind::Enum) => Ok(Plan::new(
                    Op::Integer {
                        kind: ik,
                        strings: true,
                    },
                    "",
                )
                .described(format!("{from} numeric text → {to}"))
                .lossy(
                    "strings that are not integers fail",
                    format!("declare `{col}` STRING and use TRY_CAST(`{col}` AS {to})"),
                )),
                Some(Kind::Float32 | Kind::Float64 { .. }) => Ok(Plan::new(
                    Op::Integer {
                        kind: ik,
                        strings: false,
                    },
                    "",
                )
                .described(format!("{from} (integral values) → {to}"))
                .lossy(
                    "numbers with a fraction or outside the range fail",
                    format!("declare `{col}` DOUBLE (or DECIMAL) and CAST in the query"),
                )),
                Some(wk) => match integer_width(wk) {
                    Some(ww) => {
                        let mut p = Plan::new(
                            Op::Integer {
                                kind: ik,
                                strings: false,
                            },
                            "",
                        );
                        if let Kind::Temporal(t) = wk {
                            p = p.described(format!(
                                "{} ({}) → {to} (the raw count)",
                                w.and_then(|w| title(w.schema)).unwrap_or(""),
                                t.unit()
                            ));
                        } else if ww < dw {
                            p = p.described(format!("{from} → {to} (widening)"));
                        }
                        if ww > dw {
                            p = p.lossy(
                                format!("{} values outside the {to} range fail", ww.name()),
                                format!("declare `{col}` {}", width_type(ww)),
                            );
                        }
                        Ok(p)
                    }
                    None => refuse(
                        format!("{from} is not an integer"),
                        format!("declare `{col}` {}", natural_or(w)),
                    ),
                },
            }
        }
        TypeKind::Float | TypeKind::Double => {
            let single = declared.kind == TypeKind::Float;
            let op = |strings| Op::Float {
                single,
                strings,
                exact_integers: false,
            };
            match kind {
                None => Ok(Plan::new(op(true), "")),
                Some(Kind::Float64 { .. }) if !single => Ok(Plan::new(op(false), "")),
                Some(Kind::Float32) => Ok(Plan::new(op(false), "")
                    .described(if single {
                        String::new()
                    } else {
                        format!("{from} → DOUBLE (widening)")
                    })
                    .clear_empty()),
                Some(Kind::Float64 { .. }) => Ok(Plan::new(op(false), "").lossy(
                    "float64 values beyond the FLOAT range fail; others are rounded to FLOAT's precision",
                    format!("declare `{col}` DOUBLE"),
                )),
                Some(Kind::String { .. } | Kind::Enum) => Ok(Plan::new(op(true), "")
                    .described(format!("{from} numeric text → {to}"))
                    .lossy(
                        "strings that are not numbers fail",
                        format!("declare `{col}` STRING and use TRY_CAST"),
                    )),
                Some(Kind::Int { width, .. }) => {
                    let exact = if single {
                        *width <= IntWidth::I16
                    } else {
                        *width <= IntWidth::I32
                    };
                    let p = Plan::new(
                        Op::Float {
                            single,
                            strings: false,
                            exact_integers: true,
                        },
                        "",
                    )
                    .described(format!("{from} → {to}"));
                    Ok(if exact {
                        p
                    } else {
                        p.lossy(
                            format!(
                                "{} values beyond ±2^{} are not exact in {to}",
                                width.name(),
                                if single { 24 } else { 53 }
                            ),
                            format!("declare `{col}` {} (or DECIMAL)", width_type(*width)),
                        )
                    })
                }
                Some(_) => refuse(
                    format!("{from} is not a number"),
                    format!("declare `{col}` {}", natural_or(w)),
                ),
            }
        }
        TypeKind::Decimal { precision, scale } => {
            let (p, s) = (*precision, *scale);
            let op = |src| Op::Decimal {
                precision: p,
                scale: s,
                src,
            };
            let int_digits = u32::from(p.saturating_sub(s));
            match kind {
                None => Ok(Plan::new(op(DecSrc::Number { strings: true }), format!("declare `{col}` with a wider DECIMAL"))),
                Some(Kind::Decimal { precision: wp, scale: ws }) => {
                    let plan = Plan::new(op(DecSrc::Connect(*ws)), "").described(format!(
                        "{CD} (base64 unscaled, scale {ws}) → {to} (exact)",
                        CD = super::schema::CONNECT_DECIMAL
                    ));
                    let wide = match wp {
                        Some(wp) => format!("DECIMAL({wp}, {ws})"),
                        None => format!("DECIMAL(38, {ws})"),
                    };
                    if *ws > u32::from(s) {
                        Ok(plan.lossy(format!("values with more than {s} fractional digits fail (the writer has scale {ws})"), format!("declare `{col}` {wide}")))
                    } else if wp.is_none_or(|wp| wp.saturating_sub(*ws) > int_digits) {
                        Ok(plan.lossy(format!("values with more than {int_digits} integer digits fail"), format!("declare `{col}` {wide}")))
                    } else {
                        Ok(plan)
                    }
                }
                Some(Kind::VariableScaleDecimal) => Ok(Plan::new(op(DecSrc::VariableScale), "")
                    .described(format!("{} {{scale, value}} → {to} (exact)", super::schema::DBZ_VARIABLE_SCALE_DECIMAL))
                    .lossy("each value has its own scale; values that do not fit fail", format!("declare `{col}` with a scale and precision that hold every value, or set decimal.handling.mode=string and declare STRING"))),
                Some(Kind::Float32 | Kind::Float64 { .. }) => Ok(Plan::new(op(DecSrc::Number { strings: false }), "")
                    .described(format!("{from} (exact JSON digits) → {to}"))
                    .lossy(format!("numbers with more than {s} fractional or {int_digits} integer digits fail"), format!("declare `{col}` DOUBLE"))),
                Some(Kind::String { .. } | Kind::Enum) => Ok(Plan::new(op(DecSrc::Number { strings: true }), "")
                    .described(format!("{from} numeric text → {to} (exact)"))
                    .lossy("strings that are not numbers, or do not fit, fail", format!("declare `{col}` STRING and use TRY_CAST"))),
                Some(Kind::Int { width, .. }) => {
                    let p = Plan::new(op(DecSrc::Number { strings: false }), "").described(format!("{from} → {to}"));
                    Ok(if width.digits() <= int_digits { p } else {
                        p.lossy(format!("{} values with more than {int_digits} digits fail", width.name()), format!("declare `{col}` {} or DECIMAL({}, {s})", width_type(*width), (width.digits() + u32::from(s)).min(38)))
                    })
                }
                Some(_) => refuse(format!("{from} is not a number"), format!("declare `{col}` {}", natural_or(w))),
            }
        }
        TypeKind::Char(n) | TypeKind::Varchar(n) => {
            let n = *n;
            let bounded = n != MAX_LENGTH;
            let length_lossy = |plan: Plan, max: Option<u64>| {
                if bounded && max.is_none_or(|m| m > u64::from(n)) {
                    plan.lossy(
                        format!("text longer than {n} characters fails"),
                        format!("declare `{col}` STRING"),
                    )
                } else {
                    plan
                }
            };
            let op = |src| Op::String { max: n, src };
            match kind {
                None => Ok(length_lossy(Plan::new(op(StrSrc::Text), ""), None)),
                Some(Kind::String { max_length }) => {
                    let plan = Plan::new(op(StrSrc::Text), "");
                    let plan = match w.and_then(|w| title(w.schema)) {
                        Some(t) => plan.described(format!("{t} (string) → {to} (as is)")),
                        None => plan,
                    };
                    Ok(length_lossy(plan, *max_length))
                }
                Some(Kind::Enum) => Ok(length_lossy(Plan::new(op(StrSrc::Text), ""), None)),
                Some(Kind::Temporal(Temporal::ZonedText)) => Ok(length_lossy(
                    Plan::new(op(StrSrc::Text), "")
                        .described(format!("{from} → {to} (the ISO-8601 text as is)")),
                    None,
                )),
                Some(Kind::Decimal { scale, .. }) => Ok(length_lossy(
                    Plan::new(op(StrSrc::Decimal(*scale)), "")
                        .described(format!("{from} → {to} (exact decimal text)")),
                    None,
                )),
                Some(Kind::Bytes { .. }) => Ok(length_lossy(
                    Plan::new(op(StrSrc::Text), "").described(format!("{from} → {to} (the base64 text)")),
                    None,
                )),
                Some(Kind::Null) => Ok(Plan::new(op(StrSrc::Text), "")),
                Some(_) => Ok(length_lossy(
                    Plan::new(op(StrSrc::Text), "").described(format!("{from} → {to} (its JSON text)")),
                    None,
                )),
            }
        }
        TypeKind::Binary(n) | TypeKind::Varbinary(n) => {
            let n = *n;
            let op = Op::Bytes { max: n };
            let length_lossy = |plan: Plan, max: Option<u64>| {
                if n != MAX_LENGTH && max.is_none_or(|m| m > u64::from(n)) {
                    plan.lossy(
                        format!("values longer than {n} bytes fail"),
                        format!("declare `{col}` BYTES"),
                    )
                } else {
                    plan
                }
            };
            match kind {
                None => Ok(length_lossy(
                    Plan::new(op, "").described(format!("base64 text → {to}")),
                    None,
                )),
                Some(Kind::Bytes { max_length }) => Ok(length_lossy(
                    Plan::new(op, "").described(format!("{from} → {to}")),
                    *max_length,
                )),
                Some(Kind::String { .. }) => Ok(Plan::new(op, "")
                    .described(format!("{from} base64 text → {to}"))
                    .lossy(
                        "strings that are not base64 fail",
                        format!("declare `{col}` STRING"),
                    )),
                Some(_) => refuse(
                    format!("{from} is not bytes"),
                    format!("declare `{col}` {}", natural_or(w)),
                ),
            }
        }
        TypeKind::Date => temporal::plan_date(col, w, opts, from),
        TypeKind::Time(p) => temporal::plan_time(col, w, *p, opts, from, &to),
        TypeKind::Timestamp(p) => temporal::plan_timestamp(col, w, *p, false, opts, from, &to),
        TypeKind::TimestampLtz(p) => temporal::plan_timestamp(col, w, *p, true, opts, from, &to),
        TypeKind::Array(elem) => match kind {
            None | Some(Kind::Array { .. }) => {
                let items = match kind {
                    Some(Kind::Array { items }) => items.map(Writer::classify),
                    _ => None,
                };
                let e = build(
                    &format!("{column}[]"),
                    items.as_ref().filter(|i| !matches!(i.kind, Kind::Any)),
                    elem,
                    opts,
                )?;
                let d = e.description.as_ref().map(|d| format!("elements: {d}"));
                let mut plan = Plan::new(Op::Array(Box::new(e)), "");
                plan.description = d;
                Ok(plan)
            }
            Some(_) => refuse(
                format!("{from} is not an array"),
                format!("declare `{col}` {}", natural_or(w)),
            ),
        },
        TypeKind::Multiset(elem) => match kind {
            None | Some(Kind::MapObject { .. } | Kind::MapPairs { .. }) => {
                let e = build(&format!("{column}[]"), None, elem, opts)?;
                Ok(Plan::new(Op::Multiset(Box::new(e)), "").described(format!("map of counts → {to}")))
            }
            Some(_) => refuse(
                format!("{from} is not a multiset (map of counts)"),
                format!("declare `{col}` {}", natural_or(w)),
            ),
        },
        TypeKind::Map(k, v) => {
            let string_key = Writer {
                schema: &Json::Null,
                nullable: false,
                kind: Kind::String { max_length: None },
            };
            let (kw, vw) = match kind {
                None => (None, None),
                Some(Kind::MapObject { values }) => (Some(string_key), values.map(Writer::classify)),
                Some(Kind::MapPairs { key, value }) => {
                    (key.map(Writer::classify), value.map(Writer::classify))
                }
                Some(Kind::Object { .. }) => (Some(string_key), None),
                Some(_) => {
                    return refuse(
                        format!("{from} is not a map"),
                        format!("declare `{col}` {}", natural_or(w)),
                    );
                }
            };
            let kr = build(&format!("{column}{{key}}"), known(kw).as_ref(), k, opts)?;
            let vr = build(&format!("{column}{{value}}"), known(vw).as_ref(), v, opts)?;
            let d = match (&kr.description, &vr.description) {
                (None, None) => None,
                (kd, vd) => Some(format!(
                    "keys: {}; values: {}",
                    kd.as_deref().unwrap_or("as is"),
                    vd.as_deref().unwrap_or("as is")
                )),
            };
            let mut plan = Plan::new(
                Op::Map {
                    key: Box::new(kr),
                    value: Box::new(vr),
                },
                "",
            );
            plan.description = d;
            Ok(plan)
        }
        TypeKind::Row(fields) => {
            let props = match kind {
                None => None,
                Some(Kind::Object { properties }) => Some(*properties),
                Some(Kind::VariableScaleDecimal) => Some(
                    w.and_then(|w| w.schema.get("properties"))
                        .and_then(Json::as_object),
                ),
                Some(Kind::Combined) => None,
                Some(_) => {
                    return refuse(
                        format!("{from} is not an object"),
                        format!("declare `{col}` {}", natural_or(w)),
                    );
                }
            };
            let mut readers = Vec::with_capacity(fields.len());
            let mut descriptions = Vec::new();
            let mut missing = None;
            for f in fields {
                let fw = props
                    .flatten()
                    .and_then(|p| p.get(&f.name))
                    .map(Writer::classify)
                    .filter(|x| !matches!(x.kind, Kind::Any));
                if props.flatten().is_some() && fw.is_none() && missing.is_none() {
                    missing = Some(f.name.clone());
                }
                let r = build(&format!("{column}.{}", f.name), fw.as_ref(), &f.data_type, opts)?;
                if let Some(d) = &r.description {
                    descriptions.push(format!("{}: {d}", f.name));
                }
                readers.push((f.name.clone(), r));
            }
            let mut plan = Plan::new(Op::Row(readers), "");
            if !descriptions.is_empty() {
                plan.description = Some(descriptions.join("; "));
            }
            if let Some(name) = missing {
                plan = plan.lossy(
                    format!("the writer's object has no field `{name}`: it reads as NULL"),
                    format!(
                        "check the spelling of `{name}`; the writer's fields are the schema's properties"
                    ),
                );
            }
            Ok(plan)
        }
        TypeKind::TinyInt | TypeKind::SmallInt | TypeKind::Int | TypeKind::BigInt => refuse("", ""),
    }
}

fn known(w: Option<Writer<'_>>) -> Option<Writer<'_>> {
    w.filter(|x| !matches!(x.kind, Kind::Any))
}

pub(super) fn natural_or(w: Option<&Writer<'_>>) -> String {
    w.map(natural).unwrap_or_else(|| "STRING".to_owned())
}

impl Plan {
    fn clear_empty(mut self) -> Self {
        if self.description.as_deref() == Some("") {
            self.description = None;
        }
        self
    }
}
