//! The `htpasswd` probe: a user file's lines, hash formats, and one user's password checked.

use futures::FutureExt;

use super::fact;
use super::{ArgSpec, FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, Verdict};
use crate::server::access::{self, UserFileCheck};
use crate::server::htpasswd::Target;

const fn arg(name: &'static str, required: bool, secret: bool, doc: &'static str) -> ArgSpec {
    ArgSpec {
        name,
        required,
        secret,
        doc,
    }
}

pub(crate) const KIND: ProbeKind = ProbeKind {
    name: "htpasswd",
    doc: "An htpasswd user file: bad lines, hash formats the server can verify, one user's password checked.",
    args: &[
        arg("htpasswd", true, false, "the user file"),
        arg(
            "server",
            false,
            false,
            "apache (default), nginx, or any (not known): which server reads it",
        ),
        arg("user", false, false, "user to look up"),
        arg("password", false, true, "that user's password, to verify"),
    ],
    facts: &[
        fact("exists", FactType::Bool, "the file exists"),
        fact("users", FactType::Int, "users in the file"),
        fact(
            "malformed_lines",
            FactType::Int,
            "lines the server misreads",
        ),
        fact(
            "formats",
            FactType::StrList,
            "hash formats found (bcrypt, apr1, sha1, ssha, des, md5-crypt, sha256-crypt, sha512-crypt, yescrypt, plain-tagged, plain)",
        ),
        fact("user_found", FactType::Bool, "the user is in the file"),
        fact(
            "password_ok",
            FactType::Bool,
            "the password matches (absent when it cannot be checked)",
        ),
        fact("hash", FactType::Str, "the user's hash format"),
        fact(
            "hash_supported",
            FactType::Bool,
            "the server can verify the user's hash",
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

fn run(id: String, args: ProbeArgs, _ctx: ProbeContext) -> super::ProbeFuture {
    async move {
        let probe_id = id.clone();
        tokio::task::spawn_blocking(move || check(&id, &args))
            .await
            .unwrap_or_else(|e| {
                ProbeReport::failed(&probe_id, "htpasswd", format!("check stopped: {e}"))
            })
    }
    .boxed()
}

/// Runs the check synchronously.
pub fn check(id: &str, args: &ProbeArgs) -> ProbeReport {
    let mut report = ProbeReport::new(id, "htpasswd");
    let Some(path) = args.get("htpasswd").filter(|p| !p.is_empty()) else {
        return ProbeReport::failed(id, "htpasswd", "no htpasswd file given");
    };
    let target = match args.get("server").map(|s| s.to_ascii_lowercase()) {
        Some(s) if s == "nginx" => Target::Nginx,
        Some(s) if s == "any" => Target::Either,
        _ => Target::Apache,
    };
    let user = args.get("user").filter(|u| !u.is_empty());
    let password = args
        .get("password")
        .filter(|p| !p.is_empty())
        .map(crate::secret::Secret::new);
    let path = std::path::PathBuf::from(path);
    let r = access::check(&UserFileCheck {
        path: &path,
        at: None,
        target,
        server_user: "",
        web_root: None,
        served: false,
        required_users: Vec::new(),
        // Without a password only the user is looked up.
        login: user.zip(password.as_ref()).map(|(u, p)| (u.as_str(), p)),
        digest_realm: None,
    });
    report.fact("exists", r.exists);
    report.fact("users", r.users as i64);
    report.fact("malformed_lines", r.malformed_lines as i64);
    report.fact("formats", r.formats.clone());
    if let Some(u) = user.filter(|_| r.user_found.is_none() && r.exists) {
        let found =
            crate::server::htpasswd::UserFile::load(&path).is_ok_and(|f| f.find(u).is_some());
        report.fact("user_found", found);
    }
    if let Some(v) = r.user_found {
        report.fact("user_found", v);
    }
    if let Some(v) = r.password_ok {
        report.fact("password_ok", v);
    }
    if let Some(h) = &r.hash {
        report.fact("hash", h.as_str());
    }
    if let Some(v) = r.hash_supported {
        report.fact("hash_supported", v);
    }
    super::nginx::problems_fact(&mut report, &r.problems);
    let causes = crate::diagnose::rank(r.problems.iter().filter_map(crate::server::Problem::hit));
    report.fact(
        "causes",
        causes.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
    );
    report.verdict = if causes.is_empty() {
        Verdict::Ok
    } else {
        Verdict::Fail
    };
    report.summary = format!(
        "{}: {} user(s), {} bad line(s){}",
        path.display(),
        r.users,
        r.malformed_lines,
        causes
            .first()
            .map(|c| format!(", {}", c.id))
            .unwrap_or_default()
    );
    report.causes = causes;
    report
}
