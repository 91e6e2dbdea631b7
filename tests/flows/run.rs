//! `why401 run`: a flow walked headless, probes against a real local server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::basic_site;

use assert_cmd::Command;

const FLOW: &str = r#"
id: door
title: Is the door locked?
start: knock
nodes:
  knock:
    title: Knock
    inputs:
      - { id: url, kind: url, prompt: Address }
    probes:
      - kind: http
        args: { url: "{{url}}" }
    findings:
      - cause: no-credentials-sent
        when: http.status == 401
        evidence: "{{url}} answered {{http.status}} asking for {{http.challenge.scheme}} in realm {{http.challenge.realm}}"
        confidence: 0.7
    next:
      - when: http.status != 401
        goto: open
    choices:
      - { label: I have an account, goto: login }
      - { label: I do not, goto: ticket }
  login:
    title: Log in
    inputs:
      - { id: user, kind: username, prompt: User }
      - { id: password, kind: secret, prompt: Password }
    probes:
      - id: with_creds
        kind: http
        args: { url: "{{url}}", user: "{{user}}", password: "{{password}}" }
    findings:
      - cause: bad-credentials
        when: with_creds.status == 401
        evidence: "credentials for {{user}} rejected ({{password}})"
        confidence: 0.9
    next:
      - when: with_creds.status == 200
        goto: open
      - goto: ticket
  open:
    title: It opens
    end: resolved
  ticket:
    title: Ask the owner
    end: escalate
"#;

fn setup(answers: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("flows")).unwrap();
    std::fs::write(dir.path().join("flows/door.yaml"), FLOW).unwrap();
    let answers_path = dir.path().join("answers.yaml");
    std::fs::write(&answers_path, answers).unwrap();
    (dir, answers_path)
}

fn run(dir: &tempfile::TempDir, answers: &std::path::Path, format: &str) -> std::process::Output {
    Command::cargo_bin("why401")
        .unwrap()
        .arg("--flows")
        .arg(dir.path().join("flows"))
        .args([
            "run",
            "--flow",
            "door",
            "--timeout",
            "5",
            "--format",
            format,
            "--allow-env",
            "--answers",
        ])
        .arg(answers)
        .env("WHY401_TEST_PASSWORD", "canary-wrong-password-7Hx")
        .output()
        .unwrap()
}

#[test]
fn probes_really_run_and_findings_reach_the_ticket() {
    let site = basic_site::start();
    let (dir, answers) = setup(&format!(
        "url: {site}/admin\nknock: I have an account\nuser: alice\npassword: {{ env: WHY401_TEST_PASSWORD }}\n"
    ));
    let out = run(&dir, &answers, "json");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ticket: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let causes: Vec<&str> = ticket["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    // The first request's "no credentials sent" is true of it alone: once the login sent
    // some, the walk's ranking no longer lists it.
    assert_eq!(causes, ["bad-credentials"]);
    let text = String::from_utf8_lossy(&out.stdout);
    // The finding's evidence template is filled from the answers, the password as a
    // fingerprint only.
    assert!(text.contains("credentials for alice rejected ("), "{text}");
    assert!(
        !text.contains("canary-wrong-password-7Hx"),
        "the password leaked into the ticket"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("canary-wrong-password-7Hx"));
}

#[test]
fn the_right_password_resolves_and_exits_0() {
    let site = basic_site::start();
    let (dir, answers) = setup(&format!(
        "url: {site}/admin\nknock: login\nuser: alice\npassword: \"{}\"\n",
        basic_site::PASSWORD
    ));
    let out = run(&dir, &answers, "text");
    // a finding on the first step (401 without credentials) is still evidence: exit 1
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("It opens"), "{text}");
    let open = format!("url: {site}/open\n");
    std::fs::write(&answers, open).unwrap();
    let out = run(&dir, &answers, "text");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_missing_answer_names_the_node_and_exits_2() {
    let site = basic_site::start();
    let (dir, answers) = setup(&format!("url: {site}/admin\n"));
    let out = run(&dir, &answers, "md");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("node 'door:knock' needs a choice"), "{err}");
    assert!(err.contains("1) I have an account, 2) I do not"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
}

#[test]
fn bad_answers_files_are_clear_errors() {
    let (dir, answers) = setup("url: [unclosed\n");
    let out = run(&dir, &answers, "md");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("answers.yaml:"), "{err}");
    std::fs::write(&answers, "url: ftp://nowhere/\n").unwrap();
    let out = run(&dir, &answers, "md");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("input 'url'"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&answers, "url: http://127.0.0.1:9/\nknock: nonsense\n").unwrap();
    let out = run(&dir, &answers, "md");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no choice matching"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_unreachable_server_is_a_finding_not_a_crash() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (dir, answers) = setup(&format!("url: http://127.0.0.1:{port}/\nknock: I do not\n"));
    let out = run(&dir, &answers, "json");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("server-unreachable"), "{text}");
    assert!(text.contains("refused"), "{text}");
}

