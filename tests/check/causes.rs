//! For each cause, a loopback server that reproduces it, and `check --json` ranks it first.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::loopback;

use axum::http::Method;
use loopback::{
    answer, assert_top, basic, bearer_token_file, cause_ids, check_json, remark_ids, site,
    top_cause,
};

#[test]
fn no_credentials_sent() {
    let url = site(|_, _| answer(401, &[basic()], ""));
    let json = assert_top(&format!("{url}/x"), &[], None, "no-credentials-sent");
    assert_eq!(json["status"], 401);
    assert_eq!(json["challenges"][0]["scheme"], "basic");
    assert_eq!(json["challenges"][0]["params"]["realm"], "test");
    assert!(json["probes"]["http"]["facts"]["status"].is_i64());
}

#[test]
fn bad_credentials() {
    let url = site(|_, _| answer(401, &[basic()], ""));
    assert_top(
        &format!("{url}/x"),
        &["--user", "alice", "--password-stdin"],
        Some("wrong\n"),
        "bad-credentials",
    );
}

#[test]
fn missing_www_authenticate_is_a_remark_below_the_explanation() {
    // Most JSON APIs send no challenge: RFC 9110 wants one, but that is not why this failed.
    let url = site(|_, _| answer(401, &[], "go away"));
    let json = assert_top(&url, &[], None, "no-credentials-sent");
    // The preflight gets the same 401: with no --origin that too is only a remark.
    assert_eq!(
        remark_ids(&json),
        ["missing-www-authenticate", "cors-preflight-requires-auth"]
    );
    assert!(!cause_ids(&json).contains(&"missing-www-authenticate".to_owned()));
    let evidence = json["remarks"][0]["evidence"].to_string();
    assert!(evidence.contains("no WWW-Authenticate"), "{evidence}");
}

#[test]
fn a_preflight_answered_407_is_a_proxy_not_cors() {
    let proxy = || {
        answer(
            407,
            &[("proxy-authenticate", "Basic realm=\"corp\"".into())],
            "",
        )
    };
    let url = site(move |_, _| proxy());
    let (json, _, _) = check_json(&url, &["--origin", "https://app.example"], None);
    assert_eq!(top_cause(&json), "proxy-auth-required");
    let all = [cause_ids(&json), remark_ids(&json)].concat();
    assert!(
        !all.contains(&"cors-preflight-requires-auth".to_owned()),
        "{all:?}"
    );
}

#[test]
fn proxy_auth_required() {
    let url = site(|_, _| {
        answer(
            407,
            &[("proxy-authenticate", "Basic realm=\"corp\"".into())],
            "",
        )
    });
    let json = assert_top(&url, &[], None, "proxy-auth-required");
    assert_eq!(json["proxy_challenges"][0]["params"]["realm"], "corp");
}

#[test]
fn cached_401() {
    let url = site(|_, _| {
        answer(
            401,
            &[
                basic(),
                ("age", "120".into()),
                ("x-cache", "HIT".into()),
                ("cache-control", "public, max-age=600".into()),
            ],
            "",
        )
    });
    assert_top(&url, &[], None, "cached-401");
}

#[test]
fn clock_skew() {
    let url = site(|_, _| {
        let skewed = chrono::Utc::now() + chrono::Duration::minutes(10);
        let date = skewed.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        answer(
            401,
            &[
                ("www-authenticate", "Bearer realm=\"api\"".into()),
                ("date", date),
            ],
            "",
        )
    });
    let f = bearer_token_file();
    let json = assert_top(
        &url,
        &["--bearer-file", f.path().to_str().unwrap()],
        None,
        "clock-skew",
    );
    let offset = json["probes"]["clock"]["facts"]["offset_s"]
        .as_f64()
        .unwrap();
    assert!((590.0..610.0).contains(&offset), "{offset}");
}

#[test]
fn cors_preflight_requires_auth() {
    let url = site(|_, _| {
        answer(
            401,
            &[("www-authenticate", "Bearer realm=\"api\"".into())],
            "",
        )
    });
    let f = bearer_token_file();
    let json = assert_top(
        &url,
        &[
            "--bearer-file",
            f.path().to_str().unwrap(),
            "--origin",
            "https://app.example",
        ],
        None,
        "cors-preflight-requires-auth",
    );
    assert_eq!(json["probes"]["cors"]["facts"]["requires_auth"], true);
}

