//! The server's files and its live answer together: a problem the files show is why the
//! request failed when the request it would break is the one that got 401.

use super::{RuleInput, credential_words, ids};
use crate::diagnose::CauseHit;
use crate::probe::ProbeReport;

/// Hits from the files' analysis that the live 401 to the credentials sent confirms.
pub(crate) fn confirmed_by_the_answer(
    reports: &[ProbeReport],
    input: &RuleInput,
    url: &str,
    hits: &mut Vec<CauseHit>,
) {
    let refusal = format!(
        "{url} answered 401 to the {} sent",
        credential_words(input.credential)
    );
    let authorization = matches!(input.credential, Some("bearer" | "basic" | "authorization"));
    let found = reports
        .iter()
        .filter(|r| ids::is_server_file(&r.id))
        .flat_map(|r| r.causes.iter());
    for cause in found {
        let line = cause.evidence.first().cloned().unwrap_or_default();
        match cause.id.as_str() {
            "auth-not-forwarded-to-app" if authorization => hits.push(CauseHit::new(
                "auth-not-forwarded-to-app",
                0.96,
                format!("{refusal}, and the configuration never hands Authorization to the app that checks it: {line}"),
            )),
            "user-file-entry-broken" if input.credential == Some("basic") => {
                let Some(user) = &input.user else { continue };
                if line.contains(&format!("user \"{user}\"")) {
                    hits.push(CauseHit::new(
                        "user-file-entry-broken",
                        0.96,
                        format!("{refusal}, and the user file's entry for '{user}' can match no password: {line}"),
                    ));
                } else if !line.contains("user \"") {
                    // A fault of the whole file (CRLF endings) breaks every entry.
                    hits.push(CauseHit::new(
                        "user-file-entry-broken",
                        0.9,
                        format!("{refusal}, and every entry of the user file is affected: {line}"),
                    ));
                }
            }
            _ => {}
        }
    }
}
