//! Canary secrets go in everywhere a secret can enter why401; none may come out, in any
//! command's stdout or stderr, any ticket format, a saved session, or a written file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::ticket_fixture as fixture;

use std::path::Path;

use assert_cmd::Command;
use why401::probe::{ProbeReport, Verdict};
use why401::report::TicketFormat;
use why401::report::deliver::{Deliverer, write_report};
use why401::report::ticket::{Credential, TargetSpec};
use why401::report::{Delivery, Ticket, session_file};

/// Every canary shares this stem, so one search finds them all.
const STEM: &str = "K4NARY";
const TYPED: &str = "K4NARY-typed-pass";
const TOKEN: &str = "K4NARYtokenValue0123456789";
/// A JWT whose signature is the canary (header and claims are evidence and stay).
const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.SzROQVJZLXNpZ25hdHVyZQ";
const SIG: &str = "SzROQVJZLXNpZ25hdHVyZQ";

fn assert_clean(what: &str, text: &str) {
    for needle in [STEM, SIG, "SzROQVJZ", "szrn"] {
        assert!(!text.contains(needle), "{what} leaks {needle}:\n{text}");
    }
}

fn leaky_reports() -> Vec<ProbeReport> {
    let mut r = ProbeReport::new("http", "http");
    r.verdict = Verdict::Fail;
    r.summary = format!("401 after sending Authorization: Bearer {TOKEN}");
    r.fact("status", 401_i64);
    r.fact(
        "final_url",
        format!("http://127.0.0.1:9/api?access_token={STEM}q&x=1"),
    );
    r.fact("header.set-cookie", format!("sid={STEM}cookie; Path=/"));
    r.fact("header.x-echo", format!("Cookie: a={STEM}c2; b={STEM}c3"));
    r.fact("responded", true);
    r.evidence = vec![
        format!("GET http://alice:{STEM}pw@127.0.0.1:9/ → 401"),
        format!("Authorization: Bearer {JWT}"),
        format!("password={STEM}form&api_key={STEM}key&client_secret={STEM}cs"),
        format!(r#"{{"refresh_token": "{STEM}json"}}"#),
    ];
    vec![r]
}

fn leaky_ticket() -> Ticket {
    let mut target = TargetSpec::request(&format!("http://127.0.0.1:9/api?token={STEM}u"), "GET");
    target.credentials = vec![
        Credential::bearer(),
        Credential::ApiKeyQuery { param: "k".into() },
    ];
    let hits = vec![why401::diagnose::CauseHit::new(
        "bad-credentials",
        0.7,
        format!("sent {TYPED}"),
    )];
    let mut t = Ticket::from_reports(&target, &leaky_reports(), hits);
    t.add_secret("password", TYPED);
    t.help_desk.agent_notes = vec![format!("caller read out {TYPED}")];
    t.attach(
        "htpasswd",
        Some("/etc/nginx/users:2"),
        vec![
            "alice:$apr1$K4NARYsa$Zq9v0K4NARYhashhashh1".into(),
            "bob:{SHA}K4NARYK4NARYK4NARYK4NARYK4=".into(),
        ],
    );
    t.attach(
        "key",
        None,
        vec![
            "-----BEGIN PRIVATE KEY-----".into(),
            format!("MIIE{STEM}line"),
            "-----END PRIVATE KEY-----".into(),
        ],
    );
    t.attach(
        "log",
        Some("/var/log/nginx/access.log:10"),
        vec![
            format!("127.0.0.1 - - \"GET /cb?code={STEM}code HTTP/1.1\" 401"),
            format!("Proxy-Authorization: Basic {}", b64(&format!("u:{STEM}"))),
        ],
    );
    t
}

fn b64(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn every_ticket_format_is_clean() {
    let t = leaky_ticket();
    for f in [TicketFormat::Md, TicketFormat::Text, TicketFormat::Json] {
        let out = t.render(f);
        assert_clean(&format!("{f:?}"), &out);
        assert!(
            out.contains("signature removed"),
            "{f:?} lost the JWT claims"
        );
    }
}

#[test]
fn a_walk_with_a_typed_canary_is_clean_everywhere() {
    let flows = fixture::flows();
    let session = fixture::walk(&flows, TYPED, Some(0));
    for f in [TicketFormat::Md, TicketFormat::Text, TicketFormat::Json] {
        assert_clean(&format!("walk {f:?}"), &why401::report::render(&session, f));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let desk = why401::report::ticket::HelpDesk {
        agent_notes: vec![format!("typed {TYPED}")],
        ..Default::default()
    };
    session_file::save(&path, &session, &flows, &desk).unwrap();
    assert_clean("saved session", &std::fs::read_to_string(&path).unwrap());
    let err = session_file::save(Path::new("/proc/x/s.json"), &session, &flows, &desk).unwrap_err();
    assert_clean("save error", &err.to_string());
}

#[test]
fn written_and_delivered_files_are_clean() {
    let dir = tempfile::tempdir().unwrap();
    let t = leaky_ticket();
    let path = dir.path().join("t.md");
    write_report(&path, TicketFormat::Md, &t).unwrap();
    assert_clean("report file", &std::fs::read_to_string(&path).unwrap());
    let err = write_report(dir.path(), TicketFormat::Text, &t).unwrap_err();
    assert_clean("report error", &format!("{err} {}", err.rendered));
    let Delivery::Saved(p) = Deliverer::files_only(dir.path())
        .deliver(&t.render(TicketFormat::Md))
        .unwrap()
    else {
        panic!("not saved")
    };
    assert_clean("delivered file", &std::fs::read_to_string(p).unwrap());
}

/// Runs the binary and checks both streams.
fn run(args: &[&str], stdin: &str, dir: &Path) {
    let out = Command::cargo_bin("why401")
        .unwrap()
        .args(args)
        .current_dir(dir)
        .env("WHY401_API_KEY", format!("{STEM}env"))
        .env_remove("DISPLAY")
        .write_stdin(stdin)
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_clean(&format!("why401 {}", args.join(" ")), &all);
}

/// Writes `text` to `dir/name` and returns the path as text.
fn write_in(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn every_command_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |name: &str, text: &str| write_in(d, name, text);
    let token = write("token.txt", &format!("{TOKEN}\n"));
    let jwt = write("jwt.txt", JWT);
    let secret = write("hs.key", &format!("{STEM}hmac"));
    let htpasswd = write("users", "alice:$apr1$K4NARYsa$Zq9v0K4NARYhashhashh1\n");
    let log = write(
        "access.log",
        &format!(
            "127.0.0.1 - alice [23/Nov/2026:01:02:03 +0000] \"GET /?token={STEM}log HTTP/1.1\" 401 0 \"-\" \"curl\"\n"
        ),
    );
    let answers = write(
        "answers.yaml",
        &format!("url: http://127.0.0.1:9/\npassword: {TYPED}\n"),
    );
    let session = write(
        "session.json",
        &format!("{{\"format\": \"why401-session\", \"version\": 1, \"x\": \"{STEM}s\"}}"),
    );
    let har = write(
        "x.har",
        &format!(
            r#"{{"log": {{"entries": [{{"request": {{"headers": [{{"name": "Authorization", "value": "Bearer {TOKEN}"}}]}}}}]}}}}"#
        ),
    );
    let report = d.join("report.md").display().to_string();
    let cookie = format!("sid={STEM}cookie");
    let header = format!("X-API-Key: {STEM}hdr");
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec![
                "check",
                "http://127.0.0.1:9/",
                "-u",
                "alice",
                "--password-stdin",
                "--report",
                &report,
            ],
            TYPED.to_owned(),
        ),
        (
            vec![
                "check",
                "http://127.0.0.1:9/",
                "--bearer-file",
                &token,
                "-b",
                &cookie,
                "-H",
                &header,
                "--json",
            ],
            String::new(),
        ),
        (
            vec![
                "check",
                "http://127.0.0.1:9/",
                "--api-key-query",
                "k",
                "--bearer-file",
                "-",
            ],
            format!("{TOKEN}\n"),
        ),
        (vec!["jwt", "-"], format!("{JWT}\n")),
        (
            vec!["jwt", &jwt, "--secret-file", &secret, "--json"],
            String::new(),
        ),
        (vec!["har", &har], String::new()),
        (
            vec![
                "server",
                "--htpasswd",
                &htpasswd,
                "-u",
                "alice",
                "--password-stdin",
            ],
            TYPED.to_owned(),
        ),
        (vec!["logs", &log, "--json"], String::new()),
        (
            vec!["logs", "-"],
            format!("Authorization: Bearer {TOKEN}\n"),
        ),
        (
            vec![
                "run",
                "--flow",
                "owner",
                "--answers",
                &answers,
                "--report",
                &report,
            ],
            String::new(),
        ),
        (vec!["--resume", &session], String::new()),
        (vec!["flows", "lint"], String::new()),
        (vec!["flows", "list"], String::new()),
    ];
    for (args, stdin) in &cases {
        run(args, stdin, d);
    }
    for entry in std::fs::read_dir(d).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("why401-") || name == "report.md" {
            assert_clean(&name, &std::fs::read_to_string(&p).unwrap_or_default());
        }
    }
}

