//! From a HAR stream to a diagnosis: every request answered 401, what credentials it carried
//! (tokens decoded and checked against the moment of the request and the server's Date), its
//! challenge, and the login or refresh exchanges just before it.

use std::collections::VecDeque;
use std::io::Read;

use base64::Engine as _;
use serde::Serialize;

use crate::sanitize::Outside;
use serde_json::Value;

use super::cookies::CookieWatch;
use super::{Entry, redact};
use crate::diagnose::{CauseHit, rank};
use crate::secret::fingerprint;
use crate::token::{Expectations, Inspection, inspect, time};

/// 401s kept in full; more are only counted, so memory stays bounded.
pub(crate) const MAX_KEPT: usize = 200;
/// Login/refresh exchanges shown before each 401.
const BEFORE: usize = 3;
/// Response bodies larger than this are not searched for issued tokens.
const BODY_SCAN_LIMIT: usize = 1024 * 1024;

/// Credentials a request carried in its Authorization header.
#[derive(Debug, Clone, Serialize)]
pub struct SentAuth {
    pub scheme: String,
    /// The credential's fingerprint (never the credential).
    pub credential: String,
    /// Basic only: the user name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Outside>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<Inspection>,
}

/// A token a login or refresh response handed out.
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    pub name: String,
    pub fingerprint: String,
}

/// One request and its answer, redacted.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    /// 1-based position in the HAR.
    pub index: usize,
    pub started: Outside,
    pub method: Outside,
    /// The address, credentials in its query replaced by fingerprints.
    pub url: Outside,
    pub status: i64,
    pub initiator: Option<Outside>,
    pub authorization: Option<SentAuth>,
    pub cookies: Vec<String>,
    /// The name of a query or fragment parameter that carried a credential.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_in_url: Option<String>,
    /// An API key sent in a header other than Authorization: `X-Api-Key [key len=…]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    pub set_cookies: Vec<Outside>,
    pub challenges: Vec<Outside>,
    /// A Digest challenge said `stale=true` (RFC 7616 §3.3).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub digest_stale: bool,
    /// The realm of the Basic challenge, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basic_realm: Option<Outside>,
    /// Challenges that break RFC 9110 §11 (a repeated parameter), one line each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub challenge_problems: Vec<String>,
    pub server_date: Option<String>,
    /// login, refresh or token, for exchanges with the identity provider.
    pub auth_kind: Option<&'static str>,
    pub issued: Vec<Issued>,
}

/// A 401 with what came just before it and what it points to.
#[derive(Debug, Clone, Serialize)]
pub struct Unauthorized {
    #[serde(flatten)]
    pub exchange: Exchange,
    pub before: Vec<Exchange>,
    pub causes: Vec<CauseHit>,
}

/// The whole HAR's findings.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub requests: usize,
    pub unauthorized_total: usize,
    pub unauthorized: Vec<Unauthorized>,
    pub causes: Vec<CauseHit>,
}

/// Reads a HAR from `reader` and analyses it as it streams.
pub fn analyse(reader: impl Read) -> Result<Analysis, serde_json::Error> {
    let mut recent: VecDeque<Exchange> = VecDeque::new();
    let mut kept: Vec<Unauthorized> = Vec::new();
    let mut total_401 = 0usize;
    let mut index = 0usize;
    let mut cookies = CookieWatch::default();
    let requests = super::stream(reader, |entry| {
        index += 1;
        let status = entry.response.status;
        let kind = auth_kind(&entry);
        let at = format!(
            "#{index} {} {}",
            entry.request.method,
            redact::url(&entry.request.url)
        );
        // What a 401 lacks is judged before its own Set-Cookies are seen.
        let refused = if status == 401 && kept.len() < MAX_KEPT {
            let sent: Vec<String> = entry
                .request_header("cookie")
                .map(cookie_names)
                .unwrap_or_default();
            cookies.explain(&entry.request.url, &sent)
        } else {
            Vec::new()
        };
        let set = entry.response_headers("set-cookie");
        cookies.observe(&at, &entry.request.url, kind.is_some(), set);
        if status != 401 && kind.is_none() {
            return;
        }
        let ex = summarise(index, &entry, kind);
        if status == 401 {
            total_401 += 1;
            if kept.len() < MAX_KEPT {
                let before: Vec<Exchange> = recent.iter().cloned().collect();
                let mut causes = diagnose(&ex, &before);
                causes.extend(refused.into_iter().map(|why| {
                    CauseHit::new("cookie-rejected-by-client", 0.9, format!("{at}: {why}"))
                }));
                kept.push(Unauthorized {
                    exchange: ex.clone(),
                    before,
                    causes: rank(causes),
                });
            }
        }
        remember(&mut recent, ex);
    })?;
    let causes = rank(kept.iter().flat_map(|u| u.causes.iter().cloned()));
    Ok(Analysis {
        requests,
        unauthorized_total: total_401,
        unauthorized: kept,
        causes,
    })
}

