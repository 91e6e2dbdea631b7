//! What the refusal itself says: the message of the 401 body, read with the catalogue of
//! library and gateway messages, weighed against what was sent.

use super::{RuleInput, credential_words, ids, report, status};
use crate::diagnose::CauseHit;
use crate::diagnose::messages::{self, Said};
use crate::probe::{FactValue, ProbeReport};

/// Causes named by the body of the main answer, quoted as evidence.
pub fn body_causes(
    reports: &[ProbeReport],
    input: &RuleInput,
    sent: bool,
    hits: &mut Vec<CauseHit>,
) {
    if !matches!(status(reports, ids::MAIN), Some(401 | 403)) {
        return;
    }
    let Some(FactValue::Str(quote)) =
        report(reports, ids::MAIN).and_then(|r| r.facts.get("body.message"))
    else {
        return;
    };
    let Some((said, confidence, _)) = messages::read(quote) else {
        return;
    };
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
        Said::NotFound => not_found(input, quote, &says, &mut hit),
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

/// The API says it found no credential, yet one was sent: it reads them elsewhere.
fn not_found(input: &RuleInput, quote: &str, says: &str, hit: &mut impl FnMut(&str, f64, String)) {
    let sent_in = input.places.join(" and ");
    if let Some(place) = messages::place_named(quote)
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
