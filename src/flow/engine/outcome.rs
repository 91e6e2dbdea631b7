//! Detect → explain → fix → verify: the causes a walk found, ranked as every command ranks
//! them, and the re-test that alone may call a walk `resolved`.

use serde::{Deserialize, Serialize};

use super::{Engine, Session};
use crate::diagnose::{self, CauseHit};
use crate::flow::EndKind;
use crate::probe::{FactValue, ProbeReport, ProbeRequest, battery};

/// Probe id of the re-test.
pub const VERIFY_PROBE: &str = "retest";

/// The re-test of the original request after a fix, and what it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// `GET URL` and the kind of credentials it carried (never their value).
    pub request: String,
    /// The answer's status; none when nothing answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// One line: the answer, or why none came.
    pub answer: String,
    /// True when an answer came and it was neither 401 nor 407.
    pub passed: bool,
    /// The kinds of credentials it carried, as the http probe's `sent_as` fact names them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sent_as: Vec<String>,
}

/// How a walk stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A re-test of the original request got no 401.
    Resolved,
    /// The walk named the cause and ended at a fix, but no re-test has passed yet.
    Diagnosed,
    /// Someone else must act.
    Escalate,
    /// The walk stopped on an error of its own.
    Stopped,
    /// Not over yet.
    Unfinished,
}

impl Outcome {
    /// The word tickets and `--json` use.
    pub fn label(self) -> &'static str {
        match self {
            Self::Resolved => "resolved",
            Self::Diagnosed => "diagnosed",
            Self::Escalate => "escalate",
            Self::Stopped => "stopped",
            Self::Unfinished => "unfinished",
        }
    }
}

impl Session {
    /// Every cause the walk found (the flows' findings and the probes' own cause hits),
    /// ranked with the same function every command uses. The check battery run again with
    /// more to go on (the credentials) re-ranks: only its latest run counts.
    pub(crate) fn ranked_causes(&self) -> Vec<CauseHit> {
        let latest_battery = self
            .reports()
            .enumerate()
            .filter(|(_, r)| r.kind == battery::NAME)
            .map(|(i, _)| i)
            .last();
        // "No credentials were sent" is true of the first request only: once a later request
        // carried some, it no longer explains anything and reads wrong beside them.
        let sent_later = self.reports().any(|r| {
            r.facts
                .iter()
                .any(|(k, v)| k.ends_with("sent_credentials") && *v == FactValue::Bool(true))
        });
        // The backend behind the proxy accepted the same credentials: they are not bad,
        // whatever the proxy's 401 to them made an earlier step think.
        let backend_accepted = self.reports().any(|r| {
            r.facts.iter().any(|(k, v)| {
                k == "backend.status" && matches!(v, FactValue::Int(s) if (200..400).contains(s))
            })
        });
        let stale = self.token_causes_of_an_earlier_token();
        let hits = self
            .trail
            .iter()
            .enumerate()
            .flat_map(|(step, s)| {
                s.findings.iter().map(move |f| {
                    (
                        step,
                        CauseHit::new(&f.cause, f.confidence, f.evidence.clone()),
                    )
                })
            })
            .chain(
                self.trail
                    .iter()
                    .enumerate()
                    .flat_map(|(step, s)| s.reports.iter().map(move |r| (step, r)))
                    .enumerate()
                    .filter(|(i, (_, r))| r.kind != battery::NAME || Some(*i) == latest_battery)
                    .flat_map(|(_, (step, r))| r.causes.iter().cloned().map(move |h| (step, h))),
            )
            .filter(|(step, h)| !stale(*step, &h.id))
            .map(|(_, h)| h)
            .filter(|h| !(sent_later && h.id == "no-credentials-sent"))
            .filter(|h| !(backend_accepted && h.id == "bad-credentials"));
        diagnose::rank_request(hits)
    }

