//! Change records → Kafka key/value bytes in the chosen format; for JSON_SR, registering the JSON
//! Schema `JsonSchemaConverter` would register (`<topic>-key`, `<topic>-value`) once per distinct
//! schema and framing with its id.

use std::collections::HashMap;

use switchyard_registry::{RegisterRequest, RegistryClient, SchemaType};
use switchyard_schema::{ConnectOptions, json_schema_from_connect};

use crate::connect::ConnectRecord;
use crate::error::CaptureError;
use crate::event::ChangeRecord;
use crate::format::{self, Format};

/// `JsonConverter` spells Connect's `float32`/`float64` as `float`/`double`; the schema crate's
/// `json_schema_from_connect` takes the Connect names (`Schema.Type`), which is also what
/// `JsonSchemaConverter` writes into `connect.type`.
fn connect_type_names(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(t) = m.get_mut("type") {
                match t.as_str() {
                    Some("float") => *t = "float32".into(),
                    Some("double") => *t = "float64".into(),
                    _ => {}
                }
            }
            m.values_mut().for_each(connect_type_names);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(connect_type_names),
        _ => {}
    }
}

/// Rewrite Decimal values (base64 of the unscaled integer) as JSON numbers, following the schema.
fn numeric_decimals(schema: &crate::connect::ConnectSchema, v: &serde_json::Value) -> serde_json::Value {
    use crate::connect::ConnectType;
    use base64::Engine as _;
    match (schema.kind, v) {
        (ConnectType::Struct, serde_json::Value::Object(m)) => serde_json::Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let x = match schema.field(k) {
                        Some(fs) => numeric_decimals(fs, x),
                        None => x.clone(),
                    };
                    (k.clone(), x)
                })
                .collect(),
        ),
        (ConnectType::Array, serde_json::Value::Array(a)) => match &schema.items {
            Some(items) => serde_json::Value::Array(a.iter().map(|x| numeric_decimals(items, x)).collect()),
            None => v.clone(),
        },
        (ConnectType::Bytes, serde_json::Value::String(b64))
            if schema.name.as_deref() == Some("org.apache.kafka.connect.data.Decimal") =>
        {
            let scale = schema
                .parameters
                .iter()
                .find(|(k, _)| k == "scale")
                .and_then(|(_, s)| s.parse::<u32>().ok())
                .unwrap_or(0);
            match base64::engine::general_purpose::STANDARD.decode(b64) {
                Ok(bytes) => crate::javanum::number(&crate::decimal::to_text(&bytes, scale)),
                Err(_) => v.clone(),
            }
        }
        _ => v.clone(),
    }
}

/// Encodes records; holds the registry client and the ids already registered.
#[derive(Debug)]
pub struct Encoder {
    format: Format,
    registry: Option<RegistryClient>,
    ids: HashMap<(String, String), u32>,
    /// Per subject, the Connect schemas already registered: a structural compare is much cheaper
    /// than deriving the JSON Schema text for every record.
    seen: HashMap<String, Vec<(crate::connect::ConnectSchema, u32)>>,
    /// Schemas registered so far (a counter for progress).
    pub registered: u64,
    numeric_decimals: bool,
}

impl Encoder {
    /// An encoder; `json-sr` needs a registry.
    pub fn new(format: Format, registry: Option<RegistryClient>) -> Result<Self, CaptureError> {
        if format == Format::JsonSr && registry.is_none() {
            return Err(CaptureError::config(
                "--format json-sr needs a Schema Registry",
                Some("pass --registry URL, or use --format json-schemas / json"),
            ));
        }
        Ok(Encoder {
            format,
            registry,
            ids: HashMap::new(),
            seen: HashMap::new(),
            registered: 0,
            numeric_decimals: false,
        })
    }

