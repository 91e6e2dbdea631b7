//! Tickets of commands (`check`, `jwt`, `server`, `logs`): built from probe reports and
//! causes, with attachments, and whatever lands in them still fits and stays secret-free.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::TimeZone as _;
use proptest::prelude::*;
use why401::diagnose::CauseHit;
use why401::probe::{ProbeReport, Verdict};
use why401::report::Ticket;
use why401::report::TicketFormat;
use why401::report::render::TEXT_WIDTH;
use why401::report::ticket::{Credential, TargetSpec};

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap()
}

fn http_report(date: &str) -> ProbeReport {
    let mut r = ProbeReport::new("http", "http");
    r.verdict = Verdict::Fail;
    r.summary = "401 without a WWW-Authenticate challenge".into();
    r.fact("responded", true);
    r.fact("status", 401_i64);
    r.fact("reason", "Unauthorized");
    r.fact("final_url", "http://127.0.0.1:8080/old");
    r.fact("location", "https://127.0.0.1:8443/new");
    r.fact("header.date", date);
    r.fact("header.server", "nginx/1.22.1");
    r.fact("sent_credentials", true);
    r.elapsed_ms = 12;
    r.evidence = vec!["POST http://127.0.0.1:8080/old → 401 Unauthorized".into()];
    r.causes.push(CauseHit::new(
        "missing-www-authenticate",
        0.6,
        "401 with no WWW-Authenticate header",
    ));
    r
}

