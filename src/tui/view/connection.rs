//! The connection options box.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::tui::app::{ConnectionField, ConnectionForm};
use crate::tui::theme::Theme;

/// Width of the labels column.
const LABEL: u16 = 36;

pub(super) fn draw(form: &ConnectionForm, frame: &mut Frame, area: Rect, theme: Theme) {
    let r = super::centered(area, 100, 12);
    frame.render_widget(Clear, r);
    let block = Block::bordered().title(Span::styled(
        " Connection options, as in curl (Enter applies, Esc cancels) ",
        theme.title(),
    ));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    for (i, f) in ConnectionField::ALL.iter().enumerate() {
        let y = inner.y + i as u16;
        if y >= inner.bottom() {
            return;
        }
        let focused = form.focus == *f;
        let marker = if focused { "› " } else { "  " };
        let label = Rect {
            y,
            height: 1,
            width: LABEL.min(inner.width),
            ..inner
        };
        let label_style = if focused {
            theme.selected()
        } else {
            ratatui::style::Style::new()
        };
        frame.render_widget(
            Paragraph::new(Span::styled(format!("{marker}{}", f.label()), label_style)),
            label,
        );
        let value = Rect {
            x: inner.x + label.width,
            y,
            height: 1,
            width: inner.width.saturating_sub(label.width),
        };
        match form.field(*f) {
            None => {
                let on = if form.insecure {
                    Span::styled("[x] on: every output says so", theme.error())
                } else {
                    Span::raw("[ ] off")
                };
                frame.render_widget(Paragraph::new(on), value);
            }
            Some(field) if field.is_empty() && !focused => {
                // The example is cut where it does not fit (the focused field's line below
                // has it whole), never the format.
                let hint = f.hint();
                let hint = if hint.chars().count() > usize::from(value.width) {
                    hint.split(", e.g.").next().unwrap_or(hint)
                } else {
                    hint
                };
                frame.render_widget(Paragraph::new(Span::styled(hint, theme.dim())), value);
            }
            Some(field) => super::draw_field(frame, value, field, "> ", focused),
        }
    }
    let rest = Rect {
        y: inner.y + 6,
        height: inner.height.saturating_sub(6),
        ..inner
    };
    let mut lines = vec![Line::from(Span::styled(
        format!("{}: {}", form.focus.label(), form.focus.hint()),
        theme.dim(),
    ))];
    lines.push(match &form.error {
        Some(e) => Line::from(Span::styled(format!("✘ {}", super::shown(e)), theme.error())),
        None => Line::from(Span::styled(
            "↑↓ or Tab moves (Tab completes a CA file path) · Space switches -k · several entries: separate them with spaces",
            theme.dim(),
        )),
    });
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), rest);
}
