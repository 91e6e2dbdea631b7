//! Every command's `--report FILE` is the same support ticket: schema version, ranked causes
//! with fixes, the command's own output attached, no secret.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;

use crate::support::basic_site;

fn why401() -> Command {
    Command::cargo_bin("why401").unwrap()
}

fn expired_token() -> String {
    #[derive(serde::Serialize)]
    struct Claims {
        sub: &'static str,
        exp: i64,
    }
    let key = jsonwebtoken::EncodingKey::from_secret(b"canary-hmac-secret-0123456789abcdef");
    let claims = Claims {
        sub: "alice",
        exp: chrono::Utc::now().timestamp() - 3 * 3600,
    };
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).unwrap()
}

#[test]
fn jwt_report_is_a_ticket_naming_the_expired_token() {
    let dir = tempfile::tempdir().unwrap();
    let token = expired_token();
    let token_file = dir.path().join("token.txt");
    std::fs::write(&token_file, &token).unwrap();
    let report = dir.path().join("ticket.json");
    why401()
        .arg("jwt")
        .arg(&token_file)
        .args(["--format", "json", "--report"])
        .arg(&report)
        .assert()
        .code(1);
    let text = std::fs::read_to_string(&report).unwrap();
    let ticket: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(ticket["schema_version"], 1);
    assert_eq!(ticket["causes"][0]["id"], "token-expired", "{text}");
    let signature = token.rsplit('.').next().unwrap();
    assert!(
        !text.contains(signature),
        "the token's signature leaked into the ticket"
    );
}

#[test]
fn server_report_is_a_ticket_with_the_config_problem_and_its_fix() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("site.conf");
    std::fs::write(
        &conf,
        "server {\n  listen 80;\n  location /admin/ {\n    auth_basic \"staff\";\n    auth_basic_user_file /nonexistent/why401/users;\n  }\n}\n",
    )
    .unwrap();
    let report = dir.path().join("ticket.md");
    why401()
        .args(["server", "--no-config-test", "--path", "/admin/", "--nginx"])
        .arg(&conf)
        .arg("--report")
        .arg(&report)
        .assert()
        .code(1);
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(md.contains("htpasswd-file-missing"), "{md}");
    assert!(md.contains("htpasswd -c"), "the fix is in the ticket: {md}");
    assert!(
        md.contains("why401 server"),
        "the command's output is attached: {md}"
    );
}

#[test]
fn check_report_is_a_ticket_with_a_curl_command_and_no_password() {
    let site = basic_site::start();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("ticket.json");
    why401()
        .args([
            "check",
            &format!("{site}/admin"),
            "-u",
            "alice",
            "--password-stdin",
            "--timeout",
            "5",
            "--format",
            "json",
            "--report",
        ])
        .arg(&report)
        .write_stdin("canary-check-password-Q7\n")
        .assert()
        .code(1);
    let text = std::fs::read_to_string(&report).unwrap();
    let ticket: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(ticket["schema_version"], 1);
    assert_eq!(ticket["causes"][0]["id"], "bad-credentials", "{text}");
    assert!(
        ticket["reproduce"].as_str().unwrap().contains("curl"),
        "{text}"
    );
    assert!(!text.contains("canary-check-password-Q7"));
}
