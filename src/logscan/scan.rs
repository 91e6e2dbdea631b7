//! The hot loop: one chunk of whole lines in, tallies out. Per line it does a few memchr-class
//! searches and fixed-offset checks; only 401 lines and error-log auth lines are looked at
//! closely, and nothing is allocated unless a key is new.

use std::sync::LazyLock;

use memchr::memchr_iter;

use super::access::{
    AccessRecord, ClfTail, Glance, clf_from_quotes, glance, parse_clf, parse_vhost,
};
use super::blocks;
use super::blocks::Quotes;
use super::counter::hash_key;
use super::errorlog::{self, ErrorLine};
use super::format::w3c::W3cLayout;
use super::format::{JsonScratch, LineFormat, haproxy, parse_json};
use super::stats::{
    AccessStats, AuthEvent, BURST_PER_MINUTE, ErrorStats, PROBE_LINE_LIMIT, ProbeLine,
    RECENT_EVENTS, SAMPLE_LIMIT, Sample, Stats,
};
use super::{redact, time};
use std::sync::Arc;

/// How access-log lines are laid out.
#[derive(Debug, Clone)]
pub enum AccessFormat {
    Combined,
    Common,
    /// An nginx `log_format`.
    Custom(Arc<LineFormat>),
    /// One JSON object per line (nginx escape=json, Caddy, Traefik).
    Json,
    /// Combined or common after a virtual-host field (Apache `vhost_combined`).
    Vhost(ClfTail),
    /// HAProxy `option httplog`.
    Haproxy,
    /// IIS W3C extended, with the columns of its `#Fields:` directive.
    W3c(Arc<W3cLayout>),
    /// One of the others behind a syslog, journal or docker-compose prefix.
    Prefixed(Arc<AccessFormat>),
    /// One of the others written by Tomcat's AccessLogValve, recognised by its requests
    /// (`/manager/html`, `j_security_check`, `;jsessionid=`): it names no user on a 401.
    Tomcat(Arc<AccessFormat>),
}

impl AccessFormat {
    /// Parses one line; the time comes back as seconds when the layout's time is not CLF
    /// text (which the caller reads from `time`, through its clock).
    pub fn parse<'a>(
        &self,
        line: &'a [u8],
        json: &'a mut JsonScratch,
    ) -> Option<(AccessRecord<'a>, Option<i64>)> {
        match self {
            Self::Combined => parse_clf(line, ClfTail::Combined).map(|r| (r, None)),
            Self::Common => parse_clf(line, ClfTail::Common).map(|r| (r, None)),
            Self::Vhost(tail) => parse_vhost(line, *tail).map(|r| (r, None)),
            Self::Custom(f) => f.parse(line),
            Self::Json => {
                let t = parse_json(line, json)?;
                Some((json.record(), t))
            }
            Self::Haproxy => haproxy::parse(line),
            Self::W3c(layout) => layout.parse(line),
            Self::Prefixed(inner) => inner.parse(super::prefix::strip(line)?.rest, json),
            Self::Tomcat(inner) => inner.parse(line, json),
        }
    }

    /// Whether the layout's times are the server's wall clock with no zone (HAProxy's).
    fn wall_clock_times(&self) -> bool {
        match self {
            Self::Haproxy => true,
            Self::Prefixed(inner) | Self::Tomcat(inner) => inner.wall_clock_times(),
            _ => false,
        }
    }

    /// Whether a 401's line names the user who tried. nginx and Apache log the user even
    /// when authentication fails; HAProxy never logs one, and Tomcat (its access log is
    /// recognised by name or by its requests) only after a successful login.
    pub(crate) fn records_user_on_401(&self, file: &str) -> bool {
        let tomcat = file.contains("localhost_access_log") || file.contains("catalina");
        match self {
            // IIS names only authenticated users, never the one a 401 turned away.
            Self::Haproxy | Self::W3c(_) | Self::Tomcat(_) => false,
            Self::Custom(f) => f.records_user(),
            Self::Prefixed(inner) => inner.records_user_on_401(file),
            Self::Combined | Self::Common | Self::Vhost(_) | Self::Json => !tomcat,
        }
    }

    /// How the layout is named in the report.
    pub fn label(&self) -> String {
        match self {
            Self::Combined => "combined".into(),
            Self::Common => "common".into(),
            Self::Custom(_) => "nginx log_format".into(),
            Self::Json => "JSON lines".into(),
            Self::Vhost(ClfTail::Combined) => "vhost_combined".into(),
            Self::Vhost(ClfTail::Common) => "vhost_common".into(),
            Self::Haproxy => "HAProxy httplog".into(),
            Self::W3c(_) => "IIS W3C extended".into(),
            Self::Prefixed(inner) => {
                format!("{}, behind a syslog or container prefix", inner.label())
            }
            Self::Tomcat(inner) => format!("{}, Tomcat", inner.label()),
        }
    }
}

