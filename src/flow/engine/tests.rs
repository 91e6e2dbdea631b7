//! The engine's verify and back logic, without a terminal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use super::{Engine, Outcome, Phase};
use crate::flow::FlowSet;
use crate::probe::{FactValue, ProbeReport};
use crate::secret::Secret;

const FLOW: &str = r#"
id: api
title: t
version: 1
start: begin
nodes:
  begin:
    title: Check the endpoint
    inputs:
      - id: url
        kind: url
        prompt: URL
    probes:
      - kind: http
        args:
          url: "{{url}}"
    next:
      - when: http.status != 401
        goto: fixed
      - goto: token
  token:
    title: Send the token
    inputs:
      - id: token
        kind: token
        prompt: Token
    probes:
      - kind: http
        id: with_token
        args:
          url: "{{url}}"
          authorization: "Bearer {{token}}"
    findings:
      - cause: bad-credentials
        when: with_token.status == 401
        evidence: "the token was rejected"
        confidence: 0.7
    choices:
      - label: I fixed it
        goto: fixed
      - label: Ask someone
        goto: escalate
  fixed:
    title: Fixed
    end: resolved
  escalate:
    title: Escalate
    end: escalate
"#;

fn flows() -> FlowSet {
    let mut set = FlowSet::default();
    let mut diags = Vec::new();
    set.add("api.yaml", FLOW, false, &mut diags);
    assert!(diags.is_empty(), "{diags:?}");
    set
}

fn http(id: &str, status: Option<i64>) -> ProbeReport {
    let mut r = ProbeReport::new(id, "http");
    if let Some(s) = status {
        r.fact("responded", true);
        r.fact("status", s);
        r.fact("reason", if s == 401 { "Unauthorized" } else { "OK" });
    } else {
        r.fact("responded", false);
        r.summary = "connection refused".into();
    }
    r
}

/// Walks to the token step's choices: the endpoint answered 401, the token got 401.
fn at_token_choice(set: &FlowSet) -> Engine<'_> {
    let mut e = Engine::new(set, "api", BTreeMap::new()).unwrap();
    e.give_input("url", "http://127.0.0.1:9/api").unwrap();
    e.give_reports(vec![http("http", Some(401))]).unwrap();
    e.give_input("token", "tok-SECRET-1").unwrap();
    e.give_reports(vec![http("with_token", Some(401))]).unwrap();
    assert_eq!(e.phase(), Phase::Choose);
    e
}

#[test]
fn an_ending_at_a_fix_is_diagnosed_until_a_retest_passes() {
    let set = flows();
    let mut e = at_token_choice(&set);
    e.choose(0).unwrap();
    assert_eq!(e.phase(), Phase::Ended);
    assert_eq!(e.session().outcome(), Outcome::Diagnosed);
    let req = e.verification_request().unwrap();
    assert_eq!(req.kind, "http");
    assert_eq!(
        req.args.get("authorization").map(String::as_str),
        Some("Bearer tok-SECRET-1")
    );
    // Still 401: still diagnosed, and the ticket's request line names no secret.
    e.give_verification(&http("retest", Some(401)));
    assert_eq!(e.session().outcome(), Outcome::Diagnosed);
    let v = e.session().verification.clone().unwrap();
    assert_eq!(v.answer, "401 Unauthorized");
    assert!(v.request.starts_with("GET http://127.0.0.1:9/api"));
    assert!(!v.request.contains("tok-SECRET"));
    // Nothing answered: not resolved either.
    e.give_verification(&http("retest", None));
    assert_eq!(e.session().outcome(), Outcome::Diagnosed);
    // The fix worked.
    e.give_verification(&http("retest", Some(200)));
    assert_eq!(e.session().outcome(), Outcome::Resolved);
    assert_eq!(e.session().outcome().label(), "resolved");
    // The top cause stays what the checks found.
    assert_eq!(e.session().ranked_causes()[0].id, "bad-credentials");
}

#[test]
fn escalation_stays_escalate_unless_a_retest_passes() {
    let set = flows();
    let mut e = at_token_choice(&set);
    e.choose(1).unwrap();
    assert_eq!(e.session().outcome(), Outcome::Escalate);
    e.give_verification(&http("retest", Some(401)));
    assert_eq!(e.session().outcome(), Outcome::Escalate);
}

