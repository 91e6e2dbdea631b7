//! The engine: a pure state machine over a [`FlowSet`]. No I/O, no clock, no terminal.
//!
//! A driver (the wizard, `why401 run`, a test) asks [`Engine::phase`] what is pending,
//! supplies it (inputs, probe reports, a choice) and repeats until the walk ends. Given the
//! same flows, answers and reports it always takes the same path.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::expr::{self, Scope};
use super::lint::resolve;
use super::load::FlowSet;
use super::model::{EndKind, FindingRule, Input, InputKind, Node, NodeRef};
use super::template;
use crate::probe::{FactValue, ProbeReport, ProbeRequest};
use crate::secret::Secret;

mod outcome;
mod resume;
#[cfg(test)]
mod tests;

pub use outcome::{Outcome, VERIFY_PROBE, Verification};

/// Automatic moves allowed without a person acting, before the walk is declared a loop.
const MAX_AUTO_MOVES: usize = 256;

/// What the engine waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Inputs of the current node are missing.
    Inputs,
    /// The current node's probes must run ([`Engine::probe_requests`]).
    Probes,
    /// The person must choose.
    Choose,
    /// Back at a step whose checks decided the next step: its results show until the person
    /// goes on ([`Engine::proceed`]) or runs the checks again.
    Review,
    /// The walk is over.
    Ended,
}

/// A cause recorded during the walk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub cause: String,
    pub confidence: f64,
    pub evidence: String,
    pub at: NodeRef,
}

/// One visited node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub at: NodeRef,
    pub title: String,
    /// The label chosen, or the condition of the rule that moved on automatically.
    pub left_by: Option<String>,
    pub reports: Vec<ProbeReport>,
    pub findings: Vec<Finding>,
    pub note: Option<String>,
}

/// Everything a walk produced; what tickets and saved sessions are made of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The flow the walk started in.
    pub flow: String,
    pub current: NodeRef,
    pub phase: Phase,
    pub ended: Option<EndKind>,
    /// Input values by id, secrets excepted: those are in `secrets`.
    pub answers: BTreeMap<String, String>,
    /// Values of secret inputs (passwords, tokens, cookies) from the moment they are given:
    /// a [`Secret`] never prints itself, and they are never saved.
    #[serde(skip)]
    pub secrets: BTreeMap<String, Secret>,
    /// Ids of inputs that are secrets.
    pub secret_inputs: Vec<String>,
    /// Facts by `probe_id.fact`.
    pub facts: BTreeMap<String, FactValue>,
    pub trail: Vec<Step>,
    /// Set when the walk stopped on its own error (a loop of automatic moves).
    pub error: Option<String>,
    /// The last re-test of the original request, after the walk ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
    /// Every re-test's report, in order (`retest`, `retest-2`, ...): each is a request the
    /// ticket lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retests: Vec<ProbeReport>,
}

impl Session {
    /// Every finding of the walk, in order.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.trail.iter().flat_map(|s| s.findings.iter())
    }

    /// Every probe report of the walk, in order.
    pub fn reports(&self) -> impl Iterator<Item = &ProbeReport> {
        self.trail.iter().flat_map(|s| s.reports.iter())
    }

    /// The values of secret inputs (for redaction).
    pub fn secret_values(&self) -> Vec<&str> {
        self.secret_inputs
            .iter()
            .filter_map(|id| self.secrets.get(id).map(Secret::expose))
            .collect()
    }

    /// True when input `id` has a value, secret or not.
    pub fn has_answer(&self, id: &str) -> bool {
        self.answers.contains_key(id) || self.secrets.contains_key(id)
    }

    /// The secret given for input `id`.
    pub fn secret(&self, id: &str) -> Option<&Secret> {
        self.secrets.get(id)
    }

    /// The value of input `id`, a secret's included: only to fill a probe's arguments or
    /// evaluate a condition, never to show.
    pub(crate) fn value(&self, id: &str) -> Option<&str> {
        self.answers
            .get(id)
            .map(String::as_str)
            .or_else(|| self.secrets.get(id).map(Secret::expose))
    }

    /// Records the value of `input`: a secret's as a [`Secret`], apart from the answers.
    pub(crate) fn store(&mut self, input: &Input, value: String) {
        if input.kind.is_secret() {
            if !self.secret_inputs.contains(&input.id) {
                self.secret_inputs.push(input.id.clone());
            }
            self.answers.remove(&input.id);
            self.secrets.insert(input.id.clone(), Secret::from(value));
        } else {
            self.answers.insert(input.id.clone(), value);
        }
    }
}

