//! Every token the request carries, wherever it went, and the token rules that need the
//! API's answer too (a key rotation the API missed, an algorithm the key set cannot verify,
//! an expiry inside the leeway); and a login whose session cookie browsers refuse.

use axum::http::HeaderMap;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, errors::ErrorKind};
use serde_json::{Value, json};

use super::{
    SECRET, answer, auth, cause_ids, check_json, claims, common, expect_top, file, judged,
    loopback, quiet_api, site, token,
};

/// jsonwebtoken's verdict on a bare token (no leeway, audience api://orders).
fn judged_token(t: &str) -> Result<(), ErrorKind> {
    let mut h = HeaderMap::new();
    h.insert("authorization", format!("Bearer {t}").parse().unwrap());
    judged(&h)
}

/// An API that reads its token from `place(headers, query)` only.
fn api_reading(place: fn(&HeaderMap, &str) -> Option<String>) -> String {
    loopback::serve(axum::Router::new().fallback(axum::routing::any(
        move |uri: axum::http::Uri, h: HeaderMap| async move {
            let found = place(&h, uri.query().unwrap_or(""));
            match found.map(|t| judged_token(&t)) {
                Some(Ok(())) => answer(200, &[], "{\"orders\":[]}"),
                _ => answer(401, &[], "{\"message\":\"Unauthorized\"}"),
            }
        },
    )))
}

fn cookie_named(h: &HeaderMap, name: &str) -> Option<String> {
    let c = h.get("cookie")?.to_str().ok()?;
    c.split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned())
}

#[test]
fn every_token_sent_is_decoded_and_the_one_at_fault_is_named_by_where_it_went() {
    // A session API reads the cookie; the bearer token sent with it is sound.
    let good = token(&claims(3600));
    let expired = token(&claims(-600));
    assert_eq!(judged_token(&expired), Err(ErrorKind::ExpiredSignature));
    let url = api_reading(|h, _| cookie_named(h, "session"));
    let bearer = file(&good);
    let cookie = file(&format!("theme=dark; session={expired}"));
    let (json, _, _) = check_json(
        &url,
        &[
            "--bearer-file",
            bearer.path().to_str().unwrap(),
            "-H",
            &format!("Cookie: @{}", cookie.path().to_str().unwrap()),
        ],
        None,
    );
    expect_top(&json, "token-expired", "token in cookie 'session'");
    assert!(!json.to_string().contains(&expired));
}

