//! `why401 har` on captures the tests build: an expired token, a refresh the client ignored, a
//! preflight 401, cookies and tokens in URLs that must never show, broken files, a big file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use assert_cmd::Command;
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::{Value, json};
use why401::probe::{FactValue, ProbeContext, ProbeRequest, run_one};

/// 2026-01-10T10:00:00Z
const T0: i64 = 1_768_039_200;

fn at(offset: i64) -> String {
    chrono::DateTime::from_timestamp(T0 + offset, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn http_date(offset: i64) -> String {
    chrono::DateTime::from_timestamp(T0 + offset, 0)
        .unwrap()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

fn token(sub: &str, exp_offset: i64) -> String {
    let claims = json!({"iss": "https://id.example", "sub": sub, "aud": "api", "scope": "orders.read", "iat": T0, "exp": T0 + exp_offset});
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(b"har-test-secret-0123456789abcdef"),
    )
    .unwrap()
}

fn nv(pairs: &[(&str, &str)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect(),
    )
}

fn entry(
    offset: i64,
    method: &str,
    url: &str,
    req: &[(&str, &str)],
    status: i64,
    resp: &[(&str, &str)],
) -> Value {
    let mut resp_headers = resp.to_vec();
    let date = http_date(offset);
    resp_headers.push(("Date", &date));
    json!({
        "startedDateTime": at(offset),
        "time": 12.5,
        "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1", "headers": nv(req), "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": nv(&resp_headers), "cookies": [],
                     "content": {"size": 0, "mimeType": "text/plain", "text": "CANARY-BODY"}, "redirectURL": "", "headersSize": -1, "bodySize": 0},
        "cache": {}, "timings": {"send": 0, "wait": 10, "receive": 2}
    })
}

fn token_response(mut e: Value, body: &Value, post: &str) -> Value {
    e["response"]["content"] =
        json!({"size": 10, "mimeType": "application/json", "text": body.to_string()});
    e["request"]["postData"] =
        json!({"mimeType": "application/x-www-form-urlencoded", "text": post});
    e
}

/// The capture: login, a working call, expiry, a refresh the client ignores, and more 401s.
fn capture() -> (Value, Vec<String>) {
    let a = token("alice", 300);
    let b = token("alice", 1200);
    let bearer_a = format!("Bearer {a}");
    let mut expired_call = entry(
        600,
        "GET",
        "https://api.example/v1/orders",
        &[("Authorization", &bearer_a)],
        401,
        &[(
            "WWW-Authenticate",
            "Bearer realm=\"api\", error=\"invalid_token\"",
        )],
    );
    expired_call["_initiator"] = json!({"type": "script", "stack": {"callFrames": [{"url": "https://app.example/main.js?v=3"}]}});
    let entries = vec![
        entry(0, "GET", "https://app.example/", &[], 200, &[]),
        token_response(
            entry(
                5,
                "POST",
                "https://id.example/oauth/token",
                &[],
                200,
                &[(
                    "Set-Cookie",
                    "idp_session=CANARY-SETCOOKIE; Path=/; HttpOnly",
                )],
            ),
            &json!({"access_token": a, "refresh_token": "CANARY-REFRESH", "expires_in": 300}),
            "grant_type=authorization_code&code=CANARY-CODE",
        ),
        entry(
            10,
            "GET",
            "https://api.example/v1/orders",
            &[("Authorization", &bearer_a)],
            200,
            &[],
        ),
        expired_call,
        token_response(
            entry(601, "POST", "https://id.example/oauth/token", &[], 200, &[]),
            &json!({"access_token": b, "expires_in": 1200}),
            "grant_type=refresh_token&refresh_token=CANARY-REFRESH",
        ),
        entry(
            660,
            "GET",
            "https://api.example/v1/orders?page=2",
            &[("Authorization", &bearer_a)],
            401,
            &[(
                "WWW-Authenticate",
                "Bearer realm=\"api\", error=\"invalid_token\"",
            )],
        ),
        entry(
            661,
            "OPTIONS",
            "https://api.example/v1/orders",
            &[("Origin", "https://app.example")],
            401,
            &[],
        ),
        entry(
            662,
            "GET",
            "https://api.example/v1/profile?access_token=CANARY-URL-TOKEN&lang=en",
            &[("Cookie", "session=CANARY-COOKIE; theme=dark")],
            401,
            &[("WWW-Authenticate", "Bearer realm=\"api\"")],
        ),
        entry(
            663,
            "GET",
            "https://api.example/v1/me",
            &[],
            401,
            &[("WWW-Authenticate", "Bearer realm=\"api\"")],
        ),
    ];
    let har = json!({"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"}, "pages": [], "entries": entries}});
    (har, vec![a, b])
}

