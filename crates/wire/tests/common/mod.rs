//! Helpers shared by the wire crate's integration tests.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::PathBuf;

/// The `shared/` directory that sits beside the repository (fixtures, scenarios, references).
///
/// `SWITCHYARD_SHARED` overrides it. A missing directory fails the test: these tests are the proof on real
/// bytes and must not pass by skipping.
pub fn shared_dir() -> PathBuf {
    let dir = std::env::var_os("SWITCHYARD_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../../shared")
        });
    assert!(
        dir.join("fixtures").is_dir(),
        "fixtures not found in {} (set SWITCHYARD_SHARED)",
        dir.display()
    );
    dir
}

/// The golden JSON_SR vectors written by Confluent's own serializer.
pub fn golden_vectors() -> serde_json::Value {
    let path = shared_dir().join("fixtures/jsonsr-golden/vectors.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}
