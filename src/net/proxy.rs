//! Which proxy a request goes through, by curl's rules: `-x/--proxy` first, else the
//! environment (`https_proxy`/`HTTPS_PROXY` for https, `http_proxy`/`HTTP_PROXY` for http,
//! then `ALL_PROXY`), except for hosts that `NO_PROXY` names. And what the proxy itself
//! answers: a raw `CONNECT` (or absolute-form request) whose 407 and `Proxy-Authenticate` are
//! read as they are, since the HTTP client only says "proxy authorization required".

use std::net::IpAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

pub mod digest;
pub(crate) mod relay;

/// Bytes read at most from a proxy's answer head.
const MAX_HEAD: usize = 16 * 1024;

/// The proxy one request uses, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyChoice {
    /// The proxy, without any user:password it was given with.
    pub proxy: Option<url::Url>,
    /// What decided: "-x", "HTTPS_PROXY", "NO_PROXY entry '.test'", "no proxy set".
    pub source: String,
}

impl ProxyChoice {
    /// One line for the report.
    pub fn describe(&self) -> String {
        match &self.proxy {
            Some(p) => format!("through proxy {p} (from {})", self.source),
            None => format!("direct, no proxy ({})", self.source),
        }
    }
}

/// The proxy settings in force: the option, the environment's values, the exemptions.
#[derive(Debug, Clone, Default)]
pub struct ProxySettings {
    pub explicit: Option<url::Url>,
    /// (variable name, proxy) for https and http targets, and ALL_PROXY.
    pub https: Option<(String, url::Url)>,
    pub http: Option<(String, url::Url)>,
    pub all: Option<(String, url::Url)>,
    /// (variable name, value) of NO_PROXY.
    pub no_proxy: Option<(String, String)>,
    /// Problems with the settings (a variable that is not a URL), for the report.
    pub notes: Vec<String>,
}

/// Reads a proxy URL; a bare `host:port` means `http://host:port`, as in curl.
pub(crate) fn parse_proxy_url(text: &str) -> Result<url::Url, String> {
    let t = text.trim();
    let with_scheme = if t.contains("://") {
        t.to_owned()
    } else {
        format!("http://{t}")
    };
    let url = url::Url::parse(&with_scheme).map_err(|e| format!("not a proxy URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "proxy scheme '{}' is not supported (http or https)",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the proxy URL has no host".to_owned());
    }
    Ok(url)
}

impl ProxySettings {
    /// Settings from `-x` and the environment (`env` reads a variable).
    pub fn from_env(explicit: Option<url::Url>, env: &dyn Fn(&str) -> Option<String>) -> Self {
        let mut s = Self {
            explicit,
            ..Self::default()
        };
        let mut first = |names: &[&str]| -> Option<(String, url::Url)> {
            let (name, value) = names
                .iter()
                .find_map(|n| env(n).filter(|v| !v.trim().is_empty()).map(|v| (*n, v)))?;
            match parse_proxy_url(&value) {
                Ok(u) => Some((name.to_owned(), u)),
                Err(e) => {
                    s.notes.push(format!("{name} ignored: {e}"));
                    None
                }
            }
        };
        let https = first(&["https_proxy", "HTTPS_PROXY"]);
        let http = first(&["http_proxy", "HTTP_PROXY"]);
        let all = first(&["all_proxy", "ALL_PROXY"]);
        s.https = https;
        s.http = http;
        s.all = all;
        s.no_proxy = ["no_proxy", "NO_PROXY"].iter().find_map(|n| {
            env(n)
                .filter(|v| !v.trim().is_empty())
                .map(|v| ((*n).to_owned(), v))
        });
        if s.http.as_ref().is_some_and(|(n, _)| n == "HTTP_PROXY") {
            s.notes.push(
                "HTTP_PROXY (upper case) is used for http:// here; curl ignores it and reads only http_proxy"
                    .to_owned(),
            );
        }
        s
    }

