//! The user file as the server will meet it: present, readable by the server's user, outside
//! the web root, well formed, hashes the server can verify, and a given login checked.

use std::path::Path;

use serde::Serialize;

use super::htpasswd::{Entry, HashFormat, LineIssue, Target, UserFile};
use super::{Pos, Problem, Severity};
use crate::sanitize::OutsidePath;

/// What to check the user file against.
#[derive(Debug, Clone)]
pub struct UserFileCheck<'a> {
    pub path: &'a Path,
    /// The directive naming the file.
    pub at: Option<Pos>,
    pub target: Target,
    /// The account the server reads the file as (`www-data`, `nobody`...).
    pub server_user: &'a str,
    pub web_root: Option<&'a Path>,
    /// True when the server would hand the file out to anyone (worked out by the caller).
    pub served: bool,
    /// Users named by `Require user`, with where.
    pub required_users: Vec<(String, Pos)>,
    /// A login to verify: user and password.
    pub login: Option<(&'a str, &'a crate::secret::Secret)>,
    /// `AuthType Digest`: the realm (AuthName) whose htdigest lines Apache reads.
    pub digest_realm: Option<&'a str>,
}

/// Which server verifies one hash format.
#[derive(Debug, Clone, Serialize)]
pub struct FormatSupport {
    pub format: String,
    pub label: String,
    pub apache: bool,
    pub nginx: bool,
}

/// What the check found, as facts and problems.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UserFileReport {
    /// The file as the configuration named it.
    pub path: OutsidePath,
    pub exists: bool,
    pub readable: Option<bool>,
    pub users: usize,
    pub malformed_lines: usize,
    /// Formats found, by id, each once.
    pub formats: Vec<String>,
    /// For each format found: can Apache, can nginx verify it.
    pub support: Vec<FormatSupport>,
    pub user_found: Option<bool>,
    pub password_ok: Option<bool>,
    /// Hash format of the checked user's entry.
    pub hash: Option<String>,
    pub hash_supported: Option<bool>,
    /// With a login checked and no server known: whether each server lets it in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apache_accepts: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nginx_accepts: Option<bool>,
    #[serde(skip)]
    pub problems: Vec<Problem>,
}

#[allow(clippy::unnecessary_wraps)] // every caller wants an optional position
fn at_line(path: &Path, line: usize, col: usize) -> Option<Pos> {
    Some(Pos::new(path, line, col))
}

/// Runs every user-file check.
pub fn check(c: &UserFileCheck<'_>) -> UserFileReport {
    let mut r = UserFileReport {
        path: OutsidePath::new(c.path),
        ..UserFileReport::default()
    };
    if !c.path.exists() {
        r.problems.push(Problem::cause(
            "htpasswd-file-missing",
            c.at.clone(),
            format!(
                "the user file {} does not exist: {} answers every login with an error",
                c.path.display(),
                c.target.label()
            ),
        ));
        return r;
    }
    r.exists = true;
    r.readable = readable_by(c.path, c.server_user);
    if r.readable == Some(false) {
        r.problems.push(
            Problem::cause(
                "htpasswd-file-unreadable",
                c.at.clone(),
                format!(
                    "{} cannot be read by the server's user \"{}\" (mode {})",
                    c.path.display(),
                    c.server_user,
                    mode_of(c.path)
                ),
            )
            .with_fix(format!(
                "Let the server read it: chgrp {} {} && chmod 640 {}",
                c.server_user,
                c.path.display(),
                c.path.display()
            )),
        );
    }
    if let Some(root) = c.web_root.filter(|root| c.path.starts_with(root)) {
        let (message, fix) = if c.served {
            (
                "can be downloaded: no rule stops the server from handing it out",
                "Move it outside the web root, or deny access to it (nginx: location ~ /\\.ht { deny all; })",
            )
        } else {
            (
                "is one configuration change away from being downloadable",
                "Move it outside the web root, e.g. /etc/apache2/.htpasswd or /etc/nginx/.htpasswd",
            )
        };
        let mut p = Problem::warning(
            "user-file-in-web-root",
            c.at.clone(),
            format!(
                "{} is inside the web root {}: it {message}",
                c.path.display(),
                root.display()
            ),
            fix,
        );
        if c.served {
            p.severity = Severity::Error;
        }
        r.problems.push(p);
    }
    match UserFile::load(c.path) {
        Ok(file) => contents(c, &file, &mut r),
        Err(e) => r.problems.push(Problem::cause(
            "htpasswd-malformed",
            Some(e.pos.clone()),
            e.message,
        )),
    }
    r
}

