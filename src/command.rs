//! One module per subcommand. Each returns an [`Outcome`] or an error; `main` maps them to
//! exit codes: 0 nothing wrong found, 1 causes found or a check failed, 2 usage or input error.

use std::process::ExitCode;

use crate::cli::{Cli, Command};

pub mod check;
pub mod flows;
pub mod har;
pub mod jwt;
pub mod logs;
pub mod run;
pub mod server;
pub mod wizard;

/// How a command ended, when it ran to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing wrong found.
    Clean,
    /// Causes found, or a check failed.
    Findings,
}

impl Outcome {
    pub fn exit_code(self) -> ExitCode {
        match self {
            Self::Clean => ExitCode::SUCCESS,
            Self::Findings => ExitCode::from(1),
        }
    }
}

/// Runs the command the line asks for.
pub fn dispatch(cli: Cli) -> anyhow::Result<Outcome> {
    let global = cli.global.clone();
    match cli.command {
        None => wizard::run(&cli),
        Some(Command::Check(args)) => check::run(&args, &global),
        Some(Command::Jwt(args)) => jwt::run(&args),
        Some(Command::Har(args)) => har::run(&args),
        Some(Command::Server(args)) => server::run(&args),
        Some(Command::Logs(args)) => logs::run(&args),
        Some(Command::Run(args)) => run::run(&args, &global),
        Some(Command::Flows(cmd)) => flows::run(&cmd, &global),
        Some(Command::Completions { shell }) => {
            flows::print_completions(shell)?;
            Ok(Outcome::Clean)
        }
        Some(Command::Man) => {
            flows::print_man()?;
            Ok(Outcome::Clean)
        }
    }
}

/// Writes `text` to standard output and flushes it. A reader that went away
/// (`why401 ... | head -1`) comes back as an io error of kind `BrokenPipe`, which `main`
/// ends on quietly.
pub(crate) fn print(text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

pub use crate::error::error_line;

/// A tokio runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// The shipped flows plus `--flows DIR`, refused with every problem listed when any is unsound.
pub(crate) fn load_flows(global: &crate::cli::GlobalArgs) -> anyhow::Result<crate::flow::FlowSet> {
    let (set, mut diags) = crate::flow::FlowSet::load(global.flows.as_deref());
    diags.extend(crate::flow::lint::lint(&set));
    if diags.is_empty() {
        return Ok(set);
    }
    for d in &diags {
        eprintln!("{}", crate::sanitize::text(&d.to_string()));
    }
    anyhow::bail!(
        "{} problem(s) in the flows: fix them or check with 'why401 flows lint'",
        diags.len()
    )
}

/// A `--timeout` in seconds as a Duration (between 0.1 s and 1 hour).
pub(crate) fn timeout_secs(secs: f64) -> anyhow::Result<std::time::Duration> {
    anyhow::ensure!(
        secs.is_finite() && (0.1..=3600.0).contains(&secs),
        "--timeout must be between 0.1 and 3600 seconds, got {secs}"
    );
    Ok(std::time::Duration::from_secs_f64(secs))
}
