//! The general shapes of secrets, found in any text.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::{Redactor, Span, fingerprint, jwt};
use crate::secret;

fn re(pattern: &str) -> Regex {
    // The patterns are constants checked by the tests; an invalid one matches nothing
    // rather than bringing the program down.
    Regex::new(pattern)
        .unwrap_or_else(|_| Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!()))
}

static PEM: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\z)",
    )
});
static AUTH_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r#"(?im)\b(?:{})(["']?[ \t]*[:=][ \t]*["']?)([^\r\n]*?)(["'`,}}\]\s]*)$"#,
        secret::header_name_pattern()
    ))
});
static COOKIE_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"(?im)\b(set-cookie|cookie)(["']?[ \t]*:[ \t]*["']?)([^\r\n]*?)(["'`,}\]\s]*)$"#)
});
static HAR_PAIR: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r#"(?i)"name"\s*:\s*"({}|set-cookie|cookie)"\s*,\s*"value"\s*:\s*"((?:[^"\\]|\\.)*)""#,
        secret::header_name_pattern()
    ))
});
static JWT: LazyLock<Regex> =
    LazyLock::new(|| re(r"\beyJ[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){2,4}"));
static KEY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r#"(?i)\b(?P<k>{})[ \t]*=[ \t]*(?P<v>[^\[&\s;,"'<>)][^&\s;,"'<>)]*)"#,
        secret::param_name_pattern()
    ))
});
static JSON_KEY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r#"(?i)"(?P<k>{})"\s*:\s*"(?P<v>(?:[^"\\]|\\.)+)""#,
        secret::param_name_pattern()
    ))
});
static URL_USERINFO: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@\[]*:([^@/\s\[]+)@"));
static HTPASSWD_HASH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\$(?:apr1|2[abxy]?|1|5|6|md5|y|gy|7)\$[./A-Za-z0-9]+(?:\$[./A-Za-z0-9]*)*|\{(?:SHA|SSHA)\}[A-Za-z0-9+/]+=*",
    )
});
static HTPASSWD_DES: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?m)^[^:\s#]+:([./0-9A-Za-z]{13})[ \t]*\r?$"));
static LOOSE_BEARER: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\bbearer[ \t]+([A-Za-z0-9\-._~+/]{16,}=*)"));
static LOOSE_BASIC: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\bbasic[ \t]+([A-Za-z0-9+/]{4,}={0,2})"));

/// A fingerprint why401 wrote (`[cookie len=20 hmac=1a2b3c4d]`, `[password len=11]`, in
/// Markdown `\[…\]`): text that passes a redactor twice (a ticket's attachment, a line
/// shown again) holds these.
static FINGERPRINT: LazyLock<Regex> =
    LazyLock::new(|| re(r"\\?\[[a-z][a-z0-9-]* len=[0-9]+(?: (?:hmac|sha256)=[0-9a-f]{8})?\\?\]"));

/// Compiles every pattern now (each is otherwise compiled at its first use): a command that
/// will redact its output after long work compiles them on another thread meanwhile.
pub(super) fn compile() {
    for re in [
        &PEM,
        &AUTH_HEADER,
        &COOKIE_HEADER,
        &HAR_PAIR,
        &JWT,
        &KEY_VALUE,
        &JSON_KEY_VALUE,
        &URL_USERINFO,
        &HTPASSWD_HASH,
        &HTPASSWD_DES,
        &LOOSE_BEARER,
        &LOOSE_BASIC,
        &FINGERPRINT,
    ] {
        LazyLock::force(re);
    }
}

/// A value that starts with what why401 writes in a secret's place: a fingerprint not glued
/// to more letters (`[cookie len=5 hmac=…]SECRET` is a secret), a Secret's `[redacted len=N]`,
/// a config value's `[redacted, N chars]`, a JWT's `[jwt len=N sha256=…; header …]`.
fn is_ours(v: &str) -> bool {
    let bare = v.strip_prefix('\\').unwrap_or(v);
    if bare.starts_with("[redacted, ") || bare.starts_with("[jwt len=") {
        return true;
    }
    FINGERPRINT.find(v).is_some_and(|m| {
        m.start() == 0
            && !v[m.end()..].starts_with(|c: char| c.is_alphanumeric() || "-_.~+/=".contains(c))
    })
}

/// Where the fingerprints why401 wrote are in `text`, as byte ranges.
pub(super) fn fingerprints(text: &str) -> Vec<(usize, usize)> {
    FINGERPRINT
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect()
}

/// Drops the spans that lie wholly inside a fingerprint: `Cookie: [cookie len=20 hmac=…]`
/// read again is not a cookie named `[cookie len` whose value is `20 hmac=…]`. A span that
/// reaches outside one (a secret glued to a look-alike) is kept whole.
pub(super) fn keep_fingerprints(text: &str, spans: &mut Vec<Span>) {
    let ours = fingerprints(text);
    if !ours.is_empty() {
        spans.retain(|s| !ours.iter().any(|&(a, b)| a <= s.start && s.end <= b));
    }
}

/// What why401 itself writes where a secret goes: a fingerprint, a replay placeholder
/// (`<fill in: password>`) or a shell variable (`${WHY401_API_KEY}`, `$TOKEN`, `$PASSWORD`).
/// Hiding them would only hide what the reader must fill in.
fn is_placeholder(value: &str) -> bool {
    let v = value.trim_start_matches(['"', '\'', '\\']);
    is_ours(v)
        || v.starts_with("<fill in: ")
        || v.starts_with("${WHY401_")
        || ["$TOKEN", "$PASSWORD"].iter().any(|p| {
            v.strip_prefix(p).is_some_and(|rest| {
                !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            })
        })
}

/// Every span of `text` a general pattern says is secret.
pub(super) fn find(text: &str, r: &Redactor) -> Vec<Span> {
    let mut spans = Vec::new();
    let whole = |spans: &mut Vec<Span>, m: regex::Match<'_>, kind: &str, priority: u8| {
        if is_placeholder(m.as_str()) {
            return;
        }
        spans.push(Span {
            start: m.start(),
            end: m.end(),
            replacement: fingerprint(kind, m.as_str()),
            priority,
        });
    };
    for m in PEM.find_iter(text) {
        whole(&mut spans, m, "private-key", 9);
    }
    for c in AUTH_HEADER.captures_iter(text) {
        credentials(text, &c, 2, r, &mut spans);
    }
    for c in HAR_PAIR.captures_iter(text) {
        let name = c.get(1).map_or("", |m| m.as_str()).to_ascii_lowercase();
        if name.contains("cookie") {
            cookies(&c, 2, name == "set-cookie", &mut spans);
        } else {
            credentials(text, &c, 2, r, &mut spans);
        }
    }
    for c in COOKIE_HEADER.captures_iter(text) {
        let set = c
            .get(1)
            .is_some_and(|m| m.as_str().eq_ignore_ascii_case("set-cookie"));
        cookies(&c, 3, set, &mut spans);
    }
    for m in JWT.find_iter(text) {
        spans.push(Span {
            start: m.start(),
            end: m.end(),
            replacement: jwt::describe(m.as_str(), r),
            priority: 5,
        });
    }
    for re in [
        &*KEY_VALUE,
        &*JSON_KEY_VALUE,
        &*URL_USERINFO,
        &*HTPASSWD_DES,
    ] {
        for c in re.captures_iter(text) {
            let Some(m) = c.name("v").or_else(|| c.get(1)) else {
                continue;
            };
            if c.name("k")
                .is_some_and(|k| !secret::is_secret_param(k.as_str(), m.as_str()))
            {
                continue;
            }
            // Prose names a parameter (`access_token= in the URL`, `token=…`); a value set
            // apart by a space must be long enough to be one.
            let spaced = text[..m.start()].ends_with([' ', '\t']);
            if m.as_str().starts_with('…') || spaced && m.as_str().chars().count() < 6 {
                continue;
            }
            whole(&mut spans, m, "secret", 1);
        }
    }
    for m in HTPASSWD_HASH.find_iter(text) {
        whole(&mut spans, m, "password-hash", 4);
    }
    loose(text, &mut spans);
    spans
}

