//! Causes pinned by comparing requests: as given vs normalised, through the proxy vs straight
//! to the backend, here vs at the site root, and redirects that must not carry credentials on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::loopback;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::any;
use loopback::{
    answer, assert_top, auth, basic, bearer_site, bearer_token_file, cause_ids, check_json, serve,
    site, top_cause,
};

#[test]
fn malformed_authorization_header() {
    let json = assert_top(
        &bearer_site(),
        &["--header", "Authorization: Bearer  good"],
        None,
        "malformed-authorization-header",
    );
    assert_eq!(json["probes"]["normalised"]["facts"]["status"], 200);
}

#[test]
fn wrong_auth_scheme() {
    assert_top(
        &bearer_site(),
        &["--header", "Authorization: Token good"],
        None,
        "wrong-auth-scheme",
    );
}

#[test]
fn proxy_strips_authorization() {
    let backend = bearer_site();
    // A "proxy" that never passes Authorization on: the backend behind it always says 401.
    let proxy = site(|_, _| {
        answer(
            401,
            &[("www-authenticate", "Bearer realm=\"api\"".into())],
            "",
        )
    });
    let f = bearer_token_file();
    assert_top(
        &format!("{proxy}/api"),
        &[
            "--bearer-file",
            f.path().to_str().unwrap(),
            "--backend",
            &format!("{backend}/api"),
        ],
        None,
        "proxy-strips-authorization",
    );
}

#[test]
fn credentials_dropped_on_redirect() {
    let target = bearer_site();
    let target_for = target.clone();
    let start = site(move |_, _| answer(301, &[("location", format!("{target_for}/moved"))], ""));
    let f = bearer_token_file();
    let json = assert_top(
        &format!("{start}/x"),
        &["--bearer-file", f.path().to_str().unwrap()],
        None,
        "credentials-dropped-on-redirect",
    );
    assert_eq!(
        json["probes"]["http"]["facts"]["redirect.dropped_credentials"],
        true
    );
    assert_eq!(json["probes"]["http"]["facts"]["redirects"], 1);
}

#[test]
fn should_be_403() {
    // The site root accepts the token, /admin refuses the same known user with 401.
    let root_ok = Router::new()
        .route(
            "/",
            any(|h: HeaderMap| async move {
                if auth(&h) == "Bearer good" {
                    answer(200, &[], "home")
                } else {
                    answer(
                        401,
                        &[("www-authenticate", "Bearer realm=\"api\"".into())],
                        "",
                    )
                }
            }),
        )
        .route(
            "/admin",
            any(|| async {
                answer(
                    401,
                    &[("www-authenticate", "Bearer realm=\"api\"".into())],
                    "",
                )
            }),
        );
    let url = serve(root_ok);
    let f = bearer_token_file();
    assert_top(
        &format!("{url}/admin"),
        &["--bearer-file", f.path().to_str().unwrap()],
        None,
        "should-be-403",
    );
}

#[test]
fn api_key_in_query_reaches_the_server_and_only_its_origin() {
    let app = Router::new().fallback(any(|q: axum::extract::RawQuery| async move {
        if q.0.as_deref() == Some("key=good") {
            answer(200, &[], "ok")
        } else {
            answer(
                401,
                &[("www-authenticate", "ApiKey realm=\"api\"".into())],
                "",
            )
        }
    }));
    let url = serve(app);
    let (json, code, _) = check_json(
        &format!("{url}/v1"),
        &["--api-key-query", "key"],
        Some("good\n"),
    );
    assert_eq!(json["status"], 200, "{:?}", cause_ids(&json));
    assert_eq!(code, 0);
    assert!(!json.to_string().contains("key=good"));
    let (json, code, _) = check_json(
        &format!("{url}/v1"),
        &["--api-key-query", "key"],
        Some("bad\n"),
    );
    assert_eq!(top_cause(&json), "bad-credentials");
    assert_eq!(code, 1);
}

#[test]
fn credentials_never_reach_another_origin() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let leaked = Arc::new(AtomicUsize::new(0));
    let seen = leaked.clone();
    let other = site(move |_, h| {
        if h.contains_key("authorization")
            || h.contains_key("cookie")
            || h.contains_key("x-api-key")
        {
            seen.fetch_add(1, Ordering::SeqCst);
        }
        answer(401, &[basic()], "")
    });
    let start = site(move |_, _| answer(302, &[("location", format!("{other}/login"))], ""));
    let f = bearer_token_file();
    let (json, _, _) = check_json(
        &start,
        &[
            "--bearer-file",
            f.path().to_str().unwrap(),
            "--cookie",
            "sid=x",
            "--header",
            "X-Api-Key: k",
        ],
        None,
    );
    assert_eq!(
        leaked.load(Ordering::SeqCst),
        0,
        "credentials reached the other origin"
    );
    assert_eq!(top_cause(&json), "credentials-dropped-on-redirect");
    let hops = json["probes"]["http"]["facts"]["hops"].as_array().unwrap();
    assert_eq!(hops.len(), 2);
    assert!(hops[0].as_str().unwrap().contains("[credentials sent]"));
    assert!(!hops[1].as_str().unwrap().contains("[credentials sent]"));
}
