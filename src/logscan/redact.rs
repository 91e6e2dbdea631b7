//! Log lines may carry secrets: tokens in query strings, passwords in URLs, Authorization
//! values. Whatever why401 prints from a log goes through here first; secrets become
//! fingerprints. Only shown text passes here, never the hot loop.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use crate::secret::fingerprint;

/// Longest line text shown; the rest is summarised by its length.
const SHOWN_LIMIT: usize = 300;

static QUERY_SECRET: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)([?&;]({})=)([^&\s\x22#]+)",
        crate::secret::param_name_pattern()
    ))
    .ok()
});
static URL_PASSWORD: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(://[^/\s:@\x22]+:)([^@/\s\x22]+)(@)").ok());
static JWT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*").ok());
static AUTH_VALUE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    // Header values write the scheme capitalised ("Basic dXNl..."); log prose writes "basic
    // authentication", which must stay readable.
    Regex::new(r"\b(Basic|Bearer|Token|Digest|BASIC|BEARER)(\s+)([A-Za-z0-9+/=._~-]{8,})").ok()
});

/// Compiles the patterns of [`secrets`] and of the output's redactor now: the report needs
/// them only after the scan, which another thread can overlap with compiling them.
pub(crate) fn compile_patterns() {
    for re in [&QUERY_SECRET, &URL_PASSWORD, &JWT, &AUTH_VALUE] {
        LazyLock::force(re);
    }
    crate::secret::redact::compile_patterns();
}

fn apply<'a>(
    re: &LazyLock<Option<Regex>>,
    text: Cow<'a, str>,
    f: impl FnMut(&Captures<'_>) -> String,
) -> Cow<'a, str> {
    match re.as_ref() {
        Some(re) if re.is_match(&text) => Cow::Owned(re.replace_all(&text, f).into_owned()),
        _ => text,
    }
}

/// Replaces every secret in `text` by its fingerprint.
pub fn secrets(text: &str) -> String {
    let t = Cow::Borrowed(text);
    let t = apply(&JWT, t, |c| fingerprint("token", &c[0]));
    let t = apply(&QUERY_SECRET, t, |c| {
        if crate::secret::is_secret_param(&c[2], &c[3]) {
            format!("{}{}", &c[1], fingerprint("secret", &c[3]))
        } else {
            c[0].to_owned()
        }
    });
    let t = apply(&URL_PASSWORD, t, |c| {
        format!("{}{}{}", &c[1], fingerprint("password", &c[2]), &c[3])
    });
    let t = apply(&AUTH_VALUE, t, |c| {
        format!("{}{}{}", &c[1], &c[2], fingerprint("credential", &c[3]))
    });
    t.into_owned()
}

/// A line as it may be shown: valid UTF-8, control bytes escaped, bounded, secrets redacted.
pub(crate) fn shown_line(raw: &[u8]) -> String {
    let cut = &raw[..raw.len().min(SHOWN_LIMIT)];
    let mut s = secrets(&crate::sanitize::bytes(cut));
    if raw.len() > SHOWN_LIMIT {
        s.push_str(&format!("… ({} bytes in all)", raw.len()));
    }
    s
}

/// A request target as it may be shown.
pub fn target(raw: &[u8]) -> String {
    shown_line(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_urls_and_headers_become_fingerprints() {
        let line = "GET /api?user=bob&access_token=s3cr3t-canary-value&x=1 https://alice:hunter2-canary@h/ Bearer abcdefgh-canary eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
        let out = secrets(line);
        for secret in [
            "s3cr3t-canary",
            "hunter2-canary",
            "abcdefgh-canary",
            "eyJhbGci",
        ] {
            assert!(!out.contains(secret), "{secret} leaked in {out}");
        }
        assert!(out.contains("user=bob&access_token=[secret len=19 hmac="));
        assert!(out.contains("&x=1"));
        assert_eq!(secrets("/admin/login?next=/x"), "/admin/login?next=/x");
        let prose = "no user/password was provided for basic authentication";
        assert_eq!(secrets(prose), prose);
    }

    #[test]
    fn shown_lines_are_printable_and_bounded() {
        let s = shown_line(b"\x00\x1b[31mred\xff\xfe ok");
        assert_eq!(s, "\\x00\\x1b[31mred\\xff\\xfe ok");
        let long = vec![b'a'; 1_000_000];
        let s = shown_line(&long);
        assert!(s.len() < 400);
        assert!(s.ends_with("(1000000 bytes in all)"));
    }
}
