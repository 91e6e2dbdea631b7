//! `why401`, `why401 URL`, `why401 --agent`: the interactive wizard.

use crate::cli::Cli;
use crate::command::Outcome;
use crate::flow::Session;
use crate::tui::{self, Options};

pub fn run(cli: &Cli) -> anyhow::Result<Outcome> {
    let set = crate::command::load_flows(&cli.global)
        .map_err(|e| e.context("the wizard does not start on broken flows"))?;
    // Connection options are checked before the terminal is taken over.
    let net = crate::command::check::network::options(&cli.connect)?;
    let resume = match &cli.resume {
        Some(path) => Some(read_session(path, &set)?),
        None => None,
    };
    if let Some(b) = &cli.backend {
        crate::probe::http::parse_url(b)
            .map_err(|e| anyhow::anyhow!("--backend: {}", e.message))?;
    }
    let har = match &cli.har {
        Some(path) => Some(har_path(path)?),
        None => None,
    };
    let options = Options {
        url: cli.url.clone(),
        agent: cli.agent,
        monochrome: tui::monochrome_requested(),
        save_session: cli.save_session.clone(),
        backend: cli.backend.clone(),
        har,
        net: net.clone(),
    };
    let rt = crate::command::runtime()?;
    let finished = tui::run(&rt, &set, options, resume, &net)?;
    for line in &finished.notices {
        eprintln!("why401: {}", crate::sanitize::line(line));
    }
    if net.insecure {
        eprintln!(
            "why401: TLS certificate checks were OFF for this walk (--insecure): its answers may not have come from the site"
        );
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

/// The HAR file, checked before the terminal is taken over: a regular, readable file, named
/// by its absolute path (the walk's steps may run from elsewhere).
pub(crate) fn har_path(path: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    crate::input_file::open_regular(path).map_err(|e| anyhow::anyhow!("--har: {e}"))?;
    Ok(std::path::absolute(path).unwrap_or_else(|_| path.to_owned()))
}

/// Reads a saved session; what changed in the flows since it was saved is said on stderr.
fn read_session(path: &std::path::Path, set: &crate::flow::FlowSet) -> anyhow::Result<Session> {
    let resumed = crate::report::session_file::load(path, set)?;
    // A session file is handed around: its node and input ids are a stranger's text.
    for change in &resumed.changes {
        eprintln!("why401: {}", crate::sanitize::line(change));
    }
    if !resumed.secrets_to_reenter.is_empty() {
        eprintln!(
            "why401: secrets are never saved; the walk asks again for: {}",
            crate::sanitize::line(&resumed.secrets_to_reenter.join(", "))
        );
    }
    Ok(resumed.session)
}
