//! Tests of the mapping: inference, reading, writing, and the real Debezium fixtures end to end.

mod direct;
mod fixtures;
mod infer;
mod props;
mod read;
mod write;

use crate::types::{DataType, Field, TypeKind};

pub(super) fn nn(kind: TypeKind) -> DataType {
    DataType::not_null(kind)
}

pub(super) fn null(kind: TypeKind) -> DataType {
    DataType::nullable(kind)
}

pub(super) fn string() -> DataType {
    DataType::string()
}

pub(super) fn field(name: &str, data_type: DataType) -> Field {
    Field {
        name: name.to_owned(),
        data_type,
    }
}