#[test]
fn back_returns_to_a_step_the_checks_left_with_its_results() {
    let set = flows();
    let mut e = at_token_choice(&set);
    // Back from the token choice: the token input is asked again.
    assert!(e.back());
    assert_eq!(e.phase(), Phase::Inputs);
    assert_eq!(e.session().current.node, "token");
    // Back again: the first step, shown with the report that moved the walk on.
    assert!(e.back());
    assert_eq!(e.phase(), Phase::Review);
    assert_eq!(e.session().current.node, "begin");
    let step = e.session().trail.last().unwrap();
    assert_eq!(
        step.reports[0].facts.get("status"),
        Some(&FactValue::Int(401))
    );
    // Going on takes the same way; going back from there returns to the results again.
    e.proceed().unwrap();
    assert_eq!(e.session().current.node, "token");
    assert!(e.back());
    assert_eq!(e.phase(), Phase::Review);
    // The checks can run again from there.
    e.rerun().unwrap();
    assert_eq!(e.phase(), Phase::Probes);
}

#[test]
fn without_credentials_the_retest_sends_none() {
    let set = flows();
    let mut e = Engine::new(&set, "api", BTreeMap::new()).unwrap();
    assert!(e.verification_request().is_none());
    e.give_input("url", "http://127.0.0.1:9/").unwrap();
    e.give_reports(vec![http("http", Some(200))]).unwrap();
    assert_eq!(e.session().outcome(), Outcome::Diagnosed);
    let req = e.verification_request().unwrap();
    assert_eq!(req.args.len(), 1);
    e.give_verification(&http("retest", Some(200)));
    assert_eq!(e.session().outcome(), Outcome::Resolved);
    assert!(
        e.session()
            .verification
            .as_ref()
            .unwrap()
            .request
            .ends_with("without credentials")
    );
}

#[test]
fn a_resumed_walk_keeps_its_history() {
    let set = flows();
    let mut e = Engine::new(&set, "api", BTreeMap::new()).unwrap();
    e.give_input("url", "http://127.0.0.1:9/api").unwrap();
    e.give_reports(vec![http("http", Some(401))]).unwrap();
    e.set_note("caller on the line");
    // Saved (as JSON) while the token is asked, then resumed.
    let saved: super::Session =
        serde_json::from_str(&serde_json::to_string(e.session()).unwrap()).unwrap();
    let mut resumed = Engine::resume(&set, saved.clone()).unwrap();
    assert_eq!(resumed.session(), &saved);
    assert!(resumed.can_go_back());
    // Back goes to the first step's results; the address came with the start (as in a walk
    // started with it), so there is nothing before them and the address is kept.
    assert!(resumed.back());
    assert_eq!(resumed.phase(), Phase::Review);
    assert_eq!(resumed.session().current.node, "begin");
    assert!(!resumed.back());
    assert_eq!(
        resumed.session().answers.get("url").map(String::as_str),
        Some("http://127.0.0.1:9/api")
    );
}

#[test]
fn no_credentials_sent_is_dropped_once_a_request_carried_some() {
    let set = flows();
    let mut e = Engine::new(&set, "api", BTreeMap::new()).unwrap();
    e.give_input("url", "http://127.0.0.1:9/api").unwrap();
    e.give_reports(vec![http_finding("http", false, "no-credentials-sent")])
        .unwrap();
    assert!(ranked_ids(&e).contains(&"no-credentials-sent".to_owned()));
    e.give_input("token", "tok-SECRET-1").unwrap();
    let mut with = http("with_token", Some(401));
    with.fact("sent_credentials", true);
    e.give_reports(vec![with]).unwrap();
    assert!(
        !ranked_ids(&e).contains(&"no-credentials-sent".to_owned()),
        "{:?}",
        ranked_ids(&e)
    );
}

#[test]
fn a_secret_input_is_held_as_a_secret_from_the_moment_it_is_given() {
    let set = flows();
    let e = at_token_choice(&set);
    let s = e.session();
    assert!(!s.answers.contains_key("token"));
    assert_eq!(s.secret("token").map(Secret::expose), Some("tok-SECRET-1"));
    assert!(s.has_answer("token"));
    for shown in [
        format!("{e:?}"),
        format!("{s:?}"),
        serde_json::to_string(s).unwrap_or_default(),
    ] {
        assert!(!shown.contains("tok-SECRET-1"), "{shown}");
    }
    // Sending it is the one place the value comes out.
    let retest = e.verification_request().unwrap();
    assert_eq!(retest.args["authorization"], "Bearer tok-SECRET-1");
}