/// What a file holds.
#[derive(Debug, Clone)]
pub enum Kind {
    Access(AccessFormat),
    Error,
}

impl Kind {
    pub fn label(&self) -> String {
        match self {
            Self::Access(f) => format!("access log ({})", f.label()),
            Self::Error => "error log".into(),
        }
    }
}

/// Which lines count.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub path: Option<Vec<u8>>,
    pub client: Option<Vec<u8>>,
    /// The wall clock of the times that state no zone (error logs).
    pub zone: time::Zone,
    /// `since`/`until` were given with no zone: wall-clock seconds until [`Self::settle_zone`].
    pub bounds_are_wall: bool,
}

impl Filters {
    /// Sets the zone of zone-less times and reads zone-less bounds in it, as a person reads
    /// the times their server's logs show.
    pub fn settle_zone(&mut self, zone: time::Zone) {
        self.zone = zone;
        if std::mem::take(&mut self.bounds_are_wall) {
            let mut clock = time::WallClock::new(zone);
            self.since = self.since.map(|t| clock.utc(t));
            self.until = self.until.map(|t| clock.utc(t));
        }
    }

    /// True when no filter is set: every line is kept.
    pub fn is_empty(&self) -> bool {
        self.since.is_none() && self.until.is_none() && self.path.is_none() && self.client.is_none()
    }

    fn time_ok(&self, t: Option<i64>) -> bool {
        match t {
            Some(t) => self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u),
            None => self.since.is_none() && self.until.is_none(),
        }
    }

    fn keep(&self, t: Option<i64>, client: &[u8], path: &[u8]) -> bool {
        self.time_ok(t)
            && self.client.as_deref().is_none_or(|c| c == client)
            && self.path.as_deref().is_none_or(|p| path.starts_with(p))
    }
}

/// Where the lines come from, for samples.
pub struct Origin<'a> {
    pub file: &'a str,
}

