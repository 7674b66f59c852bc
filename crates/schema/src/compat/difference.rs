//! Confluent's difference vocabulary: every `Difference.Type` name, which of them are compatible
//! under the STRICT and LENIENT policies, and the sentences Confluent prints for them.
//!
//! The names are declared once in a table (`difference_types!`) so that the Rust variant, its
//! SCREAMING_SNAKE spelling and the `ALL` list cannot drift apart. The compatible sets mirror
//! `SchemaDiff.COMPATIBLE_CHANGES_STRICT` / `_LENIENT`, and the message templates mirror
//! `Difference.error()`, so that the registry can answer with Confluent's exact wording.

use std::fmt;
use std::str::FromStr;

macro_rules! difference_types {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        /// The kind of a difference, named as Confluent's `Difference.Type` names it.
        ///
        /// `Display`/`FromStr` use Confluent's SCREAMING_SNAKE spelling, e.g.
        /// `PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum DifferenceType {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )+
        }

        impl DifferenceType {
            /// Every difference type, in Confluent's declaration order.
            pub const ALL: &'static [DifferenceType] = &[$(DifferenceType::$variant),+];

            /// Confluent's name for this type, e.g. `TYPE_CHANGED`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(DifferenceType::$variant => $name,)+
                }
            }
        }
    };
}

