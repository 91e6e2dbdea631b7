//! The battery as one step of a flow: a `check` probe request (see `probe::battery`) runs
//! the same battery and ranking as `why401 check`, and comes back as one report whose facts
//! are the battery's (`top`, `causes`, `status`) and its parts' (`token.expired`), and whose
//! causes are the ranking. Every other kind runs as usual.

use crate::diagnose::{CauseHit, Ranking};
use crate::probe::battery::NAME;
use crate::probe::http::Credentials;
use crate::probe::{self, ProbeArgs, ProbeContext, ProbeReport, ProbeRequest, Verdict};
use crate::secret::Secret;

use super::{CheckRequest, CheckResult};

/// Runs one request of a flow step: the battery for `check`, the probe otherwise.
pub async fn run_probe(req: ProbeRequest, ctx: ProbeContext) -> ProbeReport {
    if req.kind != NAME {
        return probe::run_one(req, ctx).await;
    }
    let mut request = match request_from_args(&req.args, &ctx) {
        Ok(r) => r,
        Err(why) => return ProbeReport::failed(&req.id, NAME, why),
    };
    if !request.server.any() {
        request.server = server_found_here(&request.url).await;
    }
    let cancel = ctx.cancel.clone();
    tokio::select! {
        biased;
        () = cancel.cancelled() => ProbeReport::failed(&req.id, NAME, "cancelled"),
        r = super::run_in(&request, ctx.clone()) => match r {
            Ok(r) => as_report(&req.id, &r, !request.credentials.any()),
            Err(e) => ProbeReport::failed(&req.id, NAME, e.to_string()),
        },
    }
}

/// The configuration of the nginx or Apache on this machine that answers `url` (a loopback
/// address), so the wizard's battery weighs it as `check --nginx-conf` would without asking.
async fn server_found_here(url: &url::Url) -> super::ServerFiles {
    let url = url.to_string();
    let found = tokio::task::spawn_blocking(move || probe::local_server::config_for(&url))
        .await
        .ok()
        .flatten();
    let mut files = super::ServerFiles {
        found_here: true,
        ..super::ServerFiles::default()
    };
    match found {
        Some(("nginx", conf)) => files.nginx = Some(conf),
        Some((_, conf)) => files.apache = Some(conf),
        None => {}
    }
    files
}

/// Runs a step's requests concurrently; reports come back in request order. The step's
/// probes share their exchanges ([`step_context`]).
pub async fn run_probes(reqs: Vec<ProbeRequest>, ctx: &ProbeContext) -> Vec<ProbeReport> {
    let ctx = step_context(ctx);
    futures::future::join_all(reqs.into_iter().map(|r| run_probe(r, ctx.clone()))).await
}

/// The context for one run of a step's probes: a request several of them ask for (the
/// step's own `http` probe and the battery's main request, both plain) goes out once.
pub fn step_context(ctx: &ProbeContext) -> ProbeContext {
    let mut ctx = ctx.clone();
    ctx.shared = Some(std::sync::Arc::default());
    ctx
}

/// The check request a `check` step names; empty arguments count as not given.
fn request_from_args(args: &ProbeArgs, ctx: &ProbeContext) -> Result<CheckRequest, String> {
    let get = |k: &str| args.get(k).filter(|v| !v.trim().is_empty()).cloned();
    let raw = get("url").ok_or("no url given")?;
    let url = url::Url::parse(raw.trim())
        .map_err(|e| format!("not a valid address ({e}); write it as https://host/path"))?;
    let mut request = CheckRequest::new(url);
    if let Some(m) = get("method") {
        request.method = m.to_ascii_uppercase();
    }
    request.credentials = Credentials {
        authorization: get("authorization").map(Secret::from),
        user: get("user"),
        // A user with an empty password is still a Basic login.
        password: get("user")
            .map(|_| Secret::from(args.get("password").cloned().unwrap_or_default())),
        cookie: get("cookie").map(Secret::from),
        ..Credentials::default()
    };
    request.backend = get("backend");
    request.aud = get("aud");
    request.iss = get("iss");
    request.jwks = get("jwks");
    request.origin = get("origin");
    request.timeout = ctx.timeout;
    request.take_userinfo();
    Ok(request)
}

