//! The `nginx` probe: the auth nginx applies to a host and path, from its configuration.

use futures::FutureExt;

use super::fact;
use super::{ArgSpec, FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport};
use crate::sanitize::Outside;
use crate::server::analysis::{self, Inputs};

const fn arg(name: &'static str, required: bool, secret: bool, doc: &'static str) -> ArgSpec {
    ArgSpec {
        name,
        required,
        secret,
        doc,
    }
}

pub(crate) const KIND: ProbeKind = ProbeKind {
    name: "nginx",
    doc: "nginx configuration: the location a request lands in, its effective auth, proxy forwarding of Authorization, the user file.",
    args: &[
        arg(
            "nginx_conf",
            true,
            false,
            "nginx.conf, a sites-available file or a snippet",
        ),
        arg("host", false, false, "Host of the request (server_name)"),
        arg("path", false, false, "request path (/)"),
        arg(
            "header",
            false,
            false,
            "a custom auth header name, for the underscore rule",
        ),
        arg(
            "htpasswd",
            false,
            false,
            "user file to check instead of the configured one",
        ),
        arg("user", false, false, "user to look up in the user file"),
        arg("password", false, true, "that user's password, to verify"),
        arg(
            "url",
            false,
            false,
            "the live site: is the user file downloadable from it?",
        ),
    ],
    facts: &[
        fact("parse_ok", FactType::Bool, "the configuration parsed"),
        fact(
            "error",
            FactType::Str,
            "FILE:LINE:COL: why it did not parse",
        ),
        fact("auth", FactType::Str, "basic, request, off or none"),
        fact("realm", FactType::Str, "auth_basic realm"),
        fact("user_file", FactType::Str, "auth_basic_user_file, resolved"),
        fact("location", FactType::Str, "the location chosen"),
        fact("satisfy", FactType::Str, "all or any"),
        fact(
            "status_anonymous",
            FactType::Int,
            "the status a request without credentials gets (absent: depends on the client)",
        ),
        fact(
            "proxied",
            FactType::Bool,
            "the location proxies (proxy_pass)",
        ),
        fact("proxy_target", FactType::Str, "the proxy_pass target"),
        fact(
            "strips_authorization",
            FactType::Bool,
            "a proxied request loses Authorization",
        ),
        fact(
            "backend_url",
            FactType::Str,
            "the address the proxied request reaches (a literal proxy_pass only)",
        ),
        fact("error_log", FactType::Str, "the server's error_log file"),
        fact("access_log", FactType::Str, "the server's access_log file"),
        fact("user_file_exists", FactType::Bool, "the user file exists"),
        fact(
            "user_file_served",
            FactType::Bool,
            "the user file lies in the root and nothing denies it",
        ),
        fact("user_found", FactType::Bool, "the user is in the user file"),
        fact(
            "password_ok",
            FactType::Bool,
            "the password matches the user's hash",
        ),
        fact(
            "user_file_downloadable",
            FactType::Bool,
            "with url: a GET of the user file answered 200 with its content",
        ),
        fact(
            "problems",
            FactType::StrList,
            "every problem, FILE:LINE:COL: message",
        ),
        fact("causes", FactType::StrList, "cause ids found"),
    ],
    run,
};

fn run(id: String, args: ProbeArgs, ctx: ProbeContext) -> super::ProbeFuture {
    run_config_check("nginx", id, args, ctx, check_with_uris)
}

/// A file check (nginx or Apache) off the async threads, then, with a `url`, whether the user
/// file it found can be downloaded from the live site.
pub(super) fn run_config_check(
    kind: &'static str,
    id: String,
    args: ProbeArgs,
    ctx: ProbeContext,
    check: fn(&str, &ProbeArgs) -> (ProbeReport, Vec<String>),
) -> super::ProbeFuture {
    async move {
        let url = args.get("url").filter(|u| !u.is_empty()).cloned();
        let probe_id = id.clone();
        let checked = tokio::task::spawn_blocking(move || check(&id, &args)).await;
        match checked {
            Ok((mut report, uris)) => {
                if let Some(url) = url {
                    download_check(&mut report, &ctx, &url, &uris).await;
                }
                report
            }
            Err(e) => ProbeReport::failed(&probe_id, kind, format!("check stopped: {e}")),
        }
    }
    .boxed()
}

/// Runs the check synchronously (files only, no network).
pub fn check(id: &str, args: &ProbeArgs) -> ProbeReport {
    check_with_uris(id, args).0
}

