//! The flow format: strict serde types (unknown keys rejected). The JSON Schema in
//! `assets/flow.schema.json` is generated from these types.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A decision tree: nodes, the first of which is `start`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Stable id, used by `--flow`, `goto: ID` and `goto: ID:node`.
    pub id: String,
    /// What the flow is for, shown on the start screen.
    pub title: String,
    /// Bump when nodes change, so resumed sessions can tell.
    #[serde(default = "one")]
    pub version: u32,
    /// Longer description.
    #[serde(default)]
    pub description: String,
    /// The first node.
    pub start: String,
    /// Nodes by id, in the order written.
    pub nodes: IndexMap<String, Node>,
}

fn one() -> u32 {
    1
}

/// One step.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Short heading.
    pub title: String,
    /// What to do, in short imperative lines. May use `{{input}}` and `{{probe.fact}}`.
    #[serde(default)]
    pub body: String,
    /// Values to ask for before the probes run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<Input>,
    /// Checks to run when the node is entered (after its inputs are given).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<ProbeCall>,
    /// Causes to record when their condition holds after the probes ran.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingRule>,
    /// Automatic moves, tried in order after the probes; the first whose `when` holds is taken.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub next: Vec<Rule>,
    /// What the person can choose when no automatic move applies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    /// Makes this an end node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<EndKind>,
}

/// How a flow ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndKind {
    /// The person has access again.
    Resolved,
    /// Someone else must act: the ticket goes to them.
    Escalate,
}

/// A value asked of the person.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Name used in templates (`{{id}}`) and in answers files.
    pub id: String,
    /// What is asked.
    pub prompt: String,
    #[serde(default)]
    pub kind: InputKind,
    /// May be left empty.
    #[serde(default)]
    pub optional: bool,
    /// Value used without asking once every placeholder in it is known; `{{a}} || {{b}}` takes the first that is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// The kind of an input; `secret` and `token` are masked and redacted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    #[default]
    Text,
    Url,
    Username,
    Secret,
    Token,
    Path,
}

impl InputKind {
    pub fn is_secret(self) -> bool {
        matches!(self, Self::Secret | Self::Token)
    }
}

/// A probe to run at a node.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeCall {
    /// Probe kind from the registry (`http`, `challenge`, `jwt`, ...).
    pub kind: String,
    /// Name of its facts in conditions (`ID.fact`); defaults to the kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Arguments, templated from inputs (`{{url}}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, String>,
}

impl ProbeCall {
    pub fn instance_id(&self) -> &str {
        self.id.as_deref().unwrap_or(&self.kind)
    }
}

/// An automatic move.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Condition over facts and inputs, e.g. `http.status == 401 && http.challenge.scheme == "basic"`.
    /// Without it the rule always applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Target: `node`, `flow` (its start) or `flow:node`.
    pub goto: String,
}

/// A choice offered to the person.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// What the person picks.
    pub label: String,
    /// Target: `node`, `flow` (its start) or `flow:node`.
    pub goto: String,
    /// When this holds, the choice is the one the evidence points to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Why the evidence points here (shown beside the highlighted choice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub because: Option<String>,
    /// Causes recorded when the person picks this.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingRule>,
}

/// A cause to record.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingRule {
    /// Cause id from the catalogue.
    pub cause: String,
    /// Condition; without it the finding is always recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Evidence line, templated (`got {{http.status}} from {{url}}`).
    #[serde(default)]
    pub evidence: String,
    /// 0.0 to 1.0.
    #[serde(default = "default_confidence")]
    pub confidence: f64,
}

fn default_confidence() -> f64 {
    0.6
}

/// Where a `goto` leads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NodeRef {
    pub flow: String,
    pub node: String,
}

impl std::fmt::Display for NodeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.flow, self.node)
    }
}

/// A goto target as written: `node`, `flow:node` or (when `node` names no node here) `flow`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target<'a> {
    Local(&'a str),
    Qualified { flow: &'a str, node: &'a str },
}

impl<'a> Target<'a> {
    pub fn parse(goto: &'a str) -> Self {
        match goto.split_once(':') {
            Some((flow, node)) => Self::Qualified { flow, node },
            None => Self::Local(goto),
        }
    }
}
