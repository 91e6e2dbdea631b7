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
