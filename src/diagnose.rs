//! The cause catalogue (stable ids, a contract shared by flows, tickets and `--json`) and the
//! one ranking of causes found by probes, rules and flows: every command and the wizard call
//! [`rank`] (or [`Ranking::of`]), so they never disagree.
//!
//! A hit is either an explanation (it may be why this request failed) or a remark (true, worth
//! fixing, but not why it failed: a 401 without `WWW-Authenticate` on a JSON API, a preflight
//! that wants credentials when no browser page is involved). Remarks always rank below
//! explanations, whatever their confidence.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub(crate) mod catalogue;
pub mod messages;

pub use catalogue::{Actor, CATALOGUE, Cause, cause};

/// A cause named with a confidence and the evidence for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CauseHit {
    pub id: String,
    /// 0.0 to 1.0.
    pub confidence: f64,
    pub evidence: Vec<String>,
    /// True for a remark: true of the site, but not what made this request fail.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remark: bool,
}

impl CauseHit {
    pub fn new(id: &str, confidence: f64, evidence: impl Into<String>) -> Self {
        debug_assert!(cause(id).is_some(), "unknown cause id {id}");
        Self {
            id: id.to_owned(),
            confidence: confidence.clamp(0.0, 1.0),
            evidence: vec![evidence.into()],
            remark: false,
        }
    }

    /// A remark: ranked below every explanation.
    pub fn remark(id: &str, confidence: f64, evidence: impl Into<String>) -> Self {
        Self {
            remark: true,
            ..Self::new(id, confidence, evidence)
        }
    }

    /// The same hit as a remark.
    #[must_use]
    pub(crate) fn into_remark(self) -> Self {
        Self {
            remark: true,
            ..self
        }
    }
}

/// A ranking parted: what may explain the failure, and remarks.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Ranking {
    /// Explanations, most likely first.
    pub causes: Vec<CauseHit>,
    /// Remarks, most likely first.
    pub remarks: Vec<CauseHit>,
}

impl Ranking {
    /// Ranks `hits` with [`rank`] and parts explanations from remarks.
    pub fn of(hits: impl IntoIterator<Item = CauseHit>) -> Self {
        let (remarks, causes) = rank(hits).into_iter().partition(|h| h.remark);
        Self { causes, remarks }
    }

    /// Ranks the causes of one request with [`rank_request`].
    pub fn of_request(hits: impl IntoIterator<Item = CauseHit>) -> Self {
        let (remarks, causes) = rank_request(hits).into_iter().partition(|h| h.remark);
        Self { causes, remarks }
    }

    /// The most likely explanation.
    pub fn top(&self) -> Option<&CauseHit> {
        self.causes.first()
    }

    /// Explanations then remarks, as [`rank`] orders them.
    pub fn all(&self) -> impl Iterator<Item = &CauseHit> {
        self.causes.iter().chain(&self.remarks)
    }
}

/// [`rank`] for the causes of one request (a check, a walk, its ticket): there, "credentials
/// were sent and rejected" says nothing more once a cause at least as likely says why they
/// were (the password does not match the user's hash, the token expired), so it joins that
/// cause's evidence. Across many requests (a log, a HAR) each cause may be true of others, and
/// [`rank`] keeps them all.
pub fn rank_request(hits: impl IntoIterator<Item = CauseHit>) -> Vec<CauseHit> {
    let mut ranked = rank(hits);
    absorb_generic_refusal(&mut ranked);
    ranked
}

