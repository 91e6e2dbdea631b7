//! What `check` sends along a redirect chain, counted by the servers that receive it: never the
//! user name and password a `Location` names, one Authorization header per request, and the
//! person's password at most twice in one run unless they allow more.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{loopback, servers};

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use base64::Engine as _;

const PASSWORD: &str = "Summer2026!";

/// Every request the server saw: its path and its Authorization field lines.
type Seen = Arc<Mutex<Vec<(String, Vec<String>)>>>;

/// A site that records each request and answers with `route(path, host)`.
fn counting_site(route: fn(&str, &str) -> Response) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = Arc::clone(&seen);
    let handler = move |uri: Uri, headers: HeaderMap| {
        let log = Arc::clone(&log);
        async move {
            log.lock()
                .unwrap()
                .push((uri.path().to_owned(), authorization_lines(&headers)));
            let host = headers
                .get("host")
                .map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned())
                .unwrap_or_default();
            route(uri.path(), &host)
        }
    };
    (loopback::serve(Router::new().fallback(any(handler))), seen)
}

/// The Authorization field lines of a request.
fn authorization_lines(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("authorization")
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

fn basic(user_pass: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(user_pass)
    )
}

fn refuse() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [("www-authenticate", "Basic realm=\"test\"")],
        "no",
    )
        .into_response()
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [("location", to.to_owned())], "").into_response()
}

/// Requests that carried the person's password, and the most Authorization lines any
/// one request carried.
fn password_requests(seen: &Seen) -> (usize, usize) {
    let seen = seen.lock().unwrap();
    let mine = basic(&format!("alice:{PASSWORD}"));
    let with_password = seen.iter().filter(|(_, a)| a.contains(&mine)).count();
    let most = seen.iter().map(|(_, a)| a.len()).max().unwrap_or(0);
    (with_password, most)
}

/// `check URL` as alice with at most `limit` password sends; its `--json`.
fn check_as_alice(url: &str, limit: &str) -> serde_json::Value {
    let args = [
        "--user",
        "alice",
        "--password-stdin",
        "--max-password-sends",
        limit,
    ];
    loopback::check_json(url, &args, Some(PASSWORD)).0
}

#[test]
fn a_location_with_userinfo_is_followed_without_it() {
    // Same origin, so the person's own credentials go on; the server's "mallory:stolen" never.
    let (base, seen) = counting_site(|path, host| match path {
        "/start" => redirect(&format!("http://mallory:stolen@{host}/next")),
        _ => refuse(),
    });
    let (json, _, stderr) = loopback::check_json(
        &format!("{base}/start"),
        &["--user", "alice", "--password-stdin"],
        Some(PASSWORD),
    );
    let text = json.to_string();
    let stolen = basic("mallory:stolen");
    for (path, auth) in seen.lock().unwrap().iter() {
        assert!(
            !auth.contains(&stolen),
            "{path} got the Location's userinfo"
        );
        assert!(
            auth.len() <= 1,
            "{path} got {} Authorization lines",
            auth.len()
        );
    }
    assert!(
        seen.lock().unwrap().iter().any(|(p, _)| p == "/next"),
        "the redirect was followed"
    );
    assert!(
        !text.contains("stolen") && !stderr.contains("stolen"),
        "{text}"
    );
    let withheld = json["withheld"].to_string();
    assert!(
        withheld.contains("user name and password in its address: dropped, never sent"),
        "{withheld}"
    );
    let hops = json["hops"].as_array().unwrap();
    assert_eq!(hops.len(), 2, "{hops:?}");
    assert!(
        hops.iter().all(|h| h["credentials_sent"] == true),
        "{hops:?}"
    );
}

#[test]
fn an_authorization_header_line_never_doubles_the_basic_one() {
    let (url, seen) = counting_site(|_, _| refuse());
    let (_json, _, _) = loopback::check_json(
        &format!("{url}/x"),
        &[
            "--user",
            "alice",
            "--password-stdin",
            "-H",
            "Authorization: Bearer extra",
        ],
        Some(PASSWORD),
    );
    let (_, most) = password_requests(&seen);
    assert_eq!(most, 1, "{:?}", seen.lock().unwrap());
}