    /// The proxy a request to `url` uses.
    pub fn choose(&self, url: &url::Url) -> ProxyChoice {
        let host = url.host_str().unwrap_or("");
        if let Some((name, list)) = &self.no_proxy
            && let Some(entry) = no_proxy_match(list, host)
        {
            return ProxyChoice {
                proxy: None,
                source: format!("{host} matches {name} entry '{entry}'"),
            };
        }
        if let Some(p) = &self.explicit {
            return ProxyChoice {
                proxy: Some(shown(p)),
                source: "--proxy".to_owned(),
            };
        }
        let by_scheme = if url.scheme() == "https" {
            &self.https
        } else {
            &self.http
        };
        match by_scheme.as_ref().or(self.all.as_ref()) {
            Some((name, p)) => ProxyChoice {
                proxy: Some(shown(p)),
                source: name.clone(),
            },
            None => ProxyChoice {
                proxy: None,
                source: "no proxy option or variable set".to_owned(),
            },
        }
    }

    /// True when any proxy is set, by option or environment.
    pub fn any(&self) -> bool {
        self.explicit.is_some() || self.https.is_some() || self.http.is_some() || self.all.is_some()
    }

    /// Every proxy URL set, with its credentials.
    pub(crate) fn all_urls(&self) -> Vec<&url::Url> {
        [&self.explicit]
            .into_iter()
            .flatten()
            .chain(
                [&self.https, &self.http, &self.all]
                    .into_iter()
                    .flatten()
                    .map(|(_, u)| u),
            )
            .collect()
    }

    /// The proxy with its credentials, for the connection itself.
    pub(crate) fn proxy_for(&self, url: &url::Url) -> Option<url::Url> {
        let chosen = self.choose(url).proxy?;
        self.all_urls()
            .into_iter()
            .find(|u| shown(u) == chosen)
            .cloned()
    }
}

/// The proxy URL as shown: without user and password.
pub fn shown(u: &url::Url) -> url::Url {
    let mut u = u.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u
}

/// The `NO_PROXY` entry that exempts `host`, by curl's rules: `*` is every host; a name
/// matches itself and its subdomains (a leading dot is the same); an IP or CIDR range
/// matches addresses. Ports in entries are ignored.
pub(crate) fn no_proxy_match(list: &str, host: &str) -> Option<String> {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let host_ip: Option<IpAddr> = host.parse().ok();
    for raw in list.split(',') {
        let entry = raw.trim();
        if entry.is_empty() {
            continue;
        }
        if entry == "*" {
            return Some(entry.to_owned());
        }
        let matched = if let Some(ip) = host_ip {
            ip_matches(entry, ip)
        } else {
            let name = strip_port(entry)
                .trim_start_matches('.')
                .to_ascii_lowercase();
            !name.is_empty()
                && (host == name
                    || host
                        .strip_suffix(&name)
                        .is_some_and(|rest| rest.ends_with('.')))
        };
        if matched {
            return Some(entry.to_owned());
        }
    }
    None
}

fn strip_port(entry: &str) -> &str {
    match entry.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') && p.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => entry,
    }
}

fn ip_matches(entry: &str, ip: IpAddr) -> bool {
    let entry = entry.trim_start_matches('[');
    let (addr, bits) = match entry.split_once('/') {
        Some((a, b)) => (a, b.parse::<u32>().ok()),
        None => (entry.split(']').next().unwrap_or(entry), None),
    };
    let Ok(net) = addr.trim_end_matches(']').parse::<IpAddr>() else {
        return false;
    };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => prefix_eq(&n.octets(), &i.octets(), bits.unwrap_or(32)),
        (IpAddr::V6(n), IpAddr::V6(i)) => prefix_eq(&n.octets(), &i.octets(), bits.unwrap_or(128)),
        _ => false,
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u32) -> bool {
    let bits = bits.min(a.len() as u32 * 8) as usize;
    let (whole, rest) = (bits / 8, bits % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        a[whole] & mask == b[whole] & mask
    }
}

