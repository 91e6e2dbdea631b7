//! `why401 jwt`.

use crate::cli::JwtArgs;
use crate::command::Outcome;

#[allow(clippy::needless_pass_by_value, unused_variables)]
pub fn run(args: &JwtArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("'why401 jwt' is not available in this build yet")
}
