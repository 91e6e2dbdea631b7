//! `why401 check`.

use crate::cli::{CheckArgs, GlobalArgs};
use crate::command::Outcome;

#[allow(clippy::needless_pass_by_value, unused_variables)]
pub fn run(args: &CheckArgs, _global: &GlobalArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("'why401 check' is not available in this build yet")
}
