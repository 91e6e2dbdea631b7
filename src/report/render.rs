//! Renderers: Markdown (pastes into GitHub, Jira, Zendesk), plain text (72 columns) and
//! JSON. Each passes its final output through the ticket's redactor: that boundary is the
//! one place a secret could leave, so it is checked there and not trusted to the builders.

use crate::cli::TicketFormat;
use crate::report::ticket::Ticket;

mod markdown;
mod text;

/// Width of the plain-text ticket.
pub const TEXT_WIDTH: usize = 72;

/// The ticket as `format`, redacted.
pub fn render(ticket: &Ticket, format: TicketFormat) -> String {
    match format {
        TicketFormat::Json => json(ticket),
        TicketFormat::Md => ticket
            .redactor
            .redact(&markdown::render(ticket))
            .into_owned(),
        TicketFormat::Text => {
            let redacted = ticket.redactor.redact(&text::render(ticket)).into_owned();
            // A fingerprint can be longer than what it replaced: fit the lines again.
            text::refit(&redacted)
        }
    }
}

/// JSON with every string redacted before it is serialized, so replacements cannot break
/// the quoting.
pub fn json(ticket: &Ticket) -> String {
    let mut value = serde_json::to_value(ticket).unwrap_or_default();
    redact_value(&mut value, &ticket.redactor);
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
    out.push('\n');
    out
}

fn redact_value(v: &mut serde_json::Value, r: &crate::report::Redactor) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            if let std::borrow::Cow::Owned(o) = r.redact(s) {
                *s = o;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| redact_value(i, r)),
        Value::Object(map) => {
            // Keys are fact and input names; a secret used as a key is hidden too.
            let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            for (k, mut val) in entries {
                redact_value(&mut val, r);
                map.insert(r.redact(&k).into_owned(), val);
            }
        }
        _ => {}
    }
}

/// `80%`.
pub(crate) fn percent(confidence: f64) -> String {
    format!("{:.0}%", (confidence * 100.0).clamp(0.0, 100.0))
}

/// `+3 s` / `-120 s`.
pub(crate) fn offset(seconds: f64) -> String {
    if seconds.fract().abs() < f64::EPSILON {
        format!("{seconds:+.0} s")
    } else {
        format!("{seconds:+.1} s")
    }
}