/// True when all of `text` has the shape of a JWT.
pub(super) fn is_jwt(text: &str) -> bool {
    JWT.find(text).is_some_and(|m| m.as_str() == text)
}

/// A credential value: the scheme word stays (it is evidence), the rest is fingerprinted,
/// a JWT keeps its header and claims.
fn credentials(text: &str, c: &Captures<'_>, group: usize, r: &Redactor, spans: &mut Vec<Span>) {
    let Some(v) = c.get(group) else { return };
    let value = v.as_str();
    let (offset, secret) = match value.split_once([' ', '\t']) {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
                && !rest.trim().is_empty() =>
        {
            let lead = rest.len() - rest.trim_start().len();
            (scheme.len() + 1 + lead, rest.trim_start())
        }
        _ => (0, value),
    };
    // `Authorization: Bearer` in prose names a scheme, and carries nothing.
    if secret.is_empty() || is_placeholder(secret) || offset == 0 && secret::is_auth_scheme(secret)
    {
        return;
    }
    let start = v.start() + offset;
    let end = start + secret.len();
    debug_assert_eq!(&text[start..end], secret);
    let replacement = if is_jwt(secret) {
        jwt::describe(secret, r)
    } else {
        fingerprint("credentials", secret)
    };
    spans.push(Span {
        start,
        end,
        replacement,
        priority: 6,
    });
}

