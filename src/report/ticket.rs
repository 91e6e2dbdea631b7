//! The ticket model, built from a walk's [`Session`], and its renderers.

use std::fmt::Write as _;

use serde::Serialize;

use crate::cli::TicketFormat;
use crate::diagnose::{self, CauseHit};
use crate::flow::Session;

/// What a ticket says.
#[derive(Debug, Clone, Serialize)]
pub struct Ticket {
    pub schema_version: u32,
    pub summary: String,
    pub flow: String,
    pub path: Vec<String>,
    pub causes: Vec<CauseHit>,
    pub probes: Vec<crate::probe::ProbeReport>,
}

impl Ticket {
    /// Builds the ticket of a walk.
    pub fn from_session(session: &Session) -> Self {
        let causes = diagnose::rank(
            session
                .findings()
                .map(|f| CauseHit::new(&f.cause, f.confidence, f.evidence.clone()))
                .chain(session.reports().flat_map(|r| r.causes.iter().cloned())),
        );
        let summary = causes
            .first()
            .and_then(|c| diagnose::cause(&c.id))
            .map_or_else(
                || "401 investigated: no cause identified".to_owned(),
                |c| format!("Likely cause: {}", c.title),
            );
        Self {
            schema_version: 1,
            summary,
            flow: session.flow.clone(),
            path: session
                .trail
                .iter()
                .map(|s| match &s.left_by {
                    Some(by) => format!("{} → {by}", s.title),
                    None => s.title.clone(),
                })
                .collect(),
            causes,
            probes: session.reports().cloned().collect(),
        }
    }
}

/// Renders the ticket of `session` in `format`.
pub fn render(session: &Session, format: TicketFormat) -> String {
    let t = Ticket::from_session(session);
    match format {
        TicketFormat::Json => serde_json::to_string_pretty(&t).unwrap_or_default(),
        TicketFormat::Md | TicketFormat::Text => {
            let mut out = String::new();
            let _ = writeln!(out, "{}\n\nFlow: {}\n\nSteps:", t.summary, t.flow);
            for (i, p) in t.path.iter().enumerate() {
                let _ = writeln!(out, "{}. {p}", i + 1);
            }
            for r in &t.probes {
                let _ = writeln!(
                    out,
                    "probe {} ({}): {} {}",
                    r.id,
                    r.kind,
                    r.verdict.label(),
                    r.summary
                );
                for e in &r.evidence {
                    let _ = writeln!(out, "    {e}");
                }
            }
            for c in &t.causes {
                let _ = writeln!(
                    out,
                    "cause {} ({:.2}): {}",
                    c.id,
                    c.confidence,
                    c.evidence.join("; ")
                );
            }
            out
        }
    }
}
