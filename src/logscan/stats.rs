//! What a scan gathers: per-chunk tallies that merge into one report, with bounded memory.

use std::collections::{BTreeMap, VecDeque};

use super::counter::{FxMap, KEY_LIMIT, TopCounter, bounded_key, hash_key};
use super::errorlog::Reason;

/// A few examples of lines that did not parse, for the person to look at.
pub(crate) const SAMPLE_LIMIT: usize = 5;
/// Lines of why401's own probes kept for display.
pub(crate) const PROBE_LINE_LIMIT: usize = 200;
/// Recent auth events kept for matching probe requests to error-log lines.
pub(crate) const RECENT_EVENTS: usize = 4096;
/// Distinct clients whose successes are remembered (for "got through after a 401").
pub(crate) const SUCCESS_CAP: usize = 200_000;
/// Clients with 401s tracked individually.
const CLIENT_CAP: usize = 10_000;
/// 401s from one client within one minute that count as a burst.
pub(crate) const BURST_PER_MINUTE: u64 = 20;

/// A line shown to the person (already redacted and bounded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub file: String,
    pub line: u64,
    pub text: String,
}

/// 401s of one client, with the largest count seen within a single minute.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub count: u64,
    pub first: i64,
    pub last: i64,
    first_min: i64,
    first_min_n: u64,
    cur_min: i64,
    cur_n: u64,
    pub max_per_minute: u64,
}

impl ClientInfo {
    fn add(&mut self, t: i64) {
        let m = t.div_euclid(60);
        if self.count == 0 {
            *self = Self {
                first: t,
                last: t,
                first_min: m,
                cur_min: m,
                ..Self::default()
            };
        }
        self.count += 1;
        self.first = self.first.min(t);
        self.last = self.last.max(t);
        if m == self.cur_min {
            self.cur_n += 1;
        } else {
            self.cur_min = m;
            self.cur_n = 1;
        }
        if m == self.first_min {
            self.first_min_n = self.cur_n.max(self.first_min_n);
        }
        self.max_per_minute = self.max_per_minute.max(self.cur_n);
    }

    /// `later` follows `self` in the log.
    fn merge(&mut self, later: &Self) {
        let joined = if self.cur_min == later.first_min {
            self.cur_n + later.first_min_n
        } else {
            0
        };
        self.max_per_minute = self.max_per_minute.max(later.max_per_minute).max(joined);
        if later.cur_min == later.first_min && joined > 0 {
            self.cur_n = joined;
        } else {
            self.cur_min = later.cur_min;
            self.cur_n = later.cur_n;
        }
        if self.first_min == self.cur_min {
            self.first_min_n = self.cur_n;
        }
        self.count += later.count;
        self.first = self.first.min(later.first);
        self.last = self.last.max(later.last);
    }
}

/// A line of one of why401's own probes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeLine {
    pub file: String,
    pub line: u64,
    pub time: Option<i64>,
    pub client: String,
    pub method: String,
    pub target: String,
    pub status: u16,
    pub user_agent: String,
    /// The user the request named (`-` or empty when none), as shown.
    pub user: String,
    /// nginx's connection serial where the layout logs `$connection`, else 0.
    pub connection: u64,
    /// The zone the line's time stated (seconds east of UTC), if it stated one.
    pub zone: Option<i64>,
}

/// An authentication event from an error log, kept for correlation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthEvent {
    /// UTC seconds.
    pub time: Option<i64>,
    /// The time as the line wrote it, when it stated no zone (seconds of that wall clock):
    /// paired with an access line's own wall clock, since the learned zone may be wrong.
    pub wall: Option<i64>,
    pub client: String,
    pub reason: Reason,
    pub text: String,
    /// The request's path (no query), as shown; empty when the line names none.
    pub path: String,
    /// The user the line names, as shown; empty when none.
    pub user: String,
    /// nginx's connection serial (`*N`), else 0.
    pub connection: u64,
}

