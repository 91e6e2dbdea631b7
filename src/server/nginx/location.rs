//! The location nginx chooses for a URI, as `ngx_http_core_find_location()` does: an exact
//! `=` match wins; else the longest prefix is remembered and its nested locations searched;
//! unless that prefix is `^~`, regex locations are then tried in order (nested first) and the
//! first match wins; else the longest prefix stands.

use super::Directive;
use crate::server::pcre::{Pcre, could_match};

/// How a location matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Matcher {
    Exact(String),
    Prefix(String),
    NoRegex(String),
    /// A regex (case-insensitive for `~*`); `None` when it does not compile here.
    Regex {
        source: String,
        caseless: bool,
    },
    Named,
}

impl Matcher {
    pub fn of(d: &Directive) -> Self {
        match (d.arg(0), d.arg(1)) {
            (Some("="), Some(p)) => Self::Exact(p.to_owned()),
            (Some("^~"), Some(p)) => Self::NoRegex(p.to_owned()),
            (Some("~"), Some(p)) => Self::Regex {
                source: p.to_owned(),
                caseless: false,
            },
            (Some("~*"), Some(p)) => Self::Regex {
                source: p.to_owned(),
                caseless: true,
            },
            (Some(a), None) if a.starts_with('@') => Self::Named,
            (Some(a), None) if a.starts_with("~*") => Self::Regex {
                source: a[2..].to_owned(),
                caseless: true,
            },
            (Some(a), None) if a.starts_with('~') => Self::Regex {
                source: a[1..].to_owned(),
                caseless: false,
            },
            (Some(a), None) if a.starts_with('=') => Self::Exact(a[1..].to_owned()),
            (Some(a), None) if a.starts_with("^~") => Self::NoRegex(a[2..].to_owned()),
            (Some(a), _) => Self::Prefix(a.to_owned()),
            (None, _) => Self::Named,
        }
    }
}

/// The outcome of a search: the chain of nested locations chosen, outermost first, plus
/// regexes that could not be evaluated on the way (the answer may be wrong if one matched).
#[derive(Debug, Default)]
pub struct Choice<'a> {
    pub chain: Vec<&'a Directive>,
    pub unevaluated: Vec<&'a Directive>,
}

enum Found {
    /// Exact match or a regex: stop.
    Final,
    /// A `^~` prefix: stop, no regexes.
    NoRegex,
    /// A prefix match: regexes may still win.
    Again,
    Declined,
}

/// Chooses the location for `uri` among the `location` blocks of `body`.
pub fn choose<'a>(body: &'a [Directive], uri: &str) -> Choice<'a> {
    let mut choice = Choice::default();
    find(body, uri, &mut choice, 0);
    choice
}

fn locations(body: &[Directive]) -> impl Iterator<Item = &Directive> {
    body.iter()
        .filter(|d| d.name == "location" && d.block.is_some())
}

fn find<'a>(body: &'a [Directive], uri: &str, out: &mut Choice<'a>, depth: usize) -> Found {
    if depth > crate::server::DEPTH_LIMIT {
        return Found::Declined;
    }
    if let Some(exact) = locations(body).find(|d| Matcher::of(d) == Matcher::Exact(uri.to_owned()))
    {
        out.chain.push(exact);
        return Found::Final;
    }
    let mut best: Option<(&Directive, bool, usize)> = None;
    for d in locations(body) {
        let (p, noregex) = match Matcher::of(d) {
            Matcher::Prefix(p) => (p, false),
            Matcher::NoRegex(p) => (p, true),
            _ => continue,
        };
        if uri.starts_with(&p) && best.is_none_or(|(_, _, len)| p.len() > len) {
            best = Some((d, noregex, p.len()));
        }
    }
    let mut rc = Found::Declined;
    let mut noregex = false;
    if let Some((d, nr, _)) = best {
        out.chain.push(d);
        noregex = nr;
        rc = match find(d.body(), uri, out, depth + 1) {
            Found::Final => return Found::Final,
            Found::NoRegex => return Found::NoRegex,
            Found::Again | Found::Declined if nr => return Found::NoRegex,
            Found::Again | Found::Declined => Found::Again,
        };
    }
    if noregex {
        return rc;
    }
    for d in locations(body) {
        let Matcher::Regex { source, caseless } = Matcher::of(d) else {
            continue;
        };
        let hit = Pcre::new(&source, caseless, false)
            .ok()
            .and_then(|re| re.is_match(uri));
        let Some(hit) = hit else {
            // Reported only where it could change the answer.
            if could_match(&source, uri, caseless) {
                out.unevaluated.push(d);
            }
            continue;
        };
        if hit {
            // A regex replaces the prefix chosen at this level (and below it).
            if let Some((prefix, _, _)) = best {
                if let Some(at) = out.chain.iter().position(|c| std::ptr::eq(*c, prefix)) {
                    out.chain.truncate(at);
                }
            }
            out.chain.push(d);
            find(d.body(), uri, out, depth + 1);
            return Found::Final;
        }
    }
    rc
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::server::nginx::Config;

    fn chosen(conf: &str, uri: &str) -> Vec<String> {
        let c = Config::parse_str(conf, Path::new("t.conf"), Path::new("/n")).unwrap();
        choose(&c.root, uri)
            .chain
            .iter()
            .map(|d| d.args.join(" "))
            .collect()
    }

    const CONF: &str = r"
        location = / { }
        location / { }
        location /images/ { location ~ \.png$ { } }
        location ^~ /static/ { }
        location ~* \.(gif|jpg)$ { }
        location /admin { }
        location ~ ^/admin/api { }
    ";

    #[test]
    fn nginx_location_precedence() {
        assert_eq!(chosen(CONF, "/"), ["= /"]);
        assert_eq!(chosen(CONF, "/index.html"), ["/"]);
        assert_eq!(chosen(CONF, "/static/a.jpg"), ["^~ /static/"]);
        assert_eq!(chosen(CONF, "/x/a.JPG"), ["~* \\.(gif|jpg)$"]);
        assert_eq!(chosen(CONF, "/images/a.png"), ["/images/", "~ \\.png$"]);
        assert_eq!(chosen(CONF, "/images/a.gif"), ["~* \\.(gif|jpg)$"]);
        assert_eq!(chosen(CONF, "/admin/"), ["/admin"]);
        assert_eq!(chosen(CONF, "/admin/api/x"), ["~ ^/admin/api"]);
    }
}
