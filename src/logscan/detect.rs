//! Telling what a log is from its first lines.

use super::access::{ClfTail, parse_clf};
use super::errorlog::{self, ErrorLine};
use super::format::{JsonScratch, parse_json};
use super::scan::{AccessFormat, Kind};

/// Lines looked at.
const SAMPLE_LINES: usize = 50;

/// The kind most of the first lines agree on; `access` is the layout to use for access logs
/// when the person gave one.
pub fn detect(head: &[u8], access: Option<&AccessFormat>) -> Option<Kind> {
    let mut votes = [0usize; 5];
    let mut scratch = JsonScratch::default();
    let lines = head
        .split(|&c| c == b'\n')
        .map(|l| {
            let l = l.strip_suffix(b"\r").unwrap_or(l);
            let start = l.iter().position(|&c| c != 0).unwrap_or(l.len());
            &l[start..]
        })
        .filter(|l| !l.is_empty())
        .take(SAMPLE_LINES);
    for line in lines {
        if let Some(AccessFormat::Custom(f)) = access {
            if f.parse(line).is_some() {
                votes[0] += 1;
                continue;
            }
        }
        if parse_clf(line, ClfTail::Combined).is_some() {
            votes[1] += 1;
        } else if parse_clf(line, ClfTail::Common).is_some() {
            votes[2] += 1;
        } else if line.first() == Some(&b'{') && parse_json(line, &mut scratch).is_some() {
            votes[3] += 1;
        } else if !matches!(errorlog::classify(line), ErrorLine::Malformed) {
            votes[4] += 1;
        }
    }
    let (best, &n) = votes
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, usize::MAX - i))?;
    if n == 0 {
        return None;
    }
    Some(match best {
        0 => Kind::Access(access.cloned().unwrap_or(AccessFormat::Combined)),
        1..=3 if access.is_some() => {
            Kind::Access(access.cloned().unwrap_or(AccessFormat::Combined))
        }
        1 => Kind::Access(AccessFormat::Combined),
        2 => Kind::Access(AccessFormat::Common),
        3 => Kind::Access(AccessFormat::Json),
        _ => Kind::Error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