/// The shipped owner flow, walked headless against a real Basic site: every request the walk
/// made is listed with its method and URL (the battery's and the flow's own probes alike), and
/// the clock offset comes from the battery's clock request instead of reading "not measured".
#[test]
fn every_observed_request_names_its_url_and_the_clock_is_measured() {
    let site = basic_site::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("error.log");
    std::fs::write(&log, "").unwrap();
    let answers = dir.path().join("answers.yaml");
    std::fs::write(
        &answers,
        format!(
            "url: {site}/admin\nreplicate: 6\nip_rate_limit: 3\nlog_file: {}\nlogs: 4\n",
            log.display()
        ),
    )
    .unwrap();
    let out = Command::cargo_bin("why401")
        .unwrap()
        .args([
            "run",
            "--flow",
            "owner",
            "--timeout",
            "5",
            "--format",
            "text",
        ])
        .arg("--answers")
        .arg(&answers)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.code() == Some(1),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let observed: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("WHAT WAS OBSERVED"))
        .take_while(|l| !l.starts_with("LIKELY CAUSES"))
        .filter(|l| l.starts_with("- "))
        .collect();
    assert!(observed.len() >= 2, "{text}");
    for line in &observed {
        assert!(
            line.contains(&format!("{site}/admin")),
            "a request without its URL: {line}\n{text}"
        );
    }
    assert!(
        observed.iter().any(|l| l.starts_with("- OPTIONS ")),
        "the CORS preflight is listed as OPTIONS: {text}"
    );
    let clock = text
        .lines()
        .find(|l| l.starts_with("Clock offset to the server:"))
        .unwrap_or_default();
    assert!(
        !clock.contains("not measured") && clock.contains(" s"),
        "{clock}\n{text}"
    );
}

