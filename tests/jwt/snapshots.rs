//! What a person reads from `why401 jwt`, reviewed as snapshots. Times and hashes change with
//! each run, so they are filtered; the relative wording ("3 h 12 min ago") is kept.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::jwt as common;

use assert_cmd::Command;
use serde_json::json;

use common::*;

fn screen(args: &[&str], stdin: &str) -> String {
    let out = Command::cargo_bin("why401")
        .unwrap()
        .arg("jwt")
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", "[UTC]");
    s.add_filter(r"sha256=[0-9a-f]{8}", "sha256=[hash]");
    s.add_filter(r"hmac=[0-9a-f]{8}", "hmac=[hash]");
    s.add_filter(r"len=\d+", "len=[n]");
    s
}

#[test]
fn an_expired_access_token_for_the_wrong_api() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret");
    std::fs::write(&secret, b"0123456789abcdef0123456789abcdef").unwrap();
    let ago = 3 * 3600 + 12 * 60 + 20;
    let claims = json!({
        "iss": "https://login.example/realms/shop", "sub": "f3a1c2", "aud": ["api://billing"],
        "azp": "shop-web", "scope": "openid orders.read", "iat": now() - ago - 3600,
        "exp": now() - ago, "email": "alice@example.com"
    });
    let token = hs256(b"0123456789abcdef0123456789abcdef", &claims);
    let out = screen(
        &[
            "-",
            "--secret-file",
            secret.to_str().unwrap(),
            "--aud",
            "api://orders",
            "--require-scope",
            "orders.write",
        ],
        &token,
    );
    settings().bind(|| insta::assert_snapshot!("jwt_expired_wrong_audience", out));
}

#[test]
fn a_pasted_header_with_a_wrapped_token() {
    let token = hs256(
        b"k",
        &json!({"sub": "bob", "exp": now() + 2 * 86_400 + 3 * 3600 + 30}),
    );
    let pasted = format!("Bearer {}\n{}", &token[..50], &token[50..]);
    let out = screen(&["-"], &pasted);
    settings().bind(|| insta::assert_snapshot!("jwt_pasted_with_prefix_and_break", out));
}

#[test]
fn a_segment_that_is_not_json() {
    let out = screen(&["-"], "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln");
    settings().bind(|| insta::assert_snapshot!("jwt_payload_not_json", out));
}