/// What the proxy itself answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProxyAnswer {
    pub status: u16,
    /// `Proxy-Authenticate` field values, in order.
    pub challenges: Vec<String>,
    /// The status line as received (stranger text: sanitise before showing).
    pub status_line: String,
}

/// Asks the proxy for the way to `target`: `CONNECT host:port` for https, a `HEAD` in
/// absolute form for http, with `Proxy-Authorization` when given. Only the answer's head is
/// read, at most [`MAX_HEAD`] bytes, within `timeout`.
pub(crate) async fn ask_proxy(
    proxy: &url::Url,
    target: &url::Url,
    proxy_authorization: Option<&str>,
    user_agent: &str,
    timeout: Duration,
) -> Result<ProxyAnswer, String> {
    let authority = authority_of(target);
    let head = if target.scheme() == "https" {
        connect_head(&authority, proxy_authorization, user_agent, true)
    } else {
        let mut head = format!("HEAD {target} HTTP/1.1\r\nHost: {authority}\r\n");
        head.push_str(&format!("User-Agent: {user_agent}\r\n"));
        if let Some(a) = proxy_authorization {
            head.push_str(&format!("Proxy-Authorization: {a}\r\n"));
        }
        head.push_str("Connection: close\r\n\r\n");
        head
    };
    let work = async {
        let (_, answer, _) = exchange_head(proxy, &head).await?;
        Ok(answer)
    };
    tokio::time::timeout(timeout, work)
        .await
        .unwrap_or_else(|_| Err(no_answer(timeout)))
}

fn no_answer(timeout: Duration) -> String {
    format!(
        "the proxy gave no answer within {} s",
        timeout.as_secs_f64()
    )
}

/// `host:port` of `target`, as a CONNECT names it.
pub(crate) fn authority_of(target: &url::Url) -> String {
    let port = target.port_or_known_default().unwrap_or(443);
    match target.host() {
        Some(url::Host::Ipv6(a)) => format!("[{a}]:{port}"),
        _ => format!("{}:{port}", target.host_str().unwrap_or("")),
    }
}

/// The head of a `CONNECT authority` request.
pub(crate) fn connect_head(
    authority: &str,
    proxy_authorization: Option<&str>,
    user_agent: &str,
    close: bool,
) -> String {
    let mut head = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    head.push_str(&format!("User-Agent: {user_agent}\r\n"));
    if let Some(a) = proxy_authorization {
        head.push_str(&format!("Proxy-Authorization: {a}\r\n"));
    }
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    head
}

/// Opens a connection to `proxy`, sends `head` and reads the answer's head (at most
/// [`MAX_HEAD`] bytes); returns the connection, the answer, and the bytes read past its head.
pub(crate) async fn exchange_head(
    proxy: &url::Url,
    head: &str,
) -> Result<(tokio::net::TcpStream, ProxyAnswer, Vec<u8>), String> {
    let host = proxy.host_str().ok_or("the proxy URL has no host")?;
    let port = proxy.port_or_known_default().unwrap_or(80);
    let mut stream = tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| format!("cannot connect to proxy {}: {e}", shown(proxy)))?;
    stream
        .write_all(head.as_bytes())
        .await
        .map_err(|e| format!("writing to the proxy: {e}"))?;
    let (answer, rest) = read_head(&mut stream).await?;
    Ok((stream, answer, rest))
}

/// Reads an HTTP/1.x answer head from `stream` (see [`read_raw_head`]).
async fn read_head(stream: &mut tokio::net::TcpStream) -> Result<(ProxyAnswer, Vec<u8>), String> {
    let (head, rest) = read_raw_head(stream)
        .await
        .map_err(|e| format!("reading the proxy's answer: {e}"))?;
    Ok((parse_head(&head)?, rest))
}

