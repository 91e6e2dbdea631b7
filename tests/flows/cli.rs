//! `why401 flows lint|graph|schema|list`, completions and man page, through the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;

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
    assert!(String::from_utf8_lossy(&out.stderr).contains("17 problem(s)"));
}

#[test]
fn shipped_flows_lint_clean() {
    why401()
        .args(["flows", "lint"])
        .assert()
        .success()
        .stderr(predicates::str::contains("no problems"))
        // A placeholder some path reaches without its probe would read "(not known)".
        .stderr(predicates::str::contains("warning").not());
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

/// A flow whose `start:` names no node, entered from the shipped router: lint, `run` and the
/// wizard must each name the line instead of panicking.
#[test]
fn a_start_naming_no_node_is_reported_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("visitor.yaml"),
        "id: visitor\ntitle: Broken\nstart: nowhere\nnodes:\n  hello:\n    title: Hi\n    end: escalate\n",
    )
    .unwrap();
    let lint = why401()
        .args(["flows", "lint"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(lint.status.code(), Some(1), "{lint:?}");
    let text = String::from_utf8(lint.stdout).unwrap();
    assert!(
        text.contains("visitor.yaml:3:8: start 'nowhere' names no node"),
        "{text}"
    );
    assert!(!String::from_utf8_lossy(&lint.stderr).contains("panicked"));
    let elsewhere = tempfile::tempdir().unwrap();
    let answers = elsewhere.path().join("answers.yaml");
    std::fs::write(&answers, "{}\n").unwrap();
    for args in [
        vec![
            "run",
            "--flow",
            "start",
            "--answers",
            answers.to_str().unwrap(),
        ],
        vec![],
    ] {
        let out = why401()
            .arg("--flows")
            .arg(dir.path())
            .args(&args)
            .write_stdin("")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.contains("visitor.yaml:3:8:"), "{args:?}: {err}");
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        assert_ne!(out.status.code(), Some(101), "{args:?}");
    }
}

mod mutated_flows {
    //! Shipped flows with ids, keys and targets renamed, dropped and retargeted: lint never
    //! panics and every problem names FILE:LINE:COL.
    use proptest::prelude::*;
    use serde_yaml::Value;
    use why401::flow::lint::lint;
    use why401::flow::{FlowSet, load::SHIPPED};

    #[derive(Debug, Clone)]
    enum Step {
        Index(usize),
        Key(Value),
    }

    fn paths(v: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        match v {
            Value::Mapping(m) => {
                for (k, child) in m {
                    here.push(Step::Key(k.clone()));
                    out.push(here.clone());
                    paths(child, here, out);
                    here.pop();
                }
            }
            Value::Sequence(s) => {
                for (i, child) in s.iter().enumerate() {
                    here.push(Step::Index(i));
                    out.push(here.clone());
                    paths(child, here, out);
                    here.pop();
                }
            }
            _ => {}
        }
    }

    fn strings(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) if s.len() < 40 => out.push(s.clone()),
            Value::Mapping(m) => {
                for (k, child) in m {
                    strings(k, out);
                    strings(child, out);
                }
            }
            Value::Sequence(s) => s.iter().for_each(|c| strings(c, out)),
            _ => {}
        }
    }

    fn parent<'a>(root: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
        let mut v = root;
        for step in path {
            v = match (step, v) {
                (Step::Index(i), Value::Sequence(s)) => s.get_mut(*i)?,
                (Step::Key(k), Value::Mapping(m)) => m.get_mut(k)?,
                _ => return None,
            };
        }
        Some(v)
    }

    /// Applies one mutation: 0 renames a key, 1 drops an entry, 2 retargets a value to a
    /// name used elsewhere, 3 to a fresh name.
    fn mutate(root: &mut Value, op: u8, at: usize, pick: usize, fresh: &str) {
        let mut all = Vec::new();
        paths(root, &mut Vec::new(), &mut all);
        let mut pool = Vec::new();
        strings(root, &mut pool);
        if all.is_empty() || pool.is_empty() {
            return;
        }
        let path = &all[at % all.len()];
        let (last, head) = path.split_last().unwrap();
        let borrowed = pool[pick % pool.len()].clone();
        let Some(container) = parent(root, head) else {
            return;
        };
        match (op % 4, last, container) {
            (0, Step::Key(k), Value::Mapping(m)) => {
                if let Some(v) = m.remove(k) {
                    m.insert(Value::String(format!("{fresh}x")), v);
                }
            }
            (1, Step::Key(k), Value::Mapping(m)) => {
                m.remove(k);
            }
            (1, Step::Index(i), Value::Sequence(s)) => {
                s.remove(*i);
            }
            (op, Step::Key(k), Value::Mapping(m)) => {
                let new = if op == 2 { borrowed } else { fresh.to_owned() };
                m.insert(k.clone(), Value::String(new));
            }
            (op, Step::Index(i), Value::Sequence(s)) => {
                s[*i] = Value::String(if op == 2 { borrowed } else { fresh.to_owned() });
            }
            _ => {}
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn lint_never_panics_and_always_locates(
            which in 0..SHIPPED.len(),
            ops in prop::collection::vec((0u8..4, any::<usize>(), any::<usize>(), "[a-z_:.]{0,6}"), 1..4),
        ) {
            let (file, text) = SHIPPED[which];
            let mut doc: Value = serde_yaml::from_str(text).unwrap();
            for (op, at, pick, fresh) in &ops {
                mutate(&mut doc, *op, *at, *pick, fresh);
            }
            let mutated = serde_yaml::to_string(&doc).unwrap();
            let (mut set, mut diags) = FlowSet::load(None);
            let name = format!("custom/{}", file.trim_start_matches("flows/"));
            set.add(&name, &mutated, false, &mut diags);
            diags.extend(lint(&set));
            for d in &diags {
                prop_assert!(!d.file.is_empty(), "{d}");
                prop_assert!(d.loc.line >= 1 && d.loc.col >= 1, "{d}");
                let head = format!("{}:{}:{}: ", d.file, d.loc.line, d.loc.col);
                let located = d.to_string().starts_with(&head);
                prop_assert!(located, "{}", d);
            }
        }
    }
}
