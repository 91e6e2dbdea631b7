//! Each class of what `check` must read in what it sends and receives, reproduced on
//! 127.0.0.1: an in-test API that validates tokens with the jsonwebtoken crate (the authority
//! on why a token fails) or answers as the named library or gateway does, tokens signed here.
//! Each test asserts the top cause and that the evidence quotes what settled it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::jwt as common;
use crate::support::loopback;

use axum::http::HeaderMap;
use axum::response::Response;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, errors::ErrorKind};
use loopback::{answer, auth, cause_ids, check_json, remark_ids, site, top_cause};
use serde_json::{Value, json};

const SECRET: &[u8] = b"a-test-secret-of-32-bytes-length!";

fn file(text: &str) -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), text).unwrap();
    f
}

fn token(claims: &Value) -> String {
    common::hs256(SECRET, claims)
}

fn claims(exp_in: i64) -> Value {
    let now = common::now();
    json!({"iss": "https://id.test/", "sub": "alice", "aud": "api://orders", "iat": now - 7200, "exp": now + exp_in})
}

/// How jsonwebtoken judges the bearer token of `headers`: no leeway, audience api://orders.
fn judged(headers: &HeaderMap) -> Result<(), ErrorKind> {
    let a = auth(headers);
    let Some(t) = a.strip_prefix("Bearer ") else {
        return Err(ErrorKind::InvalidToken);
    };
    let mut v = Validation::new(Algorithm::HS256);
    v.leeway = 0;
    v.set_audience(&["api://orders"]);
    decode::<Value>(t, &DecodingKey::from_secret(SECRET), &v)
        .map(|_| ())
        .map_err(jsonwebtoken::errors::Error::into_kind)
}

/// An API behind a gateway that says only `{"message":"Unauthorized"}` (AWS API Gateway).
fn quiet_api() -> String {
    site(|_, h| match judged(h) {
        Ok(()) => answer(200, &[], "{\"orders\":[]}"),
        Err(_) => answer(401, &[], "{\"message\":\"Unauthorized\"}"),
    })
}

/// The top cause is `id` and its evidence quotes `needle`.
fn expect_top(json: &Value, id: &str, needle: &str) {
    assert_eq!(top_cause(json), id, "{:?}", cause_ids(json));
    let e = evidence(json, 0);
    assert!(e.contains(needle), "{e}");
}

fn evidence(json: &Value, i: usize) -> String {
    json["causes"][i]["evidence"].to_string()
}

