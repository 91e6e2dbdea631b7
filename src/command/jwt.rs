//! `why401 jwt`: decode, check and verify one token.

use anyhow::{Context, bail};

use crate::cli::JwtArgs;
use crate::command::Outcome;
use crate::report::{Redactor, shown};
use crate::token::input::{TOKEN_LIMIT, read_bounded_bytes, read_bounded_file, read_token};
use crate::token::verify::Key;
use crate::token::{Expectations, Inspection, inspect, jwks, render, time};

pub fn run(args: &JwtArgs) -> anyhow::Result<Outcome> {
    let raw = read_token(args.token.as_deref())?;
    let expect = Expectations {
        aud: args.aud.clone(),
        iss: args.iss.clone(),
        scopes: args.require_scope.clone(),
        leeway: args.leeway,
        server_now: match &args.server_date {
            Some(d) => Some(time::parse_date(d).with_context(|| {
                format!("--server-date '{d}': expected an HTTP date like 'Tue, 22 Mar 2011 18:43:00 GMT' or an RFC 3339 time")
            })?),
            None => None,
        },
        ..Expectations::local()
    };
    let mut inspection = inspect(&raw, &expect);
    if let Some(key) = key_from_args(args, &inspection)? {
        inspection.verify_with(&key);
    }
    let revealed = args.reveal.then(|| inspection.revealed());
    if args.json {
        let doc = render::json(&inspection, revealed.as_deref());
        // The inspection holds the token as a fingerprint only and its claims are evidence:
        // a token's header and claims are a stranger's text, so only the sanitiser applies.
        let pretty = serde_json::to_string_pretty(&doc)?;
        crate::command::print(&format!("{}\n", crate::sanitize::json(&pretty)))?;
    } else {
        let text = render::text(&inspection, revealed.as_deref());
        crate::command::print(&format!("{}\n", crate::sanitize::text(&text).trim_end()))?;
    }
    if let Some(path) = &args.report.report {
        // A saved report is shared: --reveal is for the screen only.
        let report = crate::probe::jwt::report_of("jwt", &inspection);
        let what = format!("bearer token {}", inspection.fingerprint);
        let mut ticket = crate::report::Ticket::from_reports(
            &crate::report::TargetSpec::described(&what),
            &[report],
            Vec::new(),
        );
        ticket.add_secret("token", &raw);
        let lines = render::text(&inspection, None)
            .lines()
            .map(str::to_owned)
            .collect();
        ticket.attach("why401 jwt", None, lines);
        crate::report::write_report(path, args.report.format, &ticket)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(if inspection.causes.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// The key the flags name, read or fetched. Bad key input is an error: the person asked for a
/// check that cannot run.
fn key_from_args(args: &JwtArgs, inspection: &Inspection) -> anyhow::Result<Option<Key>> {
    let chosen = [
        args.secret_file.is_some(),
        args.public_key.is_some(),
        args.jwks.is_some(),
        args.discover,
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if chosen > 1 {
        bail!("give one of --secret-file, --public-key, --jwks, --discover");
    }
    if let Some(path) = &args.secret_file {
        // Kept as given: verification tries these bytes, then trimmed, and says which held.
        let secret = read_bounded_bytes(path, TOKEN_LIMIT).context("--secret-file")?;
        return Ok(Some(Key::Secret(secret)));
    }
    if let Some(path) = &args.public_key {
        let text = read_bounded_file(path, jwks::DOCUMENT_LIMIT).context("--public-key")?;
        return Ok(Some(Key::Pem(text.into_bytes())));
    }
    if let Some(source) = &args.jwks {
        let set = if source.starts_with("http://") || source.starts_with("https://") {
            eprintln!(
                "fetching the JWKS from {}",
                shown::text(source, &Redactor::new())
            );
            fetch(
                args,
                |conn| async move { jwks::fetch_set(&conn, source).await },
            )?
        } else {
            jwks::load_file(std::path::Path::new(source)).map_err(anyhow::Error::msg)?
        };
        return Ok(Some(Key::Jwks(set)));
    }
    if args.discover {
        let Some(issuer) = args.iss.as_deref().or_else(|| inspection.raw_claim("iss")) else {
            bail!("--discover needs an issuer: the token has no iss claim (give --iss)");
        };
        eprintln!(
            "fetching {}",
            shown::text(&jwks::discovery_url(issuer), &Redactor::new())
        );
        let found = fetch(
            args,
            |conn| async move { jwks::discover(&conn, issuer).await },
        )?;
        if let (Some(doc_iss), Some(tok_iss)) = (&found.issuer, inspection.raw_claim("iss"))
            && doc_iss != tok_iss
        {
            eprintln!(
                "note: the discovery document names issuer '{}', the token '{}'",
                crate::sanitize::line(doc_iss),
                crate::sanitize::line(tok_iss)
            );
        }
        return Ok(Some(Key::Jwks(found.keys)));
    }
    Ok(None)
}

/// Runs `f` with a connection that follows the connection options given (`--cacert`, `-k`,
/// `--resolve`, `--connect-to`, the proxy), as `check` does.
fn fetch<'a, T, F, Fut>(args: &JwtArgs, f: F) -> anyhow::Result<T>
where
    F: FnOnce(crate::net::Connection) -> Fut + 'a,
    Fut: std::future::Future<Output = Result<T, String>> + 'a,
{
    let opts = crate::command::check::network::options(&args.connect)?;
    let rt = crate::command::runtime()?;
    // Made on the runtime: a proxy relay (https through a Digest proxy) runs on it.
    rt.block_on(async {
        let ctx =
            crate::probe::ProbeContext::with_network(std::time::Duration::from_secs(10), &opts)?;
        f(ctx.connection()).await.map_err(anyhow::Error::msg)
    })
}
