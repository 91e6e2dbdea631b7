//! Access-log records: the combined and common formats parsed in place, with no allocation.
//! This parser runs on every line, so it only uses memchr-class searches and fixed offsets.

use memchr::memchr;

use super::blocks::Quotes;

/// One access-log request, borrowed from the line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccessRecord<'a> {
    pub client: &'a [u8],
    pub user: &'a [u8],
    /// Raw time text; [`crate::logscan::time`] turns it into seconds.
    pub time: &'a [u8],
    pub method: &'a [u8],
    pub target: &'a [u8],
    pub status: u16,
    pub referer: &'a [u8],
    pub user_agent: &'a [u8],
    /// The raw request line when it has not been split into method and target yet
    /// (splitting costs a search, and most lines never need it).
    pub request: &'a [u8],
    /// IIS `sc-substatus` and `sc-win32-status` (0 where the log has none).
    pub substatus: u32,
    pub win32: u32,
    /// nginx's connection serial (`$connection`, the `*N` of its error log); 0 where the
    /// layout has none.
    pub connection: u64,
}

impl AccessRecord<'_> {
    /// Splits the raw request line into method and target, if that is still to be done.
    pub fn resolve(&mut self) {
        if !self.request.is_empty() {
            let (m, t) = split_request(self.request);
            self.method = m;
            self.target = t;
            self.request = &[];
        }
    }
}

/// Which fields follow the size in a CLF line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClfTail {
    /// `"referer" "user agent"` (and possibly more quoted fields).
    Combined,
    /// Nothing after the size.
    Common,
}

/// The index of the first `"` at or after `from` that is not escaped by a backslash (Apache
/// writes `\"` inside quoted fields; nginx writes `\x22`, which never matches). Quoted fields
/// are short, so the inlined word-at-a-time search beats a SIMD call's setup here.
fn closing_quote(line: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let q = short_find(line, at, b'"')?;
        if q > 0 && line[q - 1] == b'\\' && !(q > 1 && line[q - 2] == b'\\') {
            at = q + 1;
            continue;
        }
        return Some(q);
    }
}

#[inline]
fn status_at(line: &[u8], at: usize) -> Option<u16> {
    let [d0, d1, d2] = *line.get(at..at + 3)?.first_chunk::<3>()?;
    let [d0, d1, d2] = [d0, d1, d2].map(|d| d.wrapping_sub(b'0'));
    if d0 > 9 || d1 > 9 || d2 > 9 {
        return None;
    }
    Some(u16::from(d0) * 100 + u16::from(d1) * 10 + u16::from(d2))
}

/// A common line's size field: digits or `-`.
fn size_ok(size: &[u8]) -> bool {
    !size.is_empty() && (size == b"-" || size.iter().all(u8::is_ascii_digit))
}

/// Splits `GET /path HTTP/1.1` into method and target; odd request lines (TLS handshakes,
/// empty `-`) keep the whole text as the target and an empty method.
fn split_request(req: &[u8]) -> (&[u8], &[u8]) {
    let Some(sp) = memchr(b' ', req) else {
        return (&[], req);
    };
    let rest = &req[sp + 1..];
    let target = match memchr::memrchr(b' ', rest) {
        Some(e) if rest[e + 1..].starts_with(b"HTTP/") => &rest[..e],
        _ => rest,
    };
    (&req[..sp], target)
}

