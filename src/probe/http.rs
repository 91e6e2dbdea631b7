//! The `http` probe: one request with redirects followed by hand, the answer described as
//! facts. Its parts ([`fetch`], [`Target`]) are what every other network probe builds on.

use futures::FutureExt;

use super::fact;
use super::{ArgSpec, FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, Verdict};
use crate::diagnose::CauseHit;

pub mod body;
pub mod digest;
mod fetch;
mod ledger;
mod target;

pub use crate::net::classify::{FetchError, classify};
pub use fetch::{BODY_LIMIT, Drop, Exchange, Hop, MAX_HOPS, fetch, limit_message};
pub use ledger::{DEFAULT_PASSWORD_SENDS, PasswordSends, SharedExchanges};
pub use target::{
    Credentials, Target, is_credential_header, is_scheme_named_header, parse_header_lines,
    parse_url, percent_decode, same_origin,
};

const fn arg(name: &'static str, secret: bool, doc: &'static str) -> ArgSpec {
    ArgSpec {
        name,
        required: false,
        secret,
        doc,
    }
}

/// The arguments of every probe that makes an authenticated request.
pub(crate) const REQUEST_ARGS: &[ArgSpec] = &[
    ArgSpec {
        name: "url",
        required: true,
        secret: false,
        doc: "address to request",
    },
    arg("method", false, "request method (GET)"),
    arg("authorization", true, "Authorization header value"),
    arg("user", false, "Basic user name"),
    arg("password", true, "Basic password"),
    arg("cookie", true, "Cookie header value"),
    arg("headers", true, "extra 'Name: value' header lines"),
    arg(
        "api_key_query",
        false,
        "query parameter that carries the API key",
    ),
    arg("api_key", true, "API key for api_key_query"),
    arg("follow", false, "'false' to not follow redirects (true)"),
    arg(
        "plain_headers",
        false,
        "'Name: value' lines that are not credentials (Content-Type, Accept), sent every time",
    ),
    arg("body", true, "request body (curl's -d)"),
];

pub(crate) const KIND: ProbeKind = ProbeKind {
    name: "http",
    doc: "One HTTP request, redirects followed by hand: status, headers, challenges, hops, timing.",
    args: REQUEST_ARGS,
    facts: &[
        fact("responded", FactType::Bool, "an HTTP answer came back"),
        fact("status", FactType::Int, "status code of the final answer"),
        fact("reason", FactType::Str, "reason phrase"),
        fact("version", FactType::Str, "HTTP version of the answer"),
        fact(
            "sent_credentials",
            FactType::Bool,
            "the request carried credentials",
        ),
        fact(
            "sent_as",
            FactType::StrList,
            "kinds of credentials the request carried: basic:USER, bearer, cookie:NAMES, header:NAME, query:PARAM, authorization:SCHEME",
        ),
        fact(
            "sent_fingerprints",
            FactType::StrList,
            "for each of sent_as, the fingerprint of its token or password (empty for the other kinds)",
        ),
        fact("method", FactType::Str, "request method"),
        fact(
            "challenge.raw",
            FactType::StrList,
            "WWW-Authenticate field values",
        ),
        fact(
            "challenge.scheme",
            FactType::Str,
            "first challenge's scheme, lower-case",
        ),
        fact(
            "challenge.schemes",
            FactType::StrList,
            "every challenge scheme, lower-case",
        ),
        fact("challenge.realm", FactType::Str, "first challenge's realm"),
        fact(
            "proxy_challenge.raw",
            FactType::StrList,
            "Proxy-Authenticate values",
        ),
        fact(
            "location",
            FactType::Str,
            "Location header of the last redirect",
        ),
        fact("final_url", FactType::Str, "the URL that answered"),
        fact("redirects", FactType::Int, "redirects followed"),
        fact(
            "hops",
            FactType::StrList,
            "every request of the chain with its status",
        ),
        fact(
            "password_sends",
            FactType::Int,
            "requests of the chain that carried the person's password (Digest answers too)",
        ),
        fact(
            "withheld",
            FactType::StrList,
            "what was not sent, and why (userinfo of a Location, the password limit)",
        ),
        fact(
            "redirect.loop",
            FactType::Bool,
            "the redirects went round in a loop",
        ),
        fact(
            "redirect.dropped_credentials",
            FactType::Bool,
            "a redirect left the credentials behind",
        ),
        fact(
            "redirect.drop_kind",
            FactType::Str,
            "http-to-https, other-host, other-origin, trailing-slash, same-origin",
        ),
        fact("elapsed_ms", FactType::Int, "time to the answer"),
        fact(
            "exchange",
            FactType::Int,
            "the exchange's number: probes that read one shared request report the same",
        ),
        fact("body_bytes", FactType::Int, "body bytes read (bounded)"),
        fact(
            "body.message",
            FactType::Str,
            "what a 4xx body says (JSON error message or first words), secrets hidden",
        ),
        fact(
            "body.said",
            FactType::Str,
            "the cause id the body's message names, or not-found / rejected",
        ),
        fact(
            "body.said_confidence",
            FactType::Float,
            "how surely the message names it",
        ),
        fact(
            "body.place",
            FactType::Str,
            "where the message says the credential belongs: query, header, body, cookie",
        ),
        fact(
            "body_truncated",
            FactType::Bool,
            "the body was longer than the bound",
        ),
        fact(
            "error.class",
            FactType::Str,
            "dns, refused, reset, timeout, tls, proxy-auth, protocol, too-large, usage, other",
        ),
        fact(
            "error.tls",
            FactType::Str,
            "expired, not-yet-valid, self-signed, unknown-issuer, name-mismatch, revoked, handshake",
        ),
        fact("error.message", FactType::Str, "what went wrong"),
        fact(
            "header.*",
            FactType::Str,
            "a response header, lower-case name",
        ),
    ],
    run,
};

