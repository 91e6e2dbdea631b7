//! `why401 logs` on logs from shared/bench/gen_logs.py, every count checked against the
//! generator's truth file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::prelude::*;
use serde_json::Value;

fn generator() -> Option<PathBuf> {
    let candidates = [
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen_logs.py"),
        PathBuf::from("/work/shared/bench/gen_logs.py"),
    ];
    let found = candidates.into_iter().find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but gen_logs.py is missing"
        );
        eprintln!("skipped: shared/bench/gen_logs.py not found");
    }
    found
}

/// Writes a generated log into `dir`; returns its path and truth.
fn generate(dir: &Path, format: &str, size_mb: f64, seed: u32) -> Option<(PathBuf, Value)> {
    let script = generator()?;
    let out = dir.join(format!("{format}-{seed}.log"));
    let status = Command::new("python3")
        .arg(script)
        .args([
            "--size-mb",
            &size_mb.to_string(),
            "--format",
            format,
            "--seed",
            &seed.to_string(),
            "--out",
        ])
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("python3 runs");
    assert!(status.success());
    let truth: Value = serde_json::from_str(
        &std::fs::read_to_string(out.with_extension("log.truth.json")).unwrap(),
    )
    .unwrap();
    Some((out, truth))
}

fn why401_json(args: &[&str]) -> Value {
    let out = Command::cargo_bin("why401")
        .unwrap()
        .arg("logs")
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn pairs(v: &Value, key: &str) -> Vec<(String, u64)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[key].as_str().unwrap().to_owned(),
                e["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn truth_pairs(v: &Value) -> Vec<(String, u64)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_owned(), p[1].as_u64().unwrap()))
        .collect()
}

fn check_access(report: &Value, truth: &Value) {
    assert_eq!(report["access_lines"], truth["total_lines"]);
    assert_eq!(report["status_401"], truth["lines_401"]);
    let top_paths = pairs(&report["top_paths"], "path");
    assert_eq!(top_paths[..5], truth_pairs(&truth["top5_401_paths"])[..]);
    let top_clients = pairs(&report["top_clients"], "client");
    assert_eq!(top_clients[..5], truth_pairs(&truth["top5_401_ips"])[..]);
    let odd = &truth["odd_lines"];
    let broken =
        odd["truncated"].as_u64().unwrap_or(0) + odd["binary_garbage"].as_u64().unwrap_or(0);
    assert_eq!(report["malformed"].as_u64().unwrap(), broken);
    assert_eq!(
        report["nul_prefixed"].as_u64().unwrap(),
        odd["nul_prefix"].as_u64().unwrap_or(0)
    );
    // Per-minute 401 counts: the truth's five busiest minutes.
    assert_eq!(
        pairs(&report["busiest_minutes"], "start"),
        truth_pairs(&truth["top5_401_minutes"])
    );
}

#[test]
fn nginx_and_apache_access_logs_match_their_truth() {
    let dir = tempfile::tempdir().unwrap();
    for (format, seed) in [("nginx-combined", 7), ("apache-combined", 11)] {
        let Some((log, truth)) = generate(dir.path(), format, 24.0, seed) else {
            return;
        };
        let report = why401_json(&[log.to_str().unwrap()]);
        check_access(&report, &truth);
        assert!(
            report["causes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == "brute-force-suspected")
        );
    }
}

#[test]
fn error_logs_match_their_truth() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["nginx-error", "apache-error"] {
        let Some((log, truth)) = generate(dir.path(), format, 3.0, 5) else {
            return;
        };
        let r = why401_json(&[log.to_str().unwrap()]);
        let classes = &truth["class_counts"];
        let af = &r["auth_failures"];
        for (ours, theirs) in [
            ("no_credentials", "auth_no_credentials"),
            ("user_not_found", "auth_user_not_found"),
            ("password_mismatch", "auth_password_mismatch"),
            ("wrong_scheme", "auth_wrong_scheme"),
            ("user_file_unreadable", "auth_config_error"),
            ("forbidden", "authz_denied"),
        ] {
            assert_eq!(
                af[ours].as_u64().unwrap_or(0),
                classes[theirs].as_u64().unwrap_or(0),
                "{format} {ours}"
            );
        }
        assert_eq!(
            r["auth_failure_lines"], truth["auth_failure_lines"],
            "{format}"
        );
        assert_eq!(
            pairs(&r["failures_by_user"], "name")[..5],
            truth_pairs(&truth["top5_auth_failure_users"])[..]
        );
        assert_eq!(
            pairs(&r["failures_by_client"], "name")[..5],
            truth_pairs(&truth["top5_auth_failure_ips"])[..]
        );
        assert_eq!(
            pairs(&r["failures_by_path"], "path")[..5],
            truth_pairs(&truth["top5_auth_failure_paths"])[..]
        );
        let ids: Vec<&str> = r["causes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert!(
            ids.contains(&"password-mismatch") && ids.contains(&"user-unknown"),
            "{ids:?}"
        );
    }
}

#[test]
fn a_rotated_gzip_series_and_stdin_give_the_same_counts() {
    let dir = tempfile::tempdir().unwrap();
    let Some((log, truth)) = generate(dir.path(), "nginx-combined", 6.0, 3) else {
        return;
    };
    let data = std::fs::read(&log).unwrap();
    // Split at line ends into three parts: oldest gzipped, as logrotate leaves them.
    let cut = |at: usize| at + data[at..].iter().position(|&c| c == b'\n').unwrap() + 1;
    let (a, b) = (cut(data.len() / 3), cut(2 * data.len() / 3));
    let series = dir.path().join("series");
    std::fs::create_dir(&series).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&data[..a]).unwrap();
    std::fs::write(series.join("access.log.2.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(series.join("access.log.1"), &data[a..b]).unwrap();
    std::fs::write(series.join("access.log"), &data[b..]).unwrap();
    let names: Vec<String> = ["access.log", "access.log.2.gz", "access.log.1"]
        .iter()
        .map(|n| series.join(n).display().to_string())
        .collect();
    let r = why401_json(&names.iter().map(String::as_str).collect::<Vec<_>>());
    check_access(&r, &truth);
    let files: Vec<&str> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(
        files[0].ends_with("access.log.2.gz") && files[2].ends_with("access.log"),
        "{files:?}"
    );

    let out = Command::cargo_bin("why401")
        .unwrap()
        .args(["logs", "--json", "-"])
        .stdin(std::fs::File::open(&log).unwrap())
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    check_access(&r, &truth);
}

#[test]
fn filters_narrow_the_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let Some((log, truth)) = generate(dir.path(), "nginx-combined", 2.0, 1) else {
        return;
    };
    let l = log.to_str().unwrap();
    let (busiest, n) = truth_pairs(&truth["top5_401_minutes"])[0].clone();
    let next = chrono::NaiveDateTime::parse_from_str(&busiest, "%Y-%m-%dT%H:%M").unwrap()
        + chrono::Duration::minutes(1);
    let until = next.format("%Y-%m-%dT%H:%M:00Z").to_string();
    let r = why401_json(&[l, "--since", &format!("{busiest}:00Z"), "--until", &until]);
    assert_eq!(r["status_401"].as_u64().unwrap(), n);
    let r = why401_json(&[l, "--around", &format!("{busiest}:30Z"), "--window", "30s"]);
    assert_eq!(r["status_401"].as_u64().unwrap(), n);
    let (ip, n) = truth_pairs(&truth["top5_401_ips"])[0].clone();
    let r = why401_json(&[l, "--client", &ip]);
    assert_eq!(r["status_401"].as_u64().unwrap(), n);
    let (path, n) = truth_pairs(&truth["top5_401_paths"])[0].clone();
    let r = why401_json(&[l, "--path", &path]);
    assert!(r["status_401"].as_u64().unwrap() >= n);
}
