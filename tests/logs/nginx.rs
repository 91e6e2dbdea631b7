//! A real nginx writes real logs (no credentials, wrong password, unknown user, then a good
//! one); `why401 logs` must count each and name each cause. Also: --follow across a rotation.
//! (The follow test writes the log itself, so it needs no server.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::logs_report;
use crate::support::servers;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::prelude::*;
use logs_report::get;
use serde_json::Value;

const PASSWORD: &str = "correct-horse-canary";

/// Waits until nginx has written `n` access-log lines (it writes after the response).
fn wait_lines(n: &servers::Nginx, want: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while n.access_log().lines().count() < want && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn real_nginx_logs_give_each_count_and_cause() {
    let Some(n) = logs_report::nginx_with_alice(PASSWORD) else {
        return;
    };
    let browser = "Mozilla/5.0 test";
    let probe = "why401/0.1.0 probe/feedc0ffee01";
    for _ in 0..3 {
        assert_eq!(get(n.port, "/", None, browser), 401);
    }
    assert_eq!(get(n.port, "/", Some("alice:wrong-canary-1"), browser), 401);
    assert_eq!(get(n.port, "/", Some("alice:wrong-canary-2"), probe), 401);
    assert_eq!(
        get(n.port, "/", Some("mallory:whatever-canary"), browser),
        401
    );
    assert_eq!(
        get(n.port, "/", Some(&format!("alice:{PASSWORD}")), browser),
        200
    );
    wait_lines(&n, 7);

    let out = Command::cargo_bin("why401")
        .unwrap()
        .args(["logs", "--json", "--probe-marker", "feedc0ffee01"])
        .arg(n.path("access.log"))
        .arg(n.path("error.log"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for secret in [PASSWORD, "wrong-canary", "whatever-canary"] {
        assert!(!text.contains(secret));
    }
    let r: Value = serde_json::from_str(&text).unwrap();
    // The probe's own 401 is shown apart, not among the site's 401s.
    assert_eq!(r["status_401"], 5);
    assert_eq!(r["probe_401"], 1);
    assert_eq!(r["status_counts"]["200"], 1);
    assert_eq!(r["malformed"], 0);
    assert_eq!(r["anonymous_401"], 3);
    let af = &r["auth_failures"];
    assert_eq!(
        (
            af["no_credentials"].as_u64(),
            af["password_mismatch"].as_u64(),
            af["user_not_found"].as_u64()
        ),
        (Some(3), Some(2), Some(1)),
        "{af}"
    );
    assert_eq!(
        r["failures_by_user"][0],
        serde_json::json!({"name": "alice", "count": 2})
    );
    assert_eq!(r["top_clients"][0]["client"], "127.0.0.1");
    assert_eq!(r["top_clients"][0]["got_through"], true);
    let ids = logs_report::cause_ids(&r);
    for id in [
        "password-mismatch",
        "user-unknown",
        "no-credentials-sent",
        "bad-credentials",
    ] {
        assert!(ids.iter().any(|i| i == id), "{id} missing from {ids:?}");
    }
    let probes = r["probe_lines"].as_array().unwrap();
    assert_eq!(probes.len(), 1);
    assert_eq!(probes[0]["status"], 401);
    // Grouped by reason as the text report groups them (every request here came from one
    // client within a second or so, so the other failures are beside it too).
    let reasons = probes[0]["error_reasons"].as_array().unwrap();
    assert!(
        reasons
            .iter()
            .any(|r| r["name"] == "wrong password" && r["count"].as_u64() >= Some(1)),
        "{reasons:?}"
    );
    let mut names: Vec<&str> = reasons
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names.len(),
        reasons.len(),
        "one entry per reason: {reasons:?}"
    );
    let errs = probes[0]["error_lines"].as_array().unwrap();
    assert!(
        errs.iter()
            .any(|e| e.as_str().unwrap().contains("password mismatch")),
        "{errs:?}"
    );
}

/// `why401 logs --follow ARGS FILE` running, and the lines it prints.
fn watch(
    args: &[&str],
    file: &std::path::Path,
) -> (
    std::process::Child,
    std::io::Lines<BufReader<std::process::ChildStdout>>,
) {
    let mut child = Command::cargo_bin("why401")
        .unwrap()
        .args(["logs", "--follow"])
        .args(args)
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    (child, lines)
}

#[test]
fn follow_shows_new_401s_and_survives_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    std::fs::write(&log, "").unwrap();
    let (mut child, mut lines) = watch(&["--follow-for", "8s"], &log);
    std::thread::sleep(Duration::from_millis(400));
    // A line written by hand, then the log rotated away and a new file started.
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    writeln!(
        f,
        r#"10.1.1.1 - - [01/Nov/2026:10:00:00 +0000] "GET /before HTTP/1.1" 401 1 "-" "x""#
    )
    .unwrap();
    let first = lines.next().unwrap().unwrap();
    assert!(
        first.contains("/before") && first.contains(" 401"),
        "{first}"
    );
    std::fs::rename(&log, dir.path().join("access.log.1")).unwrap();
    std::fs::write(&log, "").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(&log, "10.1.1.2 - - [01/Nov/2026:10:00:01 +0000] \"GET /after HTTP/1.1\" 401 1 \"-\" \"x\"\n10.1.1.2 - - [01/Nov/2026:10:00:01 +0000] \"GET /ok HTTP/1.1\" 200 1 \"-\" \"x\"\n").unwrap();
    let second = lines.next().unwrap().unwrap();
    assert!(second.contains("/after"), "{second}");
    let _ = child.kill();
    let _ = child.wait();
}

/// nginx writes a Basic user name into error.log as the client sent it (`%V`), newlines and
/// all, so one entry spans lines. Each such entry must count once, as nginx's fixed text says
/// (user not found, from 127.0.0.1), and no piece of it may count as a line of its own.
#[test]
fn a_user_name_with_a_newline_stays_one_entry() {
    let Some(n) = logs_report::nginx_with_alice(PASSWORD) else {
        return;
    };
    let agent = "Mozilla/5.0 test";
    let names = [
        "ev\nil",
        "two\n\nbreaks",
        "tab\tand\r\ncrlf",
        "x\nno user/password was provided for basic authentication",
    ];
    for name in names {
        assert_eq!(
            get(n.port, "/", Some(&format!("{name}:pw-canary")), agent),
            401
        );
    }
    assert_eq!(get(n.port, "/", None, agent), 401);
    wait_lines(&n, names.len() + 1);
    let error_log = n.error_log();
    // The premise: nginx really wrote the raw newline (the name's second part opens a line).
    assert!(error_log.contains("\nil\" was not found in"), "{error_log}");

    let out = Command::cargo_bin("why401")
        .unwrap()
        .args(["logs", "--json"])
        .arg(n.path("error.log"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("pw-canary"));
    let r: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(r["malformed"], 0, "{r}");
    let af = &r["auth_failures"];
    assert_eq!(
        (af["user_not_found"].as_u64(), af["no_credentials"].as_u64()),
        (Some(4), Some(1)),
        "{af}"
    );
    assert_eq!(r["auth_failure_lines"], 5, "{r}");
    assert_eq!(r["failures_by_client"][0]["name"], "127.0.0.1", "{r}");
    assert_eq!(r["failures_by_client"][0]["count"], 5, "{r}");
    let users: Vec<&str> = r["failures_by_user"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert!(users.contains(&"ev\\x0ail"), "{users:?}");

    // The text report shows the name's newline as an escape, never as a line break.
    let out = Command::cargo_bin("why401")
        .unwrap()
        .arg("logs")
        .arg(n.path("error.log"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("\nil"), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("breaks")), "{text}");
}

/// `--follow` on the error log a real nginx is writing: an entry whose Basic user name holds
/// newlines comes out as one event of nginx's class (user not found), as the batch reader
/// counts it; no piece of it is lost or shown on its own.
#[test]
fn follow_joins_an_entry_whose_user_name_holds_a_newline() {
    let Some(n) = logs_report::nginx_with_alice(PASSWORD) else {
        return;
    };
    let (mut child, mut lines) = watch(&["--json", "--follow-for", "20s"], &n.path("error.log"));
    // The watch shows only what is written after it starts.
    std::thread::sleep(Duration::from_millis(600));
    let agent = "Mozilla/5.0 test";
    for name in ["ev\nil", "two\n\nbreaks"] {
        assert_eq!(
            get(n.port, "/", Some(&format!("{name}:pw-canary")), agent),
            401
        );
    }
    assert_eq!(get(n.port, "/", None, agent), 401);
    let mut events = Vec::new();
    for _ in 0..3 {
        let line = lines
            .next()
            .expect("the watch ended before three events")
            .unwrap();
        assert!(!line.contains("pw-canary"), "{line}");
        events.push(serde_json::from_str::<Value>(&line).unwrap());
    }
    let _ = child.kill();
    let _ = child.wait();
    let what: Vec<&str> = events.iter().map(|e| e["what"].as_str().unwrap()).collect();
    assert_eq!(what, ["user_not_found", "user_not_found", "no_credentials"]);
    let text = events[0]["text"].as_str().unwrap();
    assert!(
        text.contains(r"ev\x0ail") && text.contains("client: 127.0.0.1"),
        "{text}"
    );
}

/// Runs `send` at the start of a second until the `entries` error-log entries it causes were
/// all written in one second (three tries), so that "same second and client" alone could not
/// tell them apart.
fn in_one_second(n: &servers::Nginx, entries: usize, send: &dyn Fn()) {
    use std::time::{SystemTime, UNIX_EPOCH};
    for _ in 0..3 {
        while SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_millis()
            > 150
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        let before = n.error_log().lines().count();
        send();
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut log = n.error_log();
        while log.lines().count() < before + entries && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            log = n.error_log();
        }
        let auth: Vec<&str> = log
            .lines()
            .skip(before)
            .filter(|l| l.contains("user \"") || l.contains("no user/password"))
            .map(|l| &l[..19])
            .collect();
        if auth.len() == entries && auth.iter().all(|t| *t == auth[0]) {
            return;
        }
    }
    panic!("the requests never fell in one second:\n{}", n.error_log());
}

fn probe_report(files: &[std::path::PathBuf], format: Option<&str>, marker: &str) -> Value {
    let mut cmd = Command::cargo_bin("why401").unwrap();
    cmd.args(["logs", "--json", "--probe-marker", marker]);
    if let Some(f) = format {
        cmd.args(["--format", f]);
    }
    let out = cmd.args(files).output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The error-log reasons paired with each probe line, as (reason, count).
fn paired(r: &Value) -> Vec<Vec<(String, u64)>> {
    r["probe_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["error_reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| {
                    (
                        k["name"].as_str().unwrap().to_owned(),
                        k["count"].as_u64().unwrap(),
                    )
                })
                .collect()
        })
        .collect()
}

/// Three requests from one client in one second to a real nginx: why401's probe (alice, a
/// wrong password, /a/), another user on /b/, and a request without credentials on /a/.
/// Only the probe's own error entry (password mismatch) is paired with its access line.
#[test]
fn a_probe_line_pairs_only_with_its_own_request_in_a_shared_second() {
    let Some(n) = logs_report::nginx_with_alice(PASSWORD) else {
        return;
    };
    let probe = "why401/0.1.0 probe/feedc0ffee02";
    let browser = "Mozilla/5.0 test";
    in_one_second(&n, 3, &|| {
        assert_eq!(get(n.port, "/a/", Some("alice:wrong-canary"), probe), 401);
        assert_eq!(get(n.port, "/b/", Some("mallory:x-canary"), browser), 401);
        assert_eq!(get(n.port, "/a/", None, browser), 401);
    });
    let lines = n.access_log().lines().count();
    wait_lines(&n, lines);
    let r = probe_report(
        &[n.path("access.log"), n.path("error.log")],
        None,
        "feedc0ffee02",
    );
    let pairs = paired(&r);
    assert!(!pairs.is_empty(), "{r}");
    for p in &pairs {
        assert_eq!(p, &[("wrong password".to_owned(), 1)], "{r}");
    }
    let text = serde_json::to_string(&r).unwrap();
    assert!(!text.contains("canary"), "{text}");
}

/// Two requests of the same user, path, client and second (both a wrong password), told apart
/// only by their connection: with `$connection` in the access log (nginx writes the same
/// serial as `*N` in its error log) each probe line gets its own entry; without it both.
#[test]
fn the_connection_serial_pairs_requests_that_share_everything_else() {
    const FORMAT: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $connection"#;
    let Some(n) = servers::Nginx::start_with(
        "access_log {dir}/conn.log withconn;\n location / { auth_basic \"staff\"; auth_basic_user_file {dir}/users; }",
        &format!("log_format withconn '{FORMAT}';"),
    ) else {
        return;
    };
    servers::htpasswd(&n.path("users"), "-B", "alice", PASSWORD).unwrap();
    let probe = "why401/0.1.0 probe/feedc0ffee03";
    in_one_second(&n, 2, &|| {
        assert_eq!(get(n.port, "/a/", Some("alice:wrong-canary-1"), probe), 401);
        assert_eq!(
            get(
                n.port,
                "/a/",
                Some("alice:wrong-canary-2"),
                "Mozilla/5.0 test"
            ),
            401
        );
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    let conn = n.path("conn.log");
    while std::fs::read_to_string(&conn)
        .unwrap_or_default()
        .lines()
        .count()
        < 2
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let files = [conn, n.path("error.log")];
    let with = paired(&probe_report(&files, Some(FORMAT), "feedc0ffee03"));
    assert!(!with.is_empty());
    for p in &with {
        assert_eq!(p, &[("wrong password".to_owned(), 1)], "{with:?}");
    }
    // The same lines read as plain combined (the serial is a trailing field then): the two
    // entries cannot be told apart.
    let without = paired(&probe_report(&files, None, "feedc0ffee03"));
    assert_eq!(
        without.last().unwrap(),
        &[("wrong password".to_owned(), 2)],
        "{without:?}"
    );
}

/// The user file a real nginx cannot use: a directory (nginx logs `pread() ... failed (21: Is
/// a directory)` and answers 500), whatever its name, and a `.htpasswd` that does not exist
/// (`open() ... failed (2: No such file or directory)` and 403; a missing page gives the same
/// text, so the name tells them apart).
#[test]
fn a_user_file_nginx_cannot_read_is_classed_from_its_error() {
    let Some(n) = servers::Nginx::start(
        "location /d/ { auth_basic \"staff\"; auth_basic_user_file {dir}/users.d; }\n\
         location /m/ { auth_basic \"staff\"; auth_basic_user_file {dir}/gone/.htpasswd; }",
    ) else {
        return;
    };
    std::fs::create_dir_all(n.path("users.d")).unwrap();
    let agent = "Mozilla/5.0 test";
    assert_eq!(get(n.port, "/d/", Some("alice:pw-canary"), agent), 500);
    // nginx answers a missing user file with 403 (ENOENT), any other failure with 500.
    assert_eq!(get(n.port, "/m/", Some("alice:pw-canary"), agent), 403);
    wait_lines(&n, 2);
    let error_log = n.error_log();
    assert!(
        error_log.contains("failed (21: Is a directory)"),
        "{error_log}"
    );
    let out = Command::cargo_bin("why401")
        .unwrap()
        .args(["logs", "--json"])
        .arg(n.path("error.log"))
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        logs_report::failures(&r, &["user_file_unreadable", "user_file_missing"]),
        [Some(1), Some(1)],
        "{r}"
    );
    let ids = logs_report::cause_ids(&r);
    assert!(
        ids.iter().any(|i| i == "htpasswd-file-unreadable")
            && ids.iter().any(|i| i == "htpasswd-file-missing"),
        "{ids:?}"
    );
}

/// `why401 logs --json` of `files` with `args`, run on a machine whose zone is `tz`.
fn report_in(tz: &str, files: &[std::path::PathBuf], args: &[&str]) -> Value {
    let out = Command::cargo_bin("why401")
        .unwrap()
        .env("TZ", tz)
        .args(["logs", "--json"])
        .args(args)
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `03/Dec/2026:12:18:14 +0530` → `2026-12-03 12:18` plus `minutes` (within the hour's
/// reach: the test adds at most a few).
fn wall_minute(stamp: &str, minutes: u32) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == &stamp[3..6]).unwrap() + 1;
    let (h, m): (u32, u32) = (
        stamp[12..14].parse().unwrap(),
        stamp[15..17].parse().unwrap(),
    );
    let total = h * 60 + m + minutes;
    assert!(total < 24 * 60, "too close to midnight: {stamp}");
    format!(
        "{}-{month:02}-{} {:02}:{:02}",
        &stamp[7..11],
        &stamp[0..2],
        total / 60,
        total % 60
    )
}

/// nginx in a zone five and a half hours east of UTC writes `+0530` in its access log and the
/// same wall clock, with no zone, in its error log. Read on a machine in UTC (a container's
/// logs read on its host) and on one in the server's zone, each probe line still gets its own
/// error entry; and a `--since` without a zone is the wall clock the logs show.
#[test]
fn a_server_in_another_zone_pairs_and_filters_by_its_wall_clock() {
    const ZONE: &str = "IST-5:30";
    let Some(n) = servers::Nginx::start_in_zone(
        Some(ZONE),
        "location / { auth_basic \"staff\"; auth_basic_user_file {dir}/users; }",
        "",
    ) else {
        return;
    };
    servers::htpasswd(&n.path("users"), "-B", "alice", PASSWORD).unwrap();
    let probe = "why401/0.1.0 probe/feedc0ffee05";
    assert_eq!(get(n.port, "/a/", Some("alice:wrong-canary"), probe), 401);
    assert_eq!(get(n.port, "/b/", Some("mallory:x-canary"), probe), 401);
    wait_lines(&n, 2);
    let access = n.access_log();
    let first = access.lines().next().unwrap();
    let stamp = &first[first.find('[').unwrap() + 1..first.find(']').unwrap()];
    assert!(stamp.ends_with(" +0530"), "{stamp}");
    let files = [n.path("access.log"), n.path("error.log")];
    let marker = ["--probe-marker", "feedc0ffee05"];
    for machine in ["UTC0", ZONE] {
        let r = report_in(machine, &files, &marker);
        assert_eq!(
            paired(&r),
            vec![
                vec![("wrong password".to_owned(), 1)],
                vec![("user not in the user file".to_owned(), 1)]
            ],
            "TZ={machine}: {r}"
        );
        assert_eq!(r["auth_failure_lines"], 2, "TZ={machine}: {r}");
    }
    // The text report says how it read the error log's zone-less times.
    let out = Command::cargo_bin("why401")
        .unwrap()
        .env("TZ", "UTC0")
        .arg("logs")
        .args(&files)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let note = format!(
        "error-log times state no zone: read as UTC+05:30, the zone {} states",
        files[0].display()
    );
    assert!(text.contains(&note), "{text}");
    // The minute the logs show keeps every line; two minutes later keeps none of them.
    for (later, kept) in [(0, (0, 2)), (2, (4, 0))] {
        let since = wall_minute(stamp, later);
        let r = report_in("UTC0", &files, &["--since", &since]);
        assert_eq!(
            (r["filtered_out"].as_u64(), r["auth_failure_lines"].as_u64()),
            (Some(kept.0), Some(kept.1)),
            "--since {since}: {r}"
        );
        let text = serde_json::to_string(&r).unwrap();
        assert!(!text.contains("canary"), "{text}");
    }
}