fn contents(c: &UserFileCheck<'_>, file: &UserFile, r: &mut UserFileReport) {
    r.users = file.entries.len();
    for m in &file.malformed {
        if m.issue == LineIssue::Crlf {
            r.problems.push(crlf(c, m));
        } else if m.harmless_for.contains(&c.target) {
            r.problems.push(Problem::warning(
                "htpasswd-line",
                at_line(c.path, m.line, m.col),
                m.message.clone(),
                "Rewrite the file with Unix line endings (dos2unix).",
            ));
        } else {
            r.malformed_lines += 1;
            r.problems.push(Problem::cause(
                "htpasswd-malformed",
                at_line(c.path, m.line, m.col),
                m.message.clone(),
            ));
        }
    }
    for e in &file.entries {
        let id = e.format.id().to_owned();
        if !r.formats.contains(&id) {
            r.support.push(FormatSupport {
                format: id.clone(),
                label: e.format.label().to_owned(),
                apache: e.format.supported_by(Target::Apache),
                nginx: e.format.supported_by(Target::Nginx),
            });
            r.formats.push(id);
        }
        entry_problems(c, e, r);
    }
    if file.entries.is_empty() {
        r.problems.push(Problem::cause(
            "htpasswd-malformed",
            at_line(c.path, 1, 1),
            format!("{} holds no user at all", c.path.display()),
        ));
    }
    if let Some(realm) = c.digest_realm {
        if !file.entries.is_empty()
            && !file
                .entries
                .iter()
                .any(|e| e.realm.as_deref() == Some(realm))
        {
            r.problems.push(Problem::cause(
                "auth-config-incomplete",
                c.at.clone(),
                format!("no line of {} is in the realm \"{realm}\" (AuthName): Apache's Digest auth finds no user, every login gets 401", c.path.display()),
            ).with_fix(format!("Make the AuthName and the htdigest realm the same: htdigest {} \"{realm}\" USER", c.path.display())));
        }
    }
    for (user, pos) in &c.required_users {
        if file.find(user).is_none() {
            r.problems.push(
                Problem::cause(
                    "require-user-not-in-file",
                    Some(pos.clone()),
                    format!("Require user {user}: no such user in {}", c.path.display()),
                )
                .with_fix(format!(
                    "Add the user: htpasswd -B {} {user} (or fix the name in Require)",
                    c.path.display()
                )),
            );
        }
    }
    if let Some((user, password)) = c.login {
        login(c, file, user, password.expose(), r);
    }
}

/// Apache and nginx cut a line's `\r`; tools that keep it (Traefik, Caddy, many libraries)
/// make it part of the hash. A concern only when the reader is not known to be one of the two.
fn crlf(c: &UserFileCheck<'_>, m: &crate::server::htpasswd::Malformed) -> Problem {
    let mut p = Problem::cause(
        "user-file-entry-broken",
        at_line(c.path, m.line, m.col),
        format!("line {} ends in CRLF: Apache and nginx cut the \\r, but tools that keep it (Traefik, Caddy, most libraries) read it as part of the hash and no password matches", m.line),
    )
    .with_fix(format!("Rewrite the file with Unix line endings: dos2unix {}", c.path.display()));
    p.severity = if c.target == Target::Either {
        Severity::Warning
    } else {
        Severity::Note
    };
    p
}

fn entry_problems(c: &UserFileCheck<'_>, e: &Entry, r: &mut UserFileReport) {
    let at = at_line(c.path, e.line, e.user.len() + 2);
    if let Some(why) = &e.broken {
        r.problems.push(
            Problem::cause(
                "user-file-entry-broken",
                at,
                format!(
                    "line {}, user \"{}\": {why}; nobody can log in as this user",
                    e.line,
                    e.user.trim_matches(['"', '\''])
                ),
            )
            .with_fix(format!(
                "Set the password again with the real tool: htpasswd -B {} {}",
                c.path.display(),
                e.user.trim_matches(['"', '\''])
            )),
        );
        return;
    }
    let digest = c.digest_realm.is_some();
    if digest != (e.format == HashFormat::DigestMd5) {
        let message = if digest {
            format!(
                "line {}, user \"{}\": a {} line, but AuthType Digest reads only htdigest lines (user:realm:md5): that user can never log in",
                e.line,
                e.user,
                e.format.label()
            )
        } else {
            format!(
                "line {}, user \"{}\": an htdigest line (user:realm:hash), but Basic auth reads the realm as the hash: that user can never log in",
                e.line, e.user
            )
        };
        r.problems
            .push(Problem::cause("htpasswd-unsupported-hash", at, message));
        return;
    }
    if digest {
        return;
    }
    let (apache, nginx) = (
        e.format.supported_by(Target::Apache),
        e.format.supported_by(Target::Nginx),
    );
    if c.target == Target::Either && apache != nginx {
        let (can, cannot) = if apache {
            ("Apache", "nginx")
        } else {
            ("nginx", "Apache")
        };
        let mut p = Problem::cause(
            "htpasswd-unsupported-hash",
            at,
            format!(
                "user \"{}\" has a {} hash: {can} verifies it, {cannot} cannot (that user cannot log in there)",
                e.user,
                e.format.label()
            ),
        );
        p.severity = Severity::Warning;
        r.problems.push(p);
    } else if !e.format.supported_by(c.target) {
        r.problems.push(Problem::cause(
            "htpasswd-unsupported-hash",
            at,
            format!(
                "user \"{}\" has a {} hash, which {} cannot verify: that user can never log in",
                e.user,
                e.format.label(),
                c.target.label()
            ),
        ));
    }
}

