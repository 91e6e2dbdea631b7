//! Entry point: parse the command line, dispatch, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = why401::cli::Cli::parse();
    match why401::command::dispatch(cli) {
        Ok(outcome) => outcome.exit_code(),
        // `why401 ... | head` closes stdout early: end quietly, with the status a SIGPIPE
        // would give (128 + 13), as other command-line tools do.
        Err(err) if closed_pipe(&err) => ExitCode::from(141),
        Err(err) => {
            eprintln!("why401: {}", why401::command::error_line(&err));
            ExitCode::from(2)
        }
    }
}

/// Whether the error comes from writing to a reader that went away.
fn closed_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
