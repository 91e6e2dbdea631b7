//! Apache's effective auth for a request: the sections that apply in Apache's merge order
//! (Directory by depth with each directory's .htaccess, DirectoryMatch, Files, Location), auth
//! directives overriding, and the authz of the last section that has any (AuthMerging Off).

use std::path::{Path, PathBuf};

use super::{Config, Kind, is, wildcard};
use crate::server::pcre::{Pcre, could_match};
use crate::server::{Directive, EffectiveAuth, Pos, Problem, source};

pub(crate) mod authz;

pub use authz::Access;

/// The request to evaluate.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    pub host: Option<&'a str>,
    pub path: &'a str,
    /// The client's address, for Require ip / Allow from; unknown when `None`.
    pub client: Option<std::net::IpAddr>,
    /// A user whose credentials are right, to work out what Apache answers them.
    pub user: Option<&'a str>,
}

/// One section that applies: what it is and its directives.
#[derive(Debug, Clone)]
pub struct Applied<'a> {
    pub label: String,
    pub body: &'a [Directive],
}

/// What the request meets in Apache.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub effective: EffectiveAuth,
    pub access: Access,
    pub problems: Vec<Problem>,
    pub user_file: Option<PathBuf>,
    pub user_file_at: Option<Pos>,
    pub required_users: Vec<(String, Pos)>,
    pub server_user: String,
    pub web_root: Option<PathBuf>,
    /// What Apache answers a request without credentials; `None` when it depends on what
    /// the files do not say (the client's address, a host name, an expression).
    pub status_anonymous: Option<u16>,
    /// What it answers `Request::user` with the right password.
    pub status_user: Option<u16>,
    /// Whether some rule wants an authenticated user (Apache asks for credentials).
    pub asks_for_user: bool,
}

/// The applicable sections, outermost first, plus .htaccess files read from disk.
pub struct Sections<'a> {
    pub applied: Vec<Applied<'a>>,
    pub web_root: Option<PathBuf>,
}

/// .htaccess files found on disk, kept alive for the sections that borrow them.
#[derive(Default)]
pub struct Overrides {
    files: Vec<Config>,
}

fn strip(arg: &str) -> &str {
    arg.trim_end_matches('/')
}