/// A site that echoes every credential it is sent, in headers and in its body (debug
/// endpoints and misconfigured proxies do): `check` shows what came back, never the secrets
/// in it, on stdout (text and --json), stderr and every ticket format.
#[test]
fn a_site_echoing_the_credentials_back_leaks_none_of_them() {
    use axum::response::IntoResponse as _;
    let pw = format!("{STEM}echo-pw");
    let basic = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(format!("alice:{pw}"))
    };
    let url = crate::support::loopback::site(|_, h| {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("www-authenticate", "Basic realm=\"echo\"".parse().unwrap());
        let mut body = String::from("you sent:\n");
        for (name, value) in h {
            let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
            body.push_str(&format!("{name}: {v}\n"));
            if let Ok(v) = v.parse() {
                headers.append(
                    axum::http::HeaderName::from_bytes(format!("x-echo-{name}").as_bytes())
                        .unwrap(),
                    v,
                );
            }
        }
        (axum::http::StatusCode::UNAUTHORIZED, headers, body).into_response()
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("key"), format!("{STEM}echo-key")).unwrap();
    let cookie = format!("sid={STEM}echo-cookie");
    for (format, json) in [("md", false), ("text", false), ("json", true)] {
        let report = d.join(format!("t.{format}"));
        let mut cmd = Command::cargo_bin("why401").unwrap();
        cmd.args([
            "check",
            &format!("{url}/debug"),
            "-u",
            "alice",
            "--password-stdin",
        ])
        .args(["-b", &cookie, "-H", "X-Api-Key: @key"])
        .args(["--timeout", "5", "--format", format, "--report"])
        .arg(&report)
        .current_dir(d)
        .write_stdin(format!("{pw}\n"))
        .timeout(std::time::Duration::from_secs(60));
        if json {
            cmd.arg("--json");
        }
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if json {
            assert!(
                stdout.contains("header.x-echo-authorization"),
                "the echo was seen: {stdout}"
            );
        }
        // Each fingerprint once: shown again, a fingerprint is not taken for a cookie.
        assert!(!stdout.contains("len=["), "fingerprinted twice: {stdout}");
        for (what, text) in [
            ("stdout", stdout),
            ("stderr", String::from_utf8_lossy(&out.stderr).into_owned()),
            (
                "ticket",
                std::fs::read_to_string(&report).unwrap_or_default(),
            ),
        ] {
            assert_clean(&format!("{format} {what}"), &text);
            assert!(
                !text.contains(&basic),
                "{format} {what} leaks the Basic value:\n{text}"
            );
        }
    }
}

