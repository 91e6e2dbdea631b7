//! The end screen: how the walk ended and the ticket, ready to copy or save.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{footer, header};
use crate::cli::TicketFormat;
use crate::flow::EndKind;
use crate::tui::app::App;
use crate::tui::theme::Theme;

pub(super) fn draw(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let Some(engine) = &app.engine else { return };
    let session = engine.session();
    let [head, outcome, ticket, foot] = crate::tui::layout::end_areas(area);
    header(
        frame,
        head,
        theme,
        &[
            session.flow.clone(),
            format!("{} steps", session.trail.len()),
            app.url().unwrap_or_default().to_owned(),
            super::ticket_tag(app),
        ],
    );
    let (icon, verdict, what) = match (&session.error, session.ended) {
        (Some(e), _) => (
            "✘",
            crate::probe::Verdict::Fail,
            format!("The walk stopped: {e}"),
        ),
        (None, Some(EndKind::Resolved)) => (
            "✔",
            crate::probe::Verdict::Ok,
            "Resolved: access works again. Keep the ticket for the record.".to_owned(),
        ),
        (None, _) => (
            "⚠",
            crate::probe::Verdict::Warn,
            "Someone else must act: send them this ticket.".to_owned(),
        ),
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(
                format!("{icon} {} ", verdict.label()),
                theme.verdict(verdict),
            ),
            Span::raw(what),
        ]))
        .wrap(Wrap { trim: true }),
        outcome,
    );
    let format = match app.end.format {
        TicketFormat::Md => "markdown",
        TicketFormat::Text => "text",
        TicketFormat::Json => "json",
    };
    frame.render_widget(
        Paragraph::new(app.end.ticket.as_str())
            .scroll((app.end.scroll, 0))
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(format!(" Ticket ({format}) · ↑↓ scroll "))),
        ticket,
    );
    footer(
        frame,
        foot,
        theme,
        app,
        &[
            ("c", "copy"),
            ("s", "save"),
            ("f", "format"),
            ("b", "back"),
            ("n", "note"),
            ("?", "help"),
            ("q", "quit"),
        ],
    );
}
