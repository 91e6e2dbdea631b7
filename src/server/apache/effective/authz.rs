//! Merging auth directives over the applied sections and judging the result: who gets in,
//! what Apache asks for, and what is missing.

use std::net::IpAddr;

use serde::Serialize;

use super::{Applied, Verdict};
use crate::sanitize::{Outside, OutsidePath};
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

pub(crate) fn is_auth_directive(d: &Directive) -> bool {
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
pub(crate) struct Merged<'a> {
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

pub(crate) fn merge<'a>(applied: &[Applied<'a>]) -> Merged<'a> {
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

/// One authz result, as mod_authz_core's providers and containers give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Authz {
    Granted,
    Denied,
    /// Denied because no user is known yet: Apache authenticates and asks again.
    DeniedNoUser,
    Neutral,
}

/// What the rules are evaluated for.
#[derive(Debug, Clone, Copy)]
struct Who<'a> {
    client: Option<IpAddr>,
    /// An authenticated user, or none (an anonymous request).
    user: Option<&'a str>,
    /// Variables SetEnvIf/BrowserMatch may set before authz runs.
    env: &'a [String],
    /// What a rule that cannot be judged here (host names, expressions, a client address
    /// not given) gives: evaluated once each way, and where the answers differ, it depends.
    unknown: Authz,
}

fn provider(d: &Directive, words: &[String], who: &Who<'_>) -> Authz {
    let args = &words[1.min(words.len())..];
    let yes = |b: bool| if b { Authz::Granted } else { Authz::Denied };
    let needs_user = |f: &dyn Fn(&str) -> Authz| who.user.map_or(Authz::DeniedNoUser, f);
    match words.first().map(String::as_str) {
        Some("all") => yes(args.first().is_some_and(|a| a == "granted")),
        Some("valid-user") => needs_user(&|_| Authz::Granted),
        Some("user") => {
            let listed: Vec<&String> = d
                .args
                .iter()
                .skip_while(|a| !a.eq_ignore_ascii_case("user"))
                .skip(1)
                .collect();
            needs_user(&|u| yes(listed.iter().any(|l| l.as_str() == u)))
        }
        Some(
            "group" | "file-owner" | "file-group" | "ldap-user" | "ldap-group" | "ldap-dn"
            | "ldap-attribute" | "ldap-filter" | "dbd-group",
        ) => needs_user(&|_| who.unknown),
        Some("ip") => who
            .client
            .map_or(who.unknown, |c| yes(args.iter().any(|a| ip_matches(a, c)))),
        Some("local") => who.client.map_or(who.unknown, |c| yes(c.is_loopback())),
        Some("env") => {
            // SetEnv runs after authz; only SetEnvIf-style variables can be set in time.
            if args.iter().any(|a| who.env.contains(a)) {
                who.unknown
            } else {
                Authz::Denied
            }
        }
        Some("method") => yes(args.iter().any(|m| m == "get" || m == "head")),
        Some("expr") if d.args.join(" ").contains("REMOTE_USER") => needs_user(&|_| who.unknown),
        _ => who.unknown,
    }
}

fn require(d: &Directive, who: &Who<'_>) -> Authz {
    if is(d, "RequireAll") || is(d, "RequireAny") || is(d, "RequireNone") {
        let kids: Vec<Authz> = d
            .body()
            .iter()
            .filter(|k| is_authz(k))
            .map(|k| require(k, who))
            .collect();
        return if is(d, "RequireAll") {
            all(&kids)
        } else if is(d, "RequireAny") {
            any(&kids)
        } else {
            negate(any(&kids))
        };
    }
    let negated = d.arg(0).is_some_and(|a| a.eq_ignore_ascii_case("not"));
    let words: Vec<String> = d
        .args
        .iter()
        .skip(usize::from(negated))
        .map(|a| a.to_ascii_lowercase())
        .collect();
    let r = provider(d, &words, who);
    if negated { negate(r) } else { r }
}

