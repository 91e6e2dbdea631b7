//! Every request opens its own connection, as each curl command does: after an owner reloads
//! nginx, old workers keep serving the connections they hold, so a pooled connection would
//! re-test the old configuration and report the fix as not working.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use why401::probe::{self, ProbeContext, ProbeRequest};

/// A keep-alive HTTP/1.1 server that counts the connections it accepts.
fn keep_alive_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            count.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                loop {
                    // Read one request head, then answer and keep the connection open.
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let answer = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\n\
                                  Content-Length: 2\r\nConnection: keep-alive\r\n\r\nno";
                    if writer.write_all(answer.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, accepted)
}

#[tokio::test]
async fn two_checks_in_one_session_use_two_connections() {
    let (url, accepted) = keep_alive_server();
    let ctx = ProbeContext::new(Duration::from_secs(5)).unwrap();
    for n in 0..2 {
        let req = ProbeRequest {
            id: format!("http{n}"),
            kind: "http".to_owned(),
            args: [("url".to_owned(), url.clone())].into_iter().collect(),
        };
        let report = probe::run_one(req, ctx.clone()).await;
        assert_eq!(
            report
                .facts
                .get("status")
                .map(ToString::to_string)
                .as_deref(),
            Some("401"),
            "{report:?}"
        );
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        2,
        "the second request reused the first one's connection"
    );
}
