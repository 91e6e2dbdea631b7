//! What was sent, as the rules see it: the kind of credential and where it went, the scheme
//! word (never a piece of the token), and the token to decode. No secret value leaves here
//! except the token, which goes only to the token probe.

use super::rules::{self, RuleInput};
use crate::probe::http::{self, Credentials};

/// Scheme words a glued Authorization value (`BearereyJ…`) may start with.
const SCHEMES: &[&str] = &["bearer", "basic", "digest", "token", "jwt"];

/// The facts about the credentials that the rules read.
pub(crate) fn rule_input(creds: &Credentials) -> RuleInput {
    let auth = creds.authorization.as_ref().map(|a| a.expose().trim());
    let first = auth.and_then(|a| a.split_whitespace().next());
    let scheme_sent = first
        .filter(|w| plausible_scheme(w))
        .map(str::to_ascii_lowercase)
        .or_else(|| creds.user.as_ref().map(|_| "basic".to_owned()));
    let credential = match (auth, scheme_sent.as_deref()) {
        (Some(_), Some("bearer")) => Some("bearer"),
        (Some(a), None) if glued_scheme(a).is_some_and(|(s, _)| s == "bearer") => Some("bearer"),
        (Some(_), Some("basic")) => Some("basic"),
        (Some(_), _) => Some("authorization"),
        (None, _) if creds.user.is_some() => Some("basic"),
        (None, _) if creds.cookie.is_some() => Some("cookie"),
        (None, _) if !creds.headers.is_empty() || creds.api_key_query.is_some() => Some("api-key"),
        _ => None,
    };
    let mut places = Vec::new();
    if auth.is_some() || creds.user.is_some() || !creds.headers.is_empty() {
        places.push("header");
    }
    if creds.cookie.is_some() {
        places.push("cookie");
    }
    if creds.api_key_query.is_some() {
        places.push("query");
    }
    let scheme_named_header = creds
        .headers
        .iter()
        .find(|(n, _)| http::is_scheme_named_header(n))
        .filter(|_| auth.is_none())
        .map(|(n, _)| n.clone());
    RuleInput {
        scheme_sent,
        credential,
        places,
        scheme_named_header,
        normalisation: None,
        cookie_sent: creds.cookie.is_some(),
        header_names: creds.headers.iter().map(|(n, _)| n.clone()).collect(),
        user: creds.user.clone(),
    }
}

/// A word that can be a scheme name: short, letters, digits and dashes, and not a scheme
/// glued to its credentials.
pub(crate) fn plausible_scheme(word: &str) -> bool {
    word.len() <= 16
        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && glued_scheme(word).is_none()
}

/// `BearereyJ…` → (`bearer`, `eyJ…`): a scheme word with no space before the credentials.
pub(crate) fn glued_scheme(value: &str) -> Option<(&'static str, &str)> {
    let v = value.trim();
    SCHEMES.iter().find_map(|s| {
        let head = v.get(..s.len())?;
        let rest = v.get(s.len()..)?;
        (head.eq_ignore_ascii_case(s) && rest.len() >= 8 && !rest.starts_with(char::is_whitespace))
            .then_some((*s, rest))
    })
}

/// A token the request carries, and where it went (for evidence: never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SentToken {
    /// `the Authorization header`, `header 'X-Access-Token'`, `cookie 'session'`,
    /// `query parameter 'access_token'`.
    pub place: String,
    pub token: String,
}

/// The token of the Authorization header: the bearer token (glued or not), a bare JWT, or a
/// JWT among the words of another scheme.
fn authorization_token(value: &str) -> Option<String> {
    let a = value.trim();
    let mut words = a.split_whitespace();
    match (words.next(), words.next()) {
        (Some(s), Some(t)) if s.eq_ignore_ascii_case("bearer") => return Some(t.to_owned()),
        (Some(w), None) => {
            if let Some(("bearer", t)) = glued_scheme(w) {
                return Some(t.to_owned());
            }
            if looks_like_jwt(w) {
                return Some(w.to_owned());
            }
        }
        _ => {}
    }
    words_jwt(a)
}

