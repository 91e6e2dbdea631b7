//! IIS logs in the W3C extended format: a `#Fields:` directive names the columns, values are
//! separated by single spaces (IIS writes a space inside a value as `+`), times are UTC.
//! `sc-substatus` and `sc-win32-status` say exactly why a 401 happened.

use super::super::access::AccessRecord;
use super::super::time;

/// The columns why401 reads, by position in the line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct W3cLayout {
    date: Option<usize>,
    time: Option<usize>,
    client: Option<usize>,
    user: Option<usize>,
    method: Option<usize>,
    stem: Option<usize>,
    status: usize,
    substatus: Option<usize>,
    win32: Option<usize>,
    agent: Option<usize>,
    referer: Option<usize>,
    columns: usize,
    pub source: String,
}

impl W3cLayout {
    /// The layout of a `#Fields: date time ...` line; `None` without `sc-status`.
    pub(crate) fn from_directive(line: &[u8]) -> Option<Self> {
        let names = std::str::from_utf8(line.strip_prefix(b"#Fields:")?).ok()?;
        let mut l = Self {
            source: names.trim().to_owned(),
            ..Self::default()
        };
        let mut status = None;
        for (i, name) in names.split_whitespace().enumerate() {
            let slot = match name {
                "date" => &mut l.date,
                "time" => &mut l.time,
                "c-ip" => &mut l.client,
                "cs-username" => &mut l.user,
                "cs-method" => &mut l.method,
                "cs-uri-stem" => &mut l.stem,
                "sc-status" => &mut status,
                "sc-substatus" => &mut l.substatus,
                "sc-win32-status" => &mut l.win32,
                "cs(User-Agent)" => &mut l.agent,
                "cs(Referer)" => &mut l.referer,
                _ => {
                    l.columns = i + 1;
                    continue;
                }
            };
            *slot = Some(i);
            l.columns = i + 1;
        }
        l.status = status?;
        Some(l)
    }

    /// Parses one data line; directives (`#...`) are not data.
    pub fn parse<'a>(&self, line: &'a [u8]) -> Option<(AccessRecord<'a>, Option<i64>)> {
        let mut cols: [&[u8]; 32] = [&[]; 32];
        let mut n = 0;
        for v in line.split(|&c| c == b' ') {
            if n == cols.len() {
                return None;
            }
            cols[n] = v;
            n += 1;
        }
        if n != self.columns {
            return None;
        }
        let get = |i: Option<usize>| i.map_or(&b""[..], |i| cols[i]);
        let dash = |v: &'a [u8]| if v == b"-" { &b""[..] } else { v };
        let number = |i: Option<usize>| {
            std::str::from_utf8(get(i))
                .ok()
                .and_then(|s| s.parse::<u32>().ok())
        };
        let status = u16::try_from(number(Some(self.status))?).ok()?;
        let rec = AccessRecord {
            client: get(self.client),
            user: dash(get(self.user)),
            method: get(self.method),
            target: get(self.stem),
            status,
            referer: dash(get(self.referer)),
            user_agent: dash(get(self.agent)),
            substatus: number(self.substatus).unwrap_or(0),
            win32: number(self.win32).unwrap_or(0),
            ..AccessRecord::default()
        };
        let t = match (self.date, self.time) {
            (Some(d), Some(t)) => {
                let text = [cols[d], b"T", cols[t], b"Z"].concat();
                std::str::from_utf8(&text).ok().and_then(time::parse_iso)
            }
            _ => None,
        };
        Some((rec, t))
    }
}

/// What IIS means by a 401's substatus (Microsoft's "HTTP status code" support article).
pub(crate) fn describe_substatus(sub: u32) -> &'static str {
    match sub {
        1 => "logon failed (credentials rejected)",
        2 => "logon failed: no authentication method the server accepts was used",
        3 => "denied by the resource's access control list",
        4 => "denied by an ISAPI filter",
        5 => "denied by an ISAPI or CGI application",
        501 => "dynamic IP restriction: too many concurrent requests",
        502 => "dynamic IP restriction: too many requests in a time",
        503 => "IP address denied",
        504 => "host name denied",
        _ => "no substatus",
    }
}

/// The cause an IIS 401 substatus points to. The steps of a normal Negotiate/NTLM handshake
/// (`401 2 2148074254`, then `401 1 0`, then `200`; KB 907273) point to none.
pub(crate) fn substatus_cause(sub: u32, win32: u32) -> Option<&'static str> {
    // SEC_E_LOGON_DENIED: Negotiate / NTLM refused the credentials.
    const LOGON_DENIED: u32 = 2_148_074_252;
    // SEC_E_NO_CREDENTIALS: the anonymous first request of a handshake.
    const NO_CREDENTIALS: u32 = 2_148_074_254;
    Some(match (sub, win32) {
        (1, 0) | (2, NO_CREDENTIALS) => return None,
        (1, LOGON_DENIED) => "windows-auth-failed",
        (1, _) => "bad-credentials",
        (2, _) => "wrong-auth-scheme",
        (3, _) => "resource-acl-denied",
        (501..=504, _) => "ip-or-rate-limited",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_iis_fields_parse() {
        let l = W3cLayout::from_directive(b"#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken").unwrap();
        let (r, t) = l
            .parse(
                b"2024-05-01 10:00:00 10.0.0.5 GET /api - 443 - 203.0.113.7 curl/8.0 - 401 2 5 3",
            )
            .unwrap();
        assert_eq!(
            (r.client, r.user, r.status),
            (&b"203.0.113.7"[..], &b""[..], 401)
        );
        assert_eq!((r.substatus, r.win32, r.target), (2, 5, &b"/api"[..]));
        assert_eq!(t, time::parse_iso("2024-05-01T10:00:00Z"));
        assert!(l.parse(b"2024-05-01 10:00:00 too few").is_none());
        assert_eq!(substatus_cause(3, 5), Some("resource-acl-denied"));
        assert_eq!(
            substatus_cause(1, 2_148_074_252),
            Some("windows-auth-failed")
        );
        assert!(W3cLayout::from_directive(b"#Fields: date time").is_none());
    }
}
