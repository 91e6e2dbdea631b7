//! The jwt and har probes inside a flow, as the wizard uses them: a pasted token or a HAR path
//! goes in, the engine runs the real probe, and the next step follows from its facts. The flow
//! passes lint, so every fact it names is one the probes declare.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::jwt as common;

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;
use why401::flow::engine::{Engine, Phase};
use why401::flow::lint::lint;
use why401::flow::load::FlowSet;
use why401::probe::{ProbeContext, run_all};

use common::*;

const FLOW: &str = r#"
id: tokens
title: Check a token
start: paste
nodes:
  paste:
    title: Paste the token the API refused
    inputs:
      - id: token
        kind: token
        prompt: The access token
      - id: aud
        prompt: The audience the API expects
        optional: true
    probes:
      - kind: jwt
        args:
          token: "{{token}}"
          aud: "{{aud}}"
    findings:
      - cause: token-expired
        when: jwt.expired
        evidence: "the token expired {{jwt.expires_in_s}} s from now"
        confidence: 0.9
    next:
      - when: jwt.opaque
        goto: introspect
      - when: "!jwt.valid_format"
        goto: fix_paste
      - when: jwt.expired
        goto: refresh
      - when: jwt.type_hint == "refresh" || jwt.type_hint == "id"
        goto: wrong_type
      - goto: har
  introspect:
    title: Ask the issuer (introspection)
    end: escalate
  fix_paste:
    title: Send the token exactly as issued
    end: resolved
  refresh:
    title: Refresh the token
    end: resolved
  wrong_type:
    title: Send the access token
    end: resolved
  har:
    title: Record the failing call in DevTools
    inputs:
      - id: har_file
        kind: path
        prompt: The exported .har file
    probes:
      - kind: har
        args:
          file: "{{har_file}}"
    next:
      - when: har.unauthorized == 0
        goto: no_401
      - when: har.token_expired
        goto: refresh
    choices:
      - label: Escalate
        goto: ticket
  no_401:
    title: No 401 in the capture
    end: resolved
  ticket:
    title: Contact the API owner
    end: escalate
"#;

fn flows() -> FlowSet {
    let mut set = FlowSet::default();
    let mut diags = Vec::new();
    set.add("tokens.yaml", FLOW, false, &mut diags);
    assert!(diags.is_empty(), "{diags:?}");
    let problems = lint(&set);
    assert!(
        problems.is_empty(),
        "{:?}",
        problems.iter().map(ToString::to_string).collect::<Vec<_>>()
    );
    set
}

/// Walks the flow with `answers`, running real probes, until it ends or needs a choice.
fn walk(set: &FlowSet, answers: &[(&str, &str)]) -> (String, Vec<String>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ctx = ProbeContext::new(Duration::from_secs(5)).unwrap();
    let mut engine = Engine::new(set, "tokens", BTreeMap::new()).unwrap();
    for _ in 0..10 {
        match engine.phase() {
            Phase::Inputs => {
                for input in engine.missing_inputs() {
                    let v = answers
                        .iter()
                        .find(|(k, _)| *k == input.id)
                        .map_or("", |(_, v)| *v);
                    engine.give_input(&input.id.clone(), v).unwrap();
                }
            }
            Phase::Probes => {
                let reports = rt.block_on(run_all(engine.probe_requests(), &ctx));
                engine.give_reports(reports).unwrap();
            }
            Phase::Choose | Phase::Review | Phase::Ended => break,
        }
    }
    let session = engine.session();
    let causes = session.findings().map(|f| f.cause.clone()).collect();
    (session.current.node.clone(), causes)
}

#[test]
fn the_next_step_follows_from_the_token() {
    let set = flows();
    let expired = hs256(b"k", &json!({"sub": "a", "exp": now() - 7200}));
    assert_eq!(walk(&set, &[("token", &expired)]).0, "refresh");
    assert!(
        walk(&set, &[("token", &expired)])
            .1
            .contains(&"token-expired".to_owned())
    );
    // A pasted header value is stripped (with a note): the token behind it decides.
    assert_eq!(
        walk(&set, &[("token", &format!("Bearer {expired}"))]).0,
        "refresh"
    );
    assert_eq!(
        walk(&set, &[("token", &format!("\"{expired}\""))]).0,
        "fix_paste"
    );
    assert_eq!(
        walk(&set, &[("token", "2YotnFZFEjr1zCsicMWpAA")]).0,
        "introspect"
    );
    let refresh = hs256(b"k", &json!({"typ": "Refresh", "exp": now() + 7200}));
    assert_eq!(walk(&set, &[("token", &refresh)]).0, "wrong_type");
}

#[test]
fn a_good_token_leads_to_the_har_step_and_its_findings() {
    let set = flows();
    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("c.har");
    let stale = hs256(b"k", &json!({"exp": 1_700_000_000}));
    let entries = json!({"log": {"entries": [{
        "startedDateTime": "2026-01-10T10:00:00Z",
        "request": {"method": "GET", "url": "https://api.example/x", "headers": [{"name": "Authorization", "value": format!("Bearer {stale}")}]},
        "response": {"status": 401, "headers": [{"name": "WWW-Authenticate", "value": "Bearer error=\"invalid_token\""}]}
    }]}});
    std::fs::write(&har, entries.to_string()).unwrap();
    let good = hs256(b"k", &json!({"scope": "read", "exp": now() + 7200}));
    let (node, _) = walk(
        &set,
        &[("token", &good), ("har_file", har.to_str().unwrap())],
    );
    assert_eq!(
        node, "refresh",
        "the HAR showed the browser sent an expired token"
    );
}
