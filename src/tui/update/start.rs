//! The start screen: the address, who is asking, and (help desk) the ticket fields.

use std::collections::BTreeMap;

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;

use super::{ask_quit, edit_field, sync};
use crate::flow::Engine;
use crate::tui::app::{App, Command, Overlay, StartFocus};
use crate::tui::field::LineEdit;
use crate::tui::layout::{StartTarget, start_target};

/// The order Tab walks the fields in: top to bottom as they are drawn, so Tab from the last
/// help-desk field goes to the list of callers (it went back up to the address, and a digit
/// meant to pick the caller was typed into the URL).
fn focus_order(app: &App) -> Vec<StartFocus> {
    if app.agent {
        vec![
            StartFocus::Url,
            StartFocus::TicketId,
            StartFocus::Reporter,
            StartFocus::Roles,
        ]
    } else {
        vec![StartFocus::Url, StartFocus::Roles]
    }
}

fn move_focus(app: &mut App, by: isize) {
    let order = focus_order(app);
    let at = order
        .iter()
        .position(|f| *f == app.start.focus)
        .unwrap_or(0);
    let n = order.len() as isize;
    let next = (at as isize + by).rem_euclid(n) as usize;
    app.start.focus = order[next];
}

pub(super) fn focused_field<'f>(app: &'f mut App) -> Option<&'f mut LineEdit> {
    match app.start.focus {
        StartFocus::Url => Some(&mut app.start.url),
        StartFocus::TicketId => Some(&mut app.start.ticket_id),
        StartFocus::Reporter => Some(&mut app.start.reporter),
        StartFocus::Roles => None,
    }
}

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Option<Command> {
    app.start.error = None;
    match key.code {
        KeyCode::Tab => move_focus(app, 1),
        KeyCode::BackTab => move_focus(app, -1),
        _ if app.start.focus == StartFocus::Roles => return on_roles_key(app, key),
        KeyCode::Enter | KeyCode::Down => move_focus(app, 1),
        KeyCode::Up => move_focus(app, -1),
        KeyCode::Esc => app.start.focus = StartFocus::Roles,
        _ => {
            if let Some(field) = focused_field(app) {
                edit_field(field, key);
            }
        }
    }
    None
}

fn on_roles_key(app: &mut App, key: KeyEvent) -> Option<Command> {
    let n = app.role_labels().len();
    match key.code {
        KeyCode::Down | KeyCode::Char('j') => app.start.role = (app.start.role + 1) % n,
        KeyCode::Up | KeyCode::Char('k') => app.start.role = (app.start.role + n - 1) % n,
        KeyCode::Char(c @ '1'..='9') => {
            let i = (c as usize) - ('1' as usize);
            if i < n {
                app.start.role = i;
                return pick_role(app, i);
            }
        }
        KeyCode::Enter => return pick_role(app, app.start.role),
        KeyCode::Char('u') => app.start.focus = StartFocus::Url,
        KeyCode::Char('o') => super::connection::open(app),
        KeyCode::Char('?') => app.overlay = Some(Overlay::Help),
        KeyCode::Char('q') | KeyCode::Esc => return ask_quit(app),
        _ => {}
    }
    None
}

pub(super) fn on_click(app: &mut App, area: Rect, column: u16, row: u16) -> Option<Command> {
    match start_target(app, area, column, row)? {
        StartTarget::Role(i) => {
            app.start.role = i;
            app.start.focus = StartFocus::Roles;
            pick_role(app, i)
        }
        StartTarget::Focus(f) => {
            app.start.focus = f;
            None
        }
    }
}

/// A role was picked: switch to help-desk mode, or start the role's flow.
fn pick_role(app: &mut App, index: usize) -> Option<Command> {
    let (_, target) = app.roles().into_iter().nth(index)?;
    let Some(flow) = target else {
        app.agent = true;
        app.start.role = 0;
        app.start.focus = StartFocus::TicketId;
        return None;
    };
    let url = app.start.url.text().trim().to_owned();
    if !url.is_empty()
        && let Err(why) = check_url(&url)
    {
        app.start.error = Some(format!("The address: {why}"));
        app.start.focus = StartFocus::Url;
        return None;
    }
    let mut preset = BTreeMap::new();
    if !url.is_empty() {
        if let Some((bare, said)) = crate::tui::app::bare_address(&url) {
            app.status = Some(said);
            app.start.url = crate::tui::field::LineEdit::new(&bare, false);
            preset.insert("url".to_owned(), bare);
        } else {
            preset.insert("url".to_owned(), url);
        }
    }
    if let Some(backend) = &app.options.backend {
        preset.insert("backend".to_owned(), backend.clone());
    }
    if let Some(har) = &app.options.har {
        preset.insert("har".to_owned(), har.display().to_string());
    }
    if app.agent {
        // Help-desk fields travel as answers so the ticket can show them.
        for (id, field) in [
            ("ticket_id", &app.start.ticket_id),
            ("reporter", &app.start.reporter),
        ] {
            let value = field.text().trim();
            if !value.is_empty() {
                preset.insert(id.to_owned(), value.to_owned());
            }
        }
    }
    match Engine::new(app.set, &flow, preset) {
        Ok(engine) => {
            app.engine = Some(engine);
            app.step = crate::tui::app::StepState::default();
            sync(app)
        }
        Err(e) => {
            app.start.error = Some(format!("Cannot start: {e}"));
            None
        }
    }
}

/// The same rule the engine applies to `url` inputs, so a bad address is caught here.
pub(crate) fn check_url(text: &str) -> Result<(), String> {
    match url::Url::parse(text) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        Ok(u) => Err(format!(
            "'{}' is not an http:// or https:// address",
            u.scheme()
        )),
        Err(e) => Err(format!(
            "not a valid address ({e}); write it as https://host/path"
        )),
    }
}
