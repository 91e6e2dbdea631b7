//! HAR captures are full of secrets: tokens in query strings and fragments, cookies, codes.
//! Everything shown from one passes through here first.

use crate::secret::fingerprint;

/// Query parameters that carry an API key rather than a bearer token.
pub(crate) const API_KEY_PARAMS: &[&str] = &["key", "api_key", "apikey", "api-key"];

/// Whether a request header carries an API key: a credential header of the one secret list
/// (`X-Api-Key`, `Ocp-Apim-Subscription-Key`, ...) that is not Authorization, a cookie or an
/// anti-CSRF token.
pub(crate) fn is_api_key_header(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    crate::secret::is_secret_header(&lower)
        && !matches!(
            lower.as_str(),
            "authorization" | "proxy-authorization" | "cookie" | "set-cookie"
        )
        && !lower.contains("csrf")
        && !lower.contains("xsrf")
}

/// Whether a value looks like a credential even under a harmless name.
fn looks_secret(value: &str) -> bool {
    value.starts_with("eyJ")
        || value.len() >= 32
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.~+/=%".contains(c))
}

/// The URL with secret parameter values (query and fragment) replaced by fingerprints.
pub fn url(raw: &str) -> String {
    let (before_fragment, fragment) = match raw.split_once('#') {
        Some((a, b)) => (a, Some(b)),
        None => (raw, None),
    };
    let (base, query) = match before_fragment.split_once('?') {
        Some((a, b)) => (a, Some(b)),
        None => (before_fragment, None),
    };
    let mut out = redact_userinfo(base);
    if let Some(q) = query {
        out.push('?');
        out.push_str(&params(q));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(&params(f));
    }
    out
}

/// `user:password@` in the authority becomes `user:[password ...]@`.
fn redact_userinfo(base: &str) -> String {
    let Some((scheme, rest)) = base.split_once("://") else {
        return base.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let shown = match userinfo.split_once(':') {
                Some((user, pass)) => format!("{user}:{}", fingerprint("password", pass)),
                None => userinfo.to_owned(),
            };
            format!("{scheme}://{shown}@{host}{path}")
        }
        None => base.to_owned(),
    }
}

fn params(text: &str) -> String {
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if is_secret(name, value) => {
                format!("{name}={}", fingerprint("secret", value))
            }
            None if looks_secret(pair) => fingerprint("secret", pair),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn is_secret(name: &str, value: &str) -> bool {
    crate::secret::is_secret_param(name, value) || looks_secret(value)
}

/// The name of the first query or fragment parameter that carries a bearer credential.
pub(crate) fn credential_param(raw: &str) -> Option<String> {
    const NAMES: &[&str] = &[
        "access_token",
        "id_token",
        "token",
        "jwt",
        "api_key",
        "apikey",
        "key",
    ];
    let after = raw.split_once(['?', '#'])?.1;
    after.split(['&', '#']).find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (NAMES.contains(&name.to_ascii_lowercase().as_str()) && !value.is_empty())
            .then(|| name.to_owned())
    })
}

/// A challenge with its Negotiate / NTLM handshake token fingerprinted.
pub fn challenge(value: &str) -> String {
    let trimmed = value.trim();
    match trimmed.split_once(' ') {
        Some((scheme, data))
            if ["negotiate", "ntlm", "kerberos"]
                .contains(&scheme.to_ascii_lowercase().as_str()) =>
        {
            format!("{scheme} {}", fingerprint("handshake", data.trim()))
        }
        _ => trimmed.to_owned(),
    }
}

/// `name=[cookie len=N sha256=...]` for each cookie of a Cookie header.
pub(crate) fn cookie_header(value: &str) -> Vec<String> {
    value
        .split(';')
        .filter_map(|c| {
            let (name, v) = c.trim().split_once('=')?;
            Some(format!(
                "{}={}",
                name.trim(),
                fingerprint("cookie", v.trim())
            ))
        })
        .collect()
}

/// The name and attributes of a Set-Cookie, its value fingerprinted.
pub(crate) fn set_cookie(value: &str) -> String {
    let mut parts = value.split(';');
    let first = parts.next().unwrap_or("");
    let head = match first.trim().split_once('=') {
        Some((name, v)) => format!("{}={}", name.trim(), fingerprint("cookie", v.trim())),
        None => first.trim().to_owned(),
    };
    let attrs: Vec<&str> = parts.map(str::trim).filter(|a| !a.is_empty()).collect();
    if attrs.is_empty() {
        head
    } else {
        format!("{head}; {}", attrs.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_their_shape_but_lose_their_secrets() {
        let u = url(
            "https://u:hunter2@api.example/cb?code=abc123&lang=en#access_token=eyJzzz&token_type=Bearer",
        );
        assert!(
            !u.contains("hunter2") && !u.contains("abc123") && !u.contains("eyJzzz"),
            "{u}"
        );
        assert!(
            u.contains("lang=en") && u.contains("token_type=Bearer"),
            "{u}"
        );
        assert!(u.starts_with("https://u:[password len=7"), "{u}");
        assert_eq!(url("http://a/b"), "http://a/b");
    }

    #[test]
    fn cookies_keep_names_only() {
        let c = cookie_header("session=s3cr3t; theme=dark");
        assert_eq!(c.len(), 2);
        assert!(c[0].starts_with("session=[cookie len=6"), "{c:?}");
        assert!(!c.join(" ").contains("s3cr3t") && !c.join(" ").contains("dark"));
        let s = set_cookie("sid=abc; Path=/; HttpOnly; Max-Age=0");
        assert!(
            s.starts_with("sid=[cookie len=3") && s.ends_with("Path=/; HttpOnly; Max-Age=0"),
            "{s}"
        );
    }
}
