//! A tmux server of its own per test: the real binary in a real terminal, keys sent as a
//! person types them, the screen read back.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use super::servers;

/// How long a person needs at least to see a new screen before typing: the wizard drops keys
/// that come sooner (typed ahead), so the tests wait this long before each key.
const READ_PAUSE: Duration = Duration::from_millis(250);

/// A tmux server of its own (`-L`), so tests never touch the user's sessions.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `command` in a detached 100x30 session, or None (skip) without tmux.
    pub fn start(name: &str, dir: &Path, command: &str) -> Option<Self> {
        Self::start_sized(name, dir, command, 100, 30)
    }

    /// Starts `command` in a detached `width`x`height` session, or None (skip) without tmux.
    pub fn start_sized(
        name: &str,
        dir: &Path,
        command: &str,
        width: u16,
        height: u16,
    ) -> Option<Self> {
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
            &width.to_string(),
            "-y",
            &height.to_string(),
            "-c",
            dir,
            command,
        ]);
        assert!(out.status.success(), "tmux: {out:?}");
        Some(t)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .unwrap()
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "w"]).stdout).into_owned()
    }

    /// Waits until `needle` shows (polling the pane), and returns the screen.
    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_until(&format!("'{needle}'"), |s| s.contains(needle))
    }

    /// Waits until the screen satisfies `ok` (polling the pane), and returns it; `what` names
    /// the wait in the failure message.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "{what} never showed; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn keys(&self, keys: &[&str]) {
        std::thread::sleep(READ_PAUSE);
        let mut args = vec!["send-keys", "-t", "w"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    /// Pastes `text` the way a terminal pastes (bracketed, when the program asked for it).
    pub fn paste(&self, text: &str) {
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
