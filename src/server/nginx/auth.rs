//! The auth nginx applies in the chosen location, with inheritance as nginx merges it: a
//! plain directive comes from the innermost level that sets it; array directives
//! (`proxy_set_header`, `fastcgi_param`, `allow`/`deny`) come whole from the innermost level
//! that has any of them, discarding everything inherited.

use std::net::IpAddr;
use std::path::PathBuf;

use super::location;
use super::{Config, Directive};
use crate::sanitize::{Outside, OutsidePath};
use crate::server::{EffectiveAuth, Pos, Problem, Scheme, source};

/// What the request meets in nginx.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub effective: EffectiveAuth,
    pub problems: Vec<Problem>,
    /// The user file, resolved against the prefix.
    pub user_file: Option<PathBuf>,
    /// Where the `auth_basic_user_file` directive is.
    pub user_file_at: Option<Pos>,
    /// The worker user that must be able to read the user file.
    pub worker_user: String,
    /// The `root` of the chosen location, for the "user file inside the web root" check.
    pub web_root: Option<PathBuf>,
    /// True when the user file lies under the root and no location denies it.
    pub user_file_served: bool,
    /// The status for a request whose Basic credentials are right.
    pub status_login_ok: Option<u16>,
}

/// One configuration level: what it is and its directives.
struct Level<'a> {
    label: String,
    body: &'a [Directive],
}

/// Input beyond host and path.
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    pub host: Option<&'a str>,
    pub path: &'a str,
    /// A custom header the client authenticates with (for the underscore check).
    pub auth_header: Option<&'a str>,
    /// The client's address, for allow/deny; unknown when `None`.
    pub client: Option<IpAddr>,
    /// The port the request arrives on (from the URL), which narrows the server blocks.
    pub port: Option<u16>,
}

/// The way a request takes through the configuration.
struct Route<'a> {
    levels: Vec<Level<'a>>,
    server: Option<&'a Directive>,
    /// The location chosen (innermost), if any.
    location: Option<&'a Directive>,
}

fn levels<'a>(config: &'a Config, req: &Request<'_>, notes: &mut Vec<Problem>) -> Route<'a> {
    let mut out = vec![Level {
        label: "http".to_owned(),
        body: config.http(),
    }];
    let server = config.server_for_port(req.host, req.port);
    let server_body = match server {
        Some(s) => {
            out.push(Level {
                label: format!("server at {}", s.pos),
                body: s.body(),
            });
            s.body()
        }
        // A snippet: its top level is a server body.
        None => config.http(),
    };
    let choice = location::choose(server_body, req.path);
    for d in &choice.unevaluated {
        notes.push(Problem::warning(
            "regex-not-evaluated",
            Some(d.pos.clone()),
            format!("cannot evaluate the regex of \"{}\" (not even as PCRE here); if it matches {}, the answer below is wrong", d.head(), req.path),
            "",
        ));
    }
    for d in &choice.chain {
        out.push(Level {
            label: d.head(),
            body: d.body(),
        });
    }
    // A GET is limited by `limit_except` when the block does not name GET (HEAD goes with
    // GET): its directives then apply as a level of their own, as nginx's nested conf does.
    let limited = choice.chain.last().and_then(|loc| {
        loc.body().iter().find(|d| {
            d.name == "limit_except"
                && d.block.is_some()
                && !d.args.iter().any(|m| m.eq_ignore_ascii_case("GET"))
        })
    });
    if let Some(d) = limited {
        out.push(Level {
            label: d.head(),
            body: d.body(),
        });
    }
    Route {
        levels: out,
        server,
        location: choice.chain.last().copied(),
    }
}

/// Access modules this evaluation does not know: their verdict cannot be told from here.
const OTHER_ACCESS: &[&str] = &[
    "auth_jwt",
    "auth_jwt_key_file",
    "auth_jwt_key_request",
    "auth_gss",
    "auth_pam",
    "auth_ldap",
    "auth_digest",
    "auth_spnego",
    "access_by_lua",
    "access_by_lua_block",
    "access_by_lua_file",
    "perl_access",
    "secure_link",
    "valid_referers",
];

