//! One token, fully inspected: its shape, claims, times, signature state and the causes they
//! point to. Everything here is free of the token itself: it is kept only as a fingerprint.

use serde::Serialize;

pub use super::claims::Expectations;
use super::claims::{self, ClaimFindings, TimeClaim, TypeHint};
use super::decode::{self, Shape};
pub use super::verify::SignatureState;
use super::verify::{Key, Verification, verify};
use crate::diagnose::{CauseHit, rank};
use crate::sanitize::{Outside, OutsideJson};
use crate::secret::fingerprint;

/// Tokens longer than this are refused by common servers before any auth check (nginx's
/// default large_client_header_buffers is 8 KiB per header line).
pub(crate) const HEADER_LIMIT: usize = 8 * 1024;

/// The kind of token that was pasted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    Jwt,
    Jwe,
    Opaque,
    Malformed,
}

/// Everything found about one token.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// `[token len=N sha256=xxxxxxxx]`.
    pub fingerprint: String,
    pub length: usize,
    pub kind: TokenKind,
    /// Paste and format problems, most telling first.
    pub problems: Vec<String>,
    /// The token's header as its maker wrote it: printed only through the sanitiser.
    pub header: Option<OutsideJson>,
    /// The token's claims as its maker wrote them: printed only through the sanitiser.
    pub claims: Option<OutsideJson>,
    pub times: Vec<TimeClaim>,
    pub signature: SignatureState,
    pub signature_detail: Option<String>,
    pub type_hint: TypeHint,
    pub type_reason: String,
    pub scopes: Vec<String>,
    pub audiences: Vec<String>,
    pub expired: Option<bool>,
    pub expires_in_s: Option<i64>,
    pub expired_by_server_clock: Option<bool>,
    pub not_yet_valid: bool,
    pub notes: Vec<String>,
    pub causes: Vec<CauseHit>,
    /// The cleaned token, kept for verification; never serialised.
    #[serde(skip)]
    jwt: Option<Box<decode::Jwt>>,
    #[serde(skip)]
    token: String,
}

impl Inspection {
    pub fn alg(&self) -> Option<&str> {
        self.raw_header("alg")
    }
    pub(crate) fn raw_header(&self, name: &str) -> Option<&str> {
        self.header.as_ref()?.raw_str(name)
    }
    pub(crate) fn raw_claim(&self, name: &str) -> Option<&str> {
        self.claims.as_ref()?.raw_str(name)
    }
    /// True when the token decoded as a JWS (possibly with paste problems undone).
    pub fn valid_format(&self) -> bool {
        self.kind == TokenKind::Jwt && self.problems.is_empty()
    }

    /// What `--reveal` shows: header and claims of a JWT (never its signature), or the whole
    /// of any other token.
    pub(crate) fn revealed(&self) -> String {
        match &self.jwt {
            Some(jwt) => jwt.signing_input.clone(),
            None => self.token.clone(),
        }
    }

    /// Checks the signature with `key` and folds the outcome in.
    pub fn verify_with(&mut self, key: &Key) {
        let Some(jwt) = &self.jwt else {
            self.notes.push(
                "the signature cannot be checked: the token is not a readable JWS".to_owned(),
            );
            return;
        };
        if jwt.alg().is_some_and(|a| !a.eq_ignore_ascii_case("none"))
            && decode::decode_b64url(&jwt.signature).is_err()
        {
            // The token is malformed already; a key would change nothing.
            self.unchecked("the signature segment is not base64url, so there is nothing to verify");
            return;
        }
        let v = verify(jwt, key);
        self.apply(v);
    }

    /// Folds in a verification outcome found elsewhere.
    pub fn apply(&mut self, v: Verification) {
        self.signature = v.state;
        self.signature_detail = Some(v.detail);
        self.notes.extend(v.notes);
        self.causes = rank(std::mem::take(&mut self.causes).into_iter().chain(v.causes));
    }

    /// Notes that the signature could not be checked, and why.
    pub fn unchecked(&mut self, why: &str) {
        self.signature = SignatureState::Unchecked;
        self.signature_detail = Some(format!("not checked: {why}"));
    }
}

