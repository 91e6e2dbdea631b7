//! Test flows and helpers for driving the wizard without a terminal: the flows are written
//! here so tests do not depend on the shipped flows' wording.
//!
//! A test uses it as `use crate::support::tui_app;`; benches/tui.rs includes the file.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::missing_panics_doc
)]

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use why401::flow::FlowSet;
use why401::probe::{ProbeReport, Verdict};
use why401::tui::{App, Command, Message, update, view};

pub const VISITOR: &str = include_str!("tui_flows/visitor.yaml");

pub const OWNER: &str = include_str!("tui_flows/owner.yaml");

pub const API: &str = include_str!("tui_flows/api.yaml");

/// The three role flows, checked by lint.
pub fn flows() -> FlowSet {
    let mut set = FlowSet::default();
    let mut diags = Vec::new();
    for (file, text) in [
        ("visitor.yaml", VISITOR),
        ("owner.yaml", OWNER),
        ("api.yaml", API),
    ] {
        set.add(file, text, false, &mut diags);
    }
    assert!(diags.is_empty(), "{diags:?}");
    let lint = why401::flow::lint::lint(&set);
    assert!(lint.is_empty(), "{lint:?}");
    set
}

pub fn key(code: KeyCode) -> Message {
    Message::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Message {
    Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub fn ch(c: char) -> Message {
    key(KeyCode::Char(c))
}

/// Types `text` key by key; returns the last command.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        assert_eq!(update(app, ch(c)), None);
    }
}

/// What the http probe reports for a 401 with `WWW-Authenticate: Basic realm="staff"`.
pub fn basic_401(id: &str, url: &str) -> ProbeReport {
    let mut r = ProbeReport::new(id, "http");
    r.verdict = Verdict::Fail;
    r#"401, server asks for Basic realm="staff""#.clone_into(&mut r.summary);
    r.fact("responded", true);
    r.fact("status", 401_i64);
    r.fact("challenge.scheme", "basic");
    r.fact("challenge.realm", "staff");
    r.fact("challenge.raw", vec![r#"Basic realm="staff""#.to_owned()]);
    r.evidence.push(format!("GET {url} → 401 Unauthorized"));
    r.evidence
        .push(r#"WWW-Authenticate: Basic realm="staff""#.to_owned());
    r.elapsed_ms = 12;
    r
}

/// Feeds the probe results of the current run (answers every request with `make`).
pub fn answer_probes(
    app: &mut App,
    cmd: Option<Command>,
    make: impl Fn(&str) -> ProbeReport,
) -> Option<Command> {
    let Some(Command::RunProbes { run, requests }) = cmd else {
        panic!("expected probes to run, got {cmd:?}");
    };
    let mut last = None;
    for (index, req) in requests.iter().enumerate() {
        last = update(
            app,
            Message::ProbeDone {
                run,
                index,
                report: make(&req.id),
            },
        );
    }
    last
}

pub const URL: &str = "http://127.0.0.1:8401/admin";

/// A wizard started as `why401 URL`, at the visitor's first step with its probe running.
pub fn at_running_step(set: &FlowSet) -> (App<'_>, Option<Command>) {
    let mut app = App::new(
        set,
        why401::tui::Options {
            url: Some(URL.to_owned()),
            ..Default::default()
        },
    );
    let cmd = update(&mut app, key(KeyCode::Enter));
    app.now = Duration::from_millis(1_300);
    (app, cmd)
}

/// The visitor's first step with its probe answered.
pub fn at_results_step(set: &FlowSet) -> App<'_> {
    let (mut app, cmd) = at_running_step(set);
    let next = answer_probes(&mut app, cmd, |id| basic_401(id, URL));
    assert_eq!(next, None);
    app
}

/// Serves 401 with `WWW-Authenticate: Basic realm="staff"` on a free loopback port, on the
/// current tokio runtime; returns the address of `/admin` there.
pub async fn serve_basic_401() -> String {
    use axum::http::{StatusCode, header};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().fallback(|| async {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, r#"Basic realm="staff""#)],
            "401 Unauthorized",
        )
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://127.0.0.1:{port}/admin")
}

/// Draws the app at `w`x`h` and returns the screen as text.
pub fn render(app: &mut App, w: u16, h: u16) -> String {
    app.size = (w, h);
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| view(app, f)).unwrap();
    terminal.backend().to_string()
}
