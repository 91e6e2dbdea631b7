//! `why401` with no subcommand: the interactive wizard.

use crate::cli::Cli;
use crate::command::Outcome;

pub fn run(_cli: &Cli) -> anyhow::Result<Outcome> {
    anyhow::bail!("the wizard is not available in this build yet")
}
