//! `update`: the one place the state changes. Synchronous and free of I/O, so every key
//! and every probe result can be tested without a terminal.

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;

use super::app::{App, Command, Message, Overlay, ProbeRun, ProbeSlot, Screen};
use super::field::LineEdit;
use crate::flow::Phase;
use crate::probe::ProbeReport;
use crate::report::TicketFormat;

mod complete;
mod connection;
mod resume;
mod start;
mod step;
#[cfg(test)]
mod tests;

/// Applies one message; returns the work the runtime must do, if any.
pub fn update(app: &mut App, msg: Message) -> Option<Command> {
    match msg {
        Message::Key(key) if key.kind != KeyEventKind::Release => on_key(app, key),
        Message::Key(_) | Message::Tick => None,
        Message::Paste(text) => {
            on_paste(app, &text);
            None
        }
        Message::Mouse(m) => on_mouse(app, m),
        Message::Resize(w, h) => {
            app.size = (w, h);
            None
        }
        Message::ProbeDone { run, index, report } => on_probe_done(app, run, index, report),
        Message::Delivered(line) => {
            app.status = Some(line);
            None
        }
        Message::Interrupt => quit(app, false),
    }
}

/// Leaves; with `--save-session` the walk is saved on every way out (q, Ctrl+C, signals).
#[allow(clippy::unnecessary_wraps)] // every key handler returns Option<Command>
fn quit(app: &mut App, save_session: bool) -> Option<Command> {
    app.quit = true;
    Some(Command::Quit {
        save_session: save_session || app.options.save_session.is_some(),
    })
}

fn is_ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char(c)
}

fn on_key(app: &mut App, key: KeyEvent) -> Option<Command> {
    if is_ctrl(&key, 'c') {
        return quit(app, false);
    }
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    // On a too-small screen q asks too; the question is drawn in the small message.
    if super::layout::too_small(area) && app.overlay.is_none() && key.code == KeyCode::Char('q') {
        return ask_quit(app);
    }
    if app.overlay.is_some() {
        return on_overlay_key(app, key);
    }
    app.status = None;
    if is_ctrl(&key, 'o') && app.resume.is_none() {
        connection::open(app);
        return None;
    }
    if app.resume.is_some() {
        return resume::on_key(app, key);
    }
    if key.code == KeyCode::F(1) {
        app.overlay = Some(Overlay::Help);
        return None;
    }
    match app.screen {
        Screen::Start => start::on_key(app, key),
        Screen::Step => step::on_key(app, key),
        Screen::End => on_end_key(app, key),
    }
}

fn on_overlay_key(app: &mut App, key: KeyEvent) -> Option<Command> {
    match app.overlay.take() {
        Some(Overlay::Help) | None => None,
        Some(Overlay::Findings(at)) => {
            let at = match key.code {
                KeyCode::Down | KeyCode::Char('j') => Some(at.saturating_add(1)),
                KeyCode::Up | KeyCode::Char('k') => Some(at.saturating_sub(1)),
                KeyCode::PageDown | KeyCode::Char(' ') => Some(at.saturating_add(10)),
                KeyCode::PageUp => Some(at.saturating_sub(10)),
                _ => None,
            };
            app.overlay = at.map(Overlay::Findings);
            None
        }
        Some(Overlay::ConfirmQuit) => match key.code {
            KeyCode::Char('y' | 'q') => quit(app, false),
            KeyCode::Char('s') => quit(app, true),
            _ => None,
        },
        Some(Overlay::Connection(form)) => connection::on_key(app, form, key),
        Some(Overlay::Note(mut field)) => {
            match key.code {
                KeyCode::Enter => {
                    if let Some(engine) = app.engine.as_mut() {
                        engine.set_note(field.text());
                        app.status = Some(if field.text().trim().is_empty() {
                            "note removed".to_owned()
                        } else {
                            "note added to this step".to_owned()
                        });
                    }
                    refresh_ticket(app);
                }
                KeyCode::Esc => {}
                _ => {
                    edit_field(&mut field, key);
                    app.overlay = Some(Overlay::Note(field));
                }
            }
            None
        }
    }
}

/// Keys every text field understands. True when the key was used.
pub(crate) fn edit_field(field: &mut LineEdit, key: KeyEvent) -> bool {
    if is_ctrl(&key, 'r') {
        field.revealed = !field.revealed;
        return true;
    }
    if is_ctrl(&key, 'u') {
        field.clear();
        return true;
    }
    match key.code {
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => field.insert(c),
        KeyCode::Backspace => field.backspace(),
        KeyCode::Delete => field.delete(),
        KeyCode::Left => field.left(),
        KeyCode::Right => field.right(),
        KeyCode::Home => field.home(),
        KeyCode::End => field.end(),
        _ => return false,
    }
    true
}

