//! The `redirect` probe: the redirect chain with the credentials, and whether a hop leaves
//! them behind (http→https, another host or port, an added or removed trailing slash).

use futures::FutureExt;

use super::fact;
use super::http::{self, Exchange, Target};
use super::{FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, Verdict};

pub(crate) const KIND: ProbeKind = ProbeKind {
    name: "redirect",
    doc: "Follows redirects with the credentials and tells whether a hop drops or would leak them.",
    args: http::REQUEST_ARGS,
    facts: &[
        fact("redirects", FactType::Int, "redirects followed"),
        fact("hops", FactType::StrList, "every request with its status"),
        fact("final_url", FactType::Str, "the URL that answered last"),
        fact("final_status", FactType::Int, "status of the last answer"),
        fact(
            "dropped_credentials",
            FactType::Bool,
            "a hop went to another origin, without the credentials",
        ),
        fact(
            "drop_kind",
            FactType::Str,
            "http-to-https, other-host, other-origin, trailing-slash",
        ),
        fact("loop", FactType::Bool, "the chain goes round in a loop"),
        fact(
            "https_upgrade",
            FactType::Bool,
            "an http URL redirects to https",
        ),
    ],
    run,
};

fn run(id: String, args: ProbeArgs, ctx: ProbeContext) -> super::ProbeFuture {
    async move {
        match http::exchange(&id, "redirect", &args, &ctx).await {
            Ok((mut report, target, ex)) => {
                describe(&mut report, &target, &ex);
                report
            }
            Err(report) => report,
        }
    }
    .boxed()
}

fn describe(report: &mut ProbeReport, target: &Target, ex: &Exchange) {
    let hops: Vec<String> = ex
        .hops
        .iter()
        .map(|h| format!("{} {} → {}", h.method, h.url, h.status))
        .collect();
    report.fact("redirects", ex.hops.len().saturating_sub(1) as i64);
    report.fact("final_url", ex.final_url.as_str());
    report.fact("final_status", i64::from(ex.status));
    report.fact("dropped_credentials", ex.drops.iter().any(|d| d.withheld));
    if let Some(d) = ex.drops.first() {
        report.fact("drop_kind", d.kind);
    }
    report.fact("loop", ex.redirect_loop);
    report.fact(
        "https_upgrade",
        target.url.scheme() == "http" && ex.hops.iter().any(|h| h.url.scheme() == "https"),
    );
    report.evidence.push(http::request_line(target));
    report.evidence.extend(hops.iter().cloned());
    report.fact("hops", hops);
    report.causes = http::redirect_causes(ex);
    report
        .evidence
        .extend(report.causes.iter().flat_map(|c| c.evidence.clone()));
    report.verdict = if ex.redirect_loop || ex.drops.iter().any(|d| d.withheld) {
        Verdict::Fail
    } else if ex.drops.is_empty() {
        Verdict::Ok
    } else {
        Verdict::Warn
    };
    report.summary = match (ex.redirect_loop, ex.hops.len()) {
        (true, n) => format!("redirect loop after {n} requests"),
        (false, 1) => "no redirect".to_owned(),
        (false, n) if ex.drops.is_empty() => format!("{} redirect(s), credentials kept", n - 1),
        (false, n) => format!("{} redirect(s); one leaves the credentials behind", n - 1),
    };
}
