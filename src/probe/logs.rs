//! The `logs` probe: reads the server's logs, finds the lines of this session's own probe
//! requests (by the marker in their User-Agent) and the error-log lines of the same requests
//! (second, client, path and user), and sums up the 401s and auth failures. With `watch_seconds` it first tails the
//! logs while the person retries.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures::FutureExt;

use super::fact;
use super::{ArgSpec, FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, Verdict};
use crate::logscan::{self, Options, Summary, format, input, time};

const fn arg(name: &'static str, required: bool, doc: &'static str) -> ArgSpec {
    ArgSpec {
        name,
        required,
        secret: false,
        doc,
    }
}

pub(crate) const KIND: ProbeKind = ProbeKind {
    name: "logs",
    doc: "Server logs: 401s, auth failures and the lines of this session's own probe requests.",
    args: &[
        arg(
            "files",
            true,
            "log files, separated by commas or spaces (plain, .gz, rotated)",
        ),
        arg(
            "marker",
            false,
            "probe marker to look for (default: this session's)",
        ),
        arg(
            "since",
            false,
            "only lines at or after this time (RFC 3339)",
        ),
        arg(
            "format",
            false,
            "access-log format: combined, common, json or an nginx log_format",
        ),
        arg(
            "nginx_conf",
            false,
            "nginx configuration to read the log_format from",
        ),
        arg(
            "watch_seconds",
            false,
            "first tail the logs this long while the person retries",
        ),
    ],
    facts: &[
        fact("readable", FactType::Bool, "every log could be read"),
        fact("error", FactType::Str, "why the logs could not be read"),
        fact("lines", FactType::Int, "lines read"),
        fact(
            "status_401",
            FactType::Int,
            "401 responses in the access logs (why401's own probes included)",
        ),
        fact("rate_401", FactType::Float, "401s per request"),
        fact("malformed", FactType::Int, "lines that did not parse"),
        fact(
            "probe_lines",
            FactType::Int,
            "access-log lines of this session's probes",
        ),
        fact("probe_401", FactType::Int, "of those, answered 401"),
        fact(
            "probe_statuses",
            FactType::StrList,
            "status of each probe line, in order",
        ),
        fact(
            "probe_error_lines",
            FactType::StrList,
            "error-log lines of the same request as a probe (redacted)",
        ),
        fact(
            "probe_causes",
            FactType::StrList,
            "cause ids those error-log lines name (user-unknown, password-mismatch, ...)",
        ),
        fact(
            "auth_failures",
            FactType::Int,
            "credential failures in the error logs",
        ),
        fact(
            "reasons",
            FactType::StrList,
            "error-log reasons seen (no_credentials, user_not_found, password_mismatch, ...)",
        ),
        fact(
            "top_reason",
            FactType::Str,
            "the most frequent error-log reason",
        ),
        fact(
            "top_path",
            FactType::Str,
            "path with the most 401s (redacted)",
        ),
        fact("top_client", FactType::Str, "client with the most 401s"),
        fact(
            "timeline",
            FactType::Str,
            "401s over time as a sparkline, with its unit and span",
        ),
        fact(
            "bursts",
            FactType::Int,
            "clients with 20+ failures in one minute",
        ),
        fact(
            "got_through",
            FactType::Int,
            "clients whose 401 was followed by a success",
        ),
        fact(
            "never_through",
            FactType::Int,
            "clients that never got past the 401",
        ),
        fact(
            "noise_401",
            FactType::Int,
            "401s on assets or health checks",
        ),
        fact(
            "watched",
            FactType::Int,
            "matching lines seen while watching",
        ),
        fact("watched_lines", FactType::StrList, "those lines (redacted)"),
        fact(
            "top_cause",
            FactType::Str,
            "most likely cause id from the logs",
        ),
    ],
    run,
};

fn run(id: String, args: ProbeArgs, ctx: ProbeContext) -> super::ProbeFuture {
    async move {
        let started = Instant::now();
        let cancel = ctx.cancel.clone();
        let marker = args
            .get("marker")
            .filter(|m| !m.is_empty())
            .cloned()
            .unwrap_or(ctx.marker.clone());
        let id2 = id.clone();
        let task = tokio::task::spawn_blocking(move || inspect(&id2, &args, &marker, &cancel));
        let mut report = task.await.unwrap_or_else(|e| {
            ProbeReport::failed(&id, "logs", format!("log reading stopped: {e}"))
        });
        report.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        report
    }
    .boxed()
}

fn options(args: &ProbeArgs, marker: &str, files: &[PathBuf]) -> anyhow::Result<Options> {
    let mut opts = Options {
        marker: Some(marker.to_owned()),
        ..Options::default()
    };
    if let Some(f) = args.get("format").filter(|f| !f.is_empty()) {
        opts.format = Some(format::from_flag(f)?);
    } else if let Some(c) = args.get("nginx_conf").filter(|c| !c.is_empty()) {
        opts.format = Some(format::nginx_conf::format_from_conf(
            c.as_ref(),
            files.first().map(PathBuf::as_path),
        )?);
    }
    if let Some(s) = args.get("since").filter(|s| !s.is_empty()) {
        opts.filters.since =
            Some(time::parse_iso(s).ok_or_else(|| anyhow::anyhow!("since '{s}' is not a time"))?);
    }
    Ok(opts)
}