fn run(id: String, args: ProbeArgs, ctx: ProbeContext) -> super::ProbeFuture {
    async move {
        match exchange(&id, "http", &args, &ctx).await {
            Ok((mut report, target, ex)) => {
                describe(&mut report, &target, &ex);
                report
            }
            Err(report) => report,
        }
    }
    .boxed()
}

/// Parses the target and makes the exchange. On failure the report that explains it.
pub(crate) async fn exchange(
    id: &str,
    kind: &str,
    args: &ProbeArgs,
    ctx: &ProbeContext,
) -> Result<(ProbeReport, Target, Exchange), ProbeReport> {
    let report = ProbeReport::new(id, kind);
    let target = Target::from_args(args).map_err(|e| unreachable(report.clone(), &e))?;
    fetch_target(report, target, ctx).await
}

/// Like [`exchange`] for a target already built.
pub(crate) async fn fetch_target(
    mut report: ProbeReport,
    target: Target,
    ctx: &ProbeContext,
) -> Result<(ProbeReport, Target, Exchange), ProbeReport> {
    report.fact("sent_credentials", target.creds.any());
    report.fact("sent_as", target.creds.kinds());
    report.fact("sent_fingerprints", target.creds.fingerprints());
    report.fact("method", target.method.as_str());
    match fetch(ctx, &target).await {
        Ok(ex) => {
            report.fact("responded", true);
            // Every exchange names what answered, so a ticket never lists a request without
            // its URL, whatever the probe's kind describes next.
            report.fact("final_url", ex.final_url.as_str());
            report.fact("status", i64::from(ex.status));
            let reason = reqwest::StatusCode::from_u16(ex.status).ok();
            report.fact(
                "reason",
                reason.and_then(|s| s.canonical_reason()).unwrap_or(""),
            );
            crate::probe::network::describe_exchange(&mut report, ctx, &target, &ex);
            report.elapsed_ms = u64::try_from(ex.elapsed.as_millis()).unwrap_or(u64::MAX);
            Ok((report, target, ex))
        }
        Err(e) => {
            let mut report = unreachable(report, &e);
            crate::probe::network::describe_failure(&mut report, ctx, &target);
            Err(report)
        }
    }
}

