//! The terminal form of a log report: short sections, most telling first, no colour needed.

use std::fmt::Write as _;
use std::time::Duration;

use crate::diagnose::cause;
use crate::logscan::Summary;
use crate::logscan::errorlog::Reason;
use crate::sanitize::Outside;

/// `1234567` → `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn bytes(n: u64) -> String {
    if n >= 1 << 30 {
        format!("{:.1} GiB", n as f64 / f64::from(1u32 << 30))
    } else if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / f64::from(1u32 << 20))
    } else {
        format!("{:.1} KiB", n as f64 / 1024.0)
    }
}

fn header(s: &Summary, elapsed: Duration, o: &mut String) {
    let total: u64 = s.files.iter().map(|f| f.bytes).sum();
    let _ = writeln!(
        o,
        "Read {} line(s), {} from {} input(s) in {:.2} s",
        thousands(s.lines),
        bytes(total),
        s.files.len(),
        elapsed.as_secs_f64()
    );
    for f in &s.files {
        let _ = writeln!(o, "  {}: {}, {} lines", f.file, f.kind, thousands(f.lines));
        if !f.user_on_401 {
            let _ = writeln!(
                o,
                "    this log never names the user of a 401, so it cannot tell whether credentials were sent"
            );
        }
    }
    for why in &s.skipped {
        let _ = writeln!(o, "  skipped {why}");
    }
    if let Some(zone) = &s.error_times_zone {
        let _ = writeln!(
            o,
            "  error-log times state no zone: read as {zone} (shown here in UTC)"
        );
    }
    if s.filtered_out > 0 {
        let _ = writeln!(
            o,
            "  {} line(s) outside --since/--until/--path/--client",
            thousands(s.filtered_out)
        );
    }
}

fn access(s: &Summary, o: &mut String) {
    if s.access_lines == 0 {
        return;
    }
    let _ = writeln!(
        o,
        "\n401 Unauthorized: {} ({:.2}% of requests)",
        thousands(s.status_401),
        s.rate_401 * 100.0
    );
    if s.status_401 == 0 {
        return;
    }
    if let (Some(f), Some(l)) = (s.timeline.buckets.first(), s.timeline.buckets.last()) {
        let _ = writeln!(
            o,
            "  per {}, {} → {} UTC",
            s.timeline.unit, f.start, l.start
        );
        let _ = writeln!(o, "  {}", s.timeline.sparkline);
    }
    let told = s.status_401 - s.unknown_user_401;
    if told > 0 {
        let _ = writeln!(
            o,
            "  {} without a user name, {} with one",
            thousands(s.anonymous_401),
            thousands(told - s.anonymous_401)
        );
    }
    if s.unknown_user_401 > 0 {
        let _ = writeln!(
            o,
            "  {} in logs that never name the user of a 401 (the log cannot tell whether credentials were sent)",
            thousands(s.unknown_user_401)
        );
    }
    for sub in &s.iis_substatus {
        let _ = writeln!(
            o,
            "    {:>8}  IIS 401.{} (win32 {}): {}",
            thousands(sub.count),
            sub.substatus,
            sub.win32_status,
            sub.meaning
        );
    }
    list(
        o,
        "Top paths",
        s.top_paths.iter().map(|p| (&p.path, p.count)),
    );
    if !s.top_clients.is_empty() {
        let _ = writeln!(o, "  Top clients:");
        for c in &s.top_clients {
            let fate = if c.got_through {
                "got through later"
            } else {
                "never got through"
            };
            let _ = writeln!(
                o,
                "    {:>8}  {}  ({} → {}, up to {}/min, {fate})",
                thousands(c.count),
                c.client,
                c.first_seen,
                c.last_seen,
                c.max_per_minute
            );
        }
    }
    list(
        o,
        "User agents",
        s.top_user_agents.iter().map(|k| (&k.name, k.count)),
    );
    list(
        o,
        "Users named",
        s.top_users.iter().map(|k| (&k.name, k.count)),
    );
    let _ = writeln!(
        o,
        "  Retrying: {} client(s) got a 2xx/304 after a 401, {} never did",
        thousands(s.retry.got_through),
        thousands(s.retry.never)
    );
    let n = &s.noise;
    if n.assets + n.health_checks + n.preflight > 0 {
        let _ = writeln!(
            o,
            "  Noise: {} on favicons/assets (fetched after a cancelled prompt), {} health checks, {} CORS preflights",
            n.assets, n.health_checks, n.preflight
        );
    }
}

/// A top list; each name a stranger chose, printed through the sanitiser.
fn list<'a>(o: &mut String, title: &str, items: impl Iterator<Item = (&'a Outside, u64)>) {
    let items: Vec<_> = items.collect();
    if items.is_empty() {
        return;
    }
    let _ = writeln!(o, "  {title}:");
    for (k, n) in items {
        let _ = writeln!(o, "    {:>8}  {k}", thousands(n));
    }
}

