//! Timestamps as servers write them, turned into Unix seconds without allocating.

/// Days from 1970-01-01 to the given civil date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() {
        return None;
    }
    let mut n: u32 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(c - b'0');
    }
    Some(n)
}

/// `Nov` → 11.
pub(crate) fn month(b: &[u8]) -> Option<u32> {
    const NAMES: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    NAMES.iter().position(|n| n[..] == *b).map(|i| i as u32 + 1)
}

fn civil(y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some(
        days_from_civil(i64::from(y), mo, d) * 86_400
            + i64::from(h) * 3600
            + i64::from(mi) * 60
            + i64::from(s),
    )
}

/// Access-log time `01/Nov/2026:00:00:00 +0000` (exactly 26 bytes), in UTC seconds.
pub fn parse_clf(b: &[u8]) -> Option<i64> {
    if b.len() != 26 || b[20] != b' ' {
        return None;
    }
    let local = parse_clf_local(&b[..20])?;
    let sign = match b[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let off = i64::from(digits(&b[22..24])?) * 3600 + i64::from(digits(&b[24..26])?) * 60;
    Some(local - sign * off)
}

/// A CLF time without a zone, `01/Nov/2026:00:00:00` (20 bytes), or with milliseconds as
/// HAProxy writes it (`06/Feb/2009:12:14:14.655`): the wall clock as written, which the scan
/// reads in the run's zone ([`Zone`]).
pub(crate) fn parse_clf_local(b: &[u8]) -> Option<i64> {
    if b.len() < 20 || b[2] != b'/' || b[6] != b'/' || b[11] != b':' {
        return None;
    }
    if b.len() > 20 && (b[20] != b'.' || !b[21..].iter().all(u8::is_ascii_digit)) {
        return None;
    }
    civil(
        digits(&b[7..11])?,
        month(&b[3..6])?,
        digits(&b[0..2])?,
        digits(&b[12..14])?,
        digits(&b[15..17])?,
        digits(&b[18..20])?,
    )
}

/// Seconds of a civil time in UTC, for a year given apart (syslog headers carry none).
pub(crate) fn civil_seconds(year: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    let y = u32::try_from(year).ok()?;
    civil(y, mo, d, h, mi, s)
}

/// The UTC year of `secs`.
pub(crate) fn year_of(secs: i64) -> i64 {
    civil_from_days(secs.div_euclid(86_400)).0
}

/// CLF times to seconds, remembering the last minute: a log repeats a minute many times, so
/// a text of the same minute costs a comparison and an addition, where [`parse_clf`] would
/// parse the whole date.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClfClock {
    /// The last minute's text as two words (bytes 0..16 and 10..26, the seconds masked out).
    key: [u128; 2],
    /// `parse_clf` of that minute at second 0; None also before the first text.
    minute: Option<i64>,
}

impl ClfClock {
    /// The same as [`parse_clf`]`(b)` for a 26-byte text.
    #[inline(always)]
    #[allow(clippy::inline_always)] // once per line in the scan loop; a call costs more than it
    pub fn seconds(&mut self, b: &[u8]) -> Option<i64> {
        // Bytes 18 and 19 (the seconds) are bytes 8 and 9 of the word at 10.
        const NOT_SECONDS: u128 = !(0xFFFF << 64);
        let Ok(b) = <&[u8; 26]>::try_from(b) else {
            return parse_clf(b);
        };
        let word = |at: usize| {
            let mut w = [0u8; 16];
            w.copy_from_slice(&b[at..at + 16]);
            u128::from_le_bytes(w)
        };
        let key = [word(0), word(10) & NOT_SECONDS];
        let (t, u) = (b[18].wrapping_sub(b'0'), b[19].wrapping_sub(b'0'));
        if t > 5 || u > 9 {
            // Not two digits below 60 (a leap second, or no time at all): parsed in full.
            return parse_clf(b);
        }
        let secs = i64::from(t) * 10 + i64::from(u);
        if key != self.key || self.minute.is_none() {
            self.key = key;
            self.minute = parse_clf(b).map(|v| v - secs);
        }
        self.minute.map(|m| m + secs)
    }
}