/// Directives that change what a request meets, inside `if`, whose condition is not
/// evaluated here.
const IF_RELEVANT: &[&str] = &[
    "return",
    "rewrite",
    "auth_basic",
    "auth_basic_user_file",
    "auth_request",
    "allow",
    "deny",
    "satisfy",
    "proxy_pass",
    "proxy_set_header",
    "fastcgi_pass",
    "set",
];

/// Everything on the request's way that is not evaluated is said so, with its file:line:
/// `if` blocks that hold auth-relevant directives, and access modules not modelled here.
fn unevaluated(levels: &[Level<'_>], problems: &mut Vec<Problem>) {
    for l in levels {
        for d in l.body {
            if d.name == "if" && d.block.is_some() {
                let inside: Vec<&str> = d
                    .body()
                    .iter()
                    .filter(|k| IF_RELEVANT.contains(&k.name.as_str()))
                    .map(|k| k.name.as_str())
                    .collect();
                if !inside.is_empty() {
                    problems.push(Problem::warning(
                        "if-not-evaluated",
                        Some(d.pos.clone()),
                        format!("\"{}\" holds {}: its condition is not evaluated here; when it holds, nginx may answer otherwise", d.head(), inside.join(", ")),
                        "",
                    ));
                }
            } else if OTHER_ACCESS.contains(&d.name.as_str()) {
                problems.push(Problem::warning(
                    "directive-not-evaluated",
                    Some(d.pos.clone()),
                    format!("\"{}\" decides access too, and is not evaluated here: the answer below leaves it out", d.head()),
                    "",
                ));
            }
        }
    }
}

/// The levels of a named location `@name` of the same server, if there is one.
fn named<'a>(route: &Route<'a>, config: &'a Config, name: &str) -> Option<Route<'a>> {
    let body = route.server.map_or(config.http(), Directive::body);
    let loc = body
        .iter()
        .find(|d| d.name == "location" && d.arg(0) == Some(name) && d.block.is_some())?;
    let mut levels: Vec<Level<'a>> = route
        .levels
        .iter()
        .take(1 + usize::from(route.server.is_some()))
        .map(|l| Level {
            label: l.label.clone(),
            body: l.body,
        })
        .collect();
    levels.push(Level {
        label: loc.head(),
        body: loc.body(),
    });
    Some(Route {
        levels,
        server: route.server,
        location: Some(loc),
    })
}

/// Where the request's content comes from when the chosen location hands it on by name:
/// `try_files ... @name` (its last argument) or, with no handler of its own,
/// `error_page ... @name`.
fn handed_to<'a>(route: &Route<'a>) -> Option<&'a Directive> {
    let last = route.levels.last()?.body;
    let try_files = last.iter().find(|d| d.name == "try_files");
    if let Some(t) = try_files.filter(|t| t.args.last().is_some_and(|a| a.starts_with('@'))) {
        return Some(t);
    }
    let handler = last.iter().any(|d| {
        matches!(
            d.name.as_str(),
            "proxy_pass" | "fastcgi_pass" | "uwsgi_pass" | "scgi_pass" | "grpc_pass"
        )
    });
    if handler {
        return None;
    }
    last.iter()
        .find(|d| d.name == "error_page" && d.args.last().is_some_and(|a| a.starts_with('@')))
}

/// A `return` written straight in a body (not inside `if`): it answers in the rewrite phase,
/// before any access check.
fn returned(body: &[Directive]) -> Option<&Directive> {
    body.iter().find(|d| d.name == "return")
}

/// The status a `return` gives: its code, or 302 for `return URL`.
fn return_code(d: &Directive) -> u16 {
    d.arg(0).and_then(|c| c.parse().ok()).unwrap_or(302)
}

/// The innermost directive named `name`.
fn plain<'a>(levels: &[Level<'a>], name: &str) -> Option<&'a Directive> {
    levels
        .iter()
        .rev()
        .find_map(|l| l.body.iter().find(|d| d.name == name))
}

/// The directives of the innermost level that has any of `names`, and that level's index.
fn array<'a>(levels: &[Level<'a>], names: &[&str]) -> Option<(usize, Vec<&'a Directive>)> {
    levels.iter().enumerate().rev().find_map(|(i, l)| {
        let found: Vec<&Directive> = l
            .body
            .iter()
            .filter(|d| names.contains(&d.name.as_str()))
            .collect();
        (!found.is_empty()).then_some((i, found))
    })
}

