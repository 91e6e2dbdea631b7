//! The `challenge` probe: what the server asks for, read with a full RFC 9110 §11 parser
//! ([`parse`]), and the causes a challenge alone can name (RFC 6750 error codes, Digest
//! `stale`, 407, a 401 without a challenge).

use futures::FutureExt;

use super::fact;
use super::http::{self, Exchange, Target};
use super::{FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, Verdict};
use crate::diagnose::{CauseHit, messages};

pub use crate::net::challenge::{Challenge, ChallengeList, field_value, parse};

pub(crate) const KIND: ProbeKind = ProbeKind {
    name: "challenge",
    doc: "WWW-Authenticate / Proxy-Authenticate parsed per RFC 9110: Basic, Digest, Bearer (RFC 6750 errors), Negotiate/NTLM.",
    args: http::REQUEST_ARGS,
    facts: &[
        fact("status", FactType::Int, "status code"),
        fact("count", FactType::Int, "number of challenges"),
        fact(
            "scheme",
            FactType::Str,
            "first challenge's scheme, lower-case",
        ),
        fact(
            "schemes",
            FactType::StrList,
            "every scheme offered, lower-case",
        ),
        fact("realm", FactType::Str, "first realm"),
        fact("charset", FactType::Str, "Basic charset"),
        fact("error", FactType::Str, "Bearer error code (RFC 6750)"),
        fact(
            "error_description",
            FactType::Str,
            "Bearer error_description",
        ),
        fact("scope", FactType::Str, "Bearer scope"),
        fact("stale", FactType::Bool, "Digest stale=true"),
        fact("algorithm", FactType::Str, "Digest algorithm"),
        fact("qop", FactType::Str, "Digest qop"),
        fact(
            "token68",
            FactType::Bool,
            "a challenge carries a token68 (Negotiate/NTLM round)",
        ),
        fact(
            "problems",
            FactType::StrList,
            "syntax or RFC problems found",
        ),
        fact("raw", FactType::StrList, "WWW-Authenticate field values"),
        fact(
            "proxy.schemes",
            FactType::StrList,
            "Proxy-Authenticate schemes",
        ),
        fact(
            "proxy.realm",
            FactType::Str,
            "first Proxy-Authenticate realm",
        ),
    ],
    run,
};

fn run(id: String, args: ProbeArgs, ctx: ProbeContext) -> super::ProbeFuture {
    async move {
        match http::exchange(&id, "challenge", &args, &ctx).await {
            Ok((mut report, target, ex)) => {
                describe(&mut report, &target, &ex);
                report
            }
            Err(report) => report,
        }
    }
    .boxed()
}

/// Every field line of header `name`, obs-text read as ISO-8859-1 ([`field_value`]).
fn field_lines(headers: &reqwest::header::HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .map(|v| field_value(v.as_bytes()).trim().to_owned())
        .collect()
}

/// Facts of the first challenge that has them.
fn first_param<'a>(list: &'a ChallengeList, name: &str) -> Option<&'a str> {
    list.challenges.iter().find_map(|c| c.param(name))
}

fn describe(report: &mut ProbeReport, target: &Target, ex: &Exchange) {
    let raw = field_lines(&ex.headers, "www-authenticate");
    let refs: Vec<&str> = raw.iter().map(String::as_str).collect();
    let list = parse(&refs);
    report.fact("count", list.challenges.len() as i64);
    if let Some(c) = list.challenges.first() {
        report.fact("scheme", c.scheme_lower());
    }
    report.fact("schemes", list.schemes());
    for name in [
        "realm",
        "charset",
        "algorithm",
        "qop",
        "scope",
        "error",
        "error_description",
    ] {
        if let Some(v) = first_param(&list, name) {
            report.fact(name, v);
        }
    }
    let stale = list
        .find("digest")
        .and_then(|c| c.param("stale"))
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    report.fact("stale", stale);
    report.fact(
        "token68",
        list.challenges.iter().any(|c| c.token68.is_some()),
    );
    report.fact("problems", list.problems.clone());
    report.fact("raw", raw.clone());
    let proxy_raw = field_lines(&ex.headers, "proxy-authenticate");
    let proxy_refs: Vec<&str> = proxy_raw.iter().map(String::as_str).collect();
    let proxy = parse(&proxy_refs);
    report.fact("proxy.schemes", proxy.schemes());
    if let Some(r) = first_param(&proxy, "realm") {
        report.fact("proxy.realm", r);
    }
    report
        .evidence
        .push(format!("{} → {}", http::request_line(target), ex.status));
    for line in &raw {
        report.evidence.push(format!("WWW-Authenticate: {line}"));
    }
    for line in &proxy_raw {
        report.evidence.push(format!("Proxy-Authenticate: {line}"));
    }
    for p in &list.problems {
        report.evidence.push(format!("challenge problem: {p}"));
    }
    causes(report, ex, &list, &raw, target.creds.any());
    report.summary = match (ex.status, list.challenges.is_empty()) {
        (401, true) => "401 without a readable WWW-Authenticate challenge".to_owned(),
        (407, _) => format!("407: a proxy asks for {}", proxy.schemes().join(", ")),
        (_, true) => format!("{}: no challenge", ex.status),
        (s, false) => format!("{s}: server offers {}", list.schemes().join(", ")),
    };
    report.verdict = if !report.causes.is_empty() {
        Verdict::Fail
    } else if !list.problems.is_empty() {
        Verdict::Warn
    } else if ex.status == 401 {
        Verdict::Info
    } else {
        Verdict::Ok
    };
}

