//! Renderers: Markdown (pastes into GitHub, Jira, Zendesk), plain text (72 columns) and
//! JSON. Each passes its final output through the ticket's redactor: that boundary is the
//! one place a secret could leave, so it is checked there and not trusted to the builders.

use crate::report::TicketFormat;
use crate::report::ticket::Ticket;

mod markdown;
mod text;

/// Width of the plain-text ticket.
pub const TEXT_WIDTH: usize = 72;

/// The ticket as `format`, redacted.
///
/// Each field is redacted on its own first (a header line is whole there; once wrapped to
/// 72 columns or put in a code span it might no longer look like one), then the whole
/// output once more.
pub fn render(ticket: &Ticket, format: TicketFormat) -> String {
    if format == TicketFormat::Json {
        return json(ticket);
    }
    let clean = redacted(ticket).unwrap_or_else(|| ticket.clone());
    let out = if format == TicketFormat::Text {
        text::render(&clean)
    } else {
        markdown::render(&clean)
    };
    let out = ticket.redactor.redact(&out).into_owned();
    // A stranger's control characters (a header, a log line, a claim) are shown, not emitted.
    let out = crate::sanitize::text(&out).into_owned();
    if format == TicketFormat::Text {
        // A fingerprint (or an escape) can be longer than what it replaced: fit the lines again.
        text::refit(&out)
    } else {
        out
    }
}

/// A copy of `ticket` with every string redacted (the redactor itself is not copied).
fn redacted(ticket: &Ticket) -> Option<Ticket> {
    let mut value = serde_json::to_value(ticket).ok()?;
    redact_value(&mut value, &ticket.redactor);
    serde_json::from_value(value).ok()
}

/// JSON with every string redacted before it is serialized, so replacements cannot break
/// the quoting. The redacted values are read back into a [`Ticket`] so fields keep the
/// order of the type (`schema_version` first).
pub fn json(ticket: &Ticket) -> String {
    let mut value = serde_json::to_value(ticket).unwrap_or_default();
    redact_value(&mut value, &ticket.redactor);
    let text = match serde_json::from_value::<Ticket>(value.clone()) {
        Ok(clean) => serde_json::to_string_pretty(&clean),
        Err(_) => serde_json::to_string_pretty(&value),
    };
    let mut out = crate::sanitize::json(&text.unwrap_or_default()).into_owned();
    out.push('\n');
    out
}

/// Redacts every string in `v`. A string under a key (`"header.set-cookie": "sid=..."`) or
/// in a `{"name": ..., "value": ...}` pair is redacted as the line `key: value`, so the
/// patterns that need the header name still apply.
pub(crate) fn redact_value(v: &mut serde_json::Value, r: &crate::report::Redactor) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            if let std::borrow::Cow::Owned(o) = r.redact(s) {
                *s = o;
            }
        }
        // Lines of one text (an attachment, evidence) are redacted together, so a secret
        // spread over lines (a PEM key) is seen whole.
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_string) => {
            let joined: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            let joined = joined.join("\n");
            if let std::borrow::Cow::Owned(o) = r.redact(&joined) {
                *items = o.split('\n').map(|l| Value::String(l.to_owned())).collect();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| redact_value(i, r)),
        Value::Object(map) => {
            let pair_name = match (map.get("name"), map.get("value")) {
                (Some(Value::String(n)), Some(Value::String(_))) => Some(n.clone()),
                _ => None,
            };
            let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            for (k, mut val) in entries {
                let context = if k == "value" {
                    pair_name.as_deref()
                } else {
                    Some(k.as_str())
                };
                match (&mut val, context) {
                    (Value::String(s), Some(name)) => *s = redact_as_field(name, s, r),
                    _ => redact_value(&mut val, r),
                }
                // Keys are fact and input names; a secret used as a key is hidden too.
                map.insert(r.redact(&k).into_owned(), val);
            }
        }
        _ => {}
    }
}