difference_types! {
    IdChanged => "ID_CHANGED",
    DescriptionChanged => "DESCRIPTION_CHANGED",
    TitleChanged => "TITLE_CHANGED",
    DefaultChanged => "DEFAULT_CHANGED",
    SchemaAdded => "SCHEMA_ADDED",
    SchemaRemoved => "SCHEMA_REMOVED",
    TypeExtended => "TYPE_EXTENDED",
    TypeNarrowed => "TYPE_NARROWED",
    TypeChanged => "TYPE_CHANGED",
    MaxLengthAdded => "MAX_LENGTH_ADDED",
    MaxLengthRemoved => "MAX_LENGTH_REMOVED",
    MaxLengthIncreased => "MAX_LENGTH_INCREASED",
    MaxLengthDecreased => "MAX_LENGTH_DECREASED",
    MinLengthAdded => "MIN_LENGTH_ADDED",
    MinLengthRemoved => "MIN_LENGTH_REMOVED",
    MinLengthIncreased => "MIN_LENGTH_INCREASED",
    MinLengthDecreased => "MIN_LENGTH_DECREASED",
    PatternAdded => "PATTERN_ADDED",
    PatternRemoved => "PATTERN_REMOVED",
    PatternChanged => "PATTERN_CHANGED",
    MaximumAdded => "MAXIMUM_ADDED",
    MaximumRemoved => "MAXIMUM_REMOVED",
    MaximumIncreased => "MAXIMUM_INCREASED",
    MaximumDecreased => "MAXIMUM_DECREASED",
    MinimumAdded => "MINIMUM_ADDED",
    MinimumRemoved => "MINIMUM_REMOVED",
    MinimumIncreased => "MINIMUM_INCREASED",
    MinimumDecreased => "MINIMUM_DECREASED",
    ExclusiveMaximumAdded => "EXCLUSIVE_MAXIMUM_ADDED",
    ExclusiveMaximumRemoved => "EXCLUSIVE_MAXIMUM_REMOVED",
    ExclusiveMaximumIncreased => "EXCLUSIVE_MAXIMUM_INCREASED",
    ExclusiveMaximumDecreased => "EXCLUSIVE_MAXIMUM_DECREASED",
    ExclusiveMinimumAdded => "EXCLUSIVE_MINIMUM_ADDED",
    ExclusiveMinimumRemoved => "EXCLUSIVE_MINIMUM_REMOVED",
    ExclusiveMinimumIncreased => "EXCLUSIVE_MINIMUM_INCREASED",
    ExclusiveMinimumDecreased => "EXCLUSIVE_MINIMUM_DECREASED",
    MultipleOfAdded => "MULTIPLE_OF_ADDED",
    MultipleOfRemoved => "MULTIPLE_OF_REMOVED",
    MultipleOfExpanded => "MULTIPLE_OF_EXPANDED",
    MultipleOfReduced => "MULTIPLE_OF_REDUCED",
    MultipleOfChanged => "MULTIPLE_OF_CHANGED",
    RequiredAttributeAdded => "REQUIRED_ATTRIBUTE_ADDED",
    RequiredAttributeWithDefaultAdded => "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
    RequiredAttributeRemoved => "REQUIRED_ATTRIBUTE_REMOVED",
    MaxPropertiesAdded => "MAX_PROPERTIES_ADDED",
    MaxPropertiesRemoved => "MAX_PROPERTIES_REMOVED",
    MaxPropertiesIncreased => "MAX_PROPERTIES_INCREASED",
    MaxPropertiesDecreased => "MAX_PROPERTIES_DECREASED",
    MinPropertiesAdded => "MIN_PROPERTIES_ADDED",
    MinPropertiesRemoved => "MIN_PROPERTIES_REMOVED",
    MinPropertiesIncreased => "MIN_PROPERTIES_INCREASED",
    MinPropertiesDecreased => "MIN_PROPERTIES_DECREASED",
    AdditionalPropertiesAdded => "ADDITIONAL_PROPERTIES_ADDED",
    AdditionalPropertiesRemoved => "ADDITIONAL_PROPERTIES_REMOVED",
    AdditionalPropertiesExtended => "ADDITIONAL_PROPERTIES_EXTENDED",
    AdditionalPropertiesNarrowed => "ADDITIONAL_PROPERTIES_NARROWED",
    DependencyArrayAdded => "DEPENDENCY_ARRAY_ADDED",
    DependencyArrayRemoved => "DEPENDENCY_ARRAY_REMOVED",
    DependencyArrayExtended => "DEPENDENCY_ARRAY_EXTENDED",
    DependencyArrayNarrowed => "DEPENDENCY_ARRAY_NARROWED",
    DependencyArrayChanged => "DEPENDENCY_ARRAY_CHANGED",
    DependencySchemaAdded => "DEPENDENCY_SCHEMA_ADDED",
    DependencySchemaRemoved => "DEPENDENCY_SCHEMA_REMOVED",
    PropertyAddedToOpenContentModel => "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
    RequiredPropertyAddedToOpenContentModel => "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
    RequiredPropertyWithDefaultAddedToOpenContentModel => "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL",
    OptionalPropertyAddedToOpenContentModel => "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
    PropertyWithEmptySchemaAddedToOpenContentModel => "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
    RequiredPropertyAddedToUnopenContentModel => "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
    RequiredPropertyWithDefaultAddedToUnopenContentModel => "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
    OptionalPropertyAddedToUnopenContentModel => "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
    PropertyRemovedFromOpenContentModel => "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
    PropertyWithFalseRemovedFromClosedContentModel => "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    PropertyRemovedFromClosedContentModel => "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    PropertyRemovedIsCoveredByPartiallyOpenContentModel => "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    PropertyRemovedNotCoveredByPartiallyOpenContentModel => "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    PropertyAddedIsCoveredByPartiallyOpenContentModel => "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    PropertyAddedNotCoveredByPartiallyOpenContentModel => "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    ReservedPropertyRemoved => "RESERVED_PROPERTY_REMOVED",
    ReservedPropertyConflictsWithProperty => "RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY",
    UnevaluatedPropertiesAdded => "UNEVALUATED_PROPERTIES_ADDED",
    UnevaluatedPropertiesRemoved => "UNEVALUATED_PROPERTIES_REMOVED",
    UnevaluatedPropertiesExtended => "UNEVALUATED_PROPERTIES_EXTENDED",
    UnevaluatedPropertiesNarrowed => "UNEVALUATED_PROPERTIES_NARROWED",
    MaxItemsAdded => "MAX_ITEMS_ADDED",
    MaxItemsRemoved => "MAX_ITEMS_REMOVED",
    MaxItemsIncreased => "MAX_ITEMS_INCREASED",
    MaxItemsDecreased => "MAX_ITEMS_DECREASED",
    MinItemsAdded => "MIN_ITEMS_ADDED",
    MinItemsRemoved => "MIN_ITEMS_REMOVED",
    MinItemsIncreased => "MIN_ITEMS_INCREASED",
    MinItemsDecreased => "MIN_ITEMS_DECREASED",
    MaxContainsAdded => "MAX_CONTAINS_ADDED",
    MaxContainsRemoved => "MAX_CONTAINS_REMOVED",
    MaxContainsIncreased => "MAX_CONTAINS_INCREASED",
    MaxContainsDecreased => "MAX_CONTAINS_DECREASED",
    MinContainsAdded => "MIN_CONTAINS_ADDED",
    MinContainsRemoved => "MIN_CONTAINS_REMOVED",
    MinContainsIncreased => "MIN_CONTAINS_INCREASED",
    MinContainsDecreased => "MIN_CONTAINS_DECREASED",
    UniqueItemsAdded => "UNIQUE_ITEMS_ADDED",
    UniqueItemsRemoved => "UNIQUE_ITEMS_REMOVED",
    AdditionalItemsAdded => "ADDITIONAL_ITEMS_ADDED",
    AdditionalItemsRemoved => "ADDITIONAL_ITEMS_REMOVED",
    AdditionalItemsExtended => "ADDITIONAL_ITEMS_EXTENDED",
    AdditionalItemsNarrowed => "ADDITIONAL_ITEMS_NARROWED",
    UnevaluatedItemsAdded => "UNEVALUATED_ITEMS_ADDED",
    UnevaluatedItemsRemoved => "UNEVALUATED_ITEMS_REMOVED",
    UnevaluatedItemsExtended => "UNEVALUATED_ITEMS_EXTENDED",
    UnevaluatedItemsNarrowed => "UNEVALUATED_ITEMS_NARROWED",
    ItemAddedToOpenContentModel => "ITEM_ADDED_TO_OPEN_CONTENT_MODEL",
    ItemWithEmptySchemaAddedToOpenContentModel => "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
    ItemAddedToClosedContentModel => "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL",
    ItemRemovedFromOpenContentModel => "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL",
    ItemWithFalseRemovedFromClosedContentModel => "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    ItemRemovedFromClosedContentModel => "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL",
    ItemRemovedIsCoveredByPartiallyOpenContentModel => "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    ItemRemovedNotCoveredByPartiallyOpenContentModel => "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    ItemAddedIsCoveredByPartiallyOpenContentModel => "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    ItemAddedNotCoveredByPartiallyOpenContentModel => "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
    EnumArrayExtended => "ENUM_ARRAY_EXTENDED",
    EnumArrayNarrowed => "ENUM_ARRAY_NARROWED",
    EnumArrayChanged => "ENUM_ARRAY_CHANGED",
    CombinedTypeExtended => "COMBINED_TYPE_EXTENDED",
    CombinedTypeChanged => "COMBINED_TYPE_CHANGED",
    ProductTypeExtended => "PRODUCT_TYPE_EXTENDED",
    ProductTypeNarrowed => "PRODUCT_TYPE_NARROWED",
    SumTypeExtended => "SUM_TYPE_EXTENDED",
    SumTypeNarrowed => "SUM_TYPE_NARROWED",
    CombinedTypeSubschemasChanged => "COMBINED_TYPE_SUBSCHEMAS_CHANGED",
    NotTypeExtended => "NOT_TYPE_EXTENDED",
    NotTypeNarrowed => "NOT_TYPE_NARROWED"
}

