//! HAProxy's `option httplog` lines (configuration.txt §8.2.3), after the syslog header:
//! `%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc
//! %sq/%bq [{captures}] "%r"`. HAProxy never logs a user name; its time has no zone.

use super::super::access::AccessRecord;
use super::super::time;

/// Parses one HAProxy HTTP log line (without its syslog header).
pub fn parse(line: &[u8]) -> Option<(AccessRecord<'_>, Option<i64>)> {
    let sp = line.iter().position(|&c| c == b' ')?;
    let client = strip_port(&line[..sp]);
    let rest = line.get(sp + 1..)?.strip_prefix(b"[")?;
    let close = rest.iter().position(|&c| c == b']')?;
    let t = time::parse_clf_local(&rest[..close]);
    let mut fields = rest.get(close + 2..)?.splitn(5, |&c| c == b' ');
    let _frontend = fields.next()?;
    let backend = fields.next()?;
    let timers = fields.next()?;
    let status = fields.next()?;
    if !backend.contains(&b'/') || memchr::memchr_iter(b'/', timers).count() != 4 {
        return None;
    }
    // -1 when the client went away before an answer.
    let status: i32 = std::str::from_utf8(status).ok()?.parse().ok()?;
    let status = u16::try_from(status).unwrap_or(0);
    let after = fields.next()?;
    // The request is the last field, quoted; header captures (`{...}`) may come before it.
    let mut rest = after;
    let q0 = loop {
        let q = rest.iter().position(|&c| c == b'"' || c == b'{')?;
        if rest[q] == b'"' {
            break q;
        }
        let close = memchr::memmem::find(&rest[q..], b"} ")?;
        rest = &rest[q + close + 2..];
    };
    if !rest.ends_with(b"\"") || rest.len() < q0 + 2 {
        return None;
    }
    let request = &rest[q0 + 1..rest.len() - 1];
    let mut rec = AccessRecord {
        client,
        status,
        request,
        ..AccessRecord::default()
    };
    rec.resolve();
    Some((rec, t))
}

/// `10.0.1.2:33317` → `10.0.1.2`; `::1:33317` → `::1`.
fn strip_port(c: &[u8]) -> &[u8] {
    match c.iter().rposition(|&b| b == b':') {
        Some(i) if i > 0 && c[i + 1..].iter().all(u8::is_ascii_digit) => {
            let host = &c[..i];
            host.strip_prefix(b"[")
                .and_then(|h| h.strip_suffix(b"]"))
                .unwrap_or(host)
        }
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_parses() {
        // configuration.txt §8.2.3, with 401 for 200.
        let l = br#"10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 401 2750 - - ---- 1/1/1/1/0 0/0 "GET /api HTTP/1.1""#;
        let (r, t) = parse(l).unwrap();
        assert_eq!((r.client, r.status), (&b"10.0.1.2"[..], 401));
        assert_eq!((r.method, r.target), (&b"GET"[..], &b"/api"[..]));
        assert_eq!(t, time::parse_iso("2009-02-06T12:14:14Z"));
        let own = br#"::1:40000 [06/Feb/2009:12:14:14.655] fe~ fe/<NOSRV> 0/-1/-1/-1/0 401 112 - - PR-- 1/1/0/0/0 0/0 {Mozilla/5.0 "x"} "GET /admin HTTP/1.1""#;
        let (r, _) = parse(own).unwrap();
        assert_eq!(
            (r.client, r.status, r.target),
            (&b"::1"[..], 401, &b"/admin"[..])
        );
        assert!(parse(b"10.0.1.2:33317 [06/Feb/2009:12:14:14.655] Connect from x").is_none());
    }
}
