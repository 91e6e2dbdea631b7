//! The token sent and the answer together: a token that verifies against the API's own key
//! set and whose claims hold by the server's clock, yet is refused, points at the API.

use super::{ids, report, status, tokens};
use crate::diagnose::CauseHit;
use crate::probe::{FactValue, ProbeReport};

/// Two facts that explain each other: an ID token whose audience an API refuses (its `aud`
/// is the client's id), and a token not yet valid by a server whose clock differs from ours.
pub(crate) fn explained_together(reports: &[ProbeReport], hits: &mut Vec<CauseHit>) {
    if !matches!(status(reports, ids::MAIN), Some(401 | 403)) {
        return;
    }
    let named = |hits: &[CauseHit], id: &str| hits.iter().any(|h| h.id == id && !h.remark);
    let id_token =
        tokens(reports).find(|t| t.facts.get("type_hint") == Some(&FactValue::Str("id".into())));
    if let Some(token) = id_token
        && named(hits, "token-wrong-audience")
    {
        let aud = match token.facts.get("aud") {
            Some(FactValue::StrList(a)) if !a.is_empty() => format!(" (aud '{}')", a.join(", ")),
            _ => String::new(),
        };
        hits.push(CauseHit::new(
            "wrong-token-type",
            0.95,
            format!("the API refuses the audience of an ID token{aud}: an ID token's audience is the client's id, so APIs need the access token instead"),
        ));
    }
    for token in tokens(reports) {
        let past = match token.facts.get("expires_in_s") {
            Some(FactValue::Int(s)) if *s < 0 => -*s,
            _ => continue,
        };
        if token.facts.get("expired") == Some(&FactValue::Bool(false)) {
            hits.push(CauseHit::new(
                "token-expired",
                0.85,
                format!("the API refused a token whose exp passed {past} s ago: inside this check's leeway, but an API with no leeway (or a smaller one) rejects it"),
            ));
        }
    }
    let offset = match report(reports, "clock").and_then(|r| r.facts.get("offset_s")) {
        Some(FactValue::Float(o)) => *o,
        _ => 0.0,
    };
    if named(hits, "token-not-yet-valid") && offset.abs() > 30.0 {
        hits.push(CauseHit::new(
            "clock-skew",
            0.95,
            format!("the token is not yet valid for the API, whose clock (its Date) is {offset:.0} s off this machine's: the API's and the issuer's clocks differ"),
        ));
    }
}

/// `server-key-or-config-stale` when the token is sound and the API still answers 401.
pub(crate) fn sound_token_refused(reports: &[ProbeReport], url: &str, hits: &mut Vec<CauseHit>) {
    if status(reports, ids::MAIN) != Some(401) {
        return;
    }
    let sent: Vec<&ProbeReport> = tokens(reports).collect();
    let verified =
        |t: &&&ProbeReport| t.facts.get("signature") == Some(&FactValue::Str("valid".into()));
    let faulted = sent
        .iter()
        .flat_map(|t| &t.causes)
        .any(|c| !c.remark && c.confidence >= 0.5);
    let Some(token) = sent.iter().find(verified) else {
        return;
    };
    if faulted {
        return;
    }
    let kid = match token.facts.get("kid") {
        Some(FactValue::Str(k)) => {
            format!(" (kid '{}')", crate::sanitize::Outside::new(k.as_str()))
        }
        _ => String::new(),
    };
    let clock = if matches!(
        token.facts.get("expired_by_server_clock"),
        Some(FactValue::Bool(false))
    ) {
        "by the server's clock"
    } else {
        "by this machine's clock"
    };
    hits.push(CauseHit::new(
        "server-key-or-config-stale",
        0.93,
        format!("the token's signature verifies against the key set given{kid} and its claims hold {clock}, yet {url} answers 401: the API's cached keys or its expected audience or issuer are out of date"),
    ));
}