#[test]
fn the_password_goes_out_at_most_twice_unless_allowed() {
    // A chain of two same-origin hops, then 401: the main request alone spends two sends.
    let route = |path: &str, _: &str| match path {
        "/a/b" => redirect("/a/c"),
        _ => refuse(),
    };
    let (url, seen) = counting_site(route);
    let (json, code, stderr) = loopback::check_json(
        &format!("{url}/a/b"),
        &["--user", "alice", "--password-stdin"],
        Some(PASSWORD),
    );
    assert_eq!(code, 1, "{stderr}");
    let (sent, most) = password_requests(&seen);
    assert_eq!(sent, 2, "{:?}", seen.lock().unwrap());
    assert_eq!(most, 1);
    assert_eq!(json["password_sends"]["count"], 2, "{json}");
    assert_eq!(json["password_sends"]["limit"], 2);
    let withheld = json["withheld"].to_string();
    assert!(
        withheld.contains("(elsewhere): the password already went out 2 times")
            && withheld.contains("--max-password-sends"),
        "{withheld}"
    );

    // Asked for more: the site root is tried with the password too.
    let (url, seen) = counting_site(route);
    let json = check_as_alice(&format!("{url}/a/b"), "5");
    let (sent, _) = password_requests(&seen);
    assert_eq!(sent, 3, "{:?}", seen.lock().unwrap());
    assert_eq!(json["password_sends"]["count"], 3);
    // The root is asked twice: without credentials (the battery's own anonymous request)
    // and with Basic at once, since this origin's challenge already asked for Basic.
    let root: Vec<usize> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(p, _)| p == "/")
        .map(|(_, a)| a.len())
        .collect();
    assert_eq!(root, [0, 1], "{:?}", seen.lock().unwrap());
}

#[test]
fn a_root_open_to_anyone_is_not_tried_with_the_password() {
    let (url, seen) = counting_site(|path, _| match path {
        "/" => (StatusCode::OK, "welcome").into_response(),
        _ => refuse(),
    });
    let json = check_as_alice(&format!("{url}/a/b"), "5");
    let (sent, _) = password_requests(&seen);
    assert_eq!(sent, 1, "{:?}", seen.lock().unwrap());
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .all(|(p, a)| p != "/" || a.is_empty()),
        "{:?}",
        seen.lock().unwrap()
    );
    let withheld = json["withheld"].to_string();
    assert!(
        withheld.contains("the site root answers 200 without credentials"),
        "{withheld}"
    );
}

#[test]
fn a_limit_of_one_stops_the_chain_and_says_so() {
    let (url, seen) = counting_site(|path, _| match path {
        "/a/b" => redirect("/a/c"),
        _ => refuse(),
    });
    let json = check_as_alice(&format!("{url}/a/b"), "1");
    let (sent, _) = password_requests(&seen);
    assert_eq!(sent, 1, "{:?}", seen.lock().unwrap());
    let withheld = json["withheld"].to_string();
    assert!(withheld.contains("was not followed"), "{withheld}");
}

/// Real nginx: it answers 400 to a request with two Authorization lines, and logs the Basic
/// user of each request, so the log shows whose credentials reached it.
#[test]
fn nginx_sees_only_the_persons_credentials_after_a_userinfo_redirect() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("htpasswd");
    if servers::htpasswd(&users, "-B", "alice", PASSWORD).is_none() {
        eprintln!("skipped: htpasswd not installed");
        return;
    }
    let body = format!(
        "location = /start {{ return 302 http://mallory:stolen@127.0.0.1:$server_port/target; }}\n\
         location /target {{ auth_basic \"t\"; auth_basic_user_file {}; }}",
        users.display()
    );
    let Some(nginx) = servers::Nginx::start(&body) else {
        assert!(std::env::var("CI").is_err(), "nginx missing under CI");
        eprintln!("skipped: nginx not installed");
        return;
    };
    // `return` would answer before auth_basic runs: a static file behind it instead.
    std::fs::write(nginx.path("www/target"), "in\n").unwrap();
    let (json, _, stderr) = loopback::check_json(
        &nginx.url("/start"),
        &["--user", "alice", "--password-stdin"],
        Some(PASSWORD),
    );
    assert_eq!(json["status"], 200, "{json}\n{stderr}");
    let log = nginx.access_log();
    let target: Vec<&str> = log.lines().filter(|l| l.contains("/target")).collect();
    assert!(!target.is_empty(), "{log}");
    // The request with credentials reached /target as alice; the anonymous one as nobody;
    // none as mallory, and none was refused for two Authorization lines (400).
    assert!(
        target
            .iter()
            .any(|l| l.contains(" alice [") && l.contains("\" 200 ")),
        "{log}"
    );
    for line in &target {
        assert!(
            !line.contains("mallory") && !line.contains("\" 400 "),
            "{line}"
        );
    }
    assert!(
        json["password_sends"]["count"].as_u64().unwrap() <= 2,
        "{json}"
    );
}