fn redact_as_field(name: &str, value: &str, r: &crate::report::Redactor) -> String {
    let name = name.strip_prefix("header.").unwrap_or(name);
    let prefix = format!("{name}: ");
    let line = format!("{prefix}{value}");
    let red = r.redact(&line);
    match red.strip_prefix(&prefix) {
        Some(rest) if !value.contains('\n') => rest.to_owned(),
        _ => r.redact(value).into_owned(),
    }
}

/// The "Credentials sent" line: each kind of credential any request of the walk carried,
/// and which requests carried it, so a credential only the re-test sent is not passed off
/// as sent all along (nor left out).
pub(crate) fn credentials_sent(t: &Ticket) -> String {
    let Some(tg) = &t.target else {
        return "none".to_owned();
    };
    // The re-tests are told apart ("and the re-test"), not counted among the walk's requests.
    let walk: Vec<&crate::report::ticket::Observation> =
        t.observed.iter().filter(|o| !o.is_retest()).collect();
    let total = walk.len();
    let in_retest = |c: &crate::report::ticket::Credential| {
        t.verification
            .as_ref()
            .is_some_and(|v| v.credentials.contains(c))
    };
    // A command's target (`check`) names no kinds of its own: its requests say what they
    // carried, and the line must not say "none" beside requests that sent a password.
    let mut kinds: Vec<&crate::report::ticket::Credential> = tg.credentials.iter().collect();
    if kinds.is_empty() {
        let carried = walk.iter().flat_map(|o| &o.credentials);
        for c in carried.chain(t.verification.iter().flat_map(|v| &v.credentials)) {
            if !kinds.contains(&c) {
                kinds.push(c);
            }
        }
    }
    let parts: Vec<String> = kinds
        .into_iter()
        .map(|c| {
            let n = walk.iter().filter(|o| o.credentials.contains(c)).count();
            let retest = in_retest(c);
            let requests = match (n, total) {
                (0, _) => None,
                (1, 1) => Some("the one request".to_owned()),
                (n, t) if n == t => Some(format!("all {t} requests")),
                (n, t) => Some(format!("{n} of {t} requests")),
            };
            let which = match (requests, retest, t.verification.is_some()) {
                // A command's target: its requests did not record kinds.
                (None, false, _) => None,
                (None, true, _) => Some("in the re-test only".to_owned()),
                (Some(r), true, _) => Some(format!("in {r} and the re-test")),
                (Some(r), false, true) => Some(format!("in {r}, not the re-test")),
                (Some(r), false, false) => Some(format!("in {r}")),
            };
            match which {
                Some(w) => format!("{} ({w})", c.describe()),
                None => c.describe(),
            }
        })
        .collect();
    if parts.is_empty() {
        let requests = total + usize::from(t.verification.is_some());
        return match requests {
            0 => "none".to_owned(),
            1 => "none (the one request carried none)".to_owned(),
            n => format!("none (none of the {n} requests carried any)"),
        };
    }
    parts.join("; ")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ticket::{Credential, Observation, Target};

    /// `check`'s ticket: the target lists no kinds, the requests do.
    #[test]
    fn credentials_sent_counts_what_the_requests_carried() {
        let basic = Credential::Basic {
            user: "alice".to_owned(),
        };
        let sent = Observation {
            credentials: vec![basic.clone()],
            sent_credentials: Some(true),
            ..Observation::default()
        };
        let t = Ticket {
            target: Some(Target::default()),
            observed: vec![sent.clone(), Observation::default(), sent],
            ..Ticket::default()
        };
        let line = credentials_sent(&t);
        assert!(line.contains("in 2 of 3 requests"), "{line}");
        assert!(!line.starts_with("none"), "{line}");
        let none = Ticket {
            target: Some(Target::default()),
            observed: vec![Observation::default()],
            ..Ticket::default()
        };
        assert_eq!(
            credentials_sent(&none),
            "none (the one request carried none)"
        );
    }
}