/// Each shipped flow's first step asks the address once without credentials: its own probes
/// (status, challenge, clock, cache, cookies, limits) and the whole check battery read that one
/// request, so the server sees one plain GET (a server counting them says so).
#[test]
fn a_start_step_sends_its_plain_request_once() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let gets = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&gets);
    let site = crate::support::loopback::site(move |m, h| {
        if m == axum::http::Method::GET && !h.contains_key("authorization") {
            seen.fetch_add(1, Ordering::SeqCst);
        }
        crate::support::loopback::answer(
            401,
            &[("www-authenticate", r#"Bearer realm="api""#.into())],
            "",
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.yaml");
    std::fs::write(&answers, format!("url: {site}/v1/orders\n")).unwrap();
    for flow in ["visitor", "owner", "api"] {
        gets.store(0, Ordering::SeqCst);
        // Only the address is answered: the walk stops (exit 2) at the first question after
        // the start step, so what the server saw is that step's requests.
        let out = Command::cargo_bin("why401")
            .unwrap()
            .args(["run", "--flow", flow, "--timeout", "5", "--answers"])
            .arg(&answers)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{flow}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let n = gets.load(Ordering::SeqCst);
        println!("{flow}: the start step sent {n} plain GET(s)");
        assert_eq!(n, 1, "{flow}: {n} plain GETs of the same address");
    }
    // The ticket lists that request once, though the step's http probe and the battery both
    // read it.
    std::fs::write(
        &answers,
        format!("url: {site}/v1/orders\nhow_auth: 4\nclient_header: 5\nclock: 2\nenvironment: 2\n"),
    )
    .unwrap();
    let out = Command::cargo_bin("why401")
        .unwrap()
        .args(["run", "--flow", "api", "--timeout", "5", "--format", "text"])
        .arg("--answers")
        .arg(&answers)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let gets = text
        .lines()
        .skip_while(|l| !l.starts_with("WHAT WAS OBSERVED"))
        .take_while(|l| !l.starts_with("LIKELY CAUSES"))
        .filter(|l| l.starts_with("- GET "))
        .count();
    assert_eq!(gets, 1, "{text}{}", String::from_utf8_lossy(&out.stderr));
}

const HAR_FLOW: &str = r#"
id: harflow
title: What the browser sent
start: read
nodes:
  read:
    title: Read the HAR
    inputs:
      - { id: har, kind: path, prompt: HAR file }
    probes:
      - kind: har
        args: { file: "{{har}}" }
    next:
      - when: har.unauthorized > 0 && !har.sent_authorization && !har.sent_cookie
        goto: bare
      - goto: other
  bare:
    title: The browser sent nothing
    end: escalate
  other:
    title: Something else
    end: escalate
"#;

/// A HAR as a browser exports it: one GET answered 401 with a Basic challenge, no credentials.
const BARE_HAR: &str = r#"{"log":{"version":"1.2","creator":{"name":"Firefox","version":"133.0"},"pages":[],"entries":[
{"startedDateTime":"2026-12-02T17:00:00.000Z","time":12,"request":{"method":"GET","url":"http://127.0.0.1:9/admin/","httpVersion":"HTTP/1.1","headers":[{"name":"Host","value":"127.0.0.1:9"}],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},
"response":{"status":401,"statusText":"Unauthorized","httpVersion":"HTTP/1.1","headers":[{"name":"WWW-Authenticate","value":"Basic realm=\"staff\""}],"cookies":[],"content":{"size":0,"mimeType":"text/html"},"redirectURL":"","headersSize":-1,"bodySize":0},"cache":{},"timings":{"send":0,"wait":10,"receive":2}}]}}"#;

/// `run --har FILE` gives the HAR step its file without an answer, as the wizard's `--har`
/// does; a --har that is not a file is one line naming the option, and nothing is walked.
#[test]
fn run_reads_the_har_given_on_the_command_line() {
    let (dir, answers) = setup("{}\n");
    std::fs::write(dir.path().join("flows/harflow.yaml"), HAR_FLOW).unwrap();
    let har = dir.path().join("visit.har");
    std::fs::write(&har, BARE_HAR).unwrap();
    let walk = |har: &std::path::Path| {
        Command::cargo_bin("why401")
            .unwrap()
            .arg("--flows")
            .arg(dir.path().join("flows"))
            .args(["run", "--flow", "harflow", "--format", "json", "--answers"])
            .arg(&answers)
            .arg("--har")
            .arg(har)
            .output()
            .unwrap()
    };
    let out = walk(&har);
    let ticket: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    let path: Vec<&str> = ticket["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["node"].as_str())
        .collect();
    assert!(path.contains(&"harflow:bare"), "{ticket}");
    let causes = crate::support::loopback::cause_ids(&ticket);
    assert_eq!(
        causes.first().map(String::as_str),
        Some("no-credentials-sent"),
        "{ticket}"
    );
    let out = walk(&dir.path().join("no-such.har"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--har") && err.lines().count() == 1, "{err}");
    assert!(out.stdout.is_empty());
}
