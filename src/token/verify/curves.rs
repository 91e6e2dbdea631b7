//! What jsonwebtoken and ring do not cover: which curve a key is on (so ES256 with a P-384 key
//! is a curve/algorithm mismatch, not a bad signature), ES512 on P-521 (RFC 7518 §3.4) with
//! RustCrypto's `p521`, and Ed448 (RFC 8037), which is recognised and reported as not
//! checkable here rather than passed over.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use p521::ecdsa::signature::Verifier as _;
use p521::pkcs8::DecodePublicKey as _;
use serde_json::Value;

use super::{SignatureState, Verification};
use crate::token::decode::Jwt;
use crate::token::jwks::KeySet;

/// A named curve of an EC or OKP key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Curve {
    P256,
    P384,
    P521,
    Ed25519,
    Ed448,
}

impl Curve {
    pub fn name(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
            Self::P521 => "P-521",
            Self::Ed25519 => "Ed25519",
            Self::Ed448 => "Ed448",
        }
    }

    /// The curve a JWK `crv` names.
    pub(crate) fn from_crv(crv: &str) -> Option<Self> {
        Some(match crv {
            "P-256" => Self::P256,
            "P-384" => Self::P384,
            "P-521" => Self::P521,
            "Ed25519" => Self::Ed25519,
            "Ed448" => Self::Ed448,
            _ => return None,
        })
    }

    /// The curve an ECDSA alg is defined on (RFC 7518 §3.4).
    pub(crate) fn for_alg(alg: &str) -> Option<Self> {
        match alg {
            "ES256" => Some(Self::P256),
            "ES384" => Some(Self::P384),
            "ES512" => Some(Self::P521),
            _ => None,
        }
    }
}

/// DER encodings of the curve OIDs (with their tag and length), as an SPKI names them.
const OIDS: &[(&[u8], Curve)] = &[
    (
        &[0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07],
        Curve::P256,
    ),
    (&[0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22], Curve::P384),
    (&[0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23], Curve::P521),
    (&[0x06, 0x03, 0x2B, 0x65, 0x70], Curve::Ed25519),
    (&[0x06, 0x03, 0x2B, 0x65, 0x71], Curve::Ed448),
];

/// The DER inside the first PEM block.
fn pem_der(pem: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(pem).ok()?;
    let body: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .flat_map(|l| l.trim().chars())
        .collect();
    STANDARD.decode(body).ok()
}

/// The curve of the EC or OKP key in a PEM public key or certificate, if it is one.
pub(crate) fn pem_curve(pem: &[u8]) -> Option<Curve> {
    let der = pem_der(pem)?;
    OIDS.iter()
        .find(|(oid, _)| der.windows(oid.len()).any(|w| w == *oid))
        .map(|(_, c)| *c)
}

/// The message for a key on one curve used with an alg for another.
pub(crate) fn curve_mismatch(alg: &str, want: Curve, have: Curve, what: &str) -> Verification {
    let line = format!(
        "the token is {alg}, defined on {} (RFC 7518 §3.4), but {what} is on {}: a curve/algorithm mismatch, not a bad signature",
        want.name(),
        have.name()
    );
    Verification::new(
        SignatureState::Unchecked,
        format!(
            "{what} is on {}, the token needs {}",
            have.name(),
            want.name()
        ),
    )
    .cause("token-alg-mismatch", 0.9, line)
}

/// Ed448 keys are recognised, never silently passed: no Ed448 verifier is built in.
pub(crate) fn ed448_unchecked(what: &str) -> Verification {
    let mut v = Verification::new(
        SignatureState::Unchecked,
        format!("{what} is an Ed448 key: Ed448 signatures (RFC 8037) cannot be checked here"),
    );
    v.notes.push("this EdDSA token uses Ed448, which why401 cannot check: its signature is neither valid nor invalid here; check it with a library that supports Ed448 (e.g. openssl pkeyutl -verify -rawin)".to_owned());
    v
}

/// The raw JWK entries a [`KeySet`] keeps for keys jsonwebtoken cannot hold (P-521, Ed448).
fn raw_kid(entry: &Value) -> Option<&str> {
    entry.get("kid").and_then(Value::as_str)
}

fn raw_crv(entry: &Value) -> Option<Curve> {
    entry
        .get("crv")
        .and_then(Value::as_str)
        .and_then(Curve::from_crv)
}

/// Checks an ES512 token.
pub(crate) fn es512(jwt: &Jwt, key: &super::Key) -> Verification {
    match key {
        super::Key::Secret(_) => Verification::new(
            SignatureState::Unchecked,
            "a shared secret cannot check an ES512 token",
        )
        .cause(
            "token-alg-mismatch",
            0.9,
            "the token is ES512, which needs a P-521 EC key, but a shared secret was given",
        ),
        super::Key::Pem(pem) => es512_pem(jwt, pem),
        super::Key::Jwks(set) => es512_jwks(jwt, set),
    }
}

