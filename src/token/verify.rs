//! Signature checks (ring, with jsonwebtoken for the verdict on anything ring refuses): a shared secret, a PEM key or certificate, or a JWKS
//! (by kid). Only the signature is checked here; the claims are checked in `claims`, against
//! both clocks. A key that does not fit the token's alg is named (RFC 8725 §3.1), never tried
//! the way a vulnerable verifier would.

use crate::sanitize::Outside;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, DecodingKeyKind, crypto};
use ring::signature as ring_sig;
use serde::Serialize;

use super::decode::Jwt;
use super::jwks::KeySet;
use crate::diagnose::CauseHit;

pub(crate) mod curves;
mod secret;

use curves::Curve;

/// The key material to check a signature with.
#[derive(Debug, Clone)]
pub enum Key {
    /// An HMAC secret (HS*).
    Secret(Vec<u8>),
    /// A PEM public key or certificate (RS*, PS*, ES*, EdDSA).
    Pem(Vec<u8>),
    Jwks(KeySet),
}

/// Whether the signature was checked and held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureState {
    Valid,
    Invalid,
    Unchecked,
}

impl SignatureState {
    pub fn label(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Invalid => "invalid",
            Self::Unchecked => "unchecked",
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    pub state: SignatureState,
    /// One line: what was checked with what.
    pub detail: String,
    pub causes: Vec<CauseHit>,
    pub notes: Vec<String>,
}

impl Verification {
    fn new(state: SignatureState, detail: impl Into<String>) -> Self {
        Self {
            state,
            detail: detail.into(),
            causes: Vec::new(),
            notes: Vec::new(),
        }
    }
    fn cause(mut self, id: &str, confidence: f64, evidence: impl Into<String>) -> Self {
        self.causes.push(CauseHit::new(id, confidence, evidence));
        self
    }
}

/// Checks `jwt`'s signature with `key`.
pub fn verify(jwt: &Jwt, key: &Key) -> Verification {
    let alg_text = jwt.alg().unwrap_or("");
    if alg_text.eq_ignore_ascii_case("none") {
        return Verification::new(
            SignatureState::Invalid,
            "unsigned token (alg none): nothing to verify",
        )
        .cause(
            "token-alg-none",
            0.95,
            format!(
                "header alg is '{alg_text}'; an API must reject unsigned tokens (RFC 8725 §3.2)"
            ),
        );
    }
    if alg_text == "ES512" {
        return with_key_set_notes(curves::es512(jwt, key), key);
    }
    let Ok(alg) = Algorithm::from_str(alg_text) else {
        return Verification::new(
            SignatureState::Unchecked,
            format!("alg '{alg_text}' is not one why401 can verify"),
        )
        .cause(
            "token-alg-mismatch",
            0.5,
            format!("header alg '{alg_text}' is not a JWS algorithm APIs accept"),
        );
    };
    let v = match key {
        Key::Secret(bytes) => secret::with_secret(jwt, alg, bytes),
        Key::Pem(pem) => with_pem(jwt, alg, pem),
        Key::Jwks(set) => with_jwks(jwt, alg, set),
    };
    with_key_set_notes(v, key)
}

/// What a key set says about itself: published private keys, entries skipped.
fn with_key_set_notes(mut v: Verification, key: &Key) -> Verification {
    let Key::Jwks(set) = key else { return v };
    if !set.private_leaks.is_empty() {
        v.notes.push(format!(
            "the JWKS at {} publishes private key material ({}): whoever can read it can sign tokens; rotate those keys",
            set.source,
            set.private_leaks.join(", ")
        ));
    }
    v.notes.extend(
        set.skipped
            .iter()
            .map(|s| format!("JWKS entry skipped: {s}")),
    );
    v
}

fn check(jwt: &Jwt, alg: Algorithm, key: &DecodingKey, what: &str) -> Verification {
    let verdict = if ring_accepts(&jwt.signature, jwt.signing_input.as_bytes(), key, alg) {
        Ok(true)
    } else {
        crypto::verify(&jwt.signature, jwt.signing_input.as_bytes(), key, alg)
    };
    match verdict {
        Ok(true) => Verification::new(
            SignatureState::Valid,
            format!("{alg:?} signature verified with {what}"),
        ),
        Ok(false) => Verification::new(
            SignatureState::Invalid,
            format!("{alg:?} signature does not verify with {what}"),
        )
        .cause(
            "token-signature-invalid",
            0.9,
            format!("the {alg:?} signature does not verify with {what}"),
        ),
        Err(e) => Verification::new(
            SignatureState::Invalid,
            format!("{alg:?} signature could not be checked with {what}: {e}"),
        )
        .cause(
            "token-signature-invalid",
            0.7,
            format!("{what} cannot check this {alg:?} signature: {e}"),
        ),
    }
}

/// The fast path: ring checks RSA, EC and Ed25519 signatures about ten times faster than
/// jsonwebtoken's pure-Rust backend. Only a yes counts; anything ring refuses (a bad
/// signature, an RSA key under 2048 bits, a key of another family) goes to jsonwebtoken,
/// whose answer and error message are the verdict.
fn ring_accepts(signature: &str, message: &[u8], key: &DecodingKey, alg: Algorithm) -> bool {
    if key.family() != alg.family() {
        return false;
    }
    let rsa: &'static ring_sig::RsaParameters = match alg {
        Algorithm::RS256 => &ring_sig::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RS384 => &ring_sig::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &ring_sig::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &ring_sig::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &ring_sig::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &ring_sig::RSA_PSS_2048_8192_SHA512,
        Algorithm::ES256 => {
            return ring_der(&ring_sig::ECDSA_P256_SHA256_FIXED, signature, message, key);
        }
        Algorithm::ES384 => {
            return ring_der(&ring_sig::ECDSA_P384_SHA384_FIXED, signature, message, key);
        }
        Algorithm::EdDSA => return ring_der(&ring_sig::ED25519, signature, message, key),
        _ => return false,
    };
    let Ok(sig) = URL_SAFE_NO_PAD.decode(signature) else {
        return false;
    };
    match key.kind() {
        DecodingKeyKind::SecretOrDer(der) => ring_sig::UnparsedPublicKey::new(rsa, der)
            .verify(message, &sig)
            .is_ok(),
        DecodingKeyKind::RsaModulusExponent { n, e } => ring_sig::RsaPublicKeyComponents { n, e }
            .verify(rsa, message, &sig)
            .is_ok(),
    }
}

