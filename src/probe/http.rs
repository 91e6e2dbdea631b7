//! The `http` probe: one request, redirects not followed, the answer described as facts.

use std::time::Instant;

use futures::FutureExt;

use super::{
    ArgSpec, FactSpec, FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, Verdict,
};
use crate::diagnose::CauseHit;

/// Bytes of body read at most; the rest is dropped.
pub const BODY_LIMIT: usize = 64 * 1024;

pub const KIND: ProbeKind = ProbeKind {
    name: "http",
    doc: "One HTTP request (redirects not followed): status, headers, challenges, timing.",
    args: &[
        ArgSpec {
            name: "url",
            required: true,
            secret: false,
            doc: "address to request",
        },
        ArgSpec {
            name: "method",
            required: false,
            secret: false,
            doc: "request method (GET)",
        },
        ArgSpec {
            name: "authorization",
            required: false,
            secret: true,
            doc: "Authorization header value",
        },
        ArgSpec {
            name: "user",
            required: false,
            secret: false,
            doc: "Basic user name",
        },
        ArgSpec {
            name: "password",
            required: false,
            secret: true,
            doc: "Basic password",
        },
        ArgSpec {
            name: "cookie",
            required: false,
            secret: true,
            doc: "Cookie header value",
        },
    ],
    facts: &[
        FactSpec {
            name: "responded",
            ty: FactType::Bool,
            doc: "an HTTP answer came back",
        },
        FactSpec {
            name: "status",
            ty: FactType::Int,
            doc: "status code",
        },
        FactSpec {
            name: "reason",
            ty: FactType::Str,
            doc: "reason phrase",
        },
        FactSpec {
            name: "sent_credentials",
            ty: FactType::Bool,
            doc: "the request carried credentials",
        },
        FactSpec {
            name: "challenge.raw",
            ty: FactType::StrList,
            doc: "WWW-Authenticate field values",
        },
        FactSpec {
            name: "challenge.scheme",
            ty: FactType::Str,
            doc: "first challenge's scheme, lower-case",
        },
        FactSpec {
            name: "challenge.schemes",
            ty: FactType::StrList,
            doc: "every challenge scheme, lower-case",
        },
        FactSpec {
            name: "challenge.realm",
            ty: FactType::Str,
            doc: "first challenge's realm",
        },
        FactSpec {
            name: "proxy_challenge.raw",
            ty: FactType::StrList,
            doc: "Proxy-Authenticate values",
        },
        FactSpec {
            name: "location",
            ty: FactType::Str,
            doc: "Location header of a redirect",
        },
        FactSpec {
            name: "final_url",
            ty: FactType::Str,
            doc: "the URL that answered",
        },
        FactSpec {
            name: "elapsed_ms",
            ty: FactType::Int,
            doc: "time to the answer",
        },
        FactSpec {
            name: "body_bytes",
            ty: FactType::Int,
            doc: "body bytes read (bounded)",
        },
        FactSpec {
            name: "error.class",
            ty: FactType::Str,
            doc: "dns, refused, reset, timeout, tls, protocol, url, other",
        },
        FactSpec {
            name: "error.message",
            ty: FactType::Str,
            doc: "what went wrong",
        },
        FactSpec {
            name: "header.*",
            ty: FactType::Str,
            doc: "a response header, lower-case name",
        },
    ],
    run,
};

fn run(id: String, args: ProbeArgs, ctx: ProbeContext) -> super::ProbeFuture {
    async move { request(&id, &args, &ctx).await }.boxed()
}

async fn request(id: &str, args: &ProbeArgs, ctx: &ProbeContext) -> ProbeReport {
    let mut report = ProbeReport::new(id, "http");
    let Some(raw_url) = args.get("url") else {
        return ProbeReport::failed(id, "http", "no url given");
    };
    let url = match url::Url::parse(raw_url.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u,
        Ok(u) => {
            return unreachable_report(
                report,
                "url",
                &format!("unsupported scheme '{}'", u.scheme()),
            );
        }
        Err(e) => return unreachable_report(report, "url", &format!("not a valid URL: {e}")),
    };
    let method = args.get("method").map_or("GET", String::as_str);
    let Ok(method) = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes()) else {
        return unreachable_report(report, "url", &format!("not a valid method '{method}'"));
    };
    let mut builder = ctx.client.request(method.clone(), url.clone());
    let mut sent = false;
    if let Some(auth) = args.get("authorization").filter(|v| !v.is_empty()) {
        builder = builder.header(reqwest::header::AUTHORIZATION, auth.as_str());
        sent = true;
    } else if let Some(user) = args.get("user").filter(|v| !v.is_empty()) {
        builder = builder.basic_auth(user, args.get("password"));
        sent = true;
    }
    if let Some(cookie) = args.get("cookie").filter(|v| !v.is_empty()) {
        builder = builder.header(reqwest::header::COOKIE, cookie.as_str());
        sent = true;
    }
    report.fact("sent_credentials", sent);
    let started = Instant::now();
    let response = match builder.send().await {
        Ok(r) => r,
        Err(e) => {
            let (class, message) = classify(&e);
            return unreachable_report(report, class, &message);
        }
    };
    let elapsed = started.elapsed();
    describe(&mut report, &response, method.as_str(), &url);
    let body_bytes = read_bounded(response).await;
    report.fact("body_bytes", body_bytes as i64);
    report.elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    report.fact("elapsed_ms", report.elapsed_ms as i64);
    report
}