#[test]
fn session_expired() {
    let url = site(|_, _| {
        answer(
            401,
            &[basic(), ("set-cookie", "sid=; Max-Age=0; Path=/".into())],
            "",
        )
    });
    assert_top(
        &url,
        &["--cookie", "sid=old-session"],
        None,
        "session-expired",
    );
}

#[test]
fn stale_cookie_or_cache() {
    let url = site(|_, h| {
        if h.contains_key("cookie") {
            answer(401, &[basic()], "")
        } else {
            answer(200, &[], "public")
        }
    });
    assert_top(
        &url,
        &["--cookie", "sid=stale"],
        None,
        "stale-cookie-or-cache",
    );
}

#[test]
fn ip_or_rate_limited() {
    let url = site(|_, _| {
        answer(
            401,
            &[basic(), ("retry-after", "60".into())],
            "Too many failed attempts",
        )
    });
    assert_top(
        &url,
        &["--user", "alice", "--password-stdin"],
        Some("pw\n"),
        "ip-or-rate-limited",
    );
}

fn bearer_error(error: &'static str, desc: &'static str) -> String {
    site(move |_, _| {
        answer(
            401,
            &[(
                "www-authenticate",
                format!("Bearer realm=\"api\", error=\"{error}\", error_description=\"{desc}\""),
            )],
            "",
        )
    })
}

#[test]
fn bearer_error_codes_map_to_causes() {
    let f = bearer_token_file();
    let file = f.path().to_str().unwrap();
    assert_top(
        &bearer_error("insufficient_scope", "needs admin"),
        &["--bearer-file", file],
        None,
        "insufficient-scope",
    );
    assert_top(
        &bearer_error("invalid_token", "The access token expired"),
        &["--bearer-file", file],
        None,
        "token-expired",
    );
}

#[test]
fn digest_nonce_stale() {
    let url = site(|_, _| {
        answer(
            401,
            &[(
                "www-authenticate",
                "Digest realm=\"r\", nonce=\"abc\", stale=true, qop=\"auth\"".into(),
            )],
            "",
        )
    });
    let json = assert_top(&url, &[], None, "digest-nonce-stale");
    assert_eq!(json["probes"]["challenge"]["facts"]["stale"], true);
}

#[test]
fn windows_auth_failed() {
    let url = site(|_, _| {
        answer(
            401,
            &[
                ("www-authenticate", "Negotiate".into()),
                ("www-authenticate", "NTLM".into()),
            ],
            "",
        )
    });
    assert_top(
        &url,
        &["--header", "Authorization: Negotiate YIIabc"],
        None,
        "windows-auth-failed",
    );
}

#[test]
fn underscore_header_dropped() {
    let url = site(|_, h| {
        if h.contains_key("x_api_key") {
            answer(200, &[], "ok")
        } else {
            answer(
                401,
                &[("www-authenticate", "ApiKey realm=\"api\"".into())],
                "",
            )
        }
    });
    // The server here sees the header; behind nginx it would not: the name alone is the hint.
    let mut json = check_json(&url, &["--header", "X_Api_Key: k"], None).0;
    assert_eq!(json["status"], 200);
    let url = site(|_, _| {
        answer(
            401,
            &[("www-authenticate", "ApiKey realm=\"api\"".into())],
            "",
        )
    });
    json = assert_top(
        &url,
        &["--header", "X_Api_Key: k"],
        None,
        "underscore-header-dropped",
    );
    assert!(cause_ids(&json).contains(&"bad-credentials".to_owned()));
}

#[test]
fn cors_preflight_refused_while_the_request_itself_works() {
    let url = site(|m, _| {
        if m == Method::OPTIONS {
            answer(401, &[basic()], "")
        } else {
            answer(200, &[], "ok")
        }
    });
    let (json, code, _) = check_json(&url, &["--origin", "https://app.example"], None);
    assert_eq!(
        top_cause(&json),
        "cors-preflight-requires-auth",
        "{:?}",
        cause_ids(&json)
    );
    assert_eq!(code, 1);
    // Without an origin no browser is said to be involved: a remark only, and exit 0.
    let (json, code, _) = check_json(&url, &[], None);
    assert_eq!(top_cause(&json), "not-a-401", "{:?}", cause_ids(&json));
    assert_eq!(remark_ids(&json), ["cors-preflight-requires-auth"]);
    assert_eq!(code, 0);
}

#[test]
fn not_a_401_exits_zero() {
    let url = site(|_, _| answer(200, &[], "fine"));
    let (json, code, _) = check_json(&url, &[], None);
    assert_eq!(code, 0);
    assert_eq!(top_cause(&json), "not-a-401");
    assert_eq!(json["status"], 200);
}
