//! `why401`, `why401 URL`, `why401 --agent`: the interactive wizard.

use anyhow::Context as _;

use crate::cli::Cli;
use crate::command::Outcome;
use crate::flow::{FlowSet, Session, lint::lint, load::read_bounded};
use crate::tui::{self, Options};

pub fn run(cli: &Cli) -> anyhow::Result<Outcome> {
    let (set, mut problems) = FlowSet::load(cli.global.flows.as_deref());
    if problems.is_empty() {
        problems = lint(&set);
    }
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("{p}");
        }
        anyhow::bail!(
            "{} problem(s) in the flows (listed above); the wizard does not start on broken flows",
            problems.len()
        );
    }
    let resume = match &cli.resume {
        Some(path) => Some(read_session(path)?),
        None => None,
    };
    let options = Options {
        url: cli.url.clone(),
        agent: cli.agent,
        monochrome: tui::monochrome_requested(),
        save_session: cli.save_session.clone(),
    };
    let finished = tui::run(&set, options, resume)?;
    for line in &finished.notices {
        eprintln!("why401: {line}");
    }
    let found = finished
        .session
        .as_ref()
        .is_some_and(|s| s.findings().next().is_some());
    Ok(if found {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

fn read_session(path: &std::path::Path) -> anyhow::Result<Session> {
    let shown = path.display();
    let text = read_bounded(path).map_err(|e| anyhow::anyhow!("{shown}: {e}"))?;
    serde_json::from_str(&text).with_context(|| format!("{shown}: not a saved why401 session"))
}
