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
        let scanned = pipeline::scan_reader(&mut *reader, &kind, &opts.filters, &name, threads)
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
    Ok(summary)
}
