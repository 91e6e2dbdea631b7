//! One analysis over every file the person gave: the auth each server applies to the request,
//! the user file as that server meets it, and every problem, most serious first.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::access::{self, UserFileCheck, UserFileReport};
use super::htpasswd::Target;
use super::{EffectiveAuth, ParseError, Pos, Problem, apache, nginx};
use crate::diagnose::{CauseHit, rank};

/// What to analyse.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub nginx: Option<PathBuf>,
    pub apache: Option<PathBuf>,
    pub htaccess: Option<PathBuf>,
    pub htpasswd: Option<PathBuf>,
    pub host: Option<String>,
    pub path: String,
    pub user: Option<String>,
    /// Never printed.
    pub password: Option<String>,
    /// A custom auth header name (for nginx's underscore rule).
    pub auth_header: Option<String>,
}

/// One server's answer.
#[derive(Debug, Clone, Serialize)]
pub struct ServerResult {
    pub effective: EffectiveAuth,
    pub files: Vec<PathBuf>,
    /// nginx only: whether the user file is handed out to anyone.
    pub user_file_served: bool,
    #[serde(skip)]
    pub web_root: Option<PathBuf>,
}

/// Everything found.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub servers: Vec<ServerResult>,
    pub user_file: Option<UserFileReport>,
    pub problems: Vec<Problem>,
}

impl Analysis {
    /// The catalogue causes, merged and ranked.
    pub fn causes(&self) -> Vec<CauseHit> {
        rank(self.problems.iter().filter_map(Problem::hit))
    }
}

struct UserFileTarget {
    path: PathBuf,
    at: Option<Pos>,
    target: Target,
    server_user: String,
    web_root: Option<PathBuf>,
    served: bool,
    required: Vec<(String, Pos)>,
}

/// Runs every check the inputs allow. Unparsable files are errors (`FILE:LINE:COL: ...`).
pub fn analyse(inputs: &Inputs) -> Result<Analysis, ParseError> {
    let mut servers = Vec::new();
    let mut problems = Vec::new();
    let mut targets: Vec<UserFileTarget> = Vec::new();
    if let Some(path) = &inputs.nginx {
        let config = nginx::Config::load(path, None)?;
        let req = nginx::auth::Request {
            host: inputs.host.as_deref(),
            path: &inputs.path,
            auth_header: inputs.auth_header.as_deref(),
        };
        let v = nginx::auth::evaluate(&config, &req);
        problems.extend(v.problems);
        if let Some(uf) = v.user_file {
            targets.push(UserFileTarget {
                path: uf,
                at: v.user_file_at,
                target: Target::Nginx,
                server_user: v.worker_user,
                web_root: v.web_root.clone(),
                served: v.user_file_served,
                required: Vec::new(),
            });
        }
        servers.push(ServerResult {
            effective: v.effective,
            files: config.files,
            user_file_served: v.user_file_served,
            web_root: v.web_root,
        });
    }
    let apache_file = inputs
        .apache
        .as_ref()
        .map(|p| (p, apache::Kind::Server))
        .or(inputs
            .htaccess
            .as_ref()
            .map(|p| (p, apache::Kind::Htaccess)));
    if let Some((path, kind)) = apache_file {
        let config = apache::Config::load(path, kind)?;
        let req = apache::effective::Request {
            host: inputs.host.as_deref(),
            path: &inputs.path,
        };
        let v = apache::effective::evaluate(&config, &req);
        problems.extend(v.problems);
        let served = match (&v.user_file, &v.web_root) {
            (Some(f), Some(root)) if kind == apache::Kind::Server => {
                apache::effective::serves(&config, inputs.host.as_deref(), root, f)
            }
            _ => false,
        };
        if let Some(uf) = v.user_file {
            targets.push(UserFileTarget {
                path: uf,
                at: v.user_file_at,
                target: Target::Apache,
                server_user: v.server_user,
                web_root: v.web_root.clone(),
                served,
                required: v.required_users,
            });
        }
        servers.push(ServerResult {
            effective: v.effective,
            files: config.files,
            user_file_served: served,
            web_root: v.web_root,
        });
    }
    if let Some(given) = &inputs.htpasswd {
        match targets.first_mut() {
            Some(t) => {
                if t.path != *given {
                    problems.push(Problem::warning(
                        "user-file-differs",
                        t.at.clone(),
                        format!(
                            "the configuration reads {}, but {} was given: checking the one given",
                            t.path.display(),
                            given.display()
                        ),
                        "Make sure the file you edit is the one the server reads.",
                    ));
                }
                t.path.clone_from(given);
                t.at = None;
            }
            None => targets.push(UserFileTarget {
                path: given.clone(),
                at: None,
                target: if inputs.nginx.is_some() {
                    Target::Nginx
                } else {
                    Target::Apache
                },
                server_user: String::new(),
                web_root: None,
                served: false,
                required: Vec::new(),
            }),
        }
    }
    let mut user_file = None;
    for (i, t) in targets.iter().enumerate() {
        let login = match (&inputs.user, &inputs.password) {
            (Some(u), Some(p)) => Some((u.as_str(), p.as_str())),
            _ => None,
        };
        let report = access::check(&UserFileCheck {
            path: &t.path,
            at: t.at.clone(),
            target: t.target,
            server_user: &t.server_user,
            web_root: t.web_root.as_deref(),
            served: t.served,
            required_users: t.required.clone(),
            login,
        });
        problems.extend(report.problems.iter().cloned());
        if i == 0 {
            user_file = Some(report);
        }
    }
    dedup(&mut problems);
    problems.sort_by_key(|p| std::cmp::Reverse(p.severity));
    Ok(Analysis {
        servers,
        user_file,
        problems,
    })
}

fn dedup(problems: &mut Vec<Problem>) {
    let mut seen: Vec<(String, Option<Pos>)> = Vec::new();
    problems.retain(|p| {
        let key = (p.message.clone(), p.at.clone());
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
}

/// The user file's URL under a web root, for the "can anyone download it" probe.
pub fn user_file_uri(web_root: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(web_root).ok()?;
    Some(format!("/{}", rel.to_string_lossy()))
}

/// Puts an analysis into a probe report: verdict, summary-worthy evidence, causes, and the
/// `problems` / `causes` / `parse_ok` facts every server probe shares.
pub fn fill_report(report: &mut crate::probe::ProbeReport, a: &Analysis) {
    use crate::probe::Verdict;
    report.fact("parse_ok", true);
    let worst = a.problems.iter().map(|p| p.severity).max();
    report.verdict = match worst {
        Some(super::Severity::Error) => Verdict::Fail,
        Some(super::Severity::Warning) => Verdict::Warn,
        _ => Verdict::Ok,
    };
    let lines: Vec<String> = a.problems.iter().map(Problem::evidence).collect();
    report.evidence.extend(lines.iter().cloned());
    report.fact("problems", lines);
    let causes = a.causes();
    report.fact(
        "causes",
        causes.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
    );
    report.causes = causes;
}

/// A probe report for files that could not be parsed: the `FILE:LINE:COL: message` is the
/// evidence, and `parse_ok` is false.
pub fn failed_report(report: &mut crate::probe::ProbeReport, e: &ParseError) {
    report.verdict = crate::probe::Verdict::Fail;
    report.fact("parse_ok", false);
    report.fact("error", e.to_string());
    report.summary = e.to_string();
    report.evidence.push(e.to_string());
}