/// `Require not` and `<RequireNone>`: a grant becomes a denial, a denial is only neutral.
fn negate(r: Authz) -> Authz {
    match r {
        Authz::Granted => Authz::Denied,
        Authz::Denied | Authz::DeniedNoUser | Authz::Neutral => Authz::Neutral,
    }
}

/// `<RequireAny>` (and the implicit top level): a grant ends it; a denial for want of a
/// user outranks a plain one.
fn any(kids: &[Authz]) -> Authz {
    let mut out = Authz::Neutral;
    for &k in kids {
        match k {
            Authz::Granted => return Authz::Granted,
            Authz::DeniedNoUser if out != Authz::DeniedNoUser => out = k,
            Authz::Denied if out == Authz::Neutral => out = k,
            _ => {}
        }
    }
    out
}

/// `<RequireAll>`: a denial ends it; a denial for want of a user is kept over a grant.
fn all(kids: &[Authz]) -> Authz {
    let mut out = Authz::Neutral;
    for &k in kids {
        match k {
            Authz::Denied => return Authz::Denied,
            Authz::DeniedNoUser => out = k,
            Authz::Granted if out == Authz::Neutral => out = k,
            _ => {}
        }
    }
    out
}

/// An `Allow from` / `Deny from` / `Require ip` argument against the client: `all`, a full
/// or partial address (`10.1`), `a.b.c.d/nn` or `a.b.c.d/m.m.m.m`, an IPv6 address or prefix.
/// Host names never match here (they need DNS).
pub(crate) fn ip_matches(arg: &str, client: IpAddr) -> bool {
    if arg.eq_ignore_ascii_case("all") {
        return true;
    }
    let (net, bits) = match arg.split_once('/') {
        Some((n, m)) => (n, Some(m)),
        None => (arg, None),
    };
    if let Ok(addr) = net.parse::<IpAddr>() {
        let len = match bits {
            None => return addr == client,
            Some(m) => match m.parse::<u32>() {
                Ok(n) => n,
                Err(_) => match m.parse::<std::net::Ipv4Addr>() {
                    Ok(mask) => u32::from(mask).count_ones(),
                    Err(_) => return false,
                },
            },
        };
        return prefix_eq(addr, client, len);
    }
    // A partial IPv4 address: `10.1` is 10.1.0.0/16.
    let parts: Vec<&str> = net.trim_end_matches('.').split('.').collect();
    if bits.is_none() && parts.len() < 4 && parts.iter().all(|p| p.parse::<u8>().is_ok()) {
        let IpAddr::V4(c) = client else { return false };
        return parts
            .iter()
            .zip(c.octets())
            .all(|(p, o)| p.parse::<u8>() == Ok(o));
    }
    false
}

fn prefix_eq(net: IpAddr, client: IpAddr, len: u32) -> bool {
    match (net, client) {
        (IpAddr::V4(n), IpAddr::V4(c)) => {
            let mask = u32::MAX.checked_shl(32 - len.min(32)).unwrap_or(0);
            u32::from(n) & mask == u32::from(c) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(c)) => {
            let mask = u128::MAX.checked_shl(128 - len.min(128)).unwrap_or(0);
            u128::from(n) & mask == u128::from(c) & mask
        }
        _ => false,
    }
}