/// Each leak the hostile-input review found, replayed against the real binary: a secret in a
/// URL's query, `user:password@` in an address that does not parse (`check`, `--backend`,
/// `jwt --jwks`, the wizard's `--backend`), a config's fixed Authorization and proxy_pass
/// userinfo (`server`), the second cookie of a folded Set-Cookie (`har`), a token glued to its
/// scheme, and the secret names the three old lists each missed. stdout, stderr and tickets.
#[test]
fn the_leaks_the_review_found_stay_closed() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |name: &str, text: &str| write_in(d, name, text);
    let report = d.join("report.md").display().to_string();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("svc:{STEM}conf"));
    let conf = write(
        "nginx.conf",
        &format!(
            "location / {{ proxy_set_header Authorization \"Basic {basic}\"; proxy_pass http://svc:{STEM}up@127.0.0.1:9; }}\n"
        ),
    );
    let har = write(
        "folded.har",
        &serde_json::json!({"log": {"entries": [{
            "startedDateTime": "2026-01-10T10:00:00.000Z",
            "request": {"method": "GET", "url": "http://127.0.0.1:9/api", "headers": []},
            "response": {"status": 401, "headers": [
                {"name": "WWW-Authenticate", "value": "Bearer realm=\"api\""},
                {"name": "Set-Cookie", "value": format!("a=1; Path=/\nsid={STEM}second; Path=/; HttpOnly")}
            ], "content": {"size": 0, "mimeType": "text/plain"}}
        }]}})
        .to_string(),
    );
    let glued = format!(
        "Authorization: BearereyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.{STEM}glued0123456789"
    );
    let query = format!(
        "http://127.0.0.1:9/api?access_token={STEM}q1&X-Amz-Security-Token={STEM}q2&assertion={STEM}q3&passphrase={STEM}q4"
    );
    let unparsable = format!("http://alice:{STEM}url@[::1");
    let jwt = write(
        "t.jwt",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJl",
    );
    let cases: Vec<Vec<&str>> = vec![
        vec!["check", &query, "--timeout", "3", "--report", &report],
        vec!["check", &query, "--timeout", "3", "--json"],
        vec!["check", &unparsable],
        vec!["check", "http://127.0.0.1:9/", "--backend", &unparsable],
        vec!["--backend", &unparsable],
        vec!["jwt", &jwt, "--jwks", &unparsable],
        vec![
            "server",
            "--nginx",
            &conf,
            "--no-config-test",
            "--report",
            &report,
        ],
        vec!["server", "--nginx", &conf, "--no-config-test", "--json"],
        vec!["har", &har],
        vec!["har", &har, "--json"],
        vec![
            "check",
            "http://127.0.0.1:9/",
            "-H",
            &glued,
            "--timeout",
            "3",
        ],
        vec![
            "check",
            "http://127.0.0.1:9/",
            "-H",
            &glued,
            "--timeout",
            "3",
            "--json",
        ],
    ];
    for args in &cases {
        run(args, "", d);
    }
    let ticket = std::fs::read_to_string(&report).unwrap_or_default();
    assert!(!ticket.is_empty(), "a ticket was written");
    assert_clean("report.md", &ticket);
    assert!(!ticket.contains(&basic), "{ticket}");
}

