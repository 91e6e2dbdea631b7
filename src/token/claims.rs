//! Checks on the decoded claims that need no key: the clock (local, and the server's when it
//! is known), audience, issuer, scopes and the kind of token (access, ID or refresh).

use serde::Serialize;
use serde_json::{Map, Value};

use super::decode::{Jwt, json_kind};
use super::time;
use crate::diagnose::CauseHit;

/// What the API expects of a token, and the clocks to check it against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectations {
    pub aud: Option<String>,
    pub iss: Option<String>,
    /// Scopes the API requires.
    pub scopes: Vec<String>,
    /// Seconds of clock skew forgiven (RFC 7519 §4.1.4).
    pub leeway: u64,
    /// Now by the local clock (seconds since the epoch).
    pub now: i64,
    /// Now by the server's clock (its `Date`), when known.
    pub server_now: Option<i64>,
    /// Whose clock `now` is: "local", or "browser's" for a request in a HAR.
    pub clock: &'static str,
}

impl Expectations {
    /// Nothing expected, the local clock, a 60 s leeway.
    pub fn local() -> Self {
        Self {
            aud: None,
            iss: None,
            scopes: Vec::new(),
            leeway: 60,
            now: time::now(),
            server_now: None,
            clock: "local",
        }
    }
}

/// One of exp, nbf, iat as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeClaim {
    pub name: &'static str,
    pub at: i64,
    pub utc: String,
    /// Seen from the local clock: `expired 3 h 12 min ago`.
    pub relative: String,
}

/// What the token is for, from typ, token_use, nonce and at_hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeHint {
    Access,
    Id,
    Refresh,
    Unknown,
}

impl TypeHint {
    pub fn label(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Id => "id",
            Self::Refresh => "refresh",
            Self::Unknown => "unknown",
        }
    }
}

/// Everything the claim checks found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClaimFindings {
    pub times: Vec<TimeClaim>,
    /// None when there is no usable exp.
    pub expired: Option<bool>,
    /// Seconds from now (local clock) to exp; negative once expired.
    pub expires_in_s: Option<i64>,
    pub expired_by_server_clock: Option<bool>,
    pub not_yet_valid: bool,
    pub type_hint: Option<TypeHint>,
    pub type_reason: String,
    pub scopes: Vec<String>,
    pub audiences: Vec<String>,
    pub notes: Vec<String>,
    pub causes: Vec<CauseHit>,
}

/// Runs every key-less check on a decoded token.
pub fn check(jwt: &Jwt, exp: &Expectations) -> ClaimFindings {
    let mut f = ClaimFindings {
        audiences: string_or_list(jwt.claims.raw().get("aud")),
        scopes: scopes(jwt.claims.raw()),
        ..ClaimFindings::default()
    };
    check_times(jwt.claims.raw(), exp, &mut f);
    check_audience(exp, &mut f);
    check_issuer(jwt.raw_claim("iss"), exp, &mut f);
    check_scopes(exp, &mut f);
    let (hint, reason) = type_hint(jwt);
    if matches!(hint, TypeHint::Id | TypeHint::Refresh) {
        let confidence = if hint == TypeHint::Refresh { 0.85 } else { 0.7 };
        f.causes.push(CauseHit::new(
            "wrong-token-type",
            confidence,
            format!(
                "this looks like {} token: {reason}",
                if hint == TypeHint::Id {
                    "an ID"
                } else {
                    "a refresh"
                }
            ),
        ));
    }
    f.type_hint = Some(hint);
    f.type_reason = reason;
    f
}

fn numeric_date(claims: &Map<String, Value>, name: &str, f: &mut ClaimFindings) -> Option<i64> {
    let v = claims.get(name)?;
    // NumericDate may be non-integer (RFC 7519 §2); whole seconds are enough here.
    match v.as_f64() {
        Some(x) if x.is_finite() && x.abs() < 1e15 => Some(x.floor() as i64),
        _ => {
            f.causes.push(CauseHit::new(
                "token-malformed",
                0.8,
                format!(
                    "claim {name} must be a NumericDate (a number of seconds), found {}",
                    json_kind(v)
                ),
            ));
            None
        }
    }
}