fn ring_der(
    alg: &'static dyn ring_sig::VerificationAlgorithm,
    signature: &str,
    message: &[u8],
    key: &DecodingKey,
) -> bool {
    let (DecodingKeyKind::SecretOrDer(der), Ok(sig)) =
        (key.kind(), URL_SAFE_NO_PAD.decode(signature))
    else {
        return false;
    };
    ring_sig::UnparsedPublicKey::new(alg, der)
        .verify(message, &sig)
        .is_ok()
}

pub(crate) fn family_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => "an HMAC secret",
        Algorithm::ES256 | Algorithm::ES384 => "an EC key",
        Algorithm::EdDSA => "an Ed25519 key",
        _ => "an RSA key",
    }
}

pub(crate) fn is_hmac(alg: Algorithm) -> bool {
    matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
}

type PemParser = fn(&[u8]) -> jsonwebtoken::errors::Result<DecodingKey>;

/// The PEM is tried as each key family; one that parses but does not fit the alg is a mismatch.
fn with_pem(jwt: &Jwt, alg: Algorithm, pem: &[u8]) -> Verification {
    let parsers: [(&str, PemParser); 3] = [
        ("an RSA key", DecodingKey::from_rsa_pem),
        ("an EC key", DecodingKey::from_ec_pem),
        ("an Ed25519 key", DecodingKey::from_ed_pem),
    ];
    let wanted = family_name(alg);
    if is_hmac(alg) {
        let found = parsers
            .iter()
            .find(|(_, p)| p(pem).is_ok())
            .map_or("a public key", |(n, _)| n);
        return Verification::new(SignatureState::Unchecked, format!("an {alg:?} token cannot be checked with a public key"))
            .cause("token-alg-mismatch", 0.9, format!(
                "the token is {alg:?} (HMAC) but the key is {found}: a verifier that accepts this is open to the RS256→HS256 confusion (RFC 8725 §2.1, CVE-2015-9235)"
            ));
    }
    let curve = curves::pem_curve(pem);
    if alg == Algorithm::EdDSA && curve == Some(Curve::Ed448) {
        return curves::ed448_unchecked("the PEM key");
    }
    if let (Some(want), Some(have)) = (curves::Curve::for_alg(&format!("{alg:?}")), curve)
        && want != have
    {
        return curves::curve_mismatch(&format!("{alg:?}"), want, have, "the PEM key");
    }
    if let Some((_, parse)) = parsers.iter().find(|(n, _)| *n == wanted)
        && let Ok(key) = parse(pem)
    {
        return check(jwt, alg, &key, "the PEM key");
    }
    match parsers.iter().find(|(_, p)| p(pem).is_ok()) {
        Some((found, _)) => Verification::new(
            SignatureState::Unchecked,
            format!("the PEM holds {found}, the token needs {wanted}"),
        )
        .cause(
            "token-alg-mismatch",
            0.9,
            format!("the token is {alg:?}, which needs {wanted}, but the PEM holds {found}"),
        ),
        None => Verification::new(
            SignatureState::Unchecked,
            "the PEM file holds no public key or certificate why401 can read",
        ),
    }
}

