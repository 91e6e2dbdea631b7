//! The step screen: header, trail, the step's text, its probes, and the choices or input.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{clip, draw_field, footer, spinner};
use crate::flow::{Engine, Phase, Step};
use crate::probe::{FactValue, ProbeReport, Verdict};
use crate::tui::app::App;
use crate::tui::layout::{choices_area, choices_offset, inner, step_areas};
use crate::tui::theme::Theme;

/// Facts worth a glance, in the order shown; the rest are in the ticket.
const KEY_FACTS: &[(&str, &str)] = &[
    ("status", "status"),
    ("challenge.scheme", "scheme"),
    ("challenge.realm", "realm"),
    ("error.class", "error"),
    ("expired", "expired"),
    ("expires_in_s", "expires in (s)"),
    ("exp", "exp"),
    ("offset_s", "clock offset (s)"),
    ("kid", "kid"),
    ("location", "location"),
    ("lines", "lines"),
    ("status_401", "401s"),
    ("top_reason", "top reason"),
    ("bursts", "bursts"),
];

pub(super) fn draw(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let Some(engine) = &app.engine else { return };
    let a = step_areas(app, area);
    let session = engine.session();
    let flow_title = super::flow_title(app, engine, &session.current.flow);
    super::walk_header(
        frame,
        a.header,
        theme,
        [&flow_title, &format!("step {}", session.trail.len())],
        app.url().unwrap_or_default(),
        &super::ticket_tag(app),
    );
    if let Some(r) = a.breadcrumb {
        frame.render_widget(Paragraph::new(breadcrumb(app, r.width)), r);
    }
    if let Some(r) = a.trail {
        draw_trail(app, frame, r, theme);
    }
    if let Some(r) = a.found {
        let battery = session.trail.last().is_some_and(|s| {
            s.reports
                .iter()
                .any(|r| r.kind == crate::probe::battery::NAME)
        });
        super::found::draw(&session.ranked_causes(), battery, frame, r, theme);
    }
    let node = engine.node();
    let body = crate::tui::layout::body_text(app);
    let body = if body.trim().is_empty() {
        Text::styled("(see the checks and choices below)", theme.dim())
    } else {
        // Filled from facts a server chose (a realm, a header): shown, never emitted.
        Text::raw(crate::sanitize::text(&body).into_owned())
    };
    frame.render_widget(
        Paragraph::new(body)
            .wrap(Wrap { trim: false })
            .scroll((app.step.body_scroll, 0))
            .block(body_block(app, area, &app.say(&node.title), theme)),
        a.body,
    );
    if let Some(r) = a.probes {
        draw_probes(app, frame, r, theme);
    }
    if engine.phase() == Phase::Inputs {
        draw_input(app, engine, frame, a.bottom, theme);
    } else {
        draw_choices(app, engine, frame, a.bottom, theme);
    }
    // When the site could not be reached, the connection options are the way on.
    let unreachable = engine.session().trail.last().is_some_and(|s| {
        s.reports
            .iter()
            .any(|r| r.facts.get("responded") == Some(&crate::probe::FactValue::Bool(false)))
    });
    let keys: &[(&str, &str)] = match (engine.phase(), app.running.is_some(), unreachable) {
        (Phase::Review, false, false) => &[
            ("Enter", "go on"),
            ("b", "back"),
            ("r", "re-run"),
            ("e", "evidence"),
            ("n", "note"),
            ("?", "help"),
            ("q", "quit"),
        ],
        (Phase::Review, false, true) => &[
            ("Enter", "go on"),
            ("b", "back"),
            ("o", "connection options"),
            ("r", "re-run"),
            ("q", "quit"),
        ],
        // Reveal only where something is masked; Tab only where it completes.
        (Phase::Inputs, _, _) if app.step.field.secret => &[
            ("Enter", "confirm"),
            ("Ctrl+R", "reveal"),
            ("Esc", "back"),
            ("F1", "help"),
            ("Ctrl+C", "quit"),
        ],
        (Phase::Inputs, _, _) if asks_path(app, engine) => &[
            ("Enter", "confirm"),
            ("Tab", "complete path"),
            ("Esc", "back"),
            ("F1", "help"),
            ("Ctrl+C", "quit"),
        ],
        (Phase::Inputs, _, _) => &[
            ("Enter", "confirm"),
            ("Esc", "back"),
            ("F1", "help"),
            ("Ctrl+C", "quit"),
        ],
        (_, true, _) => &[
            ("Esc", "cancel probes"),
            ("b", "back"),
            ("n", "note"),
            ("?", "help"),
            ("q", "quit"),
        ],
        (_, false, true) => &[
            ("↑↓", "move"),
            ("Enter", "choose"),
            ("b", "back"),
            ("o", "connection options"),
            ("r", "re-run"),
            ("q", "quit"),
        ],
        _ => &[
            ("↑↓", "move"),
            ("Enter", "choose"),
            ("b", "back"),
            ("r", "re-run"),
            ("n", "note"),
            ("?", "help"),
            ("q", "quit"),
        ],
    };
    footer(frame, a.footer, theme, app, keys);
}

