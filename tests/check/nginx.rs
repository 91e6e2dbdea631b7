//! `check` against a real nginx: auth_basic, and a proxy location that drops Authorization
//! next to one that forwards it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::loopback;
use crate::support::servers;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::any;
use loopback::{cause_ids, check_json, top_cause};

/// An API that accepts only `Bearer good`.
fn backend() -> String {
    let app = Router::new().fallback(any(|h: HeaderMap| async move {
        if h.get("authorization").is_some_and(|v| v == "Bearer good") {
            (StatusCode::OK, [("www-authenticate", "")], "ok")
        } else {
            (
                StatusCode::UNAUTHORIZED,
                [("www-authenticate", "Bearer realm=\"api\"")],
                "no",
            )
        }
    }));
    loopback::serve(app)
}

fn start() -> Option<(servers::Nginx, String)> {
    let api = backend();
    let body = format!(
        "    location /private/ {{ auth_basic \"Private\"; auth_basic_user_file {{dir}}/htpasswd; }}\n\
         location /strip/ {{ proxy_pass {api}/; proxy_set_header Authorization \"\"; }}\n\
         location /forward/ {{ proxy_pass {api}/; }}\n"
    );
    let nginx = servers::Nginx::start(&body)?;
    std::fs::write(nginx.path("htpasswd"), "alice:{PLAIN}secret\n").unwrap();
    std::fs::create_dir_all(nginx.path("www/private")).unwrap();
    std::fs::write(nginx.path("www/private/index.html"), "hello\n").unwrap();
    Some((nginx, api))
}

fn token() -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), "good\n").unwrap();
    f
}

#[test]
fn auth_basic_without_with_wrong_and_right_credentials() {
    let Some((nginx, _)) = start() else { return };
    let url = nginx.url("/private/");
    let (json, code, _) = check_json(&url, &[], None);
    assert_eq!(
        top_cause(&json),
        "no-credentials-sent",
        "{:?}",
        cause_ids(&json)
    );
    assert_eq!(json["challenges"][0]["params"]["realm"], "Private");
    assert_eq!(code, 1);
    let (json, code, _) = check_json(
        &url,
        &["--user", "alice", "--password-stdin"],
        Some("wrong\n"),
    );
    assert_eq!(
        top_cause(&json),
        "bad-credentials",
        "{:?}",
        cause_ids(&json)
    );
    assert_eq!(code, 1);
    let (json, code, _) = check_json(
        &url,
        &["--user", "alice", "--password-stdin"],
        Some("secret\n"),
    );
    assert_eq!(json["status"], 200);
    assert_eq!(code, 0, "{:?}", cause_ids(&json));
    // The marker in the User-Agent lets the owner find why401's requests in the access log.
    assert!(nginx.access_log().contains("why401/"));
}

#[test]
fn proxy_that_drops_authorization_is_pinned_against_the_backend() {
    let Some((nginx, api)) = start() else { return };
    let f = token();
    let file = f.path().to_str().unwrap();
    let (json, code, _) = check_json(
        &nginx.url("/strip/v1"),
        &["--bearer-file", file, "--backend", &format!("{api}/v1")],
        None,
    );
    assert_eq!(
        top_cause(&json),
        "proxy-strips-authorization",
        "{:?}",
        cause_ids(&json)
    );
    assert_eq!(json["probes"]["backend"]["facts"]["status"], 200);
    assert_eq!(code, 1);
    let (json, code, _) = check_json(&nginx.url("/forward/v1"), &["--bearer-file", file], None);
    assert_eq!(json["status"], 200);
    assert_eq!(code, 0, "{:?}", cause_ids(&json));
}