fn on_paste(app: &mut App, text: &str) {
    if let Some(Overlay::Note(field)) = app.overlay.as_mut() {
        field.insert_str(text);
        return;
    }
    if let Some(form) = app.resume.as_mut() {
        form.field.insert_str(text);
        return;
    }
    match app.screen {
        Screen::Start => {
            // A paste over the role list is an address: it goes to the address field.
            if app.start.focus == super::app::StartFocus::Roles {
                app.start.focus = super::app::StartFocus::Url;
                app.start.url.clear();
            }
            if let Some(field) = start::focused_field(app) {
                field.insert_str(text);
            }
        }
        Screen::Step if app.step.input.is_some() => app.step.field.insert_str(text),
        _ => {}
    }
}

fn on_mouse(app: &mut App, m: MouseEvent) -> Option<Command> {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    if app.overlay.is_some() || app.resume.is_some() || super::layout::too_small(area) {
        return None;
    }
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => match app.screen {
            Screen::Start => start::on_click(app, area, m.column, m.row),
            Screen::Step => step::on_click(app, area, m.column, m.row),
            Screen::End => None,
        },
        MouseEventKind::ScrollDown => {
            scroll(app, 3);
            None
        }
        MouseEventKind::ScrollUp => {
            scroll(app, -3);
            None
        }
        _ => None,
    }
}

/// Scrolls the step's text or the ticket preview.
fn scroll(app: &mut App, by: i32) {
    let max = super::layout::max_scroll(app, Rect::new(0, 0, app.size.0, app.size.1));
    let target = match app.screen {
        Screen::Step => &mut app.step.body_scroll,
        Screen::End => &mut app.end.scroll,
        Screen::Start => return,
    };
    let next = (i32::from(*target) + by).clamp(0, i32::from(max));
    *target = u16::try_from(next).unwrap_or(0);
}

fn on_probe_done(app: &mut App, run: u64, index: usize, report: ProbeReport) -> Option<Command> {
    let current = app.running.as_mut()?;
    // A late answer from a run that was cancelled or replaced is dropped.
    if current.run != run {
        return None;
    }
    if current.retest {
        app.running = None;
        if let Some(engine) = app.engine.as_mut() {
            engine.give_verification(&report);
        }
        app.status = Some(retest_status(app));
        refresh_ticket(app);
        return None;
    }
    if let Some(slot) = current.slots.get_mut(index) {
        slot.report = Some(report);
    }
    if current.slots.iter().any(|s| s.report.is_none()) {
        return None;
    }
    let no_choices = app
        .engine
        .as_ref()
        .is_some_and(|e| e.node().choices.is_empty());
    if current.cancelling && no_choices {
        app.held = app.running.take();
        app.status = Some("probes cancelled: r runs them again, b goes back".into());
        return None;
    }
    let reports: Vec<ProbeReport> = app
        .running
        .take()
        .map(|r| r.slots.into_iter().filter_map(|s| s.report).collect())
        .unwrap_or_default();
    if let Some(engine) = app.engine.as_mut()
        && let Err(e) = engine.give_reports(reports)
    {
        app.status = Some(format!("✘ {e}"));
    }
    sync(app)
}

/// Brings the screens in line with the engine after it moved: asks for the next input,
/// starts the step's probes, picks the suggested choice, or opens the end screen.
pub fn sync(app: &mut App) -> Option<Command> {
    app.held = None;
    let engine = app.engine.as_ref()?;
    let session = engine.session();
    let at = (session.trail.len(), session.current.clone());
    if app.step.at.as_ref() != Some(&at) {
        app.step.at = Some(at);
        app.step.body_scroll = 0;
        app.step.selected = 0;
        app.step.error = None;
    }
    match engine.phase() {
        Phase::Inputs => {
            app.screen = Screen::Step;
            let next = engine
                .missing_inputs()
                .first()
                .map(|i| (i.id.clone(), i.kind));
            if let Some((id, kind)) = next
                && app.step.input.as_deref() != Some(id.as_str())
            {
                // A configuration path starts at the usual place, when there is one here.
                let offered = (kind == crate::flow::InputKind::Path)
                    .then(|| complete::usual_location(&id))
                    .flatten()
                    .unwrap_or_default();
                app.step.field = LineEdit::new(offered, kind.is_secret());
                app.step.input = Some(id);
            }
            None
        }
        Phase::Probes => {
            app.screen = Screen::Step;
            app.step.input = None;
            let requests = engine.probe_requests();
            Some(start_run(app, requests, false))
        }
        Phase::Review => {
            app.screen = Screen::Step;
            app.step.input = None;
            None
        }
        Phase::Choose => {
            app.screen = Screen::Step;
            app.step.input = None;
            if let Some((i, _)) = engine.suggested() {
                app.step.selected = i;
            }
            None
        }
        Phase::Ended => {
            let untested = engine.session().ended == Some(crate::flow::EndKind::Resolved)
                && engine.session().verification.is_none();
            app.step.input = None;
            app.screen = Screen::End;
            app.end.scroll = 0;
            refresh_ticket(app);
            // An ending at a fix is re-tested at once: only that may call it resolved.
            if untested { retest(app) } else { None }
        }
    }
}