fn errors(s: &Summary, o: &mut String) {
    if s.auth_failures.is_empty() {
        if s.error_lines > 0 {
            let _ = writeln!(o, "\nError log: no authentication messages");
        }
        return;
    }
    let total: u64 = s.auth_failures.values().sum();
    let cred = s.auth_failure_lines;
    if cred == total {
        let _ = writeln!(
            o,
            "\nError log: {} failure(s) of the credentials sent",
            thousands(cred)
        );
    } else {
        let _ = writeln!(
            o,
            "\nError log: {} authentication message(s), {} of them failures of the credentials sent",
            thousands(total),
            thousands(cred)
        );
    }
    if !s.error_timeline.sparkline.is_empty() {
        let _ = writeln!(
            o,
            "  credential failures per {}: {}",
            s.error_timeline.unit, s.error_timeline.sparkline
        );
    }
    let groups = [
        ("Failures of the credentials sent", true),
        ("Server and configuration (not the credentials)", false),
    ];
    for (title, credential) in groups {
        let rows: Vec<_> = Reason::ALL
            .iter()
            .filter(|r| r.is_credential_failure() == credential)
            .filter_map(|r| s.auth_failures.get(r.key()).map(|n| (*r, *n)))
            .collect();
        if rows.is_empty() {
            continue;
        }
        if cred != total {
            let _ = writeln!(o, "  {title}:");
        }
        for (r, n) in rows {
            let _ = writeln!(o, "    {:>8}  {} ({})", thousands(n), r.key(), r.describe());
        }
    }
    list(
        o,
        "Credential failures per user",
        s.failures_by_user.iter().map(|k| (&k.name, k.count)),
    );
    list(
        o,
        "Credential failures per client",
        s.failures_by_client.iter().map(|k| (&k.name, k.count)),
    );
    list(
        o,
        "Credential failures per path",
        s.failures_by_path.iter().map(|p| (&p.path, p.count)),
    );
}

fn extras(s: &Summary, o: &mut String) {
    if !s.bursts.is_empty() {
        let _ = writeln!(o, "\nBursts (20+ failures in one minute from one client):");
        for b in s.bursts.iter().take(10) {
            let _ = writeln!(o, "    {:>8}/min  {}", b.count, b.name);
        }
    }
    if !s.probe_groups.is_empty() {
        let _ = writeln!(
            o,
            "\nwhy401's own probe requests ({} answered 401, counted apart from the 401s above):",
            thousands(s.probe_401)
        );
        for g in &s.probe_groups {
            let _ = writeln!(
                o,
                "  {:>8}× {} {} → {}  [probe {}]",
                thousands(g.count),
                g.method,
                g.path,
                g.status,
                g.marker
            );
            for r in &g.error_reasons {
                let _ = writeln!(
                    o,
                    "  {:>8}× error log, same request: {}",
                    thousands(r.count),
                    r.name
                );
            }
        }
    }
    if s.malformed > 0 {
        let _ = writeln!(
            o,
            "\nMalformed lines: {} (skipped; first {} shown)",
            thousands(s.malformed),
            s.malformed_samples.len()
        );
        for m in &s.malformed_samples {
            let _ = writeln!(o, "  {}:{}: {}", m.file, m.line, m.text);
        }
    }
    if s.nul_prefixed > 0 {
        let _ = writeln!(
            o,
            "  {} record(s) after a run of NUL bytes (copytruncate rotation)",
            s.nul_prefixed
        );
    }
    if s.approximate {
        let _ = writeln!(
            o,
            "\nNote: very many distinct keys; the rarest were dropped, so top-list counts are lower bounds."
        );
    }
}

fn causes(s: &Summary, o: &mut String) {
    if s.causes.is_empty() {
        let _ = writeln!(o, "\nNo authentication problem found in these logs.");
        return;
    }
    let _ = writeln!(o, "\nLikely causes (most likely first):");
    for c in &s.causes {
        let (title, fix) = cause(&c.id).map_or(("", ""), |k| (k.title, k.fix));
        let _ = writeln!(o, "  {} ({:.0}%) {title}", c.id, c.confidence * 100.0);
        for e in &c.evidence {
            let _ = writeln!(o, "      {e}");
        }
        if !fix.is_empty() {
            let _ = writeln!(o, "      fix: {fix}");
        }
    }
}

/// The whole report as text.
pub fn text(s: &Summary, elapsed: Duration) -> String {
    let mut o = String::new();
    header(s, elapsed, &mut o);
    causes(s, &mut o);
    access(s, &mut o);
    errors(s, &mut o);
    extras(s, &mut o);
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