/// The ticket of a `check` whose request was redirected says which hops carried the
/// credentials (and never "none" beside requests that sent a password).
#[test]
fn a_check_ticket_names_the_hops_that_carried_credentials() {
    let site = crate::support::loopback::serve(axum::Router::new().fallback(
        |uri: axum::http::Uri| async move {
            if uri.path() == "/start" {
                crate::support::loopback::answer(302, &[("location", "/next".to_owned())], "")
            } else {
                crate::support::loopback::answer(401, &[crate::support::loopback::basic()], "no")
            }
        },
    ));
    let dir = tempfile::tempdir().unwrap();
    for ext in ["md", "txt"] {
        let report = dir.path().join(format!("t.{ext}"));
        let out = Command::cargo_bin("why401")
            .unwrap()
            .args([
                "check",
                &format!("{site}/start"),
                "-u",
                "alice",
                "--password-stdin",
            ])
            .args(["--timeout", "5", "--report"])
            .arg(&report)
            .write_stdin(format!("{TYPED}\n"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let ticket = std::fs::read_to_string(&report).unwrap();
        assert_clean(&format!("{ext} ticket"), &ticket);
        let sent = ticket
            .lines()
            .find(|l| l.contains("Credentials sent"))
            .unwrap_or_default();
        // The user, the password's fingerprint (never the password), and which requests.
        let flat = ticket.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            sent.contains("Basic, user 'alice', password") && flat.contains("] (in "),
            "{sent}\n{ticket}"
        );
        let chain = ticket
            .split("Redirect chain:")
            .nth(1)
            .unwrap_or_else(|| panic!("no redirect chain:\n{ticket}"));
        assert!(
            chain.contains(&format!("GET {site}/start → 302 [credentials sent]")),
            "{ticket}"
        );
        assert!(
            chain.contains(&format!("GET {site}/next → 401 [credentials sent]")),
            "{ticket}"
        );
    }
}