/// Errors a driver can cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("no flow '{0}'")]
    NoFlow(String),
    #[error("flow '{0}' has no start node '{1}'")]
    NoStart(String, String),
    #[error("node '{node}' asks for no input '{id}'")]
    NoSuchInput { node: String, id: String },
    #[error("input '{id}': {message}")]
    BadInput { id: String, message: String },
    #[error("node '{node}' has no choice {index}")]
    NoSuchChoice { node: String, index: usize },
    #[error("not waiting for {0}")]
    WrongPhase(&'static str),
    #[error("goto from '{from}': {message}")]
    BadGoto { from: String, message: String },
}

struct FactScope<'a>(&'a Session);

impl Scope for FactScope<'_> {
    fn value(&self, path: &str) -> Option<FactValue> {
        match path.strip_prefix("input.") {
            Some(id) => self.0.value(id).map(|v| FactValue::Str(v.to_owned())),
            None => self.0.facts.get(path).cloned(),
        }
    }
}

/// The walk of a flow.
#[derive(Debug, Clone)]
pub struct Engine<'a> {
    set: &'a FlowSet,
    s: Session,
    undo: Vec<Session>,
}

impl<'a> Engine<'a> {
    /// Starts `flow` with `preset` input values (e.g. the URL given on the command line).
    pub fn new(
        set: &'a FlowSet,
        flow: &str,
        preset: BTreeMap<String, String>,
    ) -> Result<Self, EngineError> {
        let lf = set
            .get(flow)
            .ok_or_else(|| EngineError::NoFlow(flow.to_owned()))?;
        if !lf.flow.nodes.contains_key(&lf.flow.start) {
            return Err(EngineError::NoStart(flow.to_owned(), lf.flow.start.clone()));
        }
        let start = NodeRef {
            flow: flow.to_owned(),
            node: lf.flow.start.clone(),
        };
        let mut engine = Self {
            set,
            s: Session {
                flow: flow.to_owned(),
                current: start.clone(),
                phase: Phase::Inputs,
                ended: None,
                answers: preset,
                secrets: BTreeMap::new(),
                secret_inputs: Vec::new(),
                facts: BTreeMap::new(),
                trail: Vec::new(),
                error: None,
                verification: None,
                retests: Vec::new(),
            },
            undo: Vec::new(),
        };
        engine.enter(start, None);
        Ok(engine)
    }

    /// Resumes a saved session against `set` (the caller checks flow versions), with its
    /// history when the walk can be repeated from what was saved.
    pub fn resume(set: &'a FlowSet, session: Session) -> Result<Self, EngineError> {
        let lf = set
            .get(&session.current.flow)
            .ok_or_else(|| EngineError::NoFlow(session.current.flow.clone()))?;
        if !lf.flow.nodes.contains_key(&session.current.node) {
            return Err(EngineError::NoStart(
                session.current.flow.clone(),
                session.current.node.clone(),
            ));
        }
        // The history comes back when the saved walk can be repeated step by step.
        if let Some(engine) = Self::rewalk(set, &session) {
            return Ok(engine);
        }
        Ok(Self {
            set,
            s: session,
            undo: Vec::new(),
        })
    }

    pub fn session(&self) -> &Session {
        &self.s
    }

    pub fn into_session(self) -> Session {
        self.s
    }

    pub fn phase(&self) -> Phase {
        self.s.phase
    }

