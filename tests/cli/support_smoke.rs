//! The real-server launchers start, answer and stop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::servers;

#[test]
fn nginx_starts_and_answers_basic_challenge() {
    let Some(n) = servers::Nginx::start(
        "location / { auth_basic \"staff\"; auth_basic_user_file {dir}/users; }",
    ) else {
        return;
    };
    let out = std::process::Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", &n.url("/")])
        .output();
    if let Ok(out) = out {
        assert_eq!(String::from_utf8_lossy(&out.stdout), "401");
    }
}

#[test]
fn apache_starts_and_answers() {
    let Some(a) = servers::Apache::start("") else {
        return;
    };
    a.write("www/index.html", "hello");
    let out = std::process::Command::new("curl")
        .args(["-s", &a.url("/index.html")])
        .output();
    if let Ok(out) = out {
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "hello",
            "{}",
            a.error_log()
        );
    }
}
