//! The ticket of a walk against a real nginx with auth_basic and a real htpasswd file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::servers;
use crate::support::ticket_fixture as fixture;

use why401::report::TicketFormat;

const WRONG: &str = "nginxCanary-wrong-pass";

#[test]
fn ticket_of_a_wrong_password_against_real_nginx() {
    let Some(n) = servers::Nginx::start(
        "location /admin/ { auth_basic \"staff only\"; auth_basic_user_file {dir}/users; }",
    ) else {
        return;
    };
    // A real apr1 hash for 'right-pass' (htpasswd -nbm would make another salt).
    std::fs::write(
        n.path("users"),
        "alice:$apr1$0fhsWJOZ$NDQ/N63E7j7R7Y4xdRr6S0\n",
    )
    .unwrap();
    let flows = fixture::flows();
    let session = fixture::walk_url(&flows, Some(&n.url("/admin/")), WRONG, Some(0));
    let t = why401::report::Ticket::from_session_with(&session, Some(&flows), chrono::Utc::now());
    let md = t.render(TicketFormat::Md);
    assert!(!md.contains("nginxCanary"), "{md}");
    assert!(
        md.contains("WWW-Authenticate: `Basic realm=\"staff only\"`"),
        "{md}"
    );
    assert!(md.contains("server: `nginx/"), "{md}");
    assert!(md.contains("401 Unauthorized"), "{md}");
    assert_eq!(t.causes[0].id, "bad-credentials");
    let text = t.render(TicketFormat::Text);
    assert!(
        text.lines()
            .all(|l| l.chars().count() <= why401::report::render::TEXT_WIDTH)
    );
    // nginx logged the failure; the ticket can carry the line, still redacted.
    let mut t = t;
    let log: Vec<String> = n
        .error_log()
        .lines()
        .filter(|l| l.contains("alice"))
        .map(str::to_owned)
        .collect();
    assert!(
        !log.is_empty(),
        "nginx logged nothing about alice: {}",
        n.error_log()
    );
    t.attach("nginx error log", Some("error.log"), log);
    let md = t.render(TicketFormat::Md);
    assert!(md.contains("password mismatch"), "{md}");
    assert!(!md.contains("nginxCanary"));
}
