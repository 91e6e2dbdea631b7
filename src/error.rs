//! Errors as a person reads them: the chain on one line, secrets fingerprinted, a stranger's
//! control characters shown, never emitted.

/// The error and its causes on one line: `reading answers.yaml: line 3 column 7: ...`.
pub fn error_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    let joined = parts.join(": ").replace('\n', " ");
    // Errors quote what they could not use (a URL, a header, a YAML token): secrets in it are
    // fingerprinted, and a stranger's control characters are shown, never emitted.
    let redacted = crate::secret::redact::Redactor::new()
        .redact(&joined)
        .into_owned();
    crate::sanitize::line(&redacted).into_owned()
}
