//! JWK Sets (RFC 7517) from a file or a URL, and OpenID discovery: `iss` +
//! `/.well-known/openid-configuration` → `jwks_uri`. Keys a set holds that why401 cannot use
//! are skipped and named, as RFC 7517 §5 asks, rather than failing the whole set.

use std::path::Path;

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use serde_json::Value;

/// Largest JWKS or discovery document read; real ones are a few KiB.
pub(crate) const DOCUMENT_LIMIT: usize = 1024 * 1024;

/// A parsed JWK Set.
#[derive(Debug, Clone)]
pub struct KeySet {
    /// Where it came from (a path or URL), for messages.
    pub source: String,
    pub keys: Vec<Jwk>,
    /// Why each unusable entry was skipped.
    pub skipped: Vec<String>,
    /// kids of keys that publish private members (d, p, q, or k of a symmetric key).
    pub private_leaks: Vec<String>,
    /// Keys jsonwebtoken cannot hold, kept as written: EC keys on P-521 (ES512) and Ed448 OKP
    /// keys, checked (or named as not checkable) by `verify::curves`.
    pub extra: Vec<Value>,
}

impl KeySet {
    pub fn kids(&self) -> Vec<String> {
        self.keys
            .iter()
            .filter_map(|k| k.common.key_id.clone())
            .chain(
                self.extra
                    .iter()
                    .filter_map(|e| e.get("kid").and_then(Value::as_str).map(str::to_owned)),
            )
            .collect()
    }
}

/// Parses a JWKS document; the error names the source and what is wrong.
pub fn parse(text: &str, source: &str) -> Result<KeySet, String> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| format!("JWKS from {source} is not JSON: {e}"))?;
    let Some(entries) = doc.get("keys").and_then(Value::as_array) else {
        let hint = if doc.get("jwks_uri").is_some() {
            " (this is a discovery document: use its jwks_uri, or --discover)"
        } else {
            ""
        };
        return Err(format!(
            "JWKS from {source} has no \"keys\" array (RFC 7517 §5){hint}"
        ));
    };
    let mut set = KeySet {
        source: source.to_owned(),
        keys: Vec::new(),
        skipped: Vec::new(),
        private_leaks: Vec::new(),
        extra: Vec::new(),
    };
    for (i, entry) in entries.iter().enumerate() {
        let label = entry
            .get("kid")
            .and_then(Value::as_str)
            .map(crate::sanitize::Outside::new)
            .map_or_else(|| format!("key #{}", i + 1), |k| format!("kid '{k}'"));
        let private = ["d", "p", "q"].iter().any(|m| entry.get(*m).is_some())
            || (entry.get("kty").and_then(Value::as_str) == Some("oct")
                && entry.get("k").is_some());
        if private {
            set.private_leaks.push(label.clone());
        }
        if matches!(
            entry.get("crv").and_then(Value::as_str),
            Some("P-521" | "Ed448")
        ) {
            set.extra.push(entry.clone());
            continue;
        }
        match serde_json::from_value::<Jwk>(entry.clone()) {
            Ok(jwk) if !matches!(jwk.algorithm, AlgorithmParameters::Other(_)) => {
                set.keys.push(jwk);
            }
            Ok(_) => set.skipped.push(format!("{label}: key type not supported")),
            Err(e) => set.skipped.push(format!("{label}: {e}")),
        }
    }
    Ok(set)
}

/// Reads a JWKS file.
pub(crate) fn load_file(path: &Path) -> Result<KeySet, String> {
    let text = super::input::read_bounded_file(path, DOCUMENT_LIMIT).map_err(|e| e.to_string())?;
    parse(&text, &path.display().to_string())
}

/// GETs a JSON document, bounded in size; errors say which URL and why.
pub async fn fetch(conn: &crate::net::Connection, url: &str) -> Result<String, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("'{url}' is not a valid URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("'{url}' is not an http(s) URL"));
    }
    let mut response = conn
        .request(reqwest::Method::GET, &parsed)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| {
            format!(
                "could not reach {url}: {}",
                crate::net::classify::classify(&e).message
            )
        })?;
    let status = response.status();
    if status.is_redirection() {
        let to = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .unwrap_or("?");
        return Err(format!(
            "{url} answered {status} to {to} (redirects are not followed: give that address)"
        ));
    }
    if !status.is_success() {
        return Err(format!("{url} answered {status}"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| {
        format!(
            "reading {url}: {}",
            crate::net::classify::classify(&e).message
        )
    })? {
        body.extend_from_slice(&chunk);
        if body.len() > DOCUMENT_LIMIT {
            return Err(format!(
                "{url} sent more than {} KiB",
                DOCUMENT_LIMIT / 1024
            ));
        }
    }
    String::from_utf8(body).map_err(|_| format!("{url} sent a body that is not UTF-8"))
}

/// Fetches and parses the JWKS at `url`.
pub(crate) async fn fetch_set(conn: &crate::net::Connection, url: &str) -> Result<KeySet, String> {
    let text = fetch(conn, url).await?;
    parse(&text, url)
}

/// The discovery document's address for an issuer (OpenID Connect Discovery §4).
pub(crate) fn discovery_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

/// What discovery found.
#[derive(Debug, Clone)]
pub struct Discovered {
    pub discovery_url: String,
    pub jwks_uri: String,
    /// The document's own `issuer`, which must equal the token's `iss`.
    pub issuer: Option<String>,
    pub keys: KeySet,
}

/// Follows `issuer` to its discovery document, then to its JWKS.
pub async fn discover(conn: &crate::net::Connection, issuer: &str) -> Result<Discovered, String> {
    let discovery_url = discovery_url(issuer);
    let text = fetch(conn, &discovery_url).await?;
    let doc: Value = serde_json::from_str(&text)
        .map_err(|e| format!("discovery document {discovery_url} is not JSON: {e}"))?;
    let Some(jwks_uri) = doc.get("jwks_uri").and_then(Value::as_str) else {
        return Err(format!(
            "discovery document {discovery_url} has no jwks_uri"
        ));
    };
    let keys = fetch_set(conn, jwks_uri).await?;
    Ok(Discovered {
        discovery_url,
        jwks_uri: jwks_uri.to_owned(),
        issuer: doc.get("issuer").and_then(Value::as_str).map(str::to_owned),
        keys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusable_keys_are_skipped_and_leaks_named() {
        let text = r#"{"keys":[
            {"kty":"oct","kid":"s","k":"c2VjcmV0"},
            {"kty":"XYZ","kid":"odd"},
            {"kty":"RSA","kid":"r","n":"AQAB","e":"AQAB","d":"AQAB"}
        ]}"#;
        let set = parse(text, "t.json").unwrap();
        assert_eq!(set.kids(), vec!["s", "r"]);
        assert_eq!(set.skipped.len(), 1, "{:?}", set.skipped);
        assert_eq!(set.private_leaks, vec!["kid 's'", "kid 'r'"]);
    }

    #[test]
    fn bad_documents_say_what_is_wrong() {
        let e = parse("<html>", "http://x/jwks").unwrap_err();
        assert!(e.contains("is not JSON"), "{e}");
        let e = parse(r#"{"jwks_uri":"http://x"}"#, "f").unwrap_err();
        assert!(e.contains("--discover"), "{e}");
        assert_eq!(
            discovery_url("https://id.example/realm/"),
            "https://id.example/realm/.well-known/openid-configuration"
        );
    }
}