/// The check, plus the web paths of user files that lie under a web root.
fn check_with_uris(id: &str, args: &ProbeArgs) -> (ProbeReport, Vec<String>) {
    let mut report = ProbeReport::new(id, "nginx");
    let Some(conf) = args.get("nginx_conf").filter(|c| !c.is_empty()) else {
        return (
            ProbeReport::failed(id, "nginx", "no nginx_conf given"),
            Vec::new(),
        );
    };
    let inputs = Inputs {
        nginx: Some(conf.into()),
        htpasswd: args
            .get("htpasswd")
            .filter(|h| !h.is_empty())
            .map(Into::into),
        host: args.get("host").filter(|h| !h.is_empty()).cloned(),
        path: args
            .get("path")
            .filter(|p| !p.is_empty())
            .map_or_else(|| "/".to_owned(), Clone::clone),
        user: args.get("user").filter(|u| !u.is_empty()).cloned(),
        password: args.get("password").map(crate::secret::Secret::new),
        auth_header: args.get("header").filter(|h| !h.is_empty()).cloned(),
        ..Inputs::default()
    };
    let Some(a) = analysed(&mut report, &inputs) else {
        return (report, Vec::new());
    };
    if let Some(s) = a.servers.first() {
        let e = &s.effective;
        if let Some(m) = &e.matched {
            report.fact("location", m.raw());
        }
        report.fact("proxied", e.proxy_target.is_some());
        if let Some(t) = &e.proxy_target {
            report.fact("proxy_target", t.raw());
            if let Some(b) =
                backend_url(t.raw(), e.matched.as_ref().map(Outside::raw), &inputs.path)
            {
                report.fact("backend_url", b);
            }
        }
        report.fact(
            "strips_authorization",
            e.forwards_authorization == Some(false),
        );
        report.fact("user_file_served", s.user_file_served);
        // The probe's name is shown beside its summary: the summary does not repeat it.
        report.summary = format!(
            "{} in {}",
            e.scheme.describe(),
            match e.matched.as_ref().map(Outside::raw) {
                Some("server") => "the server block",
                Some(m) => m,
                None => "the server",
            }
        );
    }
    log_facts(&mut report, conf, &inputs, args.get("url"));
    let uris = user_file_facts(&mut report, &a);
    (report, uris)
}

/// `error_log` and `access_log` of the server the request lands in, so the logs need not be
/// asked for.
fn log_facts(report: &mut ProbeReport, conf: &str, inputs: &Inputs, url: Option<&String>) {
    let Ok(config) = crate::server::nginx::Config::load(std::path::Path::new(conf), None) else {
        return;
    };
    let url = url.and_then(|u| url::Url::parse(u).ok());
    let host = inputs
        .host
        .clone()
        .or_else(|| url.as_ref().and_then(|u| u.host_str().map(str::to_owned)));
    let port = url.as_ref().and_then(url::Url::port_or_known_default);
    let logs = crate::server::nginx::logs::log_files(&config, host.as_deref(), port);
    if let Some(e) = logs.error {
        report.fact("error_log", e.display().to_string());
    }
    if let Some(a) = logs.access {
        report.fact("access_log", a.display().to_string());
    }
}

/// Puts an analysis into a probe report: verdict, summary-worthy evidence, causes, and the
/// `problems` / `causes` / `parse_ok` facts every server probe shares.
fn fill_report(report: &mut ProbeReport, a: &analysis::Analysis) {
    use crate::probe::Verdict;
    report.fact("parse_ok", true);
    let worst = a.problems.iter().map(|p| p.severity).max();
    report.verdict = match worst {
        Some(crate::server::Severity::Error) => Verdict::Fail,
        Some(crate::server::Severity::Warning) => Verdict::Warn,
        _ => Verdict::Ok,
    };
    problems_fact(report, &a.problems);
    let causes = a.causes();
    report.fact(
        "causes",
        causes.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
    );
    report.causes = causes;
}

/// A probe report for files that could not be parsed: the `FILE:LINE:COL: message` is the
/// evidence, and `parse_ok` is false.
fn failed_report(report: &mut ProbeReport, e: &crate::server::ParseError) {
    report.verdict = crate::probe::Verdict::Fail;
    report.fact("parse_ok", false);
    report.fact("error", e.to_string());
    report.summary = e.to_string();
    report.evidence.push(e.to_string());
}

/// Each problem's evidence line, as the report's evidence and its `problems` fact.
pub(super) fn problems_fact(report: &mut ProbeReport, problems: &[crate::server::Problem]) {
    let lines: Vec<String> = problems
        .iter()
        .map(crate::server::Problem::evidence)
        .collect();
    report.evidence.extend(lines.iter().cloned());
    report.fact("problems", lines);
}

