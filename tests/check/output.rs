//! What a person reads: the text of `check` and the shape of `--json`, as snapshots.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::loopback;

use assert_cmd::Command;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Redirect;
use axum::routing::{any, get};

fn site() -> String {
    let app = Router::new()
        .route("/dir", get(|| async { Redirect::permanent("/dir/") }))
        .fallback(any(|| async {
            (
                StatusCode::UNAUTHORIZED,
                [
                    (
                        "www-authenticate",
                        "Basic realm=\"Staff only\", charset=\"UTF-8\"",
                    ),
                    ("cache-control", "no-store"),
                ],
                "denied",
            )
        }));
    loopback::serve(app)
}

fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"127\.0\.0\.1:\d+", "127.0.0.1:PORT"),
        (r"\d+ ms", "N ms"),
        (r"hmac=[0-9a-f]{8}", "hmac=[run key]"),
        (r"\d+ s (ahead of|behind)", "N s ahead of/behind"),
        (
            r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT",
            "DATE",
        ),
    ]
}

#[test]
fn text_report_for_a_trailing_slash_redirect_to_basic_auth() {
    let url = format!("{}/dir", site());
    let out = Command::cargo_bin("why401")
        .unwrap()
        .args(["check", &url, "--user", "alice", "--password-stdin"])
        .write_stdin("hunter2\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("hunter2"));
    insta::with_settings!({ filters => filters() }, {
        insta::assert_snapshot!(text);
    });
}

#[test]
fn json_shape() {
    let url = format!("{}/x", site());
    let (json, _, _) = loopback::check_json(&url, &[], None);
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in ["url", "status", "challenges", "causes", "probes"] {
        assert!(keys.contains(&k), "{k} missing from {keys:?}");
    }
    let cause = &json["causes"][0];
    for k in ["id", "confidence", "evidence", "title", "fix", "fixed_by"] {
        assert!(!cause[k].is_null(), "cause.{k}");
    }
    let probes = json["probes"].as_object().unwrap();
    for id in [
        "http",
        "challenge",
        "clock",
        "cache",
        "cookie",
        "limits",
        "cors",
    ] {
        assert!(probes[id]["facts"].is_object(), "{id}");
        assert!(probes[id]["verdict"].is_string(), "{id}");
    }
    assert_eq!(json["challenges"][0]["params"]["charset"], "UTF-8");
}
