//! assets/ticket.schema.json is generated from the ticket types and must not go stale.
//! Regenerate with `WHY401_BLESS=1 cargo test --test report schema`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use why401::report::schema::{ASSET, ticket_schema};

#[test]
fn shipped_ticket_schema_matches_the_types() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(ASSET);
    let fresh = ticket_schema();
    if std::env::var("WHY401_BLESS").as_deref() == Ok("1") {
        std::fs::write(&path, &fresh).unwrap();
    }
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        shipped == fresh,
        "{ASSET} is stale: run `WHY401_BLESS=1 cargo test --test report schema` and commit it"
    );
}

#[test]
fn schema_names_the_sections_a_help_desk_imports() {
    let v: serde_json::Value = serde_json::from_str(&ticket_schema()).unwrap();
    let props = v["properties"].as_object().unwrap();
    for key in [
        "schema_version",
        "summary",
        "environment",
        "target",
        "reproduce",
        "observed",
        "steps",
        "causes",
        "attachments",
        "help_desk",
        "replay",
    ] {
        assert!(props.contains_key(key), "schema lacks {key}");
    }
    let required: Vec<&str> = v["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x.as_str())
        .collect();
    assert!(required.contains(&"schema_version"));
}