/// The text's box, saying when more text is below or above.
fn body_block(app: &App, area: Rect, title: &str, theme: Theme) -> Block<'static> {
    // In help-desk mode the text is for the agent to walk the caller through.
    let title = if app.agent {
        format!(" {title} · do this with the caller ")
    } else {
        format!(" {title} ")
    };
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let max = crate::tui::layout::max_scroll(app, area);
    let at = app.step.body_scroll.min(max);
    match (at > 0, at < max) {
        (false, false) => block,
        (true, false) => block.title_bottom(Span::styled(" ↑ more above (PgUp) ", theme.dim())),
        (false, true) => block.title_bottom(Span::styled(" ↓ more below (PgDn) ", theme.dim())),
        (true, true) => block.title_bottom(Span::styled(" ↑↓ more (PgUp/PgDn) ", theme.dim())),
    }
}

/// The worst verdict of a step's probes, as icon and word.
fn step_mark(step: &Step) -> Option<Verdict> {
    step.reports.iter().map(|r| r.verdict).max()
}

/// The cause ids a step found (its findings and its probes' own cause hits), once each.
fn step_causes(step: &Step) -> Vec<String> {
    // Ranked as the walk ranks one request: a generic refusal beside its exact reason (the
    // token expired) is not marked twice. A remark (true of the site, not why the request
    // failed) is not marked as found.
    let hits = step
        .findings
        .iter()
        .map(|f| crate::diagnose::CauseHit::new(&f.cause, f.confidence, f.evidence.clone()))
        .chain(
            step.reports
                .iter()
                .flat_map(|r| r.causes.iter().filter(|c| !c.remark).cloned()),
        );
    crate::diagnose::rank_request(hits)
        .into_iter()
        .map(|h| h.id)
        .collect()
}

fn mark_text(v: Option<Verdict>) -> String {
    v.map_or_else(|| "•".to_owned(), |v| format!("{} {}", v.icon(), v.label()))
}

fn breadcrumb(app: &App, width: u16) -> String {
    let Some(engine) = &app.engine else {
        return String::new();
    };
    let trail = &engine.session().trail;
    let parts: Vec<String> = trail
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if i + 1 == trail.len() && app.running.is_some() {
                format!("{} running {}", spinner(app), app.say(&s.title))
            } else if step_causes(s).is_empty() {
                format!("{} {}", mark_text(step_mark(s)), app.say(&s.title))
            } else {
                format!("{} {} ◆", mark_text(step_mark(s)), app.say(&s.title))
            }
        })
        .collect();
    let full = parts.join(" › ");
    let width = usize::from(width);
    let count = full.chars().count();
    if count <= width {
        return full;
    }
    // The latest steps matter most: cut from the front.
    let keep: String = full.chars().skip(count + 1 - width).collect();
    format!("…{keep}")
}

/// A cause found at a step, in `room` columns, indented below the step like its other
/// lines. A cause id is never cut (the longest are 31 characters): one that does not fit
/// after "◆ found" goes on a line of its own, as far in as it can.
fn found_lines(id: &str, room: usize) -> Vec<String> {
    let one = format!("    ◆ found {id}");
    if one.chars().count() <= room {
        return vec![one];
    }
    let short = format!("    ◆ {id}");
    if short.chars().count() <= room {
        return vec![short];
    }
    let pad = room.saturating_sub(id.chars().count()).min(6);
    vec!["    ◆ found".to_owned(), format!("{}{id}", " ".repeat(pad))]
}