/// mod_access_compat's host check for the client: `None` when it cannot be judged here.
/// The Order table (check_dir_access()): allow,deny and mutual-failure need an Allow match
/// and no Deny match; deny,allow (the default) refuses only a Deny match without an Allow.
fn host_check(m: &Merged<'_>, who: &Who<'_>) -> Option<bool> {
    let matches = |name: &str| -> Option<bool> {
        let mut unknown = false;
        for d in m.legacy.iter().filter(|d| is(d, name)) {
            for a in d.args.iter().skip_while(|a| a.eq_ignore_ascii_case("from")) {
                let hit = if let Some(var) = a.strip_prefix("env=") {
                    let (neg, var) = var.strip_prefix('!').map_or((false, var), |v| (true, v));
                    if who.env.iter().any(|e| e == var) {
                        None
                    } else {
                        Some(neg)
                    }
                } else if a.eq_ignore_ascii_case("all") {
                    Some(true)
                } else {
                    who.client
                        .map(|c| ip_matches(a, c))
                        .filter(|hit| *hit || looks_like_ip(a))
                };
                match hit {
                    Some(true) => return Some(true),
                    Some(false) => {}
                    None => unknown = true,
                }
            }
        }
        if unknown { None } else { Some(false) }
    };
    let order = m.legacy.iter().rev().find(|d| is(d, "Order")).map_or_else(
        || "deny,allow".to_owned(),
        |d| d.args.join("").to_ascii_lowercase(),
    );
    let (allowed, denied) = (matches("Allow"), matches("Deny"));
    if order.starts_with("deny") {
        match (allowed, denied) {
            (Some(true), _) | (_, Some(false)) => Some(true),
            (Some(false), Some(true)) => Some(false),
            _ => None,
        }
    } else {
        match (allowed, denied) {
            (Some(false), _) | (_, Some(true)) => Some(false),
            (Some(true), Some(false)) => Some(true),
            _ => None,
        }
    }
}

fn looks_like_ip(a: &str) -> bool {
    a.bytes()
        .all(|b| b.is_ascii_hexdigit() || b"./:".contains(&b))
}

