//! Probe ↔ log correlation: why401's requests carry `why401/VERSION probe/MARKER` in their
//! User-Agent; their access-log lines are picked out and matched to the error-log lines of the
//! same second and client.

use super::stats::Stats;
use super::summary::ProbeLineOut;
use super::time::format_utc;

/// The marker of a why401 User-Agent (`why401/0.1.0 probe/abc123` → `abc123`).
pub fn marker_of(user_agent: &str) -> Option<&str> {
    let rest = user_agent.strip_prefix("why401/")?;
    let at = rest.find("probe/")? + "probe/".len();
    let m = &rest[at..];
    Some(
        m.split(|c: char| c.is_whitespace() || c == '"')
            .next()
            .unwrap_or(m),
    )
}

/// The probe lines found, each with its error-log lines.
pub fn probe_lines(st: &Stats) -> Vec<ProbeLineOut> {
    st.access
        .probe_lines
        .iter()
        .map(|p| {
            // The same second first; a second apart only when nothing matches exactly (the
            // error log is written at the check, the access log when the response ends).
            let near = |slack: i64| -> Vec<String> {
                st.error
                    .recent
                    .iter()
                    .filter(|e| {
                        e.client == p.client
                            && matches!((e.time, p.time), (Some(a), Some(b)) if (a - b).abs() <= slack)
                    })
                    .map(|e| e.text.clone())
                    .collect()
            };
            let exact = near(0);
            let error_lines = if exact.is_empty() { near(1) } else { exact };
            ProbeLineOut {
                file: p.file.clone(),
                line: p.line,
                time: p.time.map(|t| format_utc(t, true)),
                client: p.client.clone(),
                method: p.method.clone(),
                path: p.target.clone(),
                status: p.status,
                marker: marker_of(&p.user_agent).unwrap_or_default().to_owned(),
                error_lines,
            }
        })
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
