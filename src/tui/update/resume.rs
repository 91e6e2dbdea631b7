//! Keys while a resumed walk asks for its secrets again.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::super::app::{App, Command};
use super::super::field::LineEdit;
use super::edit_field;
use crate::flow::Engine;
use crate::secret::Secret;

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Option<Command> {
    let form = app.resume.as_mut()?;
    match key.code {
        KeyCode::Enter if form.field.text().is_empty() => {
            form.error = Some("type it again, or Esc to start a new walk instead".to_owned());
            None
        }
        KeyCode::Enter => {
            if form.asking.is_empty() {
                return finish(app);
            }
            let (id, _) = form.asking.remove(0);
            form.session
                .secrets
                .insert(id, Secret::from(form.field.text()));
            form.field = LineEdit::new("", true);
            form.error = None;
            if form.asking.is_empty() {
                finish(app)
            } else {
                None
            }
        }
        KeyCode::Esc => {
            // Declined: a new walk, with the saved address kept.
            let url = form.session.answers.get("url").cloned().unwrap_or_default();
            app.resume = None;
            app.start.url = LineEdit::new(&url, false);
            app.status = Some("the saved walk was not resumed: start a new one".to_owned());
            None
        }
        _ => {
            edit_field(&mut form.field, key);
            None
        }
    }
}

/// Every secret is in: the walk is repeated with them and shown where it was.
fn finish(app: &mut App) -> Option<Command> {
    let form = app.resume.take()?;
    match Engine::resume(app.set, form.session) {
        Ok(engine) => {
            let steps = engine.session().trail.len();
            let back = engine.can_go_back();
            app.engine = Some(engine);
            app.status = Some(if back {
                format!("resumed with its {steps} steps: b goes back through them")
            } else {
                "resumed where it was saved".to_owned()
            });
            super::sync(app)
        }
        Err(e) => {
            app.start.error = Some(format!("could not resume the saved walk: {e}"));
            None
        }
    }
}
