//! The terminal report of `why401 logs`, as a person reads it (insta snapshot).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use assert_cmd::prelude::*;

const ACCESS: &str = r#"127.0.0.1 - - [23/Nov/2026:00:28:15 +0000] "GET /b/ HTTP/1.1" 401 179 "-" "curl/7.88.1"
127.0.0.1 - nosuchuser [23/Nov/2026:00:28:15 +0000] "GET /b/ HTTP/1.1" 401 179 "-" "curl/7.88.1"
127.0.0.1 - p_alice [23/Nov/2026:00:28:16 +0000] "GET /b/?token=abc123-canary HTTP/1.1" 401 179 "-" "why401/0.1.0 probe/0badc0ffee00"
192.0.2.9 - - [23/Nov/2026:00:29:01 +0000] "GET /favicon.ico HTTP/1.1" 401 179 "-" "Mozilla/5.0"
127.0.0.1 - p_alice [23/Nov/2026:00:30:00 +0000] "GET /b/ HTTP/1.1" 200 512 "-" "curl/7.88.1"
"#;

const ERROR: &str = r#"2026/11/23 00:28:15 [info] 12903#12903: *85 no user/password was provided for basic authentication, client: 127.0.0.1, server: lab.test, request: "GET /b/ HTTP/1.1", host: "127.0.0.1:18080"
2026/11/23 00:28:15 [error] 12903#12903: *78 user "nosuchuser" was not found in "/etc/nginx/htpasswd", client: 127.0.0.1, server: lab.test, request: "GET /b/ HTTP/1.1", host: "127.0.0.1:18080"
2026/11/23 00:28:16 [error] 12903#12903: *10 user "p_alice": password mismatch, client: 127.0.0.1, server: lab.test, request: "GET /b/?token=abc123-canary HTTP/1.1", host: "127.0.0.1:18080"
"#;

#[test]
fn the_text_report_reads_well() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("access.log"), ACCESS).unwrap();
    std::fs::write(dir.path().join("error.log"), ERROR).unwrap();
    let out = Command::cargo_bin("why401")
        .unwrap()
        .current_dir(dir.path())
        .args(["logs", "access.log", "error.log"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("abc123-canary"), "a token leaked");
    insta::with_settings!({filters => vec![(r"in \d+\.\d+ s", "in [elapsed] s"), (r"hmac=[0-9a-f]{8}", "hmac=[run key]")]}, {
        insta::assert_snapshot!(text);
    });
}
