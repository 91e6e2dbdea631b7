//! `why401 logs`: 401 and auth-failure analysis of access and error logs, or `--follow` to
//! watch them while the person reproduces the error.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::cli::LogsArgs;
use crate::command::Outcome;
use crate::logscan::{self, Filters, Options, Source, format, input, time};

mod render;

/// Turns the flags into scan options.
pub fn options(args: &LogsArgs) -> anyhow::Result<Options> {
    let mut opts = Options {
        threads: args.threads,
        top: args.top,
        marker: args.probe_marker.clone(),
        ..Options::default()
    };
    if let Some(spec) = &args.format {
        opts.format = Some(format::from_flag(spec)?);
    } else if let Some(conf) = &args.nginx_conf {
        let first_file = args.files.iter().find(|f| f.as_os_str() != "-");
        opts.format = Some(format::nginx_conf::format_from_conf(
            conf,
            first_file.map(PathBuf::as_path),
        )?);
    }
    opts.filters = filters(args)?;
    Ok(opts)
}

/// A time given on the command line, and whether it stated its zone (one that states none is
/// the servers' wall clock, read in the zone their logs are written in).
fn when(flag: &str, value: &str) -> anyhow::Result<(i64, bool)> {
    let t = time::parse_iso(value).with_context(|| {
        format!("{flag} '{value}': expected a time like 2026-11-01T00:29:00Z or '2026-11-01 00:29'")
    })?;
    Ok((t, time::iso_is_zoned(value)))
}

fn filters(args: &LogsArgs) -> anyhow::Result<Filters> {
    let mut f = Filters {
        path: args.path.as_ref().map(|p| p.as_bytes().to_vec()),
        client: args.client.as_ref().map(|c| c.as_bytes().to_vec()),
        ..Filters::default()
    };
    if let Some(around) = &args.around {
        if args.since.is_some() || args.until.is_some() {
            bail!("--around cannot be combined with --since/--until");
        }
        let (t, stated) = when("--around", around)?;
        f.bounds_are_wall = !stated;
        let w = time::parse_duration(&args.window).with_context(|| {
            format!(
                "--window '{}': expected a duration like 10m, 2h, 90s",
                args.window
            )
        })?;
        f.since = Some(t - w);
        f.until = Some(t + w);
    }
    let since = args
        .since
        .as_deref()
        .map(|s| when("--since", s))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|u| when("--until", u))
        .transpose()?;
    if let (Some((_, a)), Some((_, b))) = (since, until) {
        if a != b {
            bail!("--since and --until: give both with a zone (Z, +02:00) or both without");
        }
    }
    if let Some((_, stated)) = since.or(until) {
        f.bounds_are_wall = !stated;
    }
    f.since = since.map(|b| b.0).or(f.since);
    f.until = until.map(|b| b.0).or(f.until);
    if let (Some(s), Some(u)) = (f.since, f.until) {
        if s >= u {
            bail!("--since must be before --until");
        }
    }
    Ok(f)
}

pub fn run(args: &LogsArgs) -> anyhow::Result<Outcome> {
    let opts = options(args)?;
    if args.follow {
        return follow(args, &opts);
    }
    let started = Instant::now();
    let sources = input::order(&args.files);
    if sources.iter().filter(|s| **s == Source::Stdin).count() > 1 {
        bail!("'-' (stdin) can be given only once");
    }
    let summary = logscan::analyze(&sources, &opts)?;
    // Log fields are a stranger's text (nginx writes a Basic user name as decoded).
    let redactor = crate::report::Redactor::new();
    let text = if args.json {
        crate::report::shown::json(&summary, &redactor) + "\n"
    } else {
        crate::report::shown::text(&render::text(&summary, started.elapsed()), &redactor)
    };
    crate::command::print(&text)?;
    if let Some(path) = &args.report {
        // --format names the log format here, so the ticket's format follows the file name.
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => crate::cli::TicketFormat::Json,
            Some("txt" | "text") => crate::cli::TicketFormat::Text,
            _ => crate::cli::TicketFormat::Md,
        };
        let marker = args.probe_marker.as_deref().unwrap_or("");
        let probe = crate::probe::logs::facts("logs", &summary, marker, Vec::new());
        let names: Vec<String> = args.files.iter().map(|f| f.display().to_string()).collect();
        let mut ticket = crate::report::Ticket::from_reports(
            &crate::report::TargetSpec::described(&format!("server logs {}", names.join(", "))),
            &[probe],
            summary.causes.clone(),
        );
        let lines = render::text(&summary, started.elapsed())
            .lines()
            .map(str::to_owned)
            .collect();
        ticket.attach("why401 logs", None, lines);
        crate::report::write_report(path, format, &ticket).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(if summary.causes.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

fn follow(args: &LogsArgs, opts: &Options) -> anyhow::Result<Outcome> {
    if args.files.iter().any(|f| f.as_os_str() == "-") {
        bail!(
            "--follow needs files to watch, not '-' (pipe `journalctl -f` into `why401 logs -` instead)"
        );
    }
    let limit = match &args.follow_for {
        Some(d) => Some(Duration::from_secs(
            u64::try_from(
                time::parse_duration(d)
                    .with_context(|| format!("--follow-for '{d}': expected a duration like 2m"))?,
            )
            .unwrap_or(0),
        )),
        None => None,
    };
    let names: Vec<String> = args.files.iter().map(|f| f.display().to_string()).collect();
    eprintln!(
        "watching {} — retry now; matching lines appear as they are written{}",
        names.join(", "),
        if limit.is_some() {
            ""
        } else {
            " (Ctrl-C stops)"
        }
    );
    let stop = Arc::new(AtomicBool::new(false));
    let mut seen = 0u64;
    // A reader that went away (`| head -1`) ends the watch with its error.
    let mut closed: Option<std::io::Error> = None;
    logscan::follow::follow(
        &args.files,
        opts,
        args.probe_marker.as_deref(),
        limit,
        &|| stop.load(Ordering::Relaxed),
        &mut |ev| {
            if closed.is_some() {
                return;
            }
            seen += 1;
            let tag = ev
                .marker
                .as_ref()
                .map(|m| format!(" [probe {m}]"))
                .unwrap_or_default();
            let line = if args.json {
                crate::report::shown::json_line(
                    &serde_json::json!({"file": ev.file, "what": ev.what, "marker": ev.marker, "text": ev.text}),
                )
            } else {
                crate::sanitize::line(&format!("{} {}{}: {}", ev.file, ev.what, tag, ev.text))
                    .into_owned()
            };
            if let Err(e) = crate::command::print(&format!("{line}\n")) {
                stop.store(true, Ordering::Relaxed);
                closed = Some(e);
            }
        },
    );
    if let Some(e) = closed {
        return Err(e.into());
    }
    eprintln!("stopped watching: {seen} matching line(s)");
    Ok(if seen == 0 {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