fn inspect(
    id: &str,
    args: &ProbeArgs,
    marker: &str,
    cancel: &tokio_util::sync::CancellationToken,
) -> ProbeReport {
    let files: Vec<PathBuf> = args
        .get("files")
        .map(|f| {
            f.split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
                .collect()
        })
        .unwrap_or_default();
    if files.is_empty() {
        return ProbeReport::failed(id, "logs", "no log files given");
    }
    let opts = match options(args, marker, &files) {
        Ok(o) => o,
        Err(e) => return unreadable(id, &e),
    };
    let mut watched = Vec::new();
    if let Some(secs) = args
        .get("watch_seconds")
        .and_then(|s| s.trim().parse::<u64>().ok())
    {
        let limit = Some(Duration::from_secs(secs.min(600)));
        logscan::follow::follow(
            &files,
            &opts,
            None,
            limit,
            &|| cancel.is_cancelled(),
            &mut |ev| {
                if watched.len() < 200 {
                    watched.push(format!("{} {}: {}", ev.file, ev.what, ev.text));
                }
            },
        );
    }
    match logscan::analyze(&input::order(&files), &opts) {
        Ok(summary) => facts(id, &summary, marker, watched),
        Err(e) => unreadable(id, &e),
    }
}

fn unreadable(id: &str, e: &anyhow::Error) -> ProbeReport {
    let msg = crate::error::error_line(e);
    let mut r = ProbeReport::failed(id, "logs", msg);
    r.fact("readable", false);
    r
}

/// The report of a log analysis, as the probe gives it (the `why401 logs` ticket uses it too).
pub fn facts(id: &str, s: &Summary, marker: &str, watched: Vec<String>) -> ProbeReport {
    let mut r = ProbeReport::new(id, "logs");
    let to_i = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    r.fact("readable", true);
    r.fact("lines", to_i(s.lines));
    r.fact("status_401", to_i(s.status_401 + s.probe_401));
    r.fact("rate_401", s.rate_401);
    r.fact("malformed", to_i(s.malformed));
    r.fact("probe_lines", to_i(s.probe_lines.len() as u64));
    r.fact(
        "probe_401",
        to_i(s.probe_lines.iter().filter(|p| p.status == 401).count() as u64),
    );
    r.fact(
        "probe_statuses",
        s.probe_lines
            .iter()
            .map(|p| p.status.to_string())
            .collect::<Vec<_>>(),
    );
    let errs: Vec<String> = s
        .probe_lines
        .iter()
        .flat_map(|p| p.error_lines.clone())
        .collect();
    r.fact("probe_error_lines", errs);
    let mut causes: Vec<String> = Vec::new();
    for id in s.probe_lines.iter().flat_map(|p| p.error_causes.iter()) {
        if !causes.contains(id) {
            causes.push(id.clone());
        }
    }
    r.fact("probe_causes", causes);
    r.fact("auth_failures", to_i(s.auth_failure_lines));
    r.fact(
        "reasons",
        s.auth_failures
            .keys()
            .map(|k| (*k).to_owned())
            .collect::<Vec<_>>(),
    );
    if let Some((k, _)) = s.auth_failures.iter().max_by_key(|(_, n)| **n) {
        r.fact("top_reason", *k);
    }
    if let Some(p) = s.top_paths.first() {
        r.fact("top_path", p.path.raw());
    }
    if let Some(c) = s.top_clients.first() {
        r.fact("top_client", c.client.clone());
    }
    if let (Some(f), Some(l)) = (s.timeline.buckets.first(), s.timeline.buckets.last()) {
        r.fact(
            "timeline",
            format!(
                "401s per {}, {} → {} UTC: {}",
                s.timeline.unit, f.start, l.start, s.timeline.sparkline
            ),
        );
    }
    r.fact("bursts", to_i(s.bursts.len() as u64));
    r.fact("got_through", to_i(s.retry.got_through));
    r.fact("never_through", to_i(s.retry.never));
    r.fact("noise_401", to_i(s.noise.assets + s.noise.health_checks));
    r.fact("watched", to_i(watched.len() as u64));
    r.fact("watched_lines", watched);
    if let Some(c) = s.causes.first() {
        r.fact("top_cause", c.id.clone());
    }
    for p in &s.probe_lines {
        r.evidence.push(format!(
            "{}:{} {} {} {} → {} [probe {}]",
            p.file,
            p.line,
            p.time.as_deref().unwrap_or("-"),
            p.method,
            p.path,
            p.status,
            p.marker
        ));
        r.evidence
            .extend(p.error_lines.iter().map(|e| format!("  error log: {e}")));
    }
    r.causes.clone_from(&s.causes);
    r.verdict = if s.probe_lines.iter().any(|p| p.status == 401) || s.auth_failure_lines > 0 {
        Verdict::Fail
    } else if s.status_401 > 0 {
        Verdict::Warn
    } else {
        Verdict::Ok
    };
    r.summary = match s.probe_lines.len() {
        0 => format!(
            "{} 401s in {} lines; no request of probe {marker} in the logs",
            s.status_401, s.lines
        ),
        n => format!(
            "{n} request(s) of probe {marker} found ({} answered 401); {} other 401(s) in {} lines",
            s.probe_lines.iter().filter(|p| p.status == 401).count(),
            s.status_401,
            s.lines
        ),
    };
    r
}