/// Collects what applies to the request. `.htaccess` files under the document root are read
/// into `overrides` when AllowOverride lets them in.
pub fn sections<'a>(
    config: &'a Config,
    req: &Request<'_>,
    overrides: &'a mut Overrides,
    notes: &mut Vec<Problem>,
) -> Sections<'a> {
    if config.kind == Kind::Htaccess {
        let mut applied = vec![Applied {
            label: format!(".htaccess {}", config.main.display()),
            body: &config.root,
        }];
        nested(&config.root, req, &mut applied, notes);
        // The .htaccess's own directory is served. Absolute, so that `--htaccess .htaccess`
        // (an empty parent, which every path starts with) and `site/.htaccess` compare with
        // an absolute AuthUserFile as the directory they are.
        let web_root = std::path::absolute(&config.main)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        return Sections { applied, web_root };
    }
    let vhost = config.vhost(req.host);
    let web_root = config
        .server_directive(vhost, "DocumentRoot")
        .and_then(|d| d.arg(0))
        .map(|r| source::resolve(r, &config.server_root));
    let fs_path = web_root
        .as_ref()
        .map(|r| r.join(req.path.trim_start_matches('/')));
    let mut all: Vec<&Directive> = config.root.iter().collect();
    if let Some(v) = vhost {
        all.extend(v.body().iter());
    }
    let mut dirs: Vec<&Directive> = all
        .iter()
        .copied()
        .filter(|d| {
            is(d, "Directory")
                && d.arg(0) != Some("~")
                && fs_path
                    .as_ref()
                    .is_some_and(|p| dir_matches(strip(d.arg(0).unwrap_or("")), p))
        })
        .collect();
    dirs.sort_by_key(|d| {
        Path::new(strip(d.arg(0).unwrap_or("")))
            .components()
            .count()
    });
    let mut applied = Vec::new();
    let mut htaccess_dirs = Vec::new();
    if let (Some(root), Some(path)) = (&web_root, &fs_path) {
        let mut dir = root.clone();
        htaccess_dirs.push(dir.clone());
        let rel = path.strip_prefix(root).unwrap_or(Path::new(""));
        let comps: Vec<_> = rel.components().collect();
        for c in comps.iter().take(
            comps
                .len()
                .saturating_sub(usize::from(!req.path.ends_with('/'))),
        ) {
            dir.push(c);
            htaccess_dirs.push(dir.clone());
        }
    }
    let allow = |dirs: &[&Directive], at: &Path| -> bool {
        dirs.iter()
            .rev()
            .filter(|d| at.starts_with(strip(d.arg(0).unwrap_or(""))))
            .find_map(|d| {
                d.body()
                    .iter()
                    .rev()
                    .find(|x| is(x, "AllowOverride"))
                    .map(|x| {
                        x.args.iter().any(|a| {
                            a.eq_ignore_ascii_case("all") || a.eq_ignore_ascii_case("authconfig")
                        })
                    })
            })
            .unwrap_or(false)
    };
    for d in &dirs {
        applied.push(Applied {
            label: format!("<Directory {}>", d.arg(0).unwrap_or("")),
            body: d.body(),
        });
    }
    for hd in &htaccess_dirs {
        let file = hd.join(".htaccess");
        if file.is_file() && allow(&dirs, hd) {
            match Config::load(&file, Kind::Htaccess) {
                Ok(c) => overrides.files.push(c),
                Err(e) => notes.push(Problem::warning(
                    "htaccess-unreadable",
                    Some(e.pos.clone()),
                    e.message,
                    "Apache answers 500 for a broken .htaccess.",
                )),
            }
        }
    }
    // Borrow the loaded .htaccess files only after every push is done.
    let overrides: &'a Overrides = overrides;
    for c in &overrides.files {
        applied.push(Applied {
            label: format!(".htaccess {}", c.main.display()),
            body: &c.root,
        });
    }
    for d in all.iter().copied().filter(|d| {
        (is(d, "DirectoryMatch") || (is(d, "Directory") && d.arg(0) == Some("~")))
            && d.block.is_some()
    }) {
        let re = if is(d, "Directory") {
            d.arg(1)
        } else {
            d.arg(0)
        };
        if let (Some(re), Some(p)) = (re, &fs_path) {
            if regex_hit(d, re, &p.to_string_lossy(), notes) {
                applied.push(Applied {
                    label: d.head(),
                    body: d.body(),
                });
            }
        }
    }
    let bodies: Vec<&'a [Directive]> = applied.iter().map(|a| a.body).collect();
    for b in bodies {
        nested(b, req, &mut applied, notes);
    }
    nested_top(&all, req, &mut applied, notes);
    Sections { applied, web_root }
}

fn dir_matches(pattern: &str, path: &Path) -> bool {
    if pattern.contains(['*', '?']) {
        let depth = Path::new(pattern).components().count();
        let prefix: PathBuf = path.components().take(depth).collect();
        return wildcard(pattern, &prefix.to_string_lossy());
    }
    path.starts_with(pattern)
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or("")
}

/// Whether a section's PCRE matches; a pattern that cannot be evaluated is reported with
/// its file:line where it could match, and taken as not matching.
fn regex_hit(d: &Directive, re: &str, text: &str, notes: &mut Vec<Problem>) -> bool {
    let why = match Pcre::new(re, false, true) {
        Ok(r) => match r.is_match(text) {
            Some(hit) => return hit,
            None => "matching it took too many steps".to_owned(),
        },
        Err(e) => e,
    };
    if could_match(re, text, false) {
        notes.push(Problem::warning(
            "regex-not-evaluated",
            Some(d.pos.clone()),
            format!(
                "cannot evaluate <{}> ({why}); if it matches {text}, the answer below is wrong",
                d.head()
            ),
            "",
        ));
    }
    false
}

fn files_match(d: &Directive, name: &str, notes: &mut Vec<Problem>) -> bool {
    let (re, tilde) = if is(d, "FilesMatch") {
        (d.arg(0), true)
    } else if d.arg(0) == Some("~") {
        (d.arg(1), true)
    } else {
        (d.arg(0), false)
    };
    let Some(p) = re else { return false };
    if tilde {
        regex_hit(d, p, name, notes)
    } else {
        wildcard(p, name)
    }
}