/// Scans one chunk of whole lines (the last may lack its newline) into `stats`.
pub(crate) fn scan_chunk(
    kind: &Kind,
    filters: &Filters,
    origin: &Origin<'_>,
    buf: &[u8],
    stats: &mut Stats,
) {
    match kind {
        Kind::Access(format) => {
            let mut scanner = AccessScanner {
                format,
                filters,
                origin,
                stats: &mut stats.access,
                clock: time::ClfClock::default(),
                json: JsonScratch::default(),
                successes: Vec::with_capacity(SUCCESS_BATCH),
                filtering: !filters.is_empty(),
                last_time: 0,
                records_user: format.records_user_on_401(origin.file),
                wall: time::WallClock::new(filters.zone),
                wall_clock_times: format.wall_clock_times(),
            };
            match format {
                // Most lines only count (status, time, the client's success): a glance at
                // their quotes is enough, and only 401s and probes are parsed in full.
                AccessFormat::Combined if !scanner.filtering => {
                    blocks::for_each_line(
                        buf,
                        #[inline(always)]
                        |line, quotes| scanner.glance_line(line, quotes),
                    );
                }
                AccessFormat::Combined | AccessFormat::Common => {
                    let tail = if matches!(format, AccessFormat::Combined) {
                        ClfTail::Combined
                    } else {
                        ClfTail::Common
                    };
                    blocks::for_each_line(buf, |line, quotes| {
                        match clf_from_quotes(line, quotes, tail) {
                            Some(rec) => {
                                scanner.stats.lines += 1;
                                scanner.record(&rec, None);
                            }
                            None => scanner.line(line),
                        }
                    });
                }
                _ => for_each_line(buf, |line| scanner.line(line)),
            }
            scanner.flush_successes();
        }
        Kind::Error => {
            let mut scanner = ErrorScanner {
                filters,
                origin,
                stats: &mut stats.error,
                clock: time::WallClock::new(filters.zone),
            };
            scanner.chunk(buf);
        }
    }
}

fn for_each_line(buf: &[u8], mut f: impl FnMut(&[u8])) {
    let mut start = 0;
    for nl in memchr_iter(b'\n', buf) {
        f(&buf[start..nl]);
        start = nl + 1;
    }
    if start < buf.len() {
        f(&buf[start..]);
    }
}

fn sample(samples: &mut Vec<Sample>, origin: &Origin<'_>, line_no: u64, text: &[u8]) {
    if samples.len() < SAMPLE_LIMIT {
        samples.push(Sample {
            file: origin.file.to_owned(),
            line: line_no,
            text: redact::shown_line(text),
        });
    }
}

struct AccessScanner<'a> {
    format: &'a AccessFormat,
    filters: &'a Filters,
    origin: &'a Origin<'a>,
    stats: &'a mut AccessStats,
    clock: time::ClfClock,
    json: JsonScratch,
    /// Successes (client, time) of the lines scanned since the last flush.
    successes: Vec<(u64, i64)>,
    /// True when any filter is set.
    filtering: bool,
    /// The time of the previous line, already in the time range.
    last_time: i64,
    /// False when the layout never names the user of a 401.
    records_user: bool,
    /// Zone-less times to UTC, in the zone of the run.
    wall: time::WallClock,
    /// True when the layout's times state no zone.
    wall_clock_times: bool,
}

/// Successes gathered before they go into the table together: lookups in a tight loop
/// overlap their cache misses, where one per line waits for each.
const SUCCESS_BATCH: usize = 4096;

