//! Saved sessions: what is written, what resuming says, and what it refuses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::ticket_fixture as fixture;

use why401::flow::{Engine, Phase};
use why401::report::session_file::{self, SessionFileError};
use why401::report::ticket::HelpDesk;

const PASSWORD: &str = "sessionCanary-7f3k";

fn desk() -> HelpDesk {
    HelpDesk {
        ticket_id: Some("HD-77".into()),
        reporter: Some("Sam".into()),
        agent_notes: vec![format!("caller read me {PASSWORD} by mistake")],
    }
}

fn saved(dir: &std::path::Path, choice: Option<usize>) -> std::path::PathBuf {
    let flows = fixture::flows();
    let session = fixture::walk(&flows, PASSWORD, choice);
    let path = dir.join("walk.json");
    session_file::save(&path, &session, &flows, &desk()).unwrap();
    path
}

#[test]
fn saved_session_holds_no_secret_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let path = saved(dir.path(), None);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(PASSWORD), "{text}");
    assert!(!text.contains("sessionCanary"));
    assert!(text.contains("\"format\": \"why401-session\""));
    let flows = fixture::flows();
    let r = session_file::load(&path, &flows).unwrap();
    assert!(r.changes.is_empty(), "{:?}", r.changes);
    assert_eq!(r.secrets_to_reenter, vec!["password".to_owned()]);
    assert_eq!(r.help_desk.ticket_id.as_deref(), Some("HD-77"));
    assert_eq!(
        r.session.trail[0].note.as_deref(),
        Some("caller says it worked yesterday")
    );
    assert_eq!(r.session.answers["user"], "alice");
    // The walk goes on where it stopped: the choice is still pending.
    let mut e = Engine::resume(&flows, r.session).unwrap();
    assert_eq!(e.phase(), Phase::Choose);
    e.choose(0).unwrap();
    assert_eq!(e.phase(), Phase::Ended);
}

#[test]
fn resuming_against_a_changed_flow_says_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let path = saved(dir.path(), None);
    let changed = fixture::FLOW
        .replace("version: 2", "version: 3")
        .replace("title: Fixed", "title: Fixed at last")
        .replace(
            "  ticket:\n",
            "  extra:\n    title: New\n    end: resolved\n  ticket:\n",
        );
    let flows = fixture::flows_with(&changed);
    let r = session_file::load(&path, &flows).unwrap();
    assert_eq!(
        r.changes,
        vec!["flow 'desk' changed since the session was saved (version 2 → 3): node 'done' changed, node 'extra' added".to_owned()]
    );
}

#[test]
fn a_node_that_is_gone_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = saved(dir.path(), None);
    let changed = fixture::FLOW
        .replace("start: begin", "start: first")
        .replace("  begin:\n", "  first:\n");
    let flows = fixture::flows_with(&changed);
    let err = session_file::load(&path, &flows).unwrap_err().to_string();
    assert!(
        err.contains("stopped at 'begin', which flow 'desk' no longer has"),
        "{err}"
    );
    assert!(
        err.contains("node 'begin' removed") && err.contains("node 'first' added"),
        "{err}"
    );
}

#[test]
fn unknown_flow_newer_version_and_corrupt_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = saved(dir.path(), None);
    let (shipped, _) = why401::flow::FlowSet::load(None);
    let err = session_file::load(&path, &shipped).unwrap_err();
    assert!(matches!(err, SessionFileError::UnknownFlow { .. }), "{err}");
    assert!(
        err.to_string().contains("flow 'desk', which is not loaded"),
        "{err}"
    );

    let flows = fixture::flows();
    let text = std::fs::read_to_string(&path).unwrap();
    let newer = dir.path().join("newer.json");
    std::fs::write(&newer, text.replacen("\"version\": 1", "\"version\": 9", 1)).unwrap();
    let err = session_file::load(&newer, &flows).unwrap_err().to_string();
    assert!(
        err.contains("saved by a newer why401 (session format 9; this one reads up to 1)"),
        "{err}"
    );

    let corrupt = dir.path().join("corrupt.json");
    let broken = text.replacen("\"alice\"", "\"alice-corruptCanary\" oops", 1);
    std::fs::write(&corrupt, &broken).unwrap();
    let err = session_file::load(&corrupt, &flows)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with(&format!("{}:", corrupt.display())), "{err}");
    assert!(err.contains("not a valid why401 session file"), "{err}");
    assert!(!err.contains("corruptCanary"), "{err}");

    let wrong_type = dir.path().join("wrong.json");
    std::fs::write(
        &wrong_type,
        text.replacen("\"current\": {", "\"current\": \"typeCanary\", \"x\": {", 1),
    )
    .unwrap();
    let err = session_file::load(&wrong_type, &flows)
        .unwrap_err()
        .to_string();
    assert!(!err.contains("typeCanary"), "{err}");
    assert!(err.contains("not a valid why401 session file"), "{err}");

    let not_json = dir.path().join("flow.yaml");
    std::fs::write(&not_json, fixture::FLOW).unwrap();
    let err = session_file::load(&not_json, &flows)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a valid why401 session file"), "{err}");
}

