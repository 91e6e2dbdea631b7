//! A JWT in a ticket keeps its header and claims (evidence) and loses its signature.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{Redactor, fingerprint};

/// `[jwt len=N sha256=x; header {...}; claims {...}; signature removed]`, or a plain
/// fingerprint when the token is encrypted or does not decode.
pub fn describe(token: &str, r: &Redactor) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let fp = fingerprint("jwt", token);
    if parts.len() != 3 {
        return fp;
    }
    let (Some(header), Some(claims)) = (decode_json(parts[0]), decode_json(parts[1])) else {
        return fp;
    };
    let inner = fp.trim_start_matches('[').trim_end_matches(']');
    // Claims are evidence, but a person may have typed a secret that ends up in one.
    format!(
        "[{inner}; header {}; claims {}; signature removed]",
        r.redact_known(&header),
        r.redact_known(&claims)
    )
}

fn decode_json(segment: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(segment.trim_end_matches('=')).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.is_object().then(|| value.to_string())
}
