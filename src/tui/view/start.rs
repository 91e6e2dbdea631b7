//! The start screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{draw_field, footer, header};
use crate::tui::app::{App, StartFocus};
use crate::tui::layout::{inner, start_areas};
use crate::tui::theme::Theme;

fn boxed(title: &str, focused: bool, theme: Theme) -> Block<'static> {
    let marker = if focused { "▶ " } else { "" };
    let block = Block::bordered().title(format!(" {marker}{title} "));
    if focused {
        block.border_style(theme.focus())
    } else {
        block
    }
}

pub(super) fn draw(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let a = start_areas(app, area);
    let mode = if app.agent { "help-desk mode" } else { "" };
    header(
        frame,
        a.header,
        theme,
        &["find out why a request gets 401".into(), mode.into()],
    );
    frame.render_widget(
        Paragraph::new(if app.agent {
            "Give the address the caller gets 401 Unauthorized from, then pick who the caller \
             is. Each step runs real checks against the address and tells you what to ask the \
             caller; the ticket at the end is for your help desk."
        } else {
            "Give the address that answers 401 Unauthorized, then say who you are. Each step \
             runs real checks against the address and ends with a ticket you can send."
        })
        .wrap(Wrap { trim: true }),
        a.intro,
    );
    let f = &app.start;
    let url_block = boxed("Address (URL)", f.focus == StartFocus::Url, theme);
    frame.render_widget(url_block, a.url);
    let url_line = inner(a.url);
    if f.url.is_empty() && f.focus != StartFocus::Url {
        frame.render_widget(
            Paragraph::new("(none yet: press Tab or u to type it, or the first step asks)")
                .style(theme.dim()),
            url_line,
        );
    } else {
        draw_field(frame, url_line, &f.url, "", f.focus == StartFocus::Url);
    }
    if let Some(agent) = a.agent {
        let focused = matches!(f.focus, StartFocus::TicketId | StartFocus::Reporter);
        frame.render_widget(boxed("Help-desk ticket", focused, theme), agent);
        let rows = inner(agent);
        let id_row = Rect { height: 1, ..rows };
        let rep_row = Rect {
            y: rows.y + 1,
            height: 1,
            ..rows
        };
        draw_field(
            frame,
            id_row,
            &f.ticket_id,
            "Ticket id: ",
            f.focus == StartFocus::TicketId,
        );
        draw_field(
            frame,
            rep_row,
            &f.reporter,
            "Reporter:  ",
            f.focus == StartFocus::Reporter,
        );
    }
    let roles_title = if app.agent {
        "Who is the caller? (pick the flow)"
    } else {
        "Who are you?"
    };
    let focused = f.focus == StartFocus::Roles;
    let lines: Vec<Line> = app
        .role_labels()
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let current = i == f.role;
            let marker = if current && focused { "› " } else { "  " };
            let text = format!("{marker}{}. {label}", i + 1);
            if current && focused {
                Line::from(Span::styled(text, theme.selected()))
            } else {
                Line::from(text)
            }
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(boxed(roles_title, focused, theme)),
        a.roles,
    );
    if let Some(err) = &f.error {
        frame.render_widget(
            Paragraph::new(format!("✘ {}", super::shown(err)))
                .style(theme.error())
                .wrap(Wrap { trim: true }),
            a.message,
        );
    }
    let keys: &[(&str, &str)] = if focused {
        &[
            ("↑↓", "move"),
            ("Enter", "start"),
            ("Tab", "fields"),
            ("o", "connection"),
            ("?", "help"),
            ("q", "quit"),
        ]
    } else {
        &[
            ("Enter/Tab", "next"),
            ("Ctrl+U", "clear"),
            ("Esc", "to the list"),
            ("Ctrl+C", "quit"),
        ]
    };
    footer(frame, a.footer, theme, app, keys);
}
