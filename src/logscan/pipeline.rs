//! Reading in chunks of whole lines and scanning them on every core. Memory is bounded: a
//! fixed number of chunk buffers circulate between the reader and the workers, and a line
//! longer than [`MAX_LINE`] is counted and skipped rather than held.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::Mutex;

use super::scan::{Filters, Kind, Origin, scan_chunk};
use super::stats::{AccessStats, Sample, Stats};

/// Bytes read per chunk.
pub(crate) const CHUNK: usize = 1 << 20;
/// Lines longer than this are counted as malformed and skipped without being kept.
pub(crate) const MAX_LINE: usize = 8 << 20;

/// A piece of the input to scan, in file order.
enum Job {
    /// Whole lines: the first `len` bytes of the buffer that was filled.
    Lines(u64, usize),
    /// A line too long to hold: its first bytes, for the sample, and its length.
    Overlong(u64, Vec<u8>, u64),
}

/// What one scan of one input returns.
pub(crate) struct Scanned {
    pub stats: Stats,
    pub bytes: u64,
}

/// The number of scanning threads: every core, at least one.
pub(crate) fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

fn overlong_stats(kind: &Kind, file: &str, prefix: &[u8], len: u64) -> Stats {
    let mut st = Stats::default();
    let mut text = super::redact::shown_line(prefix);
    text.push_str(&format!(" … (line of {len} bytes skipped)"));
    let sample = Sample {
        file: file.to_owned(),
        line: 1,
        text,
    };
    if matches!(kind, Kind::Error) {
        st.error.lines = 1;
        st.error.malformed = 1;
        st.error.samples.push(sample);
    } else {
        st.access.lines = 1;
        st.access.malformed = 1;
        st.access.samples.push(sample);
    }
    st
}

/// What one worker gathers across all its chunks: the tallies whose order does not matter
/// (counts, top paths, agents, users, timeline, time range, successes). Only what must be
/// put back in file order (line numbers, samples, probe lines, per-client bursts) travels
/// with each chunk, so merging in order costs little, and nothing per line is allocated
/// again for every chunk.
#[derive(Default)]
struct Worker {
    acc: Stats,
}

/// A scanned chunk: its number in file order and what must be merged in that order.
type Done = (u64, Stats);

impl Worker {
    /// Scans one chunk; returns what must be merged in file order.
    fn chunk(&mut self, kind: &Kind, filters: &Filters, origin: &Origin<'_>, buf: &[u8]) -> Stats {
        if matches!(kind, Kind::Error) {
            let mut st = Stats::default();
            scan_chunk(kind, filters, origin, buf, &mut st);
            return st;
        }
        // Line numbers are counted from the chunk's start (`lines` is taken after each one).
        scan_chunk(kind, filters, origin, buf, &mut self.acc);
        let a = &mut self.acc.access;
        Stats {
            access: AccessStats {
                lines: std::mem::take(&mut a.lines),
                samples: std::mem::take(&mut a.samples),
                probe_lines: std::mem::take(&mut a.probe_lines),
                clients: std::mem::take(&mut a.clients),
                probe_clients: std::mem::take(&mut a.probe_clients),
                ..AccessStats::default()
            },
            ..Stats::default()
        }
    }

    fn run(&mut self, job: Job, buf: &[u8], kind: &Kind, filters: &Filters, file: &str) -> Done {
        match job {
            Job::Lines(seq, len) => {
                let st = self.chunk(kind, filters, &Origin { file }, &buf[..len]);
                (seq, st)
            }
            Job::Overlong(seq, prefix, len) => (seq, overlong_stats(kind, file, &prefix, len)),
        }
    }
}

/// What every thread shares: the input, read by one thread at a time into that thread's own
/// buffer, and the results, put back in file order.
struct Shared<'a> {
    input: Mutex<Input<'a>>,
    merger: Mutex<Merger>,
}

fn stopped() -> anyhow::Error {
    anyhow::anyhow!("log scanning stopped unexpectedly")
}

/// One scanning thread: it reads the next chunk into its own buffer (the read's copy lands in
/// this core's cache, and the scan then finds the chunk there) and scans it, until the input
/// ends. Reads take turns; scans run side by side.
fn worker(
    shared: &Shared<'_>,
    kind: &Kind,
    filters: &Filters,
    file: &str,
) -> anyhow::Result<Stats> {
    let mut w = Worker::default();
    let mut buf = Vec::new();
    loop {
        let job = {
            let mut input = shared.input.lock().map_err(|_| stopped())?;
            input.next(&mut buf)
        };
        let Some(job) = job? else { break };
        let done = w.run(job, &buf, kind, filters, file);
        shared.merger.lock().map_err(|_| stopped())?.take(done);
    }
    // The order-free tallies, to combine with the ordered ones (no line numbers left in them).
    Ok(w.acc)
}

/// Reads `reader` to its end and scans it with `threads` threads (the calling thread and
/// `threads - 1` helpers), each reading and scanning chunks in turn.
pub(crate) fn scan_reader(
    reader: &mut (dyn BufRead + Send),
    kind: &Kind,
    filters: &Filters,
    file: &str,
    threads: usize,
) -> anyhow::Result<Scanned> {
    let helpers = threads.max(1) - 1;
    let shared = Shared {
        input: Mutex::new(Input {
            reader,
            kind,
            seq: 0,
            total: 0,
            carry: Vec::new(),
            skipping: None,
            eof: false,
            ended: false,
        }),
        merger: Mutex::new(Merger::default()),
    };
    let tallies = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..helpers)
            .map(|_| scope.spawn(|| worker(&shared, kind, filters, file)))
            .collect();
        let mut tallies = vec![worker(&shared, kind, filters, file)];
        for h in handles {
            tallies.push(h.join().map_err(|_| stopped())?);
        }
        Ok::<_, anyhow::Error>(tallies)
    })?;
    let mut total = shared.merger.into_inner().map_err(|_| stopped())?.total;
    for t in tallies {
        total.combine(t?);
    }
    let bytes = shared.input.into_inner().map_err(|_| stopped())?.total;
    Ok(Scanned {
        stats: total,
        bytes,
    })
}