/// Merges hits for the same cause (highest confidence, evidence kept in order, no repeats; an
/// explanation and a remark of one id make an explanation) and sorts explanations most likely
/// first, then remarks; ties keep catalogue order, so output is deterministic.
pub fn rank(hits: impl IntoIterator<Item = CauseHit>) -> Vec<CauseHit> {
    let mut merged: BTreeMap<String, CauseHit> = BTreeMap::new();
    for hit in hits {
        match merged.get_mut(&hit.id) {
            Some(existing) => {
                existing.confidence = existing.confidence.max(hit.confidence);
                existing.remark &= hit.remark;
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
        a.remark
            .cmp(&b.remark)
            .then_with(|| b.confidence.total_cmp(&a.confidence))
            .then_with(|| catalogue::position(&a.id).cmp(&catalogue::position(&b.id)))
    });
    out
}

/// Causes that say why credentials were refused, each a more exact `bad-credentials`, and
/// causes that say they never reached what refused them (a proxy or web server that drops
/// the header): "sent and rejected" is then not what happened.
const REFUSED_BECAUSE: &[&str] = &[
    "proxy-strips-authorization",
    "auth-not-forwarded-to-app",
    "user-unknown",
    "password-mismatch",
    "session-expired",
    "token-malformed",
    "token-expired",
    "token-not-yet-valid",
    "token-signature-invalid",
    "token-key-not-found",
    "token-wrong-audience",
    "token-wrong-issuer",
    "token-alg-none",
    "token-alg-mismatch",
    "wrong-token-type",
    "user-file-entry-broken",
    "server-key-or-config-stale",
];

/// Takes `bad-credentials` out of `ranked` when an exact reason at least as likely is in it,
/// and gives its evidence to the likeliest such reason.
fn absorb_generic_refusal(ranked: &mut Vec<CauseHit>) {
    let Some(at) = ranked
        .iter()
        .position(|h| h.id == "bad-credentials" && !h.remark)
    else {
        return;
    };
    let confidence = ranked[at].confidence;
    // `ranked` is most likely first: the first exact reason is the likeliest.
    let Some(exact) = ranked.iter().position(|h| {
        !h.remark && REFUSED_BECAUSE.contains(&h.id.as_str()) && h.confidence >= confidence
    }) else {
        return;
    };
    let generic = ranked.remove(at);
    let exact = if exact > at { exact - 1 } else { exact };
    for e in generic.evidence {
        if !ranked[exact].evidence.contains(&e) {
            ranked[exact].evidence.push(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_reason_absorbs_the_generic_refusal() {
        let ranked = rank_request([
            CauseHit::new("bad-credentials", 0.5, "401 to the password sent"),
            CauseHit::new("password-mismatch", 0.9, "the hash does not match"),
        ]);
        let ids: Vec<&str> = ranked.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["password-mismatch"]);
        assert_eq!(
            ranked[0].evidence,
            ["the hash does not match", "401 to the password sent"]
        );
        // Across many requests (a log) each stays: the refusal may be another client's.
        assert_eq!(
            rank([
                CauseHit::new("bad-credentials", 0.5, "401s with a user name"),
                CauseHit::new("password-mismatch", 0.9, "error.log: mismatch"),
            ])
            .len(),
            2
        );
        // A weaker guess at the reason leaves the refusal standing.
        let ranked = rank_request([
            CauseHit::new("bad-credentials", 0.7, "401 to the token sent"),
            CauseHit::new("token-expired", 0.4, "exp is near"),
        ]);
        assert_eq!(ranked[0].id, "bad-credentials");
        assert_eq!(ranked.len(), 2);
    }

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

    #[test]
    fn remarks_rank_below_every_explanation() {
        let ranking = Ranking::of([
            CauseHit::remark("missing-www-authenticate", 0.85, "no challenge"),
            CauseHit::new("clock-skew", 0.5, "clock 10 min ahead"),
            CauseHit::remark("cors-preflight-requires-auth", 0.4, "preflight 401"),
            CauseHit::new("token-expired", 0.9, "exp"),
        ]);
        let ids = |v: &[CauseHit]| v.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&ranking.causes), ["token-expired", "clock-skew"]);
        assert_eq!(
            ids(&ranking.remarks),
            ["missing-www-authenticate", "cors-preflight-requires-auth"]
        );
        assert_eq!(
            rank(ranking.all().cloned())[2].id,
            "missing-www-authenticate"
        );
    }

    #[test]
    fn an_explanation_and_a_remark_of_one_id_make_an_explanation() {
        let ranking = Ranking::of([
            CauseHit::remark("cors-preflight-requires-auth", 0.4, "no origin"),
            CauseHit::new("cors-preflight-requires-auth", 0.85, "origin given"),
        ]);
        assert_eq!(ranking.causes.len(), 1);
        assert!(ranking.remarks.is_empty());
    }
}
