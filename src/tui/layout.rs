//! Where each part of a screen goes. The view draws into these areas and mouse clicks are
//! mapped back through the same functions, so a click always lands on what was drawn.

use ratatui::layout::{Constraint, Layout, Rect};

use super::app::{App, StartFocus};
use crate::flow::Phase;

/// Smallest size the wizard draws its screens at; below it a "too small" message shows.
pub(crate) const MIN_WIDTH: u16 = 80;
pub(crate) const MIN_HEIGHT: u16 = 24;
/// From this width the trail gets its own column.
pub(crate) const WIDE: u16 = 110;
pub(crate) const TRAIL_WIDTH: u16 = 34;

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// The areas of the step screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StepAreas {
    pub header: Rect,
    /// One line of recent steps, on narrow screens.
    pub breadcrumb: Option<Rect>,
    /// A column of every step, on wide screens.
    pub trail: Option<Rect>,
    pub body: Rect,
    /// "Found so far": the causes ranked from every check and answer of the walk.
    pub found: Option<Rect>,
    pub probes: Option<Rect>,
    /// Choices, or the input being asked.
    pub bottom: Rect,
    pub footer: Rect,
}

/// Causes shown in the "Found so far" panel at most.
pub(crate) const FOUND_SHOWN: usize = 3;

/// Rows of the "Found so far" box: one per cause shown, and the borders.
fn found_height(app: &App) -> u16 {
    let n = app
        .engine
        .as_ref()
        .map_or(0, |e| e.session().ranked_causes().len().min(FOUND_SHOWN));
    if n == 0 { 0 } else { n as u16 + 2 }
}

/// Rows of the checks box: two per probe, one more under a probe with a timeline, and the
/// borders.
fn probes_height(rows: usize) -> u16 {
    if rows == 0 {
        0
    } else {
        u16::try_from(rows)
            .unwrap_or(u16::MAX / 2)
            .saturating_add(2)
    }
}

/// Rows the choices or the input box needs, `width` wide with its border.
fn bottom_height(app: &App, width: u16) -> u16 {
    let Some(engine) = &app.engine else { return 3 };
    if engine.phase() == Phase::Inputs {
        return 5;
    }
    let n = engine.node().choices.len() as u16;
    n.max(1) + reason_rows(app, width.saturating_sub(2)) + 2
}

/// The line saying why a choice is suggested, as drawn below the choices.
pub(crate) fn reason_text(app: &App) -> Option<String> {
    let (_, why) = app.engine.as_ref()?.suggested()?;
    Some(format!(
        "★ why: {}",
        crate::tui::view::shown(&app.say(&why))
    ))
}

/// Rows the reason takes in `width` columns: it wraps, up to three rows.
fn reason_rows(app: &App, width: u16) -> u16 {
    reason_text(app).map_or(0, |t| wrapped_rows(&t, width).clamp(1, 3))
}

fn probe_rows(app: &App) -> usize {
    let extra = |r: &crate::probe::ProbeReport| usize::from(r.facts.contains_key("timeline"));
    match (app.running.as_ref().or(app.held.as_ref()), &app.engine) {
        (Some(run), _) => run
            .slots
            .iter()
            .map(|s| 2 + s.report.as_ref().map_or(0, extra))
            .sum(),
        (None, Some(e)) => e
            .session()
            .trail
            .last()
            .map_or(0, |s| s.reports.iter().map(|r| 2 + extra(r)).sum()),
        _ => 0,
    }
}

/// The step's text as drawn (secrets fingerprinted; in help-desk mode about the caller).
pub(crate) fn body_text(app: &App) -> String {
    let text = app
        .engine
        .as_ref()
        .map(|e| e.fill(&e.node().body, true))
        .unwrap_or_default();
    let text = if app.agent {
        crate::flow::agent::body(&text)
    } else {
        text
    };
    reflow(&text)
}