    /// What the token checks found before the latest battery checked a token (a new one, at
    /// the re-test) and was still refused is about the token sent then, not why the request
    /// fails now: a cause of the token's own (expired, wrong audience, ...) found at an
    /// earlier step counts only if the latest battery found it too. (When the new token got
    /// in, the earlier token's causes are what the walk fixed, and stay.) Returns whether a
    /// hit of `id` at trail step `step` is such a cause.
    fn token_causes_of_an_earlier_token(&self) -> impl Fn(usize, &str) -> bool + '_ {
        let latest = self.trail.iter().enumerate().rev().find_map(|(step, s)| {
            s.reports
                .iter()
                .rev()
                .find(|r| r.kind == battery::NAME)
                .map(|r| (step, r))
        });
        let checked_token = latest.filter(|(_, r)| {
            r.facts.keys().any(|k| k.starts_with("token."))
                && matches!(r.facts.get("status"), Some(FactValue::Int(401 | 403)))
        });
        move |step, id| {
            let Some((at, r)) = checked_token else {
                return false;
            };
            let of_token = id.starts_with("token-") || id == "wrong-token-type";
            of_token && step < at && !r.causes.iter().any(|h| h.id == id)
        }
    }

    /// `resolved` only after a passing re-test; an ending at a fix without one is
    /// `diagnosed`.
    pub fn outcome(&self) -> Outcome {
        if self.error.is_some() {
            return Outcome::Stopped;
        }
        let passed = self.verification.as_ref().is_some_and(|v| v.passed);
        match self.ended {
            None => Outcome::Unfinished,
            Some(_) if passed => Outcome::Resolved,
            Some(EndKind::Resolved) => Outcome::Diagnosed,
            Some(EndKind::Escalate) => Outcome::Escalate,
        }
    }

    /// True when the re-test could not tell: it carried no credentials (none were given) and
    /// got 401, which is what a protected address answers anyone without them, so a fix
    /// made where the credentials live (the person's browser or app) cannot show in it.
    pub fn retest_cannot_tell(&self) -> bool {
        // The walk's own plain requests got 401 too: the address asks everyone.
        let asks_everyone = self.reports().any(|r| {
            r.kind == "http"
                && r.facts.get("sent_credentials") == Some(&FactValue::Bool(false))
                && r.facts.get("status") == Some(&FactValue::Int(401))
        });
        asks_everyone
            && self
                .verification
                .as_ref()
                .is_some_and(|v| !v.passed && v.sent_as.is_empty() && v.status == Some(401))
            && self.retest_credentials().is_empty()
    }

    /// The credentials the person gave, as one phrase that never holds the secret.
    pub(crate) fn credentials_phrase(&self) -> String {
        let given = |k: &str| self.value(k).filter(|v| !v.trim().is_empty());
        let mut phrase = if given("new_token").is_some() {
            "with the new Bearer token given".to_owned()
        } else if given("token").is_some() {
            "with the Bearer token given".to_owned()
        } else {
            match (given("user"), given("new_password"), given("password")) {
                (Some(user), Some(_), _) => {
                    format!("with Basic user '{user}' and the new password given")
                }
                (Some(user), None, Some(_)) => {
                    format!("with Basic user '{user}' and the password given")
                }
                _ => String::new(),
            }
        };
        if given("cookie").is_some() {
            phrase = if phrase.is_empty() {
                "with the cookie given".to_owned()
            } else {
                format!("{phrase} and the cookie given")
            };
        }
        if phrase.is_empty() {
            "without credentials".to_owned()
        } else {
            phrase
        }
    }

    /// The credentials the re-test sends: the newest the person typed (`new_token`,
    /// `new_password` at "it works now"), else those given during the walk, and the session
    /// cookie when one was given.
    fn retest_credentials(&self) -> Vec<(String, String)> {
        let given = |k: &str| self.value(k).filter(|v| !v.trim().is_empty());
        let mut out = Vec::new();
        if let Some(token) = given("new_token").or_else(|| given("token")) {
            out.push(("authorization".to_owned(), format!("Bearer {token}")));
        } else if let (Some(user), Some(password)) = (
            given("user"),
            given("new_password").or_else(|| given("password")),
        ) {
            out.push(("user".to_owned(), user.to_owned()));
            out.push(("password".to_owned(), password.to_owned()));
        }
        if let Some(cookie) = given("cookie") {
            out.push(("cookie".to_owned(), cookie.to_owned()));
        }
        out
    }
}

impl Engine<'_> {
    /// The re-test: the walk's address with the credentials the person gave (token first,
    /// then user and password). None before an address is known.
    pub fn verification_request(&self) -> Option<ProbeRequest> {
        let answers = &self.s.answers;
        let url = answers.get("url").filter(|u| !u.trim().is_empty())?;
        let mut args = vec![("url".to_owned(), url.clone())];
        args.extend(self.s.retest_credentials());
        Some(ProbeRequest {
            id: VERIFY_PROBE.to_owned(),
            kind: "http".to_owned(),
            args: args.into_iter().collect(),
        })
    }

    /// Records the re-test's answer. It changes no step, so `back` is not affected.
    pub fn give_verification(&mut self, report: &ProbeReport) {
        let url = self.s.answers.get("url").cloned().unwrap_or_default();
        let status = match report.facts.get("status") {
            Some(FactValue::Int(n)) => u16::try_from(*n).ok(),
            _ => None,
        };
        let responded = matches!(report.facts.get("responded"), Some(FactValue::Bool(true)));
        let answer = match (status, responded) {
            (Some(s), true) => match report.facts.get("reason") {
                Some(FactValue::Str(r)) if !r.is_empty() => format!("{s} {r}"),
                _ => s.to_string(),
            },
            _ => format!("no answer: {}", report.summary),
        };
        let mut kept = report.clone();
        kept.id = match self.s.retests.len() {
            0 => VERIFY_PROBE.to_owned(),
            n => format!("{VERIFY_PROBE}-{}", n + 1),
        };
        self.s.retests.push(kept);
        self.s.verification = Some(Verification {
            request: format!("GET {url} {}", self.s.credentials_phrase()),
            status,
            answer,
            passed: responded && status.is_some_and(|s| s != 401 && s != 407),
            sent_as: match report.facts.get("sent_as") {
                Some(FactValue::StrList(kinds)) => kinds.clone(),
                _ => Vec::new(),
            },
        });
    }
}
