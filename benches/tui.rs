//! Wizard drawing speed: the busiest screen (wide step screen with a trail, probe results,
//! a suggested choice and the help overlay) and the first frame (load and lint the shipped
//! flows, build the state, draw) — both on ratatui's TestBackend.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../tests/support/tui_app.rs"]
mod tui_app;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use tui_app::{URL, answer_probes, at_results_step, basic_401, flows, key, type_text};
use why401::flow::FlowSet;
use why401::tui::{App, Options, update, view};

/// The login step after its probe: two steps of trail, results, choices, help on top.
fn busiest(set: &FlowSet) -> App<'_> {
    let mut app = at_results_step(set);
    update(&mut app, key(KeyCode::Enter));
    type_text(&mut app, "dana");
    update(&mut app, key(KeyCode::Enter));
    type_text(&mut app, "pw");
    let cmd = update(&mut app, key(KeyCode::Enter));
    answer_probes(&mut app, cmd, |id| basic_401(id, URL));
    update(&mut app, tui_app::ch('n'));
    type_text(&mut app, "caller on Firefox 128, VPN on");
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, tui_app::ch('?'));
    app
}

fn draw(c: &mut Criterion) {
    let set = flows();
    let app = busiest(&set);
    for (w, h) in [(80, 24), (120, 40), (200, 60)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        c.bench_function(&format!("draw busiest screen {w}x{h}"), |b| {
            b.iter(|| terminal.draw(|f| view(black_box(&app), f)).unwrap().area);
        });
    }
}

fn first_frame(c: &mut Criterion) {
    c.bench_function("first frame (load + lint flows, state, draw 120x40)", |b| {
        b.iter(|| {
            let (set, diags) = FlowSet::load(None);
            assert!(diags.is_empty());
            assert!(why401::flow::lint::lint(&set).is_empty());
            let app = App::new(
                &set,
                Options {
                    url: Some(URL.to_owned()),
                    ..Options::default()
                },
            );
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
            terminal.draw(|f| view(&app, f)).unwrap().area
        });
    });
}

criterion_group!(benches, draw, first_frame);
criterion_main!(benches);