#[test]
fn saving_never_clobbers_a_file_that_is_not_a_session() {
    let dir = tempfile::tempdir().unwrap();
    let flows = fixture::flows();
    let session = fixture::walk(&flows, PASSWORD, None);
    let precious = dir.path().join("notes.txt");
    std::fs::write(&precious, "my notes").unwrap();
    let err = session_file::save(&precious, &session, &flows, &desk()).unwrap_err();
    assert!(
        matches!(err, SessionFileError::WouldClobber { .. }),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "my notes");
    // A session file is replaced by the newer walk.
    let path = dir.path().join("walk.json");
    session_file::save(&path, &session, &flows, &desk()).unwrap();
    session_file::save(&path, &session, &flows, &HelpDesk::default()).unwrap();
    let r = session_file::load(&path, &flows).unwrap();
    assert_eq!(r.help_desk, HelpDesk::default());
}

#[test]
fn saving_to_an_unwritable_place_says_where_it_tried() {
    let flows = fixture::flows();
    let session = fixture::walk(&flows, PASSWORD, None);
    let path = std::path::Path::new("/proc/why401-cannot-write-here/walk.json");
    let err = session_file::save(path, &session, &flows, &desk())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("/proc/why401-cannot-write-here/walk.json: could not save the session"),
        "{err}"
    );
    assert!(!err.contains(PASSWORD));
}

#[test]
fn a_pending_secret_input_is_asked_again_on_resume() {
    let dir = tempfile::tempdir().unwrap();
    let flows = fixture::flows();
    let mut e = Engine::new(&flows, "desk", std::collections::BTreeMap::default()).unwrap();
    e.give_input("url", "http://127.0.0.1:9/").unwrap();
    e.give_input("user", "alice").unwrap();
    e.give_input("password", PASSWORD).unwrap();
    assert_eq!(e.phase(), Phase::Probes);
    let path = dir.path().join("s.json");
    session_file::save(&path, e.session(), &flows, &HelpDesk::default()).unwrap();
    let r = session_file::load(&path, &flows).unwrap();
    assert_eq!(r.session.phase, Phase::Inputs);
    let mut e = Engine::resume(&flows, r.session).unwrap();
    assert_eq!(
        e.missing_inputs()
            .iter()
            .map(|i| i.id.as_str())
            .collect::<Vec<_>>(),
        ["password"]
    );
    e.give_input("password", PASSWORD).unwrap();
    assert_eq!(e.phase(), Phase::Probes);
}

#[test]
fn a_newer_session_file_is_not_replaced_by_an_older_why401() {
    let dir = tempfile::tempdir().unwrap();
    let path = saved(dir.path(), None);
    let newer =
        std::fs::read_to_string(&path)
            .unwrap()
            .replacen("\"version\": 1", "\"version\": 5", 1);
    std::fs::write(&path, &newer).unwrap();
    let flows = fixture::flows();
    let session = fixture::walk(&flows, PASSWORD, None);
    let err = session_file::save(&path, &session, &flows, &desk()).unwrap_err();
    assert!(
        matches!(err, SessionFileError::Newer { found: 5, .. }),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), newer);
}

#[test]
fn an_ending_at_a_fix_is_diagnosed_until_a_retest_passes() {
    let flows = fixture::flows();
    let mut session = fixture::walk(&flows, PASSWORD, Some(1));
    let t = why401::report::Ticket::from_session_with(&session, Some(&flows), chrono::Utc::now());
    assert_eq!(t.outcome, "diagnosed");
    assert!(
        t.summary.starts_with("HTTP 401: likely") || t.summary.starts_with("Diagnosed"),
        "{}",
        t.summary
    );
    session.verification = Some(why401::flow::Verification {
        request: "GET http://127.0.0.1/ with Basic user 'alice' and the password given".into(),
        status: Some(200),
        answer: "200 OK".into(),
        passed: true,
        sent_as: vec!["basic:alice".into()],
    });
    let t = why401::report::Ticket::from_session_with(&session, Some(&flows), chrono::Utc::now());
    assert_eq!(t.outcome, "resolved");
    let md = t.render(why401::report::TicketFormat::Md);
    assert!(md.contains("**Re-test:**") && md.contains("200 OK"), "{md}");
}
