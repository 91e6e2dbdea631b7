//! HMAC secrets (HS*). Key bytes are raw (RFC 7518 §3.2): a secret file is tried as given, then
//! trimmed of surrounding whitespace, and the one that verified is named. A public key given as
//! the secret is the algorithm-confusion attack (RFC 8725 §2.1) and is said so, whether or not
//! the HMAC holds.

use jsonwebtoken::{Algorithm, DecodingKey};

use super::{SignatureState, Verification, check, family_name, is_hmac};
use crate::token::decode::Jwt;

/// What a "secret" holding public key material is, if it is one.
fn public_key_kind(secret: &[u8]) -> Option<&'static str> {
    let text = std::str::from_utf8(secret).ok()?.trim_start();
    let pem = |label: &str| text.starts_with(&format!("-----BEGIN {label}-----"));
    if pem("PUBLIC KEY") || pem("RSA PUBLIC KEY") || pem("EC PUBLIC KEY") {
        Some("a PEM public key")
    } else if pem("CERTIFICATE") {
        Some("a PEM certificate")
    } else if [
        "ssh-rsa ",
        "ssh-ed25519 ",
        "ssh-ed448 ",
        "ecdsa-sha2-",
        "ssh-dss ",
    ]
    .iter()
    .any(|p| text.starts_with(p))
    {
        Some("an OpenSSH public key")
    } else if text.starts_with('{') && text.contains("\"kty\"") {
        Some("a JWK")
    } else {
        None
    }
}

pub(super) fn with_secret(jwt: &Jwt, alg: Algorithm, secret: &[u8]) -> Verification {
    let public = public_key_kind(secret);
    if !is_hmac(alg) {
        let hint = match public {
            Some(kind) => format!(" (the file holds {kind}: give it with --public-key)"),
            None => String::new(),
        };
        return Verification::new(
            SignatureState::Unchecked,
            format!("a shared secret cannot check a {alg:?} token{hint}"),
        )
        .cause(
            "token-alg-mismatch",
            0.9,
            format!(
                "the token is {alg:?}, which needs {}, but a shared secret was given{hint}",
                family_name(alg)
            ),
        );
    }
    let trimmed = secret.trim_ascii();
    let padded = trimmed.len() != secret.len() && !trimmed.is_empty();
    let raw = check(
        jwt,
        alg,
        &DecodingKey::from_secret(secret),
        "the shared secret as given",
    );
    let (mut v, used) = if raw.state != SignatureState::Valid && padded {
        let t = check(
            jwt,
            alg,
            &DecodingKey::from_secret(trimmed),
            "the shared secret trimmed of its surrounding whitespace",
        );
        if t.state == SignatureState::Valid {
            let mut t = t;
            t.notes.push("the secret file's bytes as given (with their whitespace, e.g. a trailing newline) do not verify; trimmed they do: the issuer signs with the trimmed secret, so a server that reads the file as it is rejects the token".to_owned());
            (t, trimmed)
        } else {
            (raw, secret)
        }
    } else {
        (raw, secret)
    };
    if v.state == SignatureState::Valid && padded && used.len() == secret.len() {
        v.notes.push("verified with the secret file's bytes as given, including their surrounding whitespace (e.g. a trailing newline): a server that trims its secret rejects this token".to_owned());
    }
    let bits = match alg {
        Algorithm::HS384 => 384,
        Algorithm::HS512 => 512,
        _ => 256,
    };
    if used.len() * 8 < bits {
        v.notes.push(format!(
            "the secret has {} bits, fewer than the {bits} {alg:?} needs (RFC 7518 §3.2, RFC 8725 §3.5)",
            used.len() * 8
        ));
    }
    if let Some(kind) = public {
        let held = if v.state == SignatureState::Valid {
            "; this token verifies that way, so whoever signed it used the public key as an HMAC secret, which anyone holding the public key can do"
        } else {
            ""
        };
        v = v.cause(
            "token-alg-mismatch",
            0.95,
            format!(
                "the secret given is {kind}: checking an {alg:?} token with a public key as its HMAC secret is the algorithm-confusion attack (RFC 8725 §2.1){held}. Verify with --public-key and accept only the key's own algorithm"
            ),
        );
    }
    v
}
