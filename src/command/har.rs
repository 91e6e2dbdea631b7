//! `why401 har`.

use crate::cli::HarArgs;
use crate::command::Outcome;

#[allow(clippy::needless_pass_by_value, unused_variables)]
pub fn run(args: &HarArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("'why401 har' is not available in this build yet")
}
