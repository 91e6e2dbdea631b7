//! `why401 ... | head -1`: a reader that goes away is not a crash. Every command's output is
//! piped into the real `head -1`; why401 ends quietly (its own exit code, or 141 as a SIGPIPE
//! would give), with no panic and no error about the pipe.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::loopback;

/// What happened when why401's stdout went into `head -1`.
struct Piped {
    code: Option<i32>,
    stderr: String,
    head: String,
}

/// Starts `why401 ARGS | head -1` in `dir`; `during` runs while both are alive.
fn into_head(dir: &Path, args: &[&str], during: impl FnOnce()) -> Piped {
    let mut why401 = Command::new(assert_cmd::cargo::cargo_bin("why401"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let head = Command::new("head")
        .arg("-1")
        .stdin(Stdio::from(why401.stdout.take().unwrap()))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    during();
    let head = head.wait_with_output().unwrap();
    let out = why401.wait_with_output().unwrap();
    Piped {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        head: String::from_utf8_lossy(&head.stdout).into_owned(),
    }
}

fn assert_quiet(args: &[&str], p: &Piped, codes: &[i32]) {
    assert!(!p.head.trim().is_empty(), "{args:?}: head got nothing");
    for word in ["panicked", "Broken pipe", "os error 32"] {
        assert!(!p.stderr.contains(word), "{args:?}: {}", p.stderr);
    }
    assert!(
        p.code.is_some_and(|c| c == 141 || codes.contains(&c)),
        "{args:?}: exit {:?}, stderr {}",
        p.code,
        p.stderr
    );
}

/// A flow without probes: `run` walks it from its answers alone.
const FLOW: &str = "id: door
title: Is the door locked?
start: knock
nodes:
  knock:
    title: Knock
    choices:
      - { label: It opens, goto: open }
      - { label: It does not, goto: ticket }
  open:
    title: It opens
    end: resolved
  ticket:
    title: Ask the owner
    end: escalate
";

#[test]
fn a_closed_stdout_ends_quietly_without_a_panic() {
    let bin = assert_cmd::cargo::cargo_bin("why401");
    for args in [
        vec!["flows", "probes"],
        vec!["completions", "zsh"],
        vec!["flows", "schema"],
    ] {
        let mut child = Command::new(&bin)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(0 | 141)),
            "{args:?}: {:?}",
            out.status
        );
    }
}

#[test]
fn every_command_piped_into_head_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let bad_flows = fixtures.join("bad_flows");
    let site = loopback::site(|_, _| loopback::answer(401, &[loopback::basic()], "no"));
    // The well-known example token of RFC 7519 §3.1's shape: a header, claims, a signature.
    std::fs::write(
        d.join("token"),
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\n",
    )
    .unwrap();
    std::fs::write(
        d.join("capture.har"),
        r#"{"log":{"version":"1.2","entries":[{"startedDateTime":"2026-01-10T10:00:00.000Z","time":1,"request":{"method":"GET","url":"http://127.0.0.1/admin","httpVersion":"HTTP/1.1","headers":[],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},"response":{"status":401,"statusText":"Unauthorized","httpVersion":"HTTP/1.1","headers":[{"name":"WWW-Authenticate","value":"Basic realm=\"staff\""}],"cookies":[],"content":{"size":0,"mimeType":"text/plain"},"redirectURL":"","headersSize":-1,"bodySize":0},"cache":{},"timings":{"send":0,"wait":1,"receive":0}}]}}"#,
    )
    .unwrap();
    std::fs::write(
        d.join("site.conf"),
        "server {\n  location /admin/ {\n    auth_basic \"staff\";\n    auth_basic_user_file /nonexistent/htpasswd;\n    proxy_set_header Authorization \"\";\n    proxy_pass http://127.0.0.1:9;\n  }\n}\n",
    )
    .unwrap();
    let line = r#"203.0.113.7 - bob [01/Nov/2026:10:00:00 +0000] "GET /admin HTTP/1.1" 401 179 "-" "curl/8""#;
    std::fs::write(d.join("access.log"), format!("{line}\n").repeat(50)).unwrap();
    std::fs::create_dir(d.join("flows")).unwrap();
    std::fs::write(d.join("flows/door.yaml"), FLOW).unwrap();
    std::fs::write(d.join("answers.yaml"), "knock: It does not\n").unwrap();

    let url = format!("{site}/admin");
    let bad = bad_flows.to_string_lossy();
    let commands: Vec<Vec<&str>> = vec![
        vec!["flows", "probes"],
        vec!["flows", "schema"],
        vec!["flows", "list"],
        vec!["flows", "graph", "owner"],
        vec!["flows", "graph", "owner", "--format", "dot"],
        vec!["flows", "lint", &bad],
        vec!["completions", "zsh"],
        vec!["man"],
        vec!["jwt", "token"],
        vec!["jwt", "token", "--json"],
        vec!["har", "capture.har"],
        vec!["har", "capture.har", "--json"],
        vec!["server", "--nginx", "site.conf", "--no-config-test"],
        vec![
            "server",
            "--nginx",
            "site.conf",
            "--no-config-test",
            "--json",
        ],
        vec!["logs", "access.log"],
        vec!["logs", "access.log", "--json"],
        vec!["check", &url, "--timeout", "5"],
        vec!["check", &url, "--timeout", "5", "--json"],
        vec![
            "--flows",
            "flows",
            "run",
            "--flow",
            "door",
            "--answers",
            "answers.yaml",
        ],
    ];
    for args in &commands {
        let p = into_head(d, args, || ());
        assert_quiet(args, &p, &[0, 1]);
    }
}

#[test]
fn a_followed_log_stops_when_its_reader_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    std::fs::write(&log, "").unwrap();
    let line = "203.0.113.7 - bob [01/Nov/2026:10:00:00 +0000] \"GET /admin HTTP/1.1\" 401 179 \"-\" \"curl/8\"\n";
    let started = Instant::now();
    let args = ["logs", "--follow", "--follow-for", "60s", "access.log"];
    let p = into_head(dir.path(), &args, || {
        // Lines keep coming: after head has its one, the next write finds the pipe closed.
        let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
        for _ in 0..50 {
            f.write_all(line.as_bytes()).unwrap();
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    assert_quiet(&args, &p, &[]);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the watch went on for {:?} after its reader left",
        started.elapsed()
    );
}