/// With a password and a Basic site, the site root goes with the password beside the main
/// request's own answer, not after it: by the server's own times, the two requests that
/// carried the password were in flight at once, and the password went out twice only.
#[test]
fn the_site_root_is_asked_beside_the_main_request() {
    type Timed = Arc<Mutex<Vec<(String, bool, std::time::Instant, std::time::Instant)>>>;
    let seen: Timed = Arc::default();
    let log = Arc::clone(&seen);
    let mine = basic(&format!("alice:{PASSWORD}"));
    let handler = move |uri: Uri, headers: HeaderMap| {
        let (log, mine) = (Arc::clone(&log), mine.clone());
        async move {
            let start = std::time::Instant::now();
            tokio::time::sleep(std::time::Duration::from_millis(400)).await;
            let with_password = headers
                .get_all("authorization")
                .iter()
                .any(|v| v.as_bytes() == mine.as_bytes());
            let path = uri.path().to_owned();
            log.lock()
                .unwrap()
                .push((path, with_password, start, std::time::Instant::now()));
            refuse()
        }
    };
    let url = loopback::serve(Router::new().fallback(any(handler)));
    let (json, code, stderr) = loopback::check_json(
        &format!("{url}/a/b"),
        &["--user", "alice", "--password-stdin"],
        Some(PASSWORD),
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(json["status"], 401, "{json}");
    assert_eq!(json["password_sends"]["count"], 2, "{json}");
    let seen = seen.lock().unwrap();
    let sent: Vec<_> = seen.iter().filter(|(_, p, _, _)| *p).collect();
    let paths: Vec<&str> = sent.iter().map(|(p, _, _, _)| p.as_str()).collect();
    assert_eq!(sent.len(), 2, "{paths:?}");
    assert!(paths.contains(&"/a/b") && paths.contains(&"/"), "{paths:?}");
    let (a, b) = (sent[0], sent[1]);
    assert!(
        a.2 < b.3 && b.2 < a.3,
        "the two requests with the password did not overlap: {:?}",
        seen.iter()
            .map(|(p, w, s, e)| (p, w, e.duration_since(*s)))
            .collect::<Vec<_>>()
    );
    // The main request's answer is the one reported as the request.
    assert_eq!(
        json["probes"]["http"]["facts"]["final_url"],
        format!("{url}/a/b"),
        "{json}"
    );
    assert_eq!(
        json["probes"]["elsewhere"]["facts"]["final_url"],
        format!("{url}/"),
        "{json}"
    );
}

/// Two round trips on a Digest site whose root refuses anonymous requests too: the root's
/// Digest answer goes beside the main request's, not after it. The main request's first answer
/// is held until the root's arrives (at most 5 s), then called stale; its retry with the new
/// nonce gets in without counting against the 2 sends, so the root still gets one.
#[test]
fn the_roots_digest_answer_goes_beside_the_main_requests() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let seen: Seen = Arc::default();
    let root_answered = Arc::new(tokio::sync::Notify::new());
    let root_came_first = Arc::new(AtomicBool::new(false));
    let (log, notify, came) = (
        Arc::clone(&seen),
        Arc::clone(&root_answered),
        Arc::clone(&root_came_first),
    );
    let handler = move |uri: Uri, headers: HeaderMap| {
        let (log, notify, came) = (Arc::clone(&log), Arc::clone(&notify), Arc::clone(&came));
        async move {
            let auth = authorization_lines(&headers);
            let path = uri.path().to_owned();
            let answers = {
                let mut log = log.lock().unwrap();
                log.push((path.clone(), auth.clone()));
                log.iter()
                    .filter(|(p, a)| *p == path && !a.is_empty())
                    .count()
            };
            let challenge = |nonce: &str, stale: bool| {
                let stale = if stale { ", stale=true" } else { "" };
                [(
                    "www-authenticate",
                    format!(
                        r#"Digest realm="site", nonce="{nonce}", qop="auth", algorithm=MD5{stale}"#
                    ),
                )]
            };
            match (auth.is_empty(), path.as_str(), answers) {
                (true, _, _) => {
                    (StatusCode::UNAUTHORIZED, challenge("n-first", false)).into_response()
                }
                (false, "/", _) => {
                    notify.notify_one();
                    (StatusCode::OK, "root").into_response()
                }
                (false, _, 1) => {
                    let waited =
                        tokio::time::timeout(std::time::Duration::from_secs(5), notify.notified());
                    came.store(waited.await.is_ok(), Ordering::SeqCst);
                    (StatusCode::UNAUTHORIZED, challenge("n-second", true)).into_response()
                }
                (false, _, _) => (StatusCode::OK, "admin").into_response(),
            }
        }
    };
    let url = loopback::serve(Router::new().fallback(any(handler)));
    let (json, _, stderr) = loopback::check_json(
        &format!("{url}/admin/"),
        &["--user", "alice", "--password-stdin"],
        Some(PASSWORD),
    );
    let seen = seen.lock().unwrap();
    assert_eq!(json["status"], 200, "{json}\n{stderr}\n{seen:?}");
    assert!(root_came_first.load(Ordering::SeqCst), "{seen:?}");
    assert_eq!(json["password_sends"]["count"], 2, "{json}");
    assert_eq!(json["password_sends"]["stale_retries"], 1, "{json}");
    assert_eq!(
        json["probes"]["elsewhere"]["facts"]["status"], 200,
        "{json}"
    );
    let answered: Vec<&str> = seen
        .iter()
        .filter(|(_, a)| !a.is_empty())
        .map(|(p, _)| p.as_str())
        .collect();
    assert_eq!(answered.len(), 3, "{seen:?}");
    assert!(
        seen.iter()
            .flat_map(|(_, a)| a)
            .all(|v| v.starts_with("Digest ")),
        "{seen:?}"
    );
}