/// Cookie values are hidden, names (and Set-Cookie attributes) stay: they are evidence.
fn cookies(c: &Captures<'_>, group: usize, set_cookie: bool, spans: &mut Vec<Span>) {
    let Some(v) = c.get(group) else { return };
    let mut at = v.start();
    for (i, part) in v.as_str().split(';').enumerate() {
        let part_start = at;
        at += part.len() + 1;
        // A cookie ends where the next header of a one-line list begins (`Cookie: […];
        // X-Api-Key: […]`, as `check` writes what it sent): that one has its own pattern.
        if i > 0 && (set_cookie || starts_a_header(part)) {
            break;
        }
        // `Cookie: [cookie len=20 hmac=…])`: what was sent, already a fingerprint.
        if is_placeholder(part.trim()) {
            continue;
        }
        let (value_start, value) = match part.split_once('=') {
            Some((name, value)) => (part_start + name.len() + 1, value),
            // `cookie: no cookie set`: a sentence (a probe's summary after its name), not a
            // cookie. A Cookie header is `name=value` pairs; a nameless value is one word.
            None if i == 0 && is_prose(part) => break,
            None => (part_start, part),
        };
        let trimmed = value.trim();
        if trimmed.is_empty() || is_placeholder(trimmed) {
            continue;
        }
        let lead = value.len() - value.trim_start().len();
        spans.push(Span {
            start: value_start + lead,
            end: value_start + lead + trimmed.len(),
            replacement: fingerprint("cookie", trimmed),
            priority: 6,
        });
    }
}

/// True for words a person reads (`no cookie set`, `2 cookie(s) set, none refused by
/// browsers`): three or more words apart by spaces, two of them plain words of letters. A
/// cookie value holds no spaces (RFC 6265 §4.1.1 `cookie-octet`), and a secret is not made
/// of dictionary-like words apart by spaces.
fn is_prose(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    let plain = words
        .iter()
        .filter(|w| {
            let w = w.trim_end_matches([',', '.', ':', ';']);
            let w = w.strip_suffix("(s)").unwrap_or(w);
            w.len() >= 2 && w.chars().all(|c| c.is_ascii_alphabetic())
        })
        .count();
    words.len() >= 3 && plain >= 2
}

/// `X-Api-Key: …`: a header name and a colon, after optional spaces.
fn starts_a_header(part: &str) -> bool {
    let p = part.trim_start();
    let name = p
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(p.len());
    name > 0 && p[name..].starts_with(':')
}

/// Bearer and Basic credentials outside a header line (log lines, prose, curl commands).
fn loose(text: &str, spans: &mut Vec<Span>) {
    for c in LOOSE_BEARER.captures_iter(text) {
        if let Some(m) = c.get(1)
            && m.as_str().bytes().any(|b| b.is_ascii_digit())
        {
            spans.push(Span {
                start: m.start(),
                end: m.end(),
                replacement: fingerprint("token", m.as_str()),
                priority: 2,
            });
        }
    }
    for c in LOOSE_BASIC.captures_iter(text) {
        if let Some(m) = c.get(1)
            && decodes_to_user_password(m.as_str())
        {
            spans.push(Span {
                start: m.start(),
                end: m.end(),
                replacement: fingerprint("credentials", m.as_str()),
                priority: 2,
            });
        }
    }
}

fn decodes_to_user_password(b64: &str) -> bool {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .is_ok_and(|bytes| bytes.contains(&b':'))
}
