//! What a check found, and how it reads: text for people, one JSON object for programs.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::rules::ids;
use crate::diagnose::{self, CauseHit};
use crate::probe::challenge::{self, Challenge};
use crate::probe::{FactValue, ProbeReport};

/// Causes below this confidence are listed in JSON but not counted as findings.
const FINDING_CONFIDENCE: f64 = 0.5;

/// The battery's outcome.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub url: String,
    pub method: String,
    /// What may explain the failure, most likely first.
    pub causes: Vec<CauseHit>,
    /// True of the site but not why this request failed, most likely first.
    pub remarks: Vec<CauseHit>,
    pub reports: Vec<ProbeReport>,
    pub elapsed: Duration,
    /// The credentials sent, as fingerprints.
    pub sent: Vec<String>,
    /// The kind of credential sent (`bearer`, `basic`, `cookie`, `api-key`), for the fixes.
    pub credential: Option<&'static str>,
    /// Requests that carried the person's password and the most allowed, when one was given.
    pub password_sends: Option<PasswordSendsUsed>,
    /// Requests left out so the password went out no more than allowed.
    pub withheld: Vec<String>,
}

/// How often the person's password went out in one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordSendsUsed {
    /// Requests that carried it (Basic) or an answer computed from it (Digest).
    pub count: usize,
    /// The most allowed (`--max-password-sends`).
    pub limit: usize,
    /// Digest answers sent again with the server's new nonce after `stale=true`, not counted.
    pub stale_retries: usize,
}

impl CheckResult {
    fn main(&self) -> Option<&ProbeReport> {
        self.reports.iter().find(|r| r.id == ids::MAIN)
    }

    fn main_fact(&self, name: &str) -> Option<&FactValue> {
        self.main().and_then(|r| r.facts.get(name))
    }

    pub fn status(&self) -> Option<i64> {
        match self.main_fact("status") {
            Some(FactValue::Int(s)) => Some(*s),
            _ => None,
        }
    }

    fn challenges(&self, fact: &str) -> Vec<Challenge> {
        let raw = match self.main_fact(fact) {
            Some(FactValue::StrList(v)) => v.clone(),
            _ => Vec::new(),
        };
        let refs: Vec<&str> = raw.iter().map(String::as_str).collect();
        challenge::parse(&refs).challenges
    }

    /// True when the exit code should say something was found.
    pub(crate) fn found_problem(&self) -> bool {
        matches!(self.status(), None | Some(401 | 407))
            || self
                .causes
                .iter()
                .any(|c| c.id != "not-a-401" && c.confidence >= FINDING_CONFIDENCE)
    }

