//! `why401 flows lint|graph|schema|list`, completions and man page, through the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;

fn why401() -> Command {
    Command::cargo_bin("why401").unwrap()
}

/// A copy of the broken fixtures plus generated hostile files (alias bomb, 50 MB).
fn bad_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad_flows");
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for n in 'b'..='i' {
        bomb.push_str(&format!(
            "{n}: &{n} [{}]\n",
            vec![format!("*{prev}"); 9].join(",")
        ));
        prev = n;
    }
    std::fs::write(dir.path().join("bomb.yaml"), bomb).unwrap();
    let big = std::fs::File::create(dir.path().join("big.yaml")).unwrap();
    big.set_len(50 * 1024 * 1024).unwrap();
    dir
}

#[test]
fn lint_reports_every_problem_with_its_location_and_exits_1() {
    let dir = bad_dir();
    let out = why401()
        .args(["flows", "lint"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout)
        .unwrap()
        .replace(&dir.path().display().to_string(), "DIR");
    insta::assert_snapshot!(stdout);
    assert!(String::from_utf8_lossy(&out.stderr).contains("18 problem(s)"));
}

#[test]
fn shipped_flows_lint_clean() {
    why401()
        .args(["flows", "lint"])
        .assert()
        .success()
        .stderr(predicates::str::contains("no problems"));
}

#[test]
fn a_help_desk_flow_replaces_a_shipped_one_and_adds_its_own() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("visitor.yaml"),
        "id: visitor\ntitle: Our own visitor flow\nstart: hello\nnodes:\n  hello:\n    title: Call extension 4242\n    end: escalate\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("vpn.yaml"),
        "id: vpn\ntitle: VPN check\nstart: a\nnodes:\n  a:\n    title: On the VPN?\n    choices:\n      - label: yes\n        goto: visitor\n",
    )
    .unwrap();
    let out = why401()
        .arg("--flows")
        .arg(dir.path())
        .args(["flows", "list"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Our own visitor flow"), "{text}");
    assert!(text.contains("VPN check"), "{text}");
    why401()
        .args(["flows", "lint"])
        .arg(dir.path())
        .assert()
        .success();
}

#[test]
fn graph_draws_mermaid_and_dot() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mini.yaml"),
        "id: mini\ntitle: Mini \"quoted\"\nstart: a\nnodes:\n  a:\n    title: Ask\n    choices:\n      - label: Works now\n        goto: ok\n      - label: Still 401\n        goto: a\n      - label: I am the owner\n        goto: other\n  ok:\n    title: Fixed\n    end: resolved\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("other.yaml"), "id: other\ntitle: Other\nstart: hello\nnodes:\n  hello:\n    title: Hello\n    end: escalate\n").unwrap();
    let mermaid = why401()
        .arg("--flows")
        .arg(dir.path())
        .args(["flows", "graph", "mini"])
        .output()
        .unwrap();
    insta::assert_snapshot!("graph_mermaid", String::from_utf8(mermaid.stdout).unwrap());
    let dot = why401()
        .arg("--flows")
        .arg(dir.path())
        .args(["flows", "graph", "mini", "--format", "dot"])
        .output()
        .unwrap();
    insta::assert_snapshot!("graph_dot", String::from_utf8(dot.stdout).unwrap());
    why401()
        .args(["flows", "graph", "nosuch"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no flow 'nosuch'"));
}

#[test]
fn shipped_schema_is_generated_from_the_types() {
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/flow.schema.json"),
    )
    .unwrap();
    assert_eq!(
        shipped,
        why401::flow::schema::flow_schema(),
        "assets/flow.schema.json is stale: regenerate with `cargo run -- flows schema > assets/flow.schema.json`"
    );
}

#[test]
fn help_version_completions_and_man_page() {
    why401()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicates::str::contains("flows"));
    why401()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicates::str::contains(env!("CARGO_PKG_VERSION")));
    why401()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicates::str::contains("_why401"));
    why401()
        .arg("man")
        .assert()
        .success()
        .stdout(predicates::str::contains(".TH why401"));
    why401().arg("--no-such-flag").assert().code(2);
}

#[test]
fn every_subcommand_builds_its_arguments() {
    use clap::CommandFactory;
    why401::cli::Cli::command().debug_assert();
}
