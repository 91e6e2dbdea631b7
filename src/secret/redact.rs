//! Secrets never leave why401: every output replaces them by a fingerprint.
//!
//! A [`Redactor`] knows the secrets of one session (what the person typed) and the shapes of
//! secrets in general (Authorization values, cookies, JWTs, `password=`, htpasswd hashes, PEM
//! keys). It finds every span to hide in the original text first and rewrites once, so a
//! fingerprint it wrote is never taken for a secret of its own.

use std::borrow::Cow;

use crate::secret::Secret;

mod jwt;
mod patterns;

pub use jwt::describe as describe_jwt;

/// Secrets shorter than this are not searched for by value: hiding every `a` of a ticket
/// would destroy it, and a secret this short is no secret. Pattern detectors still apply.
pub(crate) const MIN_SECRET_LEN: usize = 4;

/// Fingerprints live in [`crate::secret`]; kept here for the many callers that import it.
pub use crate::secret::fingerprint;

/// A range of the input to replace.
#[derive(Debug, Clone)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
    pub replacement: String,
    /// Among spans covering exactly the same range, the highest wins.
    pub priority: u8,
}

/// One secret known by value, with the forms it may take in text.
#[derive(Debug, Clone)]
struct KnownSecret {
    kind: String,
    value: Secret,
    forms: Vec<Secret>,
}

/// Hides secrets in any text leaving why401.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<KnownSecret>,
}

impl Redactor {
    /// A redactor that knows only the general shapes of secrets.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also hides `value` (and its percent-, base64- and JSON-encoded forms) wherever it
    /// appears, as `[kind len=N sha256=...]`.
    #[must_use]
    pub fn with_secret(mut self, kind: &str, value: &str) -> Self {
        self.add_secret(kind, value);
        self
    }

    /// See [`Redactor::with_secret`].
    pub fn add_secret(&mut self, kind: &str, value: &str) {
        if value.len() < MIN_SECRET_LEN || self.secrets.iter().any(|s| s.value.expose() == value) {
            return;
        }
        let mut forms = vec![value.to_owned()];
        let mut push = |f: String| {
            if f.len() >= MIN_SECRET_LEN && !forms.contains(&f) {
                forms.push(f);
            }
        };
        push(url::form_urlencoded::byte_serialize(value.as_bytes()).collect());
        push(percent_encode_all(value));
        push(
            serde_json::to_string(value)
                .unwrap_or_default()
                .trim_matches('"')
                .to_owned(),
        );
        if value.len() >= 6 {
            push(base64_of(value, false));
            push(base64_of(value, true));
        }
        self.secrets.push(KnownSecret {
            kind: kind.to_owned(),
            value: Secret::new(value),
            forms: forms.into_iter().map(Secret::new).collect(),
        });
        // Longest first, so a secret containing another is hidden whole.
        self.secrets
            .sort_by_key(|s| std::cmp::Reverse(s.value.len()));
    }

    /// Number of secrets known by value.
    pub fn known_secrets(&self) -> usize {
        self.secrets.len()
    }

    /// `text` with every secret replaced by its fingerprint.
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut spans = patterns::find(text, self);
        self.find_known(text, &mut spans);
        patterns::keep_fingerprints(text, &mut spans);
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        Cow::Owned(apply(text, spans))
    }

    /// Only the secrets known by value (for text a pattern must not touch, like JWT claims).
    pub(crate) fn redact_known(&self, text: &str) -> String {
        let mut spans = Vec::new();
        self.find_known(text, &mut spans);
        apply(text, spans)
    }

    fn find_known(&self, text: &str, spans: &mut Vec<Span>) {
        for s in &self.secrets {
            // A typed token that is a JWT still shows its claims; anything else is named
            // after the input it was typed into, which says more than a pattern can.
            let replacement = if patterns::is_jwt(s.value.expose()) {
                jwt::describe(s.value.expose(), &Self::new())
            } else {
                s.value.fingerprint(&s.kind)
            };
            for form in &s.forms {
                for (at, m) in text.match_indices(form.expose()) {
                    spans.push(Span {
                        start: at,
                        end: at + m.len(),
                        replacement: replacement.clone(),
                        priority: 7,
                    });
                }
            }
        }
    }
}

/// Compiles the redactor's patterns now, so that the first redaction does not pay for it.
pub(crate) fn compile_patterns() {
    patterns::compile();
}

/// The byte ranges of the fingerprints why401 wrote in `text` (`[cookie len=20 hmac=…]`):
/// a renderer that wraps lines keeps each whole, so a later pass still knows it.
pub(crate) fn fingerprint_ranges(text: &str) -> Vec<(usize, usize)> {
    patterns::fingerprints(text)
}

/// Rewrites `text` once: nested spans give way to the one around them, overlapping ones
/// are merged and fingerprinted whole.
fn apply(text: &str, mut spans: Vec<Span>) -> String {
    spans.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(b.priority.cmp(&a.priority))
    });
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match merged.last_mut() {
            Some(last) if s.start < last.end => {
                if s.end > last.end {
                    last.end = s.end;
                    last.replacement = fingerprint("secret", &text[last.start..last.end]);
                }
            }
            _ => merged.push(s),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for s in merged {
        out.push_str(&text[at..s.start]);
        out.push_str(&s.replacement);
        at = s.end;
    }
    out.push_str(&text[at..]);
    out
}

fn percent_encode_all(value: &str) -> String {
    use std::fmt::Write as _;
    value.bytes().fold(String::new(), |mut out, b| {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
        out
    })
}

fn base64_of(value: &str, url_safe: bool) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    // Only whole groups of three bytes encode the same way whatever follows the secret in a
    // larger encoded value, so the tail is left out.
    let whole = &value.as_bytes()[..value.len() / 3 * 3];
    if url_safe {
        URL_SAFE_NO_PAD.encode(whole)
    } else {
        STANDARD_NO_PAD.encode(whole)
    }
}

#[cfg(test)]
mod tests;
