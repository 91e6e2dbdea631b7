//! The `cors` probe: the preflight a browser sends before a cross-origin request with an
//! Authorization header. A preflight never carries credentials (Fetch standard), so a server
//! that demands them there blocks every browser client.

use futures::FutureExt;
use reqwest::header::{HeaderName, HeaderValue};

use super::fact;
use super::http::{self, Target};
use super::{ArgSpec, FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, Verdict};
use crate::diagnose::CauseHit;

/// Used when no origin is given: a name that cannot be anybody's site.
pub(crate) const DEFAULT_ORIGIN: &str = "https://why401-preflight.invalid";

pub(crate) const KIND: ProbeKind = ProbeKind {
    name: "cors",
    doc: "CORS preflight OPTIONS asking to send Authorization: is it answered without credentials?",
    args: &[
        ArgSpec {
            name: "url",
            required: true,
            secret: false,
            doc: "address the browser calls",
        },
        ArgSpec {
            name: "method",
            required: false,
            secret: false,
            doc: "method of the real request (GET)",
        },
        ArgSpec {
            name: "origin",
            required: false,
            secret: false,
            doc: "the page's origin",
        },
    ],
    facts: &[
        fact("status", FactType::Int, "status of the preflight"),
        fact(
            "explicit_origin",
            FactType::Bool,
            "the origin was given (a browser page is involved)",
        ),
        fact(
            "requires_auth",
            FactType::Bool,
            "the preflight was answered 401 or 407",
        ),
        fact("allow_origin", FactType::Str, "Access-Control-Allow-Origin"),
        fact(
            "allow_credentials",
            FactType::Bool,
            "Access-Control-Allow-Credentials: true",
        ),
        fact(
            "allow_headers",
            FactType::Str,
            "Access-Control-Allow-Headers",
        ),
        fact(
            "allows_authorization",
            FactType::Bool,
            "Authorization may be sent",
        ),
        fact(
            "wildcard_with_credentials",
            FactType::Bool,
            "origin * with credentials: browsers refuse it",
        ),
    ],
    run,
};

fn run(id: String, args: ProbeArgs, ctx: ProbeContext) -> super::ProbeFuture {
    async move { preflight(&id, &args, &ctx).await }.boxed()
}

async fn preflight(id: &str, args: &ProbeArgs, ctx: &ProbeContext) -> ProbeReport {
    let report = ProbeReport::new(id, "cors");
    let url = match args.get("url").map(|u| http::parse_url(u)) {
        Some(Ok(u)) => u,
        Some(Err(e)) => return http::unreachable(report, &e),
        None => return ProbeReport::failed(id, "cors", "no url given"),
    };
    let origin = args
        .get("origin")
        .filter(|o| !o.is_empty())
        .map_or(DEFAULT_ORIGIN, String::as_str);
    let method = args
        .get("method")
        .map_or("GET", String::as_str)
        .to_ascii_uppercase();
    let mut plain = Vec::new();
    for (name, value) in [
        ("origin", origin),
        ("access-control-request-method", method.as_str()),
        ("access-control-request-headers", "authorization"),
    ] {
        let Ok(v) = HeaderValue::from_str(value) else {
            let e = http::FetchError::usage(&format!("'{value}' is not a valid {name} value"));
            return http::unreachable(report, &e);
        };
        plain.push((HeaderName::from_static(name), v));
    }
    let target = Target {
        url,
        method: reqwest::Method::OPTIONS,
        creds: http::Credentials::default(),
        plain_headers: plain,
        follow_redirects: false,
        body: None,
    };
    match http::fetch_target(report, target, ctx).await {
        Ok((mut report, target, ex)) => {
            describe(&mut report, &target, &ex, origin, origin != DEFAULT_ORIGIN);
            report
        }
        Err(report) => report,
    }
}

fn describe(
    report: &mut ProbeReport,
    target: &Target,
    ex: &http::Exchange,
    origin: &str,
    explicit_origin: bool,
) {
    let h = |n: &str| http::header_text(&ex.headers, n);
    let allow_origin = h("access-control-allow-origin").unwrap_or_default();
    let allow_credentials =
        h("access-control-allow-credentials").is_some_and(|v| v.trim() == "true");
    let allow_headers = h("access-control-allow-headers").unwrap_or_default();
    let allows_auth = allow_headers
        .split(',')
        .any(|x| x.trim().eq_ignore_ascii_case("authorization"));
    let requires_auth = matches!(ex.status, 401 | 407);
    let wildcard = allow_origin.trim() == "*" && allow_credentials;
    report.fact("requires_auth", requires_auth);
    report.fact("explicit_origin", explicit_origin);
    report.fact("allow_origin", allow_origin.as_str());
    report.fact("allow_credentials", allow_credentials);
    report.fact("allow_headers", allow_headers.as_str());
    report.fact("allows_authorization", allows_auth);
    report.fact("wildcard_with_credentials", wildcard);
    let line = format!(
        "OPTIONS {} (Origin: {origin}, Access-Control-Request-Headers: authorization) → {}",
        target.url, ex.status
    );
    report.evidence.push(line.clone());
    if ex.status == 407 {
        // A proxy on the way wants credentials: not the site's CORS configuration.
        report.verdict = Verdict::Warn;
        "the preflight is answered 407 by a proxy on the way, not by the site"
            .clone_into(&mut report.summary);
    } else if requires_auth {
        report.verdict = Verdict::Fail;
        report.summary = format!(
            "the CORS preflight is answered {}: browsers never send credentials on it",
            ex.status
        );
        // Without an origin the person did not say a browser is involved: a remark, not a cause.
        report.causes.push(if explicit_origin {
            CauseHit::new("cors-preflight-requires-auth", 0.85, line)
        } else {
            CauseHit::remark("cors-preflight-requires-auth", 0.35, line)
        });
    } else if wildcard {
        report.verdict = Verdict::Warn;
        "Access-Control-Allow-Origin: * with Allow-Credentials: true — browsers reject credentialed requests".clone_into(&mut report.summary);
        report.evidence.push(report.summary.clone());
    } else if (200..300).contains(&ex.status) && !allows_auth && !allow_origin.is_empty() {
        report.verdict = Verdict::Warn;
        "the preflight does not list Authorization in Access-Control-Allow-Headers"
            .clone_into(&mut report.summary);
        report.evidence.push(report.summary.clone());
    } else {
        report.verdict = Verdict::Ok;
        report.summary = format!(
            "preflight answered {} without asking for credentials",
            ex.status
        );
    }
}
