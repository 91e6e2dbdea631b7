//! Entry point: parse the command line, dispatch, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = why401::cli::Cli::parse();
    match why401::command::dispatch(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) => {
            eprintln!("why401: {}", why401::command::error_line(&err));
            ExitCode::from(2)
        }
    }
}