    /// The `--json` object.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(&self.json_value()).unwrap_or_default()
    }

    fn json_value(&self) -> Value {
        let challenges = |fact: &str| -> Vec<Value> {
            self.challenges(fact)
                .iter()
                .map(|c| {
                    let params: Map<String, Value> = c
                        .params
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                        .collect();
                    json!({"scheme": c.scheme_lower(), "params": params, "token68": c.token68})
                })
                .collect()
        };
        let as_json = |c: &CauseHit| cause_json(c, self.credential);
        let causes: Vec<Value> = self.causes.iter().map(as_json).collect();
        let remarks: Vec<Value> = self.remarks.iter().map(as_json).collect();
        let probes: Map<String, Value> = self
            .reports
            .iter()
            .map(|r| {
                let v = json!({
                    "kind": r.kind, "verdict": r.verdict, "summary": r.summary,
                    "facts": r.facts, "evidence": r.evidence, "elapsed_ms": r.elapsed_ms,
                });
                (r.id.clone(), v)
            })
            .collect();
        json!({
            "schema_version": 1,
            "url": self.url,
            "method": self.method,
            "status": self.status(),
            "error": self.main_fact("error.message").map(ToString::to_string),
            "credentials_sent": self.sent,
            "hops": self.hops_json(),
            "password_sends": self.password_sends.map(|p| json!({"count": p.count, "limit": p.limit, "stale_retries": p.stale_retries})),
            "withheld": self.withheld_lines(),
            "challenges": challenges("challenge.raw"),
            "proxy_challenges": challenges("proxy_challenge.raw"),
            "causes": causes,
            "remarks": remarks,
            "probes": probes,
            "elapsed_ms": u64::try_from(self.elapsed.as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// The main request's chain: each hop and whether it carried the credentials.
    fn hops_json(&self) -> Vec<Value> {
        let Some(FactValue::StrList(hops)) = self.main_fact("hops") else {
            return Vec::new();
        };
        hops.iter()
            .map(|h| {
                let (line, sent) = match h.strip_suffix(" [credentials sent]") {
                    Some(l) => (l, true),
                    None => (h.as_str(), false),
                };
                json!({"request": line, "credentials_sent": sent})
            })
            .collect()
    }

    /// What was not sent, and why: the main chain's own lines, then the requests left out.
    pub(crate) fn withheld_lines(&self) -> Vec<String> {
        let mut out = match self.main_fact("withheld") {
            Some(FactValue::StrList(v)) => v.clone(),
            _ => Vec::new(),
        };
        out.extend(self.withheld.iter().cloned());
        out
    }

    /// Explanations then remarks, for a ticket.
    pub fn ranked(&self) -> Vec<CauseHit> {
        self.causes.iter().chain(&self.remarks).cloned().collect()
    }

    /// The text for a person.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "why401 check {} {}", self.method, self.url);
        if self.sent.is_empty() {
            let _ = writeln!(out, "sent: no credentials");
        } else {
            let _ = writeln!(out, "sent: {}", self.sent.join("; "));
        }
        if let Some(p) = self.password_sends {
            let _ = writeln!(
                out,
                "password sent: {} time{} (at most {}; --max-password-sends N allows more){}",
                p.count,
                if p.count == 1 { "" } else { "s" },
                p.limit,
                match p.stale_retries {
                    0 => String::new(),
                    n => format!(
                        ", and {n} Digest answer{} again with the server's new nonce after stale=true (not counted: the server found the answer valid)",
                        if n == 1 { "" } else { "s" }
                    ),
                }
            );
        }
        if let Some(FactValue::StrList(hops)) = self.main_fact("hops")
            && hops.len() > 1
        {
            let _ = writeln!(out, "hops:");
            for h in hops {
                let _ = writeln!(out, "  {h}");
            }
        }
        for w in self.withheld_lines() {
            let _ = writeln!(out, "not sent: {w}");
        }
        let answer = self.main().map_or_else(String::new, |r| r.summary.clone());
        let _ = writeln!(out, "answer: {answer}");
        let shown: Vec<&CauseHit> = self.causes.iter().filter(|c| c.confidence >= 0.3).collect();
        if shown.is_empty() {
            let _ = writeln!(out, "\nNo cause found.");
        } else {
            let _ = writeln!(out, "\nLikely causes, most likely first:");
        }
        for (i, c) in shown.iter().enumerate() {
            write_cause(&mut out, i + 1, c, self.credential);
        }
        if !self.remarks.is_empty() {
            let _ = writeln!(
                out,
                "\nRemarks (true of the site, not why this request failed):"
            );
        }
        for (i, c) in self.remarks.iter().enumerate() {
            write_cause(&mut out, i + 1, c, self.credential);
        }
        let _ = writeln!(
            out,
            "\nProbes ({} run concurrently, {} ms):",
            self.reports.len(),
            self.elapsed.as_millis()
        );
        for r in &self.reports {
            let _ = writeln!(
                out,
                "  {} {:<4} {:<20} {}",
                r.verdict.icon(),
                r.verdict.label(),
                r.id,
                r.summary
            );
        }
        out.trim_end().to_owned()
    }
}

fn cause_json(c: &CauseHit, credential: Option<&str>) -> Value {
    let entry = diagnose::cause(&c.id);
    json!({
        "id": c.id,
        "title": entry.map(|e| e.title),
        "confidence": (c.confidence * 100.0).round() / 100.0,
        "evidence": c.evidence,
        "fix": diagnose::catalogue::fix_for(&c.id, credential),
        "fixed_by": entry.map(|e| e.fixed_by.iter().map(|a| a.label()).collect::<Vec<_>>()),
    })
}

fn write_cause(out: &mut String, n: usize, c: &CauseHit, credential: Option<&str>) {
    let entry = diagnose::cause(&c.id);
    let title = entry.map_or("", |e| e.title);
    let _ = writeln!(
        out,
        "  {n}. {} ({:.0}%): {title}",
        c.id,
        c.confidence * 100.0
    );
    for e in &c.evidence {
        let _ = writeln!(out, "     evidence: {e}");
    }
    if let Some(e) = entry {
        let fix = diagnose::catalogue::fix_for(&c.id, credential).unwrap_or(e.fix);
        let _ = writeln!(out, "     fix: {fix}");
        let who: Vec<&str> = e.fixed_by.iter().map(|a| a.label()).collect();
        let _ = writeln!(out, "     fixed by: {}", who.join(", "));
    }
}
