//! Entry point: parse the command line, dispatch, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = why401::cli::Cli::parse();
    match why401::command::dispatch(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) => {
            eprintln!("why401: {}", why401::command::error_line(&err));
            ExitCode::from(2)
        }
    }
}

/// `why401 ... | head` closes stdout early; `print!` then panics. End quietly instead, with
/// the status a SIGPIPE would give (128 + 13), as other command-line tools do.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}