impl AccessScanner<'_> {
    fn flush_successes(&mut self) {
        self.stats.success.add_batch(&self.successes);
        self.successes.clear();
    }

    /// Any line of any access format, parsed in full (out of line: the combined fast path
    /// stays small enough to inline).
    #[inline(never)]
    fn line(&mut self, raw: &[u8]) {
        self.stats.lines += 1;
        let mut line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.is_empty() {
            self.stats.blank += 1;
            return;
        }
        if line[0] == 0 {
            let start = line.iter().position(|&c| c != 0).unwrap_or(line.len());
            line = &line[start..];
            self.stats.nul_prefixed += 1;
        }
        let format = self.format;
        if let AccessFormat::Combined | AccessFormat::Common = format {
            // Handled here rather than through `AccessFormat::parse`, which costs a copy of
            // the record on every line.
            let tail = if matches!(format, AccessFormat::Combined) {
                ClfTail::Combined
            } else {
                ClfTail::Common
            };
            match parse_clf(line, tail) {
                Some(rec) => self.record(&rec, None),
                None => self.malformed(raw),
            }
            return;
        }
        if line[0] == b'#' && matches!(format, AccessFormat::W3c(_)) {
            // W3C directives (#Software, #Fields, ...) are not requests.
            self.stats.blank += 1;
            return;
        }
        let mut scratch = std::mem::take(&mut self.json);
        match format.parse(line, &mut scratch) {
            Some((rec, t)) => self.record(&rec, t),
            None => self.malformed(raw),
        }
        self.json = scratch;
    }

    fn malformed(&mut self, raw: &[u8]) {
        self.stats.malformed += 1;
        let n = self.stats.lines;
        sample(&mut self.stats.samples, self.origin, n, raw);
    }

    /// Seconds of a CLF time (or an ISO one, as custom formats may write).
    fn clf_time(&mut self, text: &[u8]) -> Option<i64> {
        match text.len() {
            26 => self.clock.seconds(text),
            0 => None,
            20 => time::parse_clf_local(text).map(|t| self.wall.utc(t)),
            _ => time::parse_iso(std::str::from_utf8(text).ok()?),
        }
    }

    /// Whether the filters keep the line. Most lines need only client, time and status: the
    /// record is copied (to split its request) only for a path filter.
    fn keeps(&self, rec: &AccessRecord<'_>, t: Option<i64>) -> bool {
        if self.filters.path.is_some() {
            let mut r = *rec;
            r.resolve();
            self.filters.keep(t, r.client, r.target)
        } else {
            self.filters.keep(t, rec.client, rec.target)
        }
    }

    /// Tallies one parsed line. Kept small enough to inline into the scan loop; the rarer
    /// lines (401s and why401's own probes) are tallied out of line.
    #[inline]
    fn record(&mut self, rec: &AccessRecord<'_>, known_time: Option<i64>) {
        let t = match known_time {
            Some(t) if self.wall_clock_times => Some(self.wall.utc(t)),
            Some(t) => Some(t),
            None => self.clf_time(rec.time),
        };
        if self.filtering && !self.keeps(rec, t) {
            self.stats.filtered_out += 1;
            return;
        }
        let t = self.tally(rec.status, rec.client, t);
        let probe = rec.user_agent.starts_with(b"why401/");
        if rec.status == 401 || probe {
            self.record_closely(rec, t, probe);
        }
    }

    /// Tallies a combined line (no filter is set): at a glance when its quotes have the plain
    /// shape, else parsed in full. Inlined into the line loop: a call per line costs more
    /// than the glance's checks.
    #[inline(always)]
    #[allow(clippy::inline_always)]
    fn glance_line(&mut self, line: &[u8], quotes: &Quotes) {
        match glance(line, quotes) {
            Some(g) => {
                self.stats.lines += 1;
                self.glance(&g, line, quotes);
            }
            None => self.line(line),
        }
    }

    /// Tallies a line seen at a glance (no filter is set); a 401 or a probe's line is then
    /// parsed in full.
    #[inline(always)]
    #[allow(clippy::inline_always)]
    fn glance(&mut self, g: &Glance<'_>, line: &[u8], quotes: &Quotes) {
        let t = self.clock.seconds(g.time);
        let t = self.tally(g.status, g.client, t);
        if g.status == 401 || g.agent_head == b"why401/" {
            self.glanced_closely(line, quotes, t);
        }
    }

    #[inline(never)]
    fn glanced_closely(&mut self, line: &[u8], quotes: &Quotes, t: i64) {
        let rec = clf_from_quotes(line, quotes, ClfTail::Combined)
            .or_else(|| parse_clf(line, ClfTail::Combined));
        if let Some(rec) = rec {
            let probe = rec.user_agent.starts_with(b"why401/");
            self.record_closely(&rec, t, probe);
        }
    }

    /// What every kept line counts: its status, its time in the range, and a success of its
    /// client. Returns the time (0 when the line has none).
    #[inline(always)]
    #[allow(clippy::inline_always)] // once per line, in the scan loop
    fn tally(&mut self, status: u16, client: &[u8], t: Option<i64>) -> i64 {
        let st = &mut *self.stats;
        st.status[usize::from(status.min(999))] += 1;
        let t = t.unwrap_or(0);
        // Lines come in time order, mostly: the range moves only when the second does.
        if t != 0 && t != self.last_time {
            st.see_time(t);
            self.last_time = t;
        }
        if (200..300).contains(&status) || status == 304 {
            if self.successes.len() == SUCCESS_BATCH {
                self.flush_successes();
            }
            self.successes.push((hash_key(client), t));
        }
        t
    }

    /// A 401 or a probe's line: every field counts.
    #[inline(never)]
    fn record_closely(&mut self, rec: &AccessRecord<'_>, t: i64, probe: bool) {
        let st = &mut *self.stats;
        let mut rec = *rec;
        rec.resolve();
        if probe {
            // The latest are kept: a walk reads the log right after its own requests, which
            // come last, behind every earlier run's.
            let n = st.lines;
            st.probe_lines.push(probe_line(self.origin, n, &rec, t));
            if st.probe_lines.len() >= 2 * PROBE_LINE_LIMIT {
                st.probe_lines.drain(..PROBE_LINE_LIMIT);
            }
        }
        if rec.status != 401 {
            return;
        }
        if probe {
            // why401's own requests are shown apart, never counted as bursts or CORS.
            st.probe_401 += 1;
            st.pending.push(rec.client, t, true);
        } else {
            record_401(st, &rec, t, self.records_user);
        }
    }
}

