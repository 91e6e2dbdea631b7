//! Where a request goes, as curl's `--resolve HOST:PORT:ADDR[,ADDR]` and
//! `--connect-to HOST1:PORT1:HOST2:PORT2` say: the URL (and so the Host header, SNI and
//! certificate check) stays, the connection goes to another address.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

/// One `--resolve` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolve {
    /// Lower-case host, `*` for any.
    pub host: String,
    pub port: u16,
    pub addrs: Vec<IpAddr>,
}

/// One `--connect-to` entry; `None` is curl's empty field (any host/port, or unchanged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectTo {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub to_host: Option<String>,
    pub to_port: Option<u16>,
}

/// Splits `a:b:c` at the colons outside brackets, so a field may hold IPv6 addresses in
/// brackets (`[::1]`, or a list `127.0.0.1,[::1]`).
fn fields(text: &str) -> Result<Vec<String>, String> {
    let mut out = vec![String::new()];
    let mut depth = 0u32;
    for ch in text.chars() {
        match ch {
            '[' => depth += 1,
            ']' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| format!("'{text}': ']' without an opening '['"))?;
            }
            ':' if depth == 0 => {
                out.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = out.last_mut() {
            last.push(ch);
        }
    }
    if depth != 0 {
        return Err(format!("'{text}': '[' without a closing ']'"));
    }
    Ok(out)
}

fn port(text: &str, what: &str, whole: &str) -> Result<u16, String> {
    text.parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("'{whole}': {what} '{text}' is not a port number (1-65535)"))
}

fn host(text: &str) -> String {
    text.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

/// Reads `HOST:PORT:ADDR[,ADDR]...` (a leading `+` is accepted, as curl does).
pub(crate) fn parse_resolve(text: &str) -> Result<Resolve, String> {
    let body = text.trim().trim_start_matches('+');
    let f = fields(body)?;
    let [h, p, a] = f.as_slice() else {
        return Err(format!("'{text}': expected HOST:PORT:ADDRESS"));
    };
    if h.is_empty() {
        return Err(format!("'{text}': the host is empty"));
    }
    let port = port(p, "port", text)?;
    let mut addrs = Vec::new();
    for addr in a.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let ip: IpAddr = host(addr)
            .parse()
            .map_err(|_| format!("'{text}': '{addr}' is not an IP address"))?;
        addrs.push(ip);
    }
    if addrs.is_empty() {
        return Err(format!("'{text}': no address after HOST:PORT:"));
    }
    Ok(Resolve {
        host: host(h),
        port,
        addrs,
    })
}

/// Reads `HOST1:PORT1:HOST2:PORT2`, any field empty.
pub(crate) fn parse_connect_to(text: &str) -> Result<ConnectTo, String> {
    let f = fields(text.trim())?;
    let [h1, p1, h2, p2] = f.as_slice() else {
        return Err(format!(
            "'{text}': expected HOST1:PORT1:HOST2:PORT2 (fields may be empty)"
        ));
    };
    let opt_port = |p: &str, what: &str| -> Result<Option<u16>, String> {
        if p.is_empty() {
            Ok(None)
        } else {
            port(p, what, text).map(Some)
        }
    };
    let opt_host = |h: &str| (!h.is_empty()).then(|| host(h));
    Ok(ConnectTo {
        host: opt_host(h1),
        port: opt_port(p1, "port")?,
        to_host: opt_host(h2),
        to_port: opt_port(p2, "target port")?,
    })
}

/// Where one request to `host:port` connects, and which option said so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Destination {
    pub addrs: Vec<SocketAddr>,
    /// e.g. "--connect-to a.test:443:b.test:8443".
    pub because: String,
}

/// Every `--resolve` and `--connect-to` entry.
#[derive(Debug, Clone, Default)]
pub struct Routes {
    pub resolve: Vec<Resolve>,
    pub connect_to: Vec<ConnectTo>,
}

impl Routes {
    pub fn is_empty(&self) -> bool {
        self.resolve.is_empty() && self.connect_to.is_empty()
    }

    /// Every port an entry names (a `--resolve` port, a `--connect-to` source port), once.
    pub fn ports(&self) -> Vec<u16> {
        let mut ports: Vec<u16> = self.resolve.iter().map(|r| r.port).collect();
        ports.extend(self.connect_to.iter().filter_map(|c| c.port));
        ports.sort_unstable();
        ports.dedup();
        ports
    }

