//! A walk's ticket says exactly what happened: what the checks found (causes apart from
//! remarks), what each step's checks said, every request with its answer. Real walks: the
//! engine, the real check battery and http probe against in-test loopback servers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, header};
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

/// 401 with a Bearer challenge unless `Authorization: Bearer {token}`.
fn bearer_api(token: &'static str) -> axum::Router {
    axum::Router::new().fallback(move |h: HeaderMap| async move {
        let ok = h
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == format!("Bearer {token}"));
        let mut out = HeaderMap::new();
        if ok {
            return (StatusCode::OK, out, "welcome");
        }
        out.insert(
            header::WWW_AUTHENTICATE,
            "Bearer realm=\"api\"".parse().unwrap(),
        );
        (StatusCode::UNAUTHORIZED, out, "who are you?")
    })
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

/// The battery compares the proxy with the backend behind it.
const COMPARE: &str = r#"
id: truth
title: Compare with the backend
version: 1
start: begin
nodes:
  begin:
    title: The proxy drops the Authorization header
    inputs:
      - id: url
        kind: url
        prompt: The address
      - id: backend
        kind: url
        prompt: The backend
    probes:
      - id: compared
        kind: check
        args:
          url: "{{url}}"
          backend: "{{backend}}"
    choices:
      - label: Done
        goto: done
  done:
    title: Done
    end: escalate
"#;

/// The step's own line for probe `id`: `(verdict, summary)`.
fn step_line(t: &Ticket, id: &str) -> (String, String) {
    let p = t.steps[0].probes.iter().find(|p| p.id == id).unwrap();
    (p.verdict.clone(), p.summary.clone())
}

/// The first step of every shipped flow checks the address alone: the 401 there carries no
/// credentials and its findings are remarks. The step's line says so; it is not "ok, found
/// nothing" beside the remarks the panel lists.
#[test]
fn a_check_without_credentials_says_so_and_counts_its_remarks() {
    let set = flows(CHECK_ADDRESS);
    let session = walk_check(&set, bare_401(), "/bare/", &[]);
    let t = ticket(&session, &set);
    let (verdict, summary) = step_line(&t, "check");
    assert_ne!(verdict, "ok", "{summary}");
    assert!(!summary.contains("found nothing"), "{summary}");
    assert!(
        summary.starts_with("no credentials sent (401)"),
        "{summary}"
    );
    assert!(summary.contains("3 remarks"), "{summary}");
}

/// A comparison with the backend that carried no credentials tells nothing about whether
/// the proxy passes them on, and says so.
#[test]
fn a_comparison_without_credentials_says_it_cannot_tell() {
    let set = flows(COMPARE);
    let session = fixture::block_on(async {
        let proxy = serve(bearer_api("good")).await;
        let backend = serve(bearer_api("good")).await;
        let ctx = ProbeContext::new(Duration::from_secs(5)).unwrap();
        let mut e = Engine::new(&set, "truth", BTreeMap::new()).unwrap();
        e.give_input("url", &format!("{proxy}/api/orders")).unwrap();
        e.give_input("backend", &format!("{backend}/api/orders"))
            .unwrap();
        let reports = why401::check::run_probes(e.probe_requests(), &ctx).await;
        e.give_reports(reports).unwrap();
        e.choose(0).unwrap();
        e.into_session()
    });
    let t = ticket(&session, &set);
    let (verdict, summary) = step_line(&t, "compared");
    assert_ne!(verdict, "ok", "{summary}");
    assert!(!summary.contains("found nothing"), "{summary}");
    assert!(
        summary.starts_with(
            "compared without credentials (401 through the proxy, 401 at the backend)"
        ),
        "{summary}"
    );
}