impl fmt::Display for DifferenceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DifferenceType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown difference type `{s}`"))
    }
}

impl serde::Serialize for DifferenceType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for DifferenceType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// How permissive JSON Schema compatibility is (Confluent's `compatibilityPolicy`).
///
/// Confluent uses its lenient set only for `LENIENT`; every other value (including `LOGICAL` and
/// unset) means strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CompatibilityPolicy {
    /// `COMPATIBLE_CHANGES_STRICT`, Confluent's default.
    #[default]
    Strict,
    /// `COMPATIBLE_CHANGES_LENIENT`: also allows adding optional properties to open content
    /// models, removing properties from closed ones, and closing additional properties.
    Lenient,
}

impl FromStr for CompatibilityPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "STRICT" | "LOGICAL" => Ok(Self::Strict),
            "LENIENT" => Ok(Self::Lenient),
            other => Err(format!("unknown compatibility policy `{other}`")),
        }
    }
}

impl fmt::Display for CompatibilityPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Strict => "STRICT",
            Self::Lenient => "LENIENT",
        })
    }
}

impl CompatibilityPolicy {
    /// Whether a difference of this type is allowed under this policy.
    pub fn allows(self, kind: DifferenceType) -> bool {
        is_strict_compatible(kind) || (self == Self::Lenient && is_lenient_only_compatible(kind))
    }
}