fn check_times(claims: &Map<String, Value>, e: &Expectations, f: &mut ClaimFindings) {
    let leeway = i64::try_from(e.leeway).unwrap_or(i64::MAX);
    let exp = numeric_date(claims, "exp", f);
    let nbf = numeric_date(claims, "nbf", f);
    let iat = numeric_date(claims, "iat", f);
    let clocks = clock_names(e);
    if let Some(at) = exp {
        let expired = at.saturating_add(leeway) < e.now;
        let word = if at < e.now { "expired" } else { "expires" };
        f.times.push(time_claim("exp", at, e.now, word));
        f.expired = Some(expired);
        f.expires_in_s = Some(at.saturating_sub(e.now));
        f.expired_by_server_clock = e.server_now.map(|s| at.saturating_add(leeway) < s);
        let late: Vec<(&str, i64)> = clocks
            .iter()
            .copied()
            .filter(|(_, now)| at.saturating_add(leeway) < *now)
            .collect();
        if !late.is_empty() {
            f.causes.push(CauseHit::new(
                "token-expired",
                0.95,
                judged("exp", at, &late, leeway),
            ));
        } else if let Some((clock, now)) = clocks.iter().copied().find(|(_, now)| at < *now) {
            // Past exp but inside the leeway: fine here, refused by any server without one.
            f.causes.push(CauseHit::new(
                "token-expired",
                0.5,
                format!(
                    "exp {} expired {} ago by the {clock} clock, within the leeway ({leeway} s); servers with no leeway reject it",
                    time::utc(at),
                    time::span(now.saturating_sub(at).unsigned_abs())
                ),
            ));
        }
    } else if !claims.contains_key("exp") {
        f.notes
            .push("no exp claim: the token never expires (many APIs require exp)".to_owned());
    }
    if let Some(at) = nbf {
        f.times.push(time_claim("nbf", at, e.now, "valid from"));
        future_check("nbf", at, &clocks, leeway, 0.9, f);
    }
    if let Some(at) = iat {
        f.times.push(time_claim("iat", at, e.now, "issued"));
        future_check("iat", at, &clocks, leeway, 0.6, f);
    }
    clock_disagreement(exp, nbf, e, leeway, f);
}

/// `exp 2026-01-10 10:05:00 UTC is 5 min ago by the local and the server's clock (leeway 60 s)`:
/// one line however many clocks agree.
fn judged(name: &str, at: i64, clocks: &[(&str, i64)], leeway: i64) -> String {
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for (clock, now) in clocks {
        let rel = time::relative(at, *now);
        match groups.iter_mut().find(|(r, _)| *r == rel) {
            Some((_, names)) => names.push(clock),
            None => groups.push((rel, vec![clock])),
        }
    }
    let said: Vec<String> = groups
        .iter()
        .map(|(rel, names)| format!("{rel} by the {} clock", names.join(" and the ")))
        .collect();
    format!(
        "{name} {} is {} (leeway {leeway} s)",
        time::utc(at),
        said.join(", ")
    )
}

fn clock_names(e: &Expectations) -> Vec<(&'static str, i64)> {
    let mut v = vec![(e.clock, e.now)];
    v.extend(e.server_now.map(|s| ("server's", s)));
    v
}

fn time_claim(name: &'static str, at: i64, now: i64, word: &str) -> TimeClaim {
    TimeClaim {
        name,
        at,
        utc: time::utc(at),
        relative: format!("{word} {}", time::relative(at, now)),
    }
}

fn future_check(
    name: &str,
    at: i64,
    clocks: &[(&str, i64)],
    leeway: i64,
    conf: f64,
    f: &mut ClaimFindings,
) {
    let early: Vec<(&str, i64)> = clocks
        .iter()
        .copied()
        .filter(|(_, now)| at > now.saturating_add(leeway))
        .collect();
    if !early.is_empty() {
        f.not_yet_valid = true;
        f.causes.push(CauseHit::new(
            "token-not-yet-valid",
            conf,
            judged(name, at, &early, leeway),
        ));
    }
}

/// When the two clocks disagree about the token, the clocks are the story.
fn clock_disagreement(
    exp: Option<i64>,
    nbf: Option<i64>,
    e: &Expectations,
    leeway: i64,
    f: &mut ClaimFindings,
) {
    let Some(server) = e.server_now else { return };
    let skew = server.saturating_sub(e.now);
    let expired = |now: i64| exp.is_some_and(|x| x.saturating_add(leeway) < now);
    let early = |now: i64| nbf.is_some_and(|x| x > now.saturating_add(leeway));
    if expired(e.now) != expired(server) || early(e.now) != early(server) {
        f.causes.push(CauseHit::new(
            "clock-skew",
            0.8,
            format!(
                "the server's clock is {} {} the {} clock, which changes whether the token is valid",
                time::span(skew.unsigned_abs()),
                if skew > 0 { "ahead of" } else { "behind" },
                e.clock
            ),
        ));
    } else if skew.unsigned_abs() > e.leeway.max(60) {
        f.notes.push(format!(
            "the server's clock differs from the {} clock by {}",
            e.clock,
            time::span(skew.unsigned_abs())
        ));
    }
}