    pub fn flows(&self) -> &'a FlowSet {
        self.set
    }

    /// The node the walk is at.
    pub fn node(&self) -> &'a Node {
        let lf = &self.set.flows[&self.s.current.flow];
        &lf.flow.nodes[&self.s.current.node]
    }

    /// The inputs of the current node still without a value.
    pub fn missing_inputs(&self) -> Vec<&'a Input> {
        self.node()
            .inputs
            .iter()
            .filter(|i| !self.s.has_answer(&i.id))
            .collect()
    }

    /// Gives a value for an input of the current node.
    pub fn give_input(&mut self, id: &str, value: &str) -> Result<(), EngineError> {
        if self.s.phase != Phase::Inputs {
            return Err(EngineError::WrongPhase("an input"));
        }
        let input = self
            .node()
            .inputs
            .iter()
            .find(|i| i.id == id)
            .ok_or_else(|| EngineError::NoSuchInput {
                node: self.s.current.to_string(),
                id: id.to_owned(),
            })?;
        let value = validate_input(input, value)?;
        self.undo.push(self.s.clone());
        self.s.store(input, value);
        if self.missing_inputs().is_empty() {
            self.after_inputs();
        }
        Ok(())
    }

    /// The probes of the current node, with their arguments filled in.
    pub fn probe_requests(&self) -> Vec<ProbeRequest> {
        self.node()
            .probes
            .iter()
            .map(|call| ProbeRequest {
                id: call.instance_id().to_owned(),
                kind: call.kind.clone(),
                // An argument naming something not known (a user never asked) is left out,
                // never sent as a placeholder.
                args: call
                    .args
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), self.fill_first_known(v)?)))
                    .collect(),
            })
            .collect()
    }

    /// Records the current node's probe reports and moves on as the rules say.
    pub fn give_reports(&mut self, reports: Vec<ProbeReport>) -> Result<(), EngineError> {
        if self.s.phase != Phase::Probes {
            return Err(EngineError::WrongPhase("probe reports"));
        }
        for r in &reports {
            let prefix = format!("{}.", r.id);
            self.s.facts.retain(|k, _| !k.starts_with(&prefix));
            for (k, v) in &r.facts {
                self.s.facts.insert(format!("{prefix}{k}"), v.clone());
            }
        }
        if let Some(step) = self.s.trail.last_mut() {
            step.reports = reports;
            step.findings.clear();
        }
        self.record_findings();
        self.route(0);
        Ok(())
    }

    /// Leaves a step shown again with its results ([`Phase::Review`]) the way its checks
    /// decided.
    pub fn proceed(&mut self) -> Result<(), EngineError> {
        if self.s.phase != Phase::Review {
            return Err(EngineError::WrongPhase("going on"));
        }
        self.undo.push(self.s.clone());
        self.route(0);
        Ok(())
    }

    /// Runs the current node's probes again (the person fixed something and retries).
    pub fn rerun(&mut self) -> Result<(), EngineError> {
        if self.node().probes.is_empty() || self.s.phase == Phase::Ended {
            return Err(EngineError::WrongPhase("a re-run"));
        }
        self.s.phase = Phase::Probes;
        Ok(())
    }

    /// The choice the evidence points to, and why.
    pub fn suggested(&self) -> Option<(usize, String)> {
        let scope = FactScope(&self.s);
        self.node().choices.iter().enumerate().find_map(|(i, c)| {
            let cond = expr::parse(c.when.as_deref()?).ok()?;
            cond.eval(&scope).then(|| {
                (
                    i,
                    c.because.as_deref().map_or_else(
                        || c.when.clone().unwrap_or_default(),
                        |b| self.fill(b, true),
                    ),
                )
            })
        })
    }

    /// The person picks choice `index` of the current node (also of a step shown again with
    /// its results, instead of the way its checks decided).
    pub fn choose(&mut self, index: usize) -> Result<(), EngineError> {
        if !matches!(self.s.phase, Phase::Choose | Phase::Review) {
            return Err(EngineError::WrongPhase("a choice"));
        }
        let node = self.node();
        let choice = node
            .choices
            .get(index)
            .ok_or_else(|| EngineError::NoSuchChoice {
                node: self.s.current.to_string(),
                index,
            })?;
        self.undo.push(self.s.clone());
        let at = self.s.current.clone();
        let found: Vec<Finding> = choice
            .findings
            .iter()
            .filter_map(|f| self.finding(f, &at))
            .collect();
        if let Some(step) = self.s.trail.last_mut() {
            step.findings.extend(found);
        }
        let target =
            resolve(self.set, &at.flow, &choice.goto).map_err(|message| EngineError::BadGoto {
                from: at.to_string(),
                message,
            })?;
        self.enter(target, Some(choice.label.clone()));
        Ok(())
    }

    /// Undoes the last input or choice. False when there is nothing to undo.
    pub fn back(&mut self) -> bool {
        match self.undo.pop() {
            Some(prev) => {
                self.s = prev;
                true
            }
            None => false,
        }
    }

    /// Forgets the undo history (after resuming, or to explore many walks cheaply).
    pub fn forget_history(&mut self) {
        self.undo.clear();
    }

    pub fn can_go_back(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Sets the note of the current step.
    pub fn set_note(&mut self, note: &str) {
        if let Some(step) = self.s.trail.last_mut() {
            step.note = (!note.trim().is_empty()).then(|| note.trim().to_owned());
        }
    }

    /// Fills `{{...}}` from inputs and facts. With `redact` (text for a screen or a ticket),
    /// secret inputs become fingerprints and a value not known yet reads "(not known)", never
    /// a raw placeholder.
    pub fn fill(&self, text: &str, redact: bool) -> String {
        template::render(text, &|name| self.lookup(name, redact), &|_| {
            redact.then(|| "(not known)".to_owned())
        })
    }

    /// The first of `a || b || ...` whose placeholders all have values, filled. Among
    /// several, an empty value (an optional input left empty) counts as none, so
    /// `{{new_token}} || {{token}}` falls back to the token given before.
    fn fill_first_known(&self, text: &str) -> Option<String> {
        let several = text.contains(" || ");
        text.split(" || ")
            .find_map(|alt| self.fill_known(alt.trim(), several))
    }

    /// `text` filled only when every placeholder has a value (with `non_empty`, a value that
    /// is not blank).
    fn fill_known(&self, text: &str, non_empty: bool) -> Option<String> {
        let vars = template::vars(text).ok()?;
        vars.iter()
            .all(|v| {
                self.lookup(&v.name, false)
                    .is_some_and(|x| !non_empty || !x.trim().is_empty())
            })
            .then(|| self.fill(text, false))
    }

    /// The value of a placeholder: an input, `url_path` / `url_host` (the path and host of the
    /// address given), or a fact.
    fn lookup(&self, name: &str, redact: bool) -> Option<String> {
        if let Some(v) = self.s.secret(name) {
            return Some(if redact {
                v.fingerprint(name)
            } else {
                v.expose().to_owned()
            });
        }
        if let Some(v) = self.s.answers.get(name) {
            return Some(v.clone());
        }
        if name == "url_path" || name == "url_host" {
            let url = url::Url::parse(self.s.answers.get("url")?).ok()?;
            return if name == "url_path" {
                Some(url.path().to_owned())
            } else {
                url.host_str().map(str::to_owned)
            };
        }
        self.s.facts.get(name).map(ToString::to_string)
    }

    fn enter(&mut self, to: NodeRef, left_by: Option<String>) {
        self.enter_counted(to, left_by, 0);
    }

    fn enter_counted(&mut self, to: NodeRef, left_by: Option<String>, moves: usize) {
        if let Some(step) = self.s.trail.last_mut() {
            step.left_by = left_by;
        }
        let node = &self.set.flows[&to.flow].flow.nodes[&to.node];
        self.s.trail.push(Step {
            at: to.clone(),
            title: node.title.clone(),
            left_by: None,
            reports: Vec::new(),
            findings: Vec::new(),
            note: None,
        });
        self.s.current = to;
        // Inputs with a default are filled without asking (a default may name what is known
        // already, like `{{url_path}}`, or one of several: `{{a}} || {{b}}`, the first known);
        // optional ones may stay empty.
        for input in &node.inputs {
            if !self.s.has_answer(&input.id)
                && let Some(d) = input
                    .default
                    .as_deref()
                    .and_then(|d| self.fill_first_known(d))
                    .filter(|v| !v.trim().is_empty())
            {
                self.s.store(input, d);
            }
        }
        if self.missing_inputs().is_empty() {
            self.after_inputs_counted(moves);
        } else {
            self.s.phase = Phase::Inputs;
        }
    }

    fn after_inputs(&mut self) {
        self.after_inputs_counted(0);
    }

    fn after_inputs_counted(&mut self, moves: usize) {
        if self.node().probes.is_empty() {
            self.settle_counted(moves);
        } else {
            self.s.phase = Phase::Probes;
        }
    }

    /// After inputs and probes: record findings, then take the first rule that applies.
    fn settle_counted(&mut self, moves: usize) {
        self.record_findings();
        self.route(moves);
    }

    /// Records the findings of the current node whose conditions hold.
    fn record_findings(&mut self) {
        let node = self.node();
        let at = self.s.current.clone();
        let found: Vec<Finding> = node
            .findings
            .iter()
            .filter_map(|f| self.finding(f, &at))
            .collect();
        if let Some(step) = self.s.trail.last_mut() {
            step.findings.extend(found);
        }
    }

    /// Ends the walk at an end node, or takes the first rule that applies, or waits for a
    /// choice.
    fn route(&mut self, moves: usize) {
        let node = self.node();
        let at = self.s.current.clone();
        if let Some(end) = node.end {
            self.s.phase = Phase::Ended;
            self.s.ended = Some(end);
            return;
        }
        let scope = FactScope(&self.s);
        let rule = node.next.iter().find(|r| {
            r.when
                .as_deref()
                .is_none_or(|w| expr::parse(w).is_ok_and(|e| e.eval(&scope)))
        });
        match rule {
            Some(rule) if moves < MAX_AUTO_MOVES => match resolve(self.set, &at.flow, &rule.goto) {
                Ok(target) => {
                    self.keep_for_back();
                    let why = rule.when.clone().unwrap_or_else(|| String::from("(always)"));
                    self.enter_counted(target, Some(why), moves + 1);
                }
                Err(message) => self.stop(format!("goto from '{at}': {message}")),
            },
            Some(_) => self.stop(format!("more than {MAX_AUTO_MOVES} automatic moves without a question: the flow loops at '{at}'")),
            None if node.choices.is_empty() => self.stop(format!("node '{at}' has no rule that applies and no choices")),
            None => self.s.phase = Phase::Choose,
        }
    }

    /// A step the checks or facts move on from, with results or findings of its own, is
    /// one `back` returns to: shown again with them ([`Phase::Review`]), never skipped.
    fn keep_for_back(&mut self) {
        let shown = self
            .s
            .trail
            .last()
            .is_some_and(|s| !s.findings.is_empty() || !s.reports.is_empty());
        let kept = self.undo.last().is_some_and(|u| {
            u.phase == Phase::Review
                && u.current == self.s.current
                && u.trail.len() == self.s.trail.len()
        });
        if shown && !kept {
            let mut here = self.s.clone();
            here.phase = Phase::Review;
            self.undo.push(here);
        }
    }

    fn stop(&mut self, message: String) {
        self.s.error = Some(message);
        self.s.phase = Phase::Ended;
    }

    fn finding(&self, rule: &FindingRule, at: &NodeRef) -> Option<Finding> {
        if let Some(w) = &rule.when {
            let cond = expr::parse(w).ok()?;
            if !cond.eval(&FactScope(&self.s)) {
                return None;
            }
        }
        let evidence = if rule.evidence.is_empty() {
            crate::diagnose::cause(&rule.cause).map_or_else(String::new, |c| c.title.to_owned())
        } else {
            self.fill(&rule.evidence, true)
        };
        Some(Finding {
            cause: rule.cause.clone(),
            confidence: rule.confidence,
            evidence,
            at: at.clone(),
        })
    }
}