/// `<Files>`, `<FilesMatch>` and `<If>` inside an applied body.
fn nested<'a>(
    body: &'a [Directive],
    req: &Request<'_>,
    out: &mut Vec<Applied<'a>>,
    notes: &mut Vec<Problem>,
) {
    let name = basename(req.path);
    for d in body.iter().filter(|d| d.block.is_some()) {
        if (is(d, "Files") || is(d, "FilesMatch")) && files_match(d, name, notes) {
            out.push(Applied {
                label: format!("<{}>", d.head()),
                body: d.body(),
            });
        } else if (is(d, "If") || is(d, "ElseIf") || is(d, "Else"))
            && d.body().iter().any(authz::is_auth_directive)
        {
            notes.push(Problem::warning(
                "if-not-evaluated",
                Some(d.pos.clone()),
                format!(
                    "<{}> holds auth directives; its expression is not evaluated here",
                    d.head()
                ),
                "",
            ));
        }
    }
}

/// Server-level `<Files*>` and `<Location*>` sections, in Apache's order.
fn nested_top<'a>(
    all: &[&'a Directive],
    req: &Request<'_>,
    out: &mut Vec<Applied<'a>>,
    notes: &mut Vec<Problem>,
) {
    for d in all.iter().copied() {
        if (is(d, "Files") || is(d, "FilesMatch")) && files_match(d, basename(req.path), notes) {
            out.push(Applied {
                label: format!("<{}>", d.head()),
                body: d.body(),
            });
        }
    }
    for d in all.iter().copied().filter(|d| d.block.is_some()) {
        let hit = if is(d, "LocationMatch") || (is(d, "Location") && d.arg(0) == Some("~")) {
            let re = if is(d, "Location") {
                d.arg(1)
            } else {
                d.arg(0)
            };
            re.is_some_and(|r| regex_hit(d, r, req.path, notes))
        } else if is(d, "Location") {
            d.arg(0).is_some_and(|p| location_matches(p, req.path))
        } else {
            false
        };
        if hit {
            out.push(Applied {
                label: format!("<{}>", d.head()),
                body: d.body(),
            });
        } else if is(d, "If") && d.body().iter().any(authz::is_auth_directive) {
            notes.push(Problem::warning(
                "if-not-evaluated",
                Some(d.pos.clone()),
                format!(
                    "<{}> holds auth directives; its expression is not evaluated here",
                    d.head()
                ),
                "",
            ));
        }
    }
}

/// `<Location /admin>` matches /admin, /admin/ and /admin/x, not /administrator.
fn location_matches(pattern: &str, path: &str) -> bool {
    if pattern.contains(['*', '?']) {
        return wildcard(pattern, path)
            || wildcard(&format!("{}/*", pattern.trim_end_matches('/')), path);
    }
    let p = pattern.trim_end_matches('/');
    path == p
        || path.starts_with(&format!("{p}/"))
        || (pattern.ends_with('/') && path.starts_with(pattern))
}

/// Works out the effective auth and every problem on its way.
pub fn evaluate(config: &Config, req: &Request<'_>) -> Verdict {
    let mut problems = Vec::new();
    let mut overrides = Overrides::default();
    let secs = sections(config, req, &mut overrides, &mut problems);
    let merged = authz::merge(&secs.applied);
    let server_user = config
        .root
        .iter()
        .find(|d| is(d, "User"))
        .and_then(|d| d.arg(0))
        .filter(|u| !u.starts_with("${"))
        .unwrap_or("www-data")
        .to_owned();
    let mut v = Verdict {
        effective: EffectiveAuth::none("apache"),
        access: Access::Granted,
        problems,
        user_file: None,
        user_file_at: None,
        required_users: Vec::new(),
        server_user,
        web_root: secs.web_root.clone(),
        status_anonymous: None,
        status_user: None,
        asks_for_user: false,
    };
    authz::judge(config, &merged, &secs.applied, req, &mut v);
    authz::app_forwarding(&secs.applied, config, req, &mut v);
    v
}

/// Whether Apache hands out `file` (under the web root) to an anonymous client.
pub fn serves(config: &Config, host: Option<&str>, web_root: &Path, file: &Path) -> bool {
    let Ok(rel) = file.strip_prefix(web_root) else {
        return false;
    };
    let uri = format!("/{}", rel.to_string_lossy());
    let v = evaluate(
        config,
        &Request {
            host,
            path: &uri,
            ..Request::default()
        },
    );
    v.access == Access::Granted && !v.effective.demands_credentials()
}

#[cfg(test)]
mod tests;
