//! `why401 check URL`: the probe battery run concurrently, the rules applied, the causes
//! printed most likely first with evidence, fix and who applies it.

use std::time::{Duration, Instant};

use anyhow::bail;

use crate::cli::{CheckArgs, GlobalArgs};
use crate::command::Outcome;
use crate::diagnose::rules::{self, RuleInput, ids};
use crate::diagnose::{self, CauseHit};
use crate::probe::http::{self, Credentials};
use crate::probe::{self, ProbeArgs, ProbeContext, ProbeReport, ProbeRequest};

mod input;
mod render;

pub use render::CheckResult;

/// Entry point of the subcommand.
pub fn run(args: &CheckArgs, _global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let mut url = http::parse_url(&args.url).map_err(|e| anyhow::anyhow!("{}", e.message))?;
    if let Some(b) = &args.backend {
        http::parse_url(b).map_err(|e| anyhow::anyhow!("--backend: {}", e.message))?;
    }
    if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 3600.0) {
        bail!("--timeout must be between 0 and 3600 seconds");
    }
    reqwest::Method::from_bytes(args.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| anyhow::anyhow!("--method: '{}' is not a valid method", args.method))?;
    let mut creds = input::credentials(args)?;
    take_userinfo(&mut url, &mut creds);
    let timeout = Duration::from_secs_f64(args.timeout);
    let result = crate::command::runtime()?.block_on(battery(args, &url, &creds, timeout))?;
    let text = if args.json {
        result.json()
    } else {
        result.text()
    };
    println!("{text}");
    if let Some(path) = &args.report.report {
        let mut ticket = crate::report::Ticket::from_reports(
            &crate::report::TargetSpec::request(&result.url, &result.method),
            &result.reports,
            result.causes.clone(),
        );
        for secret in secrets_of(&creds) {
            ticket.add_secret("secret", secret);
        }
        ticket.attach(
            "why401 check",
            None,
            result.text().lines().map(str::to_owned).collect(),
        );
        crate::report::write_report(path, args.report.format, &ticket)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(if result.found_problem() {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Every secret value the credentials hold, so the ticket can hide each wherever it shows up.
fn secrets_of(creds: &Credentials) -> Vec<&str> {
    let mut out: Vec<&str> = [&creds.authorization, &creds.password, &creds.cookie]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    out.extend(creds.headers.iter().map(|(_, v)| v.as_str()));
    out.extend(creds.api_key_query.iter().map(|(_, v)| v.as_str()));
    out
}

/// `http://user:pass@host/` works as in curl, but the password never reaches any output:
/// it moves into the credentials and the URL shown is without it.
fn take_userinfo(url: &mut url::Url, creds: &mut Credentials) {
    if url.username().is_empty() && url.password().is_none() {
        return;
    }
    if creds.user.is_none() && creds.authorization.is_none() {
        creds.user = Some(http::percent_decode(url.username()));
        creds.password = Some(url.password().map(http::percent_decode).unwrap_or_default());
    }
    let _ = url.set_username("");
    let _ = url.set_password(None);
}

/// The probe arguments for a request to `url` with `creds`.
fn request_args(url: &str, method: &str, creds: Option<&Credentials>) -> ProbeArgs {
    let mut a = ProbeArgs::new();
    a.insert("url".into(), url.to_owned());
    a.insert("method".into(), method.to_owned());
    let Some(c) = creds else {
        return a;
    };
    let mut put = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            a.insert(k.to_owned(), v.clone());
        }
    };
    put("authorization", &c.authorization);
    put("user", &c.user);
    put("password", &c.password);
    put("cookie", &c.cookie);
    if let Some((name, key)) = &c.api_key_query {
        a.insert("api_key_query".into(), name.clone());
        a.insert("api_key".into(), key.clone());
    }
    if !c.headers.is_empty() {
        let lines: Vec<String> = c.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        a.insert("headers".into(), lines.join("\n"));
    }
    a
}

fn req(id: &str, kind: &str, args: ProbeArgs) -> ProbeRequest {
    ProbeRequest {
        id: id.to_owned(),
        kind: kind.to_owned(),
        args,
    }
}

/// Every request of the battery, and what the rules need to know about them.
pub fn plan(
    args: &CheckArgs,
    url: &url::Url,
    creds: &Credentials,
) -> (Vec<ProbeRequest>, RuleInput) {
    let u = url.as_str();
    let m = args.method.to_ascii_uppercase();
    let given = request_args(u, &m, Some(creds));
    let mut reqs = vec![
        req(ids::MAIN, "http", given.clone()),
        req("challenge", "challenge", given.clone()),
        req("clock", "clock", request_args(u, &m, None)),
        req("cache", "cache", given.clone()),
        req("cookie", "cookie", given.clone()),
        req("limits", "limits", given),
    ];
    let mut cors = request_args(u, &m, None);
    if let Some(o) = &args.origin {
        cors.insert("origin".into(), o.clone());
    }
    reqs.push(req("cors", "cors", cors));
    let mut input = RuleInput {
        cookie_sent: creds.cookie.is_some(),
        header_names: creds.headers.iter().map(|(n, _)| n.clone()).collect(),
        scheme_sent: creds
            .authorization
            .as_deref()
            .and_then(|a| a.split_whitespace().next())
            .map(str::to_ascii_lowercase)
            .or_else(|| creds.user.as_ref().map(|_| "basic".to_owned())),
        normalisation: None,
    };
    if creds.any() {
        reqs.push(req(ids::ANONYMOUS, "http", request_args(u, &m, None)));
        if url.path() != "/" {
            let mut root = url.clone();
            root.set_path("/");
            root.set_query(None);
            reqs.push(req(
                ids::ELSEWHERE,
                "http",
                request_args(root.as_str(), "GET", Some(creds)),
            ));
            reqs.push(req(
                ids::ELSEWHERE_ANONYMOUS,
                "http",
                request_args(root.as_str(), "GET", None),
            ));
        }
    }
    if let Some((fixed, kind)) = creds
        .authorization
        .as_deref()
        .and_then(rules::normalise_authorization)
    {
        let mut c = creds.clone();
        c.authorization = Some(fixed);
        reqs.push(req(ids::NORMALISED, "http", request_args(u, &m, Some(&c))));
        input.normalisation = Some(kind);
    }
    if let Some(b) = &args.backend {
        reqs.push(req(ids::BACKEND, "http", request_args(b, &m, Some(creds))));
    }
    (reqs, input)
}

/// Runs the battery concurrently and ranks what it found.
pub async fn battery(
    args: &CheckArgs,
    url: &url::Url,
    creds: &Credentials,
    timeout: Duration,
) -> anyhow::Result<CheckResult> {
    let ctx = ProbeContext::new(timeout)?;
    let (reqs, input) = plan(args, url, creds);
    let started = Instant::now();
    let reports = probe::run_all(reqs, &ctx).await;
    let elapsed = started.elapsed();
    let mut hits: Vec<CauseHit> = reports
        .iter()
        .flat_map(|r| r.causes.iter().cloned())
        .collect();
    hits.extend(rules::diagnose(&reports, &input));
    if let Some(a) = &creds.authorization {
        hits.extend(rules::lint_authorization(a));
    }
    Ok(CheckResult {
        url: url.to_string(),
        method: args.method.to_ascii_uppercase(),
        causes: diagnose::rank(only_main_unreachable(hits, &reports)),
        reports,
        elapsed,
        sent: creds.describe(),
    })
}

/// Side requests (the site root, the backend) that fail must not claim the whole site is
/// down when the main request got an answer.
fn only_main_unreachable(hits: Vec<CauseHit>, reports: &[ProbeReport]) -> Vec<CauseHit> {
    let main_answered = reports
        .iter()
        .find(|r| r.id == ids::MAIN)
        .and_then(|r| r.facts.get("responded"))
        .is_some_and(|v| *v == probe::FactValue::Bool(true));
    hits.into_iter()
        .filter(|h| !(main_answered && h.id == "server-unreachable"))
        .collect()
}
