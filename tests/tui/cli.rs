//! How `why401` (the wizard) refuses to start: no terminal, broken flows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;
use predicates::prelude::*;

#[test]
fn without_a_terminal_it_says_what_to_use_instead() {
    Command::cargo_bin("why401")
        .unwrap()
        .arg("http://127.0.0.1:9/")
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the wizard needs a terminal"))
        .stderr(predicate::str::contains("why401 check URL"));
}

#[test]
fn broken_flows_are_listed_with_file_line_and_column_and_nothing_starts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "id: bad\ntitle: Bad\nstart: a\nnodes:\n  a:\n    title: A\n    colour: red\n",
    )
    .unwrap();
    Command::cargo_bin("why401")
        .unwrap()
        .arg("--flows")
        .arg(dir.path())
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::is_match(r"bad\.yaml:\d+:\d+: ").unwrap())
        .stderr(predicate::str::contains(
            "the wizard does not start on broken flows",
        ));
}

#[test]
fn a_session_file_that_is_not_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    std::fs::write(&file, "{\"hello\": 1}").unwrap();
    Command::cargo_bin("why401")
        .unwrap()
        .arg("--resume")
        .arg(&file)
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a why401 session file"));
}

#[test]
fn a_har_file_that_is_not_there_is_one_line_and_exit_2() {
    Command::cargo_bin("why401")
        .unwrap()
        .args([
            "--har",
            "/nonexistent/why401/portal.har",
            "http://127.0.0.1:9/",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--har: /nonexistent/why401/portal.har",
        ))
        .stderr(predicate::str::is_match("^[^\n]*\n$").unwrap());
}
