//! Broken input is counted and shown, never fatal: binary garbage, a 1 MB line, non-UTF-8, a
//! truncated last line, mixed formats; secrets in shown lines are fingerprints.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use assert_cmd::prelude::*;
use serde_json::Value;

const GOOD: &str = r#"203.0.113.7 - bob [01/Nov/2026:10:00:00 +0000] "GET /admin?access_token=s3cr3t-canary-token HTTP/1.1" 401 179 "-" "curl/8""#;

#[test]
fn broken_lines_are_counted_shown_and_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Vec::new();
    for _ in 0..10 {
        log.extend_from_slice(GOOD.as_bytes());
        log.push(b'\n');
    }
    log.extend_from_slice(b"\x00\x01\x02\xff\xfe binary garbage\n");
    log.extend_from_slice(&vec![b'x'; 1 << 20]);
    log.push(b'\n');
    log.extend_from_slice(
        "203.0.113.7 - - [01/Nov/2026:10:00:01 +0000] \"GET /caf\u{e9} HTTP/1.1\" 200 1 \"-\" \""
            .as_bytes(),
    );
    log.extend_from_slice(b"\xff\"\n");
    log.extend_from_slice(b"2026/11/01 10:00:02 [error] 1#1: *1 user \"bob\": password mismatch, client: 203.0.113.7, server: x, request: \"GET / HTTP/1.1\", host: \"x\"\n");
    log.extend_from_slice(&GOOD.as_bytes()[..60]);
    let path = dir.path().join("access.log");
    std::fs::write(&path, &log).unwrap();

    let out = Command::cargo_bin("why401")
        .unwrap()
        .args(["logs", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["lines"], 15);
    assert_eq!(r["status_401"], 10);
    // garbage, the 1 MB line, the error-log line among access lines, the truncated last line
    assert_eq!(r["malformed"], 4);
    assert_eq!(r["malformed_samples"].as_array().unwrap().len(), 4);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("s3cr3t-canary"), "secret leaked");
    assert!(text.contains("access_token=[secret len="));

    let shown = crate::support::logs_report::text_report(&path);
    assert!(shown.contains("Malformed lines: 4"), "{shown}");
    assert!(shown.contains("\\x00\\x01\\x02\\xff\\xfe binary garbage"));
    assert!(!shown.contains("s3cr3t-canary"));
    assert!(
        shown.lines().all(|l| l.len() < 2000),
        "a shown line is unbounded"
    );
}

#[test]
fn unreadable_inputs_fail_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("blob.bin");
    std::fs::write(&garbage, b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00").unwrap();
    for (args, want) in [
        (
            vec![dir.path().join("missing.log").display().to_string()],
            "missing.log",
        ),
        (vec![garbage.display().to_string()], "neither an access log"),
        (
            vec![
                garbage.display().to_string(),
                "--since".into(),
                "yesterday".into(),
            ],
            "--since 'yesterday'",
        ),
        (
            vec![
                garbage.display().to_string(),
                "--since".into(),
                "2026-11-01T00:00:00Z".into(),
                "--until".into(),
                "2026-11-02 00:00".into(),
            ],
            "both with a zone",
        ),
        (
            vec![
                garbage.display().to_string(),
                "--format".into(),
                "$remote_addr $request".into(),
            ],
            "no $status",
        ),
    ] {
        let out = Command::cargo_bin("why401")
            .unwrap()
            .arg("logs")
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(want), "{err}");
    }
}

#[test]
fn custom_nginx_formats_and_json_lines_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(&conf, "http {\n log_format timed '$remote_addr [$time_local] \"$request\" $status $request_time \"$http_user_agent\"';\n access_log /var/log/nginx/timed.log timed;\n}\n").unwrap();
    let log = dir.path().join("timed.log");
    std::fs::write(&log, "10.0.0.1 [01/Nov/2026:10:00:00 +0000] \"GET /a HTTP/1.1\" 401 0.001 \"curl/8\"\n10.0.0.1 [01/Nov/2026:10:00:01 +0000] \"GET /a HTTP/1.1\" 200 0.002 \"curl/8\"\n").unwrap();
    let out = Command::cargo_bin("why401")
        .unwrap()
        .args(["logs", "--json", "--nginx-conf"])
        .arg(&conf)
        .arg(&log)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (r["status_401"].as_u64(), r["malformed"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(r["retry"]["got_through"], 1);

    let json = dir.path().join("caddy.log");
    std::fs::write(&json, "{\"level\":\"info\",\"ts\":1793491205.5,\"request\":{\"remote_ip\":\"5.6.7.8\",\"method\":\"OPTIONS\",\"uri\":\"/api\"},\"status\":401}\n").unwrap();
    let out = Command::cargo_bin("why401")
        .unwrap()
        .args(["logs", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["status_401"], 1);
    assert_eq!(r["causes"][0]["id"], "cors-preflight-requires-auth");
}

/// A log of several chunks gives the same report whatever the number of scanning threads:
/// counts, top lists, bursts, who got through after a 401, and the line numbers of samples.
#[test]
fn the_report_does_not_depend_on_the_number_of_threads() {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let mut log = String::new();
    for i in 0..60_000u32 {
        let client = format!("198.51.{}.{}", i % 7, i % 251);
        let (minute, second) = (i / 600, (i / 10) % 60);
        let status = match i % 23 {
            0..=2 => 401,
            3 => 404,
            _ => 200,
        };
        let path = ["/admin", "/api/orders", "/", "/login"][(i % 4) as usize];
        let _ = writeln!(
            log,
            "{client} - - [01/Nov/2026:{:02}:{:02}:{second:02} +0000] \"GET {path} HTTP/1.1\" {status} 12 \"-\" \"agent-{}\"",
            10 + minute / 60,
            minute % 60,
            i % 5
        );
        if i % 9_999 == 0 {
            log.push_str("truncated line\n");
        }
        // A burst from one client, then its success much later.
        if (30_000..30_040).contains(&i) {
            let _ = writeln!(
                log,
                "192.0.2.99 - - [01/Nov/2026:10:50:00 +0000] \"GET /admin HTTP/1.1\" 401 12 \"-\" \"curl/8\""
            );
        }
    }
    log.push_str(
        "192.0.2.99 - - [01/Nov/2026:11:30:00 +0000] \"GET /admin HTTP/1.1\" 200 12 \"-\" \"curl/8\"\n",
    );
    assert!(log.len() > 3 << 20, "several 1 MiB chunks");
    let path = dir.path().join("access.log");
    std::fs::write(&path, &log).unwrap();
    let run = |threads: &str| {
        let out = Command::cargo_bin("why401")
            .unwrap()
            .args(["logs", "--json", "--threads", threads])
            .arg(&path)
            .output()
            .unwrap();
        // Keyed fingerprints differ between runs by design (a new key each run).
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stdout = regex::Regex::new(r"hmac=[0-9a-f]{8}")
            .unwrap()
            .replace_all(&stdout, "hmac=[run key]");
        let mut r: Value = serde_json::from_str(&stdout).unwrap();
        r.as_object_mut().unwrap().remove("elapsed_ms");
        r
    };
    let one = run("1");
    assert_eq!(one["malformed"], 7);
    assert_eq!(
        one["malformed_samples"][1]["line"], 10_002,
        "{}",
        one["malformed_samples"]
    );
    let burst = one["top_clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["client"] == "192.0.2.99")
        .unwrap();
    assert_eq!(burst["count"], 40);
    assert_eq!(burst["got_through"], true);
    for threads in ["2", "3", "8"] {
        assert_eq!(run(threads), one, "--threads {threads}");
    }
}