fn probe_line(origin: &Origin<'_>, line: u64, rec: &AccessRecord<'_>, t: i64) -> ProbeLine {
    ProbeLine {
        file: origin.file.to_owned(),
        line,
        time: (t != 0).then_some(t),
        client: redact::shown_line(rec.client),
        method: redact::shown_line(rec.method),
        target: redact::target(rec.target),
        status: rec.status,
        user_agent: redact::shown_line(rec.user_agent),
        user: redact::shown_line(rec.user),
        connection: rec.connection,
        zone: time::stated_offset(rec.time),
    }
}

/// A request target without its query.
pub(crate) fn without_query(target: &[u8]) -> &[u8] {
    memchr::memchr(b'?', target).map_or(target, |i| &target[..i])
}

/// Static files a browser fetches on its own after a cancelled password prompt.
fn is_asset(target: &[u8]) -> bool {
    const EXT: [&[u8]; 10] = [
        b".ico", b".png", b".css", b".js", b".svg", b".woff", b".woff2", b".jpg", b".gif", b".map",
    ];
    let path = target.split(|&c| c == b'?').next().unwrap_or(target);
    path.starts_with(b"/apple-touch-icon") || EXT.iter().any(|e| path.ends_with(e))
}

/// Load balancer and uptime checks: they fail on their own schedule, not the person's. A
/// check is told by its path or by its agent ([`is_health_agent`]).
fn is_health_path(target: &[u8]) -> bool {
    const PATHS: [&[u8]; 5] = [b"/health", b"/healthz", b"/ping", b"/status", b"/ready"];
    PATHS.iter().any(|p| target.starts_with(p))
}

/// The User-Agent of a load balancer's or an uptime service's check. Asked once per distinct
/// agent (the agents' counter remembers the answer), not once per 401.
fn is_health_agent(agent: &[u8]) -> bool {
    // One search for all six names (a literal set), not one per name.
    static AGENTS: LazyLock<Option<regex::bytes::Regex>> = LazyLock::new(|| {
        regex::bytes::Regex::new(
            "kube-probe|ELB-HealthChecker|GoogleHC|Pingdom|UptimeRobot|Consul Health",
        )
        .ok()
    });
    AGENTS.as_ref().is_some_and(|re| re.is_match(agent))
}

