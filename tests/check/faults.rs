//! Faults a server can throw at the check: each gets a classified result within the timeout,
//! never a panic or a hang.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::loopback;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use loopback::{check_json, serve, serve_raw, top_cause};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Reads the request head so the client is not reset before it has sent it.
async fn read_head(s: &mut tokio::net::TcpStream) {
    let mut buf = vec![0u8; 8192];
    let _ = tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf)).await;
}

/// Runs check with a 2 s timeout; asserts it ends in time and returns the main probe's facts.
fn classified(url: &str) -> (serde_json::Value, i32) {
    let started = Instant::now();
    let (json, code, stderr) = check_json(url, &["--timeout", "2"], None);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    (json, code)
}

fn error_class(json: &serde_json::Value) -> String {
    json["probes"]["http"]["facts"]["error.class"]
        .as_str()
        .unwrap_or("<none>")
        .to_owned()
}

#[test]
fn connection_refused() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (json, code) = classified(&format!("http://127.0.0.1:{port}/"));
    assert_eq!(error_class(&json), "refused");
    assert_eq!(top_cause(&json), "server-unreachable");
    assert_eq!(code, 1);
    assert!(json["status"].is_null());
}

#[test]
fn accepts_and_never_answers() {
    let url = serve_raw(|mut s| async move {
        read_head(&mut s).await;
        tokio::time::sleep(Duration::from_secs(60)).await;
    });
    let (json, code) = classified(&url);
    assert_eq!(error_class(&json), "timeout");
    assert_eq!(top_cause(&json), "server-unreachable");
    assert_eq!(code, 1);
}

#[test]
fn trickles_bytes() {
    let url = serve_raw(|mut s| async move {
        read_head(&mut s).await;
        for b in b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"slow\"\r\n"
            .iter()
            .cycle()
            .take(10_000)
        {
            if s.write_all(&[*b]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let (json, _) = classified(&url);
    assert_eq!(error_class(&json), "timeout");
}

#[test]
fn one_megabyte_header() {
    let url = serve_raw(|mut s| async move {
        read_head(&mut s).await;
        let mut r = b"HTTP/1.1 401 Unauthorized\r\nX-Huge: ".to_vec();
        r.extend(std::iter::repeat_n(b'a', 1024 * 1024));
        r.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
        let _ = s.write_all(&r).await;
    });
    let (json, code) = classified(&url);
    let class = error_class(&json);
    assert!(
        ["too-large", "protocol", "reset"].contains(&class.as_str()),
        "{class}"
    );
    assert_eq!(code, 1);
}

#[test]
fn redirect_loop() {
    let url = serve(
        Router::new()
            .route("/a", get(|| async { Redirect::temporary("/b") }))
            .route("/b", get(|| async { Redirect::temporary("/a") })),
    );
    let (json, _) = classified(&format!("{url}/a"));
    let facts = &json["probes"]["http"]["facts"];
    assert_eq!(facts["redirect.loop"], true);
    assert_eq!(json["probes"]["http"]["verdict"], "fail");
    assert!(
        json["probes"]["http"]["summary"]
            .as_str()
            .unwrap()
            .contains("redirect loop")
    );
}

#[test]
fn not_http() {
    let url = serve_raw(|mut s| async move {
        let _ = s.write_all(b"SSH-2.0-OpenSSH_9.6\r\n").await;
        read_head(&mut s).await;
    });
    let (json, code) = classified(&url);
    assert_eq!(error_class(&json), "protocol");
    assert_eq!(code, 1);
}

#[test]
fn http_1_0_answer_is_read() {
    let url = serve_raw(|mut s| async move {
        read_head(&mut s).await;
        let _ = s
            .write_all(
                b"HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"old\"\r\n\r\nno",
            )
            .await;
    });
    let (json, code) = classified(&url);
    assert_eq!(json["status"], 401);
    assert_eq!(json["probes"]["http"]["facts"]["version"], "HTTP/1.0");
    assert_eq!(json["challenges"][0]["params"]["realm"], "old");
    assert_eq!(top_cause(&json), "no-credentials-sent");
    assert_eq!(code, 1);
}

#[test]
fn self_signed_tls() {
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let certs = rustls::pki_types::CertificateDer::pem_file_iter(dir.join("selfsigned.cert.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key =
        rustls::pki_types::PrivateKeyDer::from_pem_file(dir.join("selfsigned.key.pem")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let url = serve_raw(move |s| {
        let acceptor = acceptor.clone();
        async move {
            if let Ok(mut tls) = acceptor.accept(s).await {
                let _ = tls
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                    .await;
            }
        }
    });
    let url = url.replace("http://", "https://");
    let (json, code) = classified(&url);
    assert_eq!(error_class(&json), "tls");
    assert_eq!(json["probes"]["http"]["facts"]["error.tls"], "self-signed");
    assert_eq!(top_cause(&json), "server-unreachable");
    assert!(
        json["causes"][0]["evidence"][0]
            .as_str()
            .unwrap()
            .contains("self-signed")
    );
    assert_eq!(code, 1);
}

#[test]
fn huge_body_is_read_only_up_to_the_bound() {
    let url = serve_raw(|mut s| async move {
        read_head(&mut s).await;
        let head = b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"big\"\r\nContent-Length: 8388608\r\n\r\n";
        if s.write_all(head).await.is_err() {
            return;
        }
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..128 {
            if s.write_all(&chunk).await.is_err() {
                return;
            }
        }
    });
    let (json, code) = classified(&url);
    let facts = &json["probes"]["http"]["facts"];
    assert_eq!(facts["body_bytes"], 65536);
    assert_eq!(facts["body_truncated"], true);
    assert_eq!(json["status"], 401);
    assert_eq!(code, 1);
}
