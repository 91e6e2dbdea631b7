//! Merging auth directives over the applied sections and judging the result: who gets in,
//! what Apache asks for, and what is missing.

use serde::Serialize;

use super::{Applied, Verdict};
use crate::server::apache::{Config, is};
use crate::server::{Directive, Problem, Scheme, Severity, source};

/// What an anonymous request from an unknown client meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    Granted,
    NeedsUser,
    Denied,
    /// Depends on the client (IP, host, env, expression).
    Depends,
}

const AUTH_NAMES: &[&str] = &[
    "AuthType",
    "AuthName",
    "AuthUserFile",
    "AuthGroupFile",
    "AuthBasicProvider",
    "Require",
    "RequireAll",
    "RequireAny",
    "RequireNone",
    "Order",
    "Allow",
    "Deny",
    "Satisfy",
];

pub fn is_auth_directive(d: &Directive) -> bool {
    AUTH_NAMES.iter().any(|n| is(d, n))
}

fn is_authz(d: &Directive) -> bool {
    is(d, "Require") || is(d, "RequireAll") || is(d, "RequireAny") || is(d, "RequireNone")
}

fn is_legacy(d: &Directive) -> bool {
    is(d, "Order") || is(d, "Allow") || is(d, "Deny") || is(d, "Satisfy")
}

/// The auth directives in force after merging.
#[derive(Debug, Default)]
pub struct Merged<'a> {
    pub auth_type: Option<&'a Directive>,
    pub auth_name: Option<&'a Directive>,
    pub user_file: Option<&'a Directive>,
    pub provider: Option<&'a Directive>,
    pub authz: Vec<&'a Directive>,
    pub authz_from: Option<String>,
    pub legacy: Vec<&'a Directive>,
}

/// Directives of a body, with `<Limit>`/`<LimitExcept>` contents that cover GET included.
fn direct(body: &[Directive]) -> Vec<&Directive> {
    let mut out = Vec::new();
    for d in body {
        let covers_get = (is(d, "Limit") && d.args.iter().any(|m| m.eq_ignore_ascii_case("GET")))
            || (is(d, "LimitExcept") && !d.args.iter().any(|m| m.eq_ignore_ascii_case("GET")));
        if covers_get {
            out.extend(d.body().iter());
        } else if d.block.is_none() || is_authz(d) {
            out.push(d);
        }
    }
    out
}

pub fn merge<'a>(applied: &[Applied<'a>]) -> Merged<'a> {
    let mut m = Merged::default();
    for a in applied {
        let ds = direct(a.body);
        let authz: Vec<&Directive> = ds.iter().copied().filter(|d| is_authz(d)).collect();
        if !authz.is_empty() {
            m.authz = authz;
            m.authz_from = Some(a.label.clone());
        }
        let legacy: Vec<&Directive> = ds.iter().copied().filter(|d| is_legacy(d)).collect();
        if !legacy.is_empty() {
            m.legacy = legacy;
        }
        for d in ds {
            let slot = if is(d, "AuthType") {
                &mut m.auth_type
            } else if is(d, "AuthName") {
                &mut m.auth_name
            } else if is(d, "AuthUserFile") {
                &mut m.user_file
            } else if is(d, "AuthBasicProvider") {
                &mut m.provider
            } else {
                continue;
            };
            *slot = Some(d);
        }
    }
    m
}

fn require_access(d: &Directive) -> Access {
    if is(d, "RequireAll") || is(d, "RequireAny") || is(d, "RequireNone") {
        let kids: Vec<Access> = d
            .body()
            .iter()
            .filter(|k| is_authz(k))
            .map(require_access)
            .collect();
        return if is(d, "RequireAll") {
            all(&kids)
        } else if is(d, "RequireAny") {
            any(&kids)
        } else {
            Access::Depends
        };
    }
    let negated = d.arg(0) == Some("not");
    let words: Vec<String> = d
        .args
        .iter()
        .skip(usize::from(negated))
        .map(|a| a.to_ascii_lowercase())
        .collect();
    let access = match words.first().map(String::as_str) {
        Some("all") if words.get(1).map(String::as_str) == Some("granted") => Access::Granted,
        Some("all") => Access::Denied,
        Some(
            "valid-user" | "user" | "group" | "file-owner" | "file-group" | "ldap-user"
            | "ldap-group" | "ldap-dn" | "ldap-attribute" | "ldap-filter" | "dbd-group",
        ) => Access::NeedsUser,
        _ => Access::Depends,
    };
    if negated { Access::Depends } else { access }
}

fn any(kids: &[Access]) -> Access {
    for want in [Access::Granted, Access::NeedsUser, Access::Depends] {
        if kids.contains(&want) {
            return want;
        }
    }
    Access::Denied
}

fn all(kids: &[Access]) -> Access {
    for want in [Access::Denied, Access::NeedsUser, Access::Depends] {
        if kids.contains(&want) {
            return want;
        }
    }
    Access::Granted
}

