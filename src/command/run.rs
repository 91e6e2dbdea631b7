//! `why401 run`: a flow walked headless from scripted answers.

use crate::cli::{GlobalArgs, RunArgs};
use crate::command::Outcome;

pub fn run(_args: &RunArgs, _global: &GlobalArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("'why401 run' is not available in this build yet")
}
