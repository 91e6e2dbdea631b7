//! `update` without a terminal: keys, clicks and probe results in, state and commands out.

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use crate::flow::{FlowSet, Phase};
use crate::probe::{ProbeReport, Verdict};
use crate::tui::app::{App, Command, Message, Options, Overlay, Screen, StartFocus};
use crate::tui::update;

fn flows() -> FlowSet {
    let mut set = FlowSet::default();
    let mut diags = Vec::new();
    for (file, text) in [
        (
            "visitor.yaml",
            include_str!("../../../tests/support/tui_flows/visitor.yaml"),
        ),
        (
            "owner.yaml",
            include_str!("../../../tests/support/tui_flows/owner.yaml"),
        ),
        (
            "api.yaml",
            include_str!("../../../tests/support/tui_flows/api.yaml"),
        ),
    ] {
        set.add(file, text, false, &mut diags);
    }
    assert!(diags.is_empty(), "{diags:?}");
    set
}

fn key(code: KeyCode) -> Message {
    Message::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Message {
    key(KeyCode::Char(c))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        assert_eq!(update(app, ch(c)), None);
    }
}

fn report(id: &str, status: i64) -> ProbeReport {
    let mut r = ProbeReport::new(id, "http");
    r.verdict = if status == 401 {
        Verdict::Fail
    } else {
        Verdict::Ok
    };
    r.fact("status", status);
    if status == 401 {
        r.fact("challenge.scheme", "basic");
        r.fact("challenge.realm", "staff");
    }
    r
}

fn app_with_url<'a>(set: &'a FlowSet, url: &str) -> App<'a> {
    App::new(
        set,
        Options {
            url: Some(url.to_owned()),
            ..Options::default()
        },
    )
}

/// Starts the visitor flow and answers its probe with `status`.
fn visitor_after_probe(set: &FlowSet, status: i64) -> App<'_> {
    let mut app = app_with_url(set, "http://127.0.0.1:9/x");
    let Some(Command::RunProbes { run, requests }) = update(&mut app, key(KeyCode::Enter)) else {
        panic!("the first step runs its probe");
    };
    assert_eq!(requests[0].args["url"], "http://127.0.0.1:9/x");
    assert!(app.animating());
    let id = requests[0].id.clone();
    update(
        &mut app,
        Message::ProbeDone {
            run,
            index: 0,
            report: report(&id, status),
        },
    );
    app
}

#[test]
fn a_401_with_basic_stops_at_the_choices_with_the_suggestion_selected() {
    let set = flows();
    let app = visitor_after_probe(&set, 401);
    assert_eq!(app.screen, Screen::Step);
    assert!(!app.animating(), "no tick once the probes are done");
    let engine = app.engine.as_ref().unwrap();
    assert_eq!(engine.phase(), Phase::Choose);
    assert_eq!(app.step.selected, 0);
    assert!(engine.suggested().unwrap().1.contains("staff"));
}

#[test]
fn no_401_ends_resolved_with_a_ticket() {
    let set = flows();
    let app = visitor_after_probe(&set, 200);
    assert_eq!(app.screen, Screen::End);
    assert!(!app.end.ticket.is_empty());
}

#[test]
fn a_bad_url_on_the_start_screen_is_refused_in_place() {
    let set = flows();
    let mut app = app_with_url(&set, "ftp://example");
    assert_eq!(update(&mut app, key(KeyCode::Enter)), None);
    assert_eq!(app.screen, Screen::Start);
    assert_eq!(app.start.focus, StartFocus::Url);
    assert!(app.start.error.as_deref().unwrap().contains("ftp"));
}

#[test]
fn without_a_url_the_first_step_asks_for_it_and_checks_it() {
    let set = flows();
    let mut app = App::new(&set, Options::default());
    assert_eq!(update(&mut app, key(KeyCode::Enter)), None);
    assert_eq!(app.step.input.as_deref(), Some("url"));
    typed(&mut app, "not a url");
    assert_eq!(update(&mut app, key(KeyCode::Enter)), None);
    assert!(app.step.error.is_some());
    let clear = Message::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    update(&mut app, clear);
    update(&mut app, Message::Paste("http://127.0.0.1:9/\n".into()));
    assert!(matches!(
        update(&mut app, key(KeyCode::Enter)),
        Some(Command::RunProbes { .. })
    ));
}

