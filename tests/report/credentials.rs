//! "Credentials sent" tells the truth: each kind of credential any request of a walk carried
//! (kind and user, never the value), and which requests carried it, the re-test included.
//! Real walks: the engine, the real http probe and the real re-test against loopback servers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::TimeZone as _;
use why401::flow::{Engine, FlowSet, Phase, Session};
use why401::probe::{self, ProbeContext};
use why401::report::{Ticket, TicketFormat};

use crate::support::ticket_fixture as fixture;

const TOKEN: &str = "fresh-token-canary-8d1f";
const COOKIE_VALUE: &str = "cookieCanary31337";
const PASSWORD: &str = "basic-canary-Pw-55";

/// Only the re-test carries a token: the walk's one request goes out bare.
const TOKEN_AT_RETEST: &str = r#"
id: sent
title: Token given at the re-test
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
      - kind: http
        args:
          url: "{{url}}"
    choices:
      - label: It works now with a new token
        goto: retest
  retest:
    title: Re-test with the new token
    inputs:
      - id: new_token
        kind: token
        prompt: The new token
    next:
      - goto: fixed
  fixed:
    title: Fixed
    end: resolved
"#;

/// The request carries a session cookie.
const WITH_COOKIE: &str = r#"
id: sent
title: Session cookie
version: 1
start: begin
nodes:
  begin:
    title: Check the address with the session cookie
    inputs:
      - id: url
        kind: url
        prompt: The address
      - id: cookie
        kind: secret
        prompt: The Cookie header
    probes:
      - kind: http
        args:
          url: "{{url}}"
          cookie: "{{cookie}}"
    choices:
      - label: It works now
        goto: fixed
  fixed:
    title: Fixed
    end: resolved
"#;