fn check_ticket() -> Ticket {
    let mut target = TargetSpec::request("http://127.0.0.1:8080/old", "POST");
    target.credentials = vec![
        Credential::basic("alice"),
        Credential::Cookie {
            names: vec!["sid".into()],
        },
        Credential::Header {
            name: "X-API-Key".into(),
        },
    ];
    let hits = vec![CauseHit::new(
        "credentials-dropped-on-redirect",
        0.9,
        "http → https redirect to another port",
    )];
    let mut t = Ticket::from_reports_at(
        &target,
        &[http_report("Mon, 23 Nov 2026 01:00:42 GMT")],
        hits,
        now(),
    );
    t.environment.os = "linux x86_64 (test)".into();
    t.attach(
        "nginx error log",
        Some("/var/log/nginx/error.log:42"),
        vec![r#"2026/11/23 01:00:41 [error] 7#7: *1 user "alice": password mismatch, client: 127.0.0.1"#.into()],
    );
    t
}

#[test]
fn check_ticket_markdown() {
    let md = check_ticket().render(TicketFormat::Md);
    insta::assert_snapshot!("check_ticket_md", md);
}

#[test]
fn check_ticket_text_fits() {
    let text = check_ticket().render(TicketFormat::Text);
    assert!(
        text.lines().all(|l| l.chars().count() <= TEXT_WIDTH),
        "{text}"
    );
    insta::assert_snapshot!("check_ticket_text", text);
}

#[test]
fn clock_offset_comes_from_the_date_header_of_a_fresh_check() {
    let t = check_ticket();
    assert_eq!(t.environment.clock_offset_seconds, Some(42.0));
    assert!(
        t.render(TicketFormat::Md)
            .contains("Clock offset to the server:** +42 s")
    );
}

#[test]
fn a_clock_probe_wins_over_the_date_header() {
    let mut clock = ProbeReport::new("clock", "clock");
    clock.fact("offset_seconds", -300_i64);
    let t = Ticket::from_reports_at(
        &TargetSpec::request("http://127.0.0.1:1/", "GET"),
        &[clock, http_report("garbage")],
        vec![],
        now(),
    );
    assert_eq!(t.environment.clock_offset_seconds, Some(-300.0));
    assert!(
        t.environment
            .clock_offset_source
            .unwrap()
            .contains("Date header vs this machine, check")
    );
}

#[test]
fn a_ticket_about_a_file_has_no_curl() {
    let mut r = ProbeReport::new("htpasswd", "htpasswd");
    r.summary = "line 2 has CRLF ending".into();
    let hits = vec![CauseHit::new(
        "htpasswd-malformed",
        0.95,
        "/etc/nginx/users:2: CRLF line ending",
    )];
    let t = Ticket::from_reports_at(
        &TargetSpec::described("htpasswd file /etc/nginx/users"),
        &[r],
        hits,
        now(),
    );
    assert!(t.reproduce.is_none());
    let md = t.render(TicketFormat::Md);
    assert!(
        md.contains("- **What:** htpasswd file /etc/nginx/users"),
        "{md}"
    );
    assert!(md.contains("`htpasswd-malformed`, 95%"), "{md}");
    assert!(md.contains("**Who applies it:** site owner"), "{md}");
}

#[test]
fn no_causes_says_so() {
    let t = Ticket::from_reports_at(
        &TargetSpec::request("http://127.0.0.1:1/", "GET"),
        &[],
        vec![],
        now(),
    );
    assert_eq!(t.summary, "no cause identified yet");
    assert!(
        t.render(TicketFormat::Text)
            .contains("No cause identified.")
    );
}

fn field() -> impl Strategy<Value = String> {
    "[ -~]{0,120}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever text lands in a ticket, the text form fits 72 columns and a typed canary
    /// never comes out of any format.
    #[test]
    fn any_content_fits_and_hides_the_canary(
        canary in "[A-Za-z0-9]{10,20}",
        summary in field(),
        evidence in proptest::collection::vec(field(), 0..4),
        url_tail in "[a-z0-9/?=&]{0,200}",
        note in field(),
    ) {
        let canary = format!("ZZ{canary}");
        let mut r = ProbeReport::new("p", "http");
        r.summary = format!("{summary} {canary}");
        r.evidence = evidence.iter().map(|e| format!("{e}{canary}{e}")).collect();
        r.fact("final_url", format!("http://127.0.0.1:1/{url_tail}"));
        r.fact("responded", true);
        let hits = vec![CauseHit::new("bad-credentials", 0.5, format!("Authorization: Basic {canary}"))];
        let target = TargetSpec::request(&format!("http://127.0.0.1:1/{url_tail}"), "GET");
        let mut t = Ticket::from_reports_at(&target, &[r], hits, now());
        t.add_secret("password", &canary);
        t.help_desk.agent_notes = vec![format!("{note}{canary}")];
        t.attach("log", Some("x.log:1"), vec![format!("{note} {canary}")]);
        for f in [TicketFormat::Md, TicketFormat::Text, TicketFormat::Json] {
            let out = t.render(f);
            prop_assert!(!out.contains(&canary), "{:?}:\n{}", f, out);
            if f == TicketFormat::Text {
                for line in out.lines() {
                    prop_assert!(line.chars().count() <= TEXT_WIDTH, "too wide: {:?}", line);
                }
            }
        }
    }
}

/// A long URL is cut with `\` continuations in the text ticket; bash must read back the
/// very same command.
#[test]
fn long_curl_lines_in_text_paste_back_into_bash() {
    let url = format!(
        "http://127.0.0.1:8080/{}?page=2&q=a%20b",
        "segment/".repeat(25)
    );
    let mut target = TargetSpec::request(&url, "GET");
    target.credentials = vec![Credential::bearer()];
    let text = Ticket::from_reports_at(&target, &[], vec![], now()).render(TicketFormat::Text);
    let block: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("curl "))
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(block.len() > 2, "{text}");
    assert!(block.iter().all(|l| l.chars().count() <= TEXT_WIDTH));
    let script = format!(
        "TOKEN=t0k; curl() {{ printf '%s\\n' \"$@\"; }}\n{}",
        block.join("\n")
    );
    let Ok(out) = std::process::Command::new("bash")
        .args(["-c", &script])
        .output()
    else {
        return;
    };
    let args = String::from_utf8_lossy(&out.stdout);
    let args: Vec<&str> = args.lines().collect();
    assert_eq!(
        args,
        ["-sS", "-i", url.as_str(), "-H", "Authorization: Bearer t0k"],
        "{script}"
    );
}

/// A check run with connection options says so in the ticket's target, in every format:
/// `-k` above all, since its answers may not have come from the site.
#[test]
fn connection_options_are_stated_in_the_ticket() {
    let mut target = TargetSpec::request("https://example.test/api", "GET");
    let net = why401::net::NetOptions {
        insecure: true,
        routes: why401::net::route::Routes {
            resolve: vec![why401::net::route::Resolve {
                host: "example.test".into(),
                port: 443,
                addrs: vec![std::net::Ipv4Addr::LOCALHOST.into()],
            }],
            ..Default::default()
        },
        ..Default::default()
    };
    target.connection = net.summary();
    let t = Ticket::from_reports_at(&target, &[], vec![], now());
    let md = t.render(TicketFormat::Md);
    assert!(
        md.contains("- **Connection:** TLS certificate checks OFF (--insecure)"),
        "{md}"
    );
    assert!(
        md.contains("\\--resolve example.test:443:127.0.0.1"),
        "{md}"
    );
    let text = t.render(TicketFormat::Text);
    assert!(text.contains("TLS certificate checks OFF"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&t.render(TicketFormat::Json)).unwrap();
    assert_eq!(
        json["target"]["connection"][1],
        "--resolve example.test:443:127.0.0.1"
    );
}
