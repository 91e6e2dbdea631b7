//! The auth nginx applies in the chosen location, with inheritance as nginx merges it: a
//! plain directive comes from the innermost level that sets it; array directives
//! (`proxy_set_header`, `fastcgi_param`, `allow`/`deny`) come whole from the innermost level
//! that has any of them, discarding everything inherited.

use std::path::PathBuf;

use super::location;
use super::{Config, Directive};
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
}

fn levels<'a>(
    config: &'a Config,
    req: &Request<'_>,
    notes: &mut Vec<Problem>,
) -> (Vec<Level<'a>>, Option<&'a Directive>) {
    let mut out = vec![Level {
        label: "http".to_owned(),
        body: config.http(),
    }];
    let server = config.server_for(req.host);
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
            format!("cannot evaluate the regex of \"{}\" (PCRE-only syntax); if it matches {}, the answer below is wrong", d.head(), req.path),
            "",
        ));
    }
    for d in &choice.chain {
        out.push(Level {
            label: d.head(),
            body: d.body(),
        });
    }
    (out, server)
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
    let (levels, _server) = levels(config, req, &mut problems);
    let mut eff = EffectiveAuth::none("nginx");
    let last = levels.last().filter(|_| levels.len() > 1);
    eff.matched = last.map(|l| l.label.clone());
    eff.at = plain(&levels, "location").map(|d| d.pos.clone());
    if let Some(loc) = levels
        .iter()
        .rev()
        .find(|l| l.label.starts_with("location"))
    {
        eff.matched = Some(loc.label.clone());
    }
    let (user_file, user_file_at) = basic(&levels, &mut eff, &mut problems, config);
    request_auth(&levels, &mut eff);
    access_rules(&levels, &mut eff, &mut problems);
    proxy(&levels, &mut eff, &mut problems);
    fastcgi(&levels, &mut problems);
    underscores(&levels, req, &mut problems);
    let web_root = plain(&levels, "root")
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
    }
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
        eff.at = Some(ab.pos.clone());
        return (None, None);
    }
    eff.realm = Some(realm.to_owned());
    eff.at = Some(ab.pos.clone());
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
    eff.require = Some("valid-user (any user in the file)".to_owned());
    let raw = uf.arg(0).unwrap_or_default();
    if raw.contains('$') {
        problems.push(Problem::warning(
            "user-file-variable",
            Some(uf.pos.clone()),
            format!("auth_basic_user_file \"{raw}\" uses variables; it cannot be checked from the files alone"),
            "",
        ));
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
    eff.user_file = Some(path.clone());
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
        eff.require = Some(format!("valid-user and {rule}"));
    } else {
        eff.scheme = Scheme::Request;
        eff.require = Some(rule);
        eff.at = Some(ar.pos.clone());
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
    eff.require = Some(match eff.require.take() {
        Some(r) => format!("{r}; satisfy {}: {summary}", eff.satisfy),
        None => summary.clone(),
    });
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
    eff.proxy_target = pass.arg(0).map(str::to_owned);
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
        } else if !forwards {
            problems.push(Problem::warning("authorization-replaced", Some(r.pos.clone()),
                format!("proxy_set_header Authorization \"{value}\" replaces the client's credentials before {}", pass.head()),
                "Only intended when nginx itself supplies the upstream's credentials."));
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
        auth_header: None,
    };
    let mut ignored = Vec::new();
    let (levels, _) = levels(config, &probe, &mut ignored);
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