/// The zone of a CLF time (`01/Nov/2026:00:00:00 +0530` → 19 800 seconds east of UTC).
pub(crate) fn clf_offset(b: &[u8]) -> Option<i64> {
    if b.len() != 26 || b[20] != b' ' {
        return None;
    }
    let sign = match b[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    zone_offset(sign, &b[22..24], &b[24..26])
}

/// `±hh` and `mm` as seconds east of UTC, when they name a zone that exists (within ±14 h;
/// a crafted `+9959` names none).
fn zone_offset(sign: i64, hh: &[u8], mm: &[u8]) -> Option<i64> {
    let (h, m) = (digits(hh)?, digits(mm)?);
    (h <= 14 && m < 60).then(|| sign * (i64::from(h) * 3600 + i64::from(m) * 60))
}

/// The zone an access-log time states, in seconds east of UTC: a CLF `+0530` or an ISO 8601
/// offset or `Z`. None for a time that states none (a Unix time is UTC, but says nothing of
/// the wall clock the server's other logs are written in).
pub(crate) fn stated_offset(b: &[u8]) -> Option<i64> {
    if b.len() == 26 {
        return clf_offset(b);
    }
    let s = std::str::from_utf8(b).ok()?.trim();
    if parse_iso(s).is_none() || s.len() <= 16 {
        return None;
    }
    if s.ends_with(['Z', 'z']) {
        return Some(0);
    }
    let at = s.len().checked_sub(6)?;
    let tail = s.get(at..)?;
    let (sign, hh, mm) = match tail.as_bytes() {
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
        | [_, sign @ (b'+' | b'-'), h1, h2, m1, m2] => (*sign, [*h1, *h2], [*m1, *m2]),
        _ => return None,
    };
    zone_offset(if sign == b'+' { 1 } else { -1 }, &hh, &mm)
}

/// Whether an ISO 8601 time states its zone (`Z` or an offset).
pub(crate) fn iso_is_zoned(s: &str) -> bool {
    stated_offset(s.as_bytes()).is_some()
}

/// The wall clock a log's zone-less times (nginx and Apache error logs, syslog headers) were
/// written in: a fixed offset learned from an access log of the same run (the same server
/// writes both, also in a container whose zone differs from this machine's), else this
/// machine's local zone (`TZ`, `/etc/localtime`), daylight saving included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zone {
    #[default]
    Local,
    /// Seconds east of UTC.
    Fixed(i64),
}

impl Zone {
    /// The zone's offset (seconds east of UTC) for a wall-clock time given as seconds.
    pub fn offset_at_wall(self, wall: i64) -> i64 {
        use chrono::{Offset, TimeZone};
        match self {
            Self::Fixed(off) => off,
            Self::Local => {
                let Some(dt) = chrono::DateTime::from_timestamp(wall, 0) else {
                    return 0;
                };
                let naive = dt.naive_utc();
                match chrono::Local.offset_from_local_datetime(&naive) {
                    chrono::LocalResult::Single(o) | chrono::LocalResult::Ambiguous(o, _) => {
                        i64::from(o.fix().local_minus_utc())
                    }
                    // A wall time skipped by a clock change: the offset in force just after.
                    chrono::LocalResult::None => i64::from(
                        chrono::Local
                            .offset_from_utc_datetime(&naive)
                            .fix()
                            .local_minus_utc(),
                    ),
                }
            }
        }
    }

    /// How the zone is named in a report: `UTC`, `UTC+05:30`, `UTC-04:00`.
    pub fn describe_offset(off: i64) -> String {
        if off == 0 {
            return "UTC".into();
        }
        let sign = if off < 0 { '-' } else { '+' };
        let a = off.abs();
        format!("UTC{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
    }
}

/// Wall-clock seconds to UTC seconds in a [`Zone`], remembering the last hour's offset (zones
/// change offset on the hour or half hour at most once or twice a year; a log's lines come
/// hours at a time).
#[derive(Debug, Clone)]
pub(crate) struct WallClock {
    zone: Zone,
    quarter: i64,
    offset: i64,
}

impl WallClock {
    pub(crate) fn new(zone: Zone) -> Self {
        Self {
            zone,
            quarter: i64::MIN,
            offset: 0,
        }
    }