fn with_jwks(jwt: &Jwt, alg: Algorithm, set: &KeySet) -> Verification {
    if alg == Algorithm::EdDSA
        && let Some(v) = curves::eddsa_extra(jwt, set)
    {
        return v;
    }
    let kid = jwt.raw_header("kid");
    let candidates: Vec<&Jwk> = match kid {
        Some(kid) => set
            .keys
            .iter()
            .filter(|k| k.common.key_id.as_deref() == Some(kid))
            .collect(),
        None => set.keys.iter().filter(|k| fits(k, alg)).collect(),
    };
    if candidates.is_empty() && !set.keys.iter().any(|k| kty_fits(k, alg)) {
        // No key of the set could check this alg, whatever the kid: the algorithm is the
        // problem, not a rotation (an HS256 token against an RS256-only set).
        let what = format!(
            "the token is {alg:?}, which needs {}, but the JWKS from {} holds only {}",
            family_name(alg),
            set.source,
            key_kinds(set)
        );
        return Verification::new(SignatureState::Unchecked, what.clone()).cause(
            "token-alg-mismatch",
            0.9,
            what,
        );
    }
    if candidates.is_empty() {
        let kids = shown_kids(set);
        let listed = if kids.is_empty() {
            "none".to_owned()
        } else {
            kids.join(", ")
        };
        // The token's kid and the set's are a stranger's text: shown through `Outside`.
        let what = kid.map(Outside::new).map_or_else(
            || format!("the token has no kid and the JWKS holds no key for {alg:?}"),
            |k| format!("kid '{k}' is not in the JWKS from {} (its kids: {listed}): the keys were rotated, or the token is from another issuer", set.source),
        );
        return Verification::new(SignatureState::Unchecked, what.clone()).cause(
            "token-key-not-found",
            0.9,
            what,
        );
    }
    let mut last = None;
    for jwk in candidates {
        let label = jwk
            .common
            .key_id
            .as_ref()
            .map_or_else(|| "a key".to_owned(), |k| format!("key '{k}'"));
        if !fits(jwk, alg) {
            last = Some(
                Verification::new(
                    SignatureState::Unchecked,
                    format!("{label} does not fit {alg:?}"),
                )
                .cause(
                    "token-alg-mismatch",
                    0.85,
                    format!("the token is {alg:?} but JWKS {label} is {}", describe(jwk)),
                ),
            );
            continue;
        }
        let what = format!("JWKS {label} from {}", set.source);
        let v = match DecodingKey::from_jwk(jwk) {
            Ok(key) => check(jwt, alg, &key, &what),
            Err(e) => Verification::new(
                SignatureState::Unchecked,
                format!("{what} cannot be used: {e}"),
            ),
        };
        if v.state == SignatureState::Valid {
            return v;
        }
        last = Some(v);
    }
    last.unwrap_or_else(|| Verification::new(SignatureState::Unchecked, "no usable key"))
}

/// Whether a JWK's type (and, for EC keys, its curve) can check `alg` at all.
fn kty_fits(jwk: &Jwk, alg: Algorithm) -> bool {
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => {
            !is_hmac(alg) && !matches!(alg, Algorithm::ES256 | Algorithm::ES384 | Algorithm::EdDSA)
        }
        AlgorithmParameters::EllipticCurve(ec) => matches!(
            (alg, &ec.curve),
            (Algorithm::ES256, EllipticCurve::P256) | (Algorithm::ES384, EllipticCurve::P384)
        ),
        AlgorithmParameters::OctetKeyPair(_) => alg == Algorithm::EdDSA,
        AlgorithmParameters::OctetKey(_) => is_hmac(alg),
        _ => false,
    }
}

/// Whether a JWK can check `alg`: its kty fits the family and its own alg, if any, is `alg`.
fn fits(jwk: &Jwk, alg: Algorithm) -> bool {
    let alg_ok = jwk
        .common
        .key_algorithm
        .is_none_or(|ka| ka == KeyAlgorithm::from(alg));
    kty_fits(jwk, alg) && alg_ok
}

fn describe(jwk: &Jwk) -> String {
    let kty = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => "an RSA key".to_owned(),
        AlgorithmParameters::EllipticCurve(ec) => format!("an EC key on {}", curve_name(&ec.curve)),
        AlgorithmParameters::OctetKeyPair(_) => "an OKP key".to_owned(),
        AlgorithmParameters::OctetKey(_) => "a symmetric key".to_owned(),
        _ => "an unknown key".to_owned(),
    };
    match jwk.common.key_algorithm {
        Some(a) => format!("{kty} for {a:?}"),
        None => kty,
    }
}

fn curve_name(c: &EllipticCurve) -> &'static str {
    match c {
        EllipticCurve::P256 => "P-256",
        EllipticCurve::P384 => "P-384",
        EllipticCurve::P521 => "P-521",
        EllipticCurve::Ed25519 => "Ed25519",
        _ => "another curve",
    }
}

/// The set's kids as they may be printed.
fn shown_kids(set: &KeySet) -> Vec<String> {
    set.kids()
        .into_iter()
        .map(|k| Outside::new(k).to_string())
        .collect()
}

/// `RS256 keys (kids a, b)`: what a set holds, for an alg it cannot check.
fn key_kinds(set: &KeySet) -> String {
    let mut kinds: Vec<String> = set.keys.iter().map(describe).collect();
    kinds.sort();
    kinds.dedup();
    if kinds.is_empty() {
        return "no usable key".to_owned();
    }
    let ids = shown_kids(set);
    if ids.is_empty() {
        kinds.join(", ")
    } else {
        format!("{} (kids {})", kinds.join(", "), ids.join(", "))
    }
}