/// Old-style Order/Allow/Deny/Satisfy (mod_access_compat), for an unknown client.
fn legacy_access(m: &Merged<'_>) -> Option<(Access, bool)> {
    if m.legacy.is_empty() {
        return None;
    }
    let from_all = |name: &str| {
        m.legacy
            .iter()
            .any(|d| is(d, name) && d.args.iter().any(|a| a.eq_ignore_ascii_case("all")))
    };
    let order_allow_first = m
        .legacy
        .iter()
        .find(|d| is(d, "Order"))
        .and_then(|d| d.arg(0))
        .is_some_and(|o| o.to_ascii_lowercase().starts_with("allow"));
    let host = if from_all("Deny") && (!from_all("Allow") || order_allow_first) {
        Access::Denied
    } else if from_all("Allow") || !m.legacy.iter().any(|d| is(d, "Allow")) {
        Access::Granted
    } else {
        Access::Depends
    };
    let satisfy_any = m
        .legacy
        .iter()
        .any(|d| is(d, "Satisfy") && d.arg(0).is_some_and(|a| a.eq_ignore_ascii_case("any")));
    Some((host, satisfy_any))
}

/// Sets the effective auth and the problems of the merged directives.
pub fn judge(config: &Config, m: &Merged<'_>, v: &mut Verdict) {
    let kids: Vec<Access> = m.authz.iter().map(|d| require_access(d)).collect();
    let mut access = if m.authz.is_empty() {
        Access::Granted
    } else {
        any(&kids)
    };
    let legacy = legacy_access(m);
    if let Some((host, satisfy_any)) = legacy {
        if satisfy_any { "any" } else { "all" }.clone_into(&mut v.effective.satisfy);
        access = match (host, satisfy_any) {
            (Access::Granted, true) => Access::Granted,
            (Access::Denied, false) => Access::Denied,
            _ => access,
        };
        if !m.authz.is_empty() {
            let at = m.legacy.first().map(|d| d.pos.clone());
            v.problems.push(Problem::warning("mixed-access-syntax", at,
                "Apache 2.2 access rules (Order/Allow/Deny/Satisfy) mixed with 2.4 Require: the two combine in surprising ways",
                "Use only Require (e.g. Require valid-user, Require ip 10.0.0.0/8) and drop Order/Allow/Deny/Satisfy."));
        }
    } else if m.authz.len() > 1 {
        "any".clone_into(&mut v.effective.satisfy);
    }
    v.access = access;
    v.effective.denied_to_all = access == Access::Denied;
    let mut require: Vec<String> = m.authz.iter().map(|d| d.head()).collect();
    require.extend(m.legacy.iter().map(|d| d.head()));
    if !require.is_empty() {
        v.effective.require = Some(require.join(" | "));
    }
    v.effective.matched.clone_from(&m.authz_from);
    collect_users(m, v);
    scheme(config, m, v);
}

fn collect_users(m: &Merged<'_>, v: &mut Verdict) {
    fn walk(d: &Directive, out: &mut Vec<(String, crate::server::Pos)>) {
        if is(d, "Require") && d.arg(0).is_some_and(|a| a.eq_ignore_ascii_case("user")) {
            out.extend(d.args[1..].iter().map(|u| (u.clone(), d.pos.clone())));
        }
        for k in d.body() {
            walk(k, out);
        }
    }
    for d in &m.authz {
        walk(d, &mut v.required_users);
    }
}

fn incomplete(v: &mut Verdict, d: Option<&Directive>, message: String, fix: &str) {
    v.problems.push(
        Problem::cause("auth-config-incomplete", d.map(|d| d.pos.clone()), message).with_fix(fix),
    );
}