/// What is true of the site but not why the request failed (no challenge, a preflight
/// answered 401 with no page calling, no credentials on a request meant to go without) is
/// listed apart, under "Remarks", as `why401 check` lists it: not as a likely cause.
#[test]
fn remarks_are_listed_apart_from_the_likely_causes() {
    let set = flows(CHECK_ADDRESS);
    let session = walk_check(&set, bare_401(), "/bare/", &[]);
    let t = ticket(&session, &set);
    let remarks: Vec<&str> = t.remarks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        remarks,
        [
            "missing-www-authenticate",
            "no-credentials-sent",
            "cors-preflight-requires-auth"
        ]
    );
    assert!(t.causes.is_empty(), "{:?}", t.causes);
    let md = t.render(TicketFormat::Md);
    let (causes, rest) = md.split_once("## Remarks").unwrap();
    let causes = causes.split_once("## Likely causes").unwrap().1;
    assert!(causes.contains("No cause identified."), "{md}");
    assert!(!causes.contains("cors-preflight-requires-auth"), "{md}");
    assert!(rest.contains("True of the site, but not why this request failed."));
    assert!(
        rest.contains("(`cors-preflight-requires-auth`, 35%)"),
        "{md}"
    );
    assert!(
        md.starts_with("# why401: HTTP 401: no cause identified yet; 3 remarks"),
        "{md}"
    );
    let text = t.render(TicketFormat::Text);
    assert!(text.contains("REMARKS\n-------"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&t.render(TicketFormat::Json)).unwrap();
    assert_eq!(json["causes"].as_array().unwrap().len(), 0);
    assert_eq!(json["remarks"][2]["id"], "cors-preflight-requires-auth");
}

/// The walk ends at a fix, with the new token; the wizard re-tests (and `r` again).
const FIX_TOKEN: &str = r#"
id: truth
title: Fix the token
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
      - label: I have a new token
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

const NEW_TOKEN: &str = "new-token-canary-77aa";

/// Walks `FIX_TOKEN` against an API that accepts [`NEW_TOKEN`] only once `accept` is set,
/// re-testing once per entry of `accept_at_retest` (the flag set to that value first).
fn walk_retests(set: &FlowSet, accept_at_retest: &[bool]) -> Session {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    fixture::block_on(async {
        let accept = Arc::new(AtomicBool::new(false));
        let flag = accept.clone();
        let app = axum::Router::new().fallback(move |h: HeaderMap| {
            let flag = flag.clone();
            async move {
                let given = h.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
                let mut out = HeaderMap::new();
                if flag.load(Ordering::SeqCst) && given == Some(&format!("Bearer {NEW_TOKEN}")) {
                    return (StatusCode::OK, out, "welcome");
                }
                out.insert(
                    header::WWW_AUTHENTICATE,
                    "Bearer realm=\"api\"".parse().unwrap(),
                );
                (StatusCode::UNAUTHORIZED, out, "who are you?")
            }
        });
        let url = format!("{}/v1/me", serve(app).await);
        let ctx = ProbeContext::new(Duration::from_secs(5)).unwrap();
        let mut e = Engine::new(set, "truth", BTreeMap::new()).unwrap();
        e.give_input("url", &url).unwrap();
        e.give_reports(why401::probe::run_all(e.probe_requests(), &ctx).await)
            .unwrap();
        e.choose(0).unwrap();
        e.give_input("new_token", NEW_TOKEN).unwrap();
        assert_eq!(e.phase(), Phase::Ended);
        for ok in accept_at_retest {
            accept.store(*ok, Ordering::SeqCst);
            let report =
                why401::probe::run_one(e.verification_request().unwrap(), ctx.clone()).await;
            e.give_verification(&report);
        }
        e.into_session()
    })
}

/// Each re-test is a request the ticket lists under "What was observed" and "Checks run",
/// with its answer: the first (401, before the fix took) and the second (200).
#[test]
fn every_retest_is_listed_with_its_answer() {
    let set = flows(FIX_TOKEN);
    let session = walk_retests(&set, &[false, true]);
    let t = ticket(&session, &set);
    assert_eq!(t.outcome, "resolved");
    let md = t.render(TicketFormat::Md);
    assert!(!md.contains(NEW_TOKEN), "{md}");
    let observed = md
        .split_once("## What was observed")
        .unwrap()
        .1
        .split_once("\n## ")
        .unwrap()
        .0;
    let retests: Vec<&str> = observed.lines().filter(|l| l.contains("re-test")).collect();
    assert_eq!(retests.len(), 2, "{observed}");
    assert!(retests[0].contains("→ 401 Unauthorized"), "{observed}");
    assert!(retests[0].contains("sent Bearer token"), "{observed}");
    assert!(retests[1].contains("→ 200 OK"), "{observed}");
    let checks = md.split_once("## Checks run").unwrap().1;
    assert!(checks.contains("- `retest` (http): **fail**"), "{checks}");
    assert!(checks.contains("- `retest-2` (http): **ok**"), "{checks}");
    // The walk's one request went out bare; the re-tests are named as such.
    assert!(
        md.contains("- **Credentials sent:** Bearer token (in the re-test only)"),
        "{md}"
    );
}

