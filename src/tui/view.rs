//! `view`: draws the state. It decides nothing; where things go comes from `layout`.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::app::{App, Overlay, Screen};
use super::layout::{MIN_HEIGHT, MIN_WIDTH, too_small};
use super::theme::Theme;

mod connection;
mod end;
mod found;
mod resume;
mod start;
mod step;

/// The title of flow `id` as the header shows it (the id when the flow is not known); in
/// help-desk mode it speaks of the caller, as the step's text does.
pub(super) fn flow_title(app: &App, engine: &crate::flow::Engine, id: &str) -> String {
    let title = engine
        .flows()
        .get(id)
        .map_or_else(|| id.to_owned(), |f| f.flow.title.clone());
    if app.agent {
        crate::flow::agent::line(&title)
    } else {
        title
    }
}

/// Spinner frames: one every 100 ms while a probe runs.
const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn view(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if too_small(area) {
        draw_too_small(app, frame, area);
        return;
    }
    let theme = Theme::new(app.options.monochrome);
    match app.screen {
        // A resumed walk asking for its secrets shows only that.
        Screen::Start if app.resume.is_some() => resume::draw_screen(app, frame, area, theme),
        Screen::Start => start::draw(app, frame, area, theme),
        Screen::Step => step::draw(app, frame, area, theme),
        Screen::End => end::draw(app, frame, area, theme),
    }
    match &app.overlay {
        Some(Overlay::Help) => draw_help(app, frame, area, theme),
        Some(Overlay::Findings(at)) => found::draw_all(app, *at, frame, area, theme),
        Some(Overlay::ConfirmQuit) => draw_confirm_quit(app, frame, area, theme),
        Some(Overlay::Connection(form)) => connection::draw(form, frame, area, theme),
        Some(Overlay::Note(field)) => {
            let r = centered(area, 70, 5);
            frame.render_widget(Clear, r);
            let block = Block::bordered().title(" Note for this step (Enter keeps it, Esc drops) ");
            let inner = block.inner(r);
            frame.render_widget(block, r);
            let [line, hint] =
                Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(inner);
            draw_field(frame, line, field, "> ", true);
            frame.render_widget(
                Paragraph::new("What the caller said or tried; it goes in the ticket.")
                    .style(theme.dim()),
                hint,
            );
        }
        None => {}
    }
}

fn draw_too_small(app: &App, frame: &mut Frame, area: Rect) {
    let last = if app.overlay == Some(Overlay::ConfirmQuit) {
        if app.options.save_session.is_some() {
            "Quit? y: yes (session saved), other keys stay"
        } else {
            "Quit? y: yes, s: save session, other keys stay"
        }
    } else {
        "enlarge it, q quits"
    };
    let text = vec![
        Line::from("Terminal too small"),
        Line::from(format!(
            "{}x{}, needs {MIN_WIDTH}x{MIN_HEIGHT}",
            area.width, area.height
        )),
        Line::from(last),
    ];
    // Each line takes as many rows as it wraps to, so the last one is never cut off.
    let width = usize::from(area.width.max(1));
    let rows: usize = text.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
    let h = u16::try_from(rows).unwrap_or(u16::MAX).min(area.height);
    let [mid] = Layout::vertical([Constraint::Length(h)])
        .flex(Flex::Center)
        .areas(area);
    frame.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        mid,
    );
}

/// Text a stranger controls, made safe for the terminal: control characters and bidi
/// overrides are shown as visible escapes, never emitted (the one sanitiser).
pub(crate) fn shown(text: &str) -> String {
    crate::sanitize::line(text).into_owned()
}

/// `text` cut to `width` characters, with an ellipsis when cut.
pub(super) fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `text` cut to `width` characters in the middle, so both ends of an address stay.
pub(super) fn elide_middle(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width || width < 5 {
        return text.to_owned();
    }
    let keep = width - 1;
    let head = keep.div_ceil(2);
    let tail = keep - head;
    let mut out: String = text.chars().take(head).collect();
    out.push('…');
    out.extend(text.chars().skip(count - tail));
    out
}

/// A rectangle of at most `w`x`h` in the middle of `area`.
pub(super) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let [col] = Layout::horizontal([Constraint::Length(w.min(area.width))])
        .flex(Flex::Center)
        .areas(area);
    let [r] = Layout::vertical([Constraint::Length(h.min(area.height))])
        .flex(Flex::Center)
        .areas(col);
    r
}

