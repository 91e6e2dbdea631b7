//! A real walk for ticket tests: a small help-desk flow, a loopback server answering 401
//! with a Basic challenge, and the engine driven through it with the real http probe.
//!
//! A test uses it as `use crate::support::ticket_fixture as fixture;`.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::missing_panics_doc
)]

use std::collections::BTreeMap;
use std::time::Duration;

use why401::flow::{Engine, FlowSet, Phase, Session};
use why401::probe::{self, ProbeContext};

pub const FLOW: &str = r#"
id: desk
title: Help-desk test walk
version: 2
start: begin
nodes:
  begin:
    title: Check the address
    inputs:
      - id: url
        kind: url
        prompt: The address that answers 401
      - id: user
        kind: username
        prompt: User name
      - id: password
        kind: secret
        prompt: Password
    probes:
      - kind: http
        args:
          url: "{{url}}"
          user: "{{user}}"
          password: "{{password}}"
    findings:
      - cause: bad-credentials
        when: http.status == 401 && http.sent_credentials == true
        evidence: "{{url}} answered {{http.status}} to {{user}} with password {{password}}"
        confidence: 0.8
    choices:
      - label: Escalate to the owner
        goto: ticket
      - label: It works now
        goto: done
  done:
    title: Fixed
    end: resolved
  ticket:
    title: Contact the owner
    end: escalate
"#;

/// The flows shipped plus `desk` (from `text`, to test changed flows).
pub fn flows_with(text: &str) -> FlowSet {
    let (mut set, _) = FlowSet::load(None);
    let mut diags = Vec::new();
    set.add("tests/desk.yaml", text, false, &mut diags);
    assert!(diags.is_empty(), "{diags:?}");
    set
}

pub fn flows() -> FlowSet {
    flows_with(FLOW)
}

/// A loopback server: 401 with a Basic challenge and a session cookie to everything.
pub async fn serve_401() -> String {
    use axum::http::{HeaderMap, StatusCode, header};
    let app = axum::Router::new().fallback(|| async {
        let mut h = HeaderMap::new();
        h.insert(
            header::WWW_AUTHENTICATE,
            "Basic realm=\"staff\", charset=\"UTF-8\"".parse().unwrap(),
        );
        h.insert(
            header::SET_COOKIE,
            "sid=serverSideSessionValue42; Path=/; HttpOnly"
                .parse()
                .unwrap(),
        );
        h.insert(header::CACHE_CONTROL, "no-store".parse().unwrap());
        (StatusCode::UNAUTHORIZED, h, "who are you?")
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/admin/?page=2")
}

/// Walks `desk` against a fresh 401 server with `password`, choosing `choice`, with a note.
pub fn walk(flows: &FlowSet, password: &str, choice: Option<usize>) -> Session {
    walk_url(flows, None, password, choice)
}

/// Walks `desk` against `url` (a fresh loopback 401 server when None).
pub fn walk_url(
    flows: &FlowSet,
    url: Option<&str>,
    password: &str,
    choice: Option<usize>,
) -> Session {
    block_on(async {
        let url = match url {
            Some(u) => u.to_owned(),
            None => serve_401().await,
        };
        let mut e = Engine::new(flows, "desk", BTreeMap::new()).unwrap();
        e.give_input("url", &url).unwrap();
        e.give_input("user", "alice").unwrap();
        e.give_input("password", password).unwrap();
        assert_eq!(e.phase(), Phase::Probes);
        let ctx = ProbeContext::new(Duration::from_secs(5)).unwrap();
        let reports = probe::run_all(e.probe_requests(), &ctx).await;
        e.give_reports(reports).unwrap();
        e.set_note("caller says it worked yesterday");
        if let Some(i) = choice {
            e.choose(i).unwrap();
        }
        e.into_session()
    })
}

/// Runs `f` to its end on a runtime of its own (loopback servers and probes).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}