#[test]
fn a_token_in_a_custom_header_is_decoded() {
    let mut c = claims(3600);
    c["aud"] = json!("api://billing");
    let t = token(&c);
    assert_eq!(judged_token(&t), Err(ErrorKind::InvalidAudience));
    let url = api_reading(|h, _| {
        h.get("x-access-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    });
    let f = file(&t);
    let header = format!("X-Access-Token: @{}", f.path().to_str().unwrap());
    let (json, _, _) = check_json(&url, &["-H", &header, "--aud", "api://orders"], None);
    expect_top(&json, "token-wrong-audience", "header 'X-Access-Token'");
}

#[test]
fn a_token_in_the_query_is_decoded_by_the_servers_clock() {
    // The API's clock (its Date) runs ten minutes behind: a token issued now is not valid yet
    // there, while this machine finds it fine.
    let now = common::now();
    let c = json!({"iss": "https://id.test/", "sub": "alice", "aud": "api://orders", "iat": now, "nbf": now, "exp": now + 3600});
    let t = token(&c);
    let url = loopback::serve(axum::Router::new().fallback(axum::routing::any(|| async {
        let behind = chrono::Utc::now() - chrono::Duration::seconds(600);
        answer(
            401,
            &[(
                "date",
                behind.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
            )],
            "{\"message\":\"Unauthorized\"}",
        )
    })));
    let (json, _, _) = check_json(
        &url,
        &["--api-key-query", "access_token"],
        Some(&format!("{t}\n")),
    );
    let ids = cause_ids(&json);
    assert!(
        ["token-not-yet-valid", "clock-skew"].contains(&ids[0].as_str()),
        "{ids:?}"
    );
    assert!(
        json["causes"]
            .to_string()
            .contains("query parameter 'access_token'"),
        "{}",
        json["causes"]
    );
}

#[test]
fn a_login_whose_session_cookie_the_browser_refuses_is_named() {
    // The login works, but its cookie is SameSite=None without Secure: browsers ignore it
    // (RFC 6265bis §5.7, "If the cookie's same-site-flag is None ... secure-only-flag"),
    // so every later call goes without a session and gets 401.
    let url = loopback::serve(
        axum::Router::new()
            .route(
                "/login",
                axum::routing::post(|| async {
                    answer(
                        200,
                        &[(
                            "set-cookie",
                            "sid=s-81f2a9c0d4; Path=/; SameSite=None; HttpOnly".into(),
                        )],
                        "{\"ok\":true}",
                    )
                }),
            )
            .route(
                "/api/me",
                axum::routing::get(|h: HeaderMap| async move {
                    if h.contains_key("cookie") {
                        answer(200, &[], "{\"user\":\"alice\"}")
                    } else {
                        answer(401, &[], "{\"message\":\"Unauthorized\"}")
                    }
                }),
            ),
    );
    let (json, _, _) = check_json(
        &format!("{url}/login"),
        &["-d", "user=alice&password=pw-0123"],
        None,
    );
    expect_top(
        &json,
        "cookie-rejected-by-client",
        "SameSite=None without Secure",
    );
}

/// An API that accepts only RS256 tokens verified with `key` (jsonwebtoken, no leeway).
fn rs256_api(key: Vec<u8>) -> String {
    site(move |_, h| {
        let verdict = auth(h)
            .strip_prefix("Bearer ")
            .map_or(Err(ErrorKind::InvalidToken), |t| {
                let mut v = Validation::new(Algorithm::RS256);
                v.leeway = 0;
                v.set_audience(&["api://orders"]);
                let k = DecodingKey::from_rsa_pem(&key).unwrap();
                decode::<Value>(t, &k, &v)
                    .map(|_| ())
                    .map_err(jsonwebtoken::errors::Error::into_kind)
            });
        match verdict {
            Ok(()) => answer(200, &[], "{}"),
            Err(_) => answer(401, &[], "{\"message\":\"Unauthorized\"}"),
        }
    })
}

/// `check` of `url` with `token` as the bearer and the issuer's live JWKS.
fn checked_with_live_jwks(url: &str, token: &str, issuer: &common::Issuer) -> Value {
    let f = file(token);
    let jwks = format!("{}/jwks", issuer.base);
    let args = ["--bearer-file", f.path().to_str().unwrap(), "--jwks", &jwks];
    check_json(url, &args, None).0
}

#[test]
fn a_token_that_verifies_against_the_live_jwks_after_a_rotation_points_at_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let (Some(old), Some(new)) = (
        common::keypair(dir.path(), Algorithm::RS256, "old"),
        common::keypair(dir.path(), Algorithm::RS256, "new"),
    ) else {
        return;
    };
    // The issuer rotated to the new key; the API still verifies with the old one.
    let issuer = common::Issuer::start(vec![new.jwk("k2")]);
    let url = rs256_api(old.public_pem.clone());
    let t = new.sign(Some("k2"), &claims(3600));
    let json = checked_with_live_jwks(&url, &t, &issuer);
    expect_top(&json, "server-key-or-config-stale", "kid 'k2'");
}

#[test]
fn an_hs256_token_against_an_rs256_key_set_is_an_algorithm_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let Some(rsa) = common::keypair(dir.path(), Algorithm::RS256, "rsa") else {
        return;
    };
    let issuer = common::Issuer::start(vec![rsa.jwk("k1")]);
    let url = rs256_api(rsa.public_pem.clone());
    let mut header = jsonwebtoken::Header::new(Algorithm::HS256);
    header.kid = Some("k1".into());
    let t = jsonwebtoken::encode(
        &header,
        &claims(3600),
        &jsonwebtoken::EncodingKey::from_secret(SECRET),
    )
    .unwrap();
    let json = checked_with_live_jwks(&url, &t, &issuer);
    expect_top(&json, "token-alg-mismatch", "HS256");
}

#[test]
fn a_token_expired_seconds_ago_is_named_though_within_the_leeway() {
    let t = token(&claims(-10));
    assert_eq!(judged_token(&t), Err(ErrorKind::ExpiredSignature));
    let f = file(&t);
    let (json, _, _) = check_json(
        &quiet_api(),
        &["--bearer-file", f.path().to_str().unwrap()],
        None,
    );
    expect_top(&json, "token-expired", "within the leeway");
}