fn login(
    c: &UserFileCheck<'_>,
    file: &UserFile,
    user: &str,
    password: &str,
    r: &mut UserFileReport,
) {
    let found = match c.digest_realm {
        Some(realm) => file.find_digest(user, realm),
        None => file.find(user),
    };
    let Some(entry) = found else {
        r.user_found = Some(false);
        unknown(c, file, user, r);
        return;
    };
    r.user_found = Some(true);
    if !c.required_users.is_empty() && !c.required_users.iter().any(|(u, _)| u == user) {
        let names: Vec<&str> = c.required_users.iter().map(|(u, _)| u.as_str()).collect();
        r.problems.push(Problem::warning(
            "user-not-allowed",
            c.required_users.first().map(|(_, at)| at.clone()),
            format!("\"{user}\" is in the file but Require only lets in {}: Apache answers 401 even with the right password", names.join(", ")),
            format!("Add {user} to the Require user line, or use Require valid-user."),
        ));
    }
    r.hash = Some(entry.format.id().to_owned());
    let supported = entry.format.supported_by(c.target) || c.digest_realm.is_some();
    r.hash_supported = Some(supported);
    r.password_ok = entry.verify(password);
    if c.target == Target::Either {
        let ok = r.password_ok == Some(true) && entry.broken.is_none();
        r.apache_accepts = Some(ok && entry.format.supported_by(Target::Apache));
        r.nginx_accepts = Some(ok && entry.format.supported_by(Target::Nginx));
    }
    let at = at_line(c.path, entry.line, 1);
    match r.password_ok {
        // A broken entry is already reported: no password could match it.
        Some(false) if entry.broken.is_some() => {}
        Some(false) => r.problems.push(
            Problem::cause(
                "password-mismatch",
                at,
                format!(
                    "the password given for \"{user}\" does not match its {} hash {}",
                    entry.format.label(),
                    entry.hash_fingerprint()
                ),
            )
            .with_fix(format!(
                "Use the right password, or reset it: htpasswd -B {} {user}",
                c.path.display()
            )),
        ),
        Some(true) => {} // an unsupported hash is already reported
        None => r.problems.push(Problem::warning(
            "hash-not-checked",
            at,
            format!(
                "the {} hash of \"{user}\" cannot be checked here",
                entry.format.label()
            ),
            "",
        )),
    }
}

/// The user is not in the file: say so, unless a quoted name or another realm explains it.
fn unknown(c: &UserFileCheck<'_>, file: &UserFile, user: &str, r: &mut UserFileReport) {
    let quoted = file
        .entries
        .iter()
        .any(|e| e.user != user && e.user.trim_matches(['"', '\'']) == user);
    if quoted {
        // Already reported as a broken entry, with its line.
        return;
    }
    let other_realm = c
        .digest_realm
        .and_then(|_| file.find(user))
        .and_then(|e| e.realm.clone().map(|realm| (e.line, realm)));
    let message = match other_realm {
        Some((line, realm)) => format!(
            "\"{user}\" is in {} only in the realm \"{realm}\" (line {line}), not in the AuthName realm: Apache's Digest auth does not find it",
            c.path.display()
        ),
        None => format!("no user \"{user}\" in {}", c.path.display()),
    };
    let add = if c.digest_realm.is_some() {
        format!(
            "htdigest {} \"{}\" {user}",
            c.path.display(),
            c.digest_realm.unwrap_or_default()
        )
    } else {
        format!("htpasswd -B {} {user}", c.path.display())
    };
    r.problems.push(
        Problem::cause("user-unknown", Some(Pos::new(c.path, 1, 1)), message)
            .with_fix(format!("Add the user: {add}")),
    );
}

fn mode_of(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = std::fs::metadata(path) {
            return format!("{:o}", m.permissions().mode() & 0o7777);
        }
    }
    "unknown".to_owned()
}

/// uid, primary gid and supplementary gids of `user`, from /etc/passwd and /etc/group.
fn account(user: &str) -> Option<(u32, Vec<u32>)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    let (uid, gid) = passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 3 && f[0] == user).then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))?
    })?;
    let mut gids = vec![gid];
    if let Ok(groups) = std::fs::read_to_string("/etc/group") {
        for l in groups.lines() {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() > 3 && f[3].split(',').any(|m| m == user) {
                if let Ok(g) = f[2].parse() {
                    gids.push(g);
                }
            }
        }
    }
    Some((uid, gids))
}