fn stdout_of(url: &str, args: &[&str]) -> String {
    let out = assert_cmd::Command::cargo_bin("why401")
        .unwrap()
        .arg("check")
        .arg(url)
        .args(args)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn an_expired_token_is_named_from_the_token_itself() {
    let t = token(&claims(-3600));
    // The authority agrees on why it fails.
    let mut h = HeaderMap::new();
    h.insert("authorization", format!("Bearer {t}").parse().unwrap());
    assert_eq!(judged(&h), Err(ErrorKind::ExpiredSignature));
    let f = file(&t);
    let (json, _, _) = check_json(
        &quiet_api(),
        &["--bearer-file", f.path().to_str().unwrap()],
        None,
    );
    expect_top(&json, "token-expired", "exp");
    // The missing challenge is true, but a remark below the explanation.
    assert!(remark_ids(&json).contains(&"missing-www-authenticate".to_owned()));
    assert!(!cause_ids(&json).contains(&"missing-www-authenticate".to_owned()));
}

#[test]
fn a_token_for_another_audience_is_named_with_aud() {
    let mut c = claims(3600);
    c["aud"] = json!("api://billing");
    let t = token(&c);
    let mut h = HeaderMap::new();
    h.insert("authorization", format!("Bearer {t}").parse().unwrap());
    assert_eq!(judged(&h), Err(ErrorKind::InvalidAudience));
    let f = file(&t);
    let (json, _, _) = check_json(
        &quiet_api(),
        &[
            "--bearer-file",
            f.path().to_str().unwrap(),
            "--aud",
            "api://orders",
        ],
        None,
    );
    expect_top(&json, "token-wrong-audience", "api://billing");
}

#[test]
fn an_id_token_sent_to_an_api_is_named() {
    let mut c = claims(3600);
    c["nonce"] = json!("n-0S6_WzA2Mj");
    c["aud"] = json!("spa-client-id");
    let f = file(&token(&c));
    let (json, _, _) = check_json(
        &quiet_api(),
        &["--bearer-file", f.path().to_str().unwrap()],
        None,
    );
    expect_top(&json, "wrong-token-type", "nonce");
}

#[test]
fn the_401_body_names_the_cause_and_is_quoted() {
    // express-jwt with jsonwebtoken: the message as those libraries write it.
    let url = site(|_, _| {
        answer(
            401,
            &[],
            "{\"code\":\"invalid_token\",\"message\":\"jwt audience invalid. expected: api://orders\"}",
        )
    });
    let f = file("an-opaque-token-the-api-cannot-use-0123456789");
    let (json, _, _) = check_json(&url, &["--bearer-file", f.path().to_str().unwrap()], None);
    expect_top(
        &json,
        "token-wrong-audience",
        "jwt audience invalid. expected: api://orders",
    );
}

#[test]
fn an_api_key_in_a_header_where_the_api_reads_a_query_parameter() {
    let url = site(|_, _| {
        answer(
            401,
            &[],
            "{\"error\":{\"code\":401,\"message\":\"Please provide a key query parameter\"}}",
        )
    });
    let key = file("k-0123456789abcdef");
    let header = format!("X-Api-Key: @{}", key.path().to_str().unwrap());
    let (json, _, _) = check_json(&url, &["-H", &header], None);
    assert_eq!(
        top_cause(&json),
        "credential-in-wrong-place",
        "{:?}",
        cause_ids(&json)
    );
    let e = evidence(&json, 0);
    assert!(
        e.contains("Please provide a key query parameter") && e.contains("query"),
        "{e}"
    );
    assert!(!json.to_string().contains("k-0123456789abcdef"));
}

#[test]
fn a_header_named_bearer_is_no_authorization() {
    let url = site(|_, h| {
        if auth(h).starts_with("Bearer ") {
            answer(200, &[], "ok")
        } else {
            answer(
                401,
                &[("www-authenticate", "Bearer realm=\"api\"".into())],
                "",
            )
        }
    });
    let f = file(&token(&claims(3600)));
    let header = format!("Bearer: @{}", f.path().to_str().unwrap());
    let (json, _, _) = check_json(&url, &["-H", &header], None);
    expect_top(&json, "no-credentials-sent", "'Bearer:'");
    assert!(!cause_ids(&json).contains(&"bad-credentials".to_owned()));
}

#[test]
fn content_type_is_not_a_credential() {
    let url = site(|_, _| {
        answer(
            401,
            &[("www-authenticate", "Bearer realm=\"api\"".into())],
            "",
        )
    });
    let (json, _, _) = check_json(&url, &["-H", "Content-Type: application/json"], None);
    assert_eq!(
        top_cause(&json),
        "no-credentials-sent",
        "{:?}",
        cause_ids(&json)
    );
    assert_eq!(json["credentials_sent"], json!([]));
}

#[test]
fn a_glued_bearer_is_split_and_never_printed() {
    let t = token(&claims(3600));
    let url = site(|_, h| match judged(h) {
        Ok(()) => answer(200, &[], "ok"),
        Err(_) => answer(
            401,
            &[("www-authenticate", "Bearer realm=\"api\"".into())],
            "",
        ),
    });
    let f = file(&format!("Bearer{t}"));
    let header = format!("Authorization: @{}", f.path().to_str().unwrap());
    let (json, _, _) = check_json(&url, &["-H", &header], None);
    expect_top(&json, "malformed-authorization-header", "normalised");
    let text = stdout_of(&url, &["-H", &header]);
    let body = t.split('.').nth(1).unwrap();
    for shown in [json.to_string(), text] {
        assert!(!shown.contains(body), "the token leaked: {shown}");
        assert!(
            !shown.contains(&body.to_ascii_lowercase()),
            "the token leaked lower-cased"
        );
    }
}

#[test]
fn a_refused_bearer_token_is_not_told_to_retype_a_password() {
    let url = site(|_, _| {
        answer(
            401,
            &[(
                "www-authenticate",
                "Bearer realm=\"api\", error=\"invalid_token\"".into(),
            )],
            "",
        )
    });
    let f = file("an-opaque-token-0123456789");
    let (json, _, _) = check_json(&url, &["--bearer-file", f.path().to_str().unwrap()], None);
    assert_eq!(
        top_cause(&json),
        "bad-credentials",
        "{:?}",
        cause_ids(&json)
    );
    let fix = json["causes"][0]["fix"].as_str().unwrap_or_default();
    assert!(fix.contains("token") && !fix.contains("user name"), "{fix}");
}

#[test]
fn a_same_origin_trailing_slash_redirect_is_named_for_clients_that_drop_authorization() {
    let api = loopback::serve(
        axum::Router::new()
            .route(
                "/orders",
                axum::routing::any(|| async { redirect("/orders/") }),
            )
            .route(
                "/orders/",
                axum::routing::any(|h: HeaderMap| async move {
                    match judged(&h) {
                        Ok(()) => answer(200, &[], "[]"),
                        Err(_) => answer(401, &[("www-authenticate", "Bearer".into())], ""),
                    }
                }),
            ),
    );
    let f = file(&token(&claims(3600)));
    let (json, _, _) = check_json(
        &format!("{api}/orders"),
        &["--bearer-file", f.path().to_str().unwrap()],
        None,
    );
    assert_eq!(
        top_cause(&json),
        "credentials-dropped-on-redirect",
        "{:?}",
        cause_ids(&json)
    );
    let e = evidence(&json, 0);
    assert!(e.contains("/orders/") && e.contains("301"), "{e}");
}

fn redirect(to: &'static str) -> Response {
    answer(301, &[("location", to.to_owned())], "")
}

#[test]
fn a_token_that_verifies_against_the_jwks_yet_is_refused_points_at_the_api() {
    use base64::Engine as _;
    let k = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(SECRET);
    let jwks =
        file(&json!({"keys": [{"kty": "oct", "kid": "k1", "alg": "HS256", "k": k}]}).to_string());
    let mut header = jsonwebtoken::Header::new(Algorithm::HS256);
    header.kid = Some("k1".into());
    let t = jsonwebtoken::encode(
        &header,
        &claims(3600),
        &jsonwebtoken::EncodingKey::from_secret(SECRET),
    )
    .unwrap();
    // The API still holds the key it had before a rotation: every token is refused.
    let url = site(|_, _| answer(401, &[], "{\"message\":\"Unauthorized\"}"));
    let f = file(&t);
    let (json, _, _) = check_json(
        &url,
        &[
            "--bearer-file",
            f.path().to_str().unwrap(),
            "--jwks",
            jwks.path().to_str().unwrap(),
            "--aud",
            "api://orders",
        ],
        None,
    );
    expect_top(&json, "server-key-or-config-stale", "kid 'k1'");
}

mod tokens;
