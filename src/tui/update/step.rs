//! The step screen: inputs, choices, probes.

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;

use super::{ask_quit, back, edit_field, open_note, sync};
use crate::flow::{InputKind, Phase};
use crate::tui::app::{App, Command, Overlay};
use crate::tui::field::LineEdit;
use crate::tui::layout::choice_at;

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Option<Command> {
    let engine = app.engine.as_ref()?;
    if engine.phase() == Phase::Inputs && app.step.input.is_some() {
        return on_input_key(app, key);
    }
    let choices = engine.node().choices.len();
    match key.code {
        KeyCode::Down | KeyCode::Char('j') if choices > 0 => {
            app.step.selected = (app.step.selected + 1) % choices;
        }
        KeyCode::Up | KeyCode::Char('k') if choices > 0 => {
            app.step.selected = (app.step.selected + choices - 1) % choices;
        }
        KeyCode::Char(c @ '1'..='9') => return choose(app, (c as usize) - ('1' as usize)),
        KeyCode::Enter if engine.phase() == Phase::Review => return proceed(app),
        KeyCode::Enter => return choose(app, app.step.selected),
        KeyCode::PageDown | KeyCode::Char(' ') => super::scroll(app, 5),
        KeyCode::PageUp => super::scroll(app, -5),
        KeyCode::Char('b') | KeyCode::Backspace => return back(app),
        KeyCode::Char('r') => return rerun(app),
        KeyCode::Esc if app.running.is_some() => return cancel(app),
        KeyCode::Char('n') => open_note(app),
        KeyCode::Char('e') => app.overlay = Some(Overlay::Findings(0)),
        KeyCode::Char('o') => super::connection::open(app),
        KeyCode::Char('?') => app.overlay = Some(Overlay::Help),
        KeyCode::Char('q') | KeyCode::Esc => return ask_quit(app),
        _ => {}
    }
    None
}

fn on_input_key(app: &mut App, key: KeyEvent) -> Option<Command> {
    match key.code {
        KeyCode::Enter => return submit_input(app),
        KeyCode::Tab => complete_path(app),
        KeyCode::Esc => return back(app),
        KeyCode::PageDown => super::scroll(app, 5),
        KeyCode::PageUp => super::scroll(app, -5),
        _ => {
            if edit_field(&mut app.step.field, key) {
                app.step.error = None;
            }
        }
    }
    None
}

/// The kind of the input being asked.
fn input_kind(app: &App) -> Option<InputKind> {
    let id = app.step.input.as_deref()?;
    let engine = app.engine.as_ref()?;
    engine
        .node()
        .inputs
        .iter()
        .find(|i| i.id == id)
        .map(|i| i.kind)
}

/// Tab in a file-path field completes the path.
fn complete_path(app: &mut App) {
    if input_kind(app) != Some(InputKind::Path) {
        return;
    }
    app.status = super::complete::tab(&mut app.step.field);
}

fn submit_input(app: &mut App) -> Option<Command> {
    // A path that names nothing is refused here, without repeating what was typed: it may
    // be a password typed into the wrong field.
    if input_kind(app) == Some(InputKind::Path) {
        let expanded = super::complete::expand_home(app.step.field.text().trim()).into_owned();
        if expanded != app.step.field.text() {
            app.step.field = LineEdit::new(&expanded, false);
        }
        let text = app.step.field.text().trim();
        if !text.is_empty() && !std::path::Path::new(text).exists() {
            app.step.error = Some(
                "no file at that path (what was typed is not repeated here); Tab completes paths"
                    .into(),
            );
            return None;
        }
    }
    let (Some(engine), Some(id)) = (app.engine.as_mut(), app.step.input.clone()) else {
        return None;
    };
    match engine.give_input(&id, app.step.field.text()) {
        Ok(()) => {
            app.step.input = None;
            app.step.error = None;
            sync(app)
        }
        Err(e) => {
            app.step.error = Some(e.to_string());
            None
        }
    }
}

fn choose(app: &mut App, index: usize) -> Option<Command> {
    let engine = app.engine.as_mut()?;
    if engine.phase() != Phase::Choose {
        if app.running.is_some() {
            app.status = Some("probes are still running: wait, or Esc to cancel them".into());
        } else if app.held.is_some() {
            app.status = Some("the checks were cancelled: r runs them again, b goes back".into());
        }
        return None;
    }
    match engine.choose(index) {
        Ok(()) => sync(app),
        Err(e) => {
            app.status = Some(format!("✘ {e}"));
            None
        }
    }
}

/// Goes on from a step shown again with its results, the way its checks decided.
fn proceed(app: &mut App) -> Option<Command> {
    let engine = app.engine.as_mut()?;
    match engine.proceed() {
        Ok(()) => sync(app),
        Err(e) => {
            app.status = Some(format!("✘ {e}"));
            None
        }
    }
}

fn rerun(app: &mut App) -> Option<Command> {
    let engine = app.engine.as_mut()?;
    if app.running.is_some() {
        app.status = Some("probes are already running".into());
        return None;
    }
    if engine.rerun().is_ok() {
        return sync(app);
    }
    app.status = Some("this step has no probes to run again".into());
    None
}

fn cancel(app: &mut App) -> Option<Command> {
    let run = app.running.as_mut()?;
    if run.cancelling {
        return None;
    }
    run.cancelling = true;
    app.status = Some("cancelling the running probes…".into());
    Some(Command::CancelProbes)
}

pub(super) fn on_click(app: &mut App, area: Rect, column: u16, row: u16) -> Option<Command> {
    let index = choice_at(app, area, column, row)?;
    app.step.selected = index;
    choose(app, index)
}
