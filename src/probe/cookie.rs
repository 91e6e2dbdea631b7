//! The `cookie` probe: the session cookies the server sets, read as a browser would, to tell
//! why a session is not kept (expired, refused by the browser, scoped to another path).

use futures::FutureExt;

use super::fact;
use super::http::{self, Exchange, Target};
use super::{FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, Verdict};
use crate::diagnose::CauseHit;

pub(crate) const KIND: ProbeKind = ProbeKind {
    name: "cookie",
    doc: "Set-Cookie of the session: expired, Secure over http, SameSite=None without Secure, Domain/Path mismatch.",
    args: http::REQUEST_ARGS,
    facts: &[
        fact("status", FactType::Int, "status code"),
        fact(
            "sent_cookie",
            FactType::Bool,
            "the request carried a Cookie header",
        ),
        fact("count", FactType::Int, "Set-Cookie lines"),
        fact(
            "names",
            FactType::StrList,
            "names of the cookies set (values never shown)",
        ),
        fact(
            "expired",
            FactType::StrList,
            "cookies set already expired (the server deletes them)",
        ),
        fact(
            "problems",
            FactType::StrList,
            "why a browser would refuse or not send a cookie",
        ),
    ],
    run,
};

fn run(id: String, args: ProbeArgs, ctx: ProbeContext) -> super::ProbeFuture {
    async move {
        match http::exchange(&id, "cookie", &args, &ctx).await {
            Ok((mut report, target, ex)) => {
                describe(&mut report, &target, &ex);
                report
            }
            Err(report) => report,
        }
    }
    .boxed()
}

/// One Set-Cookie line as a browser reads it (RFC 6265 §5.2); the value is dropped at once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct SetCookie {
    pub name: String,
    pub empty_value: bool,
    pub expires: Option<chrono::DateTime<chrono::Utc>>,
    pub max_age: Option<i64>,
    pub domain: Option<String>,
    pub path: Option<String>,
    pub secure: bool,
    pub same_site: Option<String>,
}

/// Reads one Set-Cookie field line.
pub(crate) fn parse_set_cookie(line: &str) -> Option<SetCookie> {
    let mut parts = line.split(';');
    let (name, value) = parts.next()?.split_once('=')?;
    let mut c = SetCookie {
        name: name.trim().to_owned(),
        empty_value: value.trim().trim_matches('"').is_empty(),
        ..SetCookie::default()
    };
    for attr in parts {
        let (k, v) = attr.split_once('=').unwrap_or((attr, ""));
        let v = v.trim();
        match k.trim().to_ascii_lowercase().as_str() {
            "expires" => {
                c.expires = chrono::DateTime::parse_from_rfc2822(v)
                    .ok()
                    .or_else(|| {
                        chrono::DateTime::parse_from_str(v, "%a, %d-%b-%Y %H:%M:%S GMT").ok()
                    })
                    .map(|d| d.with_timezone(&chrono::Utc));
            }
            "max-age" => c.max_age = v.parse().ok(),
            "domain" => c.domain = Some(v.trim_start_matches('.').to_ascii_lowercase()),
            "path" => c.path = Some(v.to_owned()),
            "secure" => c.secure = true,
            "samesite" => c.same_site = Some(v.to_ascii_lowercase()),
            _ => {}
        }
    }
    (!c.name.is_empty()).then_some(c)
}

impl SetCookie {
    /// True when the cookie is already expired: the server is deleting it.
    pub(crate) fn is_expired(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        match self.max_age {
            Some(m) => m <= 0,
            None => self.expires.is_some_and(|e| e <= now),
        }
    }

