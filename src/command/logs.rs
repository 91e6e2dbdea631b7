//! `why401 logs`.

use crate::cli::LogsArgs;
use crate::command::Outcome;

#[allow(clippy::needless_pass_by_value, unused_variables)]
pub fn run(args: &LogsArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("'why401 logs' is not available in this build yet")
}
