//! Replay: the answers of a walk as a file `why401 run --flow ID --answers FILE` reads, so
//! the same path can be walked again after a fix, by the owner or in CI.
//!
//! The file is a flat YAML map: input ids to values, node ids (`flow:node` when the node is
//! in another flow than the one started) to the label of the choice taken.

use std::collections::BTreeMap;

use crate::flow::{FlowSet, Session};
use crate::report::ticket::Replay;

/// The placeholder written for a secret answer.
pub(crate) fn placeholder(id: &str) -> String {
    crate::secret::placeholder(id)
}

/// The replay of `session`: every answer (secrets as placeholders) and every choice.
pub(crate) fn of_session(session: &Session, flows: &FlowSet) -> Replay {
    let mut answers = BTreeMap::new();
    for (id, value) in &session.answers {
        answers.insert(id.clone(), value.clone());
    }
    for id in session.secrets.keys() {
        answers.insert(id.clone(), placeholder(id));
    }
    for step in &session.trail {
        let Some(label) = &step.left_by else { continue };
        let chosen = crate::report::ticket::node_of(flows, &step.at)
            .is_some_and(|n| n.choices.iter().any(|c| &c.label == label));
        if !chosen {
            continue;
        }
        let key = if step.at.flow == session.flow {
            step.at.node.clone()
        } else {
            step.at.to_string()
        };
        // A node visited twice keeps the last choice: the one that led out of it.
        answers.insert(key, label.clone());
    }
    let answers_yaml = yaml_map(&answers);
    Replay {
        flow: session.flow.clone(),
        command: format!("why401 run --flow {} --answers answers.yaml", session.flow),
        answers,
        answers_yaml,
    }
}

/// A flat map as YAML; every value quoted so `yes`, `01` or `: ` stay strings.
pub(crate) fn yaml_map(map: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    for (k, v) in map {
        out.push_str(&yaml_key(k));
        out.push_str(": ");
        out.push_str(&yaml_scalar(v));
        out.push('\n');
    }
    out
}

/// Keys stay plain when YAML cannot read them as anything but that string.
fn yaml_key(k: &str) -> String {
    let plain = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
        && !k.ends_with(':')
        && !matches!(
            k.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        );
    if plain { k.to_owned() } else { yaml_scalar(k) }
}

fn yaml_scalar(s: &str) -> String {
    // JSON strings are valid YAML double-quoted scalars.
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_round_trips_awkward_values() {
        let mut m = BTreeMap::new();
        m.insert("owner:begin".to_owned(), "Escalate".to_owned());
        m.insert("url".to_owned(), "http://h/?a=b: c # d".to_owned());
        m.insert("n".to_owned(), "yes".to_owned());
        m.insert("yes".to_owned(), "no".to_owned());
        m.insert("a: b".to_owned(), "c".to_owned());
        m.insert("multi".to_owned(), "a\nb \"q\"".to_owned());
        let text = yaml_map(&m);
        let back: BTreeMap<String, String> = serde_yaml::from_str(&text).unwrap_or_default();
        assert_eq!(back, m);
    }
}
