//! The token sent and the answer together: a token that verifies against the API's own key
//! set and whose claims hold by the server's clock, yet is refused, points at the API.

use super::{ids, report, status};
use crate::diagnose::CauseHit;
use crate::probe::{FactValue, ProbeReport};

/// `server-key-or-config-stale` when the token is sound and the API still answers 401.
pub fn sound_token_refused(reports: &[ProbeReport], url: &str, hits: &mut Vec<CauseHit>) {
    if status(reports, ids::MAIN) != Some(401) {
        return;
    }
    let Some(token) = report(reports, ids::TOKEN) else {
        return;
    };
    let verified = token.facts.get("signature") == Some(&FactValue::Str("valid".into()));
    let faulted = token
        .causes
        .iter()
        .any(|c| !c.remark && c.confidence >= 0.5);
    if !verified || faulted {
        return;
    }
    let kid = match token.facts.get("kid") {
        Some(FactValue::Str(k)) => format!(" (kid '{k}')"),
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