/// Starts a run of `requests`; the step's checks, or the end's re-test.
fn start_run(app: &mut App, requests: Vec<crate::probe::ProbeRequest>, retest: bool) -> Command {
    let run = app.next_run;
    app.next_run += 1;
    app.running = Some(ProbeRun {
        run,
        started: app.now,
        slots: requests
            .iter()
            .map(|r| ProbeSlot {
                id: r.id.clone(),
                kind: r.kind.clone(),
                report: None,
            })
            .collect(),
        cancelling: false,
        retest,
    });
    Command::RunProbes { run, requests }
}

/// Sends the original request again (with the credentials given) to see if the fix worked.
pub(crate) fn retest(app: &mut App) -> Option<Command> {
    if app.running.is_some() {
        app.status = Some("a request is already running".into());
        return None;
    }
    let Some(request) = app
        .engine
        .as_ref()
        .and_then(crate::flow::Engine::verification_request)
    else {
        app.status = Some("no address to re-test: the walk never had one".into());
        return None;
    };
    app.status = Some("re-testing the original request…".into());
    Some(start_run(app, vec![request], true))
}

/// One line on what the re-test got.
fn retest_status(app: &App) -> String {
    let Some(v) = app
        .engine
        .as_ref()
        .and_then(|e| e.session().verification.as_ref())
    else {
        return String::new();
    };
    if v.passed {
        format!("✔ re-test: {}", crate::tui::view::shown(&v.answer))
    } else {
        format!(
            "✘ re-test: {} — apply the fix, then press r again",
            crate::tui::view::shown(&v.answer)
        )
    }
}

/// Renders the ticket again (the format changed, or a note was added).
fn refresh_ticket(app: &mut App) {
    if let Some(engine) = &app.engine
        && app.screen == Screen::End
    {
        let mut ticket = crate::report::Ticket::from_session_with(
            engine.session(),
            Some(engine.flows()),
            chrono::Utc::now(),
        );
        // The ticket says how the probes connected when it was not the plain way.
        if let Some(target) = ticket.target.as_mut() {
            target.connection = app.options.net.summary();
        }
        app.end.ticket = ticket.render(app.end.format);
        // The screen shows text, never markdown escapes; JSON is shown as it is.
        app.end.preview = match app.end.format {
            TicketFormat::Md => ticket.render(TicketFormat::Text),
            TicketFormat::Text | TicketFormat::Json => app.end.ticket.clone(),
        };
    }
}

/// Undoes the last answer; from the first step, back to the start screen.
pub(crate) fn back(app: &mut App) -> Option<Command> {
    let cancel = app.running.take().map(|_| Command::CancelProbes);
    let went_back = app.engine.as_mut().is_some_and(crate::flow::Engine::back);
    if went_back {
        app.step.input = None;
        let next = sync(app);
        return next.or(cancel);
    }
    // Back at the start the address stays, whether it was typed or came with a session.
    if let Some(url) = app.url().map(str::to_owned) {
        app.start.url = LineEdit::new(&url, false);
    }
    app.engine = None;
    app.held = None;
    app.step = super::app::StepState::default();
    app.screen = Screen::Start;
    cancel
}

pub(crate) fn ask_quit(app: &mut App) -> Option<Command> {
    if app.engine.is_none() {
        return quit(app, false);
    }
    app.overlay = Some(Overlay::ConfirmQuit);
    None
}

pub(crate) fn open_note(app: &mut App) {
    let Some(engine) = &app.engine else { return };
    let note = engine
        .session()
        .trail
        .last()
        .and_then(|s| s.note.clone())
        .unwrap_or_default();
    app.overlay = Some(Overlay::Note(LineEdit::new(&note, false)));
}

/// The file extension of a ticket format.
pub fn extension(format: TicketFormat) -> &'static str {
    match format {
        TicketFormat::Md => "md",
        TicketFormat::Text => "txt",
        TicketFormat::Json => "json",
    }
}

fn on_end_key(app: &mut App, key: KeyEvent) -> Option<Command> {
    match key.code {
        KeyCode::Down | KeyCode::Char('j') => scroll(app, 1),
        KeyCode::Up | KeyCode::Char('k') => scroll(app, -1),
        KeyCode::PageDown | KeyCode::Char(' ') => scroll(app, 10),
        KeyCode::PageUp => scroll(app, -10),
        KeyCode::Home | KeyCode::Char('g') => app.end.scroll = 0,
        KeyCode::Char('c') => {
            return Some(Command::Copy {
                text: app.end.ticket.clone(),
            });
        }
        KeyCode::Char('s') => {
            return Some(Command::Save {
                text: app.end.ticket.clone(),
                ext: extension(app.end.format),
            });
        }
        KeyCode::Char('f') => {
            app.end.format = match app.end.format {
                TicketFormat::Md => TicketFormat::Text,
                TicketFormat::Text => TicketFormat::Json,
                TicketFormat::Json => TicketFormat::Md,
            };
            app.end.scroll = 0;
            refresh_ticket(app);
        }
        KeyCode::Char('r') => return retest(app),
        KeyCode::Char('b') => return back(app),
        KeyCode::Char('n') => open_note(app),
        KeyCode::Char('?') => app.overlay = Some(Overlay::Help),
        KeyCode::Char('q') | KeyCode::Esc => return ask_quit(app),
        _ => {}
    }
    None
}
