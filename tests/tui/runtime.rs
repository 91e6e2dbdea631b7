//! The event loop itself, in-process: scripted terminal events, real probe tasks against a
//! local 401 server, drawn on a TestBackend.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::tui_app;

use std::time::Duration;

use futures::channel::mpsc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use why401::flow::Phase;
use why401::probe::ProbeContext;
use why401::tui::runtime::{Setup, run_loop};
use why401::tui::{App, Options};

fn press(tx: &mpsc::UnboundedSender<std::io::Result<Event>>, code: KeyCode) {
    tx.unbounded_send(Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))))
        .unwrap();
}

#[tokio::test]
async fn probes_run_as_tasks_and_their_results_reach_the_screen() {
    let url = tui_app::serve_basic_401().await;

    let set = tui_app::flows();
    let mut app = App::new(
        &set,
        Options {
            url: Some(url),
            ..Options::default()
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let (tx, events) = mpsc::unbounded();
    let dir = tempfile::tempdir().unwrap();
    let ctx = ProbeContext::new(Duration::from_secs(5)).unwrap();
    let script = tokio::spawn(async move {
        press(&tx, KeyCode::Enter);
        // The probe answers in milliseconds; the loop must take its result on its own.
        tokio::time::sleep(Duration::from_millis(700)).await;
        press(&tx, KeyCode::Char('q'));
        press(&tx, KeyCode::Char('s'));
        tx
    });
    let setup = Setup {
        cwd: dir.path().to_path_buf(),
        first: None,
    };
    let exit = tokio::time::timeout(
        Duration::from_secs(20),
        run_loop(&mut terminal, &mut app, events, ctx, setup),
    )
    .await
    .expect("the loop ends on q s")
    .unwrap();
    drop(script.await);

    let engine = app.engine.as_ref().unwrap();
    assert_eq!(engine.phase(), Phase::Choose);
    let realm = engine.session().facts.get("http.challenge.realm");
    assert_eq!(realm.map(ToString::to_string).as_deref(), Some("staff"));
    // The last frame drawn is the quit question over the step with its result.
    let screen = terminal.backend().to_string();
    assert!(screen.contains("✘ fail Check the address"), "{screen}");
    assert!(screen.contains("Leave the wizard?"), "{screen}");
    assert_eq!(exit.notices.len(), 1, "{:?}", exit.notices);
    assert!(exit.notices[0].starts_with("session saved to "));
    let saved = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(saved, 1);
}