/// The first `needle` at or after `from`, for short fields (client, user, size): eight bytes
/// at a time in a plain u64 (SWAR), which beats both a byte loop and a SIMD search's setup
/// cost on fields of a few dozen bytes.
#[inline(always)] // a call costs more than the search on the short fields it is made for
#[allow(clippy::inline_always)]
pub(crate) fn short_find(line: &[u8], from: usize, needle: u8) -> Option<usize> {
    let hay = line.get(from..)?;
    let pattern = LOW * u64::from(needle);
    let mut words = hay.chunks_exact(8);
    let mut at = 0;
    for w in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(w);
        let zero = zero_bytes(u64::from_le_bytes(bytes) ^ pattern);
        if zero != 0 {
            return Some(from + at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&c| c == needle)
        .map(|i| from + at + i)
}

const LOW: u64 = u64::MAX / 255;
const SPACES: u64 = LOW * b' ' as u64;

/// The 8 bytes of `line` from `at` (zeros past its end).
#[inline]
fn u64_at(line: &[u8], at: usize) -> u64 {
    if let Some(b) = line
        .get(at..at + 8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
    {
        return u64::from_le_bytes(b);
    }
    let mut w = [0u8; 8];
    let part = line.get(at..).unwrap_or_default();
    let n = part.len().min(8);
    w[..n].copy_from_slice(&part[..n]);
    u64::from_le_bytes(w)
}

/// The high bit of each zero byte of `x`; the lowest one set marks the first zero byte exactly
/// (borrows only run upwards), and none is set below it.
#[inline]
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(LOW) & !x & (LOW << 7)
}

/// The first `needle` among the first `len` (at most 8) bytes of `word`, without a loop
/// (whose exit a branch predictor misses on fields of varying length).
#[inline]
fn first_in_word(word: u64, needle: u8, len: usize) -> Option<usize> {
    let within = u64::MAX.checked_shr(64 - 8 * len as u32).unwrap_or(0);
    let hit = zero_bytes(word ^ (LOW * u64::from(needle))) & within;
    (hit != 0).then(|| (hit.trailing_zeros() / 8) as usize)
}

/// Parses one `IP IDENT USER [TIME] "REQUEST" STATUS SIZE ["REFERER" "UA"] [MORE...]` line:
/// the common prefix every CLF dialect shares, and whatever fields a server adds after it
/// (Apache `combinedio`'s `%I %O`, nginx `main`'s `"$http_x_forwarded_for"` and
/// `$request_time`, Traefik's request count, router, service and duration). The time may lack
/// its zone (`[01/Nov/2026:00:00:00]`). Returns `None` when the line does not have that shape
/// (truncated, garbage, other format).
pub fn parse_clf(line: &[u8], tail: ClfTail) -> Option<AccessRecord<'_>> {
    let sp = short_find(line, 0, b' ')?;
    if sp == 0 {
        return None;
    }
    // The user may hold spaces ("admin user") and brackets (nginx writes a user's escape
    // byte as `\x1B[`), so the time is the first bracket that closes like one.
    let mut lb = short_find(line, sp, b'[')?;
    let time_len = loop {
        if line.get(lb + 27..lb + 30) == Some(b"] \"") {
            break 26;
        }
        if line.get(lb + 21..lb + 24) == Some(b"] \"") {
            break 20;
        }
        lb = short_find(line, lb + 1, b'[')?;
    };
    if lb < sp + 3 {
        return None;
    }
    let idents = &line[sp + 1..lb - 1];
    let user = match short_find(idents, 0, b' ') {
        Some(i) => &idents[i + 1..],
        None => idents,
    };
    let rq = lb + time_len + 4;
    let rq_end = closing_quote(line, rq)?;
    if line.get(rq_end + 1) != Some(&b' ') || line.get(rq_end + 5) != Some(&b' ') {
        return None;
    }
    let status = status_at(line, rq_end + 2)?;
    let mut rec = AccessRecord {
        client: &line[..sp],
        user,
        time: &line[lb + 1..lb + 1 + time_len],
        status,
        request: &line[rq..rq_end],
        ..AccessRecord::default()
    };
    let after_status = rq_end + 5;
    let size_end = short_find(line, after_status + 1, b' ').unwrap_or(line.len());
    match tail {
        ClfTail::Common => size_ok(line.get(after_status + 1..size_end)?).then_some(rec),
        ClfTail::Combined => {
            if size_end == line.len() || line.get(size_end + 1) != Some(&b'"') {
                return None;
            }
            // Most referers are "-": skip the search then.
            let ref_end = if line.get(size_end + 2..size_end + 4) == Some(b"-\"") {
                size_end + 3
            } else {
                closing_quote(line, size_end + 2)?
            };
            if line.get(ref_end + 1..ref_end + 3)? != b" \"" {
                return None;
            }
            let ua_start = ref_end + 3;
            let ua_end = closing_quote(line, ua_start)?;
            if ua_end + 1 != line.len() && line[ua_end + 1] != b' ' {
                return None;
            }
            rec.referer = &line[size_end + 2..ref_end];
            rec.user_agent = &line[ua_start..ua_end];
            Some(rec)
        }
    }
}

