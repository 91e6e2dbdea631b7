//! The server's own files in the battery: the configuration and user file the person gave,
//! analysed (as `why401 server` does) for the host and path of the request and the user sent.

use super::rules::ids;
use super::{CheckRequest, ProbeArgs, ProbeReport, ProbeRequest, req};
use crate::probe::FactValue;

/// The file probes for `request.server`: Apache (server config or .htaccess), nginx, or the
/// user file alone.
pub fn requests(request: &CheckRequest) -> Vec<ProbeRequest> {
    let files = &request.server;
    let mut out = Vec::new();
    let common = |a: &mut ProbeArgs| {
        if let Some(h) = request.url.host_str() {
            a.insert("host".into(), h.to_owned());
        }
        a.insert("path".into(), request.url.path().to_owned());
        if let Some(f) = &files.htpasswd {
            a.insert("htpasswd".into(), f.display().to_string());
        }
        let c = &request.credentials;
        if let Some(u) = &c.user {
            a.insert("user".into(), u.clone());
            if let Some(p) = &c.password {
                a.insert("password".into(), p.expose().to_owned());
            }
        }
    };
    if files.apache.is_some() || files.htaccess.is_some() {
        let mut a = ProbeArgs::new();
        match (&files.apache, &files.htaccess) {
            (Some(conf), _) => a.insert("apache_conf".into(), conf.display().to_string()),
            (None, Some(h)) => a.insert("htaccess".into(), h.display().to_string()),
            (None, None) => None,
        };
        common(&mut a);
        out.push(req(ids::SERVER_APACHE, "htaccess", a));
    }
    if let Some(conf) = &files.nginx {
        let mut a = ProbeArgs::new();
        a.insert("nginx_conf".into(), conf.display().to_string());
        if let Some((name, _)) = request.credentials.headers.first() {
            a.insert("header".into(), name.clone());
        }
        common(&mut a);
        out.push(req(ids::SERVER_NGINX, "nginx", a));
    }
    if out.is_empty()
        && let Some(f) = &files.htpasswd
    {
        let mut a = ProbeArgs::new();
        common(&mut a);
        a.insert("htpasswd".into(), f.display().to_string());
        // Who reads it is not known: Traefik, Caddy and libraries as much as Apache or nginx.
        a.insert("server".into(), "any".into());
        out.push(req(ids::USER_FILE, "htpasswd", a));
    }
    out
}

/// A file that could not be read or parsed stops the check with its `FILE:LINE:COL: message`,
/// as `why401 server` would.
pub fn unreadable(reports: &[ProbeReport]) -> Option<String> {
    reports
        .iter()
        .filter(|r| ids::is_server_file(&r.id))
        .find_map(|r| {
            let parsed = r.facts.get("parse_ok");
            let failed = parsed == Some(&FactValue::Bool(false))
                || (parsed.is_none() && r.facts.contains_key("error"));
            failed.then(|| match r.facts.get("error") {
                Some(e) => e.to_string(),
                None => r.summary.clone(),
            })
        })
}
