//! What the HTTP probes saw, read back from their facts.

use chrono::{DateTime, Utc};

use super::{Credential, Header, Observation, Target};
use crate::flow::Session;
use crate::probe::{FactValue, ProbeReport};

/// Response headers that matter for a 401, in the order a reader wants them.
const KEY_HEADERS: &[&str] = &[
    "www-authenticate",
    "proxy-authenticate",
    "location",
    "date",
    "server",
    "via",
    "cache-control",
    "age",
    "x-cache",
    "cf-cache-status",
    "vary",
    "set-cookie",
    "content-type",
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "retry-after",
    "x-ratelimit-remaining",
];

fn str_fact<'a>(r: &'a ProbeReport, name: &str) -> Option<&'a str> {
    match r.facts.get(name)? {
        FactValue::Str(s) => Some(s),
        _ => None,
    }
}

fn list_fact(r: &ProbeReport, name: &str) -> Vec<String> {
    match r.facts.get(name) {
        Some(FactValue::StrList(v)) => v.clone(),
        Some(FactValue::Str(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn int_fact(r: &ProbeReport, name: &str) -> Option<i64> {
    match r.facts.get(name)? {
        FactValue::Int(i) => Some(*i),
        FactValue::Float(f) => Some(*f as i64),
        _ => None,
    }
}

/// Reports that describe one HTTP exchange (they have `responded`).
fn exchanges(reports: &[ProbeReport]) -> impl Iterator<Item = &ProbeReport> {
    reports
        .iter()
        .filter(|r| r.kind == "http" || r.facts.contains_key("responded"))
}

/// The method of a request, read from the probe's first evidence line `GET url → ...`.
fn method_of(r: &ProbeReport) -> Option<String> {
    if let Some(m) = str_fact(r, "method") {
        return Some(m.to_owned());
    }
    let first = r.evidence.first()?.split_whitespace().next()?;
    (first.len() <= 10 && first.chars().all(|c| c.is_ascii_uppercase())).then(|| first.to_owned())
}

pub(super) fn observations(reports: &[ProbeReport]) -> Vec<Observation> {
    exchanges(reports)
        .map(|r| Observation {
            probe: r.id.clone(),
            method: method_of(r),
            url: str_fact(r, "final_url")
                .or_else(|| str_fact(r, "url"))
                .map(str::to_owned),
            status: int_fact(r, "status").and_then(|s| u16::try_from(s).ok()),
            reason: str_fact(r, "reason").unwrap_or_default().to_owned(),
            sent_credentials: match r.facts.get("sent_credentials") {
                Some(FactValue::Bool(b)) => Some(*b),
                _ => None,
            },
            challenges: list_fact(r, "challenge.raw"),
            proxy_challenges: list_fact(r, "proxy_challenge.raw"),
            headers: KEY_HEADERS
                .iter()
                .filter(|h| !matches!(**h, "www-authenticate" | "proxy-authenticate" | "location"))
                .filter_map(|h| {
                    str_fact(r, &format!("header.{h}")).map(|v| Header {
                        name: (*h).to_owned(),
                        value: v.to_owned(),
                    })
                })
                .collect(),
            location: str_fact(r, "location").map(str::to_owned),
            elapsed_ms: Some(r.elapsed_ms),
            error: str_fact(r, "error.message").map(str::to_owned),
        })
        .collect()
}

pub(super) fn redirect_chain(reports: &[ProbeReport]) -> Vec<String> {
    // A redirect probe, when there is one, knows the whole chain.
    if let Some(chain) = reports
        .iter()
        .map(|r| list_fact(r, "chain"))
        .find(|c| !c.is_empty())
    {
        return chain;
    }
    exchanges(reports)
        .filter_map(|r| {
            let to = str_fact(r, "location")?;
            let from = str_fact(r, "final_url").unwrap_or("?");
            let status = int_fact(r, "status").unwrap_or(0);
            Some(format!("{from} → {status} → {to}"))
        })
        .collect()
}

/// The target of a walk: the first request a probe made, and the credentials the walk gave.
pub(super) fn target_of(reports: &[ProbeReport], session: &Session) -> Option<Target> {
    let first = exchanges(reports).next();
    let url = first
        .and_then(|r| str_fact(r, "final_url"))
        .map(str::to_owned)
        .or_else(|| session.answers.get("url").cloned())?;
    // Any request of the walk that carried credentials counts: the first is often the
    // clean one, sent before any were asked for.
    let sent = exchanges(reports)
        .any(|r| matches!(r.facts.get("sent_credentials"), Some(FactValue::Bool(true))));
    Some(Target {
        what: None,
        resolved_address: resolved_address(reports, Some(&url)),
        method: first.and_then(method_of).or_else(|| Some("GET".to_owned())),
        url: Some(url),
        credentials: if sent {
            credentials_of(session)
        } else {
            Vec::new()
        },
        connection: Vec::new(),
    })
}

/// The kinds of credentials a walk's answers stand for, told by their input ids.
fn credentials_of(session: &Session) -> Vec<Credential> {
    let user = ["user", "username", "login"]
        .iter()
        .find_map(|k| session.answers.get(*k))
        .cloned();
    let mut out = Vec::new();
    for id in &session.secret_inputs {
        let lower = id.to_ascii_lowercase();
        let c = if lower.contains("pass") {
            Credential::Basic {
                user: user.clone().unwrap_or_else(|| "USER".to_owned()),
            }
        } else if lower.contains("cookie") {
            Credential::Cookie { names: Vec::new() }
        } else if lower.contains("key") {
            Credential::Header {
                name: "X-API-Key".to_owned(),
            }
        } else if lower.contains("token") || lower.contains("jwt") || lower.contains("bearer") {
            Credential::Bearer
        } else {
            Credential::Authorization { scheme: None }
        };
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// The address the name resolved to, from a probe that recorded it, or the URL's own IP.
pub(super) fn resolved_address(reports: &[ProbeReport], url: Option<&str>) -> Option<String> {
    let recorded = reports.iter().find_map(|r| {
        ["remote_addr", "resolved_address", "peer_addr", "address"]
            .iter()
            .find_map(|k| str_fact(r, k))
    });
    if let Some(a) = recorded {
        return Some(a.to_owned());
    }
    let u = url::Url::parse(url?).ok()?;
    match u.host()? {
        url::Host::Ipv4(ip) => Some(ip.to_string()),
        url::Host::Ipv6(ip) => Some(ip.to_string()),
        url::Host::Domain(_) => None,
    }
}

/// The offset a `clock` probe measured, in seconds, with how.
pub(super) fn clock_probe_offset(reports: &[ProbeReport]) -> Option<(f64, String)> {
    // A clock probe of the flow, or the battery's `clock` part (its facts below `clock.`).
    let wanted = |r: &&ProbeReport| r.kind == "clock" || r.kind == "check";
    reports.iter().filter(wanted).find_map(|r| {
        let prefix = if r.kind == "check" { "clock." } else { "" };
        let secs = |name: &str, scale: f64| match r.facts.get(&format!("{prefix}{name}"))? {
            FactValue::Int(i) => Some(*i as f64 / scale),
            FactValue::Float(f) => Some(*f / scale),
            _ => None,
        };
        let v = secs("offset_seconds", 1.0)
            .or_else(|| secs("offset_s", 1.0))
            .or_else(|| secs("offset_ms", 1000.0))?;
        let how = if r.kind == "check" {
            "the checks' clock request (server Date vs this machine)".to_owned()
        } else {
            format!("clock probe '{}' (server Date vs this machine)", r.id)
        };
        Some((v, how))
    })
}

/// Server Date minus `now`, from the first HTTP answer that had a Date header.
pub(super) fn date_header_offset(reports: &[ProbeReport], now: DateTime<Utc>) -> Option<f64> {
    exchanges(reports).find_map(|r| {
        let date = DateTime::parse_from_rfc2822(str_fact(r, "header.date")?).ok()?;
        Some((date.with_timezone(&Utc) - now).num_seconds() as f64)
    })
}
