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

/// One HTTP exchange read from a report: the report's own facts, or (inside a `check`
/// battery report) the facts of one of its parts, below `PART.`.
struct Exchange<'a> {
    report: &'a ProbeReport,
    /// `""` for the report itself, `"PART."` for a battery part.
    prefix: String,
    /// The probe id shown: the report's, or `check.PART`.
    id: String,
    /// A request a browser made and a HAR export recorded (its facts below `first_401_`),
    /// not one why401 sent.
    from_har: bool,
}

impl Exchange<'_> {
    fn str(&self, name: &str) -> Option<&str> {
        str_fact(self.report, &format!("{}{name}", self.prefix))
    }

    fn list(&self, name: &str) -> Vec<String> {
        list_fact(self.report, &format!("{}{name}", self.prefix))
    }

    fn int(&self, name: &str) -> Option<i64> {
        int_fact(self.report, &format!("{}{name}", self.prefix))
    }

    fn sent_credentials(&self) -> Option<bool> {
        match self
            .report
            .facts
            .get(&format!("{}sent_credentials", self.prefix))
        {
            Some(FactValue::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// The method: the `method` fact, else the probe's first evidence line `GET url → ...`.
    fn method(&self) -> Option<String> {
        if let Some(m) = self.str("method") {
            return Some(m.to_owned());
        }
        if !self.prefix.is_empty() {
            return None;
        }
        let first = self.report.evidence.first()?.split_whitespace().next()?;
        (first.len() <= 10 && first.chars().all(|c| c.is_ascii_uppercase()))
            .then(|| first.to_owned())
    }

    /// For a battery part without an address of its own: the address of the battery's request.
    fn battery_address(&self) -> Option<&str> {
        if self.prefix.is_empty() {
            return None;
        }
        str_fact(self.report, "http.final_url").or_else(|| str_fact(self.report, "http.url"))
    }

    /// The kinds of credentials the request carried (see `Credentials::kinds`).
    fn credentials(&self) -> Vec<Credential> {
        let mut out = Vec::new();
        for kind in self.list("sent_as") {
            let c = Credential::from_kind(&kind);
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }
}

/// Every HTTP exchange the reports describe, in order: reports that have `responded`, and
/// the distinct requests inside a `check` battery (its parts that read one shared request
/// count once).
fn exchanges(reports: &[ProbeReport]) -> Vec<Exchange<'_>> {
    let mut out = Vec::new();
    for r in reports {
        if r.kind == crate::probe::battery::NAME {
            out.extend(battery_exchanges(r));
        } else if r.kind == "http" || r.facts.contains_key("responded") {
            out.push(Exchange {
                report: r,
                prefix: String::new(),
                id: r.id.clone(),
                from_har: false,
            });
        } else if r.kind == "har" && r.facts.contains_key("first_401_url") {
            out.push(Exchange {
                report: r,
                prefix: "first_401_".to_owned(),
                id: r.id.clone(),
                from_har: true,
            });
        }
    }
    // Probes of one step that read the same request (a flow's own `http` probe and the
    // battery's main request) report the same exchange number: it went out once.
    let mut seen = std::collections::HashSet::new();
    out.retain(|ex| ex.int("exchange").is_none_or(|n| seen.insert(n)));
    out
}

/// The distinct requests of a battery report. Parts that read the shared request (the
/// challenge, clock, cache, cookie parts) record no address of their own: such a part is the
/// request of an addressed part with the same method, credentials and status, or else one
/// more request to the battery's address (the CORS preflight).
fn battery_exchanges(r: &ProbeReport) -> Vec<Exchange<'_>> {
    let parts: Vec<Exchange<'_>> = crate::probe::battery::PARTS
        .iter()
        .map(|(part, _)| Exchange {
            report: r,
            prefix: format!("{part}."),
            id: format!("{}.{part}", r.id),
            from_har: false,
        })
        .filter(|ex| ex.sent_credentials().is_some() || ex.str("error.message").is_some())
        .collect();
    let url = |ex: &Exchange<'_>| {
        ex.str("final_url")
            .or_else(|| ex.str("url"))
            .map(str::to_owned)
    };
    let key = |ex: &Exchange<'_>| (ex.method(), ex.list("sent_as"), ex.int("status"));
    let (addressed, bare): (Vec<_>, Vec<_>) = parts.into_iter().partition(|ex| url(ex).is_some());
    let mut out: Vec<Exchange<'_>> = Vec::new();
    for ex in addressed {
        if !out.iter().any(|o| key(o) == key(&ex) && url(o) == url(&ex)) {
            out.push(ex);
        }
    }
    let mut extra: Vec<Exchange<'_>> = Vec::new();
    for ex in bare {
        if !out.iter().chain(&extra).any(|o| key(o) == key(&ex)) {
            extra.push(ex);
        }
    }
    out.extend(extra);
    out
}

