//! `why401 ... | head`: a reader that goes away is not a crash.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};

#[test]
fn a_closed_stdout_ends_quietly_without_a_panic() {
    let bin = assert_cmd::cargo::cargo_bin("why401");
    for args in [
        vec!["flows", "probes"],
        vec!["completions", "zsh"],
        vec!["flows", "schema"],
    ] {
        let mut child = Command::new(&bin)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(0 | 141)),
            "{args:?}: {:?}",
            out.status
        );
    }
}
