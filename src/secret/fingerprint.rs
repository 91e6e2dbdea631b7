//! Fingerprints: keyed per run for anything a person could guess, public only for signed JWTs.

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::{hmac, rand};
use sha2::{Digest, Sha256};

/// This run's fingerprint key: 256 random bits, in memory only. `None` only when the system
/// has no randomness to give, and then fingerprints show the length alone.
static RUN_KEY: LazyLock<Option<hmac::Key>> =
    LazyLock::new(|| hmac::Key::generate(hmac::HMAC_SHA256, &rand::SystemRandom::new()).ok());

/// Shortest signature (base64url characters, 16 bytes) that makes a JWT unguessable.
const MIN_SIGNATURE_CHARS: usize = 22;

/// The fingerprint `value` deserves: public for a signed JWT, keyed for everything else.
pub fn fingerprint(kind: &str, value: &str) -> String {
    if is_signed_jwt(value) {
        public_fingerprint(kind, value)
    } else {
        keyed_fingerprint(kind, value)
    }
}

/// `[kind len=N hmac=xxxxxxxx]`: HMAC-SHA256 under this run's random key.
pub fn keyed_fingerprint(kind: &str, value: &str) -> String {
    match RUN_KEY.as_ref() {
        Some(key) => {
            let tag = hmac::sign(key, value.as_bytes());
            format!(
                "[{kind} len={} hmac={}]",
                value.len(),
                hex::encode(&tag.as_ref()[..4])
            )
        }
        None => length_only(kind, value),
    }
}

/// `[kind len=N]`.
pub fn length_only(kind: &str, value: &str) -> String {
    format!("[{kind} len={}]", value.len())
}

/// `[kind len=N sha256=xxxxxxxx]`: a public digest prefix. Only for values nobody can guess
/// (signed JWTs); [`fingerprint`] decides that, call this directly only for such values.
pub fn public_fingerprint(kind: &str, value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    format!(
        "[{kind} len={} sha256={}]",
        value.len(),
        hex::encode(&digest[..4])
    )
}

/// A compact JWS whose header is a JSON object naming an algorithm and whose signature is
/// long enough to be unguessable (an unsigned or short-signed token gets a keyed fingerprint).
fn is_signed_jwt(value: &str) -> bool {
    let mut parts = value.split('.');
    let (Some(header), Some(claims), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let b64url = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !header.starts_with("eyJ")
        || sig.len() < MIN_SIGNATURE_CHARS
        || !b64url(header)
        || !b64url(claims)
        || !b64url(sig)
    {
        return false;
    }
    URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|h| serde_json::from_slice::<serde_json::Value>(&h).ok())
        .is_some_and(|h| h.get("alg").is_some_and(|a| a != "none"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    #[test]
    fn a_guessable_secret_is_keyed_and_matches_itself_only_within_the_run() {
        let a = fingerprint("password", "Summer2026!");
        assert!(a.starts_with("[password len=11 hmac="), "{a}");
        assert_eq!(a, fingerprint("password", "Summer2026!"));
        assert_ne!(a, fingerprint("password", "Summer2027!"));
        // The unsalted SHA-256 of the password (a5c95e88...) is nowhere in it.
        let public = hex::encode(Sha256::digest(b"Summer2026!"));
        assert!(!a.contains(&public[..8]), "{a}");
    }

    #[test]
    fn only_a_signed_jwt_keeps_a_public_digest() {
        let digest = hex::encode(Sha256::digest(JWT.as_bytes()));
        assert_eq!(
            fingerprint("jwt", JWT),
            format!("[jwt len={} sha256={}]", JWT.len(), &digest[..8])
        );
        // alg none, no signature, a short signature, not a JWT at all: keyed.
        for weak in [
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiJib2IifQ.",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.abc",
            "eyJzzzzzz.eyJzzzzzz.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV",
            "hunter2-hunter2-hunter2-hunter2",
        ] {
            assert!(fingerprint("t", weak).contains(" hmac="), "{weak}");
        }
    }
}
