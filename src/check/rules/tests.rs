use super::*;
use crate::diagnose::rank;

fn r(id: &str, facts: &[(&str, FactValue)]) -> ProbeReport {
    let mut rep = ProbeReport::new(id, "http");
    for (k, v) in facts {
        rep.fact(k, v.clone());
    }
    rep
}

fn main(status: i64, sent: bool, schemes: &[&str]) -> ProbeReport {
    r(
        ids::MAIN,
        &[
            ("status", FactValue::Int(status)),
            ("sent_credentials", FactValue::Bool(sent)),
            ("final_url", "http://a.test/x".into()),
            (
                "challenge.schemes",
                FactValue::StrList(schemes.iter().map(ToString::to_string).collect()),
            ),
        ],
    )
}

fn top(reports: &[ProbeReport], input: &RuleInput) -> String {
    rank(diagnose(reports, input))[0].id.clone()
}

#[test]
fn differential_requests_pin_the_cause() {
    let st = |id: &str, s: i64| r(id, &[("status", FactValue::Int(s))]);
    let input = RuleInput {
        scheme_sent: Some("bearer".into()),
        ..RuleInput::default()
    };
    assert_eq!(
        top(&[main(401, false, &["basic"])], &input),
        "no-credentials-sent"
    );
    assert_eq!(top(&[main(200, false, &[])], &input), "not-a-401");
    assert_eq!(
        top(
            &[main(401, true, &["bearer"]), st(ids::BACKEND, 200)],
            &input
        ),
        "proxy-strips-authorization"
    );
    let hits = diagnose(
        &[main(401, true, &["bearer"]), st(ids::BACKEND, 200)],
        &input,
    );
    assert!(
        hits.iter().all(|h| h.id != "bad-credentials"),
        "the backend accepted the same token, yet: {hits:?}"
    );
    assert_eq!(
        top(
            &[
                main(401, true, &["bearer"]),
                st(ids::ELSEWHERE, 200),
                st(ids::ELSEWHERE_ANONYMOUS, 401)
            ],
            &input
        ),
        "should-be-403"
    );
    let norm = RuleInput {
        normalisation: Some("syntax"),
        ..input.clone()
    };
    assert_eq!(
        top(
            &[main(401, true, &["bearer"]), st(ids::NORMALISED, 200)],
            &norm
        ),
        "malformed-authorization-header"
    );
    let token = RuleInput {
        scheme_sent: Some("token".into()),
        normalisation: Some("scheme"),
        ..RuleInput::default()
    };
    assert_eq!(
        top(
            &[main(401, true, &["bearer"]), st(ids::NORMALISED, 200)],
            &token
        ),
        "wrong-auth-scheme"
    );
    assert_eq!(
        top(&[main(401, true, &["bearer"])], &input),
        "bad-credentials"
    );
}

#[test]
fn authorization_lint_names_the_fault_without_the_value() {
    let secret = "s3cr3t-canary-value";
    for (value, want) in [
        (format!("Bearer  {secret}"), "more than one space"),
        (secret.to_owned(), "no scheme"),
        (format!("Bearer \"{secret}\""), "quotes"),
        (format!("Bearer {secret} "), "trailing whitespace"),
        ("Basic !!!".to_owned(), "base64"),
    ] {
        let hits = lint_authorization(&value);
        let text = format!("{hits:?}");
        assert!(text.contains(want), "{value}: {text}");
        assert!(!text.contains(secret), "{text}");
    }
    assert!(lint_authorization("Bearer abc.def").is_empty());
}

#[test]
fn normalisation_fixes_syntax_or_scheme() {
    assert_eq!(normalise_authorization("Bearer abc"), None);
    assert_eq!(
        normalise_authorization("bearer  \"abc\""),
        Some(("Bearer abc".to_owned(), "syntax"))
    );
    assert_eq!(
        normalise_authorization("Token abc"),
        Some(("Bearer abc".to_owned(), "scheme"))
    );
    assert_eq!(
        normalise_authorization("abc"),
        Some(("Bearer abc".to_owned(), "syntax"))
    );
    assert_eq!(
        normalise_authorization("Bearer Bearer abc"),
        Some(("Bearer abc".to_owned(), "syntax"))
    );
}

#[test]
fn a_glued_bearer_is_split_by_normalisation() {
    let (fixed, kind) = normalise_authorization("BearereyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
        .unwrap_or_default();
    assert_eq!(fixed, "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
    assert_eq!(kind, "syntax");
}

fn with_cause(id: &str, cause: &str, confidence: f64, evidence: &str) -> ProbeReport {
    let mut rep = r(id, &[("parse_ok", FactValue::Bool(true))]);
    rep.causes.push(CauseHit::new(cause, confidence, evidence));
    rep
}

#[test]
fn the_files_and_the_live_401_together_rank_what_the_files_found() {
    let bearer = RuleInput {
        scheme_sent: Some("bearer".into()),
        credential: Some("bearer"),
        ..RuleInput::default()
    };
    let cgi = with_cause(
        ids::SERVER_APACHE,
        "auth-not-forwarded-to-app",
        0.3,
        "httpd.conf:9:1: \"ScriptAlias /cgi-bin/ /srv/cgi/\" runs the app through CGI",
    );
    let hits = rank(diagnose(&[main(401, true, &[]), cgi.clone()], &bearer));
    assert_eq!(hits[0].id, "auth-not-forwarded-to-app");
    assert!(hits[0].evidence[0].contains("httpd.conf:9:1"));
    // Without credentials the app had nothing to miss.
    let none = rank(diagnose(&[main(401, false, &["basic"]), cgi], &bearer));
    assert!(none.iter().all(|h| h.id != "auth-not-forwarded-to-app"));

    let basic = |user: &str| RuleInput {
        scheme_sent: Some("basic".into()),
        credential: Some("basic"),
        user: Some(user.into()),
        ..RuleInput::default()
    };
    let broken = with_cause(
        ids::USER_FILE,
        "user-file-entry-broken",
        0.6,
        "users:1:7: line 1, user \"alice\": the hash starts with $$apr1$$",
    );
    let hits = rank(diagnose(
        &[main(401, true, &["basic"]), broken.clone()],
        &basic("alice"),
    ));
    assert_eq!(hits[0].id, "user-file-entry-broken");
    assert!(hits[0].confidence > 0.9);
    let other = diagnose(&[main(401, true, &["basic"]), broken], &basic("bob"));
    assert!(other.iter().all(|h| h.id != "user-file-entry-broken"));
}

#[test]
fn a_host_that_names_an_environment_is_seen_and_a_tld_is_not() {
    assert_eq!(
        environment_named("https://api-sandbox.pmp.io/docs"),
        Some("sandbox")
    );
    assert_eq!(
        environment_named("https://staging.api.example.com/"),
        Some("staging")
    );
    assert_eq!(environment_named("http://a.test/x"), None);
    assert_eq!(environment_named("https://api.devices.example.com/"), None);
    assert_eq!(environment_named("http://127.0.0.1:8080/"), None);
}
