//! The JSON Schema of the ticket's JSON form, generated from the types. The copy in
//! `assets/ticket.schema.json` is checked against this by a test, so it cannot go stale.

use crate::report::ticket::Ticket;

/// Where the shipped copy lives, relative to the crate root.
pub const ASSET: &str = "assets/ticket.schema.json";

/// The schema as pretty JSON with a trailing newline.
pub fn ticket_schema() -> String {
    let schema = schemars::schema_for!(Ticket);
    let mut out = serde_json::to_string_pretty(&schema).unwrap_or_default();
    out.push('\n');
    out
}