fn record_401(st: &mut AccessStats, rec: &AccessRecord<'_>, t: i64, records_user: bool) {
    st.status_401 += 1;
    st.paths.add(rec.target, 1);
    let health_agent = st.agents.add_marked(rec.user_agent, 1, is_health_agent);
    if !records_user {
        st.unknown_user_401 += 1;
    } else if rec.user.is_empty() || rec.user == b"-" {
        st.anonymous_401 += 1;
    } else {
        st.users.add(rec.user, 1);
    }
    if rec.substatus != 0 || rec.win32 != 0 {
        *st.substatus_401
            .entry((rec.substatus, rec.win32))
            .or_insert(0) += 1;
    }
    if rec.method == b"OPTIONS" {
        st.options_401 += 1;
    }
    if is_asset(rec.target) {
        st.asset_401 += 1;
    } else if health_agent || is_health_path(rec.target) {
        st.health_401 += 1;
    }
    st.pending.push(rec.client, t, false);
    if t != 0 {
        *st.timeline.entry(t.div_euclid(60)).or_insert(0) += 1;
        st.first_401 = Some(st.first_401.map_or(t, |f| f.min(t)));
        st.last_401 = Some(st.last_401.map_or(t, |l| l.max(t)));
    }
}

struct ErrorScanner<'a> {
    filters: &'a Filters,
    origin: &'a Origin<'a>,
    stats: &'a mut ErrorStats,
    clock: time::WallClock,
}

impl ErrorScanner<'_> {
    /// Every entry of a chunk; an nginx entry whose user name holds newlines is taken whole.
    fn chunk(&mut self, buf: &[u8]) {
        let mut start = 0;
        while start < buf.len() {
            let end = memchr::memchr(b'\n', &buf[start..]).map_or(buf.len(), |i| start + i);
            let raw = &buf[start..end];
            let line = raw.strip_suffix(b"\r").unwrap_or(raw);
            let class = errorlog::classify(line);
            if matches!(class, ErrorLine::Open)
                && let Some((len, extra)) = errorlog::continued_entry(&buf[start..], end - start)
            {
                let raw = &buf[start..start + len];
                let entry = raw.strip_suffix(b"\r").unwrap_or(raw);
                self.stats.lines += extra;
                self.line(raw, entry, errorlog::classify(entry));
                start += len + 1;
                continue;
            }
            self.line(raw, line, class);
            start = end + 1;
        }
    }

    fn line(&mut self, raw: &[u8], line: &[u8], class: ErrorLine<'_>) {
        let st = &mut *self.stats;
        st.lines += 1;
        if line.is_empty() {
            return;
        }
        let mut ev = match class {
            ErrorLine::Auth(ev) => ev,
            ErrorLine::Other | ErrorLine::Open => return,
            ErrorLine::Malformed => {
                st.malformed += 1;
                let n = st.lines;
                sample(&mut st.samples, self.origin, n, raw);
                return;
            }
        };
        let wall = ev.time.filter(|_| !ev.zoned);
        if let Some(w) = wall {
            ev.time = Some(self.clock.utc(w));
        }
        if !self.filters.keep(ev.time, ev.client, ev.path) {
            st.filtered_out += 1;
            return;
        }
        *st.reasons.entry(ev.reason).or_insert(0) += 1;
        let t = ev.time.unwrap_or(0);
        if ev.reason.is_credential_failure() {
            st.clients.add(ev.client, 1);
            st.paths.add(ev.path, 1);
            if !ev.user.is_empty() {
                st.users.add(ev.user, 1);
            }
            st.burst_clients.add(ev.client, t);
            *st.timeline.entry(t.div_euclid(60)).or_insert(0) += 1;
        }
        if let Some(t) = ev.time {
            st.first = Some(st.first.map_or(t, |f| f.min(t)));
            st.last = Some(st.last.map_or(t, |l| l.max(t)));
        }
        let n = st.lines;
        st.examples.entry(ev.reason).or_insert_with(|| Sample {
            file: self.origin.file.to_owned(),
            line: n,
            text: redact::shown_line(line),
        });
        if st.recent.len() >= RECENT_EVENTS {
            st.recent.pop_front();
        }
        st.recent.push_back(AuthEvent {
            time: ev.time,
            wall,
            client: redact::shown_line(ev.client),
            reason: ev.reason,
            text: redact::shown_line(line),
            path: redact::target(without_query(ev.path)),
            user: redact::shown_line(ev.user),
            connection: ev.connection,
        });
    }
}

