//! What the refusal itself says: the message of the 401 body, read with the catalogue of
//! library and gateway messages, weighed against what was sent.

use super::{RuleInput, credential_words, ids, report, status};
use crate::diagnose::CauseHit;
use crate::diagnose::messages::Said;
use crate::probe::{FactValue, ProbeReport};

/// Causes named by the body of the main answer, quoted as evidence.
pub(crate) fn body_causes(
    reports: &[ProbeReport],
    input: &RuleInput,
    sent: bool,
    hits: &mut Vec<CauseHit>,
) {
    if !matches!(status(reports, ids::MAIN), Some(401 | 403)) {
        return;
    }
    let Some(main) = report(reports, ids::MAIN) else {
        return;
    };
    let text = |name: &str| match main.facts.get(name) {
        Some(FactValue::Str(v)) => Some(v.as_str()),
        _ => None,
    };
    let (Some(quote), Some(said)) = (
        text("body.message"),
        text("body.said").and_then(Said::from_label),
    ) else {
        return;
    };
    let confidence = match main.facts.get("body.said_confidence") {
        Some(FactValue::Float(c)) => *c,
        _ => 0.6,
    };
    let place = text("body.place");
    let says = format!("the 401 body says \"{quote}\"");
    let mut hit = |id: &str, c: f64, e: String| hits.push(CauseHit::new(id, c, e));
    match said {
        Said::Cause(id) => hit(id, confidence, says),
        Said::NotFound if input.scheme_named_header.is_some() => hit(
            "no-credentials-sent",
            0.95,
            format!("{says}: the token went in a header the API does not read"),
        ),
        Said::NotFound if !sent => hit("no-credentials-sent", 0.9, says),
        Said::NotFound => {
            let server = header(reports, "server");
            let offered = super::list(reports, ids::MAIN, "challenge.schemes");
            let seen = Seen {
                place,
                says: &says,
                server: &server,
                offered: &offered,
            };
            not_found(input, &seen, &mut hit);
        }
        // Nothing was sent, so nothing was rejected: no-credentials-sent says it already.
        Said::Rejected if !sent => {}
        Said::Rejected => hit(
            "bad-credentials",
            confidence,
            format!(
                "{says}: the {} sent was refused",
                credential_words(input.credential)
            ),
        ),
    }
}

/// What the answer showed besides the message.
struct Seen<'a> {
    /// Where the message says the credential belongs.
    place: Option<&'a str>,
    says: &'a str,
    /// The `Server` header, empty when none.
    server: &'a str,
    /// Schemes the challenge offers, lower-case.
    offered: &'a [String],
}

fn header(reports: &[ProbeReport], name: &str) -> String {
    match report(reports, ids::MAIN).and_then(|r| r.facts.get(&format!("header.{name}"))) {
        Some(FactValue::Str(v)) => v.clone(),
        _ => String::new(),
    }
}

/// The API says it found no credential, yet one was sent: where did it go?
fn not_found(input: &RuleInput, seen: &Seen, hit: &mut impl FnMut(&str, f64, String)) {
    let says = seen.says;
    let sent_in = input.places.join(" and ");
    let authorization = matches!(input.credential, Some("bearer" | "basic" | "authorization"));
    if let Some(name) = input.header_names.iter().find(|n| n.contains('_')) {
        hit(
            "underscore-header-dropped",
            0.93,
            format!(
                "{says}, though header '{name}' was sent: its underscore makes nginx (and Apache 2.4 for CGI) drop it unless underscores_in_headers is on"
            ),
        );
        return;
    }
    if authorization && seen.server.to_ascii_lowercase().contains("apache") {
        hit(
            "auth-not-forwarded-to-app",
            0.92,
            format!(
                "{says}, though an Authorization header was sent, and the answer comes from Apache (Server: {}): Apache hands Authorization to a CGI, FastCGI or mod_wsgi app only with CGIPassAuth On (or WSGIPassAuthorization On)",
                seen.server
            ),
        );
        return;
    }
    if let Some(scheme) = input.scheme_sent.as_deref()
        && authorization
        && !seen.offered.is_empty()
        && !seen.offered.iter().any(|o| o == scheme)
    {
        hit(
            "wrong-auth-scheme",
            0.92,
            format!(
                "{says}: the Authorization header used scheme '{scheme}', the server asks for {}",
                seen.offered.join(", ")
            ),
        );
        return;
    }
    if let Some(place) = seen.place
        && !input.places.contains(&place)
    {
        hit(
            "credential-in-wrong-place",
            0.93,
            format!(
                "{says}, but the credential was sent in the {sent_in}: this endpoint reads it from the {place}"
            ),
        );
        return;
    }
    if input.credential == Some("authorization") {
        let scheme = input.scheme_sent.as_deref().unwrap_or("?");
        hit(
            "wrong-auth-scheme",
            0.88,
            format!(
                "{says}, though an Authorization header with scheme '{scheme}' was sent: the API reads only the scheme it expects (usually Bearer)"
            ),
        );
        return;
    }
    hit(
        "credential-in-wrong-place",
        0.88,
        format!(
            "{says}, though a credential was sent in the {sent_in}: the API reads it from another header, parameter or scheme"
        ),
    );
}
