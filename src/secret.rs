//! Secrets: a type that cannot print itself, the one list of names whose values are secret,
//! and fingerprints that say "the same secret" without saying which.
//!
//! Two kinds of fingerprint, and only two:
//! - `[password len=11 hmac=1f2e3d4c]`: HMAC-SHA256 under a key drawn at random when why401
//!   starts and never stored. The same secret matches itself within one run's output (a
//!   ticket, a report), and nothing else: no dictionary can confirm a guess.
//!   Passwords, API keys, cookies, Basic credentials and every other secret get this one.
//! - `[jwt len=220 sha256=1f2e3d4c]`: the first 8 hex digits of the public SHA-256 of a
//!   signed JWT, whose signature makes it unguessable; the owner can match it in their logs.

mod fingerprint;
mod names;
mod read;
pub mod redact;

use std::fmt;

pub use fingerprint::{fingerprint, keyed_fingerprint, length_only, public_fingerprint};
pub use names::{
    AUTH_SCHEMES, GENERIC_MIN_LEN, SECRET_HEADERS, SECRET_PARAMS, header_name_pattern,
    is_auth_scheme, is_cookie_header, is_secret_header, is_secret_param, is_secret_param_name,
    param_name_pattern,
};
pub use read::{
    SECRET_FILE_LIMIT, prompt_masked, read_secret_file, read_secret_line, require_terminal_prompt,
};

/// What a replay block writes where a secret answer goes: `<fill in: password>`.
pub(crate) fn placeholder(id: &str) -> String {
    format!("<fill in: {id}>")
}

/// True for a value that is still a [`placeholder`] (never to be sent as a secret).
pub(crate) fn is_placeholder(value: &str) -> bool {
    value.trim_start().starts_with("<fill in: ")
}

/// A secret value (a password, a token, a cookie, an API key). `Debug` and `Display` show its
/// length only; the value comes out through [`Secret::expose`], at the one place it is sent.
#[derive(Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself: only for sending it, or comparing it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value's fingerprint, named `kind` (see the module docs for which kind is used).
    pub fn fingerprint(&self, kind: &str) -> String {
        fingerprint(kind, &self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(len={})", self.0.len())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[redacted len={}]", self.0.len())
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints_itself() {
        let s = Secret::new("Summer2026!");
        assert_eq!(format!("{s:?}"), "Secret(len=11)");
        assert_eq!(format!("{s}"), "[redacted len=11]");
        assert_eq!(format!("{:?}", Some(&s)), "Some(Secret(len=11))");
        assert_eq!(s.expose(), "Summer2026!");
        let parsed: Secret = serde_json::from_str("\"Summer2026!\"").unwrap_or_default();
        assert_eq!(parsed, s);
    }
}
