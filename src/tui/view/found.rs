//! "Found so far": what every check and answer of the walk points to, most likely first,
//! ranked with the same function as `check` and the ticket.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

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
    let title =
        crate::diagnose::cause(&hit.id).map_or_else(|| shown(&hit.id), |c| c.title.to_owned());
    let pct = (hit.confidence * 100.0).round();
    let head = format!("{} {pct:>3}% ", v.icon());
    // The id first: it is what the ticket, `check` and the docs call the cause.
    let remark = if hit.remark {
        " (remark: true, but not why it failed)"
    } else {
        ""
    };
    // A resumed session file is handed around: even its cause ids are shown, never emitted.
    let mut rest = format!("{} — {title}{remark}", shown(&hit.id));
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
            " {name}: {FOUND_SHOWN} of {} · e shows all in full ",
            causes.len()
        )
    } else if causes.is_empty() {
        format!(" {name} ")
    } else {
        format!(" {name} · e shows them in full ")
    };
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(Span::styled(title, theme.title()))),
        area,
    );
}

/// Every cause of the walk in full, most likely first: how sure, the plain words, every piece
/// of evidence and the fix (the panel has room for one line each). Evidence is stranger text:
/// it passes the walk's redactor (the secrets typed) and the sanitiser.
pub(super) fn draw_all(
    app: &crate::tui::app::App,
    at: u16,
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    let Some(engine) = &app.engine else { return };
    let session = engine.session();
    let redactor = crate::report::session_redactor(session);
    let causes = session.ranked_causes();
    let mut lines: Vec<Line> = Vec::new();
    if causes.is_empty() {
        lines.push(Line::from(
            "Nothing found yet: the checks so far point to no cause.",
        ));
    }
    for (i, hit) in causes.iter().enumerate() {
        if i > 0 {
            lines.push(Line::from(""));
        }
        let v = verdict_of(hit);
        let cause = crate::diagnose::cause(&hit.id);
        let title = cause.map_or_else(|| shown(&hit.id), |c| c.title.to_owned());
        let remark = if hit.remark {
            " (remark: true, but not why it failed)"
        } else {
            ""
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} {:>3.0}% ", v.icon(), hit.confidence * 100.0),
                theme.verdict(v),
            ),
            Span::styled(shown(&hit.id), theme.title()),
            Span::raw(format!(" — {title}{remark}")),
        ]));
        for e in hit.evidence.iter().filter(|e| !e.is_empty()) {
            lines.push(Line::from(format!(
                "   evidence: {}",
                shown(&redactor.redact(e))
            )));
        }
        if let Some(c) = cause {
            lines.push(Line::from(Span::styled(
                format!("   fix: {}", c.fix),
                theme.dim(),
            )));
        }
    }
    // The whole width between the header and the footer: a margin would show pieces of the
    // step's boxes beside it.
    let r = super::centered(area, area.width, area.height.saturating_sub(2));
    frame.render_widget(Clear, r);
    let block = Block::bordered()
        .title(Span::styled(
            " Everything found, most likely first ",
            theme.title(),
        ))
        .title_bottom(Line::from(Span::styled(
            " ↑↓ PgUp PgDn scroll · any other key closes ",
            theme.dim(),
        )));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((at, 0)),
        r,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cause id from a resumed session file (not in the catalogue) is shown, not emitted.
    #[test]
    fn an_unknown_cause_id_is_shown_not_emitted() {
        let hit = CauseHit {
            id: "x\u{202E}\x1b]0;t\x07".to_owned(),
            confidence: 0.5,
            evidence: vec!["e\u{9b}2J".to_owned()],
            remark: false,
        };
        let line = cause_line(&hit, 200, Theme::new(true));
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        assert!(crate::sanitize::is_clean(&text), "{text:?}");
        assert!(text.contains("x<U+202E>\\x1b]0;t\\x07"), "{text}");
    }
}
