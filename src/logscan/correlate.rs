//! Probe ↔ log correlation: why401's requests carry `why401/VERSION probe/MARKER` in their
//! User-Agent; their access-log lines are picked out and matched to the error-log lines of the
//! same request: same second, client, path and user (and connection where the log has it).

use std::collections::BTreeMap;

use super::errorlog::Reason;
use super::stats::{AuthEvent, ProbeLine, Stats};
use super::summary::{KeyCount, PROBE_ERROR_LINES, ProbeGroup, ProbeLineOut};
use super::time::format_utc;

/// The marker of a why401 User-Agent (`why401/0.1.0 probe/abc123` → `abc123`).
pub(crate) fn marker_of(user_agent: &str) -> Option<&str> {
    let rest = user_agent.strip_prefix("why401/")?;
    let at = rest.find("probe/")? + "probe/".len();
    let m = &rest[at..];
    // IIS writes a space in a logged value as `+`.
    Some(
        m.split(|c: char| c.is_whitespace() || c == '"' || c == '+')
            .next()
            .unwrap_or(m),
    )
}

/// Whether an error-log event was written for the request of a probe line: the same client,
/// path and user (the user of a "no user/password" line is none), and the same connection
/// where both logs name it (nginx's `$connection` and its error log's `*N`). Another
/// request of the same second and client, for another path or as another user, is not it.
fn same_request(p: &ProbeLine, e: &AuthEvent) -> bool {
    let no_user = p.user.is_empty() || p.user == "-";
    let user_ok = match e.reason {
        Reason::NoCredentials => no_user,
        _ => e.user.is_empty() || e.user == p.user,
    };
    let path = p.target.split('?').next().unwrap_or_default();
    e.client == p.client
        && user_ok
        && (e.path.is_empty() || e.path == path)
        && (e.connection == 0 || p.connection == 0 || e.connection == p.connection)
}

/// Seconds between an error-log event and a probe line. An error line that stated no zone is
/// set against the access line's own wall clock where that line stated its zone: the same
/// server wrote both, so this holds whatever zone the server (or its container) runs in.
fn apart(p: &ProbeLine, e: &AuthEvent) -> Option<i64> {
    let t = p.time?;
    match (e.wall, p.zone) {
        (Some(wall), Some(zone)) => Some(wall - (t + zone)),
        _ => Some(e.time? - t),
    }
}

/// The error-log events of a probe line's request, written in the same second (a second
/// apart only when nothing matches exactly: the error log is written at the check, the
/// access log when the response ends).
fn near<'a>(st: &'a Stats, p: &'a ProbeLine) -> impl Iterator<Item = &'a AuthEvent> + 'a {
    let within = move |slack: i64| {
        st.error
            .recent
            .iter()
            .filter(move |e| apart(p, e).is_some_and(|d| d.abs() <= slack) && same_request(p, e))
    };
    let exact = within(0).next().is_some();
    within(i64::from(!exact))
}

/// The probe lines found, each with its error-log lines.
pub fn probe_lines(st: &Stats) -> Vec<ProbeLineOut> {
    let lines = &st.access.probe_lines;
    lines[lines.len().saturating_sub(super::stats::PROBE_LINE_LIMIT)..]
        .iter()
        .map(|p| ProbeLineOut {
            file: p.file.clone(),
            line: p.line,
            time: p.time.map(|t| format_utc(t, true)),
            client: p.client.clone(),
            method: p.method.clone(),
            path: p.target.clone(),
            status: p.status,
            marker: marker_of(&p.user_agent).unwrap_or_default().to_owned(),
            error_reasons: reason_counts(near(st, p).map(|e| e.reason)),
            error_lines: distinct_texts(near(st, p)),
            error_causes: cause_ids(near(st, p).map(|e| e.reason)),
        })
        .collect()
}

fn distinct_texts<'a>(events: impl Iterator<Item = &'a AuthEvent>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in events {
        if out.len() == PROBE_ERROR_LINES {
            break;
        }
        if !out.contains(&e.text) {
            out.push(e.text.clone());
        }
    }
    out
}

/// The cause ids of `reasons`, each once, most frequent first.
fn cause_ids(reasons: impl Iterator<Item = Reason>) -> Vec<String> {
    let mut by: BTreeMap<&'static str, u64> = BTreeMap::new();
    for id in reasons.filter_map(Reason::cause) {
        *by.entry(id).or_insert(0) += 1;
    }
    let mut out: Vec<(&str, u64)> = by.into_iter().collect();
    out.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    out.into_iter().map(|(id, _)| id.to_owned()).collect()
}

/// Reasons with their counts, in the text report's words, most frequent first.
fn reason_counts(reasons: impl Iterator<Item = Reason>) -> Vec<KeyCount> {
    let mut by: BTreeMap<Reason, u64> = BTreeMap::new();
    for r in reasons {
        *by.entry(r).or_insert(0) += 1;
    }
    let mut out: Vec<KeyCount> = by
        .into_iter()
        .map(|(r, n)| KeyCount {
            name: r.describe().into(),
            count: n,
        })
        .collect();
    out.sort_by_key(|k| std::cmp::Reverse(k.count));
    out
}

/// The probe lines grouped by marker, request and status, each with the count of the
/// error-log reasons found beside them: what a person reads instead of one line per request.
pub(crate) fn groups(lines: &[ProbeLineOut], st: &Stats) -> Vec<ProbeGroup> {
    type Key = (String, String, String, u16);
    let mut by: BTreeMap<Key, (u64, Vec<Reason>)> = BTreeMap::new();
    let kept: Vec<_> = st.access.probe_lines.iter().collect();
    for p in lines {
        let g = by
            .entry((p.marker.clone(), p.method.clone(), p.path.clone(), p.status))
            .or_default();
        g.0 += 1;
        let raw = kept.iter().find(|k| k.file == p.file && k.line == p.line);
        if let Some(raw) = raw {
            g.1.extend(near(st, raw).map(|e| e.reason));
        }
    }
    by.into_iter()
        .map(
            |((marker, method, path, status), (count, reasons))| ProbeGroup {
                marker,
                method,
                path,
                status,
                count,
                error_reasons: reason_counts(reasons.into_iter()),
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_read_from_the_user_agent() {
        assert_eq!(marker_of("why401/0.1.0 probe/abc123"), Some("abc123"));
        assert_eq!(marker_of("curl/8"), None);
    }
}
