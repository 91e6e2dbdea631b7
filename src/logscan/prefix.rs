//! What log shippers put in front of a server's own line: syslog (RFC 3164 as files write it,
//! journalctl `short` and `short-iso`, RFC 5424), a docker-compose service column, and the
//! `host tag[pid]: ` of a journal that forwarded another journal's line. Stripped here so
//! the line parsers see what the server wrote; the time of the header is kept for lines that
//! carry none of their own (Apache error lines through syslog).

use std::sync::LazyLock;

use super::time;

/// A line with its shipper's prefix removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stripped<'a> {
    pub rest: &'a [u8],
    /// The time of the outermost header, when it had one.
    pub time: Option<i64>,
    /// Whether that time stated its zone (RFC 3339); else it is the wall clock as written.
    pub zoned: bool,
}

/// Strips every prefix in front of `line` (at most a few, for a line forwarded twice);
/// `None` when there is none.
pub fn strip(line: &[u8]) -> Option<Stripped<'_>> {
    let mut rest = line;
    let mut time: Option<Header> = None;
    let mut found = false;
    for _ in 0..3 {
        let Some((t, after)) = one(rest) else { break };
        time = time.or(t);
        rest = after;
        found = true;
    }
    found.then_some(Stripped {
        rest,
        time: time.map(|h| h.0),
        zoned: time.is_some_and(|h| h.1),
    })
}

/// A header's time and whether it stated its zone.
type Header = (i64, bool);

/// One prefix: the header's time (if it has one) and what follows.
fn one(line: &[u8]) -> Option<(Option<Header>, &[u8])> {
    let line = skip_pri(line);
    if let Some(r) = rfc5424(line) {
        return Some(r);
    }
    if let Some((t, after)) = syslog_time(line) {
        return Some((Some(t), host_tag(after).or_else(|| tag(after))?));
    }
    if let Some(after) = compose(line) {
        return Some((None, after));
    }
    // `host nginx: ...` or `host nginx[1]: ...` with no time: a journal line forwarded
    // inside another one.
    host_tag(line).map(|after| (None, after))
}

/// `<34>` at the start.
fn skip_pri(line: &[u8]) -> &[u8] {
    if line.first() == Some(&b'<') {
        if let Some(end) = line.iter().take(6).position(|&c| c == b'>') {
            if end > 1 && line[1..end].iter().all(u8::is_ascii_digit) {
                return &line[end + 1..];
            }
        }
    }
    line
}

/// `Mmm dd hh:mm:ss ` (day space- or zero-padded) or an RFC 3339 time, then a space.
fn syslog_time(line: &[u8]) -> Option<(Header, &[u8])> {
    if line.len() > 16 && line[3] == b' ' && line[6] == b' ' && line[9] == b':' {
        let mon = time::month(&line[..3])?;
        let day = std::str::from_utf8(&line[4..6]).ok()?.trim().parse().ok()?;
        let clock = std::str::from_utf8(&line[7..15]).ok()?;
        let mut hms = clock.split(':').map(|p| p.parse::<u32>().ok());
        let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
        let t = yearless(mon, day, h, m, s)?;
        return (line[15] == b' ').then(|| ((t, false), &line[16..]));
    }
    // short-iso: 2024-05-01T10:00:00+00:00 (never nginx's 2024/05/01).
    if line.len() > 20 && line[4] == b'-' && line[10] == b'T' {
        let sp = line.iter().position(|&c| c == b' ')?;
        let text = std::str::from_utf8(&line[..sp]).ok()?;
        let t = time::parse_iso(text)?;
        return Some(((t, time::iso_is_zoned(text)), &line[sp + 1..]));
    }
    None
}

/// The current time, for headers that carry no year.
static NOW: LazyLock<i64> = LazyLock::new(|| {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
});

/// A syslog time without a year: this year, or last year when that would be in the future.
fn yearless(mon: u32, day: u32, h: u32, m: u32, s: u32) -> Option<i64> {
    let now = *NOW;
    let year = time::year_of(now);
    let at = |y: i64| time::civil_seconds(y, mon, day, h, m, s);
    let t = at(year)?;
    if t > now + 86_400 {
        at(year - 1)
    } else {
        Some(t)
    }
}

/// `host tag[pid]: ` or `host tag: ` (a tag is a program name: no spaces).
fn host_tag(line: &[u8]) -> Option<&[u8]> {
    let sp = line.iter().take(256).position(|&c| c == b' ')?;
    if sp == 0 || !line[..sp].iter().all(|&c| is_name_byte(c) || c == b':') {
        return None;
    }
    tag(&line[sp + 1..])
}

/// `tag[pid]: ` or `tag: `, as HAProxy writes its RFC 3164 header (no host name).
fn tag(line: &[u8]) -> Option<&[u8]> {
    let colon = line
        .iter()
        .take(128)
        .position(|&c| c == b':' || c == b' ')?;
    if line[colon] != b':' || line.get(colon + 1) != Some(&b' ') || colon == 0 {
        return None;
    }
    let tag = &line[..colon];
    let name_end = tag.iter().position(|&c| c == b'[').unwrap_or(tag.len());
    let pid_ok = name_end == tag.len()
        || (tag.ends_with(b"]")
            && tag[name_end + 1..tag.len() - 1]
                .iter()
                .all(u8::is_ascii_digit));
    if name_end == 0
        || !tag[..name_end]
            .iter()
            .all(|&c| is_name_byte(c) || c == b'/')
        || !pid_ok
    {
        return None;
    }
    Some(&line[colon + 2..])
}

fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_')
}

/// RFC 5424: `1 TIMESTAMP HOST APP PROCID MSGID SD MSG` (after the `<PRI>`).
fn rfc5424(line: &[u8]) -> Option<(Option<Header>, &[u8])> {
    let rest = line.strip_prefix(b"1 ")?;
    let mut fields = rest.splitn(6, |&c| c == b' ');
    let ts = fields.next()?;
    for _ in 0..4 {
        fields.next()?;
    }
    let sd_and_msg = fields.next()?;
    let msg = if let Some(m) = sd_and_msg.strip_prefix(b"- ") {
        m
    } else if sd_and_msg.first() == Some(&b'[') {
        let end = memchr::memmem::find(sd_and_msg, b"] ")?;
        &sd_and_msg[end + 2..]
    } else {
        return None;
    };
    let t = std::str::from_utf8(ts)
        .ok()
        .and_then(|text| Some((time::parse_iso(text)?, time::iso_is_zoned(text))));
    Some((t, msg.strip_prefix(b"\xef\xbb\xbf").unwrap_or(msg)))
}

/// docker-compose: `service-1  | ` (a name, spaces, a bar, a space).
fn compose(line: &[u8]) -> Option<&[u8]> {
    let name_end = line.iter().take(128).position(|&c| !is_name_byte(c))?;
    if name_end == 0 || line[name_end] != b' ' {
        return None;
    }
    let bar = name_end + line[name_end..].iter().position(|&c| c != b' ')?;
    (line.get(bar..bar + 2) == Some(b"| ")).then(|| &line[bar + 2..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rest(line: &str) -> Option<String> {
        strip(line.as_bytes()).map(|s| String::from_utf8_lossy(s.rest).into_owned())
    }

    #[test]
    fn shippers_prefixes_are_stripped() {
        let apache = "[authz_core:error] [pid 22034] [client 10.0.0.1:5] AH01630: x";
        // RFC 3164 as rsyslog writes files (space-padded day) and journalctl short (zero-padded).
        assert_eq!(
            rest(&format!("Feb  5 16:23:00 srv httpd[22034]: {apache}")).as_deref(),
            Some(apache)
        );
        assert_eq!(
            rest(&format!("<11>Feb 05 16:23:00 srv httpd[22034]: {apache}")).as_deref(),
            Some(apache)
        );
        assert_eq!(
            rest(&format!("2024-05-01T10:00:00+00:00 srv httpd[1]: {apache}")).as_deref(),
            Some(apache)
        );
        assert_eq!(
            rest(&format!(
                "<165>1 2024-05-01T10:00:00.1Z srv httpd 22 - - {apache}"
            ))
            .as_deref(),
            Some(apache)
        );
        let err = "2025/01/02 03:04:05 [error] 1#1: *1 x";
        assert_eq!(
            rest(&format!("Jan  2 03:04:05 host nginx[1]: host nginx: {err}")).as_deref(),
            Some(err)
        );
        assert_eq!(
            rest("<134>Dec  2 07:58:00 haproxy[123]: 1.2.3.4:5 [x").as_deref(),
            Some("1.2.3.4:5 [x")
        );
        let json = r#"{"status":401}"#;
        assert_eq!(rest(&format!("caddy-1  | {json}")).as_deref(), Some(json));
        // Lines servers write themselves have no prefix.
        for own in [
            err,
            r#"1.2.3.4 - - [01/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 401 1 "-" "x""#,
            apache,
            json,
            "[Mon Nov 23 00:28:54.281428 2026] [auth_basic:error] x",
        ] {
            assert_eq!(rest(own), None, "{own}");
        }
        let t = strip(b"2024-05-01T10:00:00Z h a[1]: x").and_then(|s| s.time);
        assert_eq!(t, time::parse_iso("2024-05-01T10:00:00Z"));
    }

    /// An RFC 3339 header states its zone (its time is UTC); a BSD syslog header is the wall
    /// clock as written, to be read in the server's zone.
    #[test]
    fn a_header_says_whether_its_time_states_a_zone() {
        let zoned = |line: &str| strip(line.as_bytes()).map(|s| (s.time.is_some(), s.zoned));
        assert_eq!(
            zoned("2024-05-01T10:00:00+02:00 h a[1]: x"),
            Some((true, true))
        );
        assert_eq!(
            zoned("<30>1 2024-05-01T10:00:00.1Z h a 1 - - x"),
            Some((true, true))
        );
        assert_eq!(zoned("May  1 10:00:00 h a[1]: x"), Some((true, false)));
        assert_eq!(zoned("caddy-1  | x"), Some((false, false)));
    }
}
