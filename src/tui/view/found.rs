//! "Found so far": what every check and answer of the walk points to, most likely first,
//! ranked with the same function as `check` and the ticket.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::shown;
use crate::diagnose::CauseHit;
use crate::probe::Verdict;
use crate::tui::layout::{FOUND_SHOWN, inner};
use crate::tui::theme::Theme;

/// How sure a cause is, as the verdict its line is drawn with.
pub(super) fn verdict_of(hit: &CauseHit) -> Verdict {
    if hit.remark || hit.id == "not-a-401" {
        Verdict::Info
    } else if hit.confidence >= 0.7 {
        Verdict::Fail
    } else {
        Verdict::Warn
    }
}

/// One line for a cause: confidence, plain words, id, first evidence.
pub(super) fn cause_line(hit: &CauseHit, width: usize, theme: Theme) -> Line<'static> {
    let v = verdict_of(hit);
    let title = crate::diagnose::cause(&hit.id).map_or(hit.id.as_str(), |c| c.title);
    let pct = (hit.confidence * 100.0).round();
    let head = format!("{} {pct:>3}% ", v.icon());
    // The id first: it is what the ticket, `check` and the docs call the cause.
    let remark = if hit.remark {
        " (remark: true, but not why it failed)"
    } else {
        ""
    };
    let mut rest = format!("{} — {title}{remark}", hit.id);
    if let Some(e) = hit.evidence.first().filter(|e| !e.is_empty()) {
        rest.push_str(" · ");
        rest.push_str(&shown(e));
    }
    let room = width.saturating_sub(head.chars().count());
    Line::from(vec![
        Span::styled(head, theme.verdict(v)),
        Span::raw(super::clip(&rest, room)),
    ])
}

/// Draws the ranked causes; `battery` (this step ran the whole check battery) titles them
/// "Problems found", as a troubleshooter's first scan does.
pub(super) fn draw(
    causes: &[CauseHit],
    battery: bool,
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    let width = usize::from(inner(area).width);
    let lines: Vec<Line> = causes
        .iter()
        .take(FOUND_SHOWN)
        .map(|c| cause_line(c, width, theme))
        .collect();
    let name = if battery {
        "Problems found"
    } else {
        "Found so far"
    };
    let title = if causes.len() > FOUND_SHOWN {
        format!(
            " {name}: {FOUND_SHOWN} of {}, all in the ticket ",
            causes.len()
        )
    } else {
        format!(" {name} ")
    };
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(Span::styled(title, theme.title()))),
        area,
    );
}
