//! `why401 har`: the 401s of a DevTools HAR export, their credentials and what came before.

use std::fmt::Write as _;
use std::io::Read;

use anyhow::Context;

use crate::cli::HarArgs;
use crate::command::Outcome;
use crate::token::har::analyse::{Analysis, Exchange, MAX_KEPT};
use crate::token::{har, render};

pub fn run(args: &HarArgs) -> anyhow::Result<Outcome> {
    let name = args.file.display().to_string();
    let reader: Box<dyn Read> = if name == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(crate::input_file::open_regular(&args.file).context("reading the HAR")?)
    };
    let analysis = har::analyse(reader).with_context(|| format!("reading {name}"))?;
    let report = text(&name, &analysis);
    if args.json {
        crate::command::print(&format!(
            "{}\n",
            crate::report::shown::json(&analysis, &crate::report::Redactor::new())
        ))?;
    } else {
        let shown = crate::report::shown::text(&report, &crate::report::Redactor::new());
        crate::command::print(&format!("{}\n", shown.trim_end()))?;
    }
    if let Some(path) = &args.report.report {
        let probe = crate::probe::har::describe("har", &analysis);
        let mut ticket = crate::report::Ticket::from_reports(
            &crate::report::TargetSpec::described(&format!("DevTools HAR export {name}")),
            &[probe],
            analysis.causes.clone(),
        );
        ticket.attach(
            "why401 har",
            Some(&name),
            report.lines().map(str::to_owned).collect(),
        );
        crate::report::write_report(path, args.report.format, &ticket)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(if analysis.causes.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// The screen report.
pub fn text(name: &str, a: &Analysis) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "HAR {name}: {} request(s), {} answered 401",
        a.requests, a.unauthorized_total
    );
    if a.unauthorized_total > MAX_KEPT {
        let _ = writeln!(out, "(showing the first {MAX_KEPT})");
    }
    // Each login or refresh is shown once, before the first 401 that follows it.
    let mut shown = 0usize;
    for u in &a.unauthorized {
        out.push('\n');
        exchange(&mut out, &u.exchange, "");
        for b in u.before.iter().filter(|b| b.index > shown) {
            exchange(&mut out, b, "    before: ");
        }
        shown = shown.max(u.before.iter().map(|b| b.index).max().unwrap_or(0));
    }
    out.push_str(&render::causes_text(
        &a.causes,
        if a.unauthorized_total == 0 {
            "No request in this capture was answered 401."
        } else {
            "Nothing in this capture explains these 401s."
        },
    ));
    out
}

fn exchange(out: &mut String, e: &Exchange, lead: &str) {
    let _ = writeln!(
        out,
        "{lead}#{} {}  {} {} → {}",
        e.index, e.started, e.method, e.url, e.status
    );
    let pad = if lead.is_empty() {
        "    "
    } else {
        "            "
    };
    if let Some(i) = &e.initiator {
        let _ = writeln!(out, "{pad}initiator      {i}");
    }
    match &e.authorization {
        Some(a) => {
            let mut line = format!("{} {}", a.scheme, a.credential);
            if let Some(u) = &a.user {
                let _ = write!(line, " (user '{u}')");
            }
            if let Some(t) = &a.token {
                let _ = write!(line, " ({})", token_state(t));
            }
            let _ = writeln!(out, "{pad}Authorization  {line}");
        }
        None if lead.is_empty() => {
            let _ = writeln!(out, "{pad}Authorization  none sent");
        }
        None => {}
    }
    if let Some(p) = &e.token_in_url {
        let _ = writeln!(out, "{pad}URL credential {p}= in the URL");
    }
    if !e.cookies.is_empty() {
        let _ = writeln!(out, "{pad}Cookie         {}", e.cookies.join("; "));
    }
    for c in &e.challenges {
        let _ = writeln!(out, "{pad}WWW-Authenticate {c}");
    }
    for c in &e.set_cookies {
        let _ = writeln!(out, "{pad}Set-Cookie     {c}");
    }
    for i in &e.issued {
        let _ = writeln!(out, "{pad}issued         {} {}", i.name, i.fingerprint);
    }
}

fn token_state(t: &crate::token::Inspection) -> String {
    use crate::token::TokenKind;
    match t.kind {
        TokenKind::Jwt => {
            let when = t.times.iter().find(|c| c.name == "exp").map_or_else(
                || "no exp".to_owned(),
                |c| format!("{} at the request", c.relative),
            );
            format!("JWT {}, {when}", t.alg().unwrap_or("?"))
        }
        TokenKind::Jwe => "encrypted JWT".to_owned(),
        TokenKind::Opaque => "opaque token".to_owned(),
        TokenKind::Malformed => format!(
            "malformed: {}",
            t.problems.first().map_or("", String::as_str)
        ),
    }
}