pub(super) fn observations(reports: &[ProbeReport]) -> Vec<Observation> {
    exchanges(reports)
        .iter()
        .map(|ex| Observation {
            probe: ex.id.clone(),
            method: ex.method(),
            url: ex
                .str("final_url")
                .or_else(|| ex.str("url"))
                .or_else(|| ex.battery_address())
                .map(str::to_owned),
            status: ex.int("status").and_then(|s| u16::try_from(s).ok()),
            reason: ex.str("reason").unwrap_or_default().to_owned(),
            sent_credentials: ex.sent_credentials(),
            credentials: ex.credentials(),
            challenges: if ex.from_har {
                list_fact(ex.report, "challenge")
            } else {
                ex.list("challenge.raw")
            },
            proxy_challenges: ex.list("proxy_challenge.raw"),
            headers: KEY_HEADERS
                .iter()
                .filter(|h| !matches!(**h, "www-authenticate" | "proxy-authenticate" | "location"))
                .filter_map(|h| {
                    ex.str(&format!("header.{h}")).map(|v| Header {
                        name: (*h).to_owned(),
                        value: v.to_owned(),
                    })
                })
                .collect(),
            location: ex.str("location").map(str::to_owned),
            elapsed_ms: match ex.int("elapsed_ms") {
                _ if ex.from_har => None,
                Some(ms) if !ex.prefix.is_empty() => u64::try_from(ms).ok(),
                _ => Some(ex.report.elapsed_ms),
            },
            recorded_in: ex.from_har.then(|| "a HAR export".to_owned()),
            error: ex.str("error.message").map(str::to_owned),
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
    // A followed request lists its hops, each with whether it carried credentials.
    if let Some(hops) = reports
        .iter()
        .map(|r| list_fact(r, "hops"))
        .find(|h| h.len() > 1)
    {
        return hops;
    }
    // Else each answer that redirected: a 3xx and its Location (a followed request's last
    // answer keeps the Location of a hop before it, and is no redirect).
    exchanges(reports)
        .iter()
        .filter(|ex| ex.int("status").is_some_and(|s| (300..400).contains(&s)))
        .filter_map(|ex| {
            let to = ex.str("location")?;
            let from = ex.str("final_url").unwrap_or("?");
            let status = ex.int("status").unwrap_or(0);
            Some(format!("{from} → {status} → {to}"))
        })
        .collect()
}

/// The target of a walk: the first request a probe made, and every kind of credential any
/// request of the walk carried, the re-test's included.
pub(super) fn target_of(reports: &[ProbeReport], session: &Session) -> Option<Target> {
    let all = exchanges(reports);
    let first = all.first();
    let url = first
        .and_then(|ex| ex.str("final_url"))
        .map(str::to_owned)
        .or_else(|| session.answers.get("url").cloned())?;
    let mut credentials: Vec<Credential> = Vec::new();
    let retest = session
        .verification
        .iter()
        .flat_map(|v| v.sent_as.iter().map(|k| Credential::from_kind(k)));
    for c in all.iter().flat_map(Exchange::credentials).chain(retest) {
        if !credentials.contains(&c) {
            credentials.push(c);
        }
    }
    // A session saved before requests recorded their kinds: tell them by the answers.
    if credentials.is_empty() && all.iter().any(|ex| ex.sent_credentials() == Some(true)) {
        credentials = credentials_of(session);
    }
    Some(Target {
        what: None,
        resolved_address: resolved_address(reports, Some(&url)),
        method: first
            .and_then(Exchange::method)
            .or_else(|| Some("GET".to_owned())),
        url: Some(url),
        credentials,
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
            "the server's Date header vs this machine, in the checks' clock request".to_owned()
        } else {
            format!("the server's Date header vs this machine, check '{}'", r.id)
        };
        Some((v, how))
    })
}

/// Server Date minus `now`, from the first HTTP answer that had a Date header.
pub(super) fn date_header_offset(reports: &[ProbeReport], now: DateTime<Utc>) -> Option<f64> {
    exchanges(reports).iter().find_map(|ex| {
        let date = DateTime::parse_from_rfc2822(ex.str("header.date")?).ok()?;
        Some((date.with_timezone(&Utc) - now).num_seconds() as f64)
    })
}
