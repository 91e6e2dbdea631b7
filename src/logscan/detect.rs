//! Telling what a log is from its first lines: the layout most of them agree on, read from
//! the prefix every dialect of a family shares (fields a server adds after it do not
//! matter), behind a syslog or container prefix when every line has one.

use std::sync::Arc;

use super::access::{ClfTail, parse_clf, starts_with_vhost};
use super::errorlog::{self, ErrorLine};
use super::format::w3c::W3cLayout;
use super::format::{JsonScratch, haproxy, parse_json};
use super::scan::{AccessFormat, Kind};
use super::{prefix, time};

/// Lines looked at.
const SAMPLE_LINES: usize = 50;

/// The layouts a line can vote for, in order of preference on a tie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Vote {
    Given,
    Combined,
    Common,
    VhostCombined,
    VhostCommon,
    Json,
    Haproxy,
    Error,
}

/// What one line (without any prefix) looks like.
fn vote(line: &[u8], access: Option<&AccessFormat>, scratch: &mut JsonScratch) -> Option<Vote> {
    if let Some(f) = access {
        if f.parse(line, scratch).is_some() {
            return Some(Vote::Given);
        }
    }
    let vhost = || starts_with_vhost(line);
    Some(if parse_clf(line, ClfTail::Combined).is_some() {
        if vhost() {
            Vote::VhostCombined
        } else {
            Vote::Combined
        }
    } else if parse_clf(line, ClfTail::Common).is_some() {
        if vhost() {
            Vote::VhostCommon
        } else {
            Vote::Common
        }
    } else if line.first() == Some(&b'{') && parse_json(line, scratch).is_some() {
        Vote::Json
    } else if haproxy::parse(line).is_some() {
        Vote::Haproxy
    } else if !matches!(errorlog::classify(line), ErrorLine::Malformed) {
        Vote::Error
    } else {
        return None;
    })
}

/// The kind most of the first lines agree on; `access` is the layout to use for access logs
/// when the person gave one.
pub(crate) fn detect(head: &[u8], access: Option<&AccessFormat>) -> Option<Kind> {
    let mut scratch = JsonScratch::default();
    let lines = head
        .split(|&c| c == b'\n')
        .map(|l| {
            let l = l.strip_suffix(b"\r").unwrap_or(l);
            let start = l.iter().position(|&c| c != 0).unwrap_or(l.len());
            &l[start..]
        })
        .filter(|l| !l.is_empty());
    if access.is_none() {
        if let Some(layout) = lines
            .clone()
            .take(SAMPLE_LINES)
            .find_map(W3cLayout::from_directive)
        {
            return Some(Kind::Access(AccessFormat::W3c(Arc::new(layout))));
        }
    }
    // Votes per layout, as written and behind a prefix.
    let mut votes: Vec<(Vote, bool)> = Vec::new();
    let mut tomcat = false;
    for line in lines.take(SAMPLE_LINES) {
        tomcat |= tomcat_request(line);
        // A prefix first: `May  1 10:00:00 web nginx: 1.2.3.4 - - [...]` would also pass
        // for a CLF line from client `May` with a long user name.
        let prefixed = prefix::strip(line)
            .and_then(|s| vote(s.rest, access, &mut scratch))
            .map(|v| (v, true));
        if let Some(v) = prefixed.or_else(|| vote(line, access, &mut scratch).map(|v| (v, false))) {
            votes.push(v);
        }
    }
    votes.sort_unstable();
    let mut best: Option<((Vote, bool), usize)> = None;
    for chunk in votes.chunk_by(|a, b| a == b) {
        if best.is_none_or(|(_, n)| chunk.len() > n) {
            best = Some((chunk[0], chunk.len()));
        }
    }
    let ((v, prefixed), _) = best?;
    let format = match v {
        Vote::Error => return Some(Kind::Error),
        _ if access.is_some() => access.cloned().unwrap_or(AccessFormat::Combined),
        Vote::Given | Vote::Combined => AccessFormat::Combined,
        Vote::Common => AccessFormat::Common,
        Vote::VhostCombined => AccessFormat::Vhost(ClfTail::Combined),
        Vote::VhostCommon => AccessFormat::Vhost(ClfTail::Common),
        Vote::Json => AccessFormat::Json,
        Vote::Haproxy => AccessFormat::Haproxy,
    };
    let format = if tomcat && matches!(v, Vote::Combined | Vote::Common) {
        AccessFormat::Tomcat(Arc::new(format))
    } else {
        format
    };
    Some(Kind::Access(if prefixed {
        AccessFormat::Prefixed(Arc::new(format))
    } else {
        format
    }))
}

