//! Markdown: headings, lists and fenced blocks only (no HTML), so GitHub, Jira's Markdown
//! paste and Zendesk all show the same thing.

use std::fmt::Write as _;

use crate::report::ticket::{Observation, Ticket};

pub(super) fn render(t: &Ticket) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# why401: {}\n", esc(&t.summary));
    help_desk(&mut o, t);
    environment(&mut o, t);
    target(&mut o, t);
    if let Some(cmd) = &t.reproduce {
        let _ = writeln!(o, "## How to reproduce\n\n{}", fence("sh", cmd));
    }
    observed(&mut o, t);
    causes(&mut o, t);
    steps(&mut o, t);
    checks(&mut o, t);
    attachments(&mut o, t);
    replay(&mut o, t);
    o.truncate(o.trim_end().len());
    o.push('\n');
    o
}

fn help_desk(o: &mut String, t: &Ticket) {
    let h = &t.help_desk;
    let mut rows = Vec::new();
    if let Some(id) = &h.ticket_id {
        rows.push(format!("- **Ticket:** {}", esc(id)));
    }
    if let Some(r) = &h.reporter {
        rows.push(format!("- **Reporter:** {}", esc(r)));
    }
    rows.push(format!("- **Outcome:** {}", esc(&t.outcome)));
    if let Some(v) = &t.verification {
        rows.push(format!(
            "- **Re-test:** {} → {}",
            code(&v.request),
            esc(&v.answer)
        ));
    }
    if !t.flow.is_empty() {
        let version = t
            .flow_version
            .map_or_else(String::new, |v| format!(" v{v}"));
        let title = t
            .flow_title
            .as_deref()
            .map_or_else(String::new, |x| format!(" ({})", esc(x)));
        rows.push(format!("- **Flow:** {}{version}{title}", code(&t.flow)));
    }
    if let Some(e) = &t.error {
        rows.push(format!("- **Stopped:** {}", esc(e)));
    }
    let _ = writeln!(o, "{}\n", rows.join("\n"));
    if !h.agent_notes.is_empty() {
        let _ = writeln!(o, "## Agent notes\n");
        for n in &h.agent_notes {
            let _ = writeln!(o, "- {}", esc(n));
        }
        o.push('\n');
    }
}

fn environment(o: &mut String, t: &Ticket) {
    let e = &t.environment;
    let clock = match (e.clock_offset_seconds, &e.clock_offset_source) {
        (Some(s), Some(src)) => format!("{} ({})", super::offset(s), esc(src)),
        (Some(s), None) => super::offset(s),
        _ => "not measured".to_owned(),
    };
    let _ = writeln!(
        o,
        "## Environment\n\n- **why401:** {}\n- **OS:** {}\n- **Time (UTC):** {}\n- **Clock offset to the server:** {clock}\n",
        esc(&e.why401_version),
        esc(&e.os),
        esc(&e.time_utc)
    );
}

fn target(o: &mut String, t: &Ticket) {
    let Some(tg) = &t.target else { return };
    let _ = writeln!(o, "## Target\n");
    if let Some(w) = &tg.what {
        let _ = writeln!(o, "- **What:** {}", esc(w));
    }
    if let Some(u) = &tg.url {
        let _ = writeln!(o, "- **URL:** {}", code(u));
    }
    if let Some(m) = &tg.method {
        let _ = writeln!(o, "- **Method:** {}", code(m));
    }
    let addr = tg
        .resolved_address
        .as_deref()
        .map_or_else(|| "not recorded".to_owned(), code);
    let _ = writeln!(o, "- **Resolved address:** {addr}");
    let _ = writeln!(
        o,
        "- **Credentials sent:** {}",
        esc(&super::credentials_sent(t))
    );
    if !tg.connection.is_empty() {
        let lines: Vec<String> = tg.connection.iter().map(|c| esc(c)).collect();
        let _ = writeln!(o, "- **Connection:** {}", lines.join("; "));
    }
    o.push('\n');
}

fn observed(o: &mut String, t: &Ticket) {
    if t.observed.is_empty() && t.redirect_chain.is_empty() {
        return;
    }
    let _ = writeln!(o, "## What was observed\n");
    for ob in &t.observed {
        let _ = writeln!(o, "- {}", code(&exchange_line(ob)));
        for c in &ob.challenges {
            let _ = writeln!(o, "  - WWW-Authenticate: {}", code(c));
        }
        for c in &ob.proxy_challenges {
            let _ = writeln!(o, "  - Proxy-Authenticate: {}", code(c));
        }
        if let Some(l) = &ob.location {
            let _ = writeln!(o, "  - Location: {}", code(l));
        }
        for h in &ob.headers {
            let _ = writeln!(o, "  - {}: {}", esc(&h.name), code(&h.value));
        }
    }
    if !t.redirect_chain.is_empty() {
        let _ = writeln!(o, "\nRedirect chain:\n");
        for (i, hop) in t.redirect_chain.iter().enumerate() {
            let _ = writeln!(o, "{}. {}", i + 1, code(hop));
        }
    }
    o.push('\n');
}