fn describe(report: &mut ProbeReport, response: &reqwest::Response, method: &str, url: &url::Url) {
    let status = response.status();
    report.fact("responded", true);
    report.fact("status", i64::from(status.as_u16()));
    report.fact("reason", status.canonical_reason().unwrap_or(""));
    report.fact("final_url", url.as_str());
    let headers = response.headers();
    for (name, value) in headers {
        let key = format!("header.{}", name.as_str());
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        // Several lines of one field are combined as RFC 9110 §5.3 says.
        let combined = match report.facts.get(&key) {
            Some(prev) => format!("{prev}, {value}"),
            None => value,
        };
        report.fact(&key, combined);
    }
    let challenges: Vec<String> = field_values(headers, reqwest::header::WWW_AUTHENTICATE);
    let schemes: Vec<String> = challenges
        .iter()
        .filter_map(|c| c.split_whitespace().next())
        .map(|s| s.trim_end_matches(',').to_ascii_lowercase())
        .collect();
    if let Some(first) = schemes.first() {
        report.fact("challenge.scheme", first.as_str());
    }
    if let Some(realm) = challenges.iter().find_map(|c| realm_of(c)) {
        report.fact("challenge.realm", realm);
    }
    report.fact("challenge.schemes", schemes);
    report.fact("challenge.raw", challenges.clone());
    let proxy = field_values(headers, reqwest::header::PROXY_AUTHENTICATE);
    report.fact("proxy_challenge.raw", proxy);
    if let Some(loc) = headers.get(reqwest::header::LOCATION) {
        report.fact(
            "location",
            String::from_utf8_lossy(loc.as_bytes()).into_owned(),
        );
    }
    report.evidence.push(format!(
        "{method} {url} → {} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    ));
    for c in &challenges {
        report.evidence.push(format!("WWW-Authenticate: {c}"));
    }
    report.verdict = match status.as_u16() {
        401 | 407 => Verdict::Fail,
        400..=599 => Verdict::Warn,
        _ => Verdict::Ok,
    };
    report.summary = match status.as_u16() {
        401 if challenges.is_empty() => "401 without a WWW-Authenticate challenge".to_owned(),
        401 => format!("401, server asks for {}", challenges.join(" / ")),
        code => format!("{code} {}", status.canonical_reason().unwrap_or("")),
    };
    if status.as_u16() == 401 && challenges.is_empty() {
        report.causes.push(CauseHit::new(
            "missing-www-authenticate",
            0.6,
            format!("{method} {url} answered 401 with no WWW-Authenticate header"),
        ));
    }
}

fn field_values(
    headers: &reqwest::header::HeaderMap,
    name: reqwest::header::HeaderName,
) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned())
        .collect()
}

/// The realm of a challenge, quoted or not. The full parser lives in the challenge probe.
fn realm_of(challenge: &str) -> Option<String> {
    let lower = challenge.to_ascii_lowercase();
    let at = lower.find("realm=")? + "realm=".len();
    let rest = &challenge[at..];
    if let Some(quoted) = rest.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = quoted.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.extend(chars.next()),
                '"' => return Some(out),
                c => out.push(c),
            }
        }
        Some(out)
    } else {
        Some(rest.split([',', ' ']).next().unwrap_or("").to_owned())
    }
}

async fn read_bounded(mut response: reqwest::Response) -> usize {
    let mut total = 0usize;
    while let Ok(Some(chunk)) = response.chunk().await {
        total += chunk.len();
        if total >= BODY_LIMIT {
            break;
        }
    }
    total
}

fn unreachable_report(mut report: ProbeReport, class: &str, message: &str) -> ProbeReport {
    report.fact("responded", false);
    report.fact("error.class", class);
    report.fact("error.message", message);
    report.verdict = Verdict::Fail;
    report.summary = format!("no HTTP answer: {message}");
    report
        .evidence
        .push(format!("no HTTP answer ({class}): {message}"));
    if class != "url" {
        report.causes.push(CauseHit::new(
            "server-unreachable",
            0.9,
            format!("{class}: {message}"),
        ));
    }
    report
}

/// Sorts a request error into a class a person can act on, with the innermost reason.
pub fn classify(e: &reqwest::Error) -> (&'static str, String) {
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !chain.contains(&text) {
            if !chain.is_empty() {
                chain.push_str(": ");
            }
            chain.push_str(&text);
        }
        source = s.source();
    }
    let lower = chain.to_ascii_lowercase();
    let class = if e.is_timeout() || lower.contains("timed out") {
        "timeout"
    } else if lower.contains("dns")
        || lower.contains("failed to lookup")
        || lower.contains("name or service not known")
    {
        "dns"
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        "tls"
    } else if lower.contains("connection refused") {
        "refused"
    } else if lower.contains("reset")
        || lower.contains("connection closed")
        || lower.contains("broken pipe")
    {
        "reset"
    } else if e.is_connect() {
        "refused"
    } else if lower.contains("invalid") || lower.contains("parse") || e.is_decode() {
        "protocol"
    } else {
        "other"
    };
    (class, chain)
}
