//! The JSON Schema of the flow format, generated from the Rust types.

use super::model::Flow;

/// The schema as pretty JSON (what `assets/flow.schema.json` holds).
pub fn flow_schema() -> String {
    let schema = schemars::schema_for!(Flow);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