/// Works out the effective auth for a request and every problem on its way.
pub fn evaluate(config: &Config, req: &Request<'_>) -> Verdict {
    let mut problems = Vec::new();
    let route = levels(config, req, &mut problems);
    let mut eff = EffectiveAuth::none("nginx");
    if let Some(loc) = route.location {
        eff.matched = Some(Outside::new(loc.head()));
        eff.at = Some(loc.pos.clone());
    } else if let Some(s) = route.server {
        eff.matched = Some(Outside::new("server"));
        eff.at = Some(s.pos.clone());
    }
    let named_route = handed_to(&route).and_then(|d| {
        let name = d.args.last()?;
        let found = named(&route, config, name);
        if found.is_none() {
            problems.push(Problem::warning(
                "named-location-missing",
                Some(d.pos.clone()),
                format!(
                    "\"{}\" hands the request to {name}, but this server has no location {name}",
                    d.head()
                ),
                "",
            ));
        }
        found
    });
    let levels = &route.levels;
    // A server-level return answers before a location is chosen; a location's before access.
    let ret = route
        .server
        .and_then(|s| returned(s.body()))
        .or_else(|| route.location.and_then(|l| returned(l.body())));
    let (mut user_file, mut user_file_at) = basic(levels, &mut eff, &mut problems, config);
    request_auth(levels, &mut eff);
    access_rules(levels, &mut eff, &mut problems);
    let mut access = access_status(levels, &eff, req.client);
    if let Some(n) = &named_route {
        // ACCESS runs in the chosen location, then again in the named one.
        let mut inner = EffectiveAuth::none("nginx");
        let mut ignored = Vec::new();
        let (inner_file, inner_at) = basic(&n.levels, &mut inner, &mut ignored, config);
        if user_file.is_none() {
            (user_file, user_file_at) = (inner_file, inner_at);
        }
        request_auth(&n.levels, &mut inner);
        access_rules(&n.levels, &mut inner, &mut ignored);
        let after = access_status(&n.levels, &inner, req.client);
        let inner_ret = n.location.and_then(|l| returned(l.body())).map(return_code);
        access = combine_named(access, after, inner_ret);
        if eff.scheme == Scheme::None && inner.scheme != Scheme::None {
            eff.scheme = inner.scheme;
            eff.realm = inner.realm;
            eff.user_file = inner.user_file;
            eff.require = inner.require;
        }
    }
    let content = named_route
        .as_ref()
        .map_or(levels.as_slice(), |n| &n.levels);
    unevaluated(levels, &mut problems);
    if let Some(n) = &named_route {
        unevaluated(&n.levels[n.levels.len() - 1..], &mut problems);
    }
    proxy(content, &mut eff, &mut problems);
    fastcgi(content, &mut problems);
    underscores(levels, req, &mut problems);
    (eff.status_anonymous, _) = access;
    let mut status_login_ok = access.1;
    if let Some(r) = ret {
        let code = return_code(r);
        eff.returns = Some(code);
        eff.status_anonymous = Some(code);
        status_login_ok = Some(code);
        if eff.demands_credentials() || eff.denied_to_all {
            problems.push(Problem::warning(
                "return-before-auth",
                Some(r.pos.clone()),
                format!("\"{}\" answers in the rewrite phase, before the access phase: the auth configured here never runs, every client gets {code}", r.head()),
                "Move the return into a location of its own, or serve the content another way (try_files, proxy_pass) so that auth runs.",
            ));
        }
        eff.scheme = Scheme::None;
        eff.denied_to_all = false;
        return_challenge(&route, r, code, &mut eff);
    }
    let web_root = plain(levels, "root")
        .and_then(|d| d.arg(0))
        .map(|r| source::resolve(r, &config.prefix));
    let worker_user = config
        .root
        .iter()
        .find(|d| d.name == "user")
        .and_then(|d| d.arg(0))
        .map_or_else(
            || {
                if config.is_complete() {
                    "nobody"
                } else {
                    "www-data"
                }
                .to_owned()
            },
            str::to_owned,
        );
    let user_file_served = match (&user_file, &web_root) {
        (Some(f), Some(root)) => served(config, req, f, root),
        _ => false,
    };
    Verdict {
        effective: eff,
        problems,
        user_file,
        user_file_at,
        worker_user,
        web_root,
        user_file_served,
        status_login_ok,
    }
}

