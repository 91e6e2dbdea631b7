//! NumericDate (RFC 7519 §2) as UTC text and as "3 h 12 min ago" wording.

use chrono::{DateTime, Utc};

/// Seconds since the epoch, now, by the local clock.
pub fn now() -> i64 {
    Utc::now().timestamp()
}

/// `2011-03-22 18:43:00 UTC`, or the raw number when it is out of range.
pub(crate) fn utc(secs: i64) -> String {
    DateTime::<Utc>::from_timestamp(secs, 0).map_or_else(
        || format!("{secs} (out of range)"),
        |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}

/// A duration in the two largest units that matter: `3 h 12 min`, `2 d 4 h`, `45 s`.
pub(crate) fn span(secs: u64) -> String {
    const MIN: u64 = 60;
    const HOUR: u64 = 60 * MIN;
    const DAY: u64 = 24 * HOUR;
    const YEAR: u64 = 365 * DAY;
    let pair = |big: u64, big_unit: &str, small: u64, small_unit: &str| {
        let (a, b) = (secs / big, (secs % big) / small);
        if b == 0 {
            format!("{a} {big_unit}")
        } else {
            format!("{a} {big_unit} {b} {small_unit}")
        }
    };
    match secs {
        s if s < MIN => format!("{s} s"),
        s if s < HOUR => pair(MIN, "min", 1, "s"),
        s if s < DAY => pair(HOUR, "h", MIN, "min"),
        s if s < YEAR => pair(DAY, "d", HOUR, "h"),
        _ => pair(YEAR, "y", DAY, "d"),
    }
}

/// `3 h 12 min ago` or `in 5 min`, of `when` seen from `now`.
pub fn relative(when: i64, now: i64) -> String {
    let delta = when.saturating_sub(now);
    match delta.cmp(&0) {
        std::cmp::Ordering::Equal => "now".to_owned(),
        std::cmp::Ordering::Less => format!("{} ago", span(delta.unsigned_abs())),
        std::cmp::Ordering::Greater => format!("in {}", span(delta.unsigned_abs())),
    }
}

/// Parses a server `Date` (RFC 9110 IMF-fixdate, also RFC 850 / asctime via chrono's
/// RFC 2822 reading) or an RFC 3339 time, as the wizard may pass either.
pub(crate) fn parse_date(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc2822(t) {
        return Some(d.timestamp());
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.timestamp());
    }
    if let Ok(d) = chrono::NaiveDateTime::parse_from_str(t, "%a, %d %b %Y %H:%M:%S GMT") {
        return Some(d.and_utc().timestamp());
    }
    t.parse::<i64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wording_reads_like_a_person_would_say_it() {
        assert_eq!(relative(0, 3 * 3600 + 12 * 60), "3 h 12 min ago");
        assert_eq!(relative(300, 0), "in 5 min");
        assert_eq!(relative(10, 10), "now");
        assert_eq!(span(59), "59 s");
        assert_eq!(span(2 * 86_400 + 4 * 3600 + 7), "2 d 4 h");
        assert_eq!(span(3600), "1 h");
        assert_eq!(utc(1_300_819_380), "2011-03-22 18:43:00 UTC");
    }

    #[test]
    fn server_dates_in_each_form() {
        assert_eq!(
            parse_date("Tue, 22 Mar 2011 18:43:00 GMT"),
            Some(1_300_819_380)
        );
        assert_eq!(parse_date("2011-03-22T18:43:00Z"), Some(1_300_819_380));
        assert_eq!(parse_date("1300819380"), Some(1_300_819_380));
        assert_eq!(parse_date("yesterday"), None);
    }
}
