//! The Schema Registry's wire model, shared by the client and the server.
//!
//! Field names and omission rules follow Confluent's REST entities: `schemaType` is left out for AVRO
//! (the default) and `references` is left out when empty, so our server's answers are byte-for-byte
//! what Confluent clients expect and our client parses Confluent's answers unchanged.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The kind of schema text a registry entry holds. Confluent's default, when the field is absent, is AVRO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum SchemaType {
    /// Apache Avro (stored and served; compatibility checks are not supported).
    #[default]
    Avro,
    /// JSON Schema (parsed, validated and compatibility-checked).
    Json,
    /// Protocol Buffers (stored and served; compatibility checks are not supported).
    Protobuf,
}

impl SchemaType {
    /// True for AVRO, which Confluent leaves out of responses.
    pub fn is_avro(&self) -> bool {
        matches!(self, Self::Avro)
    }

    /// Confluent's spelling: `AVRO`, `JSON`, `PROTOBUF`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Avro => "AVRO",
            Self::Json => "JSON",
            Self::Protobuf => "PROTOBUF",
        }
    }
}

impl fmt::Display for SchemaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SchemaType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "AVRO" => Ok(Self::Avro),
            "JSON" => Ok(Self::Json),
            "PROTOBUF" => Ok(Self::Protobuf),
            other => Err(format!(
                "unknown schema type `{other}` (expected JSON, AVRO or PROTOBUF)"
            )),
        }
    }
}

/// A reference from one schema to a schema registered under another subject.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SchemaReference {
    /// The name the referencing schema uses (for JSON Schema, the `$ref` target).
    pub name: String,
    /// The subject the referenced schema is registered under.
    pub subject: String,
    /// The referenced version in that subject.
    pub version: i32,
}

/// A schema as sent to the registry: the body of register, lookup and compatibility requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRequest {
    /// The schema text.
    pub schema: String,
    /// The schema type (absent means AVRO).
    #[serde(rename = "schemaType", default, skip_serializing_if = "SchemaType::is_avro")]
    pub schema_type: SchemaType,
    /// References to schemas in other subjects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<SchemaReference>,
    /// An explicit id (IMPORT mode only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i32>,
    /// An explicit version (IMPORT mode only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

impl RegisterRequest {
    /// A request for `schema` of `schema_type` with no references and no explicit id.
    pub fn new(schema: impl Into<String>, schema_type: SchemaType) -> Self {
        Self {
            schema: schema.into(),
            schema_type,
            references: Vec::new(),
            id: None,
            version: None,
        }
    }

    /// The same request with `references`.
    pub fn with_references(mut self, references: Vec<SchemaReference>) -> Self {
        self.references = references;
        self
    }
}

/// A schema registered under a subject: the answer of `GET /subjects/{s}/versions/{v}` and lookups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredSchema {
    /// The subject.
    pub subject: String,
    /// The version within the subject.
    pub version: i32,
    /// The global schema id.
    pub id: i32,
    /// The schema type (absent means AVRO).
    #[serde(rename = "schemaType", default, skip_serializing_if = "SchemaType::is_avro")]
    pub schema_type: SchemaType,
    /// References to schemas in other subjects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<SchemaReference>,
    /// The schema text.
    pub schema: String,
}

/// The answer of `GET /schemas/ids/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaString {
    /// The schema type (absent means AVRO).
    #[serde(rename = "schemaType", default, skip_serializing_if = "SchemaType::is_avro")]
    pub schema_type: SchemaType,
    /// The schema text.
    pub schema: String,
    /// References to schemas in other subjects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<SchemaReference>,
}

/// A (subject, version) pair: the answer of `GET /schemas/ids/{id}/versions`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SubjectVersion {
    /// The subject.
    pub subject: String,
    /// The version.
    pub version: i32,
}

/// The answer of `POST /compatibility/subjects/{s}/versions/{v}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompatibilityCheck {
    /// Whether the candidate is compatible.
    pub is_compatible: bool,
    /// Why not (only with `?verbose=true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<String>>,
}

/// A registry's or subject's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Mode {
    /// Normal operation.
    Readwrite,
    /// Registration is refused.
    Readonly,
    /// Like READONLY in Confluent, but also for the subject's children; treated as READONLY here.
    ReadonlyOverride,
    /// Registration with explicit ids and versions, without compatibility checks (for copying a registry).
    Import,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Readwrite => "READWRITE",
            Self::Readonly => "READONLY",
            Self::ReadonlyOverride => "READONLY_OVERRIDE",
            Self::Import => "IMPORT",
        })
    }
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "READWRITE" => Ok(Self::Readwrite),
            "READONLY" => Ok(Self::Readonly),
            "READONLY_OVERRIDE" => Ok(Self::ReadonlyOverride),
            "IMPORT" => Ok(Self::Import),
            other => Err(format!(
                "unknown mode `{other}` (expected READWRITE, READONLY or IMPORT)"
            )),
        }
    }
}

/// A version selector: a positive number or `latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VersionSpec {
    /// The newest non-deleted version.
    Latest,
    /// A version number (1 or more).
    Number(i32),
}

impl fmt::Display for VersionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Latest => f.write_str("latest"),
            Self::Number(n) => write!(f, "{n}"),
        }
    }
}

impl FromStr for VersionSpec {
    type Err = String;
    /// Parse `latest`, `-1` (Confluent's alias for latest) or a positive number.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("latest") || s == "-1" {
            return Ok(Self::Latest);
        }
        match s.parse::<i32>() {
            Ok(n) if n >= 1 => Ok(Self::Number(n)),
            _ => Err(format!(
                "The specified version '{s}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""
            )),
        }
    }
}

impl From<i32> for VersionSpec {
    fn from(n: i32) -> Self {
        Self::Number(n)
    }
}

/// `{"error_code":…,"message":…}`, the body of every Confluent error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Confluent's error code (see [`crate::error_codes`]), or the HTTP status for generic errors.
    pub error_code: i32,
    /// A sentence for people.
    pub message: String,
}

/// `{"compatibilityLevel":…}` (GET) or `{"compatibility":…}` (PUT) config bodies; both accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ConfigBody {
    /// Spelling used by GET answers.
    #[serde(
        rename = "compatibilityLevel",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub compatibility_level: Option<String>,
    /// Spelling used by PUT requests and answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility: Option<String>,
}

impl ConfigBody {
    /// The level, whichever spelling carried it.
    pub fn level(&self) -> Option<&str> {
        self.compatibility
            .as_deref()
            .or(self.compatibility_level.as_deref())
    }
}

/// `{"mode":…}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeBody {
    /// The mode, as Confluent spells it.
    pub mode: String,
}

/// The answer of `POST /subjects/{s}/versions`: `{"id":N}` (newer Confluent servers add more fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterResponse {
    /// The global schema id.
    pub id: i32,
}
