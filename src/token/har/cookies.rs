//! Cookies a browser refuses to store (rfc6265bis §5.7: `SameSite=None` without `Secure`, a
//! `Secure` cookie set over http, a `Domain` the host does not match, a broken `__Host-` or
//! `__Secure-` prefix) or stores but does not send where it is needed (`Path`). Either way the
//! cookie never comes back, and the request that needed it gets a 401.

use super::redact;

/// Cookies remembered; a capture with more Set-Cookies keeps the first ones.
const MAX_WATCHED: usize = 512;

/// A Set-Cookie the browser ignored, or one scoped to a path.
#[derive(Debug, Clone)]
struct Watched {
    name: String,
    host: String,
    /// Where it was set: `#3 GET https://…`, redacted.
    at: String,
    /// Why the browser ignored it; None for a cookie it stored.
    refused: Option<String>,
    path: Option<String>,
}

/// Every Set-Cookie seen so far in a capture, with what the browser made of it.
#[derive(Debug, Default)]
pub(crate) struct CookieWatch {
    seen: Vec<Watched>,
}

/// Host, path and whether the scheme is secure, from a request URL.
fn origin(url: &str) -> Option<(String, String, bool)> {
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?.to_ascii_lowercase();
    // Browsers treat http://localhost as a secure context (rfc6265bis §5.8.3).
    let secure = u.scheme() == "https" || host == "localhost" || host == "127.0.0.1";
    Some((host, u.path().to_owned(), secure))
}

/// The default path of a cookie set by a request to `path` (RFC 6265 §5.1.4).
fn default_path(path: &str) -> String {
    match path.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(i) => path[..i].to_owned(),
    }
}

/// RFC 6265 §5.1.4 path-match.
fn path_matches(request: &str, cookie: &str) -> bool {
    request == cookie
        || request.starts_with(cookie)
            && (cookie.ends_with('/') || request[cookie.len()..].starts_with('/'))
}

/// RFC 6265 §5.1.3 domain-match (no suffix match for an IP address).
fn domain_matches(host: &str, domain: &str) -> bool {
    host == domain
        || host.parse::<std::net::IpAddr>().is_err()
            && host
                .strip_suffix(domain)
                .is_some_and(|rest| rest.ends_with('.'))
}

/// Whether a cookie name is one that usually carries a login.
fn session_like(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "sess", "sid", "auth", "token", "jwt", "login", "user", "remember", "xsrf", "csrf",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// Why a browser would ignore this Set-Cookie from a request to `host`, if it would.
fn refusal(name: &str, attrs: &[(String, String)], host: &str, secure: bool) -> Option<String> {
    let attr = |n: &str| {
        attrs
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.as_str())
    };
    let has_secure = attr("secure").is_some();
    if attr("samesite").is_some_and(|v| v.eq_ignore_ascii_case("none")) && !has_secure {
        return Some("SameSite=None without Secure: browsers ignore it (rfc6265bis §5.7 step 19; Chrome since version 80)".to_owned());
    }
    if has_secure && !secure {
        return Some(
            "Secure, but set by an http:// response: browsers ignore it (rfc6265bis §5.7 step 13)"
                .to_owned(),
        );
    }
    if let Some(d) = attr("domain") {
        let d = d.trim_start_matches('.').to_ascii_lowercase();
        if !d.is_empty() && !domain_matches(host, &d) {
            return Some(format!(
                "Domain={d} does not domain-match the host {host} that set it: browsers ignore it (rfc6265bis §5.7 step 10)"
            ));
        }
    }
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("__secure-") && !has_secure {
        return Some(
            "a __Secure- cookie without Secure: browsers ignore it (rfc6265bis §5.7 step 20)"
                .to_owned(),
        );
    }
    if lower.starts_with("__host-")
        && (!has_secure || attr("domain").is_some() || attr("path") != Some("/"))
    {
        return Some("a __Host- cookie needs Secure, no Domain and Path=/: browsers ignore it (rfc6265bis §5.7 step 21)".to_owned());
    }
    None
}

