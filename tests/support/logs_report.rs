//! What the `why401 logs` tests share: a plain HTTP request and the parts of a `--json`
//! report they read.
//!
//! A test uses it as `use crate::support::logs_report;`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use base64::Engine;
use serde_json::Value;

/// One HTTP/1.1 request on its own connection; returns the status code.
pub fn get(port: u16, path: &str, user_pass: Option<&str>, agent: &str) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let auth = user_pass.map_or(String::new(), |up| {
        format!(
            "Authorization: Basic {}\r\n",
            base64::engine::general_purpose::STANDARD.encode(up)
        )
    });
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: {agent}\r\n{auth}Connection: close\r\n\r\n").unwrap();
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    resp.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// `why401 logs FILE`: the text report.
pub fn text_report(file: &std::path::Path) -> String {
    let out = assert_cmd::Command::cargo_bin("why401")
        .unwrap()
        .arg("logs")
        .arg(file)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// The cause ids of a report, most likely first.
pub fn cause_ids(r: &Value) -> Vec<String> {
    r["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The counts of these `auth_failures` keys (None where absent).
pub fn failures(r: &Value, keys: &[&str]) -> Vec<Option<u64>> {
    keys.iter()
        .map(|k| r["auth_failures"][*k].as_u64())
        .collect()
}

/// nginx asking for Basic credentials on every path, with `alice` in its user file.
pub fn nginx_with_alice(password: &str) -> Option<super::servers::Nginx> {
    let n = super::servers::Nginx::start(
        "location / { auth_basic \"staff\"; auth_basic_user_file {dir}/users; }",
    )?;
    super::servers::htpasswd(&n.path("users"), "-B", "alice", password)?;
    std::fs::write(n.path("www/index.html"), "hello").unwrap();
    Some(n)
}