/// True when a client's 401s came in a burst.
pub(crate) fn is_burst(max_per_minute: u64) -> bool {
    max_per_minute >= BURST_PER_MINUTE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_checks_are_told_by_path_or_agent() {
        for agent in [
            "kube-probe/1.29",
            "ELB-HealthChecker/2.0",
            "GoogleHC/1.0",
            "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)",
            "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
            "Consul Health Check",
        ] {
            assert!(is_health_agent(agent.as_bytes()), "{agent}");
        }
        assert!(is_health_path(b"/healthz") && !is_health_agent(b"curl/8.0"));
        let browser = b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
        assert!(!is_health_path(b"/admin") && !is_health_agent(browser));
    }

    /// One chunk of a combined log, scanned.
    fn scan_combined(log: &[u8]) -> Stats {
        let mut st = Stats::default();
        let kind = Kind::Access(AccessFormat::Combined);
        scan_chunk(
            &kind,
            &Filters::default(),
            &Origin { file: "a.log" },
            log,
            &mut st,
        );
        st
    }

    /// Health checks are counted by path or by agent on every 401, also when the agent was
    /// seen before (its answer is remembered), and never for an asset; the clients' 401s,
    /// held by the chunk, count once it is settled.
    #[test]
    fn health_checks_and_clients_count_on_every_401() {
        let line = |client: &str, path: &str, agent: &str| {
            format!(
                "{client} - - [01/Nov/2026:00:00:00 +0000] \"GET {path} HTTP/1.1\" 401 0 \"-\" \"{agent}\"\n"
            )
        };
        let log = [
            line("10.0.0.1", "/api", "kube-probe/1.29"),
            line("10.0.0.1", "/api", "kube-probe/1.29"),
            line("10.0.0.1", "/logo.png", "kube-probe/1.29"),
            line("10.0.0.2", "/healthz", "Mozilla/5.0"),
            line("10.0.0.2", "/admin", "Mozilla/5.0"),
        ]
        .concat();
        let mut st = scan_combined(log.as_bytes());
        let a = &mut st.access;
        assert_eq!((a.status_401, a.health_401, a.asset_401), (5, 3, 1));
        a.settle();
        let count = |c: &str| a.clients.map.get(c.as_bytes()).map(|i| i.count);
        assert_eq!((count("10.0.0.1"), count("10.0.0.2")), (Some(3), Some(2)));
    }

    /// why401's own requests (their User-Agent marker) are counted apart: a probe's OPTIONS
    /// 401 is neither a 401 of the site's users nor a CORS preflight failure.
    #[test]
    fn probe_requests_are_counted_apart() {
        let log = concat!(
            "127.0.0.1 - - [01/Nov/2026:00:00:00 +0000] \"OPTIONS /api HTTP/1.1\" 401 0 \"-\" \"why401/0.1.0 probe/abc\"\n",
            "127.0.0.1 - - [01/Nov/2026:00:00:01 +0000] \"OPTIONS /api HTTP/1.1\" 401 0 \"-\" \"Mozilla/5.0\"\n",
            "127.0.0.1 - - [01/Nov/2026:00:00:02 +0000] \"GET /api HTTP/1.1\" 200 5 \"-\" \"why401/0.1.0 probe/abc\"\n",
        );
        let st = scan_combined(log.as_bytes());
        let a = &st.access;
        assert_eq!(
            (
                a.lines,
                a.status_401,
                a.options_401,
                a.probe_401,
                a.probe_lines.len()
            ),
            (3, 1, 1, 1, 2)
        );
    }
}
