//! A walk's ticket says exactly what happened: what the checks found (causes apart from
//! remarks), what each step's checks said, every request with its answer. Real walks: the
//! engine, the real check battery and http probe against in-test loopback servers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::StatusCode;
use chrono::TimeZone as _;
use why401::flow::{Engine, FlowSet, Phase, Session};
use why401::probe::ProbeContext;
use why401::report::{Ticket, TicketFormat};

use crate::support::ticket_fixture as fixture;

/// One step: the whole battery on the address alone, as every shipped flow's first step.
const CHECK_ADDRESS: &str = r#"
id: truth
title: Check the address
version: 1
start: begin
nodes:
  begin:
    title: Check the address
    inputs:
      - id: url
        kind: url
        prompt: The address
    probes:
      - id: check
        kind: check
        args:
          url: "{{url}}"
    choices:
      - label: Done
        goto: done
  done:
    title: Done
    end: escalate
"#;

/// Serves `app` on 127.0.0.1 and returns `http://ADDR`.
async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// 401 to everything, with no WWW-Authenticate (nginx's `return 401;`).
fn bare_401() -> axum::Router {
    axum::Router::new().fallback(|| async { (StatusCode::UNAUTHORIZED, "no") })
}

fn flows(text: &str) -> FlowSet {
    let (mut set, _) = FlowSet::load(None);
    let mut diags = Vec::new();
    set.add("tests/truth.yaml", text, false, &mut diags);
    assert!(diags.is_empty(), "{diags:?}");
    set
}

/// Serves `app` and walks the one-step flow `truth` on its `path` with the real battery,
/// then takes choice 0.
fn walk_check(set: &FlowSet, app: axum::Router, path: &str, inputs: &[(&str, &str)]) -> Session {
    fixture::block_on(async {
        let url = format!("{}{path}", serve(app).await);
        let ctx = ProbeContext::new(Duration::from_secs(5)).unwrap();
        let mut e = Engine::new(set, "truth", BTreeMap::new()).unwrap();
        e.give_input("url", &url).unwrap();
        for (id, v) in inputs {
            e.give_input(id, v).unwrap();
        }
        assert_eq!(e.phase(), Phase::Probes);
        let reports = why401::check::run_probes(e.probe_requests(), &ctx).await;
        e.give_reports(reports).unwrap();
        e.choose(0).unwrap();
        e.into_session()
    })
}

fn ticket(session: &Session, set: &FlowSet) -> Ticket {
    let now = chrono::Utc.with_ymd_and_hms(2026, 12, 2, 9, 30, 0).unwrap();
    let mut t = Ticket::from_session_with(session, Some(set), now);
    t.environment.os = "linux x86_64 (test)".into();
    t
}

/// The battery lists each part's summary after its name: the cookie part's "no cookie set"
/// is read as it is, not hidden as if it were a cookie's value.
#[test]
fn the_cookie_checks_summary_is_shown_not_hidden_as_a_cookie() {
    let set = flows(CHECK_ADDRESS);
    let session = walk_check(&set, bare_401(), "/bare/", &[]);
    let t = ticket(&session, &set);
    for format in [TicketFormat::Md, TicketFormat::Text, TicketFormat::Json] {
        let out = t.render(format);
        assert!(out.contains("cookie: no cookie set"), "{out}");
        assert!(!out.contains("[cookie len="), "{out}");
    }
}
