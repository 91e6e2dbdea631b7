//! A walk through the shipped visitor flow with real probes against a local 401 server:
//! no snapshots (the flow's wording changes), only that every screen on the way draws at
//! 80x24 and 120x40 and the walk ends without an engine error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::tui_app;

use std::time::Duration;

use ratatui::crossterm::event::KeyCode;
use tui_app::{key, render};
use why401::flow::{FlowSet, InputKind, Phase};
use why401::probe::{ProbeContext, run_one};
use why401::tui::{App, Command, Message, Options, Screen, update};

/// Carries out what the app asks: runs probes for real and feeds their reports back.
async fn carry_out(app: &mut App<'_>, mut cmd: Option<Command>, ctx: &ProbeContext) {
    while let Some(Command::RunProbes { run, requests }) = cmd.take() {
        for (index, req) in requests.into_iter().enumerate() {
            let report = run_one(req, ctx.clone()).await;
            cmd = update(app, Message::ProbeDone { run, index, report });
        }
    }
}

fn draw_both(app: &mut App) {
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = render(app, w, h);
        assert!(screen.contains("why401"), "{screen}");
    }
}

#[tokio::test]
async fn the_shipped_visitor_flow_walks_to_its_end() {
    let url = tui_app::serve_basic_401().await;
    let (set, diags) = FlowSet::load(None);
    assert!(diags.is_empty(), "{diags:?}");
    let ctx = ProbeContext::new(Duration::from_secs(5)).unwrap();
    let mut app = App::new(
        &set,
        Options {
            url: Some(url.clone()),
            ..Options::default()
        },
    );
    draw_both(&mut app);
    let cmd = update(&mut app, key(KeyCode::Enter));
    carry_out(&mut app, cmd, &ctx).await;
    let status = app
        .engine
        .as_ref()
        .unwrap()
        .session()
        .facts
        .get("http.status");
    assert_eq!(status.map(ToString::to_string).as_deref(), Some("401"));
    // A plausible answer for each input; at each node the next choice not yet taken there,
    // so a flow that loops back still gets explored to an end.
    let mut taken: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for _ in 0..200 {
        draw_both(&mut app);
        if app.screen == Screen::End {
            break;
        }
        let engine = app.engine.as_ref().unwrap();
        let cmd = if engine.phase() == Phase::Inputs {
            let input = engine.missing_inputs()[0];
            let value = match input.kind {
                InputKind::Url => url.clone(),
                _ => "x".to_owned(),
            };
            app.step.field = why401::tui::field::LineEdit::new(&value, input.kind.is_secret());
            update(&mut app, key(KeyCode::Enter))
        } else {
            let n = engine.node().choices.len().max(1);
            let count = taken
                .entry(engine.session().current.to_string())
                .or_default();
            app.step.selected = *count % n;
            *count += 1;
            update(&mut app, key(KeyCode::Enter))
        };
        carry_out(&mut app, cmd, &ctx).await;
    }
    assert_eq!(app.screen, Screen::End, "the walk did not end");
    let session = app.engine.as_ref().unwrap().session();
    assert_eq!(session.error, None);
    assert!(!app.end.ticket.is_empty());
}