fn causes(
    report: &mut ProbeReport,
    ex: &Exchange,
    list: &ChallengeList,
    raw: &[String],
    sent: bool,
) {
    if ex.status == 401 && list.challenges.is_empty() {
        let e = if raw.is_empty() {
            "401 with no WWW-Authenticate header (RFC 9110 §15.5.2 requires one)".to_owned()
        } else {
            format!(
                "401 whose WWW-Authenticate cannot be read: {}",
                raw.join(" / ")
            )
        };
        // An RFC violation, but not why the request failed: a remark, ranked below causes.
        report
            .causes
            .push(CauseHit::remark("missing-www-authenticate", 0.85, e));
    }
    let mut hit = |id: &str, c: f64, e: String| report.causes.push(CauseHit::new(id, c, e));
    if ex.status == 407 {
        hit(
            "proxy-auth-required",
            0.95,
            "407 Proxy Authentication Required: a proxy on the way wants credentials".to_owned(),
        );
    }
    if let Some(d) = list.find("digest")
        && d.param("stale")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        hit(
            "digest-nonce-stale",
            0.85,
            "Digest challenge says stale=true: the nonce expired, retry with the new one"
                .to_owned(),
        );
    }
    if let Some(b) = list.find("bearer") {
        bearer_causes(b, ex.status, sent, &mut hit);
    }
    let schemes = list.schemes();
    if ex.status == 401
        && !schemes.is_empty()
        && schemes.iter().all(|s| s == "negotiate" || s == "ntlm")
    {
        hit(
            "windows-auth-failed",
            if sent { 0.6 } else { 0.45 },
            format!(
                "only Windows authentication offered ({})",
                schemes.join(", ")
            ),
        );
    }
}

/// RFC 6750 §3.1 error codes mapped to causes.
fn bearer_causes(b: &Challenge, status: u16, sent: bool, hit: &mut impl FnMut(&str, f64, String)) {
    let Some(error) = b.param("error") else {
        return;
    };
    let desc = b.param("error_description").unwrap_or("");
    let evidence = if desc.is_empty() {
        format!("Bearer error=\"{error}\"")
    } else {
        format!("Bearer error=\"{error}\", error_description=\"{desc}\"")
    };
    let named = match messages::read(desc) {
        Some((messages::Said::Cause(id), confidence, _)) => Some((id, confidence)),
        _ => None,
    };
    match error {
        // RFC 6750 §3.1: a request without credentials SHOULD get no error code. Some servers
        // send invalid_token anyway; with no token sent it says nothing about a token.
        "invalid_token" if !sent => {}
        "invalid_token" if named.is_some() => {
            if let Some((id, confidence)) = named {
                hit(id, confidence, evidence);
            }
        }
        "invalid_token" => hit(
            "bad-credentials",
            0.7,
            format!("{evidence}: the token is expired, revoked, malformed or otherwise invalid"),
        ),
        "insufficient_scope" => {
            let scope = b
                .param("scope")
                .map(|s| format!(" (needs scope \"{s}\")"))
                .unwrap_or_default();
            hit("insufficient-scope", 0.85, format!("{evidence}{scope}"));
            if status == 401 {
                hit(
                    "should-be-403",
                    0.5,
                    format!("{evidence} answered with 401; RFC 6750 §3.1 says 403"),
                );
            }
        }
        "invalid_request" => hit(
            "malformed-authorization-header",
            if sent { 0.65 } else { 0.4 },
            format!("{evidence}: the request is malformed (RFC 6750 says 400)"),
        ),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