/// Reads a message head up to its blank line, at most [`MAX_HEAD`] bytes (a longer one is
/// read that far); the bytes read past it are handed back.
pub(crate) async fn read_raw_head<S: tokio::io::AsyncRead + Unpin>(
    stream: &mut S,
) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() >= MAX_HEAD {
            // Read no further: the status line and the fields so far are what counts.
            break buf.len();
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break buf.len();
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let rest = buf.split_off(end.min(buf.len()));
    Ok((buf, rest))
}

/// Reads a status line and the `Proxy-Authenticate` fields of an HTTP/1.x answer head.
pub(crate) fn parse_head(bytes: &[u8]) -> Result<ProxyAnswer, String> {
    let text = String::from_utf8_lossy(bytes);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("").to_owned();
    let status = status_line
        .strip_prefix("HTTP/1.")
        .and_then(|r| r.get(2..5))
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| "the proxy's answer is not HTTP/1.x".to_owned())?;
    let challenges = lines
        .filter_map(|l| l.split_once(':'))
        .filter(|(n, _)| n.trim().eq_ignore_ascii_case("proxy-authenticate"))
        .map(|(_, v)| v.trim().to_owned())
        .collect();
    Ok(ProxyAnswer {
        status,
        challenges,
        status_line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |n| {
            vars.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    fn u(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn the_environment_is_read_by_scheme_and_no_proxy_wins() {
        let s = ProxySettings::from_env(
            None,
            &env(&[
                ("HTTPS_PROXY", "http://user:pw@proxy.test:3128"),
                ("http_proxy", "proxy2.test:8080"),
                ("NO_PROXY", "localhost, .internal.test,10.0.0.0/8"),
            ]),
        );
        let c = s.choose(&u("https://api.example.test/x"));
        assert_eq!(c.proxy, Some(u("http://proxy.test:3128")));
        assert_eq!(c.source, "HTTPS_PROXY");
        assert!(!c.describe().contains("pw"));
        assert_eq!(
            s.proxy_for(&u("https://api.example.test/x"))
                .unwrap()
                .password(),
            Some("pw")
        );
        assert_eq!(s.choose(&u("http://a.test/")).source, "http_proxy");
        assert_eq!(s.choose(&u("http://a.internal.test/")).proxy, None);
        assert!(
            s.choose(&u("http://internal.test/"))
                .source
                .contains(".internal.test")
        );
        assert_eq!(s.choose(&u("http://10.2.3.4/")).proxy, None);
        assert!(s.choose(&u("http://11.2.3.4/")).proxy.is_some());
        assert_eq!(s.choose(&u("http://localhost:8080/")).proxy, None);
    }

    #[test]
    fn explicit_proxy_beats_the_environment_but_not_no_proxy() {
        let s = ProxySettings::from_env(
            Some(u("http://x.test:1")),
            &env(&[("https_proxy", "http://p.test:2"), ("no_proxy", "*")]),
        );
        assert_eq!(s.choose(&u("https://a.test/")).proxy, None);
        let s = ProxySettings::from_env(
            Some(u("http://x.test:1")),
            &env(&[("https_proxy", "http://p.test:2")]),
        );
        assert_eq!(s.choose(&u("https://a.test/")).source, "--proxy");
    }

    #[test]
    fn no_proxy_does_not_match_a_longer_name() {
        assert_eq!(no_proxy_match("example.test", "badexample.test"), None);
        assert!(no_proxy_match("example.test:443", "www.example.test").is_some());
        assert!(no_proxy_match("::1", "[::1]").is_some());
    }

    #[test]
    fn a_proxy_answer_head_is_read() {
        let a = parse_head(
            b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"squid\"\r\nproxy-authenticate: Negotiate\r\n\r\nbody",
        )
        .unwrap();
        assert_eq!(a.status, 407);
        assert_eq!(a.challenges, vec!["Basic realm=\"squid\"", "Negotiate"]);
        assert!(parse_head(b"SSH-2.0-OpenSSH\r\n").is_err());
    }
}
