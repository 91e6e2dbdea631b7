//! The event loop: terminal events, probe results and cancellation in one biased select.
//! It redraws only after something changed and ticks only while a spinner shows, so an
//! idle wizard uses no CPU.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{Event, KeyEventKind, MouseEventKind};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::app::{App, Command, Message};
use super::{session_file, update, view};
use crate::check::run_probe;
use crate::probe::ProbeContext;

/// Spinner frame time.
const TICK: Duration = Duration::from_millis(100);

/// Keys that arrive this soon after a new step or field was drawn were typed before the
/// person could see it (no one reacts that fast): they are dropped, so a password typed
/// ahead never lands in the next field.
const TYPE_AHEAD: Duration = Duration::from_millis(150);

/// What identifies the place keys go to: the screen, the step, the field asked, and the
/// secret a resumed walk asks for again.
type KeyTarget = (
    super::app::Screen,
    Option<(usize, crate::flow::NodeRef)>,
    Option<String>,
    Option<usize>,
);

fn key_target(app: &App) -> KeyTarget {
    (
        app.screen,
        app.step.at.clone(),
        app.step.input.clone(),
        app.resume.as_ref().map(|r| r.asking.len()),
    )
}

/// True for keys that type or act (not paste, resize or the mouse).
fn typed_ahead(msg: &Message) -> bool {
    matches!(msg, Message::Key(k) if !k.modifiers.contains(ratatui::crossterm::event::KeyModifiers::CONTROL))
}

/// What the loop leaves to say once the terminal is back to normal.
#[derive(Debug, Default)]
pub struct Exit {
    pub notices: Vec<String>,
}

/// Turns a terminal event into a message; events nobody acts on (mouse moves, focus) give
/// none, so they cause no redraw.
pub(crate) fn to_message(event: Event) -> Option<Message> {
    match event {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Message::Key(k)),
        Event::Paste(p) => Some(Message::Paste(p)),
        Event::Mouse(m)
            if matches!(
                m.kind,
                MouseEventKind::Down(_) | MouseEventKind::ScrollDown | MouseEventKind::ScrollUp
            ) =>
        {
            Some(Message::Mouse(m))
        }
        Event::Resize(w, h) => Some(Message::Resize(w, h)),
        _ => None,
    }
}

/// The probes of the current run, cancelled together.
struct Probes {
    ctx: ProbeContext,
    tx: mpsc::UnboundedSender<Message>,
    current: Option<CancellationToken>,
}

impl Probes {
    fn cancel(&mut self) {
        if let Some(t) = self.current.take() {
            t.cancel();
        }
    }

    fn start(&mut self, run: u64, requests: Vec<crate::probe::ProbeRequest>) {
        self.cancel();
        let token = self.ctx.cancel.child_token();
        let step = crate::check::step_context(&self.ctx);
        for (index, req) in requests.into_iter().enumerate() {
            let mut ctx = step.clone();
            ctx.cancel = token.clone();
            let tx = self.tx.clone();
            tokio::spawn(async move {
                let report = run_probe(req, ctx).await;
                // The loop may be gone (quit): nothing to tell then.
                let _ = tx.send(Message::ProbeDone { run, index, report });
            });
        }
        self.current = Some(token);
    }
}

/// Where the loop starts from.
#[derive(Debug, Default)]
pub struct Setup {
    /// Where tickets and sessions are saved.
    pub cwd: PathBuf,
    /// A command to carry out before the first event (a resumed walk's probes).
    pub first: Option<Command>,
}