/// A Digest site whose root refuses anonymous requests too: the root's Digest answer uses the
/// challenge of the root's own anonymous request, made earlier in the run, instead of asking
/// again. By the server's record, the root is asked twice (without, then with the answer).
#[test]
fn the_site_roots_digest_answer_reuses_its_anonymous_challenge() {
    let seen: Seen = Arc::default();
    let log = Arc::clone(&seen);
    let handler = move |uri: Uri, headers: HeaderMap| {
        let log = Arc::clone(&log);
        async move {
            let auth = authorization_lines(&headers);
            let path = uri.path().to_owned();
            log.lock().unwrap().push((path.clone(), auth.clone()));
            let challenge = [(
                "www-authenticate",
                r#"Digest realm="site", nonce="n-0123456789", qop="auth", algorithm=MD5"#,
            )];
            match (auth.is_empty(), path.as_str()) {
                (false, "/") => (StatusCode::OK, "root").into_response(),
                _ => (StatusCode::UNAUTHORIZED, challenge, "no").into_response(),
            }
        }
    };
    let url = loopback::serve(Router::new().fallback(any(handler)));
    let (json, _, stderr) = loopback::check_json(
        &format!("{url}/admin/"),
        &["--user", "alice", "--password-stdin"],
        Some(PASSWORD),
    );
    assert_eq!(json["status"], 401, "{json}\n{stderr}");
    assert_eq!(json["password_sends"]["count"], 2, "{json}");
    let seen = seen.lock().unwrap();
    let root: Vec<bool> = seen
        .iter()
        .filter(|(p, _)| p == "/")
        .map(|(_, a)| a.iter().any(|v| v.starts_with("Digest ")))
        .collect();
    assert_eq!(root, [false, true], "{seen:?}");
    assert_eq!(
        json["probes"]["elsewhere"]["facts"]["status"], 200,
        "{json}"
    );
    assert!(
        seen.iter()
            .flat_map(|(_, a)| a)
            .all(|v| !v.starts_with("Basic")),
        "{seen:?}"
    );
}