/// `return 401` with a WWW-Authenticate header: a fixed challenge no credentials answer.
fn return_challenge(route: &Route<'_>, r: &Directive, code: u16, eff: &mut EffectiveAuth) {
    if code != 401 {
        return;
    }
    // add_header sends on 401 only with `always`.
    let header = array(&route.levels, &["add_header"]).and_then(|(_, hs)| {
        hs.into_iter().find(|h| {
            h.arg(0)
                .is_some_and(|n| n.eq_ignore_ascii_case("WWW-Authenticate"))
                && h.args.iter().any(|a| a == "always")
        })
    });
    let what = header.and_then(|h| h.arg(1)).map_or_else(
        || "no WWW-Authenticate (add_header needs \"always\" on a 401)".to_owned(),
        |v| {
            format!(
                "WWW-Authenticate: {}",
                v.split_whitespace().next().unwrap_or("")
            )
        },
    );
    eff.require = Some(Outside::new(format!(
        "{} answers 401 to everyone, with {what}; no credentials get past it",
        r.head()
    )));
}

/// One access handler's answer, as ngx_http_core_access_phase() sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Ok,
    Fail(u16),
    Declined,
    /// Cannot be told from the files (client not given, a subrequest).
    Unknown,
}

/// What the access phase gives an anonymous request, and a request with the right Basic
/// credentials: allow/deny, then auth_basic, then auth_request, combined by `satisfy`.
fn access_status(
    levels: &[Level<'_>],
    eff: &EffectiveAuth,
    client: Option<IpAddr>,
) -> (Option<u16>, Option<u16>) {
    let rules = array(levels, &["allow", "deny"])
        .map(|(_, r)| r)
        .unwrap_or_default();
    let host = rules
        .iter()
        .find_map(|d| {
            let arg = d.arg(0).unwrap_or_default();
            let hit = if arg == "all" {
                Some(true)
            } else {
                client.map(|c| crate::server::apache::effective::authz::ip_matches(arg, c))
            };
            match hit {
                Some(true) if d.name == "allow" => Some(Check::Ok),
                Some(true) => Some(Check::Fail(403)),
                Some(false) => None,
                None => Some(Check::Unknown),
            }
        })
        .unwrap_or(Check::Declined);
    let basic = eff.user_file.is_some() && eff.scheme != Scheme::Off;
    let request = plain(levels, "auth_request").is_some_and(|d| d.arg(0) != Some("off"));
    let any = eff.satisfy == "any";
    let run = |basic_ok: bool| {
        let checks = [
            host,
            match (basic, basic_ok) {
                (false, _) => Check::Declined,
                (true, true) => Check::Ok,
                (true, false) => Check::Fail(401),
            },
            if request {
                Check::Unknown
            } else {
                Check::Declined
            },
        ];
        if any {
            satisfy_any(&checks)
        } else {
            satisfy_all(&checks)
        }
    };
    (run(false), if basic { run(true) } else { None })
}

fn satisfy_all(checks: &[Check]) -> Option<u16> {
    for c in checks {
        match c {
            Check::Fail(code) => return Some(*code),
            Check::Unknown => return None,
            Check::Ok | Check::Declined => {}
        }
    }
    Some(200)
}

/// `satisfy any`: the first handler that passes lets the request in; none passing gives 401
/// if one asked for credentials, else 403.
fn satisfy_any(checks: &[Check]) -> Option<u16> {
    if checks.contains(&Check::Ok) {
        return Some(200);
    }
    if checks.contains(&Check::Unknown) {
        return None;
    }
    if checks.contains(&Check::Fail(401)) {
        Some(401)
    } else if checks.iter().any(|c| matches!(c, Check::Fail(_))) {
        Some(403)
    } else {
        Some(200)
    }
}

/// The chosen location's access verdict, then the named location's (its return first).
fn combine_named(
    outer: (Option<u16>, Option<u16>),
    inner: (Option<u16>, Option<u16>),
    inner_return: Option<u16>,
) -> (Option<u16>, Option<u16>) {
    let step = |o: Option<u16>, i: Option<u16>| match o {
        Some(200) => inner_return.map_or(i, Some),
        other => other,
    };
    (
        step(outer.0, inner.0),
        step(outer.1.or(outer.0), inner.1.or(inner.0)),
    )
}

fn basic(
    levels: &[Level<'_>],
    eff: &mut EffectiveAuth,
    problems: &mut Vec<Problem>,
    config: &Config,
) -> (Option<PathBuf>, Option<Pos>) {
    let Some(ab) = plain(levels, "auth_basic") else {
        return (None, None);
    };
    let realm = ab.arg(0).unwrap_or_default();
    if realm == "off" {
        eff.scheme = Scheme::Off;
        return (None, None);
    }
    eff.realm = Some(realm.into());
    let Some(uf) = plain(levels, "auth_basic_user_file") else {
        // nginx declines to check anything without a user file: the location is open.
        problems.push(Problem::cause(
            "auth-config-incomplete",
            Some(ab.pos.clone()),
            format!("auth_basic \"{realm}\" has no auth_basic_user_file: nginx asks for no password at all"),
        ).with_fix("Add auth_basic_user_file /etc/nginx/.htpasswd; next to auth_basic (and create the file with htpasswd)."));
        return (None, None);
    };
    eff.scheme = Scheme::Basic;
    eff.require = Some(Outside::new("valid-user (any user in the file)"));
    let raw = uf.arg(0).unwrap_or_default();
    if raw.contains('$') {
        // nginx fills the variables per request, after a well-formed Basic header; the file
        // named then is opened (ENOENT gives 403). Nothing to open from here.
        let mut p = Problem::warning(
            "user-file-variable",
            Some(uf.pos.clone()),
            format!(
                "auth_basic_user_file \"{raw}\" uses variables: nginx works out the file per request (a file that does not exist then gives 403), so it is not checked here"
            ),
            "",
        );
        p.severity = crate::server::Severity::Note;
        problems.push(p);
        eff.user_file = Some(OutsidePath::new(raw));
        return (None, Some(uf.pos.clone()));
    } else if !std::path::Path::new(raw).is_absolute() {
        problems.push(Problem::warning(
            "user-file-relative",
            Some(uf.pos.clone()),
            format!(
                "auth_basic_user_file \"{raw}\" is relative: nginx reads it from {}",
                config.prefix.join(raw).display()
            ),
            "Give an absolute path so the file does not depend on nginx's prefix.",
        ));
    }
    let path = source::resolve(raw, &config.prefix);
    eff.user_file = Some(OutsidePath::new(&path));
    (Some(path), Some(uf.pos.clone()))
}

fn request_auth(levels: &[Level<'_>], eff: &mut EffectiveAuth) {
    let Some(ar) = plain(levels, "auth_request") else {
        return;
    };
    let uri = ar.arg(0).unwrap_or_default();
    if uri == "off" {
        return;
    }
    let rule = format!("auth_request {uri} (the subrequest must answer 2xx)");
    if eff.scheme == Scheme::Basic {
        // satisfy any lets either one in; all (the default) needs both.
        let any = plain(levels, "satisfy").and_then(|d| d.arg(0)) == Some("any");
        let join = if any { "or" } else { "and" };
        eff.require = Some(Outside::new(format!("valid-user {join} {rule}")));
    } else {
        eff.scheme = Scheme::Request;
        eff.require = Some(Outside::new(rule));
    }
}

fn access_rules(levels: &[Level<'_>], eff: &mut EffectiveAuth, problems: &mut Vec<Problem>) {
    let satisfy = plain(levels, "satisfy");
    satisfy
        .and_then(|d| d.arg(0))
        .unwrap_or("all")
        .clone_into(&mut eff.satisfy);
    let Some((_, rules)) = array(levels, &["allow", "deny"]) else {
        return;
    };
    let text: Vec<String> = rules.iter().map(|d| d.head()).collect();
    let summary = text.join("; ");
    eff.require = Some(Outside::new(match eff.require.take() {
        Some(r) => format!("{}; satisfy {}: {summary}", r.raw(), eff.satisfy),
        None => summary.clone(),
    }));
    let first_all = rules.iter().find(|d| d.arg(0) == Some("all"));
    if eff.satisfy == "any" && eff.demands_credentials() {
        if let Some(d) = first_all.filter(|d| d.name == "allow") {
            problems.push(Problem::warning(
                "satisfy-any-allow-all",
                Some(d.pos.clone()),
                "satisfy any with allow all: every client passes without a password",
                "Remove allow all, or use satisfy all.",
            ));
        }
    } else if let Some(d) = first_all.filter(|d| d.name == "deny") {
        if rules.iter().all(|r| r.name == "deny") {
            eff.denied_to_all = true;
            problems.push(Problem::warning(
                "deny-all",
                Some(d.pos.clone()),
                "deny all with no allow rule: every client gets 403, whatever the password",
                "",
            ));
        }
    }
}

fn header_rule<'a>(rules: &[&'a Directive], header: &str) -> Option<&'a Directive> {
    rules
        .iter()
        .copied()
        .find(|d| d.arg(0).is_some_and(|h| h.eq_ignore_ascii_case(header)))
}

fn proxy(levels: &[Level<'_>], eff: &mut EffectiveAuth, problems: &mut Vec<Problem>) {
    // proxy_pass is a handler of the chosen location only; nested locations do not inherit it.
    let Some(pass) = levels
        .last()
        .and_then(|l| l.body.iter().find(|d| d.name == "proxy_pass"))
    else {
        return;
    };
    eff.proxy_target = pass
        .arg(0)
        .map(|t| Outside::new(crate::server::visible(&crate::server::redact_userinfo(t))));
    let set = array(levels, &["proxy_set_header"]);
    let rule = set
        .as_ref()
        .and_then(|(_, r)| header_rule(r, "Authorization"));
    let pass_headers = plain(levels, "proxy_pass_request_headers");
    let headers_off = pass_headers.is_some_and(|d| d.arg(0) == Some("off"));
    let mut forwards = !headers_off;
    if let Some(r) = rule {
        let value = r.arg(1).unwrap_or_default();
        forwards = value.eq_ignore_ascii_case("$http_authorization");
        if value.is_empty() {
            problems.push(Problem::cause("proxy-strips-authorization", Some(r.pos.clone()),
                format!("proxy_set_header Authorization \"\" removes the header before {}", pass.head()))
                .with_fix("Remove proxy_set_header Authorization \"\" (or set it to $http_authorization) for this location."));
        } else if !forwards && fed_by_auth_request(levels, value).is_some() {
            let mut p = Problem::warning(
                "authorization-from-auth-request",
                Some(r.pos.clone()),
                format!(
                    "\"{}\" sends {} the credentials the auth_request subrequest handed back (auth_request_set): nginx supplies them on purpose",
                    r.head(),
                    pass.head()
                ),
                "",
            );
            p.severity = crate::server::Severity::Note;
            problems.push(p);
        } else if !forwards {
            problems.push(Problem::warning(
                "authorization-replaced",
                Some(r.pos.clone()),
                format!(
                    "\"{}\" replaces the client's credentials before {}",
                    r.head(),
                    pass.head()
                ),
                "Only intended when nginx itself supplies the upstream's credentials.",
            ));
        }
    } else if let Some(d) = pass_headers.filter(|_| headers_off) {
        problems.push(Problem::cause("proxy-strips-authorization", Some(d.pos.clone()),
            format!("proxy_pass_request_headers off: no client header, Authorization included, reaches {}", pass.arg(0).unwrap_or_default()))
            .with_fix("Add proxy_set_header Authorization $http_authorization; or remove proxy_pass_request_headers off."));
    }
    if let Some((level, _)) = set.filter(|_| rule.is_none()) {
        // An outer "Authorization" rule that this level's own proxy_set_header silently discards.
        if let Some((outer, r)) = levels[..level].iter().rev().find_map(|l| {
            let found: Vec<&Directive> = l
                .body
                .iter()
                .filter(|d| d.name == "proxy_set_header")
                .collect();
            header_rule(&found, "Authorization").map(|r| (l, r))
        }) {
            problems.push(Problem::warning("proxy-set-header-discarded", Some(r.pos.clone()),
                format!("\"{}\" at {} does not apply in {}: a level with its own proxy_set_header inherits none", r.head(), outer.label, levels[level].label),
                "Repeat the proxy_set_header lines you need in the inner level."));
        }
    }
    eff.forwards_authorization = Some(forwards);
}

/// The `auth_request_set $var ...` that fills a header value made of `$var` alone.
fn fed_by_auth_request<'a>(levels: &[Level<'a>], value: &str) -> Option<&'a Directive> {
    let var = value
        .strip_prefix("${")
        .and_then(|v| v.strip_suffix('}'))
        .or_else(|| value.strip_prefix('$'))?;
    levels.iter().rev().find_map(|l| {
        l.body.iter().find(|d| {
            d.name == "auth_request_set" && d.arg(0).and_then(|a| a.strip_prefix('$')) == Some(var)
        })
    })
}

