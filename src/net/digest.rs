//! HTTP Digest authentication (RFC 7616): the challenge read into what a response needs, and
//! the `Authorization` value computed for MD5, SHA-256 and SHA-512-256 (each also `-sess`),
//! qop `auth` and `auth-int`, and `userhash`. Pure: the caller brings the cnonce and the count.

use std::fmt::Write as _;

use md5::{Digest as _, Md5};
use sha2::Digest as _;
use sha2::{Sha256, Sha512_256};

/// A hash algorithm of the Digest scheme (RFC 7616 §3.3, the IANA registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Algorithm {
    Md5,
    Sha256,
    Sha512_256,
}

impl Algorithm {
    /// Reads `MD5`, `SHA-256`, `SHA-512-256`, each with an optional `-sess` (case-insensitive).
    /// The bool is true for a session variant.
    pub fn parse(name: &str) -> Option<(Self, bool)> {
        let upper = name.trim().to_ascii_uppercase();
        let (base, sess) = match upper.strip_suffix("-SESS") {
            Some(b) => (b, true),
            None => (upper.as_str(), false),
        };
        let alg = match base {
            "MD5" => Self::Md5,
            "SHA-256" => Self::Sha256,
            "SHA-512-256" => Self::Sha512_256,
            _ => return None,
        };
        Some((alg, sess))
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Sha256 => "SHA-256",
            Self::Sha512_256 => "SHA-512-256",
        }
    }

    /// The lower-case hex hash of `data`.
    pub fn hex(self, data: &[u8]) -> String {
        match self {
            Self::Md5 => hex::encode(Md5::digest(data)),
            Self::Sha256 => hex::encode(&Sha256::digest(data)[..]),
            Self::Sha512_256 => hex::encode(&Sha512_256::digest(data)[..]),
        }
    }
}

/// Quality of protection (RFC 7616 §3.3 `qop`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qop {
    /// No qop in the challenge: the RFC 2069 form, still sent by old servers.
    Legacy,
    Auth,
    AuthInt,
}

impl Qop {
    pub fn name(self) -> &'static str {
        match self {
            Self::Legacy => "none",
            Self::Auth => "auth",
            Self::AuthInt => "auth-int",
        }
    }
}

/// Why a Digest challenge cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    #[error("the Digest challenge has no realm")]
    NoRealm,
    #[error("the Digest challenge has no nonce")]
    NoNonce,
    #[error(
        "the Digest challenge asks for algorithm '{0}', which RFC 7616 does not define (MD5, SHA-256 and SHA-512-256, each also -sess)"
    )]
    UnsupportedAlgorithm(String),
    #[error("the Digest challenge offers qop '{0}', neither auth nor auth-int")]
    UnsupportedQop(String),
}

/// A Digest challenge with what a response needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestChallenge {
    pub realm: String,
    pub nonce: String,
    pub opaque: Option<String>,
    pub algorithm: Algorithm,
    pub session: bool,
    /// The qop this client will answer with (auth preferred when both are offered).
    pub qop: Qop,
    pub stale: bool,
    pub userhash: bool,
}

impl DigestChallenge {
    /// Reads a challenge from its parameters (names in any case, values unquoted).
    pub fn from_params<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, DigestError> {
        let params: Vec<(&str, &str)> = params.into_iter().collect();
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| *v)
        };
        let yes = |name: &str| get(name).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let realm = get("realm").ok_or(DigestError::NoRealm)?.to_owned();
        let nonce = get("nonce").ok_or(DigestError::NoNonce)?.to_owned();
        let alg_name = get("algorithm").unwrap_or("MD5");
        let (algorithm, session) = Algorithm::parse(alg_name)
            .ok_or_else(|| DigestError::UnsupportedAlgorithm(alg_name.to_owned()))?;
        let qop = match get("qop") {
            None => Qop::Legacy,
            Some(list) => {
                let offered: Vec<String> = list
                    .split(',')
                    .map(|q| q.trim().to_ascii_lowercase())
                    .collect();
                if offered.iter().any(|q| q == "auth") {
                    Qop::Auth
                } else if offered.iter().any(|q| q == "auth-int") {
                    Qop::AuthInt
                } else {
                    return Err(DigestError::UnsupportedQop(list.to_owned()));
                }
            }
        };
        Ok(Self {
            realm,
            nonce,
            opaque: get("opaque").map(str::to_owned),
            algorithm,
            session,
            qop,
            stale: yes("stale"),
            userhash: yes("userhash"),
        })
    }

    /// The algorithm as it is named in the challenge and the answer (`SHA-256-sess`).
    pub(crate) fn algorithm_name(&self) -> String {
        if self.session {
            format!("{}-sess", self.algorithm.name())
        } else {
            self.algorithm.name().to_owned()
        }
    }
}