/// Keeps a login or refresh exchange among the last few.
fn remember(recent: &mut VecDeque<Exchange>, ex: Exchange) {
    if ex.auth_kind.is_some() {
        if recent.len() == BEFORE {
            recent.pop_front();
        }
        recent.push_back(ex);
    }
}

/// The names of the cookies in a Cookie header.
fn cookie_names(value: &str) -> Vec<String> {
    value
        .split(';')
        .filter_map(|c| c.split_once('=').map(|(n, _)| n.trim().to_owned()))
        .collect()
}

/// The first request header that carries an API key, shown by name and fingerprint.
fn api_key_header(e: &Entry) -> Option<String> {
    e.request.headers.iter().find_map(|h| {
        (redact::is_api_key_header(&h.name) && !h.value.trim().is_empty())
            .then(|| format!("{} {}", h.name, fingerprint("key", h.value.trim())))
    })
}

fn summarise(index: usize, e: &Entry, auth_kind: Option<&'static str>) -> Exchange {
    let raw_challenges: Vec<&str> = e.response_headers("www-authenticate").collect();
    let parsed = crate::net::challenge::parse(&raw_challenges);
    let digest_stale = parsed
        .find("digest")
        .and_then(|d| d.param("stale"))
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let basic_realm = parsed
        .find("basic")
        .and_then(|b| b.param("realm"))
        .map(Outside::from);
    let challenge_problems: Vec<String> = parsed
        .challenges
        .iter()
        .filter_map(|c| c.invalid.clone())
        .collect();
    let server_date = e.response_header("date").map(str::to_owned);
    let expect = Expectations {
        now: time::parse_date(&e.started).unwrap_or_else(time::now),
        server_now: server_date.as_deref().and_then(time::parse_date),
        clock: "browser's",
        ..Expectations::local()
    };
    Exchange {
        index,
        started: e.started.as_str().into(),
        method: e.request.method.as_str().into(),
        url: redact::url(&e.request.url).into(),
        status: e.response.status,
        initiator: initiator(e.initiator.as_ref()).map(Outside::from),
        authorization: e
            .request_header("authorization")
            .map(|v| sent_auth(v, &expect)),
        cookies: e
            .request_header("cookie")
            .map(redact::cookie_header)
            .unwrap_or_default(),
        token_in_url: redact::credential_param(&e.request.url),
        api_key: api_key_header(e),
        // Browsers fold several Set-Cookie headers into one value joined by line feeds.
        set_cookies: e
            .response_headers("set-cookie")
            .flat_map(|v| v.split('\n'))
            .filter(|v| !v.trim().is_empty())
            .map(|c| Outside::from(redact::set_cookie(c)))
            .collect(),
        challenges: e
            .response_headers("www-authenticate")
            .map(|c| Outside::from(redact::challenge(c)))
            .collect(),
        digest_stale,
        basic_realm,
        challenge_problems,
        server_date,
        auth_kind,
        issued: if auth_kind.is_some() {
            issued(e)
        } else {
            Vec::new()
        },
    }
}

fn sent_auth(value: &str, expect: &Expectations) -> SentAuth {
    let (scheme, cred) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    let cred = cred.trim();
    let mut out = SentAuth {
        scheme: scheme.to_owned(),
        credential: fingerprint("credential", cred),
        user: None,
        token: None,
    };
    if scheme.eq_ignore_ascii_case("bearer") {
        let i = inspect(cred, expect);
        out.credential.clone_from(&i.fingerprint);
        out.token = Some(i);
    } else if scheme.eq_ignore_ascii_case("basic") {
        out.user = base64::engine::general_purpose::STANDARD
            .decode(cred)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.split_once(':').map(|(u, _)| Outside::from(u)));
    }
    out
}

