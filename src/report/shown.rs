//! What a command prints or writes: every report passes here on its way out, so no secret
//! and no stranger's control character leaves whatever the analyser before it forgot.

use serde::Serialize;

use crate::report::Redactor;
use crate::sanitize;

/// Text for a terminal or a text file: secrets fingerprinted, controls shown as escapes.
pub fn text(text: &str, r: &Redactor) -> String {
    sanitize::text(&r.redact(text)).into_owned()
}

/// `doc` as pretty JSON: secrets fingerprinted, and the characters a terminal would act on
/// written as `\u` escapes. No trailing line end.
pub fn json(doc: &impl Serialize, r: &Redactor) -> String {
    let pretty = serde_json::to_string_pretty(doc).unwrap_or_default();
    json_text(&pretty, r)
}

/// Pretty JSON already serialised, as [`json`] leaves it.
pub(crate) fn json_text(pretty: &str, r: &Redactor) -> String {
    let redacted = r.redact(pretty);
    // Pretty JSON keeps each string on its own line, where the patterns stay inside it; if a
    // replacement ever broke the document, each string is redacted on its own instead.
    let out = if serde_json::from_str::<serde::de::IgnoredAny>(&redacted).is_ok() {
        redacted.into_owned()
    } else {
        let mut value: serde_json::Value = serde_json::from_str(pretty).unwrap_or_default();
        crate::report::render::redact_value(&mut value, r);
        serde_json::to_string_pretty(&value).unwrap_or_default()
    };
    sanitize::json(&out).into_owned()
}

/// One compact JSON line (a streamed event), its terminal controls escaped.
pub(crate) fn json_line(doc: &impl Serialize) -> String {
    let line = serde_json::to_string(doc).unwrap_or_default();
    sanitize::json(&line).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_controls_never_leave() {
        let r = Redactor::new().with_secret("password", "Summer2026!");
        let out = text(
            "GET http://u:Summer2026!@h/?access_token=abcdef123456 \x1b]52;c;eA==\x07\nok\n",
            &r,
        );
        assert!(
            !out.contains("Summer2026!") && !out.contains("abcdef123456"),
            "{out}"
        );
        assert!(sanitize::is_clean(&out) && out.ends_with("ok\n"), "{out}");
        let doc = serde_json::json!({
            "url": "http://h/?api_key=abcdef123456",
            "user": "bob\u{9b}2J\u{202E}",
            "echo": "Authorization: Bearer Summer2026!",
        });
        let out = json(&doc, &r);
        assert!(
            !out.contains("Summer2026!") && !out.contains("abcdef123456"),
            "{out}"
        );
        assert!(sanitize::is_clean(&out), "{out}");
        let back: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        assert_eq!(back["user"], "bob\u{9b}2J\u{202E}");
    }
}