fn is_strict_compatible(kind: DifferenceType) -> bool {
    use DifferenceType as T;
    matches!(
        kind,
        T::IdChanged
            | T::DescriptionChanged
            | T::TitleChanged
            | T::DefaultChanged
            | T::SchemaRemoved
            | T::TypeExtended
            | T::MaxLengthIncreased
            | T::MaxLengthRemoved
            | T::MinLengthDecreased
            | T::MinLengthRemoved
            | T::PatternRemoved
            | T::MaximumIncreased
            | T::MaximumRemoved
            | T::MinimumDecreased
            | T::MinimumRemoved
            | T::ExclusiveMaximumIncreased
            | T::ExclusiveMaximumRemoved
            | T::ExclusiveMinimumDecreased
            | T::ExclusiveMinimumRemoved
            | T::MultipleOfReduced
            | T::MultipleOfRemoved
            | T::RequiredAttributeWithDefaultAdded
            | T::RequiredAttributeRemoved
            | T::DependencyArrayNarrowed
            | T::DependencyArrayRemoved
            | T::DependencySchemaRemoved
            | T::MaxPropertiesIncreased
            | T::MaxPropertiesRemoved
            | T::MinPropertiesDecreased
            | T::MinPropertiesRemoved
            | T::AdditionalPropertiesAdded
            | T::AdditionalPropertiesExtended
            | T::UnevaluatedPropertiesAdded
            | T::UnevaluatedPropertiesExtended
            | T::PropertyWithEmptySchemaAddedToOpenContentModel
            | T::RequiredPropertyWithDefaultAddedToUnopenContentModel
            | T::OptionalPropertyAddedToUnopenContentModel
            | T::PropertyWithFalseRemovedFromClosedContentModel
            | T::PropertyRemovedFromOpenContentModel
            | T::PropertyAddedIsCoveredByPartiallyOpenContentModel
            | T::PropertyRemovedIsCoveredByPartiallyOpenContentModel
            | T::MaxItemsIncreased
            | T::MaxItemsRemoved
            | T::MinItemsDecreased
            | T::MinItemsRemoved
            | T::MaxContainsIncreased
            | T::MaxContainsRemoved
            | T::MinContainsDecreased
            | T::MinContainsRemoved
            | T::UniqueItemsRemoved
            | T::AdditionalItemsAdded
            | T::AdditionalItemsExtended
            | T::UnevaluatedItemsAdded
            | T::UnevaluatedItemsExtended
            | T::ItemWithEmptySchemaAddedToOpenContentModel
            | T::ItemAddedToClosedContentModel
            | T::ItemWithFalseRemovedFromClosedContentModel
            | T::ItemRemovedFromOpenContentModel
            | T::ItemAddedIsCoveredByPartiallyOpenContentModel
            | T::ItemRemovedIsCoveredByPartiallyOpenContentModel
            | T::EnumArrayExtended
            | T::CombinedTypeExtended
            | T::ProductTypeNarrowed
            | T::SumTypeExtended
            | T::NotTypeNarrowed
    )
}

fn is_lenient_only_compatible(kind: DifferenceType) -> bool {
    use DifferenceType as T;
    matches!(
        kind,
        T::AdditionalPropertiesNarrowed
            | T::AdditionalPropertiesRemoved
            | T::UnevaluatedPropertiesNarrowed
            | T::UnevaluatedPropertiesRemoved
            | T::RequiredPropertyWithDefaultAddedToOpenContentModel
            | T::OptionalPropertyAddedToOpenContentModel
            | T::PropertyRemovedFromClosedContentModel
            | T::PropertyAddedNotCoveredByPartiallyOpenContentModel
            | T::PropertyRemovedNotCoveredByPartiallyOpenContentModel
    )
}