fn initiator(v: Option<&Value>) -> Option<String> {
    let v = v?;
    let kind = v.get("type").and_then(Value::as_str).unwrap_or("other");
    let url = v
        .get("url")
        .and_then(Value::as_str)
        .or_else(|| v.pointer("/stack/callFrames/0/url").and_then(Value::as_str));
    Some(match url {
        Some(u) if !u.is_empty() => format!("{kind} {}", redact::url(u)),
        _ => kind.to_owned(),
    })
}

/// Whether this exchange is a login, a token refresh or another token request.
fn auth_kind(e: &Entry) -> Option<&'static str> {
    let url = e.request.url.to_ascii_lowercase();
    let path = url.split(['?', '#']).next().unwrap_or("");
    let body = e
        .request
        .post_data
        .as_ref()
        .and_then(|b| b.text.as_deref())
        .unwrap_or("");
    if body.contains("grant_type=refresh_token")
        || body.contains("\"refresh_token\"")
        || path.contains("refresh")
    {
        return Some("refresh");
    }
    if ["/login", "/signin", "/sign-in", "/authorize", "/session"]
        .iter()
        .any(|p| path.contains(p))
        || body.contains("grant_type=password")
        || body.contains("grant_type=authorization_code")
    {
        return Some("login");
    }
    if path.ends_with("/token") || path.contains("/oauth") || body.contains("grant_type=") {
        return Some("token");
    }
    None
}

/// Tokens a response body hands out, as fingerprints.
fn issued(e: &Entry) -> Vec<Issued> {
    let Some(content) = &e.response.content else {
        return Vec::new();
    };
    let Some(text) = content
        .text
        .as_deref()
        .filter(|t| t.len() <= BODY_SCAN_LIMIT)
    else {
        return Vec::new();
    };
    let decoded;
    let text = if content.encoding.as_deref() == Some("base64") {
        decoded = base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        match &decoded {
            Some(d) => d.as_str(),
            None => return Vec::new(),
        }
    } else {
        text
    };
    let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    ["access_token", "id_token", "refresh_token", "token"]
        .iter()
        .filter_map(|name| {
            let v = doc.get(*name)?.as_str()?;
            Some(Issued {
                name: (*name).to_owned(),
                fingerprint: fingerprint("token", v.trim()),
            })
        })
        .collect()
}

fn diagnose(ex: &Exchange, before: &[Exchange]) -> Vec<CauseHit> {
    let at = format!("#{} {} {}", ex.index, ex.method, ex.url);
    let mut causes = Vec::new();
    let mut hit =
        |id: &str, c: f64, why: String| causes.push(CauseHit::new(id, c, format!("{at}: {why}")));
    challenge_causes(ex, &mut hit);
    credential_causes(ex, before, &mut hit);
    if let Some(failed) = before.iter().rev().find(|b| b.status >= 400) {
        hit(
            "session-expired",
            0.55,
            format!(
                "the {} just before (#{} {} {}) failed with {}",
                failed.auth_kind.unwrap_or("login"),
                failed.index,
                failed.method,
                failed.url,
                failed.status
            ),
        );
    }
    rank(causes)
}

/// What the 401's own answer says: preflight, missing or telling challenge.
fn challenge_causes(ex: &Exchange, hit: &mut impl FnMut(&str, f64, String)) {
    if ex.method.raw().eq_ignore_ascii_case("OPTIONS") {
        hit(
            "cors-preflight-requires-auth",
            0.85,
            "the CORS preflight was answered 401; browsers never send credentials on it".to_owned(),
        );
    }
    if ex.digest_stale {
        hit(
            "digest-nonce-stale",
            0.85,
            "the Digest challenge says stale=true: the nonce the client used has expired; it must retry with the new nonce, without asking for the password again (RFC 7616 §3.3)".to_owned(),
        );
    }
    for why in &ex.challenge_problems {
        hit(
            "missing-www-authenticate",
            0.4,
            format!("the challenge is invalid: {why}"),
        );
    }
    if ex.challenges.is_empty() {
        hit(
            "missing-www-authenticate",
            0.6,
            "answered 401 without WWW-Authenticate".to_owned(),
        );
    } else if ex
        .challenges
        .iter()
        .any(|c| c.raw().contains("insufficient_scope"))
    {
        hit(
            "insufficient-scope",
            0.7,
            format!(
                "the challenge says insufficient_scope: {}",
                ex.challenges
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" / ")
            ),
        );
    }
}