/// A CLF line behind a virtual-host field (Apache `vhost_combined`'s `%v:%p`, or
/// `host client - - [...]`): the host is skipped, the rest read as CLF.
pub(crate) fn parse_vhost(line: &[u8], tail: ClfTail) -> Option<AccessRecord<'_>> {
    let sp = short_find(line, 0, b' ')?;
    parse_clf(&line[sp + 1..], tail)
}

/// True when a line that parses as CLF starts with a virtual host rather than the client:
/// `name:port` (one colon, so not IPv6), or a name followed by an IP address.
pub(crate) fn starts_with_vhost(line: &[u8]) -> bool {
    let mut fields = line.splitn(3, |&c| c == b' ');
    let (Some(first), Some(second)) = (fields.next(), fields.next()) else {
        return false;
    };
    let one_colon_port = memchr::memchr_iter(b':', first).count() == 1
        && first
            .rsplit(|&c| c == b':')
            .next()
            .is_some_and(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit));
    one_colon_port || (is_ip(second) && !is_ip(first))
}

/// An IPv4 or IPv6 address (as text).
pub(crate) fn is_ip(b: &[u8]) -> bool {
    std::str::from_utf8(b).is_ok_and(|s| s.parse::<std::net::IpAddr>().is_ok())
}

/// Where the client ends: the first space. Two words hold every IPv4 client.
#[inline(always)]
#[allow(clippy::inline_always)] // once per line, in the scan loop
fn client_end(head: &[u8]) -> Option<usize> {
    let (z0, z1) = (
        zero_bytes(u64_at(head, 0) ^ SPACES),
        zero_bytes(u64_at(head, 8) ^ SPACES),
    );
    if z0 != 0 {
        Some((z0.trailing_zeros() / 8) as usize)
    } else if z1 != 0 {
        Some(8 + (z1.trailing_zeros() / 8) as usize)
    } else {
        short_find(head, 16, b' ')
    }
}

/// The record of a CLF line whose quotes are known, when they have the plain shape: a
/// combined line with exactly six quotes (or a common one with two), none escaped, every
/// field where they put it. Such a line needs no search but for its first space; any other
/// line gets `None` and goes to [`parse_clf`], which gives the same record for every line
/// accepted here.
#[inline]
pub fn clf_from_quotes<'a>(
    line: &'a [u8],
    quotes: &Quotes,
    tail: ClfTail,
) -> Option<AccessRecord<'a>> {
    let (q0, q1, rest) = match tail {
        ClfTail::Combined => {
            let [q0, q1, q2, q3, q4, q5] = quotes.exactly::<6>()?;
            (q0, q1, Some([q2, q3, q4, q5]))
        }
        ClfTail::Common => {
            let [q0, q1] = quotes.exactly::<2>()?;
            (q0, q1, None)
        }
    };
    // `[TIME] "` ends at the first quote; the time is 26 bytes.
    let lb = q0.checked_sub(29)?;
    let head = &line[..q0];
    if head[0] == 0 || head[lb] != b'[' || head[q0 - 2] != b']' || head[q0 - 1] != b' ' {
        return None;
    }
    let sp = client_end(head)?;
    if sp == 0 || lb < sp + 3 {
        return None;
    }
    // ` IDENT USER ` (` - - `, ` - bob `): no `[` before the time's (the full parser would stop
    // there); the user follows IDENT's space.
    let gap = lb - sp;
    let user_at = if gap <= 8 {
        let w = u64_at(head, sp);
        if first_in_word(w, b'[', gap).is_some() {
            return None;
        }
        first_in_word(w >> 8, b' ', gap - 2)
    } else {
        if head[sp..lb].contains(&b'[') {
            return None;
        }
        head[sp + 1..lb - 1].iter().position(|&c| c == b' ')
    };
    let idents = &head[sp + 1..lb - 1];
    let user = user_at.map_or(idents, |i| &idents[i + 1..]);
    if line[q1 - 1] == b'\\' || line.get(q1 + 1) != Some(&b' ') || line.get(q1 + 5) != Some(&b' ') {
        return None;
    }
    let status = status_at(line, q1 + 2)?;
    let mut rec = AccessRecord {
        client: &head[..sp],
        user,
        time: &head[lb + 1..lb + 27],
        status,
        request: &line[q0 + 1..q1],
        ..AccessRecord::default()
    };
    let Some([q2, q3, q4, q5]) = rest else {
        return size_ok(&line[q1 + 6..]).then_some(rec);
    };
    // ` SIZE "REFERER" "AGENT"` and nothing after: no space inside the size, no escaped quote.
    let size = line
        .get(q1 + 6..q2 - 1)
        .filter(|s| !s.is_empty() && s.len() <= 8)?;
    let spaced = first_in_word(u64_at(line, q1 + 6), b' ', size.len()).is_some();
    if line[q2 - 1] != b' ' || spaced || line[q3 - 1] == b'\\' {
        return None;
    }
    if line[q3 + 1] != b' ' || q4 != q3 + 2 || q5 + 1 != line.len() || line[q5 - 1] == b'\\' {
        return None;
    }
    rec.referer = &line[q2 + 1..q3];
    rec.user_agent = &line[q4 + 1..q5];
    Some(rec)
}