    /// `JsonSchemaConverter`'s `decimal.format=NUMERIC`: JSON_SR payloads carry Decimal values as JSON
    /// numbers instead of base64 text. The registered schema is the same (`"type":"number"`); with the
    /// default (BASE64) a validating consumer such as Confluent's Python `JSONDeserializer` rejects
    /// Decimal fields, exactly as it would the real converter's output.
    pub fn with_numeric_decimals(mut self, numeric: bool) -> Self {
        self.numeric_decimals = numeric;
        self
    }

    /// The JSON Schema text `JsonSchemaConverter` registers for a Connect record's schema.
    pub fn json_schema_text(rec: &ConnectRecord) -> Result<String, CaptureError> {
        let mut connect = rec.schema.to_json();
        connect_type_names(&mut connect);
        let js = json_schema_from_connect(&connect, &ConnectOptions::default())?;
        Ok(js.to_string())
    }

    async fn schema_id(&mut self, subject: String, rec: &ConnectRecord) -> Result<u32, CaptureError> {
        if let Some(known) = self.seen.get(&subject)
            && let Some((_, id)) = known.iter().find(|(s, _)| *s == rec.schema)
        {
            return Ok(*id);
        }
        let id = self.register(subject.clone(), rec).await?;
        self.seen
            .entry(subject)
            .or_default()
            .push((rec.schema.clone(), id));
        Ok(id)
    }

    async fn register(&mut self, subject: String, rec: &ConnectRecord) -> Result<u32, CaptureError> {
        let text = Self::json_schema_text(rec)?;
        let cache_key = (subject, text);
        if let Some(id) = self.ids.get(&cache_key) {
            return Ok(*id);
        }
        let Some(reg) = &self.registry else {
            return Err(CaptureError::config("no Schema Registry configured", None));
        };
        let id = reg
            .register(
                &cache_key.0,
                &RegisterRequest::new(cache_key.1.clone(), SchemaType::Json),
            )
            .await?;
        self.registered += 1;
        let id = u32::try_from(id)
            .map_err(|_| CaptureError::config(format!("registry returned id {id}"), None))?;
        self.ids.insert(cache_key, id);
        Ok(id)
    }

    async fn half(
        &mut self,
        topic: &str,
        part: &str,
        rec: Option<&ConnectRecord>,
    ) -> Result<Option<Vec<u8>>, CaptureError> {
        match self.format {
            Format::Json => Ok(format::json_converter(rec, false)),
            Format::JsonSchemas => Ok(format::json_converter(rec, true)),
            Format::JsonSr => {
                let Some(rec) = rec else { return Ok(None) };
                let Some(payload) = format::json_sr_payload(Some(rec)) else {
                    return Ok(None);
                };
                let payload = if self.numeric_decimals {
                    numeric_decimals(&rec.schema, payload)
                } else {
                    payload.clone()
                };
                let id = self.schema_id(format!("{topic}-{part}"), rec).await?;
                Ok(Some(switchyard_wire::encode_json_sr(id, &payload)))
            }
        }
    }

    /// Key and value bytes of one record.
    pub async fn encode(
        &mut self,
        rec: &ChangeRecord,
    ) -> Result<(Option<Vec<u8>>, Option<Vec<u8>>), CaptureError> {
        let key = self.half(&rec.topic, "key", rec.key.as_ref()).await?;
        let value = self.half(&rec.topic, "value", rec.value.as_ref()).await?;
        Ok((key, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::{ConnectSchema, ConnectType};

    #[test]
    fn float_columns_reach_the_converter_with_connect_type_names() {
        let row = ConnectSchema::structure(
            "t.Value",
            false,
            vec![
                ("f".into(), ConnectSchema::new(ConnectType::Float32, true)),
                ("d".into(), ConnectSchema::new(ConnectType::Float64, false)),
            ],
        );
        let rec = ConnectRecord {
            schema: row,
            value: serde_json::Value::Null,
        };
        let text = Encoder::json_schema_text(&rec).unwrap_or_default();
        assert!(text.contains(r#""connect.type":"float32""#), "{text}");
        assert!(text.contains(r#""connect.type":"float64""#), "{text}");
    }
}