/// A re-test that still got 401 is told in the headline: the fix was re-tested and failed,
/// not "not re-tested yet".
#[test]
fn a_failed_retest_is_in_the_headline() {
    let set = flows(FIX_TOKEN);
    let session = walk_retests(&set, &[false]);
    let t = ticket(&session, &set);
    assert_eq!(t.outcome, "diagnosed");
    let md = t.render(TicketFormat::Md);
    let head = md.lines().next().unwrap();
    assert!(!head.contains("not re-tested"), "{head}");
    assert!(
        head.contains("re-tested, and the request still got 401 Unauthorized"),
        "{head}"
    );
}

/// The API flow's shape with `--har`: the address checked, the browser's HAR read.
const WITH_HAR: &str = r#"
id: truth
title: Read the HAR
version: 1
start: begin
nodes:
  begin:
    title: Check the address and the HAR
    inputs:
      - id: url
        kind: url
        prompt: The address
      - id: har
        kind: path
        prompt: HAR file
    probes:
      - kind: http
        args:
          url: "{{url}}"
      - kind: har
        args:
          file: "{{har}}"
    choices:
      - label: Done
        goto: done
  done:
    title: Done
    end: escalate
"#;

/// A browser's HAR: `GET URL` with `Authorization: Bearer TOKEN`, answered 401.
fn har_with_bearer(url: &str, token: &str) -> String {
    serde_json::json!({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"},
        "entries": [{
            "startedDateTime": "2026-12-02T19:50:00.000Z",
            "time": 12,
            "request": {"method": "GET", "url": url, "httpVersion": "HTTP/1.1",
                "headers": [{"name": "Authorization", "value": format!("Bearer {token}")},
                            {"name": "Accept", "value": "application/json"}],
                "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
            "response": {"status": 401, "statusText": "Unauthorized", "httpVersion": "HTTP/1.1",
                "headers": [{"name": "WWW-Authenticate", "value": "Bearer realm=\"api\", error=\"invalid_token\""}],
                "cookies": [], "content": {"size": 0, "mimeType": "text/plain"},
                "redirectURL": "", "headersSize": -1, "bodySize": 0},
            "cache": {}, "timings": {"send": 0, "wait": 12, "receive": 0}
        }]}})
    .to_string()
}

/// The request the browser sent (recorded in the HAR) is one of the requests the ticket
/// lists, with the credentials it carried: "Credentials sent" names its Bearer token, and
/// the reproduction sends one.
#[test]
fn the_hars_request_is_observed_with_its_credentials() {
    let set = flows(WITH_HAR);
    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("exp.har");
    // RFC 7515 §A.1's token: its `exp` (2011) is long past.
    let token = crate::support::jwt::RFC7515_TOKEN;
    let session = fixture::block_on(async {
        let url = format!("{}/api/orders", serve(bearer_api("good")).await);
        std::fs::write(&har, har_with_bearer(&url, token)).unwrap();
        let ctx = ProbeContext::new(Duration::from_secs(5)).unwrap();
        let mut e = Engine::new(&set, "truth", BTreeMap::new()).unwrap();
        e.give_input("url", &url).unwrap();
        e.give_input("har", har.to_str().unwrap()).unwrap();
        e.give_reports(why401::probe::run_all(e.probe_requests(), &ctx).await)
            .unwrap();
        e.choose(0).unwrap();
        e.into_session()
    });
    let t = ticket(&session, &set);
    assert_eq!(t.causes[0].id, "token-expired", "{:?}", t.causes);
    let md = t.render(TicketFormat::Md);
    assert!(!md.contains(token), "{md}");
    let recorded: Vec<&str> = md
        .lines()
        .filter(|l| l.contains("recorded in a HAR export"))
        .collect();
    assert_eq!(recorded.len(), 1, "{md}");
    assert!(recorded[0].starts_with("- `GET http://127.0.0.1:"), "{md}");
    assert!(
        recorded[0].contains("/api/orders → 401 (recorded in a HAR export, sent Bearer token)"),
        "{md}"
    );
    assert!(recorded[0].contains("sent Bearer token"), "{md}");
    assert!(
        md.contains("- **Credentials sent:** Bearer token (in 1 of 2 requests)"),
        "{md}"
    );
    let repro = t.reproduce.as_deref().unwrap();
    assert!(repro.contains("Authorization: Bearer $"), "{repro}");
}