fn es512_pem(jwt: &Jwt, pem: &[u8]) -> Verification {
    match pem_curve(pem) {
        Some(Curve::P521) => {}
        Some(other) => return curve_mismatch("ES512", Curve::P521, other, "the PEM key"),
        None => {
            return Verification::new(
                SignatureState::Unchecked,
                "the PEM holds an RSA key or nothing why401 can read; the token is ES512, which needs a P-521 EC key",
            )
            .cause(
                "token-alg-mismatch",
                0.8,
                "the token is ES512 (P-521 ECDSA) but the PEM holds no P-521 key",
            );
        }
    }
    let key = std::str::from_utf8(pem)
        .map_err(|e| e.to_string())
        .and_then(|text| p521::PublicKey::from_public_key_pem(text).map_err(|e| e.to_string()))
        .and_then(|pk| {
            p521::ecdsa::VerifyingKey::from_sec1_bytes(&pk.to_sec1_bytes())
                .map_err(|e| e.to_string())
        });
    match key {
        Ok(key) => es512_check(jwt, &key, "the PEM key"),
        Err(e) => Verification::new(
            SignatureState::Unchecked,
            format!(
                "the P-521 PEM key cannot be read ({e}); a certificate must be given as its public key (openssl x509 -pubkey -noout)"
            ),
        ),
    }
}

fn es512_jwks(jwt: &Jwt, set: &KeySet) -> Verification {
    let kid = jwt.raw_header("kid");
    let candidates: Vec<&Value> = set
        .extra
        .iter()
        .filter(|e| match kid {
            Some(k) => raw_kid(e) == Some(k),
            None => raw_crv(e) == Some(Curve::P521),
        })
        .collect();
    if candidates.is_empty() {
        let other = kid.is_some_and(|k| set.kids().iter().any(|have| have == k));
        let (id, what) = if other {
            (
                "token-alg-mismatch",
                format!(
                    "the token is ES512 but JWKS key '{}' is not a P-521 key",
                    kid.unwrap_or_default()
                ),
            )
        } else if kid.is_some() {
            (
                "token-key-not-found",
                format!(
                    "kid '{}' is not in the JWKS from {}",
                    kid.unwrap_or_default(),
                    set.source
                ),
            )
        } else {
            (
                "token-alg-mismatch",
                format!(
                    "the token is ES512 and the JWKS from {} holds no P-521 key",
                    set.source
                ),
            )
        };
        return Verification::new(SignatureState::Unchecked, what.clone()).cause(id, 0.9, what);
    }
    let mut last = None;
    for entry in candidates {
        let label = raw_kid(entry)
            .map(crate::sanitize::Outside::new)
            .map_or_else(|| "a key".to_owned(), |k| format!("key '{k}'"));
        let what = format!("JWKS {label} from {}", set.source);
        let v = match raw_crv(entry) {
            Some(Curve::P521) => match jwk_p521(entry) {
                Ok(key) => es512_check(jwt, &key, &what),
                Err(e) => Verification::new(
                    SignatureState::Unchecked,
                    format!("{what} cannot be used: {e}"),
                ),
            },
            Some(other) => curve_mismatch("ES512", Curve::P521, other, &what),
            None => Verification::new(
                SignatureState::Unchecked,
                format!("{what} names no curve why401 knows"),
            ),
        };
        if v.state == SignatureState::Valid {
            return v;
        }
        last = Some(v);
    }
    last.unwrap_or_else(|| Verification::new(SignatureState::Unchecked, "no usable key"))
}

/// A P-521 verifying key from a JWK's x and y (66 bytes each, RFC 7518 §6.2.1).
fn jwk_p521(entry: &Value) -> Result<p521::ecdsa::VerifyingKey, String> {
    let coord = |name: &str| -> Result<Vec<u8>, String> {
        let text = entry
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("no '{name}' member"))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|e| format!("'{name}' is not base64url: {e}"))?;
        if bytes.len() == 66 {
            Ok(bytes)
        } else {
            Err(format!("'{name}' is {} bytes, P-521 needs 66", bytes.len()))
        }
    };
    let mut sec1 = vec![0x04];
    sec1.extend(coord("x")?);
    sec1.extend(coord("y")?);
    p521::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| "not a point on P-521".to_owned())
}

fn es512_check(jwt: &Jwt, key: &p521::ecdsa::VerifyingKey, what: &str) -> Verification {
    let sig = URL_SAFE_NO_PAD
        .decode(&jwt.signature)
        .ok()
        .filter(|s| s.len() == 132)
        .and_then(|s| p521::ecdsa::Signature::from_slice(&s).ok());
    let Some(sig) = sig else {
        return Verification::new(
            SignatureState::Invalid,
            format!("the ES512 signature is not 132 bytes of r and s (RFC 7518 §3.4), so it cannot verify with {what}"),
        )
        .cause(
            "token-signature-invalid",
            0.85,
            format!("the ES512 signature has the wrong form for {what}: JWS wants r||s, 66 bytes each (not DER)"),
        );
    };
    if key.verify(jwt.signing_input.as_bytes(), &sig).is_ok() {
        Verification::new(
            SignatureState::Valid,
            format!("ES512 signature verified with {what}"),
        )
    } else {
        Verification::new(
            SignatureState::Invalid,
            format!("ES512 signature does not verify with {what}"),
        )
        .cause(
            "token-signature-invalid",
            0.9,
            format!("the ES512 signature does not verify with {what}"),
        )
    }
}

/// An EdDSA token against raw JWKS entries: an Ed448 key is named as not checkable.
pub(crate) fn eddsa_extra(jwt: &Jwt, set: &KeySet) -> Option<Verification> {
    let kid = jwt.raw_header("kid");
    let entry = set.extra.iter().find(|e| match kid {
        Some(k) => raw_kid(e) == Some(k),
        None => raw_crv(e) == Some(Curve::Ed448),
    })?;
    (raw_crv(entry) == Some(Curve::Ed448)).then(|| {
        let label = raw_kid(entry)
            .map(crate::sanitize::Outside::new)
            .map_or_else(|| "a key".to_owned(), |k| format!("key '{k}'"));
        ed448_unchecked(&format!("JWKS {label} from {}", set.source))
    })
}
