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
