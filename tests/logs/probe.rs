//! The `logs` probe kind: finds this session's own requests by their marker and the error-log
//! lines of the same request, as facts a flow can test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use why401::probe::{FactValue, ProbeContext, ProbeRequest, Verdict, kind, run_one};

#[tokio::test]
async fn the_probe_finds_its_own_lines_and_the_matching_error() {
    let ctx = ProbeContext::new(Duration::from_secs(10)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let access = dir.path().join("access.log");
    let error = dir.path().join("error.log");
    std::fs::write(
        &access,
        format!(
            "127.0.0.1 - - [23/Nov/2026:00:28:15 +0000] \"GET / HTTP/1.1\" 401 179 \"-\" \"curl/8\"\n\
             127.0.0.1 - alice [23/Nov/2026:00:28:16 +0000] \"GET /b/ HTTP/1.1\" 401 179 \"-\" \"{}\"\n\
             127.0.0.1 - alice [23/Nov/2026:00:28:17 +0000] \"GET /b/ HTTP/1.1\" 401 179 \"-\" \"why401/0.1.0 probe/someoneelse\"\n",
            ctx.user_agent
        ),
    )
    .unwrap();
    std::fs::write(
        &error,
        "2026/11/23 00:28:16 [error] 1#1: *10 user \"alice\": password mismatch, client: 127.0.0.1, server: x, request: \"GET /b/ HTTP/1.1\", host: \"x\"\n",
    )
    .unwrap();
    let report = run_logs(ctx, &format!("{},{}", access.display(), error.display())).await;
    assert_eq!(report.verdict, Verdict::Fail, "{report:?}");
    assert_eq!(report.facts["probe_lines"], FactValue::Int(1));
    assert_eq!(report.facts["probe_401"], FactValue::Int(1));
    assert_eq!(report.facts["status_401"], FactValue::Int(3));
    assert_eq!(
        report.facts["top_reason"],
        FactValue::Str("password_mismatch".into())
    );
    // Three 401s within one minute: one full bar.
    assert_eq!(
        report.facts["timeline"],
        FactValue::Str("401s per minute, 2026-11-23T00:28 → 2026-11-23T00:28 UTC: █".into())
    );
    let FactValue::StrList(errs) = &report.facts["probe_error_lines"] else {
        panic!()
    };
    assert_eq!(errs.len(), 1);
    assert!(errs[0].contains("password mismatch"));
    assert_eq!(
        report.facts["probe_causes"],
        FactValue::StrList(vec!["password-mismatch".into()])
    );
    // Every fact produced is declared in the registry with its type.
    let k = kind("logs").unwrap();
    for (name, value) in &report.facts {
        assert_eq!(k.fact_type(name), Some(value.fact_type()), "{name}");
    }
}

#[tokio::test]
async fn a_missing_log_is_a_report_not_a_failure() {
    let ctx = ProbeContext::new(Duration::from_secs(10)).unwrap();
    let mut args = why401::probe::ProbeArgs::new();
    args.insert("files".into(), "/nonexistent/why401/access.log".into());
    let report = run_one(
        ProbeRequest {
            id: "l".into(),
            kind: "logs".into(),
            args,
        },
        ctx,
    )
    .await;
    assert_eq!(report.verdict, Verdict::Fail);
    assert_eq!(report.facts["readable"], FactValue::Bool(false));
    assert!(
        report.summary.contains("/nonexistent/why401/access.log"),
        "{}",
        report.summary
    );
}

/// A log that earlier runs filled with their own requests: this session's, written last, are
/// still found (the probe lines kept are the latest, not the first few hundred).
#[tokio::test]
async fn this_sessions_lines_are_found_behind_many_earlier_runs() {
    let ctx = ProbeContext::new(Duration::from_secs(10)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let access = dir.path().join("access.log");
    let error = dir.path().join("error.log");
    let mut log = String::new();
    for i in 0..1500 {
        log.push_str(&format!(
            "127.0.0.1 - - [23/Nov/2026:00:{:02}:{:02} +0000] \"GET /b/ HTTP/1.1\" 401 179 \"-\" \"why401/0.1.0 probe/earlier{}\"\n",
            i / 60 % 60,
            i % 60,
            i % 7
        ));
    }
    log.push_str(&format!(
        "127.0.0.1 - alice [23/Nov/2026:01:30:00 +0000] \"GET /b/ HTTP/1.1\" 401 179 \"-\" \"{}\"\n",
        ctx.user_agent
    ));
    std::fs::write(&access, log).unwrap();
    std::fs::write(
        &error,
        "2026/11/23 01:30:00 [error] 1#1: *10 user \"alice\" was not found in \"/etc/nginx/htpasswd\", client: 127.0.0.1, server: x, request: \"GET /b/ HTTP/1.1\", host: \"x\"\n",
    )
    .unwrap();
    let report = run_logs(ctx, &format!("{},{}", access.display(), error.display())).await;
    assert_eq!(report.facts["probe_lines"], FactValue::Int(1), "{report:?}");
    assert_eq!(
        report.facts["probe_causes"],
        FactValue::StrList(vec!["user-unknown".into()])
    );
}

/// The `logs` probe run on `files` (comma-separated).
async fn run_logs(ctx: ProbeContext, files: &str) -> why401::probe::ProbeReport {
    let mut args = why401::probe::ProbeArgs::new();
    args.insert("files".into(), files.to_owned());
    run_one(
        ProbeRequest {
            id: "logs".into(),
            kind: "logs".into(),
            args,
        },
        ctx,
    )
    .await
}