/// Confluent's description template for `kind` at `path`: the first `{reader}` slot is filled
/// with the reader's role ("new"/"old"), the second with the writer's. `None` where Confluent's
/// `Difference.error()` yields an empty description.
fn confluent_template(kind: DifferenceType, path: &str, reader: &str, writer: &str) -> Option<String> {
    use DifferenceType as T;
    let s = match kind {
        T::MaximumAdded
        | T::MinimumAdded
        | T::ExclusiveMaximumAdded
        | T::ExclusiveMinimumAdded
        | T::MultipleOfAdded
        | T::MaxLengthAdded
        | T::MinLengthAdded
        | T::PatternAdded
        | T::RequiredAttributeAdded
        | T::MaxPropertiesAdded
        | T::MinPropertiesAdded
        | T::DependencyArrayAdded
        | T::DependencySchemaAdded
        | T::MaxItemsAdded
        | T::MinItemsAdded
        | T::MaxContainsAdded
        | T::MinContainsAdded
        | T::UniqueItemsAdded
        | T::AdditionalItemsRemoved
        | T::AdditionalPropertiesRemoved
        | T::UnevaluatedPropertiesRemoved
        | T::UnevaluatedItemsRemoved => format!(
            "The keyword at path '{path}' in the {reader} schema is not present in the {writer} schema"
        ),
        T::MinLengthIncreased
        | T::MinimumIncreased
        | T::ExclusiveMinimumIncreased
        | T::MinPropertiesIncreased
        | T::MultipleOfExpanded
        | T::MinItemsIncreased
        | T::MinContainsIncreased => format!(
            "The value at path '{path}' in the {reader} schema is more than its value in the {writer} schema"
        ),
        T::MaxLengthDecreased
        | T::MaximumDecreased
        | T::MaxItemsDecreased
        | T::MaxContainsDecreased
        | T::ExclusiveMaximumDecreased
        | T::MaxPropertiesDecreased => format!(
            "The value at path '{path}' in the {reader} schema is less than its value in the {writer} schema"
        ),
        T::PatternChanged | T::MultipleOfChanged | T::DependencyArrayChanged => {
            format!("The value at path '{path}' is different between the {reader} and {writer} schema")
        }
        T::AdditionalItemsNarrowed
        | T::EnumArrayNarrowed
        | T::SumTypeNarrowed
        | T::AdditionalPropertiesNarrowed
        | T::UnevaluatedPropertiesNarrowed
        | T::UnevaluatedItemsNarrowed => format!(
            "An array or combined type at path '{path}' has fewer elements in the {reader} schema than the {writer} schema"
        ),
        T::DependencyArrayExtended | T::ProductTypeExtended | T::SumTypeExtended | T::NotTypeExtended => {
            format!(
                "An array or combined type at path '{path}' has more elements in the {reader} schema than the {writer} schema"
            )
        }
        T::TypeChanged
        | T::TypeNarrowed
        | T::CombinedTypeChanged
        | T::CombinedTypeSubschemasChanged
        | T::EnumArrayChanged => format!(
            "A type at path '{path}' is different between the {reader} schema and the {writer} schema"
        ),
        T::RequiredPropertyAddedToOpenContentModel
        | T::RequiredPropertyWithDefaultAddedToOpenContentModel
        | T::OptionalPropertyAddedToOpenContentModel
        | T::ItemAddedToOpenContentModel => format!(
            "The {reader} schema has an open content model and has a property or item at path '{path}' which is missing in the {writer} schema"
        ),
        T::RequiredPropertyAddedToUnopenContentModel => format!(
            "The {reader} schema has an unopen content model and has a required property at path '{path}' which is missing in the {writer} schema"
        ),
        T::PropertyRemovedFromClosedContentModel | T::ItemRemovedFromClosedContentModel => format!(
            "The {reader} schema has a closed content model and is missing a property or item present at path '{path}' in the {writer} schema"
        ),
        T::PropertyRemovedNotCoveredByPartiallyOpenContentModel
        | T::ItemRemovedNotCoveredByPartiallyOpenContentModel => format!(
            "A property or item is missing in the {reader} schema but present at path '{path}' in the {writer} schema and is not covered by its partially open content model"
        ),
        T::PropertyAddedNotCoveredByPartiallyOpenContentModel
        | T::ItemAddedNotCoveredByPartiallyOpenContentModel => format!(
            "The {reader} schema has a property or item at path '{path}' which is missing in the {writer} schema and is not covered by its partially open content model"
        ),
        T::ReservedPropertyRemoved => format!(
            "The {reader} schema has reserved property '{path}' removed from its metadata which is present in the {writer} schema."
        ),
        T::ReservedPropertyConflictsWithProperty => format!(
            "The {reader} schema has property at path '{path}' that conflicts with the reserved properties which is missing in the {writer} schema."
        ),
        _ => return None,
    };
    Some(s)
}

/// Confluent's description (possibly empty) for a difference found with `reader` reading data
/// written with `writer` (each "new" or "old").
pub(crate) fn confluent_description(kind: DifferenceType, path: &str, reader: &str, writer: &str) -> String {
    confluent_template(kind, path, reader, writer).unwrap_or_default()
}

/// A sentence for people: Confluent's description where it has one, otherwise our own.
pub(crate) fn human_message(kind: DifferenceType, path: &str, reader: &str, writer: &str) -> String {
    if let Some(s) = confluent_template(kind, path, reader, writer) {
        return s;
    }
    let what = kind.as_str().to_ascii_lowercase().replace('_', " ");
    format!(
        "At path '{path}' the {reader} schema (reading) differs from the {writer} schema (writing): {what}"
    )
}