/// Draws a one-line field; with `focused`, places the terminal cursor in it.
pub(super) fn draw_field(
    frame: &mut Frame,
    area: Rect,
    field: &super::field::LineEdit,
    prefix: &str,
    focused: bool,
) {
    let room = usize::from(area.width).saturating_sub(prefix.chars().count());
    let (visible, cursor) = field.window(room);
    frame.render_widget(Paragraph::new(format!("{prefix}{visible}")), area);
    if focused {
        let x = area.x + (prefix.chars().count() + cursor) as u16;
        frame.set_cursor_position((x.min(area.right().saturating_sub(1)), area.y));
    }
}

/// The header line of a walk: `parts` with the address elided in the middle to the room left,
/// so both its host and the end of its path stay readable.
pub(super) fn walk_header(
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
    parts: [&str; 2],
    url: &str,
    tag: &str,
) {
    const URL_MIN: usize = 16;
    const TITLE_MIN: usize = 12;
    const TITLE_KEEP: usize = 24;
    let width = usize::from(area.width);
    let others: usize = ["why401", parts[1], tag]
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.chars().count() + 3)
        .sum();
    // The address first: whole when it fits (the title takes what is left, or is left out
    // when only a few letters would show); a long address is elided in the middle and the
    // title keeps a readable start.
    let avail = width.saturating_sub(others + 3);
    let url_len = url.chars().count();
    let title_room = if url_len <= avail {
        avail.saturating_sub(url_len + 3)
    } else {
        avail.saturating_sub(avail.saturating_sub(TITLE_KEEP + 3).max(URL_MIN) + 3)
    };
    let title = if title_room >= TITLE_MIN {
        clip(parts[0], title_room)
    } else {
        String::new()
    };
    let used = others
        + if title.is_empty() {
            0
        } else {
            title.chars().count() + 3
        };
    let room = width.saturating_sub(used + 3).max(12);
    header(
        frame,
        area,
        theme,
        &[
            title,
            parts[1].to_owned(),
            elide_middle(url, room),
            tag.to_owned(),
        ],
    );
}

/// The header line: what the walk is about.
pub(super) fn header(frame: &mut Frame, area: Rect, theme: Theme, parts: &[String]) {
    let mut spans = vec![Span::styled("why401", theme.title())];
    for p in parts.iter().filter(|p| !p.is_empty()) {
        spans.push(Span::styled(" · ", theme.dim()));
        spans.push(Span::raw(shown(p)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The footer: what just happened, or the keys that work here.
pub(super) fn footer(
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
    app: &App,
    keys: &[(&str, &str)],
) {
    let line = match &app.status {
        // A status may quote what came back (an error, a path): shown, never emitted.
        Some(s) => Line::from(Span::styled(shown(s), theme.title())),
        None => key_hints(theme, keys),
    };
    frame.render_widget(Paragraph::new(line), area);
}

pub(super) fn key_hints(theme: Theme, keys: &[(&str, &str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, (k, what)) in keys.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled((*k).to_owned(), theme.key()));
        spans.push(Span::raw(format!(" {what}")));
    }
    Line::from(spans)
}

/// "ticket HD-1 · for Sam" in help-desk mode, for the header.
pub(super) fn ticket_tag(app: &App) -> String {
    let Some(answers) = app.engine.as_ref().map(|e| &e.session().answers) else {
        return String::new();
    };
    let parts: Vec<String> = [("ticket_id", "ticket "), ("reporter", "for ")]
        .iter()
        .filter_map(|(id, label)| answers.get(*id).map(|v| format!("{label}{v}")))
        .collect();
    parts.join(" · ")
}

pub(super) fn spinner(app: &App) -> &'static str {
    SPINNER[(app.now.as_millis() / 100) as usize % SPINNER.len()]
}

/// Every key, for the help overlay.
const HELP: &[(&str, &str)] = &[
    (
        "↑ ↓  j k",
        "move between choices (scroll on the end screen)",
    ),
    ("Enter", "choose / confirm the input"),
    ("1-9", "choose by number"),
    ("mouse", "click a choice to take it; wheel scrolls"),
    ("PgUp PgDn", "scroll the step's text or the ticket"),
    ("b", "back: undo the last answer or choice"),
    (
        "r",
        "re-run the step's checks; end screen: re-test the request",
    ),
    ("Esc", "cancel running probes (in a field: go back)"),
    ("n", "add a note to this step (goes in the ticket)"),
    ("e", "every finding in full: evidence, how sure, the fix"),
    (
        "o Ctrl+O",
        "connection: CA file, -k, --resolve, --connect-to, proxy",
    ),
    ("Ctrl+R", "show or hide a secret while typing it"),
    ("Ctrl+U", "clear the field"),
    ("Tab", "next field on the start screen"),
    ("c  s  f", "end screen: copy, save, switch ticket format"),
    ("? F1", "this help"),
    ("q", "quit (asks; offers to save the session)"),
    ("Ctrl+C", "quit at once (saves with --save-session)"),
];

fn draw_help(_app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let r = centered(area, 72, HELP.len() as u16 + 2);
    frame.render_widget(Clear, r);
    let lines: Vec<Line> = HELP
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!("{k:<11}"), theme.key()),
                Span::raw((*what).to_owned()),
            ])
        })
        .collect();
    let block = Block::bordered()
        .title(" Keys ")
        .title_bottom(Line::from(Span::styled(
            " any key closes this help ",
            theme.dim(),
        )));
    frame.render_widget(Paragraph::new(lines).block(block), r);
}

