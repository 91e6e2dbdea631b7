//! The pure engine: same inputs, same path; back/undo; suggestions; loops stopped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use why401::flow::{Engine, EngineError, FlowSet, Phase};
use why401::probe::{FactValue, ProbeReport};

const FLOW: &str = r#"
id: t
title: Test flow
start: ask
nodes:
  ask:
    title: Which address?
    inputs:
      - { id: url, kind: url, prompt: Address }
      - { id: pw, kind: secret, prompt: Password, optional: true }
    probes:
      - kind: http
        args: { url: "{{url}}" }
    findings:
      - cause: no-credentials-sent
        when: http.status == 401 && !http.sent_credentials
        evidence: "{{url}} answered {{http.status}} without credentials"
        confidence: 0.8
    next:
      - when: http.status != 401
        goto: fine
    choices:
      - label: Try again
        goto: retry
      - label: Give up
        goto: ticket
        when: http.challenge.scheme == "basic"
        because: "the server asks for Basic credentials (realm {{http.challenge.realm}})"
        findings:
          - cause: bad-credentials
            evidence: person gave up
  retry:
    title: Retry
    choices:
      - { label: again, goto: ask }
      - { label: stop, goto: ticket }
  fine:
    title: Fine
    end: resolved
  ticket:
    title: Ticket
    end: escalate
"#;

fn set() -> FlowSet {
    let mut set = FlowSet::default();
    let mut diags = Vec::new();
    set.add("t.yaml", FLOW, false, &mut diags);
    assert!(diags.is_empty(), "{diags:?}");
    let problems = why401::flow::lint::lint(&set);
    assert!(problems.is_empty(), "{problems:?}");
    set
}

fn report(status: i64, scheme: &str) -> ProbeReport {
    let mut r = ProbeReport::new("http", "http");
    r.fact("status", FactValue::Int(status));
    r.fact("sent_credentials", false);
    r.fact("challenge.scheme", scheme);
    r.fact("challenge.realm", "staff");
    r
}

#[test]
fn walks_inputs_probes_findings_and_rules() {
    let set = set();
    let mut e = Engine::new(&set, "t", BTreeMap::new()).unwrap();
    assert_eq!(e.phase(), Phase::Inputs);
    assert_eq!(e.missing_inputs().len(), 2);
    let err = e.give_input("url", "ftp://x/").unwrap_err();
    assert!(matches!(err, EngineError::BadInput { .. }), "{err}");
    e.give_input("url", "http://127.0.0.1:1/admin").unwrap();
    e.give_input("pw", "canary-secret").unwrap();
    assert_eq!(e.phase(), Phase::Probes);
    let reqs = e.probe_requests();
    assert_eq!(reqs[0].args["url"], "http://127.0.0.1:1/admin");
    e.give_reports(vec![report(401, "basic")]).unwrap();
    assert_eq!(e.phase(), Phase::Choose);
    let (idx, why) = e.suggested().unwrap();
    assert_eq!(idx, 1);
    assert_eq!(why, "the server asks for Basic credentials (realm staff)");
    let f: Vec<_> = e.session().findings().collect();
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].evidence,
        "http://127.0.0.1:1/admin answered 401 without credentials"
    );
    e.choose(1).unwrap();
    assert_eq!(e.phase(), Phase::Ended);
    let causes: Vec<_> = e.session().findings().map(|f| f.cause.as_str()).collect();
    assert_eq!(causes, ["no-credentials-sent", "bad-credentials"]);
    assert_eq!(e.session().trail[0].left_by.as_deref(), Some("Give up"));
    assert_eq!(e.session().secret_values(), ["canary-secret"]);
}

#[test]
fn a_rule_moves_on_without_asking() {
    let set = set();
    let preset = BTreeMap::from([
        ("url".to_owned(), "http://127.0.0.1:1/".to_owned()),
        ("pw".to_owned(), String::new()),
    ]);
    let mut e = Engine::new(&set, "t", preset).unwrap();
    assert_eq!(
        e.phase(),
        Phase::Probes,
        "preset inputs are not asked again"
    );
    e.give_reports(vec![report(200, "")]).unwrap();
    assert_eq!(e.phase(), Phase::Ended);
    assert_eq!(e.session().current.node, "fine");
    assert_eq!(
        e.session().trail[0].left_by.as_deref(),
        Some("http.status != 401")
    );
}

