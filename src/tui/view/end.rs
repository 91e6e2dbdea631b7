//! The end screen: how the walk ended and the ticket, ready to copy or save.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::footer;
use crate::flow::{Outcome, Session};
use crate::probe::Verdict;
use crate::report::TicketFormat;
use crate::tui::app::App;
use crate::tui::theme::Theme;

pub(super) fn draw(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let Some(engine) = &app.engine else { return };
    let session = engine.session();
    let [head, outcome, ticket, foot] = crate::tui::layout::end_areas(area);
    super::walk_header(
        frame,
        head,
        theme,
        [
            &super::flow_title(app, engine, &session.flow),
            &format!("{} steps", session.trail.len()),
        ],
        app.url().unwrap_or_default(),
        &super::ticket_tag(app),
    );
    let (icon, verdict, what) = outcome_line(app, session);
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
        Paragraph::new(crate::sanitize::text(&app.end.preview).into_owned())
            .scroll((app.end.scroll, 0))
            .wrap(Wrap { trim: false })
            .block(
                Block::bordered().title(format!(" Ticket (c and s give {format}) · ↑↓ scroll ")),
            ),
        ticket,
    );
    footer(
        frame,
        foot,
        theme,
        app,
        &[
            ("r", "re-test"),
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

/// The outcome as icon, verdict and one sentence: `resolved` only after a passing re-test.
fn outcome_line(app: &App, session: &Session) -> (&'static str, Verdict, String) {
    let top = session.ranked_causes().into_iter().next().map(|c| {
        let id = super::shown(&c.id);
        let title =
            crate::diagnose::cause(&c.id).map_or_else(|| id.clone(), |x| x.title.to_owned());
        format!("{id} ({title})")
    });
    let retest = session.verification.as_ref();
    let last = retest.map_or_else(String::new, |v| {
        format!(" Last re-test: {}.", super::shown(&v.answer))
    });
    if app.retesting() {
        return (
            "…",
            Verdict::Info,
            "Re-testing the original request…".to_owned(),
        );
    }
    match session.outcome() {
        Outcome::Stopped => (
            "✘",
            Verdict::Fail,
            format!(
                "The walk stopped: {}",
                session.error.clone().unwrap_or_default()
            ),
        ),
        Outcome::Resolved => (
            "✔",
            Verdict::Ok,
            format!(
                "Resolved: the re-test got {} without 401. Keep the ticket for the record.",
                retest.map_or_else(String::new, |v| super::shown(&v.answer))
            ),
        ),
        Outcome::Diagnosed if session.retest_cannot_tell() => {
            // The re-test's 401 is said in the first words; it fits three lines at 80 columns.
            let said = "Not confirmed: the re-test had no credentials and got 401, as anyone \
                        without them does here, so it cannot see what works for you now. To \
                        confirm, go back (b) to a step that tests your password, token or cookie."
                .to_owned();
            let said = if app.agent {
                crate::flow::agent::line(&said)
            } else {
                said
            };
            ("⚠", Verdict::Warn, said)
        }
        Outcome::Diagnosed => (
            "⚠",
            Verdict::Warn,
            match top {
                Some(cause) => {
                    format!("Diagnosed: {cause} — apply the fix, then press r to re-test.{last}")
                }
                None => format!(
                    "No cause named yet and not re-tested as working: press r to re-test.{last}"
                ),
            },
        ),
        Outcome::Escalate | Outcome::Unfinished => (
            "⚠",
            Verdict::Warn,
            format!("Someone else must act: send them this ticket.{last}"),
        ),
    }
}