/// Names SetEnvIf, SetEnvIfNoCase, SetEnvIfExpr and BrowserMatch may set (they run before
/// authz, unlike SetEnv).
fn early_env(applied: &[Applied<'_>], config: &Config) -> Vec<String> {
    let mut out = Vec::new();
    let mut add = |d: &Directive| {
        let skip = if is(d, "SetEnvIf") || is(d, "SetEnvIfNoCase") {
            2
        } else if is(d, "BrowserMatch") || is(d, "BrowserMatchNoCase") || is(d, "SetEnvIfExpr") {
            1
        } else {
            return;
        };
        for a in d.args.iter().skip(skip) {
            let name = a.trim_start_matches('!');
            out.push(name.split('=').next().unwrap_or(name).to_owned());
        }
    };
    let mut every = Vec::new();
    walk_all(&config.root, &mut every);
    for a in applied {
        walk_all(a.body, &mut every);
    }
    for d in every {
        add(d);
    }
    out
}

/// The status Apache answers for `who`: 200, 401 (asks for credentials), 403, 500.
fn status(m: &Merged<'_>, who: &Who<'_>, auth_type: bool) -> u16 {
    let authz = if m.authz.is_empty() {
        Authz::Granted
    } else {
        any(&m.authz.iter().map(|d| require(d, who)).collect::<Vec<_>>())
    };
    let after_host = |authz: Authz| match authz {
        Authz::Granted => 200,
        Authz::DeniedNoUser if !auth_type => 500,
        Authz::DeniedNoUser => 401,
        // After authentication a denial asks again; before it, it is final.
        Authz::Denied | Authz::Neutral if who.user.is_some() => 401,
        Authz::Denied | Authz::Neutral => 403,
    };
    if m.legacy.is_empty() {
        return after_host(authz);
    }
    let satisfy_any = m
        .legacy
        .iter()
        .rev()
        .find(|d| is(d, "Satisfy"))
        .and_then(|d| d.arg(0))
        .is_some_and(|a| a.eq_ignore_ascii_case("any"));
    let unknown_host = who.unknown == Authz::Granted;
    match (host_check(m, who).unwrap_or(unknown_host), satisfy_any) {
        (true, true) => 200,
        (false, false) => 403,
        _ => after_host(authz),
    }
}

/// Statuses for an anonymous request and for `user` (if given): `None` where it depends on
/// what cannot be known from the files (client address not given, host names, expressions).
fn statuses(
    m: &Merged<'_>,
    client: Option<IpAddr>,
    env: &[String],
    user: Option<&str>,
    auth_type: bool,
) -> (Option<u16>, Option<u16>, bool) {
    let at = |user: Option<&str>, unknown| {
        let who = Who {
            client,
            user: None,
            env,
            unknown,
        };
        let first = status(m, &who, auth_type);
        // Apache authenticates, and asks again with the user, only when the first answer
        // is "no user yet"; a plain denial is final whatever the credentials.
        match user {
            Some(u) if first == 401 => status(
                m,
                &Who {
                    user: Some(u),
                    ..who
                },
                auth_type,
            ),
            _ => first,
        }
    };
    let agree = |user: Option<&str>| {
        let (hi, lo) = (at(user, Authz::Granted), at(user, Authz::Denied));
        (hi == lo).then_some(hi)
    };
    let (hi, lo) = (at(None, Authz::Granted), at(None, Authz::Denied));
    // Without AuthType a rule that wants a user is a 500 (AH00027).
    let wants = |s: u16| s == 401 || (s == 500 && !auth_type);
    let asks = wants(hi) || wants(lo);
    (agree(None), user.and_then(|u| agree(Some(u))), asks)
}

fn access_of(status: Option<u16>, asks: bool) -> Access {
    match status {
        Some(200) => Access::Granted,
        Some(401) => Access::NeedsUser,
        Some(500) if asks => Access::NeedsUser,
        Some(_) => Access::Denied,
        None => Access::Depends,
    }
}

/// Sets the effective auth and the problems of the merged directives.
pub(crate) fn judge(
    config: &Config,
    m: &Merged<'_>,
    applied: &[Applied<'_>],
    req: &super::Request<'_>,
    v: &mut Verdict,
) {
    let env = early_env(applied, config);
    let auth_type = m
        .auth_type
        .and_then(|d| d.arg(0))
        .is_some_and(|t| !t.eq_ignore_ascii_case("none"));
    // An .htaccess read alone inherits its directory's Require from the server config,
    // which is not given: distributions grant the web root (Require all granted).
    let no_authz = m.authz.is_empty() && config.kind == super::Kind::Server;
    let (anonymous, with_user, asks) = if auth_type && no_authz {
        // AH01627: AuthType with no authorization directive at all.
        (Some(500), Some(500), false)
    } else {
        statuses(m, req.client, &env, req.user, auth_type)
    };
    let access = access_of(anonymous, asks);
    v.status_anonymous = anonymous;
    v.status_user = with_user;
    v.asks_for_user = asks;
    if !m.legacy.is_empty() {
        let satisfy_any = m
            .legacy
            .iter()
            .any(|d| is(d, "Satisfy") && d.arg(0).is_some_and(|a| a.eq_ignore_ascii_case("any")));
        if satisfy_any { "any" } else { "all" }.clone_into(&mut v.effective.satisfy);
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
    v.effective.denied_to_all = anonymous == Some(403) && !asks;
    let mut require: Vec<String> = m.authz.iter().map(|d| d.head()).collect();
    require.extend(m.legacy.iter().map(|d| d.head()));
    if !require.is_empty() {
        v.effective.require = Some(Outside::new(require.join(" | ")));
    }
    v.effective.matched = m.authz_from.as_deref().map(Outside::from);
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
    match (ty.as_deref(), v.asks_for_user) {
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
            if v.status_anonymous == Some(500) {
                incomplete(
                    v,
                    m.auth_type,
                    "AuthType with no Require at all: Apache answers 500 (AH01627)".to_owned(),
                    "Add Require valid-user (or Require user NAME) to the same section.",
                );
            } else if v.access != Access::Denied && v.access != Access::Depends {
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
            v.effective.require.get_or_insert_with(Outside::default);
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
    v.effective.realm = m.auth_name.and_then(|d| d.arg(0)).map(Outside::from);
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
    v.effective.user_file = Some(OutsidePath::new(&path));
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
pub(crate) fn app_forwarding(
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