fn draw_trail(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let Some(engine) = &app.engine else { return };
    let trail = &engine.session().trail;
    let mut lines = Vec::new();
    for (i, s) in trail.iter().enumerate() {
        let current = i + 1 == trail.len();
        let mark = if current && app.running.is_some() {
            format!("{} running", spinner(app))
        } else {
            mark_text(step_mark(s))
        };
        let style = step_mark(s).map_or_else(ratatui::style::Style::new, |v| theme.verdict(v));
        let pointer = if current { "▶ " } else { "  " };
        lines.push(Line::from(vec![
            Span::raw(pointer),
            Span::styled(mark, style),
            Span::raw(" "),
            Span::styled(
                app.say(&s.title),
                if current {
                    theme.title()
                } else {
                    ratatui::style::Style::new()
                },
            ),
        ]));
        // A choice shows as chosen; a rule's condition (`jwt.kind == "jwt"`) is for the
        // ticket, not for a person: the trail says the checks decided. A rule without a
        // condition has no reason worth a line.
        if let Some(by) = s.left_by.as_ref().filter(|b| b.as_str() != "(always)") {
            let chosen = crate::report::ticket::node_of(engine.flows(), &s.at)
                .is_some_and(|n| n.choices.iter().any(|c| &c.label == by));
            let why = if chosen {
                app.say(by)
            } else {
                "the checks decided".to_owned()
            };
            let room = usize::from(inner(area).width);
            lines.push(Line::from(Span::styled(
                clip(&format!("    → {why}"), room),
                theme.dim(),
            )));
        }
        for id in step_causes(s) {
            let room = usize::from(inner(area).width);
            for text in found_lines(&id, room) {
                lines.push(Line::from(Span::styled(
                    clip(&text, room),
                    theme.verdict(Verdict::Warn),
                )));
            }
        }
        if s.note.is_some() {
            lines.push(Line::from(Span::styled("    ✎ note", theme.dim())));
        }
    }
    let visible = usize::from(inner(area).height);
    let skip = lines.len().saturating_sub(visible);
    let lines: Vec<Line> = lines.into_iter().skip(skip).collect();
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Steps ")),
        area,
    );
}

/// The facts worth a glance. A probe kind without any of [`KEY_FACTS`] shows its first few
/// numbers and yes/no facts: those can never hold a secret, unlike text facts.
fn key_facts(r: &ProbeReport) -> String {
    let mut shown: Vec<String> = KEY_FACTS
        .iter()
        .filter_map(|(name, label)| {
            let v = r.facts.get(*name)?.to_string();
            // A value that names itself ("location /api/") is not labelled twice.
            Some(if v.starts_with(label) {
                v
            } else {
                format!("{label} {v}")
            })
        })
        .collect();
    if shown.is_empty() {
        shown = r
            .facts
            .iter()
            .filter(|(_, v)| matches!(v, FactValue::Bool(_) | FactValue::Int(_)))
            .take(4)
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
    }
    shown.join(" · ")
}

/// The lines under a finished probe: its key facts, and its timeline when it has one (the
/// logs probe draws its 401s over time as a sparkline).
fn fact_lines(r: &ProbeReport, lines: &mut Vec<Line<'static>>) {
    lines.push(Line::from(format!(
        "       {}",
        super::shown(&key_facts(r))
    )));
    if let Some(FactValue::Str(t)) = r.facts.get("timeline") {
        lines.push(Line::from(format!("       {}", super::shown(t))));
    }
}

fn draw_probes(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let mut lines: Vec<Line> = Vec::new();
    // A summary too long for the line ends in "…" (the time goes first), never cut mid-word
    // without a sign.
    let room = usize::from(area.width.saturating_sub(2));
    let done_line = |r: &ProbeReport| {
        let head = format!("{} {:<4}", r.verdict.icon(), r.verdict.label());
        let id = format!(" {}: ", r.id);
        let summary = super::shown(&r.summary);
        let mut time = format!("  ({} ms)", r.elapsed_ms);
        let used = head.chars().count() + id.chars().count();
        if used + summary.chars().count() + time.chars().count() > room {
            time.clear();
        }
        let summary = super::clip(&summary, room.saturating_sub(used));
        Line::from(vec![
            Span::styled(head, theme.verdict(r.verdict)),
            Span::styled(id, theme.title()),
            Span::raw(summary),
            Span::styled(time, theme.dim()),
        ])
    };
    if let Some(run) = app.running.as_ref().or(app.held.as_ref()) {
        let secs = app.now.saturating_sub(run.started).as_secs_f64();
        for slot in &run.slots {
            if let Some(r) = &slot.report {
                lines.push(done_line(r));
                fact_lines(r, &mut lines);
            } else {
                let what = if run.cancelling {
                    "cancelling"
                } else {
                    "running"
                };
                lines.push(Line::from(vec![
                    Span::raw(format!("{} {what} ", spinner(app))),
                    Span::styled(slot.id.clone(), theme.title()),
                    Span::raw(format!(" ({})  {secs:.1} s", slot.kind)),
                ]));
                lines.push(Line::from(Span::styled("       Esc cancels", theme.dim())));
            }
        }
    } else if let Some(step) = app.engine.as_ref().and_then(|e| e.session().trail.last()) {
        for r in &step.reports {
            lines.push(done_line(r));
            fact_lines(r, &mut lines);
        }
    }
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Checks (r re-runs) ")),
        area,
    );
}