/// What a plain combined line's tally needs before its status says whether the rest matters:
/// the client, the time text and the status, and where the agent starts (for the probe
/// marker). Lines of another shape get `None` and go to [`clf_from_quotes`]/[`parse_clf`];
/// for every line accepted here those give the same client, time and status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glance<'a> {
    pub client: &'a [u8],
    pub time: &'a [u8],
    pub status: u16,
    /// The user agent's first bytes (at most 7), enough to recognise a probe.
    pub agent_head: &'a [u8],
}

/// The client, time and status of a plain combined line, read from its six quotes; the user,
/// request and referer are left for the lines that need them (401s and why401's probes).
#[inline(always)]
#[allow(clippy::inline_always)]
pub(crate) fn glance<'a>(line: &'a [u8], quotes: &Quotes) -> Option<Glance<'a>> {
    let [q0, q1, q2, q3, q4, q5] = quotes.exactly::<6>()?;
    // Quote positions are increasing and inside the line: q5 < line.len().
    let lb = q0.checked_sub(29)?;
    let head: &[u8; 29] = line.get(lb..q0)?.try_into().ok()?;
    if line[0] == 0 || head[0] != b'[' || head[27] != b']' || head[28] != b' ' {
        return None;
    }
    let sp = client_end(line)?;
    if sp == 0 || lb < sp + 3 {
        return None;
    }
    // `\" ddd SIZE "` around the request's closing quote.
    let mid: &[u8; 7] = line.get(q1 - 1..q1 + 6)?.try_into().ok()?;
    if mid[0] == b'\\' || mid[2] != b' ' || mid[6] != b' ' {
        return None;
    }
    let [d0, d1, d2] = [mid[3], mid[4], mid[5]].map(|d| d.wrapping_sub(b'0'));
    if (d0 | d1 | d2) > 9 {
        return None;
    }
    let status = u16::from(d0) * 100 + u16::from(d1) * 10 + u16::from(d2);
    let size = q2.wrapping_sub(q1 + 7);
    if !(1..=8).contains(&size) || first_in_word(u64_at(line, q1 + 6), b' ', size).is_some() {
        return None;
    }
    // ` "REFERER" "AGENT"` to the end: no escaped closing quote.
    let r: &[u8; 3] = line.get(q3 - 1..q3 + 2)?.try_into().ok()?;
    if q4 != q3 + 2
        || q5 + 1 != line.len()
        || r[0] == b'\\'
        || r[2] != b' '
        || line[q2 - 1] != b' '
        || line[q5 - 1] == b'\\'
    {
        return None;
    }
    Some(Glance {
        client: &line[..sp],
        time: &head[1..27],
        status,
        agent_head: &line[q4 + 1..q5.min(q4 + 8)],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NGINX: &[u8] = br#"127.0.0.1 - nosuchuser [23/Nov/2026:00:28:15 +0000] "GET /b/?x=1 HTTP/1.1" 401 179 "-" "curl/7.88.1""#;

    #[test]
    fn combined_lines_give_every_field() {
        let mut r = parse_clf(NGINX, ClfTail::Combined).unwrap();
        r.resolve();
        assert_eq!(r.client, b"127.0.0.1");
        assert_eq!(r.user, b"nosuchuser");
        assert_eq!(r.method, b"GET");
        assert_eq!(r.target, b"/b/?x=1");
        assert_eq!(r.status, 401);
        assert_eq!(r.user_agent, b"curl/7.88.1");
        assert_eq!(r.time, b"23/Nov/2026:00:28:15 +0000");
    }

    #[test]
    fn user_names_with_spaces_and_escaped_quotes_parse() {
        let l = br#"::1 - admin user [01/Nov/2026:00:00:00 +0000] "POST /a HTTP/1.1" 401 - "-" "say \"hi\"""#;
        let r = parse_clf(l, ClfTail::Combined).unwrap();
        assert_eq!(r.user, b"admin user");
        assert_eq!(r.user_agent, br#"say \"hi\""#);
        let tls = br#"1.2.3.4 - - [01/Nov/2026:00:00:00 +0000] "\x16\x03\x01" 400 157 "-" "-""#;
        let mut r = parse_clf(tls, ClfTail::Combined).unwrap();
        r.resolve();
        assert_eq!(r.method, b"");
        assert_eq!(r.target, br"\x16\x03\x01");
    }

    proptest::proptest! {
        #[test]
        fn short_find_agrees_with_a_plain_search(
            hay in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80),
            from in 0usize..90,
            needle in proptest::prelude::any::<u8>(),
        ) {
            let want = hay.get(from..).and_then(|h| h.iter().position(|&c| c == needle)).map(|i| from + i);
            proptest::prop_assert_eq!(short_find(&hay, from, needle), want);
        }
    }

    fn quotes_of(line: &[u8]) -> Quotes {
        let mut quotes = Quotes::default();
        crate::logscan::blocks::for_each_line(line, |_, q| quotes = *q);
        quotes
    }

    #[test]
    fn plain_lines_take_the_quote_path() {
        let common = br#"1.2.3.4 - bob [01/Nov/2026:00:00:00 +0000] "GET / HTTP/1.0" 401 12"#;
        for (line, tail) in [(NGINX, ClfTail::Combined), (&common[..], ClfTail::Common)] {
            let fast = clf_from_quotes(line, &quotes_of(line), tail);
            assert!(fast.is_some());
            assert_eq!(fast, parse_clf(line, tail));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        #[test]
        fn first_in_word_agrees_with_a_plain_search(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 8),
            needle in proptest::prelude::any::<u8>(),
            len in 0usize..=8,
        ) {
            let want = bytes[..len].iter().position(|&c| c == needle);
            proptest::prop_assert_eq!(first_in_word(u64_at(&bytes, 0), needle, len), want);
        }

        /// Lines made from a plain one by inserting the bytes that change its shape: the quote
        /// path either declines or gives exactly what the full parser gives.
        #[test]
        fn the_quote_path_agrees_with_the_parser(
            edits in proptest::collection::vec(
                (0usize..120, proptest::sample::select(b"\"\\ [] -0\x00\r".to_vec())),
                0..4,
            ),
            cut in 0usize..4,
            common in proptest::prelude::any::<bool>(),
            client in proptest::sample::select(vec!["1.2.3.4", "203.113.200.117", "2001:db8::7", "2a01:b924:b8d1:faa6:99fd:ee1a:3146:d99e"]),
            user in proptest::sample::select(vec!["-", "al", "alice.smith", "a long user name, with spaces"]),
        ) {
            let base = if common {
                format!(r#"{client} - {user} [01/Nov/2026:00:00:00 +0000] "GET /a HTTP/1.1" 200 5"#)
            } else {
                format!(r#"{client} - {user} [01/Nov/2026:00:00:00 +0000] "GET /a?b HTTP/1.1" 401 5 "http://r/" "UA 1""#)
            };
            let mut line = base.into_bytes();
            let untouched = edits.is_empty() && cut == 0;
            for (at, byte) in edits {
                line.insert(at.min(line.len()), byte);
            }
            line.truncate(line.len() - cut.min(line.len()));
            let tail = if common { ClfTail::Common } else { ClfTail::Combined };
            if !common && let Some(g) = glance(&line, &quotes_of(&line)) {
                let full = parse_clf(&line, tail);
                proptest::prop_assert!(full.is_some());
                let full = full.unwrap();
                proptest::prop_assert_eq!((g.client, g.time, g.status), (full.client, full.time, full.status));
                proptest::prop_assert!(full.user_agent.starts_with(g.agent_head));
            }
            let fast = clf_from_quotes(&line, &quotes_of(&line), tail);
            if untouched && !common {
                proptest::prop_assert!(glance(&line, &quotes_of(&line)).is_some());
            }
            if fast.is_some() || untouched {
                proptest::prop_assert_eq!(fast, parse_clf(&line, tail));
                proptest::prop_assert!(fast.is_some());
            }
        }
    }

    #[test]
    fn fields_after_the_agent_are_accepted() {
        let cases: [(&[u8], &[u8]); 4] = [
            // Apache combinedio (%I %O).
            (br#"1.2.3.4 - bob [01/Nov/2026:00:00:00 +0000] "GET /a HTTP/1.1" 401 381 "-" "curl/8.0" 512 790"#, b"curl/8.0"),
            // nginx main + $request_time.
            (br#"1.2.3.4 - - [01/Nov/2026:00:00:00 +0000] "GET /a HTTP/1.1" 401 179 "-" "curl/8.0" "-" 0.002"#, b"curl/8.0"),
            // Traefik CLF (logger_formatters.go).
            (br#"1.2.3.4 - - [01/Nov/2026:00:00:00 +0000] "GET /a HTTP/1.1" 401 17 "-" "Mozilla/5.0" 72 "Auth for frontend-Host-x-0" "/dashboard/" 0ms"#, b"Mozilla/5.0"),
            // A time without zone.
            (br#"1.2.3.4 - - [01/Nov/2026:00:00:00] "GET /a HTTP/1.1" 401 17 "-" "x y""#, b"x y"),
        ];
        for (line, agent) in cases {
            let mut r = parse_clf(line, ClfTail::Combined).unwrap();
            r.resolve();
            assert_eq!((r.status, r.target, r.user_agent), (401, &b"/a"[..], agent));
        }
        let bracket = br#"1.2.3.4 - es\x1B[31mc [01/Nov/2026:00:00:00 +0000] "GET /a HTTP/1.1" 401 1 "-" "x""#;
        let r = parse_clf(bracket, ClfTail::Combined).unwrap();
        assert_eq!((r.user, r.status), (&br"es\x1B[31mc"[..], 401));
        let vhost = br#"api.example.com:443 203.0.113.7 - bob [01/May/2024:10:00:00 +0000] "GET / HTTP/1.1" 401 381 "-" "curl/8.0""#;
        assert!(starts_with_vhost(vhost));
        let r = parse_vhost(vhost, ClfTail::Combined).unwrap();
        assert_eq!((r.client, r.user), (&b"203.0.113.7"[..], &b"bob"[..]));
        assert!(starts_with_vhost(&b"www.example.com 192.0.2.1 - - [x"[..]));
        for plain in [
            NGINX,
            &b"2001:db8::1 - - [x"[..],
            &b"203.0.113.7 api.example.com - [x"[..],
        ] {
            assert!(!starts_with_vhost(plain));
        }
    }

    #[test]
    fn truncated_and_foreign_lines_are_rejected() {
        for cut in 1..NGINX.len() - 1 {
            assert!(
                parse_clf(&NGINX[..cut], ClfTail::Combined).is_none(),
                "cut {cut}"
            );
        }
        assert!(parse_clf(b"\x00\x01garbage", ClfTail::Combined).is_none());
        let common = br#"1.2.3.4 - - [01/Nov/2026:00:00:00 +0000] "GET / HTTP/1.0" 401 12"#;
        assert_eq!(parse_clf(common, ClfTail::Common).unwrap().status, 401);
        assert!(parse_clf(common, ClfTail::Combined).is_none());
    }
}