/// The battery's result as one report: its facts, its parts' facts below their ids, the
/// ranking as its causes. With `anonymous` (the step checked the address alone, without
/// credentials on purpose) that none were sent is a remark: true, but not why the person's
/// own request failed.
fn as_report(id: &str, result: &CheckResult, anonymous: bool) -> ProbeReport {
    let mut report = ProbeReport::new(id, NAME);
    for part in &result.reports {
        for (k, v) in &part.facts {
            report.facts.insert(format!("{}.{k}", part.id), v.clone());
        }
        if !part.summary.is_empty() {
            report
                .evidence
                .push(format!("{}: {}", part.id, part.summary));
        }
    }
    let ranking = Ranking::of_request(result.causes.iter().chain(&result.remarks).map(|h| {
        if anonymous && h.id == "no-credentials-sent" {
            h.clone().into_remark()
        } else {
            h.clone()
        }
    }));
    let ids = |hits: &[CauseHit]| -> Vec<String> { hits.iter().map(|h| h.id.clone()).collect() };
    report.fact("causes", ids(&ranking.causes));
    report.fact("remarks", ids(&ranking.remarks));
    if let Some(status) = result.status() {
        report.fact("status", status);
    }
    // Nothing explains the failure: say what was (not) sent and what is still on the panel,
    // so "ok" never stands beside remarks, nor "found nothing" for a request that carried no
    // credentials to find anything about.
    report.summary = nothing_explains(result, &ranking, anonymous);
    report.verdict = if ranking.remarks.is_empty() && !anonymous {
        Verdict::Ok
    } else {
        Verdict::Info
    };
    if let Some(top) = ranking.top() {
        report.fact("top", top.id.as_str());
        report.verdict = if top.id == "not-a-401" {
            Verdict::Info
        } else {
            Verdict::Fail
        };
        let more = match ranking.causes.len() - 1 {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        // Plain words first; the id is on the "Problems found" panel beside them.
        let title = crate::diagnose::cause(&top.id).map_or(top.id.as_str(), |c| c.title);
        report.summary = format!("most likely {title} ({:.0}%){more}", top.confidence * 100.0);
    }
    report.causes = ranking.all().cloned().collect();
    report.elapsed_ms = u64::try_from(result.elapsed.as_millis()).unwrap_or(u64::MAX);
    report
}

/// The summary of a battery that found no explanation: what it sent, what the comparison
/// with the backend could tell, and how many remarks it made.
fn nothing_explains(result: &CheckResult, ranking: &Ranking, anonymous: bool) -> String {
    let status = |part: &str| {
        result
            .reports
            .iter()
            .find(|r| r.id == part)
            .and_then(|r| match r.facts.get("status") {
                Some(crate::probe::FactValue::Int(s)) => Some(s.to_string()),
                _ => None,
            })
    };
    let here = result
        .status()
        .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
    let mut line = match (anonymous, status(super::rules::ids::BACKEND)) {
        (true, Some(backend)) => format!(
            "compared without credentials ({here} through the proxy, {backend} at the backend): \
             it cannot tell whether credentials are passed on until some are given"
        ),
        (true, None) => format!(
            "no credentials sent ({here}): nothing found explains a 401 to a request with them"
        ),
        (false, _) => "the checks found nothing that explains a 401".to_owned(),
    };
    match ranking.remarks.len() {
        0 => {}
        1 => line.push_str("; 1 remark (true, but not why it failed)"),
        n => line.push_str(&format!("; {n} remarks (true, but not why it failed)")),
    }
    line
}

/// True when `part` is a part of the battery with kind `kind` (for the tests).
#[cfg(test)]
fn is_part(part: &str, kind: &str) -> bool {
    crate::probe::battery::PARTS
        .iter()
        .any(|(p, k)| *p == part && *k == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every request the battery can make is a part the `check` kind declares, with the same
    /// kind, so lint's types for `check.PART.fact` are the facts those parts really carry.
    #[test]
    fn every_part_of_the_plan_is_declared() {
        let mut request = CheckRequest::new(
            url::Url::parse("http://127.0.0.1/a/b").unwrap_or_else(|_| unreachable!()),
        );
        request.credentials.authorization = Some(Secret::from("Bearer  x".to_owned()));
        request.backend = Some("http://127.0.0.1:9/".into());
        let (reqs, _) = super::super::plan(&request);
        for r in &reqs {
            assert!(
                is_part(&r.id, &r.kind),
                "{} ({}) is not declared",
                r.id,
                r.kind
            );
        }
        assert!(is_part(super::super::ids::TOKEN, "jwt"));
        assert!(is_part("network", "network"));
    }

    #[test]
    fn part_facts_have_their_kinds_types() {
        let kind = probe::kind(NAME).unwrap_or_else(|| unreachable!());
        assert_eq!(kind.fact_type("token.expired"), Some(probe::FactType::Bool));
        assert_eq!(kind.fact_type("http.status"), Some(probe::FactType::Int));
        assert_eq!(kind.fact_type("top"), Some(probe::FactType::Str));
        assert_eq!(kind.fact_type("nope.status"), None);
    }
}