/// 200 for the fresh token or the good session cookie, else 401 with a Bearer challenge.
async fn serve_api() -> String {
    use axum::http::{HeaderMap, StatusCode, header};
    let app = axum::Router::new().fallback(|h: HeaderMap| async move {
        let value = |n: header::HeaderName| {
            h.get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let bearer = value(header::AUTHORIZATION) == format!("Bearer {TOKEN}");
        let cookie = value(header::COOKIE).contains(&format!("sid={COOKIE_VALUE}"));
        let mut out = HeaderMap::new();
        if bearer || cookie {
            return (StatusCode::OK, out, "welcome");
        }
        out.insert(
            header::WWW_AUTHENTICATE,
            "Bearer realm=\"api\"".parse().unwrap(),
        );
        (StatusCode::UNAUTHORIZED, out, "who are you?")
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/v1/me")
}

fn flows(text: &str) -> FlowSet {
    let (mut set, _) = FlowSet::load(None);
    let mut diags = Vec::new();
    set.add("tests/sent.yaml", text, false, &mut diags);
    assert!(diags.is_empty(), "{diags:?}");
    set
}

/// Walks `flow`: `first` inputs, the probes, choice 0, `later` inputs, then the re-test the
/// wizard runs at the end (`r`), with the real http probe.
fn walk(
    flows: &FlowSet,
    flow: &str,
    url: Option<&str>,
    first: &[(&str, &str)],
    later: &[(&str, &str)],
) -> Session {
    fixture::block_on(async {
        let url = match url {
            Some(u) => u.to_owned(),
            None => serve_api().await,
        };
        let ctx = ProbeContext::new(Duration::from_secs(5)).unwrap();
        let mut e = Engine::new(flows, flow, BTreeMap::new()).unwrap();
        e.give_input("url", &url).unwrap();
        for (id, v) in first {
            e.give_input(id, v).unwrap();
        }
        assert_eq!(e.phase(), Phase::Probes);
        e.give_reports(probe::run_all(e.probe_requests(), &ctx).await)
            .unwrap();
        e.choose(0).unwrap();
        for (id, v) in later {
            e.give_input(id, v).unwrap();
        }
        assert_eq!(e.phase(), Phase::Ended);
        let retest = e.verification_request().unwrap();
        let report = probe::run_one(retest, ctx.clone()).await;
        e.give_verification(&report);
        e.into_session()
    })
}

fn ticket(session: &Session, flows: &FlowSet) -> Ticket {
    let now = chrono::Utc.with_ymd_and_hms(2026, 12, 2, 9, 30, 0).unwrap();
    let mut t = Ticket::from_session_with(session, Some(flows), now);
    t.environment.os = "linux x86_64 (test)".into();
    t
}

/// Every format of `t`, with none of `secrets` in any.
fn rendered(t: &Ticket, secrets: &[&str]) -> (String, String) {
    let md = t.render(TicketFormat::Md);
    let text = t.render(TicketFormat::Text);
    let json = t.render(TicketFormat::Json);
    for out in [&md, &text, &json] {
        for s in secrets {
            assert!(!out.contains(s), "{s} leaked:\n{out}");
        }
    }
    (md, text)
}

fn credentials_line(md: &str) -> &str {
    md.lines()
        .find(|l| l.starts_with("- **Credentials sent:**"))
        .unwrap_or_default()
}

/// Asserts the "Credentials sent" line of `t` (none of `secrets` in any format) and keeps
/// both texts as snapshots `NAME_md` and `NAME_text`.
fn assert_sent(t: &Ticket, secrets: &[&str], line: &str, name: &str) {
    let (md, text) = rendered(t, secrets);
    assert_eq!(
        credentials_line(&md),
        format!("- **Credentials sent:** {line}")
    );
    let s = super::ticket::settings();
    s.bind(|| insta::assert_snapshot!(format!("{name}_md"), md));
    s.bind(|| insta::assert_snapshot!(format!("{name}_text"), text));
}

#[test]
fn a_token_only_the_retest_carried_is_named_as_the_retests() {
    let set = flows(TOKEN_AT_RETEST);
    let session = walk(&set, "sent", None, &[], &[("new_token", TOKEN)]);
    let t = ticket(&session, &set);
    assert_eq!(t.outcome, "resolved");
    // The walk's one request, then the re-test, each listed with what it carried.
    assert_eq!(t.observed.len(), 2);
    assert_eq!(t.observed[0].sent_credentials, Some(false));
    assert!(t.observed[1].is_retest());
    assert_eq!(t.observed[1].sent_credentials, Some(true));
    assert_sent(
        &t,
        &[TOKEN],
        "Bearer token (in the re-test only)",
        "sent_retest_token",
    );
}

#[test]
fn basic_credentials_are_named_with_the_user_for_every_request() {
    let set = fixture::flows();
    // "It works now" is choice 1 of the desk flow; take it by walking the fixture by hand.
    let session = fixture::block_on(async {
        let url = fixture::serve_401().await;
        let ctx = ProbeContext::new(Duration::from_secs(5)).unwrap();
        let mut e = Engine::new(&set, "desk", BTreeMap::new()).unwrap();
        e.give_input("url", &url).unwrap();
        e.give_input("user", "alice").unwrap();
        e.give_input("password", PASSWORD).unwrap();
        e.give_reports(probe::run_all(e.probe_requests(), &ctx).await)
            .unwrap();
        e.choose(1).unwrap();
        let report = probe::run_one(e.verification_request().unwrap(), ctx.clone()).await;
        e.give_verification(&report);
        e.into_session()
    });
    let t = ticket(&session, &set);
    // The server still says 401: only a passing re-test may say resolved.
    assert_eq!(t.outcome, "diagnosed");
    assert_sent(
        &t,
        &[PASSWORD],
        "Basic, user 'alice' (in the one request and the re-test)",
        "sent_basic",
    );
}

#[test]
fn a_cookie_is_named_by_its_name_never_its_value() {
    let set = flows(WITH_COOKIE);
    let cookie = format!("sid={COOKIE_VALUE}; theme=dark");
    let session = walk(&set, "sent", None, &[("cookie", &cookie)], &[]);
    let t = ticket(&session, &set);
    assert_eq!(t.outcome, "resolved");
    assert_sent(
        &t,
        &[COOKIE_VALUE],
        "cookies sid, theme (in the one request and the re-test)",
        "sent_cookie",
    );
}

/// The battery (`check`) as the wizard runs it, with the token: its own requests (with the
/// token, and the same address without it) are each accounted for.
const BATTERY_WITH_TOKEN: &str = r#"
id: sent
title: The battery with a token
version: 1
start: begin
nodes:
  begin:
    title: Check the address with the token
    inputs:
      - id: url
        kind: url
        prompt: The address
      - id: token
        kind: token
        prompt: The token
    probes:
      - kind: check
        args:
          url: "{{url}}"
          authorization: "Bearer {{token}}"
    choices:
      - label: Done
        goto: fixed
  fixed:
    title: Fixed
    end: resolved
"#;

#[test]
fn the_batterys_requests_are_each_accounted_for() {
    let set = flows(BATTERY_WITH_TOKEN);
    let wrong = "wrong-token-canary-77aa";
    let session = fixture::block_on(async {
        let url = serve_api().await;
        let ctx = ProbeContext::new(Duration::from_secs(5)).unwrap();
        let mut e = Engine::new(&set, "sent", BTreeMap::new()).unwrap();
        e.give_input("url", &url).unwrap();
        e.give_input("token", wrong).unwrap();
        let reports = why401::check::run_probes(e.probe_requests(), &ctx).await;
        e.give_reports(reports).unwrap();
        e.into_session()
    });
    let t = ticket(&session, &set);
    let (md, _) = rendered(&t, &[wrong]);
    let with: Vec<_> = t
        .observed
        .iter()
        .filter(|o| o.sent_credentials == Some(true))
        .collect();
    let without = t
        .observed
        .iter()
        .filter(|o| o.sent_credentials == Some(false))
        .count();
    assert!(!with.is_empty() && without >= 1, "{md}");
    assert!(
        with.iter()
            .all(|o| o.credentials == vec![why401::report::ticket::Credential::Bearer]),
        "{md}"
    );
    assert!(
        t.observed.iter().all(|o| o.probe.starts_with("check.")),
        "{md}"
    );
    let line = credentials_line(&md);
    assert!(
        line.starts_with("- **Credentials sent:** Bearer token (in ")
            && line.contains(&format!(" of {} requests", t.observed.len())),
        "{line}\n{md}"
    );
}