/// The value of response header `name`, several lines joined with ", " (RFC 9110 §5.3);
/// obs-text bytes read as ISO-8859-1, as browsers read them.
pub(crate) fn header_text(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    let values: Vec<String> = headers
        .get_all(name)
        .iter()
        .map(|v| {
            crate::net::challenge::field_value(v.as_bytes())
                .trim()
                .to_owned()
        })
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// Every field line of header `name`.
pub(crate) fn header_lines(headers: &reqwest::header::HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .map(|v| {
            crate::net::challenge::field_value(v.as_bytes())
                .trim()
                .to_owned()
        })
        .collect()
}

/// The request line for evidence: method, URL and credentials as fingerprints.
pub(crate) fn request_line(target: &Target) -> String {
    let mut creds = target.creds.describe();
    if let Some(b) = &target.body {
        creds.push(format!("body of {} bytes", b.len()));
    }
    if creds.is_empty() {
        format!("{} {} (no credentials)", target.method, target.url)
    } else {
        format!("{} {} ({})", target.method, target.url, creds.join("; "))
    }
}

fn describe(report: &mut ProbeReport, target: &Target, ex: &Exchange) {
    report.fact("version", ex.version.as_str());
    for (name, _) in &ex.headers {
        if name == reqwest::header::SET_COOKIE {
            // Session cookies the server hands out are secrets too.
            let lines = header_lines(&ex.headers, "set-cookie");
            let shown: Vec<String> = lines.iter().map(|l| redact_set_cookie(l)).collect();
            report.fact("header.set-cookie", shown.join(", "));
        } else if let Some(v) = header_text(&ex.headers, name.as_str()) {
            report.fact(&format!("header.{}", name.as_str()), v);
        }
    }
    let raw = header_lines(&ex.headers, "www-authenticate");
    let refs: Vec<&str> = raw.iter().map(String::as_str).collect();
    let parsed = super::challenge::parse(&refs);
    if let Some(first) = parsed.challenges.first() {
        report.fact("challenge.scheme", first.scheme_lower());
        if let Some(realm) = first.param("realm") {
            report.fact("challenge.realm", realm);
        }
    }
    report.fact("challenge.schemes", parsed.schemes());
    report.fact("challenge.raw", raw.clone());
    report.fact(
        "proxy_challenge.raw",
        header_lines(&ex.headers, "proxy-authenticate"),
    );
    if let Some(loc) = ex.hops.iter().rev().find_map(|h| h.location.clone()) {
        report.fact("location", loc);
    }
    describe_hops(report, target, ex);
    report.fact("elapsed_ms", report.elapsed_ms as i64);
    report.fact("exchange", i64::try_from(ex.serial).unwrap_or(i64::MAX));
    report.fact("body_bytes", ex.body.len() as i64);
    report.fact("body_truncated", ex.body_truncated);
    if ex.status >= 400
        && let Some(m) = body::message(&ex.body)
    {
        report.fact("body.message", body::quote(&m, &target.creds));
        // Read before redaction: a message like "No 'Authorization: Basic' header found"
        // looks like a header to the redactor.
        if let Some((said, confidence, _)) = crate::diagnose::messages::read(&m) {
            report.fact("body.said", said.label());
            report.fact("body.said_confidence", confidence);
        }
        if let Some(place) = crate::diagnose::messages::place_named(&m) {
            report.fact("body.place", place);
        }
    }
    for c in &raw {
        report.evidence.push(format!("WWW-Authenticate: {c}"));
    }
    report.verdict = match ex.status {
        401 | 407 => Verdict::Fail,
        _ if ex.redirect_loop => Verdict::Fail,
        400..=599 => Verdict::Warn,
        _ => Verdict::Ok,
    };
    report.summary = match ex.status {
        _ if ex.redirect_loop => format!("redirect loop after {} requests", ex.hops.len()),
        401 if raw.is_empty() => "401 without a WWW-Authenticate challenge".to_owned(),
        401 => format!("401, server asks for {}", raw.join(" / ")),
        code => {
            let reason = reqwest::StatusCode::from_u16(code).ok();
            format!(
                "{code} {}",
                reason.and_then(|s| s.canonical_reason()).unwrap_or("")
            )
        }
    };
    if ex.status == 401 && raw.is_empty() {
        // True of the server, but most JSON APIs send no challenge: not why the request failed.
        report.causes.push(CauseHit::remark(
            "missing-www-authenticate",
            0.6,
            format!(
                "{} answered 401 with no WWW-Authenticate header",
                ex.final_url
            ),
        ));
    }
}

fn describe_hops(report: &mut ProbeReport, target: &Target, ex: &Exchange) {
    report.fact("redirects", ex.hops.len().saturating_sub(1) as i64);
    let hops: Vec<String> = ex
        .hops
        .iter()
        .map(|h| {
            let creds = if h.credentials_sent {
                " [credentials sent]"
            } else {
                ""
            };
            format!("{} {} → {}{creds}", h.method, h.url, h.status)
        })
        .collect();
    report.evidence.push(request_line(target));
    report.evidence.extend(hops.iter().cloned());
    report.fact("hops", hops);
    report.fact("redirect.loop", ex.redirect_loop);
    report.fact("password_sends", ex.password_sends as i64);
    if !ex.notes.is_empty() {
        report.fact("withheld", ex.notes.clone());
        report.evidence.extend(ex.notes.iter().cloned());
    }
    report.fact(
        "redirect.dropped_credentials",
        ex.drops.iter().any(|d| d.withheld),
    );
    if let Some(d) = ex.drops.first() {
        report.fact("redirect.drop_kind", d.kind);
    }
    for hit in redirect_causes(ex) {
        report.evidence.extend(hit.evidence.iter().cloned());
        report.causes.push(hit);
    }
}

/// A `credentials-dropped-on-redirect` hit per redirect that lost (or may lose) credentials.
pub(crate) fn redirect_causes(ex: &Exchange) -> Vec<CauseHit> {
    ex.drops
        .iter()
        .map(|d| {
            let what = match (d.withheld, d.kind) {
                (true, _) => "another origin, so the credentials were not sent on (clients must not leak them)",
                (false, "trailing-slash") => "a path that differs only by its trailing slash; why401 resent the credentials, but .NET's HttpClient drops Authorization on every redirect and clients that scope credentials by path do not resend them",
                (false, _) => "the same origin; why401 resent the credentials, but .NET's HttpClient drops Authorization on every redirect",
            };
            let line = format!("redirect {} → {} ({}): {what}", d.from, d.to, d.kind);
            match (d.withheld, ex.status) {
                (true, 401) => CauseHit::new("credentials-dropped-on-redirect", 0.9, line),
                (true, _) => CauseHit::new("credentials-dropped-on-redirect", 0.5, line),
                // why401 resent them on the same origin: for it the redirect was not what
                // failed; the check's rules tell when it explains the person's 401.
                (false, _) => CauseHit::remark("credentials-dropped-on-redirect", 0.35, line),
            }
        })
        .collect()
}

/// A Set-Cookie line with its value replaced by a fingerprint; attributes kept.
pub(crate) fn redact_set_cookie(line: &str) -> String {
    let (pair, attrs) = line.split_once(';').unwrap_or((line, ""));
    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
    let value = crate::secret::fingerprint("cookie", value.trim());
    if attrs.is_empty() {
        format!("{}={value}", name.trim())
    } else {
        format!("{}={value};{attrs}", name.trim())
    }
}

/// The report of a request that got no HTTP answer.
pub fn unreachable(mut report: ProbeReport, e: &FetchError) -> ProbeReport {
    report.fact("responded", false);
    report.fact("error.class", e.class);
    if let Some(t) = e.tls {
        report.fact("error.tls", t);
    }
    report.fact("error.message", e.message.as_str());
    report.verdict = Verdict::Fail;
    report.summary = format!("no HTTP answer ({}): {}", e.reason(), e.message);
    report.evidence.push(report.summary.clone());
    if e.class == "proxy-auth" {
        report.causes.push(CauseHit::new(
            "proxy-auth-required",
            0.95,
            format!("the proxy refused the tunnel: {}", e.message),
        ));
    } else if e.class != "usage" {
        report.causes.push(CauseHit::new(
            "server-unreachable",
            0.95,
            format!("{}: {}", e.reason(), e.message),
        ));
    }
    report
}
