//! One analysis over every file the person gave: the auth each server applies to the request,
//! the user file as that server meets it, and every problem, most serious first.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::access::{self, UserFileCheck, UserFileReport};
use super::htpasswd::Target;
use super::{EffectiveAuth, ParseError, Pos, Problem, apache, nginx};
use crate::diagnose::{CauseHit, rank};
use crate::sanitize::OutsidePath;

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
    /// Never printed (a `Secret`: its Debug shows the length only).
    pub password: Option<crate::secret::Secret>,
    /// A custom auth header name (for nginx's underscore rule).
    pub auth_header: Option<String>,
    /// Apache's ServerRoot (`-d`), for relative paths.
    pub server_root: Option<PathBuf>,
    /// Apache's `-D` names, for `<IfDefine>`.
    pub defines: Vec<String>,
    /// The URL asked for: its scheme and port choose nginx's server block.
    pub url: Option<String>,
    /// The client's address, for allow/deny and Require ip rules.
    pub client: Option<std::net::IpAddr>,
}

/// One server's answer.
#[derive(Debug, Clone, Serialize)]
pub struct ServerResult {
    pub effective: EffectiveAuth,
    /// Every file the configuration pulled in.
    pub files: Vec<OutsidePath>,
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

    /// Where each user file under a web root would be downloaded from the live site.
    pub(crate) fn download_uris(&self) -> Vec<String> {
        self.servers
            .iter()
            .filter_map(|s| {
                user_file_uri(s.web_root.as_ref()?, s.effective.user_file.as_ref()?.raw())
            })
            .collect()
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
    digest_realm: Option<String>,
    /// The server (index in `servers`) that reads it, with what it answers a right login.
    server: Option<(usize, Option<u16>)>,
}

/// Runs every check the inputs allow. Unparsable files are errors (`FILE:LINE:COL: ...`).
pub fn analyse(inputs: &Inputs) -> Result<Analysis, ParseError> {
    let mut servers = Vec::new();
    let mut problems = Vec::new();
    let mut targets: Vec<UserFileTarget> = Vec::new();
    if let Some(path) = &inputs.nginx {
        let config = nginx::Config::load(path, None)?;
        let url = inputs.url.as_deref().and_then(|u| url::Url::parse(u).ok());
        let url_host = url.as_ref().and_then(|u| u.host_str().map(str::to_owned));
        let req = nginx::auth::Request {
            host: inputs.host.as_deref().or(url_host.as_deref()),
            path: &inputs.path,
            auth_header: inputs.auth_header.as_deref(),
            client: inputs.client,
            port: url.as_ref().and_then(url::Url::port_or_known_default),
        };
        let mut v = nginx::auth::evaluate(&config, &req);
        let login_ok = v.status_login_ok;
        if v.user_file.is_none() && inputs.password.is_some() {
            // No user file to check the login against: what nginx gives is already known.
            v.effective.status_with_login = login_ok;
        }
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
                digest_realm: None,
                server: Some((servers.len(), login_ok)),
            });
        }
        servers.push(ServerResult {
            effective: v.effective,
            files: config.files.into_iter().map(OutsidePath::from).collect(),
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
        let options = apache::LoadOptions {
            server_root: inputs.server_root.clone(),
            defines: inputs.defines.clone(),
        };
        let config = apache::Config::load_with(path, kind, &options)?;
        problems.extend(config.skipped.iter().map(|s| {
            let mut p = Problem::warning(
                "section-not-applied",
                Some(s.at.clone()),
                format!("{} is skipped as Apache skips it: {}", s.section, s.reason),
                "",
            );
            p.severity = super::Severity::Note;
            p
        }));
        let req = apache::effective::Request {
            host: inputs.host.as_deref(),
            path: &inputs.path,
            client: inputs.client,
            user: inputs.user.as_deref(),
        };
        let mut v = apache::effective::evaluate(&config, &req);
        v.effective.status_anonymous = v.status_anonymous;
        problems.extend(v.problems);
        let served = match (&v.user_file, &v.web_root) {
            (Some(f), Some(root)) if kind == apache::Kind::Server => {
                apache::effective::serves(&config, inputs.host.as_deref(), root, f)
            }
            _ => false,
        };
        if let Some(uf) = v.user_file {
            let digest = v.effective.scheme == super::Scheme::Digest;
            targets.push(UserFileTarget {
                path: uf,
                at: v.user_file_at,
                target: Target::Apache,
                server_user: v.server_user,
                web_root: v.web_root.clone(),
                served,
                required: v.required_users,
                digest_realm: v
                    .effective
                    .realm
                    .as_ref()
                    .map(|r| r.raw().to_owned())
                    .filter(|_| digest)
                    .or_else(|| digest.then(String::new)),
                server: Some((servers.len(), v.status_user)),
            });
        }
        servers.push(ServerResult {
            effective: v.effective,
            files: config.files.into_iter().map(OutsidePath::from).collect(),
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
                } else if apache_file.is_some() {
                    Target::Apache
                } else {
                    Target::Either
                },
                server_user: String::new(),
                web_root: None,
                served: false,
                required: Vec::new(),
                digest_realm: None,
                server: None,
            }),
        }
    }
    let mut user_file = None;
    for (i, t) in targets.iter().enumerate() {
        let login = match (&inputs.user, &inputs.password) {
            (Some(u), Some(p)) => Some((u.as_str(), p)),
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
            digest_realm: t.digest_realm.as_deref(),
        });
        problems.extend(report.problems.iter().cloned());
        if let Some((server, right)) = t
            .server
            .and_then(|(index, right)| Some((servers.get_mut(index)?, right)))
        {
            let accepted = report.user_found == Some(true)
                && report.password_ok == Some(true)
                && report.hash_supported == Some(true);
            let e = &mut server.effective;
            if login.is_some() {
                e.status_with_login = match e.status_anonymous {
                    Some(401) if accepted => right,
                    other => other,
                };
            }
        }
        if i == 0 {
            user_file = Some(report);
        }
    }
    if inputs.user.is_some() && inputs.password.is_some() {
        // Where no user file is read, a login changes nothing but a challenge's outcome.
        for s in &mut servers {
            let e = &mut s.effective;
            if e.status_with_login.is_none() && e.status_anonymous != Some(401) {
                e.status_with_login = e.status_anonymous;
            }
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
pub(crate) fn user_file_uri(web_root: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(web_root).ok()?;
    Some(format!("/{}", rel.to_string_lossy()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The inputs (and the user-file check they become) print the password's length only.
    #[test]
    fn the_password_never_prints() {
        let inputs = Inputs {
            user: Some("alice".to_owned()),
            password: Some(crate::secret::Secret::new("Summer2026!")),
            ..Inputs::default()
        };
        let shown = format!("{inputs:?}");
        assert!(!shown.contains("Summer2026"), "{shown}");
        let password = inputs.password.as_ref().unwrap();
        let check = UserFileCheck {
            path: Path::new("/nonexistent"),
            at: None,
            target: Target::Either,
            server_user: "",
            web_root: None,
            served: false,
            required_users: Vec::new(),
            login: Some(("alice", password)),
            digest_realm: None,
        };
        let shown = format!("{check:?}");
        assert!(
            !shown.contains("Summer2026") && shown.contains("alice"),
            "{shown}"
        );
    }
}