fn fastcgi(levels: &[Level<'_>], problems: &mut Vec<Problem>) {
    let Some(pass) = levels
        .last()
        .and_then(|l| l.body.iter().find(|d| d.name == "fastcgi_pass"))
    else {
        return;
    };
    let params = array(levels, &["fastcgi_param"])
        .map(|(_, p)| p)
        .unwrap_or_default();
    let rule = header_rule(&params, "HTTP_AUTHORIZATION");
    let headers_off =
        plain(levels, "fastcgi_pass_request_headers").filter(|d| d.arg(0) == Some("off"));
    match (rule, headers_off) {
        (Some(r), _) if r.arg(1).unwrap_or_default().is_empty() => problems.push(Problem::cause(
            "auth-not-forwarded-to-app", Some(r.pos.clone()),
            format!("fastcgi_param HTTP_AUTHORIZATION \"\" hides the credentials from the app behind {}", pass.head()))),
        (None, Some(d)) => problems.push(Problem::cause(
            "auth-not-forwarded-to-app", Some(d.pos.clone()),
            format!("fastcgi_pass_request_headers off and no fastcgi_param HTTP_AUTHORIZATION: the app behind {} never sees Authorization", pass.head()))
            .with_fix("Add fastcgi_param HTTP_AUTHORIZATION $http_authorization;")),
        _ => {}
    }
}

fn underscores(levels: &[Level<'_>], req: &Request<'_>, problems: &mut Vec<Problem>) {
    let Some(header) = req.auth_header.filter(|h| h.contains('_')) else {
        return;
    };
    // Both are read from the server level (and http), not from locations.
    let outer = &levels[..levels.len().min(2)];
    let underscores = plain(outer, "underscores_in_headers");
    let allowed = underscores.is_some_and(|d| d.arg(0) == Some("on"));
    let ignore = plain(outer, "ignore_invalid_headers");
    let ignored = ignore.is_none_or(|d| d.arg(0) != Some("off"));
    if !allowed && ignored {
        let at = underscores.map(|d| d.pos.clone());
        let why = if underscores.is_some() {
            "underscores_in_headers off"
        } else {
            "underscores_in_headers is off by default"
        };
        problems.push(Problem::cause("underscore-header-dropped", at,
            format!("the header \"{header}\" has an underscore and {why}: nginx drops it before any location sees it")));
    }
}

/// Whether a user file under `root` is handed out by the location its URI lands in.
fn served(
    config: &Config,
    req: &Request<'_>,
    file: &std::path::Path,
    root: &std::path::Path,
) -> bool {
    let Ok(rel) = file.strip_prefix(root) else {
        return false;
    };
    let uri = format!("/{}", rel.to_string_lossy());
    let probe = Request {
        host: req.host,
        path: &uri,
        port: req.port,
        ..Request::default()
    };
    let mut ignored = Vec::new();
    let route = levels(config, &probe, &mut ignored);
    let levels = route.levels;
    let denied = array(&levels, &["allow", "deny"]).is_some_and(|(_, r)| {
        r.first()
            .is_some_and(|d| d.name == "deny" && d.arg(0) == Some("all"))
    });
    let last = levels.last().map_or(&[][..], |l| l.body);
    let returns = last.iter().any(|d| {
        d.name == "return"
            || d.name == "internal"
            || d.name == "proxy_pass"
            || d.name == "fastcgi_pass"
    });
    let protected = plain(&levels, "auth_basic").is_some_and(|d| d.arg(0) != Some("off"));
    !(denied || returns || protected)
}

#[cfg(test)]
mod tests;