/// Runs the wizard until it quits. `events` is the terminal's event stream (or, in tests, a
/// scripted one); `cancel` ends the loop from outside (signals).
pub async fn run_loop<B, S>(
    terminal: &mut Terminal<B>,
    app: &mut App<'_>,
    mut events: S,
    ctx: ProbeContext,
    setup: Setup,
) -> anyhow::Result<Exit>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    S: Stream<Item = std::io::Result<Event>> + Unpin,
{
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let cancel = ctx.cancel.clone();
    let mut probes = Probes {
        ctx,
        tx: tx.clone(),
        current: None,
    };
    let clock = Instant::now();
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    let mut exit = Exit::default();
    let cwd = setup.cwd;
    if let Some(cmd) = setup.first {
        execute(cmd, app, &mut probes, &tx, &cwd, &mut exit);
    }
    let mut dirty = true;
    let mut target = key_target(app);
    let mut moved = false;
    let mut guard_until: Option<Instant> = None;
    loop {
        if dirty {
            terminal.draw(|f| view(app, f))?;
            dirty = false;
            if moved {
                guard_until = Some(Instant::now() + TYPE_AHEAD);
                moved = false;
            }
        }
        let msg = tokio::select! {
            biased;
            () = cancel.cancelled() => Message::Interrupt,
            Some(m) = rx.recv() => m,
            ev = events.next() => match ev {
                Some(Ok(e)) => match to_message(e) {
                    Some(m) => m,
                    None => continue,
                },
                Some(Err(e)) => return Err(anyhow::Error::new(e).context("reading the terminal")),
                // The terminal went away: leave as if interrupted.
                None => Message::Interrupt,
            },
            _ = ticker.tick(), if app.animating() => Message::Tick,
        };
        if typed_ahead(&msg) && guard_until.is_some_and(|t| Instant::now() < t) {
            app.status = Some("keys typed before this step showed were dropped".into());
            dirty = true;
            continue;
        }
        // Handle everything already queued before drawing again.
        let mut next = Some(msg);
        while let Some(msg) = next {
            app.now = clock.elapsed();
            if let Some(cmd) = update(app, msg) {
                execute(cmd, app, &mut probes, &tx, &cwd, &mut exit);
            }
            next = rx.try_recv().ok();
        }
        let now_target = key_target(app);
        if now_target != target {
            target = now_target;
            moved = true;
        }
        dirty = true;
        if app.quit {
            probes.cancel();
            return Ok(exit);
        }
    }
}

fn execute(
    cmd: Command,
    app: &App,
    probes: &mut Probes,
    tx: &mpsc::UnboundedSender<Message>,
    cwd: &std::path::Path,
    exit: &mut Exit,
) {
    match cmd {
        Command::RunProbes { run, requests } => probes.start(run, requests),
        Command::CancelProbes => probes.cancel(),
        Command::Reconnect => {
            match crate::probe::ProbeContext::with_network(probes.ctx.timeout, &app.options.net) {
                Ok(mut ctx) => {
                    probes.cancel();
                    // Quitting and signals still cancel everything through the root token.
                    ctx.cancel = probes.ctx.cancel.clone();
                    probes.ctx = ctx;
                }
                Err(e) => {
                    let _ = tx.send(Message::Delivered(format!(
                        "✘ the connection options could not be applied: {e}"
                    )));
                }
            }
        }
        Command::Copy { text } => {
            let tx = tx.clone();
            let dir = cwd.to_path_buf();
            // The clipboard can block for a moment (X11 round trips): off the loop.
            tokio::task::spawn_blocking(move || {
                let line = match crate::report::deliver(&text, &dir) {
                    Ok(d) => format!("✔ {d}"),
                    Err(e) => format!("✘ could not copy or save the ticket: {e}"),
                };
                let _ = tx.send(Message::Delivered(line));
            });
        }
        Command::Save { text, ext } => {
            let line = match crate::report::deliver::save_new(cwd, ext, &text) {
                Ok(p) => format!("✔ saved to {}", p.display()),
                Err((_, e)) => format!("✘ could not save the ticket in {}: {e}", cwd.display()),
            };
            let _ = tx.send(Message::Delivered(line));
        }
        Command::Quit { save_session } => {
            if save_session && let Some(engine) = &app.engine {
                let path = app.options.save_session.as_deref();
                exit.notices.push(
                    match session_file::save(engine.session(), engine.flows(), path, cwd) {
                        Ok(p) => format!("session saved to {}", p.display()),
                        Err(e) => format!("could not save the session: {e}"),
                    },
                );
            }
        }
    }
}