fn check_audience(e: &Expectations, f: &mut ClaimFindings) {
    let Some(want) = &e.aud else { return };
    if f.audiences.is_empty() {
        f.causes.push(CauseHit::new(
            "token-wrong-audience",
            0.6,
            format!("the API expects audience '{want}' and the token has no aud claim"),
        ));
    } else if !f.audiences.iter().any(|a| a == want) {
        f.causes.push(CauseHit::new(
            "token-wrong-audience",
            0.9,
            format!(
                "aud is {} but the API expects '{want}'",
                quoted_list(&f.audiences)
            ),
        ));
    }
}

fn check_issuer(iss: Option<&str>, e: &Expectations, f: &mut ClaimFindings) {
    let Some(want) = &e.iss else { return };
    match iss {
        Some(have) if have == want => {}
        Some(have) => {
            let slash = have.trim_end_matches('/') == want.trim_end_matches('/');
            let hint = if slash {
                " (they differ only by a trailing slash, which still fails the exact match)"
            } else {
                ""
            };
            f.causes.push(CauseHit::new(
                "token-wrong-issuer",
                0.9,
                format!("iss is '{have}' but the API expects '{want}'{hint}"),
            ));
        }
        None => f.causes.push(CauseHit::new(
            "token-wrong-issuer",
            0.6,
            format!("the API expects issuer '{want}' and the token has no iss claim"),
        )),
    }
}

fn check_scopes(e: &Expectations, f: &mut ClaimFindings) {
    let missing: Vec<&String> = e.scopes.iter().filter(|s| !f.scopes.contains(s)).collect();
    if missing.is_empty() {
        return;
    }
    let have = if f.scopes.is_empty() {
        "none".to_owned()
    } else {
        f.scopes.join(" ")
    };
    f.causes.push(CauseHit::new(
        "insufficient-scope",
        0.8,
        format!(
            "missing scope {} (the token has: {have})",
            missing
                .iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ));
}

/// Scopes from `scope` (space-separated, RFC 8693/9068) or `scp` (string or list, Azure/Okta).
fn scopes(claims: &Map<String, Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in ["scope", "scp"] {
        for s in string_or_list(claims.get(name)) {
            out.extend(s.split_whitespace().map(str::to_owned));
        }
    }
    out.dedup();
    out
}

pub(crate) fn string_or_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn quoted_list(v: &[String]) -> String {
    v.iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The token's kind from the hints providers leave: RFC 9068 `typ: at+jwt`, Cognito
/// `token_use`, Keycloak's `typ` claim, and the OIDC-only `nonce` / `at_hash`.
fn type_hint(jwt: &Jwt) -> (TypeHint, String) {
    let typ = jwt.raw_header("typ").unwrap_or("").to_ascii_lowercase();
    if typ == "at+jwt" || typ == "application/at+jwt" {
        return (
            TypeHint::Access,
            "header typ is at+jwt (RFC 9068)".to_owned(),
        );
    }
    let by_name = |v: &str| match v.to_ascii_lowercase().as_str() {
        "access" | "bearer" => Some(TypeHint::Access),
        "id" | "id_token" => Some(TypeHint::Id),
        "refresh" | "refresh_token" | "offline" => Some(TypeHint::Refresh),
        _ => None,
    };
    for claim in ["token_use", "typ", "token_type"] {
        if let Some(v) = jwt.raw_claim(claim)
            && let Some(hint) = by_name(v)
        {
            return (hint, format!("claim {claim} is '{v}'"));
        }
    }
    if typ.contains("refresh") {
        return (TypeHint::Refresh, format!("header typ is '{typ}'"));
    }
    for claim in ["nonce", "at_hash", "c_hash"] {
        if jwt.claims.has(claim) {
            return (
                TypeHint::Id,
                format!("it carries {claim}, which only OpenID Connect ID tokens have"),
            );
        }
    }
    if jwt.claims.has("scope") || jwt.claims.has("scp") {
        return (TypeHint::Access, "it carries scopes".to_owned());
    }
    (
        TypeHint::Unknown,
        "no typ, token_use, nonce or scope hint".to_owned(),
    )
}