/// The latest success (2xx/304) time per client hash, bounded; order of adding does not
/// matter, so tables from anywhere in the log merge in any order.
///
/// Open addressing with linear probing over (key, time) pairs: a lookup touches one slot,
/// most often, where a general table touches its control bytes and then its bucket. Clients
/// come in batches ([`Self::add_batch`]), whose slots are loaded first in one pass with no
/// branch, so their cache misses overlap instead of coming one after the other.
#[derive(Debug, Clone, Default)]
pub struct SuccessTable {
    /// `(key, latest time)`; [`EMPTY`] marks a free slot. The length is a power of two.
    slots: Vec<(u64, i64)>,
    /// Slots in use.
    len: usize,
    /// True once clients were dropped for room.
    pub approximate: bool,
}

/// The key of a free slot: no client's key (see [`slot_key`]).
const EMPTY: u64 = 0;

/// The key stored for a client's [`hash_key`]: never [`EMPTY`].
fn slot_key(h: u64) -> u64 {
    h | 1
}

impl SuccessTable {
    /// Where `k`'s probe starts: the top bits of a multiply (the table has at least 2 slots).
    #[inline]
    fn home(&self, k: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
    }

    /// Makes room for `more` new clients (at most [`SUCCESS_CAP`] in all) with at most four
    /// slots in five used.
    fn reserve(&mut self, more: usize) {
        let want = (self.len + more).min(SUCCESS_CAP);
        if want * 5 <= self.slots.len() * 4 {
            return;
        }
        let mut n = self.slots.len().max(1024);
        while want * 5 > n * 4 {
            n *= 2;
        }
        let old = std::mem::replace(&mut self.slots, vec![(EMPTY, 0); n]);
        self.len = 0;
        for (k, t) in old {
            if k != EMPTY {
                self.put(k, t);
            }
        }
    }