fn draw_confirm_quit(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let r = centered(area, 64, 8);
    frame.render_widget(Clear, r);
    let target = app.options.save_session.as_ref().map_or_else(
        || "why401-session-<time>.json here".to_owned(),
        |p| p.display().to_string(),
    );
    let lines = vec![
        Line::from("Leave the wizard?"),
        Line::from(""),
        key_hints(theme, &[("s", "save the session, then quit")]),
        Line::from(Span::styled(format!("  to {target}"), theme.dim())),
        Line::from(Span::styled(
            "  (secrets are written as fingerprints only)",
            theme.dim(),
        )),
        key_hints(
            theme,
            &[
                (
                    "y",
                    if app.options.save_session.is_some() {
                        "quit (--save-session saves it anyway)"
                    } else {
                        "quit without saving"
                    },
                ),
                ("other keys", "stay"),
            ],
        ),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" Quit ")),
        r,
    );
}

#[cfg(test)]
mod tests {
    use ratatui::{Terminal, backend::TestBackend, layout::Rect};

    /// What the views rely on besides [`shown`]: ratatui never puts a control or a zero-width
    /// format character (ESC, C1, U+202E …) into a cell, even from text no view sanitised, so a
    /// forgotten `shown` loses those characters but cannot reach the terminal with them.
    #[test]
    fn ratatui_keeps_controls_and_bidi_characters_out_of_every_cell() {
        let area = ratatui::layout::Rect::new(0, 0, 40, 2);
        let text = "a\u{202E}exe.pdf \x1b]52;c;x\x07 \u{9b}2J \u{2066}b\u{200F}";
        for wrap in [false, true] {
            let mut buf = ratatui::buffer::Buffer::empty(area);
            let p = ratatui::widgets::Paragraph::new(text);
            let p = if wrap {
                p.wrap(ratatui::widgets::Wrap { trim: false })
            } else {
                p
            };
            ratatui::widgets::Widget::render(p, area, &mut buf);
            buf.set_string(0, 1, text, ratatui::style::Style::new());
            for cell in &buf.content {
                assert!(
                    !cell.symbol().chars().any(crate::sanitize::needs_escape),
                    "{:?}",
                    cell.symbol()
                );
            }
        }
    }

    fn header_at(width: u16, title: &str, url: &str, tag: &str) -> String {
        let mut term = Terminal::new(TestBackend::new(width, 1)).unwrap_or_else(|_| unreachable!());
        term.draw(|f| {
            super::walk_header(
                f,
                Rect::new(0, 0, width, 1),
                super::Theme::new(true),
                [title, "step 2"],
                url,
                tag,
            );
        })
        .unwrap_or_else(|_| unreachable!());
        let buf = term.backend().buffer().clone();
        buf.content()
            .iter()
            .map(ratatui::buffer::Cell::symbol)
            .collect::<String>()
    }

    /// The address is what the walk is about: whole when it fits, the title giving way
    /// (left out rather than cut to a stub like "The caller'…"); a long one elided in the
    /// middle with the title's start kept.
    #[test]
    fn the_address_wins_over_the_title() {
        let title = "The caller's code calls an API and gets 401 Unauthorized";
        let url = "http://127.0.0.1:18490/v1/orders";
        let tag = "ticket HD-1234 · for Bob Caller";
        let h = header_at(100, title, url, tag);
        assert!(h.contains(url) && h.contains(tag), "{h}");
        assert!(!h.contains("The caller'…"), "{h}");
        let h = header_at(140, title, url, tag);
        assert!(
            h.contains(url) && h.contains("The caller's code calls"),
            "{h}"
        );
        let long = format!("https://api.example.test/{}/end", "segment/".repeat(20));
        let h = header_at(100, title, &long, "");
        assert!(h.contains("The caller's code") && h.contains("/end"), "{h}");
    }
}
