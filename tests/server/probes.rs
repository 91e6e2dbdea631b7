//! The nginx, htaccess and htpasswd probes as flows run them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::server_http as http;
use crate::support::servers;

use std::time::Duration;

use why401::probe::{FactValue, ProbeArgs, ProbeContext, ProbeRequest, Verdict, run_one};

fn run(kind: &str, args: &[(&str, &str)]) -> why401::probe::ProbeReport {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ctx = ProbeContext::new(Duration::from_secs(5)).unwrap();
    let args: ProbeArgs = args
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    rt.block_on(run_one(
        ProbeRequest {
            id: kind.to_owned(),
            kind: kind.to_owned(),
            args,
        },
        ctx,
    ))
}

fn every_fact_is_declared(r: &why401::probe::ProbeReport) {
    let kind = why401::probe::kind(&r.kind).unwrap();
    for (name, value) in &r.facts {
        assert_eq!(
            kind.fact_type(name),
            Some(value.fact_type()),
            "{}.{name}",
            r.kind
        );
    }
}

#[test]
fn nginx_probe_finds_a_downloadable_user_file() {
    let Some(n) = servers::Nginx::start(
        "location /admin/ { auth_basic \"Admin\"; auth_basic_user_file {dir}/www/.htpasswd; }",
    ) else {
        return;
    };
    servers::htpasswd(&n.path("www/.htpasswd"), "-B", "alice", "pw-canary-1").unwrap();
    let conf = n.path("nginx.conf").display().to_string();
    let url = n.url("/");
    let r = run(
        "nginx",
        &[
            ("nginx_conf", &conf),
            ("path", "/admin/"),
            ("url", &url),
            ("user", "alice"),
            ("password", "pw-canary-1"),
        ],
    );
    every_fact_is_declared(&r);
    assert_eq!(r.facts["auth"], FactValue::Str("basic".into()));
    assert_eq!(r.facts["realm"], FactValue::Str("Admin".into()));
    let live = http::get(n.port, "/admin/", None, &[]).0;
    assert_eq!(r.facts["status_anonymous"], FactValue::Int(i64::from(live)));
    assert_eq!(r.facts["user_file_served"], FactValue::Bool(true));
    assert_eq!(r.facts["user_file_downloadable"], FactValue::Bool(true));
    assert_eq!(r.facts["password_ok"], FactValue::Bool(true));
    assert_eq!(r.verdict, Verdict::Fail);
    assert!(!format!("{r:?}").contains("pw-canary-1"));
}

#[test]
fn htaccess_and_htpasswd_probes_report_facts_and_causes() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users");
    std::fs::write(&users, "\u{feff}alice:{SSHA}AAAA\nbob\n").unwrap();
    let ht = dir.path().join(".htaccess");
    std::fs::write(
        &ht,
        format!(
            "AuthType Basic\nAuthName \"M\"\nAuthUserFile {}\nRequire user carol\n",
            users.display()
        ),
    )
    .unwrap();
    let r = run("htaccess", &[("htaccess", &ht.display().to_string())]);
    every_fact_is_declared(&r);
    assert_eq!(r.facts["auth"], FactValue::Str("basic".into()));
    let FactValue::StrList(causes) = &r.facts["causes"] else {
        panic!()
    };
    assert!(
        causes.contains(&"require-user-not-in-file".to_owned()),
        "{causes:?}"
    );
    assert!(
        causes.contains(&"htpasswd-malformed".to_owned()),
        "{causes:?}"
    );
    let p = run(
        "htpasswd",
        &[
            ("htpasswd", &users.display().to_string()),
            ("server", "nginx"),
            ("user", "alice"),
        ],
    );
    every_fact_is_declared(&p);
    // The BOM is part of the first user's name, so "alice" is not found.
    assert_eq!(p.facts["user_found"], FactValue::Bool(false));
    assert_eq!(p.facts["malformed_lines"], FactValue::Int(2));
    let bad = run("nginx", &[("nginx_conf", "/nonexistent/nginx.conf")]);
    assert_eq!(bad.facts["parse_ok"], FactValue::Bool(false));
    assert_eq!(bad.verdict, Verdict::Fail);
}