/// A request only Tomcat answers this way: its manager applications served (200), or a page
/// served with the servlet session id in its path (`;jsessionid=`, written by Java servlet
/// containers). Asked for alone, these paths prove nothing: scanners probe every server
/// for `/manager/html`.
fn tomcat_request(line: &[u8]) -> bool {
    let Some(mut rec) =
        parse_clf(line, ClfTail::Combined).or_else(|| parse_clf(line, ClfTail::Common))
    else {
        return false;
    };
    rec.resolve();
    let t = rec.target;
    let manager = t.starts_with(b"/manager/html") || t.starts_with(b"/host-manager/html");
    let session = memchr::memmem::find(t, b";jsessionid=").is_some();
    (manager && rec.status == 200) || (session && (200..400).contains(&rec.status))
}

/// The zone an access log's first lines state (`[03/Dec/2026:12:18:02 +0530]`, an ISO 8601
/// time with an offset), with that line's wall-clock time: seconds east of UTC, and seconds.
pub(crate) fn stated_zone(head: &[u8]) -> Option<(i64, i64)> {
    head.split(|&c| c == b'\n')
        .take(50)
        .find_map(|line| clf_zone(line).or_else(|| iso_zone(line)))
}

/// `[dd/Mon/yyyy:hh:mm:ss +hhmm]` anywhere in a line.
fn clf_zone(line: &[u8]) -> Option<(i64, i64)> {
    memchr::memchr_iter(b'[', line).find_map(|at| {
        let text = line.get(at + 1..at + 27)?;
        if line.get(at + 27) != Some(&b']') {
            return None;
        }
        let offset = time::clf_offset(text)?;
        Some((offset, time::parse_clf(text)? + offset))
    })
}

