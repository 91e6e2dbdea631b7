//! `why401 flows lint|graph|list|schema`, completions and the man page.

use clap::CommandFactory;

use crate::cli::{Cli, FlowsCommand, GlobalArgs};
use crate::command::Outcome;

pub fn run(_cmd: &FlowsCommand, _global: &GlobalArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("'why401 flows' is not available in this build yet")
}

/// Writes shell completions to stdout.
pub fn print_completions(shell: clap_complete::Shell) {
    clap_complete::generate(shell, &mut Cli::command(), "why401", &mut std::io::stdout());
}

/// Writes the man page (roff) to stdout.
pub fn print_man() -> anyhow::Result<()> {
    clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?;
    Ok(())
}