    /// UTC seconds of a wall-clock time.
    pub(crate) fn utc(&mut self, wall: i64) -> i64 {
        let quarter = wall.div_euclid(900);
        if quarter != self.quarter {
            self.quarter = quarter;
            self.offset = self.zone.offset_at_wall(wall);
        }
        wall - self.offset
    }
}

/// nginx error-log time `2026/11/01 00:00:01` (19 bytes): the wall clock as written.
pub(crate) fn parse_nginx_error(b: &[u8]) -> Option<i64> {
    if b.len() < 19 || b[4] != b'/' || b[7] != b'/' || b[10] != b' ' || b[13] != b':' {
        return None;
    }
    civil(
        digits(&b[0..4])?,
        digits(&b[5..7])?,
        digits(&b[8..10])?,
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    )
}

/// Apache error-log time `Sun Nov 01 00:00:03.356637 2026` or `Wed Jul 17 22:18:52 2013`.
pub(crate) fn parse_apache_error(b: &[u8]) -> Option<i64> {
    if b.len() < 24 || b[3] != b' ' || b[7] != b' ' || b[10] != b' ' || b[13] != b':' {
        return None;
    }
    let year_at = b.iter().rposition(|&c| c == b' ')? + 1;
    civil(
        digits(&b[year_at..])?,
        month(&b[4..7])?,
        digits(&b[8..10])?,
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    )
}

#[allow(clippy::many_single_char_names)]
/// ISO 8601 / RFC 3339 (`2026-11-01T00:00:00Z`, `2026-11-01 00:00`, fractions, offsets).
pub(crate) fn parse_iso(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    if b.len() == 10 {
        return civil(y, mo, d, 0, 0, 0);
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 16 || b[13] != b':' {
        return None;
    }
    let (h, mi) = (digits(&b[11..13])?, digits(&b[14..16])?);
    let mut i = 16;
    let mut sec = 0;
    if b.len() >= 19 && b[16] == b':' {
        sec = digits(&b[17..19])?;
        i = 19;
        if i < b.len() && b[i] == b'.' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    let base = civil(y, mo, d, h, mi, sec)?;
    let rest = &b[i..];
    let off = match rest {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), hh1, hh2, b':', mm1, mm2]
        | [sign @ (b'+' | b'-'), hh1, hh2, mm1, mm2] => {
            let o =
                i64::from(digits(&[*hh1, *hh2])?) * 3600 + i64::from(digits(&[*mm1, *mm2])?) * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    Some(base - off)
}

/// Seconds → `2026-11-01T00:29` (minute) or with seconds.
pub(crate) fn format_utc(secs: i64, with_seconds: bool) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    if with_seconds {
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )
    } else {
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}",
            rem / 3600,
            rem % 3600 / 60
        )
    }
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `10m`, `2h`, `90s`, `1d` → seconds.
pub(crate) fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: i64 = s[..split].parse().ok()?;
    let unit = match &s[split..] {
        "" | "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stated_zone_is_read_from_clf_and_iso_times() {
        assert_eq!(stated_offset(b"03/Dec/2026:12:18:14 +0530"), Some(19_800));
        assert_eq!(stated_offset(b"03/Dec/2026:12:18:14 -0400"), Some(-14_400));
        assert_eq!(stated_offset(b"2026-12-03T12:18:14+05:30"), Some(19_800));
        assert_eq!(
            stated_offset(b"2026-12-03T12:18:14.123-0330"),
            Some(-12_600)
        );
        assert_eq!(stated_offset(b"2026-12-03T06:48:14Z"), Some(0));
        // No zone stated: a wall clock, or a Unix time that says nothing of one.
        assert_eq!(stated_offset(b"2026-12-03T12:18:14"), None);
        assert_eq!(stated_offset(b"2026-12-03 12:18"), None);
        assert_eq!(stated_offset(b"03/Dec/2026:12:18:14"), None);
        assert_eq!(stated_offset(b"1764741601.5"), None);
        assert!(!iso_is_zoned("2026-12-03T12:18:14.123456"));
        // Offsets no zone has are no zone.
        assert_eq!(stated_offset(b"03/Dec/2026:12:18:14 +9959"), None);
        assert_eq!(stated_offset(b"03/Dec/2026:12:18:14 +0575"), None);
        assert_eq!(stated_offset(b"2026-12-03T12:18:14+23:00"), None);
        assert_eq!(stated_offset(b"2026-12-03T12:18:14+14:00"), Some(50_400));
    }

    #[test]
    fn a_wall_clock_in_a_fixed_zone_becomes_utc() {
        let wall = parse_iso("2026-12-03T12:18:14").unwrap();
        let utc = parse_iso("2026-12-03T12:18:14+05:30").unwrap();
        let mut clock = WallClock::new(Zone::Fixed(19_800));
        assert_eq!(clock.utc(wall), utc);
        // The remembered quarter hour gives the same answer as a fresh look.
        assert_eq!(clock.utc(wall + 30), utc + 30);
        assert_eq!(
            WallClock::new(Zone::Fixed(-14_400)).utc(wall),
            wall + 14_400
        );
        assert_eq!(Zone::describe_offset(19_800), "UTC+05:30");
        assert_eq!(Zone::describe_offset(-14_400), "UTC-04:00");
        assert_eq!(Zone::describe_offset(0), "UTC");
    }

    #[test]
    fn formats_agree_on_the_same_instant() {
        let t = parse_clf(b"01/Nov/2026:00:29:05 +0000").unwrap();
        assert_eq!(format_utc(t, true), "2026-11-01T00:29:05Z");
        assert_eq!(parse_clf(b"01/Nov/2026:01:29:05 +0100"), Some(t));
        assert_eq!(parse_nginx_error(b"2026/11/01 00:29:05"), Some(t));
        assert_eq!(
            parse_apache_error(b"Sun Nov 01 00:29:05.356637 2026"),
            Some(t)
        );
        assert_eq!(parse_iso("2026-11-01T00:29:05Z"), Some(t));
        assert_eq!(parse_iso("2026-11-01T01:29:05+01:00"), Some(t));
        assert_eq!(parse_iso("2026-11-01 00:29"), Some(t - 5));
        assert_eq!(parse_duration("10m"), Some(600));
        assert_eq!(parse_duration("x"), None);
        assert_eq!(parse_clf(b"01/Xxx/2026:00:29:05 +0000"), None);
        assert_eq!(parse_clf_local(b"01/Nov/2026:00:29:05"), Some(t));
        assert_eq!(parse_clf_local(b"01/Nov/2026:00:29:05.655"), Some(t));
        assert_eq!(parse_clf_local(b"01/Nov/2026:00:29:05 +0000"), None);
        assert_eq!(civil_seconds(2026, 11, 1, 0, 29, 5), Some(t));
        assert_eq!(year_of(t), 2026);
    }

    proptest::proptest! {
        #[test]
        fn the_clock_agrees_with_parse_clf(
            texts in proptest::collection::vec(
                (0u8..3, 0u8..4, 0u8..70, proptest::sample::select(vec![b'0', b'5', b'6', b'9', b'x'])),
                1..60,
            )
        ) {
            let mut clock = ClfClock::default();
            for (day, minute, second, odd) in texts {
                let mut t = format!(
                    "0{}/Nov/2026:10:0{}:{:02} +0100",
                    day + 1,
                    minute,
                    second
                )
                .into_bytes();
                if second >= 60 {
                    t[18] = odd;
                }
                proptest::prop_assert_eq!(clock.seconds(&t), parse_clf(&t), "{}", String::from_utf8_lossy(&t));
            }
        }
    }
}
