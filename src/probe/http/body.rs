//! What a refusal's body says: the message of a JSON error object, or the first words of a
//! text or HTML page, made safe to quote (control characters shown as escapes, secrets
//! replaced by fingerprints, bounded).

use serde_json::Value;

use super::target::Credentials;

/// Characters of a body message kept for evidence.
pub(crate) const QUOTE_LIMIT: usize = 300;

/// JSON members that carry a message, most telling first.
const MESSAGE_KEYS: &[&str] = &[
    "error_description",
    "message",
    "detail",
    "error",
    "msg",
    "title",
    "description",
    "reason",
    "code",
    "messages",
    "errors",
];

/// The message of a refusal's body, raw (not yet safe to show).
pub fn message(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(json) = serde_json::from_str::<Value>(text) {
        let mut parts = Vec::new();
        strings(&json, 0, &mut parts);
        return (!parts.is_empty()).then(|| parts.join(" | "));
    }
    let plain = strip_tags(text);
    let plain = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    (!plain.is_empty()).then_some(plain)
}

/// String members of a JSON error, message keys first, a few levels deep.
fn strings(v: &Value, depth: usize, out: &mut Vec<String>) {
    if depth > 3 || out.len() >= 8 {
        return;
    }
    match v {
        Value::String(s) if !s.trim().is_empty() => out.push(s.trim().to_owned()),
        Value::Array(items) => {
            for item in items.iter().take(4) {
                strings(item, depth + 1, out);
            }
        }
        Value::Object(map) => {
            for key in MESSAGE_KEYS {
                if let Some(x) = map.get(*key) {
                    strings(x, depth + 1, out);
                }
            }
            // Members of other names (`{"exp": "token expired"}` from Kong) after those.
            for (k, x) in map {
                if !MESSAGE_KEYS.contains(&k.as_str()) && x.is_string() {
                    strings(x, depth + 1, out);
                }
            }
        }
        _ => {}
    }
}

fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4096));
    let mut in_tag = false;
    for c in text.chars().take(8192) {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// `text` made safe to print: every secret of `creds` and every secret shape replaced by a
/// fingerprint, at most [`QUOTE_LIMIT`] characters, then through the one sanitiser (control
/// and bidi characters shown as escapes).
pub fn quote(text: &str, creds: &Credentials) -> String {
    let redacted = creds.hide_in(text);
    let mut cut: String = redacted.chars().take(QUOTE_LIMIT).collect();
    if cut.len() < redacted.len() {
        cut.push('…');
    }
    crate::sanitize::line(&cut).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_messages_come_first_and_nested_ones_are_found() {
        let simplejwt = br#"{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token is expired"}]}"#;
        let m = message(simplejwt).unwrap_or_default();
        assert!(m.starts_with("Given token not valid"), "{m}");
        assert!(m.contains("Token is expired"), "{m}");
        assert_eq!(
            message(br#"{"exp":"token expired"}"#).as_deref(),
            Some("token expired")
        );
        assert_eq!(
            message(b"<html><pre>UnauthorizedError: jwt expired<br> at x</pre></html>").as_deref(),
            Some("UnauthorizedError: jwt expired at x")
        );
        assert_eq!(message(b"  "), None);
    }

    #[test]
    fn quotes_hide_the_secrets_sent_and_show_control_characters() {
        let creds = Credentials {
            authorization: Some("Bearer s3cr3t-token-value".into()),
            ..Credentials::default()
        };
        let q = quote("invalid token s3cr3t-token-value\u{1b}[2J\u{202e}", &creds);
        assert!(!q.contains("s3cr3t-token-value"), "{q}");
        assert!(!q.contains('\u{1b}') && !q.contains('\u{202e}'), "{q}");
        assert!(q.contains("\\x1b") && q.contains("<U+202E>"), "{q}");
        assert!(quote(&"x".repeat(1000), &creds).chars().count() <= QUOTE_LIMIT + 1);
    }
}