#[test]
fn back_undoes_the_last_choice_and_same_inputs_give_same_path() {
    let set = set();
    let walk = || {
        let mut e = Engine::new(&set, "t", BTreeMap::new()).unwrap();
        e.give_input("url", "http://127.0.0.1:1/").unwrap();
        e.give_input("pw", "").unwrap();
        e.give_reports(vec![report(401, "bearer")]).unwrap();
        assert!(e.suggested().is_none(), "no Basic challenge, no suggestion");
        e.choose(0).unwrap();
        e
    };
    let mut e = walk();
    assert_eq!(e.session().current.node, "retry");
    assert_eq!(e.session(), walk().session(), "deterministic");
    assert!(e.back());
    assert_eq!(e.session().current.node, "ask");
    assert_eq!(e.phase(), Phase::Choose);
    e.choose(1).unwrap();
    assert_eq!(e.session().current.node, "ticket");
    // back through the choice, the reports and both inputs, then nothing left
    while e.back() {}
    assert_eq!(e.phase(), Phase::Inputs);
    assert!(e.session().answers.is_empty() && e.session().secrets.is_empty());
}

#[test]
fn rerun_replaces_facts_and_findings_of_the_step() {
    let set = set();
    let mut e = Engine::new(&set, "t", BTreeMap::new()).unwrap();
    e.give_input("url", "http://127.0.0.1:1/").unwrap();
    e.give_input("pw", "").unwrap();
    e.give_reports(vec![report(401, "basic")]).unwrap();
    assert_eq!(e.session().findings().count(), 1);
    e.rerun().unwrap();
    e.give_reports(vec![report(200, "")]).unwrap();
    assert_eq!(e.session().current.node, "fine");
    assert_eq!(
        e.session().findings().count(),
        0,
        "the fixed step no longer claims a cause"
    );
    assert_eq!(e.session().facts["http.status"], FactValue::Int(200));
}

#[test]
fn a_loop_of_automatic_moves_stops_with_an_error() {
    let looping = "id: l\ntitle: L\nstart: a\nnodes:\n  a:\n    title: A\n    next:\n      - goto: b\n  b:\n    title: B\n    next:\n      - when: input.x == \"never\"\n        goto: c\n      - goto: a\n  c:\n    title: C\n    inputs:\n      - { id: x, prompt: X }\n    end: resolved\n";
    let mut set = FlowSet::default();
    let mut diags = Vec::new();
    set.add("l.yaml", looping, false, &mut diags);
    assert!(diags.is_empty());
    let e = Engine::new(&set, "l", BTreeMap::new()).unwrap();
    assert_eq!(e.phase(), Phase::Ended);
    assert!(
        e.session().error.as_deref().unwrap().contains("loops"),
        "{:?}",
        e.session().error
    );
}

#[test]
fn wrong_phase_and_bad_indexes_are_errors_not_panics() {
    let set = set();
    let mut e = Engine::new(&set, "t", BTreeMap::new()).unwrap();
    assert!(matches!(e.choose(0), Err(EngineError::WrongPhase(_))));
    assert!(matches!(
        e.give_reports(vec![]),
        Err(EngineError::WrongPhase(_))
    ));
    assert!(matches!(
        e.give_input("nope", "x"),
        Err(EngineError::NoSuchInput { .. })
    ));
    e.give_input("url", "http://127.0.0.1:1/").unwrap();
    e.give_input("pw", "").unwrap();
    e.give_reports(vec![report(401, "basic")]).unwrap();
    assert!(matches!(e.choose(9), Err(EngineError::NoSuchChoice { .. })));
    assert!(matches!(
        Engine::new(&set, "nope", BTreeMap::new()),
        Err(EngineError::NoFlow(_))
    ));
}