/// What the request carried, and what is wrong with it.
fn credential_causes(ex: &Exchange, before: &[Exchange], hit: &mut impl FnMut(&str, f64, String)) {
    let key_param = ex
        .token_in_url
        .as_deref()
        .filter(|p| redact::API_KEY_PARAMS.contains(&p.to_ascii_lowercase().as_str()));
    if let Some(param) = key_param {
        hit(
            "bad-credentials",
            0.6,
            format!(
                "the request carried an API key in the query parameter {param}= and was refused: the key is wrong, revoked, or for another environment"
            ),
        );
    } else if let Some(param) = &ex.token_in_url {
        hit(
            "wrong-auth-scheme",
            0.55,
            format!(
                "the credential went in the URL ({param}=…), where RFC 6750 §2.3 discourages it and most APIs never look; send it as Authorization: Bearer"
            ),
        );
    }
    if let Some(key) = &ex.api_key {
        hit(
            "bad-credentials",
            0.7,
            format!(
                "the request carried an API key ({key}) and was refused: the key is wrong, revoked, or for another environment"
            ),
        );
    }
    let Some(auth) = &ex.authorization else {
        if ex.api_key.is_some() || key_param.is_some() {
            return;
        }
        if !ex.cookies.is_empty() {
            hit(
                "session-expired",
                0.5,
                format!("only cookies were sent ({}), and refused", ex.cookies.len()),
            );
        } else if ex.token_in_url.is_none() && !ex.method.raw().eq_ignore_ascii_case("OPTIONS") {
            hit(
                "no-credentials-sent",
                0.8,
                "the request carried no Authorization header and no cookie".to_owned(),
            );
        }
        return;
    };
    let schemes: Vec<String> = ex
        .challenges
        .iter()
        .filter_map(|c| c.raw().split_whitespace().next())
        .map(|s| s.trim_end_matches(',').to_ascii_lowercase())
        .collect();
    if !schemes.is_empty() && !schemes.contains(&auth.scheme.to_ascii_lowercase()) {
        hit(
            "wrong-auth-scheme",
            0.6,
            format!(
                "sent {} but the server asks for {}",
                auth.scheme,
                schemes.join(", ")
            ),
        );
    }
    refused_password(ex, auth, hit);
    if let Some(token) = &auth.token {
        for c in &token.causes {
            for e in &c.evidence {
                hit(&c.id, c.confidence, e.clone());
            }
        }
        stale_token(&auth.credential, before, hit);
    }
}

/// A 401 to Basic or Digest credentials under the same challenge refuses them (RFC 9110
/// §15.5.2), unless the Digest nonce was only stale.
fn refused_password(ex: &Exchange, auth: &SentAuth, hit: &mut impl FnMut(&str, f64, String)) {
    let user = auth
        .user
        .as_ref()
        .map(Outside::raw)
        .map(|u| format!(" for user '{u}'"))
        .unwrap_or_default();
    if auth.scheme.eq_ignore_ascii_case("basic")
        && let Some(realm) = &ex.basic_realm
    {
        hit(
            "bad-credentials",
            0.85,
            format!(
                "Basic credentials{user} were sent and the server answered 401 with a Basic challenge for the same realm \"{realm}\": it refused them (RFC 9110 §15.5.2); check the user name and password"
            ),
        );
    }
    let digest_offered = ex.challenges.iter().any(|c| {
        c.raw()
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("digest")
    });
    if auth.scheme.eq_ignore_ascii_case("digest") && digest_offered && !ex.digest_stale {
        hit(
            "bad-credentials",
            0.8,
            "Digest credentials were sent and the server answered 401 with a fresh (not stale) Digest challenge: it refused them".to_owned(),
        );
    }
}

/// A request that still sends the old token after a refresh handed out a new one.
fn stale_token(sent: &str, before: &[Exchange], hit: &mut impl FnMut(&str, f64, String)) {
    let latest = before.iter().rev().find_map(|b| {
        b.issued
            .iter()
            .find(|i| i.name == "access_token" || i.name == "token")
            .map(|i| (b, i))
    });
    if let Some((b, new)) = latest
        && new.fingerprint != sent
    {
        hit(
            "stale-cookie-or-cache",
            0.6,
            format!(
                "sent token {sent}, though the {} at #{} ({}) had issued {}",
                b.auth_kind.unwrap_or("login"),
                b.index,
                b.started,
                new.fingerprint
            ),
        );
    }
}
