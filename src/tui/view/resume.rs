//! The box a resumed walk shows while it asks for its secrets again.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::tui::app::{App, ResumeForm};
use crate::tui::theme::Theme;

/// The screen while a resumed walk asks for its secrets: the header, the box, the keys.
pub(super) fn draw_screen(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let Some(form) = &app.resume else { return };
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let url = form.session.answers.get("url").map_or("", String::as_str);
    super::walk_header(
        frame,
        head,
        theme,
        [&form.session.flow, "resuming"],
        url,
        "",
    );
    draw(form, frame, body, theme);
    super::footer(
        frame,
        foot,
        theme,
        app,
        &[
            ("Enter", "resume"),
            ("Ctrl+R", "reveal"),
            ("Esc", "new walk"),
            ("Ctrl+C", "quit"),
        ],
    );
}

fn draw(form: &ResumeForm, frame: &mut Frame, area: Rect, theme: Theme) {
    let r = super::centered(area, 76, 10);
    frame.render_widget(Clear, r);
    let steps = form.session.trail.len();
    let block = Block::bordered().title(Span::styled(
        format!(" Resume the saved walk ({steps} steps) "),
        theme.title(),
    ));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let [why, prompt, field, _, hint] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(
            "Secrets are never saved. Type it again and the walk comes back with every step, so b goes back through them.",
        )
        .wrap(Wrap { trim: true }),
        why,
    );
    let done = form.total - form.asking.len();
    let asked = form
        .asking
        .first()
        .map_or_else(String::new, |(_, p)| crate::sanitize::text(p).into_owned());
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(asked, theme.title()),
            Span::styled(format!("  ({} of {})", done + 1, form.total), theme.dim()),
        ])),
        prompt,
    );
    super::draw_field(frame, field, &form.field, "> ", true);
    let hint_line = match &form.error {
        Some(e) => Line::from(Span::styled(
            format!("✘ {}", super::shown(e)),
            theme.error(),
        )),
        None => Line::from(Span::styled(
            "masked · Ctrl+R shows it · Enter resumes · Esc starts a new walk",
            theme.dim(),
        )),
    };
    frame.render_widget(Paragraph::new(hint_line).wrap(Wrap { trim: true }), hint);
}
