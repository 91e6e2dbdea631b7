//! The `cache` probe: is a 401 cacheable, or served from a cache; does cached authenticated
//! content vary on Authorization?

use futures::FutureExt;

use super::fact;
use super::http::{self, Exchange, Target};
use super::{FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, Verdict};
use crate::diagnose::CauseHit;

/// Headers caches and CDNs use to say whether they answered.
const CACHE_STATUS_HEADERS: &[&str] = &[
    "cache-status",
    "x-cache",
    "cf-cache-status",
    "x-cache-status",
    "x-proxy-cache",
    "x-varnish-cache",
    "akamai-cache-status",
];

pub(crate) const KIND: ProbeKind = ProbeKind {
    name: "cache",
    doc: "Is the answer (a 401, or authenticated content) stored or served by a cache?",
    args: http::REQUEST_ARGS,
    facts: &[
        fact("status", FactType::Int, "status code"),
        fact("cache_control", FactType::Str, "Cache-Control"),
        fact("age", FactType::Int, "Age header, seconds"),
        fact(
            "cache_status",
            FactType::Str,
            "cache status header (X-Cache, CF-Cache-Status, ...)",
        ),
        fact(
            "served_from_cache",
            FactType::Bool,
            "a cache says it answered (HIT, or Age > 0)",
        ),
        fact(
            "cacheable",
            FactType::Bool,
            "shared caches may store this answer",
        ),
        fact("vary", FactType::Str, "Vary"),
        fact(
            "varies_on_authorization",
            FactType::Bool,
            "Vary names Authorization (or *)",
        ),
    ],
    run,
};

fn run(id: String, args: ProbeArgs, ctx: ProbeContext) -> super::ProbeFuture {
    async move {
        match http::exchange(&id, "cache", &args, &ctx).await {
            Ok((mut report, target, ex)) => {
                describe(&mut report, &target, &ex);
                report
            }
            Err(report) => report,
        }
    }
    .boxed()
}

/// What the cache headers say, apart from the request.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CacheView {
    pub cache_control: String,
    pub age: Option<i64>,
    pub cache_status: Option<String>,
    pub served_from_cache: bool,
    pub cacheable: bool,
    pub vary: String,
    pub varies_on_authorization: bool,
}

/// Reads the caching headers of an answer.
pub fn view(headers: &reqwest::header::HeaderMap) -> CacheView {
    let cc = http::header_text(headers, "cache-control")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let age = http::header_text(headers, "age").and_then(|a| a.trim().parse::<i64>().ok());
    let cache_status = CACHE_STATUS_HEADERS
        .iter()
        .find_map(|n| http::header_text(headers, n).map(|v| format!("{n}: {v}")));
    let hit = cache_status.as_deref().is_some_and(|s| {
        let l = s.to_ascii_lowercase();
        (l.contains("hit") && !l.contains("miss")) || l.contains("stale")
    });
    let forbids = ["no-store", "private", "no-cache"]
        .iter()
        .any(|d| cc.contains(d));
    let allows = cc.contains("public")
        || cc.contains("s-maxage")
        || cc.split(',').any(|d| {
            d.trim()
                .strip_prefix("max-age=")
                .is_some_and(|v| v.trim() != "0")
        })
        || http::header_text(headers, "expires").is_some();
    let vary = http::header_text(headers, "vary").unwrap_or_default();
    let varies = vary
        .split(',')
        .any(|v| v.trim() == "*" || v.trim().eq_ignore_ascii_case("authorization"));
    CacheView {
        cache_control: cc,
        age,
        served_from_cache: hit || age.is_some_and(|a| a > 0),
        cache_status,
        cacheable: allows && !forbids,
        vary,
        varies_on_authorization: varies,
    }
}

fn describe(report: &mut ProbeReport, target: &Target, ex: &Exchange) {
    let v = view(&ex.headers);
    report.fact("cache_control", v.cache_control.as_str());
    if let Some(a) = v.age {
        report.fact("age", a);
    }
    if let Some(s) = &v.cache_status {
        report.fact("cache_status", s.as_str());
    }
    report.fact("served_from_cache", v.served_from_cache);
    report.fact("cacheable", v.cacheable);
    report.fact("vary", v.vary.as_str());
    report.fact("varies_on_authorization", v.varies_on_authorization);
    let mut line = format!("{} → {}", http::request_line(target), ex.status);
    for (k, val) in [
        (
            "Cache-Control",
            Some(v.cache_control.clone()).filter(|s| !s.is_empty()),
        ),
        ("Age", v.age.map(|a| a.to_string())),
        ("Vary", Some(v.vary.clone()).filter(|s| !s.is_empty())),
        ("cache", v.cache_status.clone()),
    ] {
        if let Some(val) = val {
            line.push_str(&format!("; {k}: {val}"));
        }
    }
    report.evidence.push(line.clone());
    let (verdict, summary, confidence) = judge(ex.status, target.creds.any(), &v);
    report.verdict = verdict;
    summary.clone_into(&mut report.summary);
    if confidence > 0.0 {
        report.causes.push(CauseHit::new(
            "cached-401",
            confidence,
            format!("{summary}: {line}"),
        ));
    }
}

/// Verdict, summary and the cached-401 confidence for what the headers say.
fn judge(status: u16, sent: bool, v: &CacheView) -> (Verdict, &'static str, f64) {
    if status == 401 && v.served_from_cache {
        (Verdict::Fail, "the 401 was served from a cache", 0.85)
    } else if status == 401 && v.cacheable {
        (Verdict::Warn, "the 401 may be stored by shared caches", 0.6)
    } else if (200..300).contains(&status) && sent && v.cacheable && !v.varies_on_authorization {
        (
            Verdict::Warn,
            "authenticated content is cacheable without Vary: Authorization, so a cache can hand out the wrong answer",
            0.45,
        )
    } else {
        (Verdict::Ok, "no cache stores or serves this answer", 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn hits_and_cacheability_are_read_from_common_headers() {
        let v = view(&headers(&[
            ("x-cache", "HIT from cdn"),
            ("cache-control", "public, max-age=600"),
        ]));
        assert!(v.served_from_cache && v.cacheable);
        assert!((judge(401, false, &v).2 - 0.85).abs() < 1e-9);
        let v = view(&headers(&[("cache-control", "no-store"), ("age", "0")]));
        assert!(!v.served_from_cache && !v.cacheable);
        assert!((judge(401, false, &v).2 - 0.0).abs() < 1e-9);
        let v = view(&headers(&[
            ("cache-control", "max-age=60"),
            ("vary", "Accept, authorization"),
        ]));
        assert!(v.varies_on_authorization);
        assert!((judge(200, true, &v).2 - 0.0).abs() < 1e-9);
    }
}