/// Analyses the files for the server probes: the report gets the problems (or the parse
/// error, and None comes back) and the effective auth of the first server matched.
pub(crate) fn analysed(report: &mut ProbeReport, inputs: &Inputs) -> Option<analysis::Analysis> {
    let a = match analysis::analyse(inputs) {
        Ok(a) => a,
        Err(e) => {
            failed_report(report, &e);
            return None;
        }
    };
    fill_report(report, &a);
    if let Some(s) = a.servers.first() {
        let e = &s.effective;
        report.fact("auth", e.scheme.label());
        report.fact("satisfy", e.satisfy.as_str());
        if let Some(status) = e.status_anonymous {
            report.fact("status_anonymous", i64::from(status));
        }
        if let Some(r) = &e.realm {
            report.fact("realm", r.raw());
        }
        if let Some(f) = &e.user_file {
            report.fact("user_file", f.raw().display().to_string());
        }
    }
    Some(a)
}

/// The user-file facts shared by the server probes; returns the addresses at which each user
/// file under a web root could be downloaded.
pub(crate) fn user_file_facts(report: &mut ProbeReport, a: &analysis::Analysis) -> Vec<String> {
    if let Some(u) = &a.user_file {
        report.fact("user_file_exists", u.exists);
        if let Some(found) = u.user_found {
            report.fact("user_found", found);
        }
        if let Some(ok) = u.password_ok {
            report.fact("password_ok", ok);
        }
    }
    a.download_uris()
}

/// With a live URL: GETs each user file under the web root and records whether it came back.
pub(crate) async fn download_check(
    report: &mut ProbeReport,
    ctx: &ProbeContext,
    url: &str,
    uris: &[String],
) {
    let mut exposed = false;
    let conn = ctx.connection();
    for uri in uris {
        let e = crate::server::exposure::fetch(&conn, url, uri).await;
        if let Some(p) = e.problem(None) {
            exposed = true;
            report.evidence.push(p.evidence());
            report.verdict = super::Verdict::Fail;
        }
    }
    if !uris.is_empty() {
        report.fact("user_file_downloadable", exposed);
    }
}

/// The address a request for `path` reaches through `proxy_pass target` in `location`: without
/// a URI in the target the request's path goes on as it is; with one, the part the prefix
/// location matched is replaced by it (nginx's proxy_pass documentation). None when the
/// target holds variables or the location is a regex.
fn backend_url(target: &str, location: Option<&str>, path: &str) -> Option<String> {
    if target.contains('$') {
        return None;
    }
    let (scheme, rest) = target.split_once("://")?;
    let (authority, uri) = match rest.find('/') {
        Some(i) => (&rest[..i], Some(&rest[i..])),
        None => (rest, None),
    };
    let path = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    let Some(uri) = uri else {
        return Some(format!("{scheme}://{authority}{path}"));
    };
    let words: Vec<&str> = location?.split_whitespace().collect();
    let prefix = match words.as_slice() {
        ["location", p] | ["location", "^~" | "=", p] => *p,
        _ => return None,
    };
    let rest = path.strip_prefix(prefix)?;
    Some(format!("{scheme}://{authority}{uri}{rest}"))
}

#[cfg(test)]
mod backend_tests {
    use super::backend_url;

    /// The cases of nginx's proxy_pass documentation: with and without a URI.
    #[test]
    fn the_backend_address_follows_proxy_pass_rules() {
        let b = |t, l, p| backend_url(t, l, p);
        assert_eq!(
            b(
                "http://127.0.0.1:9000",
                Some("location /api/"),
                "/api/orders"
            )
            .as_deref(),
            Some("http://127.0.0.1:9000/api/orders")
        );
        assert_eq!(
            b(
                "http://127.0.0.1:9000/v2/",
                Some("location /api/"),
                "/api/orders"
            )
            .as_deref(),
            Some("http://127.0.0.1:9000/v2/orders")
        );
        assert_eq!(
            b(
                "http://127.0.0.1:9000/",
                Some("location ^~ /name/"),
                "/name/x"
            )
            .as_deref(),
            Some("http://127.0.0.1:9000/x")
        );
        assert_eq!(b("http://$upstream", Some("location /"), "/a"), None);
        assert_eq!(b("http://h/u/", Some("location ~ \\.php$"), "/a.php"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A check that crashes is reported under the flow's probe id, where the flow looks for
    /// its facts, not under the kind.
    #[tokio::test]
    async fn a_crashed_check_is_reported_under_the_probe_id() {
        let ctx = ProbeContext::new(std::time::Duration::from_secs(5)).unwrap();
        let report = run_config_check(
            "nginx",
            "site_conf".to_owned(),
            ProbeArgs::new(),
            ctx,
            |_, _| panic!("the check crashed"),
        )
        .await;
        assert_eq!(report.id, "site_conf");
        assert_eq!(report.kind, "nginx");
        assert!(
            report.summary.starts_with("check stopped"),
            "{}",
            report.summary
        );
    }
}
