//! Reading in chunks of whole lines and scanning them on every core. Memory is bounded: a
//! fixed number of chunk buffers circulate between the reader and the workers, and a line
//! longer than [`MAX_LINE`] is counted and skipped rather than held.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use super::scan::{Filters, Kind, Origin, scan_chunk};
use super::stats::{AccessStats, Sample, Stats};

/// Bytes read per chunk.
pub(crate) const CHUNK: usize = 1 << 20;
/// Lines longer than this are counted as malformed and skipped without being kept.
pub(crate) const MAX_LINE: usize = 8 << 20;

enum Work {
    Lines(u64, Vec<u8>, usize),
    /// A line too long to hold: its first bytes, for the sample.
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
/// with each chunk, so the thread that reads the file merges little, and nothing per line
/// is allocated again for every chunk.
#[derive(Default)]
struct Worker {
    acc: Stats,
}

/// A scanned chunk: its number in file order, what must be merged in that order, and its
/// buffer to use again.
type Done = (u64, Stats, Option<Vec<u8>>);

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

    fn run(&mut self, job: Work, kind: &Kind, filters: &Filters, file: &str) -> Done {
        let origin = Origin { file };
        match job {
            Work::Lines(seq, buf, len) => {
                let st = self.chunk(kind, filters, &origin, &buf[..len]);
                (seq, st, Some(buf))
            }
            Work::Overlong(seq, prefix, len) => {
                (seq, overlong_stats(kind, file, &prefix, len), None)
            }
        }
    }
}

fn worker(
    jobs: &Mutex<Receiver<Work>>,
    done: &SyncSender<Done>,
    kind: &Kind,
    filters: &Filters,
    file: &str,
) -> Stats {
    let mut w = Worker::default();
    loop {
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => break,
        };
        let Ok(job) = job else { break };
        if done.send(w.run(job, kind, filters, file)).is_err() {
            break;
        }
    }
    // The order-free tallies, to combine with the ordered ones (no line numbers left in them).
    w.acc
}

/// Where the reading thread puts each chunk: to a helper with room in its queue, or, when
/// every helper is busy, into its own scan. The reader is thus also a worker (no thread
/// waits while the cores have work), and the chunks it scans are still in its cache.
struct Dispatch<'a> {
    jobs: SyncSender<Work>,
    local: Worker,
    kind: &'a Kind,
    filters: &'a Filters,
    file: &'a str,
}

impl Dispatch<'_> {
    fn send(&mut self, w: Work, merger: &mut Merger) -> anyhow::Result<()> {
        match self.jobs.try_send(w) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(w)) => {
                merger.take(self.local.run(w, self.kind, self.filters, self.file));
                Ok(())
            }
            Err(TrySendError::Disconnected(_)) => {
                Err(anyhow::anyhow!("log scanning stopped unexpectedly"))
            }
        }
    }
}

/// Reads `reader` to its end and scans it with `threads` threads: the calling thread, which
/// reads and scans, and `threads - 1` helpers.
pub(crate) fn scan_reader(
    reader: &mut dyn BufRead,
    kind: &Kind,
    filters: &Filters,
    file: &str,
    threads: usize,
) -> anyhow::Result<Scanned> {
    let helpers = threads.max(1) - 1;
    // Room for a few chunks per helper, so a helper never waits while the reader scans one.
    let (job_tx, job_rx) = sync_channel::<Work>(helpers * 4);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (done_tx, done_rx) = sync_channel(helpers * 2 + 2);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..helpers)
            .map(|_| {
                let rx = Arc::clone(&job_rx);
                let tx = done_tx.clone();
                scope.spawn(move || worker(&rx, &tx, kind, filters, file))
            })
            .collect();
        drop(done_tx);
        let mut merger = Merger::default();
        let mut dispatch = Dispatch {
            jobs: job_tx,
            local: Worker::default(),
            kind,
            filters,
            file,
        };
        let read = read_chunks(reader, &mut dispatch, &done_rx, &mut merger);
        let Dispatch { jobs, local, .. } = dispatch;
        drop(jobs);
        for msg in &done_rx {
            merger.take(msg);
        }
        merger.total.combine(local.acc);
        for h in handles {
            let tallies = h
                .join()
                .map_err(|_| anyhow::anyhow!("log scanning stopped unexpectedly"))?;
            merger.total.combine(tallies);
        }
        let bytes = read?;
        Ok(Scanned {
            stats: merger.total,
            bytes,
        })
    })
}

/// Puts chunk results back in file order.
#[derive(Default)]
struct Merger {
    next: u64,
    pending: BTreeMap<u64, Stats>,
    total: Stats,
    spare: Vec<Vec<u8>>,
}

impl Merger {
    fn take(&mut self, (seq, st, buf): Done) {
        if let Some(b) = buf {
            self.spare.push(b);
        }
        self.pending.insert(seq, st);
        while let Some(st) = self.pending.remove(&self.next) {
            self.total.append(st);
            self.next += 1;
        }
    }
}

fn read_chunks(
    reader: &mut dyn BufRead,
    jobs: &mut Dispatch<'_>,
    done: &Receiver<Done>,
    merger: &mut Merger,
) -> anyhow::Result<u64> {
    let mut seq = 0u64;
    let mut total = 0u64;
    let mut carry: Vec<u8> = Vec::new();
    let mut skipping: Option<(Vec<u8>, u64)> = None;
    loop {
        while let Ok(msg) = done.try_recv() {
            merger.take(msg);
        }
        let mut buf = merger.spare.pop().unwrap_or_default();
        let want = CHUNK.max(carry.len() * 2);
        if buf.len() < want {
            buf.resize(want, 0);
        }
        buf[..carry.len()].copy_from_slice(&carry);
        let mut filled = carry.len();
        carry.clear();
        let mut eof = false;
        while filled < buf.len() {
            let n = reader.read(&mut buf[filled..])?;
            if n == 0 {
                eof = true;
                break;
            }
            filled += n;
            total += n as u64;
        }
        if let Some((prefix, len)) = skipping.as_mut() {
            if let Some(nl) = memchr::memchr(b'\n', &buf[..filled]) {
                *len += nl as u64;
                let (prefix, len) = (std::mem::take(prefix), *len);
                skipping = None;
                jobs.send(Work::Overlong(seq, prefix, len), merger)?;
                seq += 1;
                buf.copy_within(nl + 1..filled, 0);
                filled -= nl + 1;
            } else {
                *len += filled as u64;
                if eof {
                    jobs.send(Work::Overlong(seq, std::mem::take(prefix), *len), merger)?;
                    return Ok(total);
                }
                merger.spare.push(buf);
                continue;
            }
        }
        let cut = if eof {
            filled
        } else {
            match memchr::memrchr(b'\n', &buf[..filled]) {
                Some(nl) => nl + 1,
                None if filled >= MAX_LINE => {
                    skipping = Some((buf[..300.min(filled)].to_vec(), filled as u64));
                    merger.spare.push(buf);
                    continue;
                }
                // One line longer than the buffer: read on with a bigger one.
                None => 0,
            }
        };
        // An error-log entry may run over lines (a user name with a newline): never cut one.
        let cut = match jobs.kind {
            Kind::Error if !eof => super::errorlog::open_tail(&buf[..cut])
                .filter(|&s| s > 0)
                .unwrap_or(cut),
            _ => cut,
        };
        carry.extend_from_slice(&buf[cut..filled]);
        if cut > 0 {
            jobs.send(Work::Lines(seq, buf, cut), merger)?;
            seq += 1;
        } else {
            merger.spare.push(buf);
        }
        if eof {
            return Ok(total);
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
