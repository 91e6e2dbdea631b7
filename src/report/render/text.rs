//! Plain text that fits 72 columns: for e-mail, terminals and help desks without Markdown.

use super::TEXT_WIDTH as W;
use super::markdown::exchange_line;
use crate::report::ticket::Ticket;

/// Lines of the ticket, every one at most [`W`] characters wide.
#[derive(Default)]
struct Doc {
    lines: Vec<String>,
}

impl Doc {
    fn heading(&mut self, title: &str) {
        if !self.lines.is_empty() {
            self.lines.push(String::new());
        }
        self.lines.push(title.to_uppercase());
        self.lines.push("-".repeat(title.chars().count().min(W)));
    }

    /// `text` wrapped, the first line after `first`, the rest indented like `rest`.
    fn para(&mut self, first: &str, rest: &str, text: &str) {
        self.lines.extend(wrap(text, first, rest));
    }

    fn field(&mut self, name: &str, value: &str) {
        let first = format!("{name}: ");
        self.para(&first, "    ", value);
    }

    fn blank(&mut self) {
        self.lines.push(String::new());
    }

    /// Lines that must keep their content, unindented so they paste as they are: long
    /// ones are cut with a `\` continuation, which the shell and YAML double-quoted strings
    /// read back as one line. YAML needs the continuation indented (and strips that
    /// indentation); the shell would keep it, so shell lines continue at column 0.
    fn verbatim(&mut self, body: &str, continuation_indent: &str) {
        for line in body.lines() {
            self.lines.extend(continue_lines(line, continuation_indent));
        }
    }
}

pub(super) fn render(t: &Ticket) -> String {
    let mut d = Doc::default();
    d.lines.push("WHY401 SUPPORT TICKET".to_owned());
    d.lines.push("=".repeat(21));
    d.para("", "", &t.summary);
    d.blank();
    if let Some(id) = &t.help_desk.ticket_id {
        d.field("Ticket", id);
    }
    if let Some(r) = &t.help_desk.reporter {
        d.field("Reporter", r);
    }
    d.field("Outcome", &t.outcome);
    if let Some(v) = &t.verification {
        d.field("Re-test", &format!("{} → {}", v.request, v.answer));
    }
    if !t.flow.is_empty() {
        let version = t
            .flow_version
            .map_or_else(String::new, |v| format!(" v{v}"));
        d.field("Flow", &format!("{}{version}", t.flow));
    }
    if let Some(e) = &t.error {
        d.field("Stopped", e);
    }
    if !t.help_desk.agent_notes.is_empty() {
        d.heading("Agent notes");
        for n in &t.help_desk.agent_notes {
            d.para("- ", "  ", n);
        }
    }
    environment(&mut d, t);
    target(&mut d, t);
    if let Some(cmd) = &t.reproduce {
        d.heading("How to reproduce");
        d.verbatim(cmd, "");
    }
    observed(&mut d, t);
    causes(&mut d, t);
    steps(&mut d, t);
    if !t.probes.is_empty() {
        d.heading("Checks run");
        for p in &t.probes {
            d.para(
                "- ",
                "  ",
                &format!("{} ({}): {}, {}", p.id, p.kind, p.verdict, p.summary),
            );
            for e in &p.evidence {
                d.para("    ", "      ", e);
            }
        }
    }
    for a in &t.attachments {
        let src = a
            .source
            .as_deref()
            .map_or_else(String::new, |s| format!(" ({s})"));
        d.heading(&format!("Attachment: {}{src}", a.label));
        d.verbatim(&a.lines.join("\n"), "");
    }
    if let Some(r) = &t.replay {
        d.heading("Replay");
        d.para(
            "",
            "",
            "Save as answers.yaml, fill in the secrets, and run:",
        );
        d.blank();
        d.verbatim(&r.command, "");
        d.blank();
        d.verbatim(r.answers_yaml.trim_end(), "  ");
    }
    let mut out = d.lines.join("\n");
    out.push('\n');
    out
}

fn environment(d: &mut Doc, t: &Ticket) {
    let e = &t.environment;
    d.heading("Environment");
    d.field("why401", &e.why401_version);
    d.field("OS", &e.os);
    d.field("Time (UTC)", &e.time_utc);
    let clock = match (e.clock_offset_seconds, &e.clock_offset_source) {
        (Some(s), Some(src)) => format!("{} ({src})", super::offset(s)),
        (Some(s), None) => super::offset(s),
        _ => "not measured".to_owned(),
    };
    d.field("Clock offset to the server", &clock);
}

