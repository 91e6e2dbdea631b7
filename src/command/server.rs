//! `why401 server`.

use crate::cli::ServerArgs;
use crate::command::Outcome;

#[allow(clippy::needless_pass_by_value, unused_variables)]
pub fn run(args: &ServerArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("'why401 server' is not available in this build yet")
}