/// Whether `user` can read `path` (every parent searchable, the file readable);
/// `None` when the account is unknown here or this is not Unix.
pub(crate) fn readable_by(path: &Path, user: &str) -> Option<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let (uid, gids) = account(user)?;
        if uid == 0 {
            return Some(true);
        }
        let allowed = |p: &Path, bit: u32| -> Option<bool> {
            let m = std::fs::metadata(p).ok()?;
            let mode = m.mode();
            Some(if m.uid() == uid {
                mode & (bit << 6) != 0
            } else if gids.contains(&m.gid()) {
                mode & (bit << 3) != 0
            } else {
                mode & bit != 0
            })
        };
        let full = std::fs::canonicalize(path).ok()?;
        for dir in full.ancestors().skip(1) {
            if !allowed(dir, 0o1)? {
                return Some(false);
            }
        }
        allowed(&full, 0o4)
    }
    #[cfg(not(unix))]
    {
        let _ = (path, user);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_file(body: &[u8], target: Target, login: Option<(&str, &str)>) -> UserFileReport {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".htpasswd");
        std::fs::write(&path, body).unwrap();
        check(&UserFileCheck {
            path: &path,
            at: None,
            target,
            server_user: "root",
            web_root: None,
            served: false,
            required_users: vec![("zoe".to_owned(), Pos::new(Path::new("h"), 3, 1))],
            login: login
                .map(|(u, p)| (u, crate::secret::Secret::new(p)))
                .as_ref()
                .map(|(u, p)| (*u, p)),
            digest_realm: None,
        })
    }

    fn causes(r: &UserFileReport) -> Vec<&str> {
        r.problems.iter().filter_map(|p| p.cause).collect()
    }

    #[test]
    fn unsupported_hash_depends_on_the_server() {
        let body = b"u:{PLAIN}secret\n";
        assert_eq!(
            causes(&check_file(body, Target::Apache, None)),
            ["htpasswd-unsupported-hash", "require-user-not-in-file"]
        );
        assert_eq!(
            causes(&check_file(body, Target::Nginx, None)),
            ["require-user-not-in-file"]
        );
    }

    #[test]
    fn broken_entries_are_flagged_without_a_login_and_are_not_a_wrong_password() {
        let body = b"zoe:$1$\n\"bob:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\ntim:$$apr1$$saltsalt$$LrttParrLPdxvgutaSXWJ0\n";
        let r = check_file(body, Target::Either, None);
        let lines: Vec<usize> = r
            .problems
            .iter()
            .filter(|p| p.cause == Some("user-file-entry-broken"))
            .filter_map(|p| p.at.as_ref().map(|a| a.line))
            .collect();
        assert_eq!(lines, [1, 2, 3]);
        let zoe = check_file(body, Target::Apache, Some(("zoe", "secret")));
        assert!(
            !causes(&zoe).contains(&"password-mismatch"),
            "{:?}",
            zoe.problems
        );
        let bob = check_file(body, Target::Nginx, Some(("bob", "secret")));
        assert!(
            !causes(&bob).contains(&"user-unknown"),
            "{:?}",
            bob.problems
        );
    }

    #[test]
    fn a_file_alone_is_judged_for_both_servers() {
        let r = check_file(
            b"zoe:{PLAIN}secret\n",
            Target::Either,
            Some(("zoe", "secret")),
        );
        assert_eq!(
            (r.apache_accepts, r.nginx_accepts),
            (Some(false), Some(true))
        );
        let p = r
            .problems
            .iter()
            .find(|p| p.cause == Some("htpasswd-unsupported-hash"))
            .unwrap();
        assert_eq!(p.severity, Severity::Warning);
        assert!(
            p.message.contains("nginx verifies it, Apache cannot"),
            "{}",
            p.message
        );
    }

    #[test]
    fn logins_are_checked() {
        let body = b"u:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\nzoe:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n";
        let ok = check_file(body, Target::Nginx, Some(("u", "secret")));
        assert_eq!((ok.user_found, ok.password_ok), (Some(true), Some(true)));
        assert!(causes(&ok).is_empty());
        let bad = check_file(body, Target::Nginx, Some(("u", "nope")));
        assert_eq!(causes(&bad), ["password-mismatch"]);
        let text = format!("{:?}", bad.problems);
        assert!(!text.contains("5en6G6") && !text.contains("nope"), "{text}");
        let unknown = check_file(body, Target::Nginx, Some(("x", "secret")));
        assert_eq!(causes(&unknown), ["user-unknown"]);
    }
}