    /// Why a browser would refuse this cookie or not send it back to `url`.
    pub fn problems(&self, url: &url::Url) -> Vec<String> {
        let mut out = Vec::new();
        let n = &self.name;
        if self.secure && url.scheme() == "http" {
            out.push(format!(
                "'{n}' is Secure but set over http: browsers drop it"
            ));
        }
        if self.same_site.as_deref() == Some("none") && !self.secure {
            out.push(format!(
                "'{n}' has SameSite=None without Secure: browsers refuse it"
            ));
        }
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        if let Some(d) = &self.domain
            && host != *d
            && !host.ends_with(&format!(".{d}"))
        {
            out.push(format!(
                "'{n}' has Domain={d}, which does not match host {host}: browsers refuse it"
            ));
        }
        if let Some(p) = &self.path {
            let path = url.path();
            let matches = path == p
                || (path.starts_with(p.as_str())
                    && (p.ends_with('/') || path[p.len()..].starts_with('/')));
            if !matches {
                out.push(format!("'{n}' has Path={p}, so it is not sent to {path}"));
            }
        }
        out
    }
}

fn describe(report: &mut ProbeReport, target: &Target, ex: &Exchange) {
    let now = chrono::Utc::now();
    let cookies: Vec<SetCookie> = http::header_lines(&ex.headers, "set-cookie")
        .iter()
        .filter_map(|l| parse_set_cookie(l))
        .collect();
    let sent = target.creds.cookie.is_some();
    let expired: Vec<String> = cookies
        .iter()
        .filter(|c| c.is_expired(now))
        .map(|c| c.name.clone())
        .collect();
    let problems: Vec<String> = cookies
        .iter()
        .flat_map(|c| c.problems(&ex.final_url))
        .collect();
    report.fact("sent_cookie", sent);
    report.fact("count", cookies.len() as i64);
    report.fact(
        "names",
        cookies.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
    );
    report.fact("expired", expired.clone());
    report.fact("problems", problems.clone());
    report
        .evidence
        .push(format!("{} → {}", http::request_line(target), ex.status));
    for p in &problems {
        report.evidence.push(p.clone());
    }
    let is_401 = ex.status == 401;
    if !expired.is_empty() {
        let line = format!(
            "the server expires cookie(s) {}: the session was ended",
            expired.join(", ")
        );
        report.evidence.push(line.clone());
        let c = if sent && is_401 { 0.85 } else { 0.5 };
        report
            .causes
            .push(CauseHit::new("session-expired", c, line));
    } else if sent && is_401 {
        report.causes.push(CauseHit::new(
            "session-expired",
            0.5,
            "a session cookie was sent and the server still answered 401: it is no longer accepted",
        ));
    }
    // A login (credentials or a body sent) that succeeds but sets a cookie the browser
    // refuses is why the next request gets 401: it goes out without the session.
    let login = (target.creds.any() || target.body.is_some()) && (200..400).contains(&ex.status);
    let refused = if login {
        0.93
    } else if is_401 {
        0.6
    } else {
        0.35
    };
    for p in &problems {
        report.causes.push(CauseHit::new(
            "cookie-rejected-by-client",
            refused,
            format!("Set-Cookie {p}"),
        ));
    }
    report.verdict = if !report.causes.is_empty() && is_401 {
        Verdict::Fail
    } else if !problems.is_empty() || !expired.is_empty() {
        Verdict::Warn
    } else {
        Verdict::Ok
    };
    report.summary = match (cookies.len(), problems.len()) {
        (0, _) => "no cookie set".to_owned(),
        (n, 0) => format!("{n} cookie(s) set, none refused by browsers"),
        (n, p) => format!("{n} cookie(s) set, {p} problem(s)"),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_refusals_and_deletions_are_found() {
        let url = url::Url::parse("http://app.test/admin/x").unwrap();
        let c = parse_set_cookie("sid=abc; Secure; SameSite=None; Path=/other; Domain=.else.test")
            .unwrap();
        let p = c.problems(&url);
        assert_eq!(p.len(), 3, "{p:?}");
        let c = parse_set_cookie("sid=; Max-Age=0").unwrap();
        assert!(c.is_expired(chrono::Utc::now()));
        let c =
            parse_set_cookie("sid=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/admin").unwrap();
        assert!(c.is_expired(chrono::Utc::now()));
        assert!(c.problems(&url).is_empty());
        let c = parse_set_cookie("sid=x; SameSite=None").unwrap();
        assert_eq!(c.problems(&url).len(), 1);
        assert!(parse_set_cookie("garbage").is_none());
    }
}
