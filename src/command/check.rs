//! `why401 check URL`: the options turned into a [`CheckRequest`], the battery run, the
//! causes printed most likely first with evidence, fix and who applies it.

use crate::check::{self, CheckRequest};
use crate::cli::{CheckArgs, GlobalArgs};
use crate::command::Outcome;
use crate::probe::http;

mod input;
pub(crate) mod network;

/// Entry point of the subcommand.
pub fn run(args: &CheckArgs, _global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let request = request(args)?;
    let result = crate::command::runtime()?.block_on(check::run(&request))?;
    let mut redactor = crate::report::Redactor::new();
    for secret in request.secrets() {
        redactor.add_secret("secret", secret);
    }
    // A server may echo a credential back, and its headers are a stranger's text.
    let text = if args.json {
        crate::report::shown::json_text(&result.json(), &redactor)
    } else {
        crate::report::shown::text(&result.text(), &redactor)
    };
    crate::command::print(&format!("{text}\n"))?;
    if let Some(path) = &args.report.report {
        let mut target = crate::report::TargetSpec::request(&result.url, &result.method);
        // The ticket states --cacert, -k, --resolve, --connect-to and the proxy when used.
        target.connection = request.net.summary();
        let mut ticket =
            crate::report::Ticket::from_reports(&target, &result.reports, result.ranked());
        for secret in request.secrets() {
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

/// The check the options describe, checked before any request is made.
pub fn request(args: &CheckArgs) -> anyhow::Result<CheckRequest> {
    let url = http::parse_url(&args.url).map_err(|e| anyhow::anyhow!("{}", e.message))?;
    if let Some(b) = &args.backend {
        http::parse_url(b).map_err(|e| anyhow::anyhow!("--backend: {}", e.message))?;
    }
    let timeout = crate::command::timeout_secs(args.timeout)?;
    let method = args.method.clone().unwrap_or_else(|| {
        let implied = if args.net.data.is_some() {
            "POST"
        } else {
            "GET"
        };
        implied.to_owned()
    });
    reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .map_err(|_| anyhow::anyhow!("--method: '{method}' is not a valid method"))?;
    let (credentials, headers) = input::credentials(args)?;
    let mut request = CheckRequest {
        url,
        method: method.to_ascii_uppercase(),
        credentials,
        headers,
        aud: args.aud.clone(),
        iss: args.iss.clone(),
        jwks: args.jwks.clone(),
        origin: args.origin.clone(),
        backend: args.backend.clone(),
        timeout,
        net: network::options(&args.net.connect)?,
        body: network::body(&args.net)?,
        fresh_token: network::client_credentials(&args.net)?,
        max_password_sends: usize::from(args.max_password_sends),
        server: check::ServerFiles {
            nginx: args.files.nginx_conf.clone(),
            apache: args.files.apache_conf.clone(),
            htaccess: args.files.htaccess.clone(),
            htpasswd: args.files.htpasswd.clone(),
            found_here: false,
        },
    };
    request.take_userinfo();
    Ok(request)
}
