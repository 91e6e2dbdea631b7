//! The cause catalogue (stable ids, a contract shared by flows, tickets and `--json`) and the
//! ranking of causes found by probes and flows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub mod catalogue;

pub use catalogue::{Actor, CATALOGUE, Cause, cause};

/// A cause named with a confidence and the evidence for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CauseHit {
    pub id: String,
    /// 0.0 to 1.0.
    pub confidence: f64,
    pub evidence: Vec<String>,
}

impl CauseHit {
    pub fn new(id: &str, confidence: f64, evidence: impl Into<String>) -> Self {
        debug_assert!(cause(id).is_some(), "unknown cause id {id}");
        Self {
            id: id.to_owned(),
            confidence: confidence.clamp(0.0, 1.0),
            evidence: vec![evidence.into()],
        }
    }
}

/// Merges hits for the same cause (highest confidence, evidence kept in order, no repeats)
/// and sorts them most likely first; ties keep catalogue order, so output is deterministic.
pub fn rank(hits: impl IntoIterator<Item = CauseHit>) -> Vec<CauseHit> {
    let mut merged: BTreeMap<String, CauseHit> = BTreeMap::new();
    for hit in hits {
        match merged.get_mut(&hit.id) {
            Some(existing) => {
                existing.confidence = existing.confidence.max(hit.confidence);
                for e in hit.evidence {
                    if !existing.evidence.contains(&e) {
                        existing.evidence.push(e);
                    }
                }
            }
            None => {
                merged.insert(hit.id.clone(), hit);
            }
        }
    }
    let mut out: Vec<CauseHit> = merged.into_values().collect();
    out.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then_with(|| catalogue::position(&a.id).cmp(&catalogue::position(&b.id)))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_merges_and_orders_by_confidence() {
        let ranked = rank([
            CauseHit::new("no-credentials-sent", 0.5, "a"),
            CauseHit::new("token-expired", 0.9, "b"),
            CauseHit::new("no-credentials-sent", 0.7, "c"),
            CauseHit::new("no-credentials-sent", 0.2, "a"),
        ]);
        assert_eq!(ranked[0].id, "token-expired");
        assert_eq!(ranked[1].id, "no-credentials-sent");
        assert!((ranked[1].confidence - 0.7).abs() < f64::EPSILON);
        assert_eq!(ranked[1].evidence, vec!["a", "c"]);
    }
}