/// The address without `user:password@`, when it had one: a password in an address would
/// show on every screen, in the ticket and the saved session. The walk asks for credentials
/// where a step tests them, as a secret.
pub fn without_userinfo(mut u: url::Url) -> Option<String> {
    if u.username().is_empty() && u.password().is_none() {
        return None;
    }
    let _ = u.set_username("");
    let _ = u.set_password(None);
    Some(u.to_string())
}

fn validate_input(input: &Input, value: &str) -> Result<String, EngineError> {
    let bad = |m: &str| EngineError::BadInput {
        id: input.id.clone(),
        message: m.to_owned(),
    };
    // Secrets keep their bytes except line ends (pasted tokens often carry one).
    let value = if input.kind.is_secret() {
        value.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        value.trim().to_owned()
    };
    if value.is_empty() && !input.optional {
        return Err(bad("a value is needed"));
    }
    if input.kind == InputKind::Url && !value.is_empty() {
        match url::Url::parse(&value) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                return Ok(without_userinfo(u).unwrap_or(value));
            }
            Ok(u) => {
                return Err(bad(&format!(
                    "'{}' is not an http:// or https:// address",
                    u.scheme()
                )));
            }
            Err(e) => {
                return Err(bad(&format!(
                    "not a valid address ({e}); write it as https://host/path"
                )));
            }
        }
    }
    Ok(value)
}