#[test]
fn a_walk_that_cannot_be_repeated_resumes_as_saved() {
    let set = flows();
    let e = at_token_choice(&set);
    // The token (a secret) is never saved: the walk cannot be repeated past it.
    let mut saved = e.session().clone();
    saved.secrets.remove("token");
    let resumed = Engine::resume(&set, saved.clone()).unwrap();
    assert_eq!(resumed.session(), &saved);
    assert!(!resumed.can_go_back());
}

#[test]
fn a_secret_given_again_brings_the_whole_history_back() {
    let set = flows();
    let e = at_token_choice(&set);
    let full = e.session().clone();
    let mut saved = full.clone();
    saved.secrets.remove("token");
    // What the wizard asks before resuming.
    assert_eq!(
        Engine::secrets_to_reenter(&set, &saved),
        [("token".to_owned(), "Token".to_owned())]
    );
    saved
        .secrets
        .insert("token".to_owned(), "tok-SECRET-1".into());
    let mut resumed = Engine::resume(&set, saved).unwrap();
    assert_eq!(resumed.session(), &full);
    assert!(Engine::secrets_to_reenter(&set, resumed.session()).is_empty());
    // Back works through every step; the URL stays.
    assert!(resumed.back());
    assert_eq!(resumed.phase(), Phase::Inputs);
    assert_eq!(resumed.session().current.node, "token");
    assert!(resumed.back());
    assert_eq!(resumed.phase(), Phase::Review);
    assert_eq!(
        resumed.session().answers.get("url").map(String::as_str),
        Some("http://127.0.0.1:9/api")
    );
    // The re-test at the end carries the token given again.
    let mut resumed = Engine::resume(&set, full).unwrap();
    resumed.choose(0).unwrap();
    assert_eq!(
        resumed
            .verification_request()
            .unwrap()
            .args
            .get("authorization")
            .map(String::as_str),
        Some("Bearer tok-SECRET-1")
    );
}

/// `user:password@` in a typed address is taken out before it is an answer: it would show on
/// every screen, in the ticket and in the saved session.
#[test]
fn a_password_in_the_address_never_becomes_part_of_the_answer() {
    let set = flows();
    let mut e = Engine::new(&set, "api", BTreeMap::new()).unwrap();
    e.give_input("url", "http://alice:Canary-Pw-9@127.0.0.1:9/api?x=1")
        .unwrap();
    assert_eq!(e.session().answers["url"], "http://127.0.0.1:9/api?x=1");
    let saved = serde_json::to_string(e.session()).unwrap();
    assert!(
        !saved.contains("Canary-Pw-9") && !saved.contains("alice"),
        "{saved}"
    );
}

#[test]
fn bad_credentials_leave_once_the_backend_accepted_them() {
    let set = flows();
    let ids = |reports: Vec<ProbeReport>| -> Vec<String> {
        let mut e = Engine::new(&set, "api", BTreeMap::new()).unwrap();
        e.give_input("url", "http://127.0.0.1:9/api").unwrap();
        e.give_reports(reports).unwrap();
        ranked_ids(&e)
    };
    let with = http_finding("with_token", true, "bad-credentials");
    assert!(ids(vec![with.clone()]).contains(&"bad-credentials".to_owned()));
    let mut compared = ProbeReport::new("compared", crate::probe::battery::NAME);
    compared.fact("backend.status", 200);
    let after = ids(vec![with, compared]);
    assert!(!after.contains(&"bad-credentials".to_owned()), "{after:?}");
}

/// The ids of the walk's ranking, most likely first.
fn ranked_ids(e: &Engine) -> Vec<String> {
    e.session()
        .ranked_causes()
        .iter()
        .map(|h| h.id.clone())
        .collect()
}

/// An http report of `id` that sent credentials (or not) and found `cause`.
fn http_finding(id: &str, sent: bool, cause: &str) -> ProbeReport {
    let mut r = http(id, Some(401));
    r.fact("sent_credentials", sent);
    r.causes.push(crate::diagnose::CauseHit::new(
        cause,
        0.5,
        format!("{id} found {cause}"),
    ));
    r
}
