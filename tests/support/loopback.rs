//! In-test servers on 127.0.0.1 for the check tests: axum routers for well-formed answers,
//! raw TCP handlers for byte-exact faults. Each runs on its own thread until the test ends.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::net::SocketAddr;

use assert_cmd::Command;
use axum::Router;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::Value;

fn spawn_runtime<F, Fut>(f: F) -> SocketAddr
where
    F: FnOnce(tokio::net::TcpListener) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let addr = std_listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
            f(listener).await;
        });
    });
    addr
}

/// Serves `router` on a free loopback port; returns `http://127.0.0.1:PORT`.
pub fn serve(router: axum::Router) -> String {
    let addr = spawn_runtime(move |l| async move {
        axum::serve(l, router).await.unwrap();
    });
    format!("http://{addr}")
}

/// Accepts connections and hands each to `handle` (on its own task).
pub fn serve_raw<F, Fut>(handle: F) -> String
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let addr = spawn_runtime(move |l| async move {
        while let Ok((stream, _)) = l.accept().await {
            tokio::spawn(handle(stream));
        }
    });
    format!("http://{addr}")
}

/// Runs `why401 check URL ARGS --json`; returns the JSON, the exit code and stderr.
pub fn check_json(url: &str, args: &[&str], stdin: Option<&str>) -> (Value, i32, String) {
    let mut cmd = Command::cargo_bin("why401").unwrap();
    cmd.arg("check").arg(url).args(args).arg("--json");
    cmd.env_remove("WHY401_API_KEY");
    cmd.timeout(std::time::Duration::from_secs(60));
    if let Some(s) = stdin {
        cmd.write_stdin(s.to_owned());
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {stderr}"));
    (json, out.status.code().unwrap_or(-1), stderr)
}

/// The id of the most likely cause.
pub fn top_cause(json: &Value) -> String {
    json["causes"][0]["id"]
        .as_str()
        .unwrap_or("<none>")
        .to_owned()
}

/// Every cause id, most likely first.
pub fn cause_ids(json: &Value) -> Vec<String> {
    ids_of(json, "causes")
}

/// Every remark id (true of the site, not why the request failed), most likely first.
#[allow(dead_code)]
pub fn remark_ids(json: &Value) -> Vec<String> {
    ids_of(json, "remarks")
}

fn ids_of(json: &Value, array: &str) -> Vec<String> {
    json[array]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A response with `status` and `headers`.
pub fn answer(status: u16, headers: &[(&'static str, String)], body: &'static str) -> Response {
    let mut r = (StatusCode::from_u16(status).unwrap(), body).into_response();
    for (k, v) in headers {
        r.headers_mut().append(*k, v.parse().unwrap());
    }
    r
}

pub fn auth(h: &HeaderMap) -> String {
    h.get("authorization")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default()
}

/// Every path answers with `f(method, headers)`.
pub fn site<F>(f: F) -> String
where
    F: Fn(&Method, &HeaderMap) -> Response + Clone + Send + Sync + 'static,
{
    let h = move |m: Method, hm: HeaderMap| {
        let f = f.clone();
        async move { f(&m, &hm) }
    };
    serve(Router::new().fallback(any(h)))
}

pub fn basic() -> (&'static str, String) {
    ("www-authenticate", "Basic realm=\"test\"".to_owned())
}

pub fn bearer_token_file() -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), "good\n").unwrap();
    f
}

pub fn assert_top(url: &str, args: &[&str], stdin: Option<&str>, want: &str) -> serde_json::Value {
    let (json, code, stderr) = check_json(url, args, stdin);
    assert_eq!(
        top_cause(&json),
        want,
        "causes: {:?}\nstderr: {stderr}",
        cause_ids(&json)
    );
    assert_eq!(code, 1, "exit code");
    json
}

pub fn bearer_site() -> String {
    site(|_, h| {
        if auth(h) == "Bearer good" {
            answer(200, &[], "ok")
        } else {
            answer(
                401,
                &[("www-authenticate", "Bearer realm=\"api\"".into())],
                "",
            )
        }
    })
}

/// The user and password of a Basic Authorization header; empty when there is none.
pub fn basic_login(h: &HeaderMap) -> (String, String) {
    use base64::Engine as _;
    let given = auth(h)
        .strip_prefix("Basic ")
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let (user, password) = given.split_once(':').unwrap_or(("", ""));
    (user.to_owned(), password.to_owned())
}
