//! Tab completes file paths as a shell does, in the real binary in tmux: a unique match, the
//! common start of several (listed on screen), folders with a trailing '/', `~` as the home
//! folder; in a flow's path field and in the connection box's CA file field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::tmux::Tmux;

/// A visitor flow whose first step asks for a file.
const FLOW: &str = r"
id: visitor
title: Visitor
start: files
nodes:
  files:
    title: Pick the log file
    body: The access log of the site.
    inputs:
      - id: log_file
        kind: path
        prompt: The access log
    choices:
      - label: Done
        goto: done
  done:
    title: Done
    end: escalate
";

#[test]
fn tab_completes_paths_in_path_fields_and_the_ca_file() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path();
    for name in ["access.log", "access.log.1", "error.log"] {
        std::fs::write(base.join(name), "").unwrap();
    }
    std::fs::create_dir(base.join("conf.d")).unwrap();
    std::fs::create_dir_all(base.join("home")).unwrap();
    std::fs::write(base.join("home/site-ca.pem"), "").unwrap();
    let flows = base.join("flows");
    std::fs::create_dir(&flows).unwrap();
    std::fs::write(flows.join("visitor.yaml"), FLOW).unwrap();
    let command = format!(
        "HOME='{}' '{}' --flows '{}' 'http://127.0.0.1:9/'; sleep 60",
        base.join("home").display(),
        env!("CARGO_BIN_EXE_why401"),
        flows.display()
    );
    let Some(tmux) = Tmux::start_sized("paths", base, &command, 120, 40) else {
        return;
    };
    tmux.wait_for("Who are you?");
    // The connection box: `~/si` and Tab give the CA file under the home folder.
    tmux.keys(&["o"]);
    tmux.wait_for("Trust the CA file");
    tmux.keys(&["~/si", "Tab"]);
    let home_pem = format!("{}/home/site-ca.pem", base.display());
    tmux.wait_for(&home_pem);
    tmux.keys(&["Escape"]);
    tmux.wait_for("Who are you?");
    tmux.keys(&["Enter"]);
    tmux.wait_for("The access log");
    // Several matches: the common start is filled in and the matches are listed.
    tmux.keys(&["acc", "Tab"]);
    let screen = tmux.wait_for("2 matches: access.log  access.log.1");
    assert!(screen.contains("access.log"), "{screen}");
    // A folder gets its trailing '/'.
    tmux.keys(&["BSpace"; 10]);
    tmux.keys(&["co", "Tab"]);
    tmux.wait_for("conf.d/");
    // One match: the whole name; Enter takes it.
    tmux.keys(&["BSpace"; 7]);
    tmux.keys(&["e", "Tab"]);
    tmux.wait_for("error.log");
    tmux.keys(&["Enter"]);
    tmux.wait_for("1. Done");
}