fn draw_choices(app: &App, engine: &Engine, frame: &mut Frame, area: Rect, theme: Theme) {
    let node = engine.node();
    let suggested = engine.suggested();
    let title = match (app.agent, app.running.is_some()) {
        (true, true) => " What does the caller see? (after the checks) ",
        (true, false) => " What does the caller see? (ask, then pick) ",
        (false, true) => " What now? (after the checks) ",
        (false, false) => " What now? ",
    };
    frame.render_widget(Block::bordered().title(title), area);
    let rows = choices_area(app, area);
    let offset = choices_offset(app.step.selected, rows.height);
    let mut lines: Vec<Line> = Vec::new();
    for (i, c) in node
        .choices
        .iter()
        .enumerate()
        .skip(offset)
        .take(usize::from(rows.height))
    {
        let selected = i == app.step.selected;
        let is_suggested = suggested.as_ref().is_some_and(|(s, _)| *s == i);
        let marker = if selected { "› " } else { "  " };
        let mut spans = vec![Span::raw(format!(
            "{marker}{}. {}",
            i + 1,
            super::shown(&app.say(&c.label))
        ))];
        if is_suggested {
            spans.push(Span::styled("  ★ suggested", theme.suggested()));
        }
        let line = Line::from(spans);
        lines.push(if selected {
            line.style(theme.selected())
        } else {
            line
        });
    }
    if node.choices.is_empty() {
        let text = if engine.phase() == Phase::Review {
            "(the checks decided the next step: Enter goes on, r runs them again)"
        } else {
            "(the checks decide the next step)"
        };
        lines.push(Line::from(Span::styled(text, theme.dim())));
    }
    frame.render_widget(Paragraph::new(lines), rows);
    if let Some((_, why)) = suggested {
        let inner = inner(area);
        let used = rows.height.min(inner.height);
        let reason = Rect {
            y: inner.y + used,
            height: inner.height - used,
            ..inner
        };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("★ why: ", theme.suggested()),
                Span::raw(super::shown(&app.say(&why))),
            ]))
            .wrap(ratatui::widgets::Wrap { trim: true }),
            reason,
        );
    }
}

/// True when the step asks for a file path (Tab completes it).
fn asks_path(app: &App, engine: &Engine) -> bool {
    app.step.input.as_deref().is_some_and(|id| {
        engine
            .node()
            .inputs
            .iter()
            .any(|i| i.id == id && i.kind == crate::flow::InputKind::Path)
    })
}

fn draw_input(app: &App, engine: &Engine, frame: &mut Frame, area: Rect, theme: Theme) {
    let input = app
        .step
        .input
        .as_deref()
        .and_then(|id| engine.node().inputs.iter().find(|i| i.id == id));
    let Some(input) = input else { return };
    let optional = if input.optional { " (optional)" } else { "" };
    let block = Block::bordered().title(Span::styled(
        format!(" {}{optional} ", app.say(&input.prompt)),
        theme.title(),
    ));
    let rows = block.inner(area);
    frame.render_widget(block, area);
    let field_row = Rect { height: 1, ..rows };
    draw_field(
        frame,
        field_row,
        &app.step.field,
        "> ",
        app.overlay.is_none(),
    );
    let hint_row = Rect {
        y: rows.y + 2,
        height: 1,
        ..rows
    };
    let hint = match (
        &app.step.error,
        app.step.field.secret,
        app.step.field.revealed,
    ) {
        (Some(e), _, _) => Line::from(Span::styled(
            format!("✘ {}", super::shown(e)),
            theme.error(),
        )),
        (None, true, false) => Line::from(Span::styled(
            "masked · Ctrl+R shows it · paste works · never saved in clear",
            theme.dim(),
        )),
        (None, true, true) => Line::from(Span::styled(
            "⚠ shown in clear · Ctrl+R hides it",
            theme.error(),
        )),
        (None, false, _) if input.kind == crate::flow::InputKind::Path => Line::from(Span::styled(
            "Tab completes the path (~ is home) · Enter confirms · Esc goes back",
            theme.dim(),
        )),
        (None, false, _) => Line::from(Span::styled(
            "Enter confirms · paste works · Esc goes back",
            theme.dim(),
        )),
    };
    frame.render_widget(Paragraph::new(hint).wrap(Wrap { trim: true }), hint_row);
}

#[cfg(test)]
mod tests {
    use super::found_lines;

    #[test]
    fn every_cause_id_shows_whole_in_the_trail() {
        // The trail's box is TRAIL_WIDTH wide, two columns of it border.
        let room = usize::from(crate::tui::layout::TRAIL_WIDTH - 2);
        for cause in crate::diagnose::catalogue::CATALOGUE {
            let lines = found_lines(cause.id, room);
            assert!(lines.iter().all(|l| l.chars().count() <= room), "{lines:?}");
            assert!(
                lines.iter().any(|l| l.contains(cause.id)),
                "{} is cut: {lines:?}",
                cause.id
            );
        }
    }
}
