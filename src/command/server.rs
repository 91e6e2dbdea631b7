//! `why401 server`: the auth nginx or Apache applies to a host and path, worked out from the
//! files, every problem with file:line and its fix, the servers' own config tests, and, with
//! `--url`, whether the user file can be downloaded.

use serde_json::json;

use crate::cli::ServerArgs;
use crate::command::Outcome;
use crate::server::analysis::{self, Analysis, Inputs};
use crate::server::exposure::{self, Exposure};
use crate::server::selftest::{self, SelfTest};
use crate::server::{Problem, Severity, apache, nginx};

pub mod render;

pub fn run(args: &ServerArgs) -> anyhow::Result<Outcome> {
    if args.nginx.is_none()
        && args.apache.is_none()
        && args.htaccess.is_none()
        && args.htpasswd.is_none()
    {
        anyhow::bail!(
            "give at least one of --nginx FILE, --apache FILE, --htaccess FILE, --htpasswd FILE"
        );
    }
    if args.user.is_some() && !args.password_stdin {
        eprintln!(
            "note: --user without --password-stdin: the user is looked up, the password is not checked"
        );
    }
    let password = if args.password_stdin {
        Some(crate::secret::read_secret_line(
            std::io::stdin().lock(),
            "--password-stdin",
        )?)
    } else {
        None
    };
    let inputs = Inputs {
        nginx: args.nginx.clone(),
        apache: args.apache.clone(),
        htaccess: args.htaccess.clone(),
        htpasswd: args.htpasswd.clone(),
        host: args.host.clone(),
        path: normalise_path(&args.path),
        user: args.user.clone(),
        password,
        auth_header: args.auth_header.clone(),
        server_root: args.server_root.clone(),
        defines: args.define.clone(),
        url: args.url.clone(),
        client: args.client,
    };
    let mut analysis = analysis::analyse(&inputs).map_err(|e| anyhow::anyhow!("{e}"))?;
    let tests = if args.no_config_test {
        Vec::new()
    } else {
        self_tests(args)
    };
    let exposures = match &args.url {
        Some(url) => fetch_exposures(url, &args.connect, &analysis)?,
        None => Vec::new(),
    };
    for e in &exposures {
        analysis.problems.extend(e.problem(None));
    }
    analysis
        .problems
        .sort_by_key(|p| std::cmp::Reverse(p.severity));
    // Configs carry credentials (`proxy_set_header Authorization "Basic ..."`, `proxy_pass
    // http://u:p@...`) and a stranger's bytes: both stop here.
    let redactor = crate::report::Redactor::new();
    let out = if args.json {
        crate::report::shown::json(&to_json(&inputs, &analysis, &tests, &exposures), &redactor)
            + "\n"
    } else {
        crate::report::shown::text(
            &render::text(&inputs, &analysis, &tests, &exposures),
            &redactor,
        )
    };
    crate::command::print(&out)?;
    if let Some(path) = &args.report.report {
        let files: Vec<String> = [&args.nginx, &args.apache, &args.htaccess, &args.htpasswd]
            .into_iter()
            .flatten()
            .map(|p| p.display().to_string())
            .collect();
        let what = format!(
            "server configuration {} for path {}",
            files.join(", "),
            args.path
        );
        let mut ticket = crate::report::Ticket::from_reports(
            &crate::report::TargetSpec::described(&what),
            &[],
            analysis.causes(),
        );
        let lines = render::text(&inputs, &analysis, &tests, &exposures)
            .lines()
            .map(str::to_owned)
            .collect();
        if let Some(pw) = &inputs.password {
            ticket.add_secret("password", pw.expose());
        }
        ticket.attach("why401 server", Some(&files.join(", ")), lines);
        crate::report::write_report(path, args.report.format, &ticket)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let serious = analysis.problems.iter().any(|p| {
        p.cause.is_some() && p.severity >= Severity::Warning || p.severity == Severity::Error
    });
    let failed_test = tests.iter().any(|t| t.ok == Some(false));
    Ok(if serious || failed_test {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// `admin` → `/admin`; the path part of a full URL is taken.
fn normalise_path(p: &str) -> String {
    let p = url::Url::parse(p).map_or_else(|_| p.to_owned(), |u| u.path().to_owned());
    if p.starts_with('/') {
        p
    } else {
        format!("/{p}")
    }
}

fn self_tests(args: &ServerArgs) -> Vec<SelfTest> {
    let mut out = Vec::new();
    if let Some(path) = &args.nginx {
        if let Ok(c) = nginx::Config::load(path, None) {
            let has_pid = c.root.iter().any(|d| d.name == "pid");
            out.push(selftest::nginx(path, c.is_complete(), has_pid));
        }
    }
    if let Some(path) = &args.apache {
        let options = apache::LoadOptions {
            server_root: args.server_root.clone(),
            defines: args.define.clone(),
        };
        if let Ok(c) = apache::Config::load_with(path, apache::Kind::Server, &options) {
            let complete = c.root.iter().any(|d| apache::is(d, "LoadModule"));
            out.push(selftest::apache(path, &c.server_root, complete));
        }
    }
    out
}

/// GETs each user file under the web root from the live site, connected as the connection
/// options say (as `check` connects).
fn fetch_exposures(
    url: &str,
    connect: &crate::cli::ConnectArgs,
    analysis: &Analysis,
) -> anyhow::Result<Vec<Exposure>> {
    let uris = analysis.download_uris();
    if uris.is_empty() {
        return Ok(Vec::new());
    }
    let opts = crate::command::check::network::options(connect)?;
    let user_agent = concat!("why401/", env!("CARGO_PKG_VERSION"));
    let timeout = std::time::Duration::from_secs(10);
    let rt = crate::command::runtime()?;
    // Made on the runtime: a proxy relay (https through a Digest proxy) runs on it.
    rt.block_on(async {
        let conn = crate::net::Connection::build(&opts, timeout, user_agent, false)
            .map_err(anyhow::Error::msg)?;
        let mut out = Vec::new();
        for uri in &uris {
            out.push(exposure::fetch(&conn, url, uri).await);
        }
        Ok(out)
    })
}

fn problem_json(p: &Problem) -> serde_json::Value {
    json!({
        "cause": p.cause,
        "code": p.code,
        "severity": p.severity,
        "at": p.at.as_ref().map(ToString::to_string),
        "message": p.message,
        "fix": p.fix,
    })
}

fn to_json(
    inputs: &Inputs,
    a: &Analysis,
    tests: &[SelfTest],
    exposures: &[Exposure],
) -> serde_json::Value {
    json!({
        "request": { "host": inputs.host, "path": inputs.path, "user": inputs.user },
        "effective": a.servers.first().map(|s| &s.effective),
        "servers": a.servers,
        "user_file": a.user_file,
        "problems": a.problems.iter().map(problem_json).collect::<Vec<_>>(),
        "causes": a.causes(),
        "config_tests": tests,
        "downloads": exposures,
    })
}