fn target(d: &mut Doc, t: &Ticket) {
    let Some(tg) = &t.target else { return };
    d.heading("Target");
    if let Some(w) = &tg.what {
        d.field("What", w);
    }
    if let Some(u) = &tg.url {
        d.field("URL", u);
    }
    if let Some(m) = &tg.method {
        d.field("Method", m);
    }
    d.field(
        "Resolved address",
        tg.resolved_address.as_deref().unwrap_or("not recorded"),
    );
    d.field("Credentials sent", &super::credentials_sent(t));
    if !tg.connection.is_empty() {
        d.field("Connection", &tg.connection.join("; "));
    }
}

fn observed(d: &mut Doc, t: &Ticket) {
    if t.observed.is_empty() && t.redirect_chain.is_empty() {
        return;
    }
    d.heading("What was observed");
    for ob in &t.observed {
        d.para("- ", "  ", &exchange_line(ob));
        for c in &ob.challenges {
            d.para("    WWW-Authenticate: ", "      ", c);
        }
        for c in &ob.proxy_challenges {
            d.para("    Proxy-Authenticate: ", "      ", c);
        }
        if let Some(l) = &ob.location {
            d.para("    Location: ", "      ", l);
        }
        for h in &ob.headers {
            d.para(&format!("    {}: ", h.name), "      ", &h.value);
        }
    }
    for (i, hop) in t.redirect_chain.iter().enumerate() {
        if i == 0 {
            d.para("", "", "Redirect chain:");
        }
        d.para(&format!("  {}. ", i + 1), "     ", hop);
    }
}

fn causes(d: &mut Doc, t: &Ticket) {
    d.heading("Likely causes");
    if t.causes.is_empty() {
        d.para("", "", "No cause identified.");
    }
    cause_list(d, &t.causes);
    if !t.remarks.is_empty() {
        d.heading("Remarks");
        d.para("", "", "True of the site, but not why this request failed.");
        d.blank();
        cause_list(d, &t.remarks);
    }
}

fn cause_list(d: &mut Doc, causes: &[crate::report::ticket::TicketCause]) {
    for (i, c) in causes.iter().enumerate() {
        if i > 0 {
            d.blank();
        }
        let head = format!("{}. ", i + 1);
        d.para(
            &head,
            "   ",
            &format!("{} [{}, {}]", c.title, c.id, super::percent(c.confidence)),
        );
        if !c.fix.is_empty() {
            d.para("   Fix: ", "     ", &c.fix);
        }
        if !c.fixed_by.is_empty() {
            d.para("   Who applies it: ", "     ", &c.fixed_by.join(", "));
        }
        if !c.evidence.is_empty() {
            d.para("   Evidence:", "", "");
        }
        for e in &c.evidence {
            d.para("   - ", "     ", e);
        }
    }
}

fn steps(d: &mut Doc, t: &Ticket) {
    if t.steps.is_empty() {
        return;
    }
    d.heading("Steps taken");
    for (i, s) in t.steps.iter().enumerate() {
        d.para(
            &format!("{}. ", i + 1),
            "   ",
            &format!("{} ({})", s.title, s.node),
        );
        for a in &s.answers {
            d.para("   - answered ", "     ", &format!("{}: {}", a.id, a.value));
        }
        for p in &s.probes {
            d.para(
                "   - probe ",
                "     ",
                &format!("{}: {}, {}", p.id, p.verdict, p.summary),
            );
        }
        for f in &s.findings {
            d.para("   - recorded cause ", "     ", f);
        }
        if let Some(n) = &s.note {
            d.para("   - note: ", "     ", n);
        }
        if let Some(c) = &s.chose {
            d.para("   - chose: ", "     ", c);
        } else if let Some(w) = &s.moved_on_because {
            d.para("   - moved on because ", "     ", w);
        }
    }
}

/// Stands for a space inside a fingerprint while lines are wrapped: not whitespace, so a
/// fingerprint is never cut into lines (a cut one no longer reads as one).
const GLUE: char = '\u{E000}';

/// Word-wraps `text` to [`W`] columns; words longer than a line are cut; a fingerprint
/// (`[cookie len=20 hmac=…]`) stays on one line.
pub(super) fn wrap(text: &str, first: &str, rest: &str) -> Vec<String> {
    let mut glued = text.to_owned();
    // From the end, so the ranges before stay where they are.
    for (start, end) in crate::secret::redact::fingerprint_ranges(text)
        .into_iter()
        .rev()
    {
        glued.replace_range(
            start..end,
            &text[start..end].replace(' ', &GLUE.to_string()),
        );
    }
    wrap_words(&glued, first, rest)
        .into_iter()
        .map(|l| l.replace(GLUE, " "))
        .collect()
}

