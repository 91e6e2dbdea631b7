//! Saving a walk so it can be resumed or attached. The session-file format proper belongs to
//! the report module; until then this writes the JSON of [`Session`], with every secret answer
//! replaced by its fingerprint.

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use crate::flow::Session;
use crate::probe::FactValue;
use crate::report::fingerprint;

/// Facts that may carry a credential the server handed out or echoed back.
fn is_secret_fact(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "set-cookie",
        "cookie",
        "authorization",
        "token",
        "password",
        "secret",
    ]
    .iter()
    .any(|word| name.contains(word))
}

fn redact_facts(facts: &mut BTreeMap<String, FactValue>) {
    for (name, value) in facts.iter_mut() {
        if is_secret_fact(name) && !matches!(value, FactValue::Bool(_) | FactValue::Int(_)) {
            *value = FactValue::Str(fingerprint(name, &value.to_string()));
        }
    }
}

/// The session with secret answers and credential-bearing facts fingerprinted: safe to
/// write anywhere.
pub fn redacted(session: &Session) -> Session {
    let mut s = session.clone();
    // Secrets are never serialised; the fingerprints say which were given.
    for (id, v) in std::mem::take(&mut s.secrets) {
        s.answers.insert(id.clone(), v.fingerprint(&id));
    }
    redact_facts(&mut s.facts);
    for step in &mut s.trail {
        for r in &mut step.reports {
            redact_facts(&mut r.facts);
        }
    }
    s
}

/// Saves the session in the versioned session format (secrets left out, everything else
/// redacted) to `path`, or to `why401-session-YYYYMMDD-HHMMSS.json` in `dir`.
pub fn save(
    session: &Session,
    flows: &crate::flow::FlowSet,
    path: Option<&Path>,
    dir: &Path,
) -> Result<PathBuf, String> {
    let path = path.map_or_else(
        || crate::report::session_file::default_path(dir),
        Path::to_path_buf,
    );
    let help_desk = crate::report::ticket::help_desk_of(session);
    crate::report::session_file::save(&path, session, flows, &help_desk)
        .map_err(|e| e.to_string())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::{NodeRef, Phase};

    #[test]
    fn saved_sessions_hold_no_secret() {
        let mut answers = std::collections::BTreeMap::new();
        answers.insert("url".to_owned(), "http://127.0.0.1/".to_owned());
        let mut secrets = std::collections::BTreeMap::new();
        secrets.insert("token".to_owned(), "canary-SECRET-123".into());
        let mut facts = std::collections::BTreeMap::new();
        facts.insert(
            "http.header.set-cookie".to_owned(),
            FactValue::Str("sid=canary-COOKIE".into()),
        );
        facts.insert("http.sent_credentials".to_owned(), FactValue::Bool(true));
        let s = Session {
            flow: "api".into(),
            current: NodeRef {
                flow: "api".into(),
                node: "x".into(),
            },
            phase: Phase::Choose,
            ended: None,
            answers,
            secrets,
            secret_inputs: vec!["token".into()],
            facts,
            trail: Vec::new(),
            error: None,
            verification: None,
            retests: Vec::new(),
        };
        let dir = tempfile::tempdir().unwrap();
        let flows = crate::flow::FlowSet::load(None).0;
        let p = save(&s, &flows, None, dir.path()).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(!text.contains("canary-SECRET"));
        assert!(!text.contains("canary-COOKIE"));
        assert!(text.contains("\"http.sent_credentials\": true"));
        assert!(text.contains("[token len=17 hmac="));
        assert!(text.contains("http://127.0.0.1/"));
        let again = crate::report::deliver::save_new(dir.path(), "json", "x").unwrap();
        assert_ne!(again, p);
    }
}
