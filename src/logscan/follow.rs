//! `--follow`: tails files while the person reproduces the error. Survives rotation (the name
//! points to a new file: the old one is read to its end first) and truncation (copytruncate:
//! reading restarts at the top).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::errorlog::{self, ErrorLine};
use super::format::JsonScratch;
use super::scan::Kind;
use super::{Options, detect, redact};

/// A line worth showing while following.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub file: String,
    /// `401`, or the error-log reason key.
    pub what: String,
    /// The probe marker when the line came from why401 itself.
    pub marker: Option<String>,
    pub text: String,
}

struct Tail {
    path: PathBuf,
    file: Option<File>,
    id: Option<(u64, u64)>,
    offset: u64,
    partial: Vec<u8>,
    kind: Option<Kind>,
    /// An nginx entry whose user name holds a newline, waiting for its other lines.
    joiner: errorlog::Joiner,
}

#[cfg(unix)]
#[allow(clippy::unnecessary_wraps)]
fn file_id(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(_meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// Longest partial line kept while waiting for its end.
const PARTIAL_LIMIT: usize = 1 << 20;

impl Tail {
    fn open(path: &Path, at_end: bool) -> Self {
        let mut t = Self {
            path: path.to_path_buf(),
            file: None,
            id: None,
            offset: 0,
            partial: Vec::new(),
            kind: None,
            joiner: errorlog::Joiner::default(),
        };
        // A FIFO or a device is never opened (the open alone would block on a FIFO).
        if let Ok(mut f) = crate::input_file::open_regular(path) {
            t.id = f.metadata().ok().as_ref().and_then(file_id);
            if at_end {
                t.offset = f.seek(SeekFrom::End(0)).unwrap_or(0);
            }
            t.file = Some(f);
        }
        t
    }

    /// New complete lines since the last call.
    fn poll(&mut self, out: &mut Vec<Vec<u8>>) {
        let meta = std::fs::metadata(&self.path).ok();
        let now_id = meta.as_ref().and_then(file_id);
        let rotated = self.file.is_none() || (now_id.is_some() && now_id != self.id);
        if rotated {
            self.drain(out);
            if meta.is_some() {
                *self = Self {
                    kind: self.kind.take(),
                    ..Self::open(&self.path, false)
                };
            }
        } else if meta.as_ref().is_some_and(|m| m.len() < self.offset) {
            // Truncated in place: start again from the top.
            self.offset = 0;
            self.partial.clear();
            if let Some(f) = self.file.as_mut() {
                let _ = f.seek(SeekFrom::Start(0));
            }
        }
        self.drain(out);
    }

    fn drain(&mut self, out: &mut Vec<Vec<u8>>) {
        let Some(f) = self.file.as_mut() else { return };
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match f.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    self.offset += n as u64;
                    let mut rest = &buf[..n];
                    while let Some(nl) = memchr::memchr(b'\n', rest) {
                        self.partial.extend_from_slice(&rest[..nl]);
                        out.push(std::mem::take(&mut self.partial));
                        rest = &rest[nl + 1..];
                    }
                    if self.partial.len() < PARTIAL_LIMIT {
                        self.partial.extend_from_slice(
                            &rest[..rest.len().min(PARTIAL_LIMIT - self.partial.len())],
                        );
                    }
                }
            }
        }
    }
}

/// Turns one new line into an event when it is a 401, an auth error or a probe's request.
pub fn event(kind: &Kind, file: &str, line: &[u8], marker: Option<&str>) -> Option<Event> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let (what, ua): (String, Vec<u8>) = match kind {
        Kind::Error => match errorlog::classify(line) {
            ErrorLine::Auth(e) => (e.reason.key().to_owned(), Vec::new()),
            _ => return None,
        },
        Kind::Access(format) => {
            let mut scratch = JsonScratch::default();
            let (rec, _) = format.parse(line, &mut scratch)?;
            (rec.status.to_string(), rec.user_agent.to_vec())
        }
    };
    let ua = String::from_utf8_lossy(&ua);
    let probe = super::correlate::marker_of(&ua).map(str::to_owned);
    let wanted_probe = match (marker, &probe) {
        (Some(m), Some(p)) => m == p,
        (None, Some(_)) => true,
        _ => false,
    };
    let interesting = match kind {
        Kind::Error => true,
        Kind::Access(_) => what == "401" || wanted_probe,
    };
    if !interesting
        || (marker.is_some() && !wanted_probe && !matches!(kind, Kind::Error)) && what != "401"
    {
        return None;
    }
    Some(Event {
        file: file.to_owned(),
        what,
        marker: probe,
        text: redact::shown_line(line),
    })
}

/// Follows `paths` until `stop()` says so or `limit` passes, calling `on_event` for each line
/// worth showing. Only lines written after the start are shown.
pub fn follow(
    paths: &[PathBuf],
    opts: &Options,
    marker: Option<&str>,
    limit: Option<Duration>,
    stop: &dyn Fn() -> bool,
    on_event: &mut dyn FnMut(Event),
) {
    let started = Instant::now();
    let mut tails: Vec<Tail> = paths.iter().map(|p| Tail::open(p, true)).collect();
    let mut lines = Vec::new();
    while !stop() && limit.is_none_or(|l| started.elapsed() < l) {
        for t in &mut tails {
            t.poll(&mut lines);
            if lines.is_empty() {
                continue;
            }
            if t.kind.is_none() {
                let head = lines.join(&b'\n');
                t.kind = detect::detect(&head, opts.format.as_ref());
            }
            let name = t.path.display().to_string();
            if matches!(t.kind, Some(Kind::Error)) {
                // One entry may span lines (a user name with a newline): joined first.
                let mut entries = Vec::with_capacity(lines.len());
                for l in lines.drain(..) {
                    t.joiner.push(l, &mut entries);
                }
                lines = entries;
            }
            if let Some(kind) = &t.kind {
                for l in &lines {
                    if let Some(ev) = event(kind, &name, l, marker) {
                        on_event(ev);
                    }
                }
            }
            lines.clear();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
