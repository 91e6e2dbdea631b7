//! Canary test: secrets given to `check` never appear in stdout, stderr or the report file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::loopback;

use assert_cmd::Command;
use axum::Router;
use axum::response::IntoResponse;
use axum::routing::any;

const CANARIES: &[&str] = &[
    "canary-pw-5f1e",
    "canary-token-9a7c",
    "canary-header-3b2d",
    "canary-apikey-77e0",
    "canary-cookie-c0de",
    "canary-server-cookie-aa11",
];

fn run_check(url: &str, json: bool, format: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "canary-token-9a7c\n").unwrap();
    let header = dir.path().join("header");
    std::fs::write(&header, "canary-header-3b2d").unwrap();
    let report = dir.path().join("report");
    let mut cmd = Command::cargo_bin("why401").unwrap();
    cmd.args(["check", url, "--user", "alice", "--password-stdin"])
        .arg("--bearer-file")
        .arg(&token)
        .arg("--header")
        .arg(format!("X-Api-Key: @{}", header.display()))
        .args([
            "--cookie",
            "sid=canary-cookie-c0de",
            "--api-key-query",
            "key",
        ])
        .args(["--timeout", "3", "--format", format])
        .arg("--report")
        .arg(&report)
        .env("WHY401_API_KEY", "canary-apikey-77e0")
        .write_stdin("canary-pw-5f1e\n")
        .timeout(std::time::Duration::from_secs(60));
    if json {
        cmd.arg("--json");
    }
    let out = cmd.output().unwrap();
    assert!(matches!(out.status.code(), Some(1)), "{out:?}");
    vec![
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        std::fs::read_to_string(&report).unwrap_or_default(),
    ]
}

fn assert_clean(outputs: &[String]) {
    for (what, text) in ["stdout", "stderr", "report"].iter().zip(outputs) {
        for c in CANARIES {
            assert!(!text.contains(c), "{what} leaks {c}:\n{text}");
        }
    }
}

#[test]
fn canaries_never_leak_from_an_answering_server() {
    let app = Router::new().fallback(any(|| async {
        (
            axum::http::StatusCode::UNAUTHORIZED,
            [
                ("www-authenticate", "Basic realm=\"canary\""),
                (
                    "set-cookie",
                    "sid=canary-server-cookie-aa11; Path=/; Secure",
                ),
                ("location", "/elsewhere"),
            ],
            "denied",
        )
            .into_response()
    }));
    let url = format!("{}/private", loopback::serve(app));
    for (json, format) in [(false, "md"), (true, "json"), (false, "text")] {
        let outputs = run_check(&url, json, format);
        assert!(
            outputs[0].contains(" hmac="),
            "fingerprints shown: {}",
            outputs[0]
        );
        assert_clean(&outputs);
    }
}

#[test]
fn canaries_never_leak_from_errors() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let outputs = run_check(&format!("http://127.0.0.1:{port}/x"), true, "json");
    assert!(outputs[0].contains("server-unreachable"));
    assert_clean(&outputs);
}

#[test]
fn usage_errors_exit_2_without_echoing_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("why401").unwrap();
    let out = cmd
        .args([
            "check",
            "http://127.0.0.1:1/",
            "--header",
            "canary-header-3b2d",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--header 1"), "{err}");
    assert_clean(&[String::new(), err.into_owned(), String::new()]);
    let missing = dir.path().join("nope");
    let out = Command::cargo_bin("why401")
        .unwrap()
        .args(["check", "http://127.0.0.1:1/", "--bearer-file"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bearer-file"));
    for bad in ["ftp://x/", "not a url", "http://"] {
        let out = Command::cargo_bin("why401")
            .unwrap()
            .args(["check", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).lines().count(),
            1,
            "{bad}"
        );
    }
}

#[test]
fn password_in_the_url_is_used_but_never_shown() {
    let app = Router::new().fallback(any(|h: axum::http::HeaderMap| async move {
        // alice:canary-pw-5f1e
        let ok = h
            .get("authorization")
            .is_some_and(|v| v == "Basic YWxpY2U6Y2FuYXJ5LXB3LTVmMWU=");
        if ok {
            (axum::http::StatusCode::OK, "in").into_response()
        } else {
            (
                axum::http::StatusCode::UNAUTHORIZED,
                [("www-authenticate", "Basic realm=\"x\"")],
                "out",
            )
                .into_response()
        }
    }));
    let base = loopback::serve(app);
    let url = base.replace("http://", "http://alice:canary-pw-5f1e@");
    let out = Command::cargo_bin("why401")
        .unwrap()
        .args(["check", &url, "--json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_clean(&[
        stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        String::new(),
    ]);
}
