//! The `limits` probe: signs that an allowlist, lockout or rate limit answers, not the
//! credentials: Retry-After, rate-limit headers, lockout wording in the body.

use futures::FutureExt;

use super::fact;
use super::http::{self, Exchange, Target};
use super::{FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, Verdict};
use crate::diagnose::CauseHit;

/// Phrases servers use when they block a client rather than judge its credentials.
const LOCKOUT_WORDS: &[&str] = &[
    "too many",
    "rate limit",
    "rate-limit",
    "locked",
    "lockout",
    "temporarily blocked",
    "blocked",
    "try again later",
    "not allowed from",
    "ip address",
    "allowlist",
    "whitelist",
    "access denied for your ip",
];

pub(crate) const KIND: ProbeKind = ProbeKind {
    name: "limits",
    doc: "Retry-After, rate-limit headers and lockout wording: is a limit or allowlist answering?",
    args: http::REQUEST_ARGS,
    facts: &[
        fact("status", FactType::Int, "status code"),
        fact("retry_after", FactType::Str, "Retry-After"),
        fact(
            "remaining",
            FactType::Int,
            "requests left (X-RateLimit-Remaining / RateLimit-Remaining)",
        ),
        fact(
            "rate_limit_headers",
            FactType::StrList,
            "rate-limit headers present",
        ),
        fact(
            "lockout_wording",
            FactType::Str,
            "the lockout phrase found in the body",
        ),
        fact("limited", FactType::Bool, "a limit or block is answering"),
    ],
    run,
};

fn run(id: String, args: ProbeArgs, ctx: ProbeContext) -> super::ProbeFuture {
    async move {
        match http::exchange(&id, "limits", &args, &ctx).await {
            Ok((mut report, target, ex)) => {
                describe(&mut report, &target, &ex);
                report
            }
            Err(report) => report,
        }
    }
    .boxed()
}

/// The first lockout phrase in `body`, lower-case.
pub(crate) fn lockout_phrase(body: &[u8]) -> Option<&'static str> {
    let text = String::from_utf8_lossy(body).to_ascii_lowercase();
    LOCKOUT_WORDS.iter().copied().find(|w| text.contains(w))
}

fn describe(report: &mut ProbeReport, target: &Target, ex: &Exchange) {
    let retry = http::header_text(&ex.headers, "retry-after");
    let names: Vec<String> = ex
        .headers
        .keys()
        .map(|k| k.as_str().to_owned())
        .filter(|k| k.contains("ratelimit") || k.contains("rate-limit"))
        .collect();
    let remaining = [
        "x-ratelimit-remaining",
        "ratelimit-remaining",
        "x-rate-limit-remaining",
    ]
    .iter()
    .find_map(|n| http::header_text(&ex.headers, n))
    .and_then(|v| {
        v.split([',', ';'])
            .next()
            .and_then(|x| x.trim().parse::<i64>().ok())
    });
    let phrase = lockout_phrase(&ex.body);
    if let Some(r) = &retry {
        report.fact("retry_after", r.as_str());
    }
    if let Some(r) = remaining {
        report.fact("remaining", r);
    }
    if let Some(p) = phrase {
        report.fact("lockout_wording", p);
    }
    report.fact("rate_limit_headers", names.clone());
    let refused = matches!(ex.status, 401 | 403 | 429);
    let mut signs = Vec::new();
    if let Some(r) = &retry {
        signs.push(format!("Retry-After: {r}"));
    }
    if remaining == Some(0) {
        signs.push("rate-limit remaining: 0".to_owned());
    }
    if let Some(p) = phrase {
        signs.push(format!("the body says \"{p}\""));
    }
    let limited = refused && !signs.is_empty();
    report.fact("limited", limited);
    report
        .evidence
        .push(format!("{} → {}", http::request_line(target), ex.status));
    if limited {
        let line = format!(
            "{} answered {} with {}",
            ex.final_url,
            ex.status,
            signs.join(", ")
        );
        let confidence = if ex.status == 429 || retry.is_some() || remaining == Some(0) {
            0.8
        } else {
            0.6
        };
        report.causes.push(CauseHit::new(
            "ip-or-rate-limited",
            confidence,
            line.clone(),
        ));
        report.evidence.push(line.clone());
        report.verdict = Verdict::Fail;
        report.summary = line;
    } else {
        report.verdict = Verdict::Ok;
        report.summary = if names.is_empty() {
            "no sign of a rate limit or lockout".to_owned()
        } else {
            format!(
                "rate-limit headers present ({}), not exhausted",
                names.join(", ")
            )
        };
    }
}