/// `yyyy-mm-ddThh:mm:ss[.fff](Z|±hh:mm|±hhmm)` anywhere in a line.
fn iso_zone(line: &[u8]) -> Option<(i64, i64)> {
    memchr::memchr_iter(b'T', line).find_map(|t| {
        let start = t.checked_sub(10)?;
        let end = line[t..]
            .iter()
            .position(|c| !matches!(c, b'0'..=b'9' | b':' | b'.' | b'+' | b'-' | b'T' | b'Z'))
            .map_or(line.len(), |n| t + n);
        let text = std::str::from_utf8(&line[start..end]).ok()?;
        let offset = time::stated_offset(text.as_bytes())?;
        Some((offset, time::parse_iso(text)? + offset))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(head: &str) -> Option<String> {
        detect(head.as_bytes(), None).map(|k| k.label())
    }

    /// The zone and wall clock an access log's first lines state, as nginx, Apache and JSON
    /// layouts write them; none where the lines state no zone.
    #[test]
    fn an_access_logs_zone_is_read_from_its_first_lines() {
        let wall = time::parse_iso("2026-12-03T12:18:14").unwrap();
        let clf = "127.0.0.1 - - [03/Dec/2026:12:18:14 +0530] \"GET / HTTP/1.1\" 401 1 \"-\" \"x\"";
        assert_eq!(stated_zone(clf.as_bytes()), Some((19_800, wall)));
        let vhost = format!("www.example.com:443 {clf}");
        assert_eq!(stated_zone(vhost.as_bytes()), Some((19_800, wall)));
        let json = r#"{"time":"2026-12-03T12:18:14-04:00","status":401}"#;
        assert_eq!(stated_zone(json.as_bytes()), Some((-14_400, wall)));
        let utc = r#"{"StartUTC":"2026-12-03T12:18:14.5Z","DownstreamStatus":401}"#;
        assert_eq!(stated_zone(utc.as_bytes()), Some((0, wall)));
        // The first line that states one is taken, within the first lines.
        let later = format!("#Version: 1.0\n{clf}");
        assert_eq!(stated_zone(later.as_bytes()), Some((19_800, wall)));
        for none in [
            "2026-12-03 12:18:14 10.0.0.1 GET /app - 443 - 192.0.2.5 x - 401 2 5 15",
            r#"{"ts":1764764294.5,"status":401}"#,
            "127.0.0.1 - - [03/Dec/2026:12:18:14] \"GET / HTTP/1.1\" 401 1",
            "Tea at 2026-12-03T12:18 with [brackets]",
        ] {
            assert_eq!(stated_zone(none.as_bytes()), None, "{none}");
        }
    }

    #[test]
    fn kinds_are_told_apart() {
        let combined =
            br#"1.2.3.4 - - [01/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x""#;
        let nginx_err = b"2026/11/01 00:00:01 [error] 1#1: *4 user \"a\": password mismatch, client: 1.2.3.4, server: x, request: \"GET / HTTP/1.1\", host: \"x\"";
        let json = br#"{"status":401,"uri":"/a"}"#;
        assert!(matches!(
            detect(combined, None),
            Some(Kind::Access(AccessFormat::Combined))
        ));
        assert!(matches!(detect(nginx_err, None), Some(Kind::Error)));
        assert!(matches!(
            detect(json, None),
            Some(Kind::Access(AccessFormat::Json))
        ));
        assert!(detect(b"\x01\x02garbage\nmore garbage", None).is_none());
    }

    #[test]
    fn dialects_and_prefixes_are_recognised() {
        let clf = r#"1.2.3.4 - - [01/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 401 1 "-" "x""#;
        let cases = [
            (
                format!("{clf} 12 34\n{clf} 56 78"),
                "access log (combined)",
            ),
            (
                format!("api.example.com:443 {clf}"),
                "access log (vhost_combined)",
            ),
            // A virtual host named without a port, before the client's address.
            (
                format!("www.example.com {clf}\nwww.example.com {clf}"),
                "access log (vhost_combined)",
            ),
            // Every line with fields after the agent: Traefik's CLF (logger_formatters.go),
            // nginx `main` with $request_time; and times without a zone.
            (
                format!("{clf} 72 \"Auth for frontend-Host-x-0\" \"/dashboard/\" 0ms\n{clf} 73 \"r\" \"/\" 1ms"),
                "access log (combined)",
            ),
            (
                format!("{clf} \"-\" 0.002\n{clf} \"203.0.113.9\" 0.010"),
                "access log (combined)",
            ),
            (
                clf.replace(" +0000]", "]"),
                "access log (combined)",
            ),
            (
                format!("May  1 10:00:00 web nginx: {clf}"),
                "access log (combined, behind a syslog or container prefix)",
            ),
            (
                r#"May  1 10:00:00 lb haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 401 2750 - - ---- 1/1/1/1/0 0/0 "GET /api HTTP/1.1""#.to_owned(),
                "access log (HAProxy httplog, behind a syslog or container prefix)",
            ),
            (
                "#Software: Microsoft Internet Information Services 10.0\n#Fields: date time c-ip cs-method cs-uri-stem sc-status sc-substatus sc-win32-status\n2024-05-01 10:00:00 1.2.3.4 GET / 401 2 5".to_owned(),
                "access log (IIS W3C extended)",
            ),
            (
                r#"caddy-1  | {"level":"info","ts":1793491205.5,"msg":"handled request","request":{"remote_ip":"5.6.7.8","method":"GET","uri":"/b"},"status":401}"#.to_owned(),
                "access log (JSON lines, behind a syslog or container prefix)",
            ),
            (
                "Feb 15 16:23:00 srv httpd[22034]: [authz_core:error] [pid 22034] [client 10.0.0.1:5] AH01630: client denied by server configuration: /x".to_owned(),
                "error log",
            ),
        ];
        for (head, want) in cases {
            assert_eq!(label(&head).as_deref(), Some(want), "{head}");
        }
    }

    /// Tomcat's AccessLogValve, default pattern `%h %l %u %t "%r" %s %b` (its documentation):
    /// a common log, told from Apache's by what it serves. Such a log names no user on a 401.
    #[test]
    fn tomcat_is_recognised_by_its_requests() {
        let head = "10.0.0.5 - - [01/Nov/2026:10:00:00 +0000] \"GET /manager/html HTTP/1.1\" 401 2473\n\
                    10.0.0.5 - admin [01/Nov/2026:10:00:04 +0000] \"GET /manager/html HTTP/1.1\" 200 14310\n";
        // Only probed (401, 404), the manager path says nothing about the server.
        let probed =
            "10.0.0.5 - - [01/Nov/2026:10:00:00 +0000] \"GET /manager/html HTTP/1.1\" 404 153\n";
        assert_eq!(
            detect(probed.as_bytes(), None)
                .map(|k| k.label())
                .as_deref(),
            Some("access log (common)")
        );
        let session = "10.0.0.5 - - [01/Nov/2026:10:00:00 +0000] \"GET /app/home;jsessionid=0A1B2C HTTP/1.1\" 200 512\n";
        assert_eq!(
            detect(session.as_bytes(), None)
                .map(|k| k.label())
                .as_deref(),
            Some("access log (common, Tomcat)")
        );
        let kind = detect(head.as_bytes(), None);
        assert_eq!(
            kind.as_ref().map(Kind::label).as_deref(),
            Some("access log (common, Tomcat)")
        );
        let Some(Kind::Access(f)) = kind else {
            panic!("not an access log")
        };
        assert!(!f.records_user_on_401("access.log"));
        // The same lines from another path: Apache's common log, which names the user.
        let apache = head.replace("/manager/html", "/private/");
        let Some(Kind::Access(f)) = detect(apache.as_bytes(), None) else {
            panic!("not an access log")
        };
        assert!(f.records_user_on_401("access.log"));
    }
}
