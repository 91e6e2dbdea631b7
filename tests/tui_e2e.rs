//! The real binary in a real terminal (tmux) against a local server that answers 401 with
//! `WWW-Authenticate: Basic realm="staff"`: what a person sees, keys they press, the ticket
//! they save, and a shell that works again afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/servers.rs"]
mod servers;
#[path = "support/tui_app.rs"]
mod tui_app;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A tmux server of its own (`-L`), so tests never touch the user's sessions.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `command` in a detached 100x30 session, or None (skip) without tmux.
    fn start(name: &str, dir: &Path, command: &str) -> Option<Self> {
        servers::find_binary(&["tmux"])?;
        let t = Self {
            socket: format!("why401-{name}-{}", std::process::id()),
        };
        let dir = dir.to_str().unwrap();
        let out = t.run(&[
            "new-session",
            "-d",
            "-s",
            "w",
            "-x",
            "100",
            "-y",
            "30",
            "-c",
            dir,
            command,
        ]);
        assert!(out.status.success(), "tmux: {out:?}");
        Some(t)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .unwrap()
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "w"]).stdout).into_owned()
    }

    /// Waits until `needle` shows (polling the pane), and returns the screen.
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "'{needle}' never showed; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "w"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    /// Pastes `text` the way a terminal pastes (bracketed, when the program asked for it).
    fn paste(&self, text: &str) {
        assert!(self.run(&["set-buffer", "--", text]).status.success());
        assert!(
            self.run(&["paste-buffer", "-p", "-t", "w"])
                .status
                .success()
        );
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// A local server answering every request with 401 and a Basic challenge for realm "staff".
fn serve_basic_401() -> (tokio::runtime::Runtime, String) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = rt.block_on(tui_app::serve_basic_401());
    (rt, url)
}

/// A working directory with the test flows in `flows/`.
fn workdir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let flows = dir.path().join("flows");
    std::fs::create_dir(&flows).unwrap();
    std::fs::write(flows.join("visitor.yaml"), tui_app::VISITOR).unwrap();
    (dir, flows)
}

/// The shell line tmux runs: the wizard, then its exit code, then a pause to read it.
fn command(flows: &Path, url: &str) -> String {
    format!(
        "'{}' --flows '{}' '{url}'; echo EXIT=$?; sleep 60",
        env!("CARGO_BIN_EXE_why401"),
        flows.display()
    )
}

fn saved_ticket(dir: &Path) -> String {
    let found = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.extension().is_some_and(|x| x == "md")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("why401-ticket-"))
        })
        .expect("a saved ticket");
    std::fs::read_to_string(found).unwrap()
}

#[test]
fn a_visitor_sees_the_basic_challenge_and_saves_a_ticket_with_it() {
    let (_rt, url) = serve_basic_401();
    let (dir, flows) = workdir();
    let Some(tmux) = Tmux::start("visitor", dir.path(), &command(&flows, &url)) else {
        return;
    };
    let start = tmux.wait_for("Who are you?");
    assert!(start.contains(&url), "the URL is prefilled:\n{start}");
    tmux.keys(&["Enter"]);
    let step = tmux.wait_for("★ suggested");
    for evidence in ["401", "Basic", "realm", "staff"] {
        assert!(
            step.contains(evidence),
            "'{evidence}' not on screen:\n{step}"
        );
    }
    tmux.keys(&["Down", "Enter"]);
    tmux.wait_for("Ticket (markdown)");
    tmux.keys(&["s"]);
    let end = tmux.wait_for("saved to");
    assert!(end.contains("why401-ticket-"), "{end}");
    let ticket = saved_ticket(dir.path());
    for evidence in ["401", "Basic", "realm=\"staff\""] {
        assert!(
            ticket.contains(evidence),
            "'{evidence}' not in the ticket:\n{ticket}"
        );
    }
    tmux.keys(&["q"]);
    tmux.wait_for("Leave the wizard?");
    tmux.keys(&["y"]);
    // A cause was found (no login box): exit code 1, and the normal screen is back.
    let after = tmux.wait_for("EXIT=");
    assert!(after.contains("EXIT=1"), "{after}");
    assert!(
        !after.contains("Ticket (markdown)"),
        "alternate screen left:\n{after}"
    );
}

#[test]
fn a_pasted_password_stays_masked_and_out_of_the_ticket_and_ctrl_c_restores_the_shell() {
    let (_rt, url) = serve_basic_401();
    let (dir, flows) = workdir();
    let Some(tmux) = Tmux::start("secret", dir.path(), &command(&flows, &url)) else {
        return;
    };
    tmux.wait_for("Who are you?");
    tmux.keys(&["Enter"]);
    tmux.wait_for("★ suggested");
    tmux.keys(&["Enter"]);
    tmux.wait_for("User name");
    tmux.keys(&["dana", "Enter"]);
    tmux.wait_for("Password");
    tmux.paste("CANARY-pw-42\n");
    let masked = tmux.wait_for("••••••••••••");
    assert!(!masked.contains("CANARY"), "secret on screen:\n{masked}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Ask the site owner");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Ticket (markdown)");
    tmux.keys(&["s"]);
    tmux.wait_for("saved to");
    let ticket = saved_ticket(dir.path());
    assert!(
        !ticket.contains("CANARY"),
        "secret in the ticket:\n{ticket}"
    );
    assert!(ticket.contains("dana"), "{ticket}");
    tmux.keys(&["C-c"]);
    let after = tmux.wait_for("EXIT=");
    assert!(!after.contains("Ticket (markdown)"), "{after}");
}

#[test]
fn sigterm_from_outside_restores_the_terminal() {
    let (_rt, url) = serve_basic_401();
    let (dir, flows) = workdir();
    let Some(tmux) = Tmux::start("sigterm", dir.path(), &command(&flows, &url)) else {
        return;
    };
    tmux.wait_for("Who are you?");
    let out = tmux.run(&["list-panes", "-t", "w", "-F", "#{pane_pid}"]);
    let shell = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let out = Command::new("pgrep")
        .args(["-P", &shell, "-x", "why401"])
        .output()
        .unwrap();
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(
        !pid.is_empty(),
        "why401 not found under the pane's shell {shell}"
    );
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let after = tmux.wait_for("EXIT=");
    assert!(after.contains("EXIT=0"), "{after}");
    assert!(
        !after.contains("Who are you?"),
        "alternate screen left:\n{after}"
    );
}
