//! `check URL -u USER` without `--password-stdin`: on a terminal the password is asked for
//! with hidden input (never an empty password in its place), and without one it is an error
//! before anything is sent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use crate::support::loopback;
use crate::support::tmux::Tmux;

const TYPED: &str = "K4NARY-prompted-7788";

/// Every (user, password) a site was sent, anonymous requests as empty.
type Logins = Arc<Mutex<Vec<(String, String)>>>;

/// A Basic site that records every login it is sent.
fn recording_site() -> (String, Logins) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let url = loopback::site(move |_, h| {
        let login = loopback::basic_login(h);
        let ok = login == ("alice".to_owned(), TYPED.to_owned());
        log.lock().unwrap().push(login);
        if ok {
            loopback::answer(200, &[], "ok")
        } else {
            loopback::answer(401, &[loopback::basic()], "no")
        }
    });
    (url, seen)
}

#[test]
fn without_a_terminal_a_user_without_a_password_is_an_error_and_nothing_is_sent() {
    let (url, seen) = recording_site();
    let out = assert_cmd::Command::cargo_bin("why401")
        .unwrap()
        .args(["check", &format!("{url}/admin"), "-u", "alice"])
        .args(["--timeout", "3"])
        .write_stdin("")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--user: no password given; pipe it with --password-stdin"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );
}

#[test]
fn on_a_terminal_the_password_is_asked_hidden_and_sent_as_typed() {
    let (url, seen) = recording_site();
    let dir = tempfile::tempdir().unwrap();
    let command = format!(
        "'{}' check '{url}/admin' -u alice --timeout 5; echo EXIT=$?; sleep 60",
        env!("CARGO_BIN_EXE_why401")
    );
    let Some(tmux) = Tmux::start("prompt", dir.path(), &command) else {
        eprintln!("skipped: no tmux");
        return;
    };
    tmux.wait_for("Password for alice (input hidden):");
    // Nothing is sent while the person types.
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );
    tmux.keys(&[TYPED]);
    let typing = tmux.screen();
    assert!(!typing.contains(TYPED), "echoed:\n{typing}");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("EXIT=");
    assert!(!screen.contains(TYPED), "on screen:\n{screen}");
    assert!(screen.contains("EXIT=0"), "{screen}");
    let seen = seen.lock().unwrap();
    let with_password: Vec<&(String, String)> =
        seen.iter().filter(|(u, _)| !u.is_empty()).collect();
    assert!(!with_password.is_empty(), "{seen:?}");
    for (user, password) in with_password {
        assert_eq!((user.as_str(), password.as_str()), ("alice", TYPED));
    }
}