/// Inspects `raw` without a key.
pub fn inspect(raw: &str, exp: &Expectations) -> Inspection {
    let parsed = decode::parse(raw);
    let mut causes: Vec<CauseHit> = Vec::new();
    let problems: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
    for p in &parsed.problems {
        let (confidence, text) = if p.pasted {
            (
                0.6,
                format!("{p} (if the client sends it like this, the server rejects it)"),
            )
        } else {
            (0.95, p.to_string())
        };
        causes.push(CauseHit::new("token-malformed", confidence, text));
    }
    let mut notes = parsed.stripped.clone();
    if parsed.token.len() > HEADER_LIMIT {
        notes.push(format!(
            "the token is {} KiB: many servers refuse headers over 8 KiB (nginx large_client_header_buffers) with 400 or 431 before checking it",
            parsed.token.len() / 1024
        ));
    }
    let mut out = Inspection {
        fingerprint: fingerprint("token", &parsed.token),
        length: parsed.token.len(),
        kind: TokenKind::Malformed,
        problems,
        header: None,
        claims: None,
        times: Vec::new(),
        signature: SignatureState::Unchecked,
        signature_detail: None,
        type_hint: TypeHint::Unknown,
        type_reason: String::new(),
        scopes: Vec::new(),
        audiences: Vec::new(),
        expired: None,
        expires_in_s: None,
        expired_by_server_clock: None,
        not_yet_valid: false,
        notes,
        causes: Vec::new(),
        jwt: None,
        token: String::new(),
    };
    match parsed.shape {
        Shape::Jwt(jwt) => {
            out.kind = TokenKind::Jwt;
            fold_claims(&mut out, &jwt, exp, &mut causes);
            out.jwt = Some(jwt);
        }
        Shape::Encrypted { header } => {
            out.kind = TokenKind::Jwe;
            out.header = header;
            out.notes.push("an encrypted JWT (JWE, 5 parts): only the API, which holds the decryption key, can read its claims".to_owned());
        }
        Shape::Opaque => {
            out.kind = TokenKind::Opaque;
            out.notes.push("an opaque token, not a JWT: only its issuer can check it, by token introspection (RFC 7662)".to_owned());
        }
        Shape::Malformed { header, signed } => {
            out.header = header;
            // Its signature can still be checked: JWS verification ignores the payload.
            out.jwt = signed;
        }
    }
    out.token = parsed.token;
    out.causes = rank(causes);
    out
}

fn fold_claims(
    out: &mut Inspection,
    jwt: &decode::Jwt,
    exp: &Expectations,
    causes: &mut Vec<CauseHit>,
) {
    let f: ClaimFindings = claims::check(jwt, exp);
    out.header = Some(jwt.header.clone());
    out.claims = Some(jwt.claims.clone());
    out.times = f.times;
    out.expired = f.expired;
    out.expires_in_s = f.expires_in_s;
    out.expired_by_server_clock = f.expired_by_server_clock;
    out.not_yet_valid = f.not_yet_valid;
    out.type_hint = f.type_hint.unwrap_or(TypeHint::Unknown);
    out.type_reason = f.type_reason;
    out.scopes = f.scopes;
    out.audiences = f.audiences;
    out.notes.extend(f.notes);
    causes.extend(f.causes);
    if let Some(alg) = jwt.alg()
        && alg.eq_ignore_ascii_case("none")
    {
        causes.push(CauseHit::new(
            "token-alg-none",
            0.95,
            format!(
                "header alg is '{alg}': an unsigned token, which an API must reject (RFC 8725 §3.2)"
            ),
        ));
    }
    if let Some(kid) = jwt.header.raw().get("kid").filter(|k| !k.is_string()) {
        causes.push(CauseHit::new(
            "token-malformed",
            0.7,
            format!(
                "header kid is a {}, not a string (RFC 7515 §4.1.4): a verifier cannot look it up in a key set, and strict ones reject the token",
                decode::json_kind(kid)
            ),
        ));
    }
    for name in ["jku", "x5u"] {
        if let Some(u) = jwt.raw_header(name).map(Outside::new) {
            out.notes.push(format!("header {name} points to {u}: a verifier must not fetch keys from a URL the token names (RFC 8725 §3.10)"));
        }
    }
    if let Some(crit) = jwt.header.shown("crit") {
        out.notes.push(format!("header crit lists {crit}: a verifier that does not understand them must reject the token (RFC 7515 §4.1.11)"));
    }
}
