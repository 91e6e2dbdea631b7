//! Log analysis for `why401 logs` and the `logs` probe: access logs (combined, common, nginx
//! log_format, JSON lines) and nginx/Apache error logs, plain, gzip, rotated or on stdin.
//! The core is a chunked scan on every core with no per-line allocation; see `scan`.

use std::io::BufRead;

use anyhow::Context;

pub mod access;
pub mod blocks;
pub(crate) mod correlate;
pub(crate) mod counter;
pub(crate) mod detect;
pub mod errorlog;
pub mod follow;
pub mod format;
pub mod input;
pub(crate) mod pipeline;
pub mod prefix;
pub mod redact;
pub(crate) mod scan;
pub(crate) mod stats;
pub mod summary;
pub mod time;

pub use input::Source;
pub use scan::{AccessFormat, Filters, Kind};
pub use stats::Stats;
pub use summary::Summary;

/// How to read the inputs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Access-log layout given by the person (`--format`, `--nginx-conf`).
    pub format: Option<AccessFormat>,
    pub filters: Filters,
    /// Scanning threads; 0 means every core.
    pub threads: usize,
    /// Entries in each top list.
    pub top: usize,
    /// Only probe lines with this marker are reported.
    pub marker: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            format: None,
            filters: Filters::default(),
            threads: 0,
            top: 10,
            marker: None,
        }
    }
}

/// Peeks at the start of a stream and decides what it is: `Ok(Err(why))` when it is no log
/// why401 can read (the stream itself was read fine).
pub(crate) fn detect_kind(
    reader: &mut dyn BufRead,
    name: &str,
    opts: &Options,
) -> anyhow::Result<Result<Kind, String>> {
    let head = reader
        .fill_buf()
        .with_context(|| format!("reading {name}"))?;
    if head.is_empty() {
        return Ok(Ok(Kind::Access(
            opts.format.clone().unwrap_or(AccessFormat::Combined),
        )));
    }
    Ok(detect::detect(head, opts.format.as_ref()).ok_or_else(|| {
        let first = head.split(|&c| c == b'\n').next().unwrap_or_default();
        format!(
            "{name}: neither an access log (CLF and its dialects, JSON, HAProxy, IIS W3C, --format) nor an nginx/Apache error log; first line: {}",
            redact::shown_line(&first[..first.len().min(120)])
        )
    }))
}

/// Reads every input to its end and builds the report.
pub(crate) fn analyze(sources: &[Source], opts: &Options) -> anyhow::Result<Summary> {
    let threads = if opts.threads == 0 {
        pipeline::workers()
    } else {
        opts.threads
    };
    // The report redacts what it shows; its patterns compile on another thread meanwhile.
    std::thread::spawn(redact::compile_patterns);
    let (zone, zone_from) = learn_zone(sources, opts);
    let mut filters = opts.filters.clone();
    filters.settle_zone(zone);
    let mut total = Stats::default();
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for source in sources {
        let name = source.name();
        let mut reader = input::open(source)?;
        let kind = match detect_kind(&mut *reader, &name, opts)? {
            Ok(kind) => kind,
            Err(why) => {
                skipped.push(why);
                continue;
            }
        };
        let scanned = pipeline::scan_reader(&mut *reader, &kind, &filters, &name, threads)
            .with_context(|| format!("reading {name}"))?;
        files.push(summary::FileOut {
            user_on_401: match &kind {
                Kind::Access(f) => f.records_user_on_401(&name),
                Kind::Error => true,
            },
            file: name,
            kind: kind.label(),
            bytes: scanned.bytes,
            lines: scanned.stats.access.lines + scanned.stats.error.lines,
        });
        total.combine(scanned.stats);
    }
    if files.is_empty() && !skipped.is_empty() {
        anyhow::bail!("{}", skipped.join("\n"));
    }
    let mut summary = Summary::build(files, &total, opts.top.max(1), opts.marker.as_deref());
    summary.skipped = skipped;
    if summary.error_lines > 0 {
        summary.error_times_zone = zone_note(zone, zone_from.as_deref(), total.error.first);
    }
    Ok(summary)
}

/// Where error logs' zone-less times come from: the zone the first access log states on its
/// first lines (the same server writes both), else this machine's. A stated zone equal to
/// this machine's at that time is taken as this machine's, whose clock changes are known.
/// Only files are peeked at: standard input can be read once.
fn learn_zone(sources: &[Source], opts: &Options) -> (time::Zone, Option<String>) {
    for source in sources {
        if *source == Source::Stdin {
            continue;
        }
        let Ok(mut reader) = input::open(source) else {
            continue;
        };
        let name = source.name();
        let Ok(Ok(Kind::Access(_))) = detect_kind(&mut *reader, &name, opts) else {
            continue;
        };
        let Ok(head) = reader.fill_buf() else {
            continue;
        };
        if let Some((offset, wall)) = detect::stated_zone(head) {
            let zone = if time::Zone::Local.offset_at_wall(wall) == offset {
                time::Zone::Local
            } else {
                time::Zone::Fixed(offset)
            };
            return (zone, Some(name));
        }
    }
    (time::Zone::Local, None)
}

/// The report's words for the zone error-log times were read in, when it is not UTC: its
/// offset at the first error-log time (UTC, within hours of its wall clock: the offset is the
/// same but within hours of a clock change).
fn zone_note(zone: time::Zone, from: Option<&str>, first: Option<i64>) -> Option<String> {
    let offset = zone.offset_at_wall(first.unwrap_or(0));
    if offset == 0 {
        return None;
    }
    let named = time::Zone::describe_offset(offset);
    Some(match from {
        Some(file) => format!("{named}, the zone {file} states"),
        None => format!("{named}, this machine's zone"),
    })
}