    /// Records `t` for slot key `k`; room must have been reserved.
    #[inline]
    fn put(&mut self, k: u64, t: i64) {
        let mask = self.slots.len() - 1;
        let mut i = self.home(k);
        loop {
            let slot = &mut self.slots[i];
            if slot.0 == k {
                slot.1 = slot.1.max(t);
                return;
            }
            if slot.0 == EMPTY {
                if self.len < SUCCESS_CAP {
                    *slot = (k, t);
                    self.len += 1;
                } else {
                    self.approximate = true;
                }
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Successes `(hash_key, time)` of many lines.
    pub fn add_batch(&mut self, batch: &[(u64, i64)]) {
        self.reserve(batch.len());
        // Loads only, each independent of the others: the misses overlap, and the updates
        // below find their slots in the cache.
        let mut seen = 0u64;
        for &(h, _) in batch {
            seen ^= self.slots[self.home(slot_key(h))].0;
        }
        std::hint::black_box(seen);
        for &(h, t) in batch {
            self.put(slot_key(h), t);
        }
    }

    /// Adds another table's successes.
    pub(crate) fn absorb(&mut self, other: Self) {
        self.approximate |= other.approximate;
        if self.len == 0 {
            self.slots = other.slots;
            self.len = other.len;
            return;
        }
        self.reserve(other.len);
        for (k, t) in other.slots {
            if k != EMPTY {
                self.put(k, t);
            }
        }
    }

    /// The latest success of `client`, if it had one.
    pub fn latest(&self, client: &[u8]) -> Option<i64> {
        if self.slots.is_empty() {
            return None;
        }
        let k = slot_key(hash_key(client));
        let mask = self.slots.len() - 1;
        let mut i = self.home(k);
        loop {
            let (key, t) = self.slots[i];
            if key == k {
                return Some(t);
            }
            if key == EMPTY {
                return None;
            }
            i = (i + 1) & mask;
        }
    }
}

/// Per-client 401 table, bounded.
#[derive(Debug, Clone, Default)]
pub struct ClientTable {
    pub map: FxMap<Box<[u8]>, ClientInfo>,
    pub approximate: bool,
}

impl ClientTable {
    pub fn add(&mut self, client: &[u8], t: i64) {
        let long;
        let client = if client.len() > KEY_LIMIT {
            long = bounded_key(client);
            &long[..]
        } else {
            client
        };
        if let Some(c) = self.map.get_mut(client) {
            c.add(t);
        } else if self.map.len() < CLIENT_CAP {
            let mut c = ClientInfo::default();
            c.add(t);
            self.map.insert(client.into(), c);
        } else {
            self.approximate = true;
        }
    }

    fn merge(&mut self, later: Self) {
        self.approximate |= later.approximate;
        for (k, v) in later.map {
            if let Some(c) = self.map.get_mut(&k) {
                c.merge(&v);
            } else if self.map.len() < CLIENT_CAP {
                self.map.insert(k, v);
            } else {
                self.approximate = true;
            }
        }
    }
}

/// 401s by client in file order, held by a chunk until it is merged in its place: each then
/// counts in its client table with one lookup, where a table per chunk cost an allocation per
/// client per chunk and a merge of tables.
#[derive(Debug, Clone, Default)]
pub struct ClientLog {
    /// The clients' bytes, end to end.
    bytes: Vec<u8>,
    /// Per 401: where its client ends in `bytes`, its time, and whether a probe sent it.
    adds: Vec<(usize, i64, bool)>,
}

impl ClientLog {
    pub(crate) fn push(&mut self, client: &[u8], t: i64, probe: bool) {
        self.bytes.extend_from_slice(client);
        self.adds.push((self.bytes.len(), t, probe));
    }
}

/// Tallies of access-log lines.
#[derive(Debug, Clone)]
pub struct AccessStats {
    pub lines: u64,
    pub blank: u64,
    pub malformed: u64,
    /// Records found after a run of NUL bytes (what copytruncate leaves).
    pub nul_prefixed: u64,
    /// Records outside the filters.
    pub filtered_out: u64,
    pub status: Vec<u64>,
    pub status_401: u64,
    pub anonymous_401: u64,
    /// 401s in logs that never name the user of a 401 (HAProxy, IIS, Tomcat).
    pub unknown_user_401: u64,
    /// 401s of why401's own probes (not in `status_401`).
    pub probe_401: u64,
    /// Those 401s per client, so the error-log lines they caused are not taken for bursts.
    pub probe_clients: ClientTable,
    /// IIS 401s by (sc-substatus, sc-win32-status).
    pub substatus_401: BTreeMap<(u32, u32), u64>,
    pub options_401: u64,
    pub asset_401: u64,
    pub health_401: u64,
    pub paths: TopCounter,
    pub agents: TopCounter,
    pub users: TopCounter,
    pub clients: ClientTable,
    /// 401s not yet in `clients` or `probe_clients` (see [`AccessStats::settle`]).
    pub(crate) pending: ClientLog,
    pub timeline: BTreeMap<i64, u64>,
    pub first_time: Option<i64>,
    pub last_time: Option<i64>,
    pub first_401: Option<i64>,
    pub last_401: Option<i64>,
    /// Last 2xx/304 time per client.
    pub success: SuccessTable,
    pub probe_lines: Vec<ProbeLine>,
    pub samples: Vec<Sample>,
}

impl Default for AccessStats {
    fn default() -> Self {
        Self {
            lines: 0,
            blank: 0,
            malformed: 0,
            nul_prefixed: 0,
            filtered_out: 0,
            status: vec![0; 1000],
            status_401: 0,
            anonymous_401: 0,
            unknown_user_401: 0,
            probe_401: 0,
            probe_clients: ClientTable::default(),
            substatus_401: BTreeMap::new(),
            options_401: 0,
            asset_401: 0,
            health_401: 0,
            paths: TopCounter::default(),
            agents: TopCounter::default(),
            users: TopCounter::default(),
            clients: ClientTable::default(),
            pending: ClientLog::default(),
            timeline: BTreeMap::new(),
            first_time: None,
            last_time: None,
            first_401: None,
            last_401: None,
            success: SuccessTable::default(),
            probe_lines: Vec::new(),
            samples: Vec::new(),
        }
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

impl AccessStats {
    pub(crate) fn see_time(&mut self, t: i64) {
        self.first_time = min_opt(self.first_time, Some(t));
        self.last_time = max_opt(self.last_time, Some(t));
    }

    /// Counts the 401s of `log`, in their order, in `clients` and `probe_clients`.
    fn replay(&mut self, log: &ClientLog) {
        let mut start = 0;
        for &(end, t, probe) in &log.adds {
            let client = &log.bytes[start..end];
            start = end;
            if probe {
                self.probe_clients.add(client, t);
            } else {
                self.clients.add(client, t);
            }
        }
    }

    /// Counts the pending 401s in the client tables; done by every merge, and once more by
    /// whoever reads the tables of a scan that was never merged.
    pub(crate) fn settle(&mut self) {
        let log = std::mem::take(&mut self.pending);
        self.replay(&log);
    }

    /// Merges the tallies of the part of the log that follows this one; line numbers in
    /// `later` are relative to its start.
    pub(crate) fn merge(&mut self, mut later: Self, renumber: bool) {
        // This part's own 401s come before `later`'s.
        self.settle();
        let offset = if renumber { self.lines } else { 0 };
        self.lines += later.lines;
        self.blank += later.blank;
        self.malformed += later.malformed;
        self.nul_prefixed += later.nul_prefixed;
        self.filtered_out += later.filtered_out;
        for (a, b) in self.status.iter_mut().zip(&later.status) {
            *a += b;
        }
        self.status_401 += later.status_401;
        self.anonymous_401 += later.anonymous_401;
        self.unknown_user_401 += later.unknown_user_401;
        self.probe_401 += later.probe_401;
        self.probe_clients.merge(later.probe_clients);
        for (k, n) in later.substatus_401 {
            *self.substatus_401.entry(k).or_insert(0) += n;
        }
        self.options_401 += later.options_401;
        self.asset_401 += later.asset_401;
        self.health_401 += later.health_401;
        self.paths.merge(later.paths);
        self.agents.merge(later.agents);
        self.users.merge(later.users);
        self.clients.merge(later.clients);
        self.replay(&later.pending);
        for (m, n) in later.timeline {
            *self.timeline.entry(m).or_insert(0) += n;
        }
        self.first_time = min_opt(self.first_time, later.first_time);
        self.last_time = max_opt(self.last_time, later.last_time);
        self.first_401 = min_opt(self.first_401, later.first_401);
        self.last_401 = max_opt(self.last_401, later.last_401);
        self.success.absorb(later.success);
        for p in &mut later.probe_lines {
            p.line += offset;
        }
        // The latest probe lines are kept (`later` is later in the file).
        self.probe_lines.extend(later.probe_lines);
        let over = self.probe_lines.len().saturating_sub(PROBE_LINE_LIMIT);
        self.probe_lines.drain(..over);
        for s in &mut later.samples {
            s.line += offset;
        }
        let room = SAMPLE_LIMIT.saturating_sub(self.samples.len());
        self.samples.extend(later.samples.into_iter().take(room));
    }
}

/// Tallies of error-log lines.
#[derive(Debug, Clone, Default)]
pub struct ErrorStats {
    pub lines: u64,
    pub malformed: u64,
    pub filtered_out: u64,
    pub reasons: BTreeMap<Reason, u64>,
    /// Per user: credential failures naming a user.
    pub users: TopCounter,
    pub clients: TopCounter,
    pub paths: TopCounter,
    pub burst_clients: ClientTable,
    pub timeline: BTreeMap<i64, u64>,
    pub first: Option<i64>,
    pub last: Option<i64>,
    /// One example line per reason.
    pub examples: BTreeMap<Reason, Sample>,
    pub recent: VecDeque<AuthEvent>,
    pub samples: Vec<Sample>,
}

impl ErrorStats {
    pub(crate) fn merge(&mut self, mut later: Self, renumber: bool) {
        let offset = if renumber { self.lines } else { 0 };
        self.lines += later.lines;
        self.malformed += later.malformed;
        self.filtered_out += later.filtered_out;
        for (r, n) in later.reasons {
            *self.reasons.entry(r).or_insert(0) += n;
        }
        self.users.merge(later.users);
        self.clients.merge(later.clients);
        self.paths.merge(later.paths);
        self.burst_clients.merge(later.burst_clients);
        for (m, n) in later.timeline {
            *self.timeline.entry(m).or_insert(0) += n;
        }
        self.first = min_opt(self.first, later.first);
        self.last = max_opt(self.last, later.last);
        for (r, mut s) in later.examples {
            s.line += offset;
            self.examples.entry(r).or_insert(s);
        }
        self.recent.extend(later.recent);
        while self.recent.len() > RECENT_EVENTS {
            self.recent.pop_front();
        }
        for s in &mut later.samples {
            s.line += offset;
        }
        let room = SAMPLE_LIMIT.saturating_sub(self.samples.len());
        self.samples.extend(later.samples.into_iter().take(room));
    }

    /// Failures of the credentials themselves.
    pub(crate) fn credential_failures(&self) -> u64 {
        self.reasons
            .iter()
            .filter(|(r, _)| r.is_credential_failure())
            .map(|(_, n)| n)
            .sum()
    }
}

/// Everything one scan found.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub access: AccessStats,
    pub error: ErrorStats,
}

impl Stats {
    /// Adds the tallies of the part of the same file that follows.
    pub fn append(&mut self, later: Self) {
        self.access.merge(later.access, true);
        self.error.merge(later.error, true);
    }

    /// Adds the tallies of another file (line numbers stay as they are).
    pub(crate) fn combine(&mut self, other: Self) {
        self.access.merge(other.access, false);
        self.error.merge(other.error, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Successes added in batches to two tables, then one absorbed into the other, give
        /// each client the latest time a plain map gives, and no time to a client never seen.
        #[test]
        fn the_success_table_keeps_each_clients_latest_time(
            lines in proptest::collection::vec((0u16..3000, -5i64..5_000_000), 0..6000),
            split in 0usize..6000,
        ) {
            let client = |c: u16| format!("203.0.{}.{}", c / 256, c % 256);
            let mut want = std::collections::HashMap::new();
            for &(c, t) in &lines {
                let e = want.entry(c).or_insert(t);
                *e = (*e).max(t);
            }
            let cut = split.min(lines.len());
            let batch = |part: &[(u16, i64)]| -> Vec<(u64, i64)> {
                part.iter().map(|&(c, t)| (hash_key(client(c).as_bytes()), t)).collect()
            };
            let (mut a, mut b) = (SuccessTable::default(), SuccessTable::default());
            for piece in batch(&lines[..cut]).chunks(700) {
                a.add_batch(piece);
            }
            b.add_batch(&batch(&lines[cut..]));
            a.absorb(b);
            for c in 0..3000u16 {
                proptest::prop_assert_eq!(a.latest(client(c).as_bytes()), want.get(&c).copied());
            }
            proptest::prop_assert!(!a.approximate);
        }
    }

    #[test]
    fn bursts_spanning_a_chunk_boundary_are_joined() {
        let mut a = ClientTable::default();
        let mut b = ClientTable::default();
        for s in 0..15 {
            a.add(b"1.2.3.4", 120 + s);
        }
        for s in 15..30 {
            b.add(b"1.2.3.4", 120 + s);
        }
        b.add(b"1.2.3.4", 300);
        a.merge(b);
        let c = &a.map[&b"1.2.3.4"[..]];
        assert_eq!(c.count, 31);
        assert_eq!(c.max_per_minute, 30);
        assert_eq!((c.first, c.last), (120, 300));
    }
}
