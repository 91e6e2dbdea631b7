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

#[test]
fn follow_shows_new_401s_and_survives_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    std::fs::write(&log, "").unwrap();
    let mut child = Command::cargo_bin("why401")
        .unwrap()
        .args(["logs", "--follow", "--follow-for", "8s"])
        .arg(&log)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
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