/// `GET http://h/ → 401 Unauthorized (12 ms, credentials sent)`.
pub(crate) fn exchange_line(ob: &Observation) -> String {
    let mut line = format!(
        "{} {}",
        ob.method.as_deref().unwrap_or("GET"),
        ob.url.as_deref().unwrap_or("?")
    );
    match (ob.status, &ob.error) {
        (Some(s), _) => line.push_str(format!(" → {s} {}", ob.reason).trim_end()),
        (None, Some(e)) => line.push_str(&format!(" → no answer: {e}")),
        (None, None) => line.push_str(" → no answer"),
    }
    let mut extra = Vec::new();
    if ob.is_retest() {
        extra.push("re-test".to_owned());
    }
    if let Some(r) = &ob.recorded_in {
        extra.push(format!("recorded in {r}"));
    }
    if let Some(ms) = ob.elapsed_ms {
        extra.push(format!("{ms} ms"));
    }
    match ob.sent_credentials {
        Some(true) if !ob.credentials.is_empty() => {
            let kinds: Vec<String> = ob
                .credentials
                .iter()
                .map(crate::report::ticket::Credential::describe)
                .collect();
            extra.push(format!("sent {}", kinds.join(", ")));
        }
        Some(true) => extra.push("credentials sent".to_owned()),
        Some(false) => extra.push("no credentials".to_owned()),
        None => {}
    }
    if !extra.is_empty() {
        line.push_str(&format!(" ({})", extra.join(", ")));
    }
    line
}

fn causes(o: &mut String, t: &Ticket) {
    let _ = writeln!(o, "## Likely causes\n");
    if t.causes.is_empty() {
        let _ = writeln!(o, "No cause identified.\n");
    }
    cause_list(o, &t.causes);
    if !t.remarks.is_empty() {
        let _ = writeln!(
            o,
            "## Remarks\n\nTrue of the site, but not why this request failed.\n"
        );
        cause_list(o, &t.remarks);
    }
}

fn cause_list(o: &mut String, causes: &[crate::report::ticket::TicketCause]) {
    for (i, c) in causes.iter().enumerate() {
        let _ = writeln!(
            o,
            "### {}. {} ({}, {})\n",
            i + 1,
            esc(&c.title),
            code(&c.id),
            super::percent(c.confidence)
        );
        if !c.fix.is_empty() {
            let _ = writeln!(o, "- **Fix:** {}", esc(&c.fix));
        }
        if !c.fixed_by.is_empty() {
            let _ = writeln!(o, "- **Who applies it:** {}", esc(&c.fixed_by.join(", ")));
        }
        if !c.evidence.is_empty() {
            let _ = writeln!(o, "- **Evidence:**");
            for e in &c.evidence {
                let _ = writeln!(o, "  - {}", esc(e));
            }
        }
        o.push('\n');
    }
}

fn steps(o: &mut String, t: &Ticket) {
    if t.steps.is_empty() {
        return;
    }
    let _ = writeln!(o, "## Steps taken\n");
    for (i, s) in t.steps.iter().enumerate() {
        let _ = writeln!(o, "{}. **{}** ({})", i + 1, esc(&s.title), code(&s.node));
        for a in &s.answers {
            let _ = writeln!(o, "   - answered {}: {}", code(&a.id), code(&a.value));
        }
        for p in &s.probes {
            let _ = writeln!(
                o,
                "   - probe {}: **{}**, {}",
                code(&p.id),
                p.verdict,
                esc(&p.summary)
            );
        }
        for f in &s.findings {
            let _ = writeln!(o, "   - recorded cause {}", code(f));
        }
        if let Some(n) = &s.note {
            let _ = writeln!(o, "   - note: {}", esc(n));
        }
        if let Some(c) = &s.chose {
            let _ = writeln!(o, "   - chose: {}", esc(c));
        } else if let Some(w) = &s.moved_on_because {
            let _ = writeln!(o, "   - moved on because {}", code(w));
        }
    }
    o.push('\n');
}

fn checks(o: &mut String, t: &Ticket) {
    if t.probes.is_empty() {
        return;
    }
    let _ = writeln!(o, "## Checks run\n");
    for p in &t.probes {
        let _ = writeln!(
            o,
            "- {} ({}): **{}**, {}",
            code(&p.id),
            esc(&p.kind),
            p.verdict,
            esc(&p.summary)
        );
        for e in &p.evidence {
            let _ = writeln!(o, "  - {}", code(e));
        }
    }
    o.push('\n');
}

fn attachments(o: &mut String, t: &Ticket) {
    if t.attachments.is_empty() {
        return;
    }
    let _ = writeln!(o, "## Attachments\n");
    for a in &t.attachments {
        let src = a
            .source
            .as_deref()
            .map_or_else(String::new, |s| format!(" ({})", code(s)));
        let _ = writeln!(
            o,
            "**{}**{src}\n\n{}",
            esc(&a.label),
            fence("text", &a.lines.join("\n"))
        );
    }
}

fn replay(o: &mut String, t: &Ticket) {
    let Some(r) = &t.replay else { return };
    let _ = writeln!(
        o,
        "## Replay\n\nSave this as `answers.yaml` (fill in the secrets) and run {}:\n\n{}",
        code(&r.command),
        fence("yaml", r.answers_yaml.trim_end())
    );
}

/// Escapes the characters Markdown would take as formatting.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        let at_start = i == 0 || out.ends_with('\n');
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|')
            || (at_start && matches!(c, '#' | '-' | '+' | '='))
        {
            out.push('\\');
        }
        out.push(if c == '\n' { ' ' } else { c });
    }
    out
}

/// Inline code that survives backticks inside.
pub(crate) fn code(text: &str) -> String {
    let text = text.replace('\n', " ");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest + 1);
    if longest > 0 || text.starts_with(' ') || text.ends_with(' ') {
        format!("{ticks} {text} {ticks}")
    } else {
        format!("{ticks}{text}{ticks}")
    }
}

/// A fenced block whose fence is longer than any backtick run inside.
fn fence(lang: &str, body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let f = "`".repeat(longest.max(2) + 1);
    format!("{f}{lang}\n{body}\n{f}\n")
}