/// Of several Digest challenges (RFC 7616 §3.7 lets a server offer one per algorithm), the one
/// with the strongest algorithm this client supports; else the first error.
pub(crate) fn strongest(
    results: impl IntoIterator<Item = Result<DigestChallenge, DigestError>>,
) -> Result<DigestChallenge, DigestError> {
    let mut best: Option<DigestChallenge> = None;
    let mut first_err = None;
    for r in results {
        match r {
            Ok(c) if best.as_ref().is_none_or(|b| c.algorithm > b.algorithm) => best = Some(c),
            Ok(_) => {}
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    best.ok_or_else(|| first_err.unwrap_or(DigestError::NoNonce))
}

/// The Digest challenge this client can answer best among challenge field values
/// (`WWW-Authenticate` or `Proxy-Authenticate`); `None` when none is a Digest challenge.
pub(crate) fn best_of(values: &[String]) -> Option<Result<DigestChallenge, DigestError>> {
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let list = super::challenge::parse(&refs);
    let digests: Vec<_> = list
        .challenges
        .iter()
        .filter(|c| c.is("digest"))
        .map(|c| {
            DigestChallenge::from_params(c.params.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        })
        .collect();
    (!digests.is_empty()).then(|| strongest(digests))
}

/// The request a response is computed for.
#[derive(Debug, Clone, Copy)]
pub struct DigestRequest<'a> {
    pub method: &'a str,
    /// The request target as sent (path and query).
    pub uri: &'a str,
    /// The body, for qop auth-int.
    pub body: &'a [u8],
}

/// The values a response is made of, the password excepted.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The whole `Authorization` value. It proves knowledge of the password: a secret.
    pub header: String,
    /// The `response` parameter alone.
    pub response: String,
}

/// Computes the answer to `ch` (RFC 7616 §3.4). `cnonce` and `nc` are the client's nonce and
/// the count of requests made with this nonce (1 for the first).
pub fn answer(
    ch: &DigestChallenge,
    user: &str,
    password: &str,
    req: DigestRequest<'_>,
    cnonce: &str,
    nc: u32,
) -> Answer {
    answer_with(
        &|s| ch.algorithm.hex(s),
        ch,
        user,
        password,
        req,
        cnonce,
        nc,
    )
}

/// [`answer`] with the hash `h` in place of the challenge's algorithm (RFC 7616 §3.9.2
/// printed its example with another function; the tests recompute it).
fn answer_with(
    h: &dyn Fn(&[u8]) -> String,
    ch: &DigestChallenge,
    user: &str,
    password: &str,
    req: DigestRequest<'_>,
    cnonce: &str,
    nc: u32,
) -> Answer {
    let nc_text = format!("{nc:08x}");
    let mut a1 = h(format!("{user}:{}:{password}", ch.realm).as_bytes());
    if ch.session {
        a1 = h(format!("{a1}:{}:{cnonce}", ch.nonce).as_bytes());
    }
    let a2 = match ch.qop {
        Qop::AuthInt => format!("{}:{}:{}", req.method, req.uri, h(req.body)),
        Qop::Auth | Qop::Legacy => format!("{}:{}", req.method, req.uri),
    };
    let ha2 = h(a2.as_bytes());
    let response = match ch.qop {
        Qop::Legacy => h(format!("{a1}:{}:{ha2}", ch.nonce).as_bytes()),
        q => h(format!("{a1}:{}:{nc_text}:{cnonce}:{}:{ha2}", ch.nonce, q.name()).as_bytes()),
    };
    let mut header = String::from("Digest ");
    if ch.userhash {
        let hashed = h(format!("{user}:{}", ch.realm).as_bytes());
        let _ = write!(header, "username=\"{hashed}\", ");
    } else if user
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        let _ = write!(header, "username=\"{user}\", ");
    } else {
        // RFC 7616 §3.4: a name quoted-string cannot carry goes as an RFC 8187 ext-value.
        let _ = write!(header, "username*=UTF-8''{}, ", ext_value(user));
    }
    let _ = write!(
        header,
        "realm=\"{}\", uri=\"{}\", algorithm={}, nonce=\"{}\"",
        quote(&ch.realm),
        quote(req.uri),
        ch.algorithm_name(),
        quote(&ch.nonce)
    );
    if ch.qop != Qop::Legacy {
        let _ = write!(
            header,
            ", nc={nc_text}, cnonce=\"{}\", qop={}",
            quote(cnonce),
            ch.qop.name()
        );
    }
    let _ = write!(header, ", response=\"{response}\"");
    if let Some(o) = &ch.opaque {
        let _ = write!(header, ", opaque=\"{}\"", quote(o));
    }
    if ch.userhash {
        header.push_str(", userhash=true");
    }
    Answer { header, response }
}

/// A fresh client nonce: 16 random bytes, hex.
pub(crate) fn new_cnonce() -> String {
    let mut bytes = [0u8; 16];
    let rng = ring::rand::SystemRandom::new();
    // A failing system RNG leaves zeros: the answer is still correct, only predictable.
    let _ = ring::rand::SecureRandom::fill(&rng, &mut bytes);
    hex::encode(bytes)
}

fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// RFC 8187 `value-chars`: attr-char as is, every other byte percent-encoded.
fn ext_value(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests;