impl CookieWatch {
    /// Reads the Set-Cookie field values of one response to `url` (several cookies folded into
    /// one value with line breaks, as some exports write them, count one by one). Only cookies
    /// that can carry a login are watched: set by a login, refresh or token exchange
    /// (`from_auth`), or named like a session.
    pub(crate) fn observe<'a>(
        &mut self,
        at: &str,
        url: &str,
        from_auth: bool,
        values: impl Iterator<Item = &'a str>,
    ) {
        let Some((host, path, secure)) = origin(url) else {
            return;
        };
        for line in values.flat_map(|v| v.split('\n')) {
            let mut parts = line.split(';');
            let Some((name, _)) = parts.next().and_then(|p| p.split_once('=')) else {
                continue;
            };
            let name = name.trim().to_owned();
            if !from_auth && !session_like(&name) {
                continue;
            }
            let attrs: Vec<(String, String)> = parts
                .map(|a| match a.split_once('=') {
                    Some((k, v)) => (k.trim().to_owned(), v.trim().to_owned()),
                    None => (a.trim().to_owned(), String::new()),
                })
                .collect();
            let refused = refusal(&name, &attrs, &host, secure);
            let path_attr = attrs
                .iter()
                .rev()
                .find(|(k, _)| k.eq_ignore_ascii_case("path"))
                .map(|(_, v)| v.clone())
                .filter(|v| v.starts_with('/'))
                .unwrap_or_else(|| default_path(&path));
            // A later Set-Cookie of the same name replaces what was known of it.
            self.seen.retain(|w| !(w.name == name && w.host == host));
            if self.seen.len() < MAX_WATCHED {
                self.seen.push(Watched {
                    name,
                    host: host.clone(),
                    at: at.to_owned(),
                    refused,
                    path: Some(path_attr),
                });
            }
        }
    }

    /// Evidence that a cookie this request to `url` lacks was refused or scoped away from it.
    /// `sent` holds the names of the cookies the request carried.
    pub(crate) fn explain(&self, url: &str, sent: &[String]) -> Vec<String> {
        let Some((host, path, _)) = origin(url) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for w in self.seen.iter().filter(|w| w.host == host) {
            if sent.contains(&w.name) {
                continue;
            }
            if let Some(why) = &w.refused {
                out.push(format!(
                    "cookie '{}' set at {} never came back: {why}",
                    w.name, w.at
                ));
            } else if let Some(p) = w.path.as_deref().filter(|p| !path_matches(&path, p)) {
                out.push(format!(
                    "cookie '{}' set at {} has Path={p}, which does not cover {}: the browser does not send it there",
                    w.name,
                    w.at,
                    redact::url(&path)
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6265bis_refusals() {
        let a = |s: &[(&str, &str)]| -> Vec<(String, String)> {
            s.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        assert!(refusal("sid", &a(&[("SameSite", "None")]), "a.example", true).is_some());
        assert!(
            refusal(
                "sid",
                &a(&[("SameSite", "None"), ("Secure", "")]),
                "a.example",
                true
            )
            .is_none()
        );
        assert!(refusal("sid", &a(&[("Secure", "")]), "a.example", false).is_some());
        assert!(refusal("sid", &a(&[("Domain", ".b.example")]), "a.example", true).is_some());
        assert!(refusal("sid", &a(&[("Domain", ".example")]), "a.example", true).is_none());
        assert!(refusal("sid", &a(&[("Domain", "0.0.1")]), "127.0.0.1", true).is_some());
        assert!(refusal("__Host-x", &a(&[("Secure", ""), ("Path", "/a")]), "a", true).is_some());
        assert!(path_matches("/api/me", "/api"));
        assert!(!path_matches("/apiary", "/api"));
        assert!(!path_matches("/api/me", "/auth"));
        assert_eq!(default_path("/auth/login"), "/auth");
    }
}