#[test]
fn help_desk_mode_carries_ticket_id_and_reporter_into_the_walk() {
    let set = flows();
    let mut app = app_with_url(&set, "http://127.0.0.1:9/");
    update(&mut app, key(KeyCode::Char('4')));
    assert!(app.agent);
    assert_eq!(app.start.focus, StartFocus::TicketId);
    typed(&mut app, "HD-1");
    update(&mut app, key(KeyCode::Enter));
    typed(&mut app, "Sam");
    update(&mut app, key(KeyCode::Tab)); // down to the callers, not back up to the address
    assert_eq!(app.start.focus, StartFocus::Roles);
    update(&mut app, key(KeyCode::Down));
    assert_eq!(update(&mut app, key(KeyCode::Enter)), None);
    let s = app.engine.as_ref().unwrap().session();
    assert_eq!(s.flow, "owner");
    assert_eq!(s.answers["ticket_id"], "HD-1");
    assert_eq!(s.answers["reporter"], "Sam");
}

#[test]
fn results_of_a_replaced_run_are_dropped() {
    let set = flows();
    let mut app = app_with_url(&set, "http://127.0.0.1:9/");
    let Some(Command::RunProbes { run, .. }) = update(&mut app, key(KeyCode::Enter)) else {
        panic!()
    };
    let stale = Message::ProbeDone {
        run: run + 100,
        index: 0,
        report: report("http", 200),
    };
    assert_eq!(update(&mut app, stale), None);
    assert!(app.running.is_some());
}

#[test]
fn esc_cancels_running_probes_and_r_runs_them_again() {
    let set = flows();
    let mut app = app_with_url(&set, "http://127.0.0.1:9/");
    let Some(Command::RunProbes { run, .. }) = update(&mut app, key(KeyCode::Enter)) else {
        panic!()
    };
    assert_eq!(
        update(&mut app, key(KeyCode::Esc)),
        Some(Command::CancelProbes)
    );
    assert_eq!(update(&mut app, key(KeyCode::Esc)), None, "cancelled once");
    let cancelled = ProbeReport::failed("http", "http", "cancelled");
    update(
        &mut app,
        Message::ProbeDone {
            run,
            index: 0,
            report: cancelled,
        },
    );
    assert_eq!(app.engine.as_ref().unwrap().phase(), Phase::Choose);
    assert!(matches!(
        update(&mut app, ch('r')),
        Some(Command::RunProbes { run: r, .. }) if r > run
    ));
}

#[test]
fn back_undoes_a_choice_and_from_the_first_step_returns_to_start() {
    let set = flows();
    let mut app = visitor_after_probe(&set, 401);
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.step.input.as_deref(), Some("user"));
    // Esc in a field goes back, like b elsewhere.
    update(&mut app, key(KeyCode::Esc));
    assert_eq!(app.engine.as_ref().unwrap().phase(), Phase::Choose);
    update(&mut app, ch('b'));
    assert_eq!(app.screen, Screen::Start);
    assert!(app.engine.is_none());
}

#[test]
fn quitting_asks_and_can_save_the_session() {
    let set = flows();
    let mut app = visitor_after_probe(&set, 401);
    assert_eq!(update(&mut app, ch('q')), None);
    assert_eq!(app.overlay, Some(Overlay::ConfirmQuit));
    assert_eq!(update(&mut app, ch('x')), None, "any other key stays");
    assert!(!app.quit);
    update(&mut app, ch('q'));
    assert_eq!(
        update(&mut app, ch('s')),
        Some(Command::Quit { save_session: true })
    );
    assert!(app.quit);
}

#[test]
fn ctrl_c_quits_at_once_from_anywhere() {
    let set = flows();
    let mut app = visitor_after_probe(&set, 401);
    update(&mut app, ch('?'));
    let ctrl_c = Message::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(
        update(&mut app, ctrl_c),
        Some(Command::Quit {
            save_session: false
        })
    );
}

#[test]
fn a_note_is_kept_on_the_step() {
    let set = flows();
    let mut app = visitor_after_probe(&set, 401);
    update(&mut app, ch('n'));
    typed(&mut app, "caller uses Firefox");
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.overlay, None);
    let note = app.engine.as_ref().unwrap().session().trail[0].note.clone();
    assert_eq!(note.as_deref(), Some("caller uses Firefox"));
}

#[test]
fn a_click_on_a_choice_takes_it() {
    let set = flows();
    let mut app = visitor_after_probe(&set, 401);
    app.size = (80, 24);
    let area = ratatui::layout::Rect::new(0, 0, 80, 24);
    let rows =
        crate::tui::layout::choices_area(&app, crate::tui::layout::step_areas(&app, area).bottom);
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: rows.x + 3,
        row: rows.y + 1,
        modifiers: KeyModifiers::NONE,
    };
    update(&mut app, Message::Mouse(click));
    assert_eq!(app.screen, Screen::End, "choice 2 leads to the ticket");
}

