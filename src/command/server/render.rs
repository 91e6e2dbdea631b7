//! The plain-text report of `why401 server`: effective auth first, then the user file, then
//! every problem with where it is and its fix. Icons and words carry meaning without colour.

use std::fmt::Write as _;

use crate::server::analysis::{Analysis, Inputs};
use crate::server::exposure::Exposure;
use crate::server::selftest::SelfTest;
use crate::server::{EffectiveAuth, Scheme, Severity};

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "✘",
        Severity::Warning => "⚠",
        Severity::Note => "ℹ",
    }
}

fn effective(out: &mut String, e: &EffectiveAuth) {
    let server = if e.server == "nginx" {
        "nginx"
    } else {
        "Apache"
    };
    let headline = match e.scheme {
        Scheme::Basic | Scheme::Digest => format!(
            "{} auth, realm \"{}\"",
            if e.scheme == Scheme::Basic {
                "Basic"
            } else {
                "Digest"
            },
            e.realm
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        ),
        Scheme::Request => "auth_request subrequest decides".to_owned(),
        Scheme::Off => "no auth (auth_basic off)".to_owned(),
        Scheme::None => "no auth: requests get in without credentials".to_owned(),
    };
    let headline = if let Some(code) = e.returns {
        format!("return {code} answers before any access check runs")
    } else if e.denied_to_all {
        "every client is refused (403), whatever the credentials".to_owned()
    } else if e.scheme == Scheme::None && e.status_anonymous != Some(200) {
        match e.status_anonymous {
            Some(code) => format!("no password is asked, and this request gets {code}"),
            None => {
                "no password is asked; whether it gets in depends on the client (give --client IP)"
                    .to_owned()
            }
        }
    } else {
        headline
    };
    let _ = writeln!(out, "{server}: {headline}");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(out, "  {k:<10} {v}");
    };
    if let Some(m) = &e.matched {
        let at =
            e.at.as_ref()
                .map(|p| format!("  ({p})"))
                .unwrap_or_default();
        row("matched", format!("{m}{at}"));
    }
    if let Some(f) = &e.user_file {
        row("user file", f.to_string());
    }
    if let Some(r) = &e.require {
        row("require", r.to_string());
    }
    row("satisfy", e.satisfy.clone());
    let status =
        |s: Option<u16>| s.map_or_else(|| "depends (see above)".to_owned(), |c| c.to_string());
    let mut answers = format!("{} without credentials", status(e.status_anonymous));
    if let Some(s) = e.status_with_login {
        let _ = write!(answers, ", {s} with the login given");
    }
    row("answers", answers);
    if let Some(p) = &e.proxy_target {
        let fwd = match e.forwards_authorization {
            Some(true) => "Authorization is passed on",
            Some(false) => "Authorization does NOT reach it",
            None => "",
        };
        row("proxy", format!("{p} ({fwd})"));
    }
}

fn formats(out: &mut String, u: &crate::server::access::UserFileReport) {
    let mark = |ok: bool| if ok { "✔" } else { "✘ cannot verify" };
    for f in &u.support {
        let _ = writeln!(
            out,
            "  hash {}: Apache {}, nginx {}",
            f.label,
            mark(f.apache),
            mark(f.nginx)
        );
    }
}

/// The whole report.
pub fn text(inputs: &Inputs, a: &Analysis, tests: &[SelfTest], exposures: &[Exposure]) -> String {
    let mut out = String::new();
    let host = inputs.host.as_deref().unwrap_or("(default server)");
    let _ = writeln!(out, "Request: host {host}, path {}\n", inputs.path);
    for s in &a.servers {
        effective(&mut out, &s.effective);
        out.push('\n');
    }
    if let Some(u) = &a.user_file {
        let state = if u.exists {
            format!("{} user(s), {} bad line(s)", u.users, u.malformed_lines)
        } else {
            "missing".to_owned()
        };
        let _ = writeln!(out, "User file {}: {state}", u.path);
        formats(&mut out, u);
        if let (Some(user), Some(found)) = (&inputs.user, u.user_found) {
            let verdict = match (found, u.password_ok) {
                (false, _) => "not in the file".to_owned(),
                (true, Some(true)) => format!(
                    "found, password matches ({})",
                    u.hash.as_deref().unwrap_or("")
                ),
                (true, Some(false)) => format!(
                    "found, password does NOT match ({})",
                    u.hash.as_deref().unwrap_or("")
                ),
                (true, None) => format!(
                    "found ({}), password not checked",
                    u.hash.as_deref().unwrap_or("")
                ),
            };
            let _ = writeln!(out, "  user \"{user}\": {verdict}");
            if let (Some(a), Some(n)) = (u.apache_accepts, u.nginx_accepts) {
                let word = |ok: bool| if ok { "logs in" } else { "cannot log in" };
                let _ = writeln!(
                    out,
                    "  (server not known) Apache: {}, nginx: {}",
                    word(a),
                    word(n)
                );
            }
        }
        out.push('\n');
    }
    for e in exposures {
        let what = match (e.status, &e.error) {
            (_, Some(err)) => format!("could not fetch: {err}"),
            (Some(s), None) if e.exposed => format!("{s}: DOWNLOADABLE by anyone"),
            (Some(s), None) => format!("{s}: not served"),
            (None, None) => "no answer".to_owned(),
        };
        let _ = writeln!(out, "Download check GET {} → {what}\n", e.url);
    }
    if a.problems.is_empty() {
        out.push_str("✔ No problems found in these files.\n");
    } else {
        let _ = writeln!(out, "Problems ({}):", a.problems.len());
        for p in &a.problems {
            let id = p
                .cause
                .map_or_else(|| format!("[{}]", p.code), |c| format!("[cause: {c}]"));
            let _ = writeln!(out, "  {} {} {id}", icon(p.severity), p.evidence());
            if !p.fix.is_empty() {
                let _ = writeln!(out, "      fix: {}", p.fix);
            }
        }
    }
    for t in tests {
        out.push('\n');
        match (t.ok, &t.reason) {
            (None, Some(r)) => {
                let _ = writeln!(out, "Server's own test ({}) not run: {r}", t.command);
            }
            (ok, _) => {
                let verdict = if ok == Some(true) {
                    "✔ passed"
                } else {
                    "✘ FAILED"
                };
                let _ = writeln!(out, "Server's own test: {} {verdict}", t.command);
                for line in t.output.lines() {
                    let _ = writeln!(out, "  | {line}");
                }
            }
        }
    }
    out
}
