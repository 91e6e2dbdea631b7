//! The real binary in a real terminal (tmux) against a local server that answers 401 with
//! `WWW-Authenticate: Basic realm="staff"`: what a person sees, keys they press, the ticket
//! they save, and a shell that works again afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::tmux;
use crate::support::tui_app;

use tmux::Tmux;

use std::path::{Path, PathBuf};

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

/// From the start screen to the login step's answer: the visitor role, the suggested choice,
/// user `dana` and a pasted password that stays masked.
fn log_in_as_dana(tmux: &Tmux) {
    log_in_as_dana_with(tmux, "CANARY-pw-42", true);
}

/// [`log_in_as_dana`] with `password`, pasted or typed key by key; the screen with the
/// masked password, before it is submitted.
pub(super) fn log_in_as_dana_with(tmux: &Tmux, password: &str, paste: bool) -> String {
    tmux.wait_for("Who are you?");
    tmux.keys(&["Enter"]);
    tmux.wait_for("★ suggested");
    tmux.keys(&["Enter"]);
    tmux.wait_for("User name");
    tmux.keys(&["dana", "Enter"]);
    tmux.wait_for("Password");
    if paste {
        tmux.paste(&format!("{password}\n"));
    } else {
        tmux.keys(&[password]);
    }
    let masked = tmux.wait_for(&"•".repeat(password.chars().count()));
    assert!(!masked.contains(password), "secret on screen:\n{masked}");
    tmux.keys(&["Enter"]);
    masked
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
    tmux.wait_for("c and s give markdown");
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
        !after.contains("c and s give markdown"),
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
    log_in_as_dana(&tmux);
    tmux.wait_for("Ask the site owner");
    tmux.keys(&["Enter"]);
    tmux.wait_for("c and s give markdown");
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
    assert!(!after.contains("c and s give markdown"), "{after}");
}

/// A walk saved on Ctrl+C (with `--save-session`) after a password was typed comes back
/// whole with `--resume`: the password is asked again (never saved), then every step is
/// there, `b` goes back through them, and the address stays.
#[test]
fn a_resumed_walk_asks_for_the_password_again_and_keeps_its_history() {
    let (_rt, url) = serve_basic_401();
    let (dir, flows) = workdir();
    let session = dir.path().join("walk.json");
    let bin = env!("CARGO_BIN_EXE_why401");
    let first = format!(
        "'{bin}' --flows '{}' --save-session '{}' '{url}'; echo EXIT=$?; sleep 60",
        flows.display(),
        session.display()
    );
    let Some(tmux) = Tmux::start("resume-save", dir.path(), &first) else {
        return;
    };
    log_in_as_dana(&tmux);
    tmux.wait_for("Ask the site owner");
    tmux.keys(&["C-c"]);
    let after = tmux.wait_for("EXIT=");
    assert!(after.contains("session saved to"), "{after}");
    let saved = std::fs::read_to_string(&session).unwrap();
    assert!(
        !saved.contains("CANARY"),
        "the password was saved:\n{saved}"
    );
    drop(tmux);

    let second = format!(
        "'{bin}' --flows '{}' --resume '{}'; echo EXIT=$?; sleep 60",
        flows.display(),
        session.display()
    );
    let Some(tmux) = Tmux::start("resume-load", dir.path(), &second) else {
        return;
    };
    let ask = tmux.wait_for("Resume the saved walk");
    assert!(ask.contains("Password"), "{ask}");
    // Enter on an empty field says what to do, without echoing anything typed.
    tmux.keys(&["Enter"]);
    tmux.wait_for("type it again");
    tmux.paste("CANARY-pw-42");
    tmux.keys(&["Enter"]);
    let step = tmux.wait_for("resumed with its 2 steps");
    assert!(step.contains("Ask the site owner"), "{step}");
    assert!(step.contains(&url), "the address is kept:\n{step}");
    assert!(!step.contains("CANARY"), "{step}");
    // Back through the history: the login step's inputs, then the first step's choices.
    tmux.keys(&["b"]);
    tmux.wait_for("Password");
    tmux.keys(&["Escape"]);
    tmux.wait_for("User name");
    tmux.keys(&["Escape"]);
    let first_step = tmux.wait_for("A login box appears in the browser");
    assert!(first_step.contains(&url), "{first_step}");
    assert!(first_step.contains("realm"), "{first_step}");
    tmux.keys(&["C-c"]);
    tmux.wait_for("EXIT=");
}

/// Help-desk mode: every text of the walk speaks of the caller, the choices are the caller's
/// answers relayed by the agent, and the header carries the ticket.
#[test]
fn help_desk_mode_speaks_of_the_caller() {
    let (_rt, url) = serve_basic_401();
    let (dir, flows) = workdir();
    let cmd = format!(
        "'{}' --agent --flows '{}' '{url}'; echo EXIT=$?; sleep 60",
        env!("CARGO_BIN_EXE_why401"),
        flows.display()
    );
    let Some(tmux) = Tmux::start("agent", dir.path(), &cmd) else {
        return;
    };
    tmux.wait_for("Help-desk ticket");
    tmux.keys(&["HD-7", "Enter"]);
    // Enter after the reporter goes down to the callers (the address above is filled).
    tmux.keys(&["Sam", "Enter"]);
    tmux.wait_for("▶ Who is the caller?");
    tmux.keys(&["Enter"]);
    let step = tmux.wait_for("★ suggested");
    for said in [
        "Go through this with the caller:",
        "wants the caller to log in",
        "the realm names the area the",
        "The caller is not sure",
        "ticket HD-7",
    ] {
        assert!(step.contains(said), "'{said}' not on screen:\n{step}");
    }
    for word in [" you ", " your ", " I am "] {
        assert!(!step.contains(word), "'{word}' on screen:\n{step}");
    }
    tmux.keys(&["C-c"]);
    tmux.wait_for("EXIT=");
}
