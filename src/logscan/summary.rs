//! The report a scan turns into: what `--json` prints and the terminal shows, and the causes
//! the numbers point to.

use std::collections::BTreeMap;

use serde::Serialize;

use super::errorlog::Reason;
use super::format::w3c::{describe_substatus, substatus_cause};
use super::redact;
use super::scan::is_burst;
use super::stats::{Sample, Stats};
use super::time::format_utc;
use crate::diagnose::{CauseHit, rank};
use crate::sanitize::Outside;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PathCount {
    /// A request path as the log wrote it (a stranger chose it).
    pub path: Outside,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct KeyCount {
    /// What is counted (a user, client, agent or reason). Not `key`: output redaction takes
    /// a JSON member of that name for an API key. A stranger chose it (a Basic user name
    /// nginx logs raw, a User-Agent): printing it goes through the sanitiser.
    pub name: Outside,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ClientSummary {
    pub client: String,
    pub count: u64,
    pub first_seen: String,
    pub last_seen: String,
    pub max_per_minute: u64,
    /// A 2xx/304 came from this client after its first 401.
    pub got_through: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Bucket {
    pub start: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Timeline {
    /// "minute" or "hour".
    pub unit: &'static str,
    pub buckets: Vec<Bucket>,
    pub sparkline: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Retry {
    /// Clients with a 401 that later got a 2xx/304 (fixed by retrying).
    pub got_through: u64,
    /// Clients with a 401 that never got through.
    pub never: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Noise {
    /// 401s on favicons, images, scripts: fetched by the browser after a cancelled prompt.
    pub assets: u64,
    pub health_checks: u64,
    pub preflight: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SampleOut {
    pub file: String,
    pub line: u64,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ProbeLineOut {
    pub file: String,
    pub line: u64,
    pub time: Option<String>,
    pub client: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub marker: String,
    /// The error-log lines of the same request (second, client, path, user), grouped by reason as the text
    /// report groups them (`{"name": reason, "count": n}`).
    pub error_reasons: Vec<KeyCount>,
    /// Those lines as written, each different text once, at most [`PROBE_ERROR_LINES`].
    pub error_lines: Vec<String>,
    /// The cause ids those lines name, most frequent first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub error_causes: Vec<String>,
}

/// Error-log lines kept as written per probe line; `error_reasons` counts them all.
pub(crate) const PROBE_ERROR_LINES: usize = 5;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FileOut {
    pub file: String,
    pub kind: String,
    pub bytes: u64,
    pub lines: u64,
    /// False for access logs that never name the user of a 401 (HAProxy, IIS, Tomcat).
    pub user_on_401: bool,
}

/// IIS 401s of one substatus and Windows error code.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SubstatusCount {
    pub substatus: u32,
    pub win32_status: u32,
    pub count: u64,
    pub meaning: &'static str,
}

/// why401's own probe requests of one kind, with the error-log reasons of the same requests.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ProbeGroup {
    pub marker: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub count: u64,
    pub error_reasons: Vec<KeyCount>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    pub files: Vec<FileOut>,
    /// Inputs that are no log why401 can read, with why.
    pub skipped: Vec<String>,
    /// The zone error-log times (which state none) were read in, when it is not UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_times_zone: Option<String>,
    pub lines: u64,
    pub access_lines: u64,
    pub error_lines: u64,
    pub status_401: u64,
    /// 401s per access-log request.
    pub rate_401: f64,
    pub malformed: u64,
    pub blank: u64,
    pub nul_prefixed: u64,
    pub filtered_out: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub status_counts: BTreeMap<u16, u64>,
    pub top_paths: Vec<PathCount>,
    pub top_clients: Vec<ClientSummary>,
    pub top_user_agents: Vec<KeyCount>,
    pub top_users: Vec<KeyCount>,
    pub anonymous_401: u64,
    /// 401s in logs that never name the user of a 401.
    pub unknown_user_401: u64,
    /// 401s of why401's own probes, counted apart from `status_401`.
    pub probe_401: u64,
    pub iis_substatus: Vec<SubstatusCount>,
    pub timeline: Timeline,
    /// The five minutes with the most 401s (by count, then time).
    pub busiest_minutes: Vec<Bucket>,
    pub retry: Retry,
    pub noise: Noise,
    pub auth_failures: BTreeMap<&'static str, u64>,
    pub auth_failure_lines: u64,
    pub failures_by_user: Vec<KeyCount>,
    pub failures_by_client: Vec<KeyCount>,
    pub failures_by_path: Vec<PathCount>,
    pub error_timeline: Timeline,
    pub bursts: Vec<KeyCount>,
    pub probe_lines: Vec<ProbeLineOut>,
    pub probe_groups: Vec<ProbeGroup>,
    pub malformed_samples: Vec<SampleOut>,
    pub examples: BTreeMap<&'static str, SampleOut>,
    /// True when a bound on distinct keys was reached and some top counts are lower bounds.
    pub approximate: bool,
    pub causes: Vec<CauseHit>,
}

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Draws counts as a sparkline of at most `width` cells (each cell the sum of its buckets).
pub fn sparkline(counts: &[u64], width: usize) -> String {
    if counts.is_empty() || width == 0 {
        return String::new();
    }
    let per = counts.len().div_ceil(width);
    let cells: Vec<u64> = counts.chunks(per).map(|c| c.iter().sum()).collect();
    let max = cells.iter().copied().max().unwrap_or(0).max(1);
    cells
        .iter()
        .map(|&c| {
            if c == 0 {
                ' '
            } else {
                BARS[((c * 8).div_ceil(max) as usize).saturating_sub(1).min(7)]
            }
        })
        .collect()
}

/// Buckets per minute, or per hour when the span is longer than a day; gaps are zeros.
pub fn timeline(minutes: &BTreeMap<i64, u64>) -> Timeline {
    let (Some((&first, _)), Some((&last, _))) =
        (minutes.first_key_value(), minutes.last_key_value())
    else {
        return Timeline {
            unit: "minute",
            buckets: Vec::new(),
            sparkline: String::new(),
        };
    };
    let hourly = last - first > 24 * 60;
    let size = if hourly { 60 } else { 1 };
    let start = first.div_euclid(size);
    let end = last.div_euclid(size);
    let mut counts = vec![0u64; usize::try_from(end - start + 1).unwrap_or(0).min(1 << 20)];
    for (&m, &n) in minutes {
        if let Some(c) =
            counts.get_mut(usize::try_from(m.div_euclid(size) - start).unwrap_or(usize::MAX))
        {
            *c += n;
        }
    }
    let buckets = counts
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(i, &count)| Bucket {
            start: format_utc((start + i as i64) * size * 60, false),
            count,
        })
        .collect();
    Timeline {
        unit: if hourly { "hour" } else { "minute" },
        buckets,
        sparkline: sparkline(&counts, 60),
    }
}

fn busiest(minutes: &BTreeMap<i64, u64>, n: usize) -> Vec<Bucket> {
    let mut all: Vec<(i64, u64)> = minutes.iter().map(|(m, c)| (*m, *c)).collect();
    all.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    all.into_iter()
        .take(n)
        .map(|(m, count)| Bucket {
            start: format_utc(m * 60, false),
            count,
        })
        .collect()
}

fn sample_out(s: &Sample) -> SampleOut {
    SampleOut {
        file: s.file.clone(),
        line: s.line,
        text: s.text.clone(),
    }
}

/// Top-list entries, already shown through [`redact::shown_line`] by the counter.
fn key_counts(list: Vec<(String, u64)>) -> Vec<KeyCount> {
    list.into_iter()
        .map(|(name, count)| KeyCount {
            name: name.into(),
            count,
        })
        .collect()
}

fn path_counts(list: Vec<(String, u64)>) -> Vec<PathCount> {
    list.into_iter()
        .map(|(path, count)| PathCount {
            path: path.into(),
            count,
        })
        .collect()
}

fn clients(st: &Stats, top: usize) -> (Vec<ClientSummary>, Retry, Vec<KeyCount>) {
    let a = &st.access;
    let mut retry = Retry {
        got_through: 0,
        never: 0,
    };
    let mut ranked = Vec::with_capacity(a.clients.map.len());
    let mut bursts = Vec::new();
    for (k, c) in &a.clients.map {
        let through = a.success.latest(k).is_some_and(|t| t >= c.first);
        if through {
            retry.got_through += 1;
        } else {
            retry.never += 1;
        }
        if is_burst(c.max_per_minute) {
            bursts.push(KeyCount {
                name: redact::shown_line(k).into(),
                count: c.max_per_minute,
            });
        }
        ranked.push((k, c, through));
    }
    // Only the clients that can be among the first `top` are made ready to show (their
    // names and times take far longer than the counting): every count above the `top`-th
    // largest, and every count tied with it, as ties go by the shown name.
    let least = match top.checked_sub(1) {
        Some(nth) if nth + 1 < ranked.len() => {
            let mut counts: Vec<u64> = ranked.iter().map(|(_, c, _)| c.count).collect();
            *counts.select_nth_unstable_by(nth, |x, y| y.cmp(x)).1
        }
        Some(_) => 0,
        None => u64::MAX,
    };
    let mut all: Vec<ClientSummary> = ranked
        .into_iter()
        .filter(|(_, c, _)| c.count >= least)
        .map(|(k, c, through)| ClientSummary {
            client: redact::shown_line(k),
            count: c.count,
            first_seen: format_utc(c.first, true),
            last_seen: format_utc(c.last, true),
            max_per_minute: c.max_per_minute,
            got_through: through,
        })
        .collect();
    for (k, c) in &st.error.burst_clients.map {
        // The error log does not say which failures why401's own probes caused: the most
        // probe 401s this client had in a minute are taken off its worst minute.
        let own = a.probe_clients.map.get(k).map_or(0, |p| p.max_per_minute);
        let count = c.max_per_minute.saturating_sub(own);
        if is_burst(count) {
            bursts.push(KeyCount {
                name: redact::shown_line(k).into(),
                count,
            });
        }
    }
    all.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.client.cmp(&y.client)));
    all.truncate(top);
    bursts.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.name.cmp(&y.name)));
    bursts.dedup_by(|a, b| a.name == b.name);
    (all, retry, bursts)
}

impl Summary {
    pub fn build(files: Vec<FileOut>, st: &Stats, top: usize, marker: Option<&str>) -> Self {
        let a = &st.access;
        let e = &st.error;
        let requests = a.lines - a.blank - a.malformed - a.filtered_out;
        let (top_clients, retry, bursts) = clients(st, top);
        let first = [a.first_time, e.first].into_iter().flatten().min();
        let last = [a.last_time, e.last].into_iter().flatten().max();
        let mut s = Self {
            files,
            skipped: Vec::new(),
            error_times_zone: None,
            lines: a.lines + e.lines,
            access_lines: a.lines,
            error_lines: e.lines,
            status_401: a.status_401,
            rate_401: if requests == 0 {
                0.0
            } else {
                a.status_401 as f64 / requests as f64
            },
            malformed: a.malformed + e.malformed,
            blank: a.blank,
            nul_prefixed: a.nul_prefixed,
            filtered_out: a.filtered_out + e.filtered_out,
            first_seen: first.map(|t| format_utc(t, true)),
            last_seen: last.map(|t| format_utc(t, true)),
            status_counts: a
                .status
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(s, n)| (s as u16, *n))
                .collect(),
            top_paths: path_counts(a.paths.top(top)),
            top_clients,
            top_user_agents: key_counts(a.agents.top(top)),
            top_users: key_counts(a.users.top(top)),
            anonymous_401: a.anonymous_401,
            unknown_user_401: a.unknown_user_401,
            probe_401: a.probe_401,
            iis_substatus: a
                .substatus_401
                .iter()
                .map(|(&(substatus, win32_status), &count)| SubstatusCount {
                    substatus,
                    win32_status,
                    count,
                    meaning: describe_substatus(substatus),
                })
                .collect(),
            timeline: timeline(&a.timeline),
            busiest_minutes: busiest(&a.timeline, 5),
            retry,
            noise: Noise {
                assets: a.asset_401,
                health_checks: a.health_401,
                preflight: a.options_401,
            },
            auth_failures: e.reasons.iter().map(|(r, n)| (r.key(), *n)).collect(),
            auth_failure_lines: e.credential_failures(),
            failures_by_user: key_counts(e.users.top(top)),
            failures_by_client: key_counts(e.clients.top(top)),
            failures_by_path: path_counts(e.paths.top(top)),
            error_timeline: timeline(&e.timeline),
            bursts,
            probe_lines: Vec::new(),
            probe_groups: Vec::new(),
            malformed_samples: a
                .samples
                .iter()
                .chain(&e.samples)
                .take(super::stats::SAMPLE_LIMIT)
                .map(sample_out)
                .collect(),
            examples: e
                .examples
                .iter()
                .map(|(r, s)| (r.key(), sample_out(s)))
                .collect(),
            approximate: a.paths.approximate
                || a.agents.approximate
                || a.clients.approximate
                || a.success.approximate
                || e.users.approximate
                || e.clients.approximate,
            causes: Vec::new(),
        };
        s.probe_lines = super::correlate::probe_lines(st);
        if let Some(m) = marker {
            s.probe_lines.retain(|p| p.marker == m);
        }
        s.probe_groups = super::correlate::groups(&s.probe_lines, st);
        s.causes = causes(&s, st);
        s
    }
}

