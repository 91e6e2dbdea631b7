//! The `htaccess` probe: the auth Apache applies to a path, from an .htaccess file or the
//! server configuration.

use super::fact;
use super::nginx::{analysed, user_file_facts};
use super::{ArgSpec, FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport};
use crate::server::analysis::Inputs;

const fn arg(name: &'static str, required: bool, secret: bool, doc: &'static str) -> ArgSpec {
    ArgSpec {
        name,
        required,
        secret,
        doc,
    }
}

pub(crate) const KIND: ProbeKind = ProbeKind {
    name: "htaccess",
    doc: "Apache .htaccess or server configuration: effective auth for a path, Require rules, the user file, CGI forwarding.",
    args: &[
        arg(
            "htaccess",
            false,
            false,
            "an .htaccess file (this or apache_conf)",
        ),
        arg(
            "apache_conf",
            false,
            false,
            "an Apache server configuration (this or htaccess)",
        ),
        arg("host", false, false, "Host of the request (ServerName)"),
        arg("path", false, false, "request path (/)"),
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
            "the URL of the .htaccess directory (or site root): is the user file downloadable?",
        ),
    ],
    facts: &[
        fact("parse_ok", FactType::Bool, "the files parsed"),
        fact(
            "error",
            FactType::Str,
            "FILE:LINE:COL: why they did not parse",
        ),
        fact("auth", FactType::Str, "basic, digest or none"),
        fact("realm", FactType::Str, "AuthName"),
        fact("user_file", FactType::Str, "AuthUserFile, resolved"),
        fact("require", FactType::Str, "the Require rules in force"),
        fact("satisfy", FactType::Str, "all or any"),
        fact(
            "status_anonymous",
            FactType::Int,
            "the status a request without credentials gets (absent: depends on the client)",
        ),
        fact(
            "section",
            FactType::Str,
            "the section the access rules come from",
        ),
        fact("user_file_exists", FactType::Bool, "the user file exists"),
        fact("user_found", FactType::Bool, "the user is in the user file"),
        fact(
            "password_ok",
            FactType::Bool,
            "the password matches the user's hash",
        ),
        fact(
            "forwards_to_app",
            FactType::Bool,
            "a CGI/FastCGI app gets Authorization (true when there is no such app)",
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
        fact(
            "error_log",
            FactType::Str,
            "the vhost's ErrorLog file (with apache_conf)",
        ),
        fact(
            "access_log",
            FactType::Str,
            "the vhost's CustomLog file (with apache_conf)",
        ),
    ],
    run,
};

fn run(id: String, args: ProbeArgs, ctx: ProbeContext) -> super::ProbeFuture {
    super::nginx::run_config_check("htaccess", id, args, ctx, check_with_uris)
}

/// Runs the check synchronously (files only, no network).
pub fn check(id: &str, args: &ProbeArgs) -> ProbeReport {
    check_with_uris(id, args).0
}

/// The check, plus the web paths of user files that lie under a web root.
fn check_with_uris(id: &str, args: &ProbeArgs) -> (ProbeReport, Vec<String>) {
    let mut report = ProbeReport::new(id, "htaccess");
    let given = |k: &str| args.get(k).filter(|v| !v.is_empty());
    let (htaccess, apache) = (given("htaccess"), given("apache_conf"));
    if htaccess.is_none() && apache.is_none() {
        return (
            ProbeReport::failed(id, "htaccess", "no htaccess or apache_conf given"),
            Vec::new(),
        );
    }
    let inputs = Inputs {
        apache: apache.map(Into::into),
        htaccess: if apache.is_some() {
            None
        } else {
            htaccess.map(Into::into)
        },
        htpasswd: given("htpasswd").map(Into::into),
        host: given("host").cloned(),
        path: given("path").map_or_else(|| "/".to_owned(), Clone::clone),
        user: given("user").cloned(),
        password: args.get("password").map(crate::secret::Secret::new),
        ..Inputs::default()
    };
    let Some(a) = analysed(&mut report, &inputs) else {
        return (report, Vec::new());
    };
    if let Some(s) = a.servers.first() {
        let e = &s.effective;
        if let Some(r) = &e.require {
            report.fact("require", r.raw());
        }
        if let Some(m) = &e.matched {
            report.fact("section", m.raw());
        }
        report.summary = format!("Apache: {} auth for {}", e.scheme.label(), inputs.path);
    }
    let hidden = a
        .problems
        .iter()
        .any(|p| p.cause == Some("auth-not-forwarded-to-app"));
    report.fact("forwards_to_app", !hidden);
    if let Some(conf) = apache {
        log_facts(&mut report, conf, inputs.host.as_deref(), args.get("url"));
    }
    let uris = user_file_facts(&mut report, &a);
    (report, uris)
}

/// `ErrorLog` and `CustomLog` of the vhost the request lands in, so the logs need not be
/// asked for.
fn log_facts(report: &mut ProbeReport, conf: &str, host: Option<&str>, url: Option<&String>) {
    use crate::server::apache::{Config, Kind, logs};
    let Ok(config) = Config::load(std::path::Path::new(conf), Kind::Server) else {
        return;
    };
    let url_host = url
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_owned));
    let files = logs::log_files(&config, host.or(url_host.as_deref()));
    if let Some(e) = files.error {
        report.fact("error_log", e.display().to_string());
    }
    if let Some(a) = files.access {
        report.fact("access_log", a.display().to_string());
    }
}