    /// Where a request to `host:port` goes, when an entry applies. `lookup` resolves a
    /// `--connect-to` target that is a name and no `--resolve` entry covers.
    pub(crate) fn destination(
        &self,
        host: &str,
        port: u16,
        lookup: &dyn Fn(&str, u16) -> Vec<SocketAddr>,
    ) -> Option<Destination> {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        // curl applies the first matching --connect-to, then --resolve to what it names.
        let hop = self.connect_to.iter().find(|c| {
            c.host.as_ref().is_none_or(|h| *h == host) && c.port.is_none_or(|p| p == port)
        });
        let (to_host, to_port, mut because) = match hop {
            Some(c) => (
                c.to_host.clone().unwrap_or_else(|| host.clone()),
                c.to_port.unwrap_or(port),
                vec![format!(
                    "--connect-to {}:{}:{}:{}",
                    c.host.as_deref().unwrap_or(""),
                    c.port.map(|p| p.to_string()).unwrap_or_default(),
                    c.to_host.as_deref().unwrap_or(""),
                    c.to_port.map(|p| p.to_string()).unwrap_or_default()
                )],
            ),
            None => (host.clone(), port, Vec::new()),
        };
        let fixed = self
            .resolve
            .iter()
            .find(|r| (r.host == to_host || r.host == "*") && r.port == to_port);
        let addrs: Vec<SocketAddr> = match (fixed, hop) {
            (Some(r), _) => {
                because.push(format!(
                    "--resolve {}:{}:{}",
                    r.host,
                    r.port,
                    r.addrs
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                ));
                r.addrs
                    .iter()
                    .map(|ip| SocketAddr::new(*ip, to_port))
                    .collect()
            }
            (None, Some(_)) => match to_host.parse::<IpAddr>() {
                Ok(ip) => vec![SocketAddr::new(ip, to_port)],
                Err(_) => lookup(&to_host, to_port),
            },
            (None, None) => return None,
        };
        Some(Destination {
            addrs,
            because: because.join(" then "),
        })
    }
}

/// The system resolver, for `--connect-to` targets given by name.
pub(crate) fn system_lookup(host: &str, port: u16) -> Vec<SocketAddr> {
    (host, port)
        .to_socket_addrs()
        .map(Iterator::collect)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str, _: u16) -> Vec<SocketAddr> {
        Vec::new()
    }

    #[test]
    fn resolve_reads_curl_syntax() {
        let r = parse_resolve("Example.com:443:127.0.0.1,[::1]").unwrap();
        assert_eq!(r.host, "example.com");
        assert_eq!(r.port, 443);
        assert_eq!(
            r.addrs,
            vec![
                "127.0.0.1".parse::<IpAddr>().unwrap(),
                "::1".parse().unwrap()
            ]
        );
        assert_eq!(parse_resolve("+a:80:10.0.0.1").unwrap().host, "a");
        assert!(
            parse_resolve("a:80")
                .unwrap_err()
                .contains("HOST:PORT:ADDRESS")
        );
        assert!(
            parse_resolve("a:http:1.2.3.4")
                .unwrap_err()
                .contains("not a port")
        );
        assert!(
            parse_resolve("a:80:nothost")
                .unwrap_err()
                .contains("not an IP")
        );
    }

    #[test]
    fn connect_to_fields_may_be_empty() {
        let c = parse_connect_to("::backend.test:8080").unwrap();
        assert_eq!(
            c,
            ConnectTo {
                host: None,
                port: None,
                to_host: Some("backend.test".into()),
                to_port: Some(8080)
            }
        );
        let c = parse_connect_to("[::1]:443:[::1]:8443").unwrap();
        assert_eq!(c.host.as_deref(), Some("::1"));
        assert!(parse_connect_to("a:1:b").is_err());
    }

    #[test]
    fn destination_follows_connect_to_then_resolve() {
        let routes = Routes {
            resolve: vec![parse_resolve("origin.test:8443:127.0.0.2").unwrap()],
            connect_to: vec![parse_connect_to("www.test:443:origin.test:8443").unwrap()],
        };
        let d = routes.destination("www.test", 443, &none).unwrap();
        assert_eq!(d.addrs, vec!["127.0.0.2:8443".parse().unwrap()]);
        assert!(
            d.because
                .contains("--connect-to www.test:443:origin.test:8443")
        );
        // Another port of the same host is not covered.
        assert_eq!(routes.destination("www.test", 80, &none), None);
        let d = routes.destination("origin.test", 8443, &none).unwrap();
        assert_eq!(d.addrs, vec!["127.0.0.2:8443".parse().unwrap()]);
    }
}
