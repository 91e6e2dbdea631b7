use super::*;

fn one(v: &str) -> ChallengeList {
    parse(&[v])
}

#[test]
fn rfc_9110_example_with_two_challenges_and_escapes() {
    let l = one(r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple""#);
    assert_eq!(l.schemes(), vec!["newauth", "basic"]);
    let n = &l.challenges[0];
    assert_eq!(n.param("realm"), Some("apps"));
    assert_eq!(n.param("TYPE"), Some("1"));
    assert_eq!(n.param("title"), Some(r#"Login to "apps""#));
    assert_eq!(l.challenges[1].param("realm"), Some("simple"));
    assert!(l.problems.is_empty(), "{:?}", l.problems);
}

#[test]
fn challenges_across_field_lines_and_token68() {
    let l = parse(&["Negotiate", "NTLM TlRMTVNTUAACAAAA==", "basic Realm=x"]);
    assert_eq!(l.schemes(), vec!["negotiate", "ntlm", "basic"]);
    assert_eq!(
        l.challenges[1].token68.as_deref(),
        Some("TlRMTVNTUAACAAAA==")
    );
    assert_eq!(l.challenges[2].param("realm"), Some("x"));
}

#[test]
fn digest_and_bearer_parameters() {
    let l = one(
        r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", stale=TRUE, Bearer realm="api", error="invalid_token", error_description="The access token expired""#,
    );
    let d = l.find("DIGEST").unwrap();
    assert_eq!(d.param("qop"), Some("auth, auth-int"));
    assert_eq!(d.param("stale"), Some("TRUE"));
    let b = l.find("bearer").unwrap();
    assert_eq!(b.param("error"), Some("invalid_token"));
    assert_eq!(
        b.param("error_description"),
        Some("The access token expired")
    );
}

#[test]
fn bad_whitespace_and_empty_elements_are_accepted() {
    let l = one(r#" , Basic realm = "a" ,, charset=UTF-8 , "#);
    assert_eq!(l.challenges.len(), 1);
    assert_eq!(l.challenges[0].param("charset"), Some("UTF-8"));
    assert!(l.problems.is_empty(), "{:?}", l.problems);
}

#[test]
fn garbage_is_reported_not_crashed_on() {
    for v in [
        "",
        "   ",
        "\"",
        "Basic realm=\"unterminated",
        "=== , Basic realm=x",
        "Basic realm",
        "Basic realm=x y=z",
        "Basic,,,,",
        "Basic realm=\"a\", realm=\"b\"",
        "\u{0}\u{ff}é",
    ] {
        let l = one(v);
        assert!(
            !l.problems.is_empty() || v.starts_with("Basic,"),
            "{v:?} gave no problem: {l:?}"
        );
    }
    let l = one("=== , Basic realm=x");
    assert_eq!(l.schemes(), vec!["basic"]);
    let l = one("Basic realm=\"a\", realm=\"b\"");
    assert_eq!(l.challenges[0].param("realm"), Some("a"));
}

#[test]
fn rfc_requirements_per_scheme_are_checked() {
    let l = one("Basic charset=latin1");
    assert!(l.problems.iter().any(|p| p.contains("realm")));
    assert!(l.problems.iter().any(|p| p.contains("charset")));
    let l = one("Digest realm=x");
    assert!(l.problems.iter().any(|p| p.contains("nonce")));
    let l = one("Bearer error=nope");
    assert!(l.problems.iter().any(|p| p.contains("RFC 6750")));
}

#[test]
fn newline_inside_a_value_reads_as_space() {
    let l = one("Basic\r\n realm=\"x\"");
    assert_eq!(l.challenges[0].param("realm"), Some("x"));
}

proptest::proptest! {
    #[test]
    fn never_panics_and_stays_bounded(s in "\\PC{0,300}", t in "[ -~]{0,300}") {
        let l = parse(&[&s, &t]);
        proptest::prop_assert!(l.challenges.len() <= 2 * 301);
        proptest::prop_assert!(l.problems.len() <= 256);
    }
}

#[test]
fn an_empty_element_before_the_first_parameter_is_ignored() {
    // RFC 9110 §5.6.1.2: recipients ignore empty list elements.
    let l = one(r#"Basic , realm="foo""#);
    assert_eq!(l.schemes(), vec!["basic"]);
    assert_eq!(l.challenges[0].param("realm"), Some("foo"));
    assert!(l.problems.is_empty(), "{:?}", l.problems);
    let two = one(r#"Negotiate , Basic realm="foo""#);
    assert_eq!(two.schemes(), vec!["negotiate", "basic"]);
}

#[test]
fn a_repeated_parameter_makes_the_challenge_invalid() {
    let l = one(r#"Basic realm="foo", realm="bar""#);
    let c = &l.challenges[0];
    let why = c.invalid.as_deref().unwrap();
    assert!(why.contains("§11.2") && why.contains("invalid"), "{why}");
    assert!(why.contains("Chromium keeps the last"), "{why}");
    assert!(
        l.problems
            .iter()
            .any(|p| p.contains("'realm' is given twice"))
    );
    assert!(one(r#"Basic realm="foo""#).challenges[0].invalid.is_none());
}

#[test]
fn obs_text_in_a_realm_reads_as_latin_1() {
    let value = field_value(b"Basic realm=\"Caf\xe9\"");
    let l = parse(&[value.as_str()]);
    assert_eq!(l.challenges[0].param("realm"), Some("Café"));
    // Valid UTF-8 stays UTF-8.
    assert_eq!(
        field_value("realm=\"Zürich\"".as_bytes()),
        "realm=\"Zürich\""
    );
}

/// A server on 127.0.0.1 that answers 401 with a realm holding the ISO-8859-1 byte 0xE9.
/// Runs probe `kind` against a loopback server whose 401 names the realm "Caf\xE9".
fn probe_a_latin_1_realm(kind: &str) -> crate::probe::ProbeReport {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = conn.read(&mut buf);
        let mut answer = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\nWWW-Authenticate: Basic realm=\"Caf".to_vec();
        answer.extend_from_slice(b"\xE9\"\r\n\r\n");
        conn.write_all(&answer).unwrap();
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ctx = crate::probe::ProbeContext::new(std::time::Duration::from_secs(5)).unwrap();
    let args: crate::probe::ProbeArgs =
        [("url".to_owned(), format!("http://127.0.0.1:{port}/"))].into();
    let r = rt.block_on(crate::probe::run_one(
        crate::probe::ProbeRequest {
            id: kind.into(),
            kind: kind.into(),
            args,
        },
        ctx,
    ));
    server.join().unwrap();
    r
}

#[test]
fn the_challenge_probe_shows_an_obs_text_realm_as_latin_1() {
    let r = probe_a_latin_1_realm("challenge");
    assert_eq!(
        r.facts.get("realm"),
        Some(&crate::probe::FactValue::Str("Café".into())),
        "{:?}",
        r.facts
    );
}

#[test]
fn the_http_probe_shows_an_obs_text_realm_as_latin_1() {
    let r = probe_a_latin_1_realm("http");
    assert!(r.summary.contains("realm=\"Café\""), "{}", r.summary);
    let facts = format!("{:?}", r.facts);
    assert!(!facts.contains('\u{FFFD}'), "{facts}");
}

#[test]
fn invalid_token_names_a_token_cause_only_when_a_token_was_sent() {
    let b = one(
        r#"Bearer realm="reports", error="invalid_token", error_description="The access token expired""#,
    );
    let b = b.find("bearer").unwrap();
    let ids = |sent: bool| {
        let mut ids = Vec::new();
        bearer_causes(b, 401, sent, &mut |id: &str, _, _| ids.push(id.to_owned()));
        ids
    };
    assert_eq!(ids(true), vec!["token-expired"]);
    // No token was sent: neither an expired token nor rejected credentials can be the cause.
    assert!(ids(false).is_empty(), "{:?}", ids(false));
}