/// What the user column of 401s says. A 401 with no user name is what a request without
/// credentials leaves, but also one with a Bearer token or an undecodable header; and some
/// logs never name the user of a 401 at all, so they cannot tell.
fn user_causes(s: &Summary, hits: &mut Vec<CauseHit>) {
    let real_401 = s
        .status_401
        .saturating_sub(s.noise.assets + s.noise.health_checks);
    let told = s.status_401.saturating_sub(s.unknown_user_401);
    if real_401 == 0 || told == 0 {
        return;
    }
    let anon = s.anonymous_401 as f64 / told as f64;
    if s.anonymous_401 > 0 {
        hits.push(CauseHit::new(
            "no-credentials-sent",
            0.2 + 0.3 * anon,
            format!(
                "{} of {told} 401s carried no user name in the access log (a Bearer token or an undecodable header leaves none either)",
                s.anonymous_401
            ),
        ));
    }
    let named = told - s.anonymous_401;
    if named > 0 {
        hits.push(CauseHit::new(
            "bad-credentials",
            0.2 + 0.4 * (1.0 - anon),
            format!("{named} of {told} 401s named a user whose credentials were rejected"),
        ));
    }
}

fn causes(s: &Summary, st: &Stats) -> Vec<CauseHit> {
    let mut hits = Vec::new();
    let e = &st.error;
    let auth_total: u64 = e.reasons.values().sum();
    for (reason, &n) in &e.reasons {
        let Some(id) = reason.cause() else { continue };
        let share = n as f64 / auth_total.max(1) as f64;
        let mut ev = format!("{n} error-log line(s): {}", reason.describe());
        if let Some(x) = e.examples.get(reason) {
            ev.push_str(&format!(" — e.g. {}:{}: {}", x.file, x.line, x.text));
        }
        let base = if matches!(
            reason,
            Reason::UserFileMissing
                | Reason::UserFileUnreadable
                | Reason::CryptFailed
                | Reason::ConfigIncomplete
        ) {
            0.75
        } else {
            0.5
        };
        hits.push(CauseHit::new(id, base + 0.4 * share, ev));
    }
    user_causes(s, &mut hits);
    for sub in &s.iis_substatus {
        if let Some(id) = substatus_cause(sub.substatus, sub.win32_status) {
            hits.push(CauseHit::new(
                id,
                0.6 + 0.3 * (sub.count as f64 / s.status_401.max(1) as f64),
                format!(
                    "{} IIS 401.{} (win32 status {}): {}",
                    sub.count, sub.substatus, sub.win32_status, sub.meaning
                ),
            ));
        }
    }
    if s.noise.preflight > 0 {
        hits.push(CauseHit::new(
            "cors-preflight-requires-auth",
            0.75,
            format!("{} OPTIONS request(s) answered 401", s.noise.preflight),
        ));
    }
    if let Some(top) = s.bursts.first() {
        let names: Vec<String> = s
            .bursts
            .iter()
            .take(3)
            .map(|b| b.name.to_string())
            .collect();
        let conf = (0.5 + 0.1 * s.bursts.len().min(4) as f64).min(0.9);
        hits.push(CauseHit::new(
            "brute-force-suspected",
            conf,
            format!(
                "{} client(s) failed in bursts (up to {} per minute): {}",
                s.bursts.len(),
                top.count,
                names.join(", ")
            ),
        ));
    }
    rank(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The top clients are the most 401s first, ties in name order, whichever clients the
    /// cut leaves out; the retry counts still cover every client.
    #[test]
    fn top_clients_break_ties_by_name_at_the_cut() {
        let mut st = Stats::default();
        for (client, n) in [
            ("10.0.0.9", 5),
            ("10.0.0.3", 3),
            ("10.0.0.1", 3),
            ("10.0.0.2", 3),
            ("10.0.0.4", 1),
        ] {
            for s in 0..n {
                st.access.clients.add(client.as_bytes(), 1_793_491_200 + s);
            }
        }
        for top in 1..=6 {
            let (all, retry, _) = clients(&st, top);
            let names: Vec<(&str, u64)> =
                all.iter().map(|c| (c.client.as_str(), c.count)).collect();
            let want = [
                ("10.0.0.9", 5),
                ("10.0.0.1", 3),
                ("10.0.0.2", 3),
                ("10.0.0.3", 3),
                ("10.0.0.4", 1),
            ];
            assert_eq!(names, want[..top.min(5)], "top {top}");
            assert_eq!(retry.got_through + retry.never, 5);
        }
    }

    #[test]
    fn sparklines_scale_and_group() {
        assert_eq!(sparkline(&[0, 1, 2, 4, 8], 10), " ▁▂▄█");
        assert_eq!(sparkline(&[1; 120], 60).chars().count(), 60);
        let mut m = BTreeMap::new();
        m.insert(100, 3);
        m.insert(103, 1);
        let t = timeline(&m);
        assert_eq!(t.unit, "minute");
        assert_eq!(t.buckets.len(), 2);
        assert_eq!(t.sparkline, "█  ▃");
    }
}