/// Every token the request carries, each once, Authorization first: the bearer token, and
/// every JWT in a credential header, a cookie or a query parameter (`--api-key-query` or
/// the URL's own query). A token sent in two places is named with both.
pub fn tokens(creds: &Credentials, url: &url::Url) -> Vec<SentToken> {
    let mut found: Vec<(String, String)> = Vec::new();
    if let Some(t) = creds
        .authorization
        .as_ref()
        .and_then(|a| authorization_token(a.expose()))
    {
        found.push(("the Authorization header".to_owned(), t));
    }
    for (name, value) in &creds.headers {
        if let Some(t) = words_jwt(value.expose()) {
            found.push((format!("header '{}'", crate::sanitize::line(name)), t));
        }
    }
    let cookies = creds.cookie.iter().flat_map(|c| c.expose().split(';'));
    for (name, value) in cookies.filter_map(|p| p.split_once('=')) {
        if let Some(t) = words_jwt(value) {
            found.push((
                format!("cookie '{}'", crate::sanitize::line(name.trim())),
                t,
            ));
        }
    }
    let query = creds
        .api_key_query
        .iter()
        .map(|(n, v)| (n.clone(), v.expose().to_owned()))
        .chain(
            url.query_pairs()
                .map(|(n, v)| (n.into_owned(), v.into_owned())),
        );
    for (name, value) in query {
        if let Some(t) = words_jwt(&value) {
            found.push((
                format!("query parameter '{}'", crate::sanitize::line(&name)),
                t,
            ));
        }
    }
    let mut out: Vec<SentToken> = Vec::new();
    for (place, token) in found {
        match out.iter_mut().find(|s| s.token == token) {
            Some(seen) => {
                seen.place = format!("{} and {place}", seen.place);
            }
            None => out.push(SentToken { place, token }),
        }
    }
    out
}

fn words_jwt(text: &str) -> Option<String> {
    text.split_whitespace()
        .find(|w| looks_like_jwt(w))
        .map(str::to_owned)
}

/// Three base64url segments, the first a JSON object (`eyJ`).
pub(crate) fn looks_like_jwt(word: &str) -> bool {
    word.starts_with("eyJ")
        && word.split('.').count() == 3
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '='))
}

/// The lints of an Authorization value, a glued scheme word among them.
pub(crate) fn authorization_lints(value: &str) -> Vec<crate::diagnose::CauseHit> {
    let mut out = rules::lint_authorization(value);
    if let Some((scheme, _)) = glued_scheme(value)
        && !value.trim().contains(char::is_whitespace)
    {
        out.push(crate::diagnose::CauseHit::new(
            "malformed-authorization-header",
            0.75,
            format!("Authorization header: the scheme word '{scheme}' is glued to the credentials (no space after it)"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_glued_bearer_is_seen_and_never_taken_for_a_scheme() {
        let creds = Credentials {
            authorization: Some("BearereyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln".into()),
            ..Credentials::default()
        };
        let input = rule_input(&creds);
        assert_eq!(input.scheme_sent, None);
        assert_eq!(input.credential, Some("bearer"));
        assert_eq!(
            tokens(&creds, &url()),
            [SentToken {
                place: "the Authorization header".into(),
                token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln".into()
            }]
        );
    }

    #[test]
    fn a_header_named_bearer_is_no_authorization() {
        let creds = Credentials {
            headers: vec![(
                "Bearer".into(),
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln".into(),
            )],
            ..Credentials::default()
        };
        let input = rule_input(&creds);
        assert_eq!(input.scheme_named_header.as_deref(), Some("Bearer"));
        assert_eq!(tokens(&creds, &url())[0].place, "header 'Bearer'");
    }

    fn url() -> url::Url {
        url::Url::parse("http://127.0.0.1/api").unwrap()
    }

    const A: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln";
    const B: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiIn0.c2ln";

    #[test]
    fn every_token_sent_is_found_once_with_where_it_went() {
        let creds = Credentials {
            authorization: Some(format!("Bearer {A}").into()),
            cookie: Some(format!("theme=dark; session={B}; refresh={A}").into()),
            headers: vec![("X-Access-Token".into(), B.into())],
            api_key_query: Some(("access_token".into(), A.into())),
            ..Credentials::default()
        };
        let places: Vec<(String, &str)> = tokens(&creds, &url())
            .into_iter()
            .map(|t| (t.place, if t.token == A { "A" } else { "B" }))
            .collect();
        assert_eq!(
            places,
            [
                (
                    "the Authorization header and cookie 'refresh' and query parameter 'access_token'"
                        .to_owned(),
                    "A"
                ),
                ("header 'X-Access-Token' and cookie 'session'".to_owned(), "B"),
            ]
        );
    }

    #[test]
    fn a_token_in_the_url_query_is_found_and_plain_values_are_not() {
        let u = url::Url::parse(&format!("http://127.0.0.1/x?page=2&access_token={B}")).unwrap();
        let creds = Credentials {
            cookie: Some("theme=dark".into()),
            headers: vec![("X-Api-Key".into(), "k-123456789".into())],
            ..Credentials::default()
        };
        let found = tokens(&creds, &u);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].place, "query parameter 'access_token'");
    }
}