fn har(dir: &tempfile::TempDir, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("why401")
        .unwrap()
        .current_dir(dir.path())
        .arg("har")
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write_capture(dir: &tempfile::TempDir) -> Vec<String> {
    let (h, tokens) = capture();
    std::fs::write(
        dir.path().join("capture.har"),
        serde_json::to_vec_pretty(&h).unwrap(),
    )
    .unwrap();
    tokens
}

#[test]
fn lists_each_401_with_its_credentials_and_what_came_before() {
    let dir = tempfile::tempdir().unwrap();
    write_capture(&dir);
    let (code, out, err) = har(&dir, &["capture.har"]);
    assert_eq!(code, 1, "{err}");
    // Keyed fingerprints change with every run's key.
    insta::with_settings!({filters => vec![(r"hmac=[0-9a-f]{8}", "hmac=[run key]")]}, {
        insta::assert_snapshot!("har_text_report", out);
    });
}

#[test]
fn the_diagnosis_names_expiry_stale_token_preflight_and_missing_credentials() {
    let dir = tempfile::tempdir().unwrap();
    write_capture(&dir);
    let (_, out, _) = har(&dir, &["capture.har", "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["requests"], 9);
    assert_eq!(v["unauthorized_total"], 5);
    let ids: Vec<&str> = v["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for want in [
        "token-expired",
        "stale-cookie-or-cache",
        "cors-preflight-requires-auth",
        "no-credentials-sent",
        "session-expired",
    ] {
        assert!(ids.contains(&want), "{want} missing from {ids:?}");
    }
    // The expiry is judged at the moment of the request, not today.
    let first = &v["unauthorized"][0];
    assert_eq!(first["authorization"]["token"]["expired"], true);
    assert!(
        first["authorization"]["token"]["times"]
            .to_string()
            .contains("expired 5 min ago"),
        "{}",
        first
    );
    assert_eq!(first["initiator"], "script https://app.example/main.js?v=3");
    assert_eq!(first["before"][0]["auth_kind"], "login");
}

#[test]
fn no_secret_from_the_capture_appears_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = write_capture(&dir);
    for args in [
        vec!["capture.har"],
        vec!["capture.har", "--json"],
        vec!["capture.har", "--report", "t.md"],
    ] {
        let (_, out, err) = har(&dir, &args);
        let saved = std::fs::read_to_string(dir.path().join("t.md")).unwrap_or_default();
        for text in [&out, &err, &saved] {
            assert!(!text.contains("CANARY"), "secret leaked: {text}");
            for t in &tokens {
                assert!(!text.contains(t.as_str()), "token leaked");
                assert!(
                    !text.contains(t.rsplit('.').next().unwrap()),
                    "signature leaked"
                );
            }
        }
    }
}

#[test]
fn broken_files_are_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cut.har"),
        br#"{"log":{"entries":[{"request":{"method":"GET","#,
    )
    .unwrap();
    std::fs::write(dir.path().join("other.json"), br#"{"hello":"world"}"#).unwrap();
    let (code, _, err) = har(&dir, &["cut.har"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("cut.har") && err.contains("line 1 column"),
        "{err}"
    );
    let (code, _, err) = har(&dir, &["other.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a HAR file"), "{err}");
    let (code, _, err) = har(&dir, &["missing.har"]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.har"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn a_large_capture_streams_through() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.har");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    write!(f, r#"{{"log":{{"version":"1.2","entries":["#).unwrap();
    let body = "x".repeat(2000);
    for i in 0..20_000 {
        let status = if i % 1000 == 999 { 401 } else { 200 };
        let mut e = entry(
            i,
            "GET",
            &format!("https://api.example/item/{i}"),
            &[],
            status,
            &[],
        );
        e["response"]["content"]["text"] = Value::String(body.clone());
        if i > 0 {
            write!(f, ",").unwrap();
        }
        serde_json::to_writer(&mut f, &e).unwrap();
    }
    write!(f, "]}}}}").unwrap();
    drop(f);
    assert!(std::fs::metadata(&path).unwrap().len() > 40_000_000);
    let (code, out, err) = har(&dir, &["big.har", "--json"]);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["requests"], 20_000);
    assert_eq!(v["unauthorized_total"], 20);
}

#[test]
fn the_har_probe_gives_flows_their_facts() {
    let dir = tempfile::tempdir().unwrap();
    write_capture(&dir);
    let path = dir.path().join("capture.har").display().to_string();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ctx = ProbeContext::new(Duration::from_secs(5)).unwrap();
    let args: BTreeMap<String, String> = [("file".to_owned(), path)].into();
    let r = rt.block_on(run_one(
        ProbeRequest {
            id: "har".into(),
            kind: "har".into(),
            args,
        },
        ctx.clone(),
    ));
    assert_eq!(r.facts["requests"], FactValue::Int(9));
    assert_eq!(r.facts["unauthorized"], FactValue::Int(5));
    assert_eq!(r.facts["sent_authorization"], FactValue::Bool(true));
    assert_eq!(r.facts["auth_scheme"], FactValue::Str("bearer".into()));
    assert_eq!(r.facts["token_expired"], FactValue::Bool(true));
    assert_eq!(r.facts["auth_exchange_before"], FactValue::Bool(true));
    let args: BTreeMap<String, String> =
        [("file".to_owned(), "/nonexistent.har".to_owned())].into();
    let r = rt.block_on(run_one(
        ProbeRequest {
            id: "har".into(),
            kind: "har".into(),
            args,
        },
        ctx,
    ));
    assert!(matches!(&r.facts["error"], FactValue::Str(e) if e.contains("/nonexistent.har")));
}

/// A capture of `entries` written to `name` (with `prefix` bytes before the JSON); the
/// `why401 har --json` document, and the text and JSON outputs together.
fn analyse_capture(entries: &[Value], prefix: &[u8]) -> (Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let doc = json!({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": entries}});
    let mut bytes = prefix.to_vec();
    bytes.extend(doc.to_string().as_bytes());
    std::fs::write(dir.path().join("c.har"), bytes).unwrap();
    let (code, json_out, err) = har(&dir, &["c.har", "--json"]);
    assert_eq!(code, 1, "{json_out}{err}");
    let (_, text, _) = har(&dir, &["c.har"]);
    let parsed: Value = serde_json::from_str(&json_out).unwrap();
    (parsed, format!("{text}\n{json_out}\n{err}"))
}

fn top_cause(doc: &Value) -> (String, String) {
    let c = &doc["causes"][0];
    (
        c["id"].as_str().unwrap().to_owned(),
        c["evidence"].to_string(),
    )
}

fn cause_ids(doc: &Value) -> Vec<String> {
    doc["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_byte_order_mark_and_a_digest_stale_nonce() {
    let stale =
        r#"Digest realm="api", qop="auth", nonce="n2", opaque="o", stale=true, algorithm=SHA-256"#;
    let sent = r#"Digest username="bob", realm="api", nonce="n1", uri="/x", response="0123456789abcdef0123456789abcdef", qop=auth, nc=00000001, cnonce="c""#;
    let e = entry(
        0,
        "GET",
        "https://api.example/x",
        &[("Authorization", sent)],
        401,
        &[("WWW-Authenticate", stale)],
    );
    let (doc, out) = analyse_capture(&[e], b"\xEF\xBB\xBF");
    let (id, evidence) = top_cause(&doc);
    assert_eq!(id, "digest-nonce-stale", "{out}");
    assert!(evidence.contains("stale=true"), "{evidence}");
    assert!(
        !cause_ids(&doc).contains(&"bad-credentials".to_owned()),
        "{out}"
    );
    assert!(
        !out.contains("0123456789abcdef0123456789abcdef"),
        "the Digest response leaked"
    );
}

#[test]
fn an_api_key_header_is_a_credential() {
    let key = "CANARY-APIKEY-7f3a9c";
    let e = entry(
        0,
        "GET",
        "https://api.example/orders",
        &[("X-Api-Key", key)],
        401,
        &[("WWW-Authenticate", r#"ApiKey realm="orders""#)],
    );
    let q = entry(
        1,
        "GET",
        &format!("https://api.example/orders?api_key={key}"),
        &[],
        401,
        &[("WWW-Authenticate", r#"ApiKey realm="orders""#)],
    );
    let (doc, out) = analyse_capture(&[e, q], b"");
    let ids = cause_ids(&doc);
    assert_eq!(ids[0], "bad-credentials", "{out}");
    assert!(!ids.contains(&"no-credentials-sent".to_owned()), "{out}");
    assert!(
        !ids.contains(&"wrong-auth-scheme".to_owned()),
        "an API key in its own parameter is not a Bearer misplacement: {out}"
    );
    assert!(out.contains("X-Api-Key [key len="), "{out}");
    assert!(!out.contains(key), "the API key leaked");
}

#[test]
fn basic_credentials_refused_under_the_same_realm() {
    let basic = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            "alice:CANARY-PASS-51"
        )
    );
    let e = entry(
        0,
        "GET",
        "https://intranet.example/",
        &[("Authorization", &basic)],
        401,
        &[("WWW-Authenticate", r#"Basic realm="Staff only""#)],
    );
    let (doc, out) = analyse_capture(&[e], b"");
    let (id, evidence) = top_cause(&doc);
    assert_eq!(id, "bad-credentials", "{out}");
    assert!(
        evidence.contains("Staff only") && evidence.contains("alice"),
        "{evidence}"
    );
    assert!(
        !out.contains("CANARY-PASS-51") && !out.contains(&basic[6..]),
        "the password leaked"
    );
}

#[test]
fn cookies_the_browser_refuses_or_does_not_send() {
    let login = |set: &str| {
        entry(
            0,
            "POST",
            "https://app.example/auth/login",
            &[],
            200,
            &[("Set-Cookie", set)],
        )
    };
    let call = entry(
        5,
        "GET",
        "https://app.example/api/me",
        &[],
        401,
        &[("WWW-Authenticate", r#"Cookie realm="app""#)],
    );
    let cases = [
        (
            "sid=CANARY-COOKIE-1; Path=/; SameSite=None; HttpOnly",
            "SameSite=None without Secure",
        ),
        (
            "sid=CANARY-COOKIE-1; Path=/; Domain=other.example; Secure",
            "does not domain-match",
        ),
        (
            "sid=CANARY-COOKIE-1; Path=/auth; Secure; HttpOnly",
            "Path=/auth, which does not cover /api/me",
        ),
    ];
    for (set, why) in cases {
        let (doc, out) = analyse_capture(&[login(set), call.clone()], b"");
        let (id, evidence) = top_cause(&doc);
        assert_eq!(id, "cookie-rejected-by-client", "{set}: {out}");
        assert!(
            evidence.contains(why) && evidence.contains("'sid'"),
            "{set}: {evidence}"
        );
        assert!(
            !out.contains("CANARY-COOKIE-1"),
            "{set}: the cookie value leaked"
        );
    }
    // Secure over http: the browser ignores it.
    let http_login = entry(
        0,
        "POST",
        "http://app.example/login",
        &[],
        200,
        &[("Set-Cookie", "session=CANARY-COOKIE-2; Secure; Path=/")],
    );
    let http_call = entry(
        5,
        "GET",
        "http://app.example/api/me",
        &[],
        401,
        &[("WWW-Authenticate", r#"Cookie realm="app""#)],
    );
    let (doc, out) = analyse_capture(&[http_login, http_call], b"");
    assert_eq!(top_cause(&doc).0, "cookie-rejected-by-client", "{out}");
    assert!(
        top_cause(&doc).1.contains("set by an http:// response"),
        "{out}"
    );
    // A cookie the browser keeps and sends is no finding.
    let good = login("sid=CANARY-COOKIE-3; Path=/; Secure; SameSite=None");
    let sent = entry(
        5,
        "GET",
        "https://app.example/api/me",
        &[("Cookie", "sid=CANARY-COOKIE-3")],
        401,
        &[("WWW-Authenticate", r#"Cookie realm="app""#)],
    );
    let (doc, out) = analyse_capture(&[good, sent], b"");
    assert!(
        !cause_ids(&doc).contains(&"cookie-rejected-by-client".to_owned()),
        "{out}"
    );
}

#[test]
fn set_cookie_lines_folded_into_one_value_are_read_one_by_one() {
    // Some exports fold several Set-Cookie lines into one header value with line breaks.
    let folded = "theme=dark; Path=/\nsid=CANARY-COOKIE-4; Path=/; SameSite=None\nlang=en";
    let login = entry(
        0,
        "POST",
        "https://app.example/login",
        &[],
        200,
        &[("Set-Cookie", folded)],
    );
    let call = entry(
        5,
        "GET",
        "https://app.example/api/me",
        &[("Cookie", "theme=dark; lang=en")],
        401,
        &[("WWW-Authenticate", r#"Cookie realm="app""#)],
    );
    let (doc, out) = analyse_capture(&[login, call], b"");
    let (id, evidence) = top_cause(&doc);
    assert_eq!(id, "cookie-rejected-by-client", "{out}");
    assert!(
        evidence.contains("'sid'") && evidence.contains("SameSite=None"),
        "{evidence}"
    );
    assert!(
        !out.contains("CANARY-COOKIE-4"),
        "the folded cookie value leaked"
    );
}