/// Puts chunk results back in file order.
#[derive(Default)]
struct Merger {
    next: u64,
    pending: BTreeMap<u64, Stats>,
    total: Stats,
}

impl Merger {
    fn take(&mut self, (seq, st): Done) {
        self.pending.insert(seq, st);
        while let Some(st) = self.pending.remove(&self.next) {
            self.total.append(st);
            self.next += 1;
        }
    }
}

/// The input, cut into chunks of whole lines.
struct Input<'a> {
    reader: &'a mut (dyn BufRead + Send),
    kind: &'a Kind,
    /// The number of the next chunk.
    seq: u64,
    /// Bytes read so far.
    total: u64,
    /// The start of a line that the last chunk cut off.
    carry: Vec<u8>,
    /// A line too long to hold, being skipped: its first bytes and its length so far.
    skipping: Option<(Vec<u8>, u64)>,
    /// True once the reader said it has no more (it is not asked again).
    eof: bool,
    /// True once every chunk was given out (or reading failed).
    ended: bool,
}

impl Input<'_> {
    /// Fills `buf` with the next chunk and says what it holds; `None` once the input ended.
    fn next(&mut self, buf: &mut Vec<u8>) -> anyhow::Result<Option<Job>> {
        if self.ended {
            return Ok(None);
        }
        let job = self.fill(buf);
        if !matches!(job, Ok(Some(_))) {
            self.ended = true;
        }
        job
    }

    fn fill(&mut self, buf: &mut Vec<u8>) -> anyhow::Result<Option<Job>> {
        loop {
            let want = CHUNK.max(self.carry.len() * 2);
            if buf.len() < want {
                buf.resize(want, 0);
            }
            buf[..self.carry.len()].copy_from_slice(&self.carry);
            let mut filled = self.carry.len();
            self.carry.clear();
            while !self.eof && filled < buf.len() {
                let n = self.reader.read(&mut buf[filled..])?;
                if n == 0 {
                    self.eof = true;
                    break;
                }
                filled += n;
                self.total += n as u64;
            }
            let eof = self.eof;
            if let Some((prefix, len)) = self.skipping.as_mut() {
                if let Some(nl) = memchr::memchr(b'\n', &buf[..filled]) {
                    *len += nl as u64;
                    let job = Job::Overlong(self.seq, std::mem::take(prefix), *len);
                    self.skipping = None;
                    self.seq += 1;
                    // The rest is read again as the start of the next chunk.
                    self.carry.extend_from_slice(&buf[nl + 1..filled]);
                    return Ok(Some(job));
                }
                *len += filled as u64;
                if eof {
                    let job = Job::Overlong(self.seq, std::mem::take(prefix), *len);
                    self.seq += 1;
                    self.skipping = None;
                    return Ok(Some(job));
                }
                continue;
            }
            let cut = if eof {
                filled
            } else {
                match memchr::memrchr(b'\n', &buf[..filled]) {
                    Some(nl) => nl + 1,
                    None if filled >= MAX_LINE => {
                        self.skipping = Some((buf[..300.min(filled)].to_vec(), filled as u64));
                        continue;
                    }
                    // One line longer than the buffer: read on with a bigger one.
                    None => 0,
                }
            };
            // An error-log entry may run over lines (a user name with a newline): never cut one.
            let cut = match self.kind {
                Kind::Error if !eof => super::errorlog::open_tail(&buf[..cut])
                    .filter(|&s| s > 0)
                    .unwrap_or(cut),
                _ => cut,
            };
            self.carry.extend_from_slice(&buf[cut..filled]);
            if cut > 0 {
                let job = Job::Lines(self.seq, cut);
                self.seq += 1;
                return Ok(Some(job));
            }
            if eof {
                return Ok(None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logscan::errorlog::Reason;

    /// An nginx entry whose user name holds a newline, placed so that its newline falls inside
    /// the first chunk and its end in the second: it still counts once, as its fixed text says.
    #[test]
    fn an_error_entry_across_a_chunk_boundary_counts_once() {
        let entry = "2026/11/23 00:28:15 [error] 7#7: *78 user \"ev\nil\" was not found in \"/x/htpasswd\", client: 192.0.2.7, server: s, request: \"GET /b/ HTTP/1.1\", host: \"h\"\n";
        let filler = "2026/11/23 00:28:10 [notice] 7#7: signal process started\n";
        let first_len = entry.find('\n').unwrap_or(0) + 1;
        let n = (CHUNK - first_len - 5) / filler.len();
        let log = filler.repeat(n) + entry;
        assert!(n * filler.len() + first_len <= CHUNK && log.len() > CHUNK);
        for threads in [1, 2] {
            let mut reader = std::io::Cursor::new(log.as_bytes());
            let scanned = scan_reader(
                &mut reader,
                &Kind::Error,
                &Filters::default(),
                "error.log",
                threads,
            )
            .unwrap();
            let e = &scanned.stats.error;
            assert_eq!(e.malformed, 0);
            assert_eq!(e.reasons.get(&Reason::UserNotFound), Some(&1));
            assert_eq!(e.lines, n as u64 + 2);
        }
    }
}
