//! Probe ↔ log correlation: why401's requests carry `why401/VERSION probe/MARKER` in their
//! User-Agent; their access-log lines are picked out and matched to the error-log lines of the
//! same second and client.

use std::collections::BTreeMap;

use super::errorlog::Reason;
use super::stats::Stats;
use super::summary::{KeyCount, ProbeGroup, ProbeLineOut};
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

/// The error-log events of the same second as a probe line and its client (a second apart
/// only when nothing matches exactly: the error log is written at the check, the access log
/// when the response ends).
fn near<'a>(
    st: &'a Stats,
    client: &'a str,
    time: Option<i64>,
) -> impl Iterator<Item = &'a super::stats::AuthEvent> + 'a {
    let within = move |slack: i64| {
        st.error.recent.iter().filter(move |e| {
            e.client == client
                && matches!((e.time, time), (Some(a), Some(b)) if (a - b).abs() <= slack)
        })
    };
    let exact = within(0).next().is_some();
    within(i64::from(!exact))
}

/// The probe lines found, each with its error-log lines.
pub fn probe_lines(st: &Stats) -> Vec<ProbeLineOut> {
    st.access
        .probe_lines
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
            error_lines: near(st, &p.client, p.time)
                .map(|e| e.text.clone())
                .collect(),
        })
        .collect()
}

/// The probe lines grouped by marker, request and status, each with the count of the
/// error-log reasons found beside them: what a person reads instead of one line per request.
pub(crate) fn groups(lines: &[ProbeLineOut], st: &Stats) -> Vec<ProbeGroup> {
    type Key = (String, String, String, u16);
    let mut by: BTreeMap<Key, (u64, BTreeMap<Reason, u64>)> = BTreeMap::new();
    let kept: Vec<_> = st.access.probe_lines.iter().collect();
    for p in lines {
        let g = by
            .entry((p.marker.clone(), p.method.clone(), p.path.clone(), p.status))
            .or_default();
        g.0 += 1;
        let raw = kept.iter().find(|k| k.file == p.file && k.line == p.line);
        if let Some(raw) = raw {
            for e in near(st, &raw.client, raw.time) {
                *g.1.entry(e.reason).or_insert(0) += 1;
            }
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
                error_reasons: reasons
                    .into_iter()
                    .map(|(r, n)| KeyCount {
                        name: r.describe().to_owned(),
                        count: n,
                    })
                    .collect(),
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
