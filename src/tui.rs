//! The interactive wizard (ratatui), in the Elm architecture: one [`App`] state, one
//! [`Message`] enum, a pure [`update`] and a [`view`] that only draws. The [`runtime`] owns
//! the terminal, the event loop and the probe tasks.

use std::io::IsTerminal as _;
use std::sync::Once;
use std::time::Duration;

use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    EventStream,
};
use ratatui::crossterm::execute;

pub mod app;
pub mod field;
pub(crate) mod layout;
pub mod runtime;
pub mod session_file;
pub mod theme;
mod update;
mod view;

pub use app::{App, Command, Message, Options, Screen};
pub use update::{extension, sync, update};
pub use view::view;

use crate::flow::{Engine, FlowSet, Session};
use crate::probe::ProbeContext;

/// Time each probe may take.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// How a wizard run ended.
#[derive(Debug, Default)]
pub struct Finished {
    /// The walk, when one was started.
    pub session: Option<Session>,
    /// Lines to print once the terminal is restored ("session saved to FILE").
    pub notices: Vec<String>,
}

/// True when colours must not be used: NO_COLOR (any non-empty value) or a dumb terminal.
pub(crate) fn monochrome_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
        || std::env::var("TERM").is_ok_and(|t| t == "dumb")
}

/// Puts the terminal in raw mode with the alternate screen, mouse and bracketed paste, and
/// puts it back on drop: every exit path, panics included, ends with a usable shell.
struct TerminalGuard {
    terminal: ratatui::DefaultTerminal,
}

fn leave_modes() {
    let _ = execute!(
        std::io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste
    );
}

impl TerminalGuard {
    fn enter() -> anyhow::Result<Self> {
        static HOOK: Once = Once::new();
        // ratatui's own hook (installed by try_init, around this one) restores raw mode and
        // the screen; this one also turns mouse reporting and bracketed paste off.
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                leave_modes();
                previous(info);
            }));
        });
        let terminal = ratatui::try_init()?;
        let guard = Self { terminal };
        execute!(std::io::stdout(), EnableMouseCapture, EnableBracketedPaste)?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        leave_modes();
        ratatui::restore();
    }
}

/// Runs the wizard over `set` in this terminal, on the command's runtime `rt`. `resume`
/// continues a saved walk; `net` is how its probes connect (trust, `--insecure`, fixed
/// addresses, proxy).
pub fn run(
    rt: &tokio::runtime::Runtime,
    set: &FlowSet,
    options: Options,
    resume: Option<Session>,
    net: &crate::net::NetOptions,
) -> anyhow::Result<Finished> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        anyhow::bail!(
            "the wizard needs a terminal; in scripts use `why401 check URL` or `why401 run --flow ID --answers FILE`"
        );
    }
    let cwd = std::env::current_dir()?;
    let mut app = App::new(set, options);
    if let Some(session) = resume {
        app.resume_from(session)?;
    }
    rt.block_on(async {
        let ctx = ProbeContext::with_network(PROBE_TIMEOUT, net)?;
        watch_signals(ctx.cancel.clone());
        // A resumed walk may be waiting for its probes: the first sync asks for them.
        let first = sync(&mut app);
        let mut guard = TerminalGuard::enter()?;
        let exit = runtime::run_loop(
            &mut guard.terminal,
            &mut app,
            EventStream::new(),
            ctx,
            runtime::Setup { cwd, first },
        )
        .await;
        drop(guard);
        let exit = exit?;
        Ok(Finished {
            session: app.engine.map(Engine::into_session),
            notices: exit.notices,
        })
    })
}

/// SIGINT and SIGTERM from outside the terminal end the loop like Ctrl+C does.
fn watch_signals(cancel: tokio_util::sync::CancellationToken) {
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let Ok(mut term) = signal(SignalKind::terminate()) else {
                return;
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        cancel.cancel();
    });
}