/// Joins the lines of a body's paragraphs, so the screen wraps them at its own width: flows
/// break their prose at about 100 columns, and wrapped again at 80 a sentence left one word
/// on a line of its own. A blank line, a list item, an indented or code line, and a line
/// after a colon still start a new line.
pub(crate) fn reflow(text: &str) -> String {
    // A line of its own: blank, indented, a list item, code or a command.
    let own = |line: &str| {
        line.trim().is_empty()
            || line.starts_with(char::is_whitespace)
            || line.starts_with(['-', '*', '•', '`', '$', '#', '>', '|'])
            || line
                .split_once(['.', ')'])
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    let mut out = String::with_capacity(text.len());
    let mut prev: Option<&str> = None;
    for line in text.lines() {
        match prev {
            Some(p) if !own(line) && !own(p) && !p.trim_end().ends_with(':') => {
                out.push(' ');
            }
            Some(_) => out.push('\n'),
            None => {}
        }
        out.push_str(line.trim_end());
        prev = Some(line);
    }
    out
}

#[cfg(test)]
mod reflow_tests {
    #[test]
    fn prose_joins_and_structure_stays() {
        let body = "Try your password against the site, to tell a wrong password\nfrom a browser problem.\n\nIn the location block:\n`auth_basic \"x\";`\nA relative path\nis taken from there.\n- one\n- two\n1. first\n  indented";
        assert_eq!(
            super::reflow(body),
            "Try your password against the site, to tell a wrong password from a browser problem.\n\nIn the location block:\n`auth_basic \"x\";`\nA relative path is taken from there.\n- one\n- two\n1. first\n  indented"
        );
    }
}

/// Rows `text` takes when word-wrapped at `width`, as the view's `Wrap` does it.
pub(crate) fn wrapped_rows(text: &str, width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let mut rows = 0usize;
    for line in text.lines() {
        let mut used = 0usize;
        rows += 1;
        for word in line.split(' ') {
            let len = word.chars().count();
            let need = if used == 0 { len } else { used + 1 + len };
            if need <= width {
                used = need;
            } else {
                // A word longer than the line is broken over several rows.
                rows += usize::from(used > 0) + len.saturating_sub(1) / width;
                used = len % width;
            }
        }
    }
    u16::try_from(rows).unwrap_or(u16::MAX)
}

pub(crate) fn step_areas(app: &App, area: Rect) -> StepAreas {
    let wide = area.width >= WIDE;
    let [header, rest, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let (trail, main) = if wide {
        let [t, m] =
            Layout::horizontal([Constraint::Length(TRAIL_WIDTH), Constraint::Min(0)]).areas(rest);
        (Some(t), m)
    } else {
        (None, rest)
    };
    let room = main.height.saturating_sub(u16::from(!wide));
    let found_h = found_height(app).min(room / 4);
    let probes_h = probes_height(probe_rows(app)).min(room / 3);
    let bottom_h = bottom_height(app, main.width).min(room.saturating_sub(found_h + probes_h + 5));
    let wanted = wrapped_rows(&body_text(app), main.width.saturating_sub(2)).saturating_add(2);
    let body_h = wanted.clamp(3, room.saturating_sub(found_h + probes_h + bottom_h).max(3));
    let [breadcrumb, found, body, probes, bottom, _] = Layout::vertical([
        Constraint::Length(u16::from(!wide)),
        Constraint::Length(found_h),
        Constraint::Length(body_h),
        Constraint::Length(probes_h),
        Constraint::Length(bottom_h),
        Constraint::Min(0),
    ])
    .areas(main);
    StepAreas {
        header,
        breadcrumb: (!wide).then_some(breadcrumb),
        trail,
        body,
        found: (found_h > 0).then_some(found),
        probes: (probes_h > 0).then_some(probes),
        bottom,
        footer,
    }
}

/// The end screen: header, outcome, ticket preview, footer.
pub(crate) fn end_areas(area: Rect) -> [Rect; 4] {
    Layout::vertical([
        Constraint::Length(1),
        // The outcome: up to three lines (cause in words, how to re-test, the last re-test).
        Constraint::Length(3),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// How far the step's text or the ticket can scroll before its end leaves the box.
pub(crate) fn max_scroll(app: &App, area: Rect) -> u16 {
    let (text, r) = match app.screen {
        super::app::Screen::Step => (body_text(app), step_areas(app, area).body),
        super::app::Screen::End => (app.end.preview.clone(), end_areas(area)[2]),
        super::app::Screen::Start => return 0,
    };
    let inner = inner(r);
    wrapped_rows(&text, inner.width).saturating_sub(inner.height)
}

/// Index of the first choice shown, so the selected one stays in view.
pub(crate) fn choices_offset(selected: usize, rows: u16) -> usize {
    (selected + 1).saturating_sub(usize::from(rows.max(1)))
}

/// The rows of the choices box (inside its border).
fn choice_rows(app: &App, bottom: Rect) -> Rect {
    let inner = inner(bottom);
    Rect {
        height: inner.height.saturating_sub(reason_rows(app, inner.width)),
        ..inner
    }
}

/// The choice at a screen cell, when the step screen shows choices there.
pub(crate) fn choice_at(app: &App, area: Rect, column: u16, row: u16) -> Option<usize> {
    let engine = app.engine.as_ref()?;
    if engine.phase() != Phase::Choose {
        return None;
    }
    let rows = choice_rows(app, step_areas(app, area).bottom);
    if !rows.contains((column, row).into()) {
        return None;
    }
    let index = choices_offset(app.step.selected, rows.height) + usize::from(row - rows.y);
    (index < engine.node().choices.len()).then_some(index)
}

/// Where choice rows are drawn (used by the view).
pub(crate) fn choices_area(app: &App, bottom: Rect) -> Rect {
    choice_rows(app, bottom)
}

pub fn inner(r: Rect) -> Rect {
    Rect {
        x: r.x.saturating_add(1),
        y: r.y.saturating_add(1),
        width: r.width.saturating_sub(2),
        height: r.height.saturating_sub(2),
    }
}

/// The areas of the start screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StartAreas {
    pub header: Rect,
    pub intro: Rect,
    pub url: Rect,
    pub agent: Option<Rect>,
    pub roles: Rect,
    pub message: Rect,
    pub footer: Rect,
}

pub(crate) fn start_areas(app: &App, area: Rect) -> StartAreas {
    let roles = app.role_labels().len() as u16 + 2;
    let agent_h = if app.agent { 4 } else { 0 };
    let [header, intro, url, agent, roles, message, _, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Length(3),
        Constraint::Length(agent_h),
        Constraint::Length(roles),
        Constraint::Length(2),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    StartAreas {
        header,
        intro,
        url,
        agent: app.agent.then_some(agent),
        roles,
        message,
        footer,
    }
}

/// What of the start screen is at a screen cell: a role, or a field to focus.
pub(crate) fn start_target(app: &App, area: Rect, column: u16, row: u16) -> Option<StartTarget> {
    let a = start_areas(app, area);
    let pos = (column, row).into();
    if inner(a.roles).contains(pos) {
        let i = usize::from(row - a.roles.y - 1);
        return (i < app.role_labels().len()).then_some(StartTarget::Role(i));
    }
    if a.url.contains(pos) {
        return Some(StartTarget::Focus(StartFocus::Url));
    }
    if let Some(agent) = a.agent
        && inner(agent).contains(pos)
    {
        let focus = if row == agent.y + 1 {
            StartFocus::TicketId
        } else {
            StartFocus::Reporter
        };
        return Some(StartTarget::Focus(focus));
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StartTarget {
    Role(usize),
    Focus(StartFocus),
}
