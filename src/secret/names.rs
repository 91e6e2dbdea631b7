//! The one list of names whose values are secret: query and form parameters, JSON keys,
//! headers. Every redactor (tickets, log lines, HAR captures, URLs on stdout) asks here.

/// Parameter (query, fragment, form field, JSON key, `key=value` in prose) names whose values
/// are secret whatever they look like. Compared ASCII case-insensitively.
pub const SECRET_PARAMS: &[&str] = &[
    "access_token",
    "id_token",
    "refresh_token",
    "auth_token",
    "token",
    "jwt",
    "assertion",
    "client_assertion",
    "samlresponse",
    "api_key",
    "apikey",
    "api-key",
    "x-api-key",
    "subscription-key",
    "secret",
    "client_secret",
    "password",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "private_key",
    "signature",
    "credential",
    "credentials",
    "sessionid",
    "session_id",
    "x-amz-signature",
    "x-amz-security-token",
    "x-goog-signature",
    // Names that also name harmless things (`code=401`, `key=id`, `state=open`): their values
    // count as secrets from GENERIC_MIN_LEN bytes on when they look random.
    "code",
    "key",
    "sig",
    "sid",
    "auth",
    "session",
    "state",
    "nonce",
    "ticket",
];

/// The names of [`SECRET_PARAMS`] that are only secret from [`GENERIC_MIN_LEN`] bytes on.
const GENERIC_PARAMS: &[&str] = &[
    "code", "key", "sig", "sid", "auth", "session", "state", "nonce", "ticket",
];

/// See [`GENERIC_PARAMS`].
pub const GENERIC_MIN_LEN: usize = 6;

/// Header names whose values are credentials (cookies included). Lower case.
pub const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "x-auth-token",
    "x-access-token",
    "x-amz-security-token",
    "x-goog-api-key",
    "ocp-apim-subscription-key",
    "private-token",
    "x-vault-token",
    "x-csrf-token",
    "x-xsrf-token",
];

/// Authentication scheme names (the IANA registry and common API ones), lower case: a word
/// that is one of these is evidence, never a secret.
pub const AUTH_SCHEMES: &[&str] = &[
    "basic",
    "bearer",
    "digest",
    "negotiate",
    "ntlm",
    "token",
    "jwt",
    "apikey",
    "hoba",
    "mutual",
    "vapid",
    "scram-sha-1",
    "scram-sha-256",
    "privatetoken",
    "concealed",
    "dpop",
    "aws4-hmac-sha256",
];

/// True when `word` is an authentication scheme name (any case).
pub fn is_auth_scheme(word: &str) -> bool {
    AUTH_SCHEMES.contains(&word.trim().to_ascii_lowercase().as_str())
}

/// True when a parameter named `name` holding `value` must be hidden.
pub fn is_secret_param(name: &str, value: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    if GENERIC_PARAMS.contains(&lower.as_str()) {
        return value.len() >= GENERIC_MIN_LEN && looks_random(value);
    }
    SECRET_PARAMS.contains(&lower.as_str())
}

/// Codes, states and keys are random: a digit, inner capitals, or sheer length. Words
/// (`state=expired`, `session=none`, `code=user-file-in-web-root`) are not.
fn looks_random(value: &str) -> bool {
    if is_words(value) {
        return false;
    }
    value.len() >= 16
        || value.bytes().any(|b| b.is_ascii_digit())
        || value.bytes().skip(1).any(|b| b.is_ascii_uppercase())
}

/// Lower-case words joined by `-`, `_`, `.` or spaces, none longer than a long word
/// (`authentication`, 14 letters): a diagnostic code or an error name, never a generated
/// secret.
fn is_words(value: &str) -> bool {
    let mut parts = value.split(['-', '_', '.', ' ']);
    value.contains(['-', '_', '.', ' '])
        && parts.all(|w| w.len() <= 14 && w.bytes().all(|b| b.is_ascii_lowercase()))
}

/// True when `name` is in [`SECRET_PARAMS`], whatever its value.
pub fn is_secret_param_name(name: &str) -> bool {
    SECRET_PARAMS.contains(&name.trim().to_ascii_lowercase().as_str())
}

/// True when a header named `name` carries a credential.
pub fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS.contains(&name.trim().to_ascii_lowercase().as_str())
}

/// True for `Cookie` and `Set-Cookie`, whose names stay visible and values do not.
pub fn is_cookie_header(name: &str) -> bool {
    let n = name.trim();
    n.eq_ignore_ascii_case("cookie") || n.eq_ignore_ascii_case("set-cookie")
}

/// A regex alternation of [`SECRET_PARAMS`], longest first (so `passphrase` is not read as
/// `pass`), for redactors that search text.
pub fn param_name_pattern() -> String {
    alternation(SECRET_PARAMS)
}

/// A regex alternation of the credential headers that are not cookies, longest first.
pub fn header_name_pattern() -> String {
    let names: Vec<&str> = SECRET_HEADERS
        .iter()
        .copied()
        .filter(|n| !is_cookie_header(n))
        .collect();
    alternation(&names)
}

fn alternation(names: &[&str]) -> String {
    let mut sorted = names.to_vec();
    sorted.sort_by_key(|n| std::cmp::Reverse(n.len()));
    sorted
        .iter()
        .map(|n| regex::escape(n))
        .collect::<Vec<_>>()
        .join("|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostic_codes_are_words_but_generated_codes_are_not() {
        assert!(!is_secret_param("code", "user-file-in-web-root"));
        assert!(!is_secret_param("code", "authorization-from-auth-request"));
        assert!(!is_secret_param("state", "invalid_token"));
        assert!(is_secret_param("code", "SplxlOBeZQQYbYS6WxSbIA"));
        assert!(is_secret_param("code", "abcdefghijklmnopqrstu"));
        assert!(is_secret_param("code", "a-b-c-d-e-f-g-h-4"));
    }

    #[test]
    fn the_names_the_review_found_missing_are_known() {
        for (name, value) in [
            ("x-amz-security-token", "IQoJb3JpZ2luX2Vj"),
            ("assertion", "PHNhbWw+"),
            ("Passphrase", "open sesame"),
            ("access_token", "x"),
        ] {
            assert!(is_secret_param(name, value), "{name}");
        }
        for h in ["X-Api-Key", "Proxy-Authorization", "x-amz-security-token"] {
            assert!(is_secret_header(h), "{h}");
        }
        assert!(!is_secret_param("code", "401"));
        assert!(!is_secret_param("state", "expired"));
        assert!(is_secret_param("state", "af0ifjsldkj9"));
        assert!(is_secret_param("code", "4/0AX4XfWh"));
        assert!(!is_secret_param("page", "2"));
        assert!(!is_secret_header("content-type"));
        assert!(GENERIC_PARAMS.iter().all(|g| SECRET_PARAMS.contains(g)));
    }

    #[test]
    fn patterns_try_long_names_first() {
        let p = param_name_pattern();
        let at = |n: &str| p.find(&format!("|{n}|")).unwrap_or(usize::MAX);
        assert!(at("passphrase") < at("pass"), "{p}");
        assert!(!header_name_pattern().contains("cookie"));
    }
}
