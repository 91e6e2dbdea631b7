//! The ticket of a real walk (engine + http probe against a loopback 401 server), in each
//! format, as a help desk would receive it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::ticket_fixture as fixture;

use chrono::TimeZone as _;
use why401::report::Ticket;
use why401::report::TicketFormat;
use why401::report::render::TEXT_WIDTH;

const PASSWORD: &str = "Tr0ub4dor&3-canary";

fn ticket(choice: Option<usize>) -> Ticket {
    let flows = fixture::flows();
    let session = fixture::walk(&flows, PASSWORD, choice);
    let now = chrono::Utc.with_ymd_and_hms(2026, 11, 23, 1, 2, 3).unwrap();
    let mut t = Ticket::from_session_with(&session, Some(&flows), now);
    t.environment.os = "linux x86_64 (test)".into();
    t.help_desk.ticket_id = Some("HD-1234".into());
    t.help_desk.reporter = Some("Dana at the front desk".into());
    t.help_desk.agent_notes = vec!["Caller on the phone, using Firefox".into()];
    t
}

/// Ports, times and durations change from run to run.
pub(crate) fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]");
    s.add_filter(r"\d+ ms", "[n] ms");
    s.add_filter(r#""elapsed_ms": \d+"#, r#""elapsed_ms": [n]"#);
    s.add_filter(
        r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT",
        "[date]",
    );
    s.add_filter(r#""body_bytes": \d+"#, r#""body_bytes": [n]"#);
    s.add_filter(r#""exchange": \d+"#, r#""exchange": [n]"#);
    // Keyed fingerprints change with every run's key.
    s.add_filter(r"hmac=[0-9a-f]{8}", "hmac=[run key]");
    s
}

#[test]
fn markdown_ticket_of_an_escalated_walk() {
    let t = ticket(Some(0));
    let md = t.render(TicketFormat::Md);
    assert!(!md.contains(PASSWORD) && !md.contains("canary"), "{md}");
    assert!(!md.contains("serverSideSessionValue42"), "{md}");
    for section in [
        "## Environment",
        "## Target",
        "## How to reproduce",
        "## What was observed",
        "## Likely causes",
        "## Steps taken",
        "## Replay",
        "## Agent notes",
    ] {
        assert!(md.contains(section), "missing {section}");
    }
    settings().bind(|| insta::assert_snapshot!("ticket_md", md));
}

#[test]
fn text_ticket_fits_72_columns() {
    let t = ticket(Some(0));
    let text = t.render(TicketFormat::Text);
    for line in text.lines() {
        assert!(line.chars().count() <= TEXT_WIDTH, "too wide: {line:?}");
    }
    assert!(!text.contains("canary"), "{text}");
    settings().bind(|| insta::assert_snapshot!("ticket_text", text));
}

#[test]
fn json_ticket_has_schema_version_and_reads_back() {
    let t = ticket(Some(0));
    let json = t.render(TicketFormat::Json);
    assert!(!json.contains("canary"));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["causes"][0]["id"], "bad-credentials");
    assert_eq!(v["causes"][0]["fixed_by"][0], "visitor");
    assert_eq!(v["outcome"], "escalate");
    assert_eq!(v["observed"][0]["status"], 401);
    let back: Ticket = serde_json::from_str(&json).unwrap();
    assert_eq!(back.summary, t.summary);
    settings().bind(|| insta::assert_snapshot!("ticket_json", json));
}

#[test]
fn replay_answers_walk_the_same_path() {
    let t = ticket(Some(0));
    let replay = t.replay.clone().unwrap();
    assert_eq!(replay.flow, "desk");
    assert_eq!(replay.answers["user"], "alice");
    assert_eq!(replay.answers["password"], "<fill in: password>");
    assert_eq!(replay.answers["begin"], "Escalate to the owner");
    let back: std::collections::BTreeMap<String, String> =
        serde_yaml::from_str(&replay.answers_yaml).unwrap();
    assert_eq!(back, replay.answers);
}

#[test]
fn curl_command_names_the_secret_as_a_variable() {
    let t = ticket(None);
    let curl = t.reproduce.unwrap();
    assert!(curl.contains("-u 'alice:$PASSWORD'"), "{curl}");
    assert!(curl.contains("/admin/?page=2\""), "{curl}");
    assert!(!curl.contains(PASSWORD));
}

#[test]
fn an_unfinished_walk_says_so() {
    let t = ticket(None);
    assert_eq!(t.outcome, "unfinished");
    assert_eq!(t.steps.len(), 1);
    let password = t.steps[0]
        .answers
        .iter()
        .find(|a| a.id == "password")
        .unwrap();
    assert!(password.secret);
}
