//! Runs Confluent's own diff fixtures (`diff-schema-examples*.json` from
//! confluentinc/schema-registry, `json-schema-provider/src/test/resources`) when the directory
//! holding them is named by `SWITCHYARD_CONFLUENT_DIFF_FIXTURES`. The fixtures are not vendored
//! (they are Confluent's), so the test is ignored by default: run it with
//! `SWITCHYARD_CONFLUENT_DIFF_FIXTURES=DIR cargo test -p switchyard-schema -- --ignored`. The files must be
//! plain JSON (Confluent's copies have trailing commas; strip them first).

use std::path::Path;

use serde_json::Value;
use switchyard_schema::{CompatibilityPolicy, JsonSchema, schema_diff};

const KNOWN_2020_12_DEVIATIONS: &[&str] = &[
    "Detect removed maxProperties",
    "Detect removed minProperties",
    "Detect removed minContains",
    "Detect added boolean additional properties",
];

#[test]
#[ignore = "needs Confluent's diff fixtures (not vendored) in SWITCHYARD_CONFLUENT_DIFF_FIXTURES"]
fn confluent_diff_fixtures() {
    let dir = std::env::var("SWITCHYARD_CONFLUENT_DIFF_FIXTURES")
        .expect("set SWITCHYARD_CONFLUENT_DIFF_FIXTURES to the directory holding Confluent's diff fixtures");
    let mut failures = Vec::new();
    let mut total = 0;
    for file in [
        "diff-schema-examples.json",
        "diff-combined-schema-examples.json",
        "diff-schema-examples-2020-12.json",
        "diff-combined-schema-examples-2020-12.json",
    ] {
        let path = Path::new(&dir).join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let cases: Vec<Value> = serde_json::from_str(&text).expect("fixture JSON");
        for case in cases {
            total += 1;
            let description = case["description"].as_str().unwrap_or_default().to_owned();
            let original = JsonSchema::parse(&case["original_schema"].to_string(), &[]);
            let update = JsonSchema::parse(&case["update_schema"].to_string(), &[]);
            let (original, update) = match (original, update) {
                (Ok(o), Ok(u)) => (o, u),
                (o, u) => {
                    failures.push(format!(
                        "{file}: {description}: parse failed: {:?} {:?}",
                        o.err(),
                        u.err()
                    ));
                    continue;
                }
            };
            let mut expected: Vec<String> = case["changes"]
                .as_array()
                .expect("changes")
                .iter()
                .map(|c| c.as_str().unwrap_or_default().to_owned())
                .collect();
            let diffs = schema_diff(&original, &update);
            let mut actual: Vec<String> = diffs.iter().map(|d| format!("{} {}", d.kind, d.path)).collect();
            expected.sort();
            actual.sort();
            let compatible = case["compatible"].as_bool().expect("compatible");
            let lenient = case
                .get("compatible_lenient")
                .and_then(Value::as_bool)
                .unwrap_or(compatible);
            let strict_ok = diffs.iter().all(|d| CompatibilityPolicy::Strict.allows(d.kind));
            let lenient_ok = diffs.iter().all(|d| CompatibilityPolicy::Lenient.allows(d.kind));
            // Confluent's 2020-12 translator drops these keywords, so it reports no difference
            // where we report a compatible one; the verdict is the same.
            let known_deviation = file.contains("2020-12")
                && KNOWN_2020_12_DEVIATIONS.contains(&description.as_str())
                && strict_ok == compatible;
            if !known_deviation && (expected != actual || strict_ok != compatible || lenient_ok != lenient) {
                failures.push(format!(
                    "{file}: {description}\n   original {}\n   update   {}\n   expected {expected:?} ({compatible}/{lenient})\n   actual   {actual:?} ({strict_ok}/{lenient_ok})",
                    case["original_schema"], case["update_schema"]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} fixture cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