#[test]
fn the_end_screen_copies_saves_and_switches_format() {
    let set = flows();
    let mut app = visitor_after_probe(&set, 200);
    let md = app.end.ticket.clone();
    assert!(matches!(update(&mut app, ch('c')), Some(Command::Copy { text }) if text == md));
    assert!(matches!(
        update(&mut app, ch('s')),
        Some(Command::Save { ext: "md", .. })
    ));
    update(&mut app, ch('f'));
    update(&mut app, ch('f'));
    assert!(app.end.ticket.trim_start().starts_with('{'), "json");
    assert!(matches!(
        update(&mut app, ch('s')),
        Some(Command::Save { ext: "json", .. })
    ));
    update(&mut app, Message::Delivered("✔ saved to x.json".into()));
    assert_eq!(app.status.as_deref(), Some("✔ saved to x.json"));
}

#[test]
fn scrolling_stops_at_the_end_of_the_text() {
    let set = flows();
    let mut app = visitor_after_probe(&set, 200);
    app.size = (80, 24);
    for _ in 0..500 {
        update(&mut app, key(KeyCode::PageDown));
    }
    let max = crate::tui::layout::max_scroll(&app, ratatui::layout::Rect::new(0, 0, 80, 24));
    assert_eq!(app.end.scroll, max);
}

#[test]
fn wrapped_rows_counts_like_word_wrap() {
    use crate::tui::layout::wrapped_rows;
    assert_eq!(wrapped_rows("", 10), 0);
    assert_eq!(wrapped_rows("one two", 10), 1);
    assert_eq!(wrapped_rows("one two three", 10), 2);
    assert_eq!(wrapped_rows("a\n\nb", 10), 3);
    assert_eq!(wrapped_rows(&"x".repeat(25), 10), 3);
}

#[test]
fn cancelling_where_only_the_checks_decide_keeps_the_step_for_a_rerun() {
    let set = flows();
    let mut app = app_with_url(&set, "http://127.0.0.1:9/");
    update(&mut app, key(KeyCode::Down));
    assert_eq!(update(&mut app, key(KeyCode::Enter)), None);
    let Some(Command::RunProbes { run, .. }) = update(&mut app, key(KeyCode::Enter)) else {
        panic!("the check step runs its probe");
    };
    assert_eq!(
        update(&mut app, key(KeyCode::Esc)),
        Some(Command::CancelProbes)
    );
    let cancelled = ProbeReport::failed("http", "http", "cancelled");
    update(
        &mut app,
        Message::ProbeDone {
            run,
            index: 0,
            report: cancelled,
        },
    );
    let engine = app.engine.as_ref().unwrap();
    assert_eq!(engine.phase(), Phase::Probes, "not ended by a cancel");
    assert_eq!(engine.session().error, None);
    assert!(app.held.is_some() && !app.animating());
    assert!(matches!(
        update(&mut app, ch('r')),
        Some(Command::RunProbes { .. })
    ));
    assert!(app.held.is_none());
}

#[test]
fn a_paste_on_the_start_screen_fills_the_address() {
    let set = flows();
    let mut app = app_with_url(&set, "http://old.invalid/");
    update(&mut app, Message::Paste("http://127.0.0.1:9/new\n".into()));
    assert_eq!(app.start.focus, StartFocus::Url);
    assert_eq!(app.start.url.text(), "http://127.0.0.1:9/new");
}

#[test]
fn a_saved_session_resumes_at_its_step() {
    let set = flows();
    let app = visitor_after_probe(&set, 401);
    let saved = crate::tui::session_file::redacted(app.engine.as_ref().unwrap().session());
    let json = serde_json::to_string(&saved).unwrap();
    let session: crate::flow::Session = serde_json::from_str(&json).unwrap();
    let mut resumed = App::new(&set, Options::default());
    resumed.engine = Some(crate::flow::Engine::resume(&set, session).unwrap());
    assert_eq!(crate::tui::sync(&mut resumed), None);
    assert_eq!(resumed.screen, Screen::Step);
    assert_eq!(resumed.step.selected, 0, "the suggestion is selected again");
    assert_eq!(resumed.url(), Some("http://127.0.0.1:9/x"));
}

/// A password in the address given on the command line is taken out before anything shows
/// it (start screen, header, step text, ticket); the person is told where it went.
#[test]
fn a_password_in_the_given_address_is_taken_out() {
    let set = flows();
    let mut app = app_with_url(&set, "http://alice:Canary-Pw-9@127.0.0.1:9/admin/");
    assert_eq!(app.start.url.text(), "http://127.0.0.1:9/admin/");
    assert!(
        app.status
            .as_deref()
            .is_some_and(|s| s.contains("taken out") && !s.contains("Canary")),
        "{:?}",
        app.status
    );
    update(&mut app, key(KeyCode::Char('2')));
    let s = app.engine.as_ref().unwrap().session();
    assert_eq!(s.answers["url"], "http://127.0.0.1:9/admin/");
}
