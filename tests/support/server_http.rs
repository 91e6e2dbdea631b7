//! Helpers for the server tests: a raw HTTP/1.0 GET to 127.0.0.1 and `why401 server` run
//! with its JSON parsed.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::missing_panics_doc
)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use base64::Engine as _;

/// Status and body of `GET path` on 127.0.0.1:port, with optional Basic credentials and
/// extra header lines.
pub fn get(port: u16, path: &str, basic: Option<(&str, &str)>, extra: &[&str]) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req = format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n");
    if let Some((u, p)) = basic {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"));
        req.push_str(&format!("Authorization: Basic {token}\r\n"));
    }
    for h in extra {
        req.push_str(h);
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// What `why401 server ... --json` said, with its exit code.
pub struct Static {
    pub json: serde_json::Value,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Static {
    pub fn scheme(&self) -> &str {
        self.json["effective"]["scheme"].as_str().unwrap_or("")
    }
    pub fn causes(&self) -> Vec<String> {
        self.json["causes"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
    pub fn has(&self, cause: &str) -> bool {
        self.causes().iter().any(|c| c == cause)
    }
    /// Whether the files predict a 401 for a request without credentials.
    pub fn challenges(&self) -> bool {
        self.status() == Some(401)
    }
    /// The status predicted for a request without credentials (`None`: depends).
    pub fn status(&self) -> Option<u16> {
        self.json["effective"]["status_anonymous"]
            .as_u64()
            .map(|s| s as u16)
    }
    /// The status predicted for `--user` with the password given on stdin.
    pub fn login_status(&self) -> Option<u16> {
        self.json["effective"]["status_with_login"]
            .as_u64()
            .map(|s| s as u16)
    }
}

/// Runs `why401 server ARGS --json --no-config-test`, the password (if any) on stdin.
pub fn why401(args: &[&str], password: Option<&str>) -> Static {
    let mut cmd = assert_cmd::Command::cargo_bin("why401").unwrap();
    cmd.arg("server")
        .args(args)
        .arg("--json")
        .arg("--no-config-test");
    if let Some(p) = password {
        cmd.arg("--password-stdin").write_stdin(format!("{p}\n"));
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    Static {
        json,
        code: out.status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
}

pub fn p(path: &Path) -> String {
    path.display().to_string()
}
