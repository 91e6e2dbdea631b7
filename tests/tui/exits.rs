//! What a person keeps after the wizard: a typed password in no screen after the step that
//! took it, no ticket, no saved session, no stderr; and a terminal that works again however
//! the wizard ended (q then y, Ctrl+C, SIGTERM, an error before it started).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use crate::support::tmux::Tmux;
use crate::support::tui_app;

const CANARY: &str = "CanaryTyped9x7Q";

/// The shell line: the wizard (stderr to `err`), its exit code, the terminal modes it left
/// (`echo`, `icanon` or their `-` forms), then an interactive `sh` whose prompt is `READY$ `.
/// dash draws no line editor of its own: what is typed shows only if the terminal echoes.
fn command(args: &str, err: &Path) -> String {
    format!(
        "'{}' {args} 2>'{}'; echo EXIT=$?; \
         echo MODES: $(stty -a | tr -s ' ;' '\\n\\n' | grep -xE -- '-?(echo|icanon)'); \
         PS1='READY$ ' exec sh -i",
        env!("CARGO_BIN_EXE_why401"),
        err.display()
    )
}

/// After the wizard: the normal screen, echo and line mode on, a shell that answers.
fn assert_terminal_restored(tmux: &Tmux, gone: &str) -> String {
    let after = tmux.wait_for("READY$");
    assert!(!after.contains(gone), "alternate screen left:\n{after}");
    assert!(after.contains("MODES: icanon echo"), "{after}");
    tmux.keys(&["echo ALIVE-$((40+2))", "Enter"]);
    let shell = tmux.wait_for("ALIVE-42");
    // The command line itself shows: the terminal echoes what is typed.
    assert!(shell.contains("echo ALIVE-$((40+2))"), "no echo:\n{shell}");
    after
}

fn flows_dir(dir: &Path) -> std::path::PathBuf {
    let flows = dir.join("flows");
    std::fs::create_dir(&flows).unwrap();
    std::fs::write(flows.join("visitor.yaml"), tui_app::VISITOR).unwrap();
    flows
}

fn serve() -> (tokio::runtime::Runtime, String) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = rt.block_on(tui_app::serve_basic_401());
    (rt, url)
}

/// The pid of the wizard running under the pane's shell.
fn wizard_pid(tmux: &Tmux) -> String {
    let out = tmux.run(&["list-panes", "-t", "w", "-F", "#{pane_pid}"]);
    let shell = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let out = Command::new("pgrep")
        .args(["-P", &shell, "-x", "why401"])
        .output()
        .unwrap();
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(!pid.is_empty(), "why401 not found under the pane's shell");
    pid
}

/// Starts the wizard at `url` in tmux, waiting for the start screen.
fn started(name: &str, dir: &Path, url: &str) -> Option<Tmux> {
    let flows = flows_dir(dir);
    let args = format!("--flows '{}' '{url}'", flows.display());
    let tmux = Tmux::start(name, dir, &command(&args, &dir.join("stderr.txt")))?;
    tmux.wait_for("Who are you?");
    Some(tmux)
}

#[test]
fn q_then_y_restores_the_terminal() {
    let (_rt, url) = serve();
    let dir = tempfile::tempdir().unwrap();
    let Some(tmux) = started("exit-q", dir.path(), &url) else {
        return;
    };
    // A walk begun: q asks first (on the start screen there is nothing to lose).
    tmux.keys(&["Enter"]);
    tmux.wait_for("★ suggested");
    tmux.keys(&["q"]);
    tmux.wait_for("Leave the wizard?");
    tmux.keys(&["y"]);
    let after = assert_terminal_restored(&tmux, "★ suggested");
    assert!(after.contains("EXIT=0"), "{after}");
}

#[test]
fn ctrl_c_restores_the_terminal() {
    let (_rt, url) = serve();
    let dir = tempfile::tempdir().unwrap();
    let Some(tmux) = started("exit-ctrl-c", dir.path(), &url) else {
        return;
    };
    tmux.keys(&["C-c"]);
    assert_terminal_restored(&tmux, "Who are you?");
}

#[test]
fn sigterm_restores_the_terminal() {
    let (_rt, url) = serve();
    let dir = tempfile::tempdir().unwrap();
    let Some(tmux) = started("exit-term", dir.path(), &url) else {
        return;
    };
    let pid = wizard_pid(&tmux);
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let after = assert_terminal_restored(&tmux, "Who are you?");
    assert!(after.contains("EXIT=0"), "{after}");
}

#[test]
fn an_unreadable_resume_file_is_a_one_line_error_and_the_terminal_works() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("walk.json");
    std::fs::write(&bad, "{ this is not a session").unwrap();
    let err = dir.path().join("stderr.txt");
    let args = format!("--resume '{}'", bad.display());
    let Some(tmux) = Tmux::start("exit-resume", dir.path(), &command(&args, &err)) else {
        return;
    };
    let after = assert_terminal_restored(&tmux, "Who are you?");
    assert!(after.contains("EXIT=2"), "{after}");
    let stderr = std::fs::read_to_string(&err).unwrap();
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("walk.json"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// The password typed key by key (as a person types it) at the login step: masked while
/// typed, and after that step in no screen, not in the ticket, the saved session or stderr.
#[test]
fn a_typed_password_is_in_no_screen_ticket_session_or_stderr() {
    let (_rt, url) = serve();
    let dir = tempfile::tempdir().unwrap();
    let flows = flows_dir(dir.path());
    let session = dir.path().join("walk.json");
    let err = dir.path().join("stderr.txt");
    let args = format!(
        "--flows '{}' --save-session '{}' '{url}'",
        flows.display(),
        session.display()
    );
    let Some(tmux) = Tmux::start("canary-typed", dir.path(), &command(&args, &err)) else {
        return;
    };
    let mut screens = vec![super::e2e::log_in_as_dana_with(&tmux, CANARY, false)];
    screens.push(tmux.wait_for("Ask the site owner"));
    tmux.keys(&["Enter"]);
    screens.push(tmux.wait_for("c and s give markdown"));
    tmux.keys(&["s"]);
    screens.push(tmux.wait_for("saved to"));
    tmux.keys(&["q"]);
    screens.push(tmux.wait_for("Leave the wizard?"));
    tmux.keys(&["y"]);
    screens.push(assert_terminal_restored(&tmux, "c and s give markdown"));
    for screen in &screens {
        assert!(!screen.contains(CANARY), "on screen:\n{screen}");
    }
    let ticket = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("why401-ticket-"))
        })
        .expect("a saved ticket");
    let ticket = std::fs::read_to_string(ticket).unwrap();
    assert!(ticket.contains("dana"), "{ticket}");
    let saved = std::fs::read_to_string(&session).unwrap();
    assert!(saved.contains("dana"), "{saved}");
    let stderr = std::fs::read_to_string(&err).unwrap();
    for (what, text) in [
        ("ticket", &ticket),
        ("session", &saved),
        ("stderr", &stderr),
    ] {
        assert!(!text.contains(CANARY), "in the {what}:\n{text}");
    }
}
