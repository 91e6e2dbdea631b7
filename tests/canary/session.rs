//! A saved session never holds a canary, wherever in the walk it was typed or seen.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use why401::flow::{NodeRef, Phase, Session, Step};
use why401::probe::ProbeReport;
use why401::report::session_file;
use why401::report::ticket::HelpDesk;

fn session(canary: &str, noise: &str) -> Session {
    let at = NodeRef {
        flow: "owner".into(),
        node: "begin".into(),
    };
    let mut r = ProbeReport::new("http", "http");
    r.fact("header.set-cookie", format!("sid={canary}; Path=/"));
    r.fact("echo", format!("{noise} Authorization: Basic {canary}"));
    r.evidence = vec![
        format!("{noise}?access_token={canary}"),
        format!("typed {canary}"),
    ];
    r.summary = format!("Cookie: a={canary}");
    let mut answers = BTreeMap::new();
    answers.insert("url".to_owned(), "http://127.0.0.1:1/".to_owned());
    let mut secrets = BTreeMap::new();
    secrets.insert("password".to_owned(), canary.into());
    Session {
        flow: "owner".into(),
        current: at.clone(),
        phase: Phase::Choose,
        ended: None,
        answers,
        secrets,
        secret_inputs: vec!["password".into()],
        facts: r
            .facts
            .iter()
            .map(|(k, v)| (format!("http.{k}"), v.clone()))
            .collect(),
        trail: vec![Step {
            at,
            title: "Check the address".into(),
            left_by: None,
            reports: vec![r],
            findings: vec![],
            note: Some(format!("{noise} the password is {canary}")),
        }],
        error: None,
        verification: None,
        retests: Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn saved_sessions_never_hold_the_canary(canary in "[A-Za-z0-9]{8,24}", noise in "[ -~]{0,40}") {
        let canary = format!("QQ{canary}");
        let (flows, _) = why401::flow::FlowSet::load(None);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let desk = HelpDesk { agent_notes: vec![format!("note {canary}")], ..HelpDesk::default() };
        session_file::save(&path, &session(&canary, &noise), &flows, &desk).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        prop_assert!(!text.contains(&canary), "{}", text);
        let back = session_file::load(&path, &flows).unwrap();
        prop_assert_eq!(back.secrets_to_reenter, vec!["password".to_owned()]);
    }
}

/// A session file is handed around, so its node and input ids are a stranger's: resuming one
/// whose saved flow lists a node id and a secret input id carrying terminal escapes says what
/// changed and what to type again on stderr, shown, never emitted.
#[test]
fn a_resumed_session_with_escapes_in_its_ids_stays_inert_on_stderr() {
    use crate::escapes::{C1_PAYLOADS, ESC_PAYLOADS, assert_inert, why401};
    let (flows, _) = why401::flow::FlowSet::load(None);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let mut s = session("QQcanary0123", "");
    let payloads: Vec<&str> = ESC_PAYLOADS.iter().chain(C1_PAYLOADS).copied().collect();
    s.secret_inputs = payloads.iter().map(|p| format!("pw-{p}")).collect();
    session_file::save(&path, &s, &flows, &HelpDesk::default()).unwrap();
    let mut file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let stamp = &mut file["flows"][0];
    stamp["digest"] = "changed".into();
    for p in &payloads {
        stamp["nodes"][format!("node-{p}")] = "x".into();
    }
    std::fs::write(&path, file.to_string()).unwrap();
    let (_, err) = why401(dir.path(), &["--resume", &path.display().to_string()]);
    assert_inert("resume stderr", &err);
    let err = String::from_utf8_lossy(&err);
    assert!(
        err.contains(r"node 'node-o52\x1b]52;c;") && err.contains(r"pw-cls\x9b2J"),
        "{err}"
    );
}