fn wrap_words(text: &str, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_owned();
    let mut empty = true;
    let width = |s: &str| s.chars().count();
    for word in text.split_whitespace() {
        let sep = usize::from(!empty);
        if !empty && width(&line) + sep + width(word) > W {
            lines.push(std::mem::replace(&mut line, rest.to_owned()));
            empty = true;
        }
        let mut word = word;
        loop {
            let room = W.saturating_sub(width(&line) + usize::from(!empty)).max(1);
            if width(word) <= room {
                if !empty {
                    line.push(' ');
                }
                line.push_str(word);
                empty = false;
                break;
            }
            // A fingerprint that fits a line of its own goes there whole, even after a label.
            let whole_fits = word.contains(GLUE) && width(rest) + width(word) <= W;
            if !empty || whole_fits && line != rest {
                lines.push(std::mem::replace(&mut line, rest.to_owned()));
                empty = true;
                continue;
            }
            let cut = word.char_indices().nth(room).map_or(word.len(), |(i, _)| i);
            line.push_str(&word[..cut]);
            lines.push(std::mem::replace(&mut line, rest.to_owned()));
            word = &word[cut..];
        }
    }
    if !empty || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Cuts a verbatim line with `\` continuations, never right after a `\` (which would
/// escape it) nor before a space (which YAML would drop).
fn continue_lines(line: &str, indent: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut lead = "";
    while chars.len() - start + lead.len() > W {
        let mut cut = start + W - 1 - lead.len();
        while cut > start + 1 && (chars[cut - 1] == '\\' || chars[cut] == ' ') {
            cut -= 1;
        }
        let mut piece: String = lead.to_owned();
        piece.extend(&chars[start..cut]);
        piece.push('\\');
        out.push(piece);
        start = cut;
        lead = indent;
    }
    let mut last = lead.to_owned();
    last.extend(&chars[start..]);
    out.push(last);
    out
}

/// Re-wraps lines that redaction made longer than [`W`], keeping their indentation.
pub(super) fn refit(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        if line.chars().count() <= W {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let indent: String = line.chars().take_while(|c| *c == ' ').collect();
        let rest = format!("{indent}  ");
        for l in wrap(line.trim_start(), &indent, &rest) {
            out.push_str(&l);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_a_fingerprint_on_one_line() {
        let fp = "[cookie len=33 hmac=0a1b2c3d]";
        let request = format!("GET http://127.0.0.1:1/v1/me (Cookie: {fp}; X-Api-Key: {fp})");
        let pair = format!("{fp} {fp}");
        for lines in [
            wrap(&request, "    ", "      "),
            wrap(&pair, &" ".repeat(60), "  "),
        ] {
            // Two fingerprints in, two whole ones out, each within one line.
            let found: usize = lines.iter().map(|l| l.matches(fp).count()).sum();
            assert_eq!(found, 2, "{lines:#?}");
            assert!(lines.iter().all(|l| !l.contains('\u{E000}')), "{lines:#?}");
        }
    }

    #[test]
    fn wrap_fits_and_keeps_every_word() {
        let text = "a ".repeat(50) + &"x".repeat(150) + " end";
        let lines = wrap(&text, "- ", "  ");
        assert!(lines.iter().all(|l| l.chars().count() <= W), "{lines:#?}");
        let joined: String = lines
            .iter()
            .map(|l| l.trim_start_matches(['-', ' ']))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(joined.matches('a').count(), 50);
        assert_eq!(joined.matches('x').count(), 150);
        assert!(joined.ends_with("end"));
    }

    #[test]
    fn continuations_read_back_as_one_line_in_yaml() {
        let value = format!("{} and a long tail with spaces", "v\\w".repeat(40));
        let line = format!(
            "\"url\": {}",
            serde_json::to_string(&value).unwrap_or_default()
        );
        let lines = continue_lines(&line, "  ");
        assert!(lines.len() > 1 && lines.iter().all(|l| l.chars().count() <= W));
        let yaml = lines.join("\n");
        let back: std::collections::BTreeMap<String, String> =
            serde_yaml::from_str(&yaml).unwrap_or_default();
        assert_eq!(back.get("url"), Some(&value), "{yaml}");
    }
}