fn scheme(config: &Config, m: &Merged<'_>, v: &mut Verdict) {
    let ty = m
        .auth_type
        .and_then(|d| d.arg(0))
        .map(str::to_ascii_lowercase);
    let needs_user = v.access == Access::NeedsUser;
    match (ty.as_deref(), needs_user) {
        (None | Some("none"), true) => {
            let d = m.authz.first().copied();
            incomplete(
                v,
                d,
                "Require names users but no AuthType is set: Apache answers 500 (AuthType not set)"
                    .to_owned(),
                "Add AuthType Basic, AuthName and AuthUserFile next to the Require line.",
            );
            return;
        }
        (Some("basic" | "digest"), false) => {
            if v.access != Access::Denied {
                incomplete(
                    v,
                    m.auth_type,
                    format!(
                        "AuthType {} without a Require that names users (valid-user, user, group): Apache never asks for a password",
                        ty.as_deref().unwrap_or("")
                    ),
                    "Add Require valid-user (or Require user NAME) to the same section.",
                );
            }
            return;
        }
        (Some(other), true) if other != "basic" && other != "digest" => {
            v.effective.require.get_or_insert_with(String::new);
            return;
        }
        (_, false) => return,
        _ => {}
    }
    v.effective.scheme = if ty.as_deref() == Some("digest") {
        Scheme::Digest
    } else {
        Scheme::Basic
    };
    v.effective.at = m.auth_type.map(|d| d.pos.clone());
    v.effective.realm = m.auth_name.and_then(|d| d.arg(0)).map(str::to_owned);
    if m.auth_name.is_none() {
        incomplete(
            v,
            m.auth_type,
            "AuthType without AuthName: Apache answers 500 (need AuthName)".to_owned(),
            "Add AuthName \"Restricted\" next to AuthType.",
        );
    }
    let provider_file = m
        .provider
        .is_none_or(|d| d.args.iter().any(|a| a.eq_ignore_ascii_case("file")));
    if !provider_file {
        return;
    }
    let Some(uf) = m.user_file else {
        incomplete(
            v,
            m.auth_type,
            "AuthType Basic with the file provider but no AuthUserFile: Apache answers 500"
                .to_owned(),
            "Add AuthUserFile /etc/apache2/.htpasswd (an absolute path outside the web root).",
        );
        return;
    };
    let raw = uf.arg(0).unwrap_or_default();
    if !std::path::Path::new(raw).is_absolute() {
        v.problems.push(Problem::warning("user-file-relative", Some(uf.pos.clone()),
            format!("AuthUserFile \"{raw}\" is relative: Apache reads it from ServerRoot ({})", config.server_root.join(raw).display()),
            "Give the absolute path; a relative one is taken from ServerRoot, not from the .htaccess directory."));
    }
    let path = source::resolve(raw, &config.server_root);
    v.effective.user_file = Some(path.clone());
    v.user_file = Some(path);
    v.user_file_at = Some(uf.pos.clone());
}

fn walk_all<'a>(body: &'a [Directive], out: &mut Vec<&'a Directive>) {
    for d in body {
        out.push(d);
        walk_all(d.body(), out);
    }
}

/// PHP-FPM/CGI apps do not get Authorization unless it is passed on explicitly.
pub fn app_forwarding(
    applied: &[Applied<'_>],
    config: &Config,
    req: &super::Request<'_>,
    v: &mut Verdict,
) {
    let path = req.path;
    // What applies to this request: the applied sections, plus server-level directives
    // (not those inside sections that do not apply).
    let mut every: Vec<&Directive> = config.root.iter().filter(|d| d.block.is_none()).collect();
    if let Some(vh) = config
        .vhost(req.host)
        .filter(|_| config.kind == super::Kind::Server)
    {
        every.extend(vh.body().iter().filter(|d| d.block.is_none()));
    }
    for a in applied {
        walk_all(a.body, &mut every);
    }
    // ScriptAlias only covers its own URL prefix.
    every.retain(|d| {
        !is(d, "ScriptAlias") || d.arg(0).is_some_and(|prefix| path.starts_with(prefix))
    });
    let text = |d: &Directive| d.args.join(" ").to_ascii_lowercase();
    let handler = every.iter().find(|d| {
        let t = text(d);
        ((is(d, "SetHandler")
            || is(d, "AddHandler")
            || is(d, "Action")
            || is(d, "ProxyPassMatch")
            || is(d, "ProxyPass"))
            && (t.contains("fcgi")
                || t.contains("cgi-script")
                || t.contains("php-fpm")
                || t.contains("php-cgi")
                || t.contains("fcgid")))
            || is(d, "ScriptAlias")
            || is(d, "FcgidWrapper")
            || (is(d, "RewriteRule") && t.contains(".php"))
    });
    let Some(handler) = handler else { return };
    let passes = every.iter().any(|d| {
        let t = text(d);
        (is(d, "CGIPassAuth") && t == "on")
            || (is(d, "RewriteRule") && t.contains("http_authorization"))
            || ((is(d, "SetEnvIf") || is(d, "SetEnvIfNoCase"))
                && t.starts_with("authorization")
                && t.contains("http_authorization"))
    });
    if passes {
        return;
    }
    let mut p = Problem::cause("auth-not-forwarded-to-app", Some(handler.pos.clone()),
        format!("{} nothing passes Authorization on (no CGIPassAuth On, no HTTP_AUTHORIZATION rewrite): an app that checks credentials itself never sees them", how(handler)))
        .with_fix("Add CGIPassAuth On (Apache 2.4.13+), or RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]");
    // Only apps that read the header themselves are affected; with Apache doing the auth
    // the app still gets REMOTE_USER.
    p.severity = if v.effective.demands_credentials() {
        Severity::Note
    } else {
        Severity::Warning
    };
    v.problems.push(p);
}

/// How a directive hands requests to an app, in words.
fn how(d: &Directive) -> String {
    if is(d, "RewriteRule") {
        format!(
            "\"{}\" sends requests to a PHP app; under PHP-FPM or CGI (the usual today)",
            d.head()
        )
    } else {
        format!("\"{}\" runs the app through CGI/FastCGI, and", d.head())
    }
}
