//! The ticket model. Built from a walk's [`Session`] or from a command's probe reports; the
//! renderers in [`crate::report::render`] turn it into Markdown, plain text or JSON.
//!
//! The JSON form is a contract for help desks that import it: `schema_version` says which,
//! and `assets/ticket.schema.json` is generated from these types.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::flow::Session;
use crate::report::TicketFormat;
use crate::report::redact::Redactor;

mod build;
mod observe;
pub mod reproduce;

pub(crate) use build::node_of;
pub use build::{TargetSpec, help_desk_of};

/// Bumped when a field changes meaning or goes away (adding one does not bump it).
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// What a ticket says. Every string in it is free of secrets once rendered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct Ticket {
    /// Version of this format (see `assets/ticket.schema.json`).
    pub schema_version: u32,
    /// One line: what is wrong, or that nothing was found.
    pub summary: String,
    /// How the walk ended: `resolved` (a re-test got no 401), `diagnosed` (a fix is named,
    /// not yet re-tested), `escalate`, `unfinished`, `stopped`, or `report` (a command).
    pub outcome: String,
    /// The re-test of the original request after the fix, and its answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Retest>,
    /// Fields a help desk fills in.
    pub help_desk: HelpDesk,
    pub environment: Environment,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// A curl command that repeats the request, secrets as `$WHY401_...` placeholders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproduce: Option<String>,
    /// What the requests got back.
    #[serde(default)]
    pub observed: Vec<Observation>,
    /// Each hop of the redirects seen: `URL → status → Location`.
    #[serde(default)]
    pub redirect_chain: Vec<String>,
    /// The flow walked (empty for command reports).
    #[serde(default)]
    pub flow: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_version: Option<u32>,
    /// The steps taken, in order.
    #[serde(default)]
    pub steps: Vec<TicketStep>,
    /// Every answer given (secrets as fingerprints).
    #[serde(default)]
    pub answers: Vec<Answer>,
    /// Likely causes, most likely first.
    #[serde(default)]
    pub causes: Vec<TicketCause>,
    /// Remarks: true of the site, but not why this request failed (a CORS preflight answered
    /// 401 when no page calls, no credentials on a request meant to go without), most
    /// likely first, as `why401 check` lists them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remarks: Vec<TicketCause>,
    /// Every probe that ran, with its facts.
    #[serde(default)]
    pub probes: Vec<ProbeSummary>,
    /// Log lines, configuration lines and the like, redacted.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// How to walk the same path again with `why401 run`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay: Option<Replay>,
    /// Set when the walk stopped on an error of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Secrets to hide at every output; not part of the ticket itself.
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) redactor: Redactor,
}

/// A re-test of the original request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Retest {
    /// `GET URL with ...`: the request and the kind of credentials (never their value).
    pub request: String,
    /// The status and reason, or why no answer came.
    pub answer: String,
    /// True when the answer was neither 401 nor 407.
    pub passed: bool,
    /// The kinds of credentials the re-test carried (never their values).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<Credential>,
}

/// Fields a help-desk agent fills in (the wizard asks for them in agent mode).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HelpDesk {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporter: Option<String>,
    #[serde(default)]
    pub agent_notes: Vec<String>,
}

/// Where and when the ticket was written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Environment {
    pub why401_version: String,
    pub os: String,
    /// When the ticket was written, RFC 3339 in UTC.
    pub time_utc: String,
    /// Server clock minus this machine's clock, in seconds, when it was measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_offset_seconds: Option<f64>,
    /// How the offset was measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_offset_source: Option<String>,
}

/// What was checked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Target {
    /// A description when the target is not (only) a URL: a config file, a log, a token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_address: Option<String>,
    /// The kinds of credentials the request carried (never their values).
    #[serde(default)]
    pub credentials: Vec<Credential>,
    /// How the requests connected when not the plain way: trusted CA file, `--insecure`,
    /// `--resolve`/`--connect-to`, proxy (one line each, never a password).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connection: Vec<String>,
}

/// A kind of credential a request carried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Credential {
    /// Basic authentication as this user.
    Basic { user: String },
    /// `Authorization: Bearer ...`.
    Bearer,
    /// `Authorization: SCHEME ...` with another scheme, or one not known.
    Authorization {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scheme: Option<String>,
    },
    /// Cookies with these names.
    Cookie { names: Vec<String> },
    /// A custom header, e.g. `X-API-Key`.
    Header { name: String },
    /// An API key in this query parameter.
    ApiKeyQuery { param: String },
}

impl Credential {
    /// The credential a probe's `sent_as` entry names (`basic:alice`, `bearer`,
    /// `cookie:sid,lang`, `header:X-API-Key`, `query:key`, `authorization:Digest`).
    pub fn from_kind(kind: &str) -> Self {
        let (word, rest) = kind.split_once(':').unwrap_or((kind, ""));
        match word {
            "basic" if !rest.is_empty() => Self::Basic {
                user: rest.to_owned(),
            },
            "basic" => Self::Authorization {
                scheme: Some("Basic".to_owned()),
            },
            "bearer" => Self::Bearer,
            "cookie" => Self::Cookie {
                names: rest
                    .split(',')
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            "header" => Self::Header {
                name: rest.to_owned(),
            },
            "query" => Self::ApiKeyQuery {
                param: rest.to_owned(),
            },
            _ => Self::Authorization {
                scheme: (!rest.is_empty()).then(|| rest.to_owned()),
            },
        }
    }

    /// One line for a person.
    pub fn describe(&self) -> String {
        match self {
            Self::Basic { user } => format!("Basic, user '{user}'"),
            Self::Bearer => "Bearer token".to_owned(),
            Self::Authorization { scheme: Some(s) } => format!("Authorization ({s})"),
            Self::Authorization { scheme: None } => "Authorization header".to_owned(),
            Self::Cookie { names } if names.is_empty() => "cookies".to_owned(),
            Self::Cookie { names } => format!("cookies {}", names.join(", ")),
            Self::Header { name } => format!("header {name}"),
            Self::ApiKeyQuery { param } => format!("API key in query parameter '{param}'"),
        }
    }
}

/// One HTTP answer (or the failure to get one).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Observation {
    /// The probe that made the request.
    pub probe: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default)]
    pub reason: String,
    /// Whether the request carried credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_credentials: Option<bool>,
    /// The kinds of credentials it carried (never their values).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<Credential>,
    /// WWW-Authenticate values.
    #[serde(default)]
    pub challenges: Vec<String>,
    /// Proxy-Authenticate values.
    #[serde(default)]
    pub proxy_challenges: Vec<String>,
    /// Headers that matter for authentication and caching, in a fixed order.
    #[serde(default)]
    pub headers: Vec<Header>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
    /// Why no answer came back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Where the exchange was recorded when why401 did not send it (`a HAR export`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_in: Option<String>,
}

impl Observation {
    /// True for a re-test of the original request after the walk.
    pub fn is_retest(&self) -> bool {
        let id = crate::flow::engine::VERIFY_PROBE;
        self.probe == id
            || self
                .probe
                .strip_prefix(id)
                .is_some_and(|n| n.starts_with('-'))
    }
}

/// A response header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// One visited node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketStep {
    /// `flow:node`.
    pub node: String,
    pub title: String,
    /// Inputs asked at this node.
    #[serde(default)]
    pub answers: Vec<Answer>,
    /// The label the person chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chose: Option<String>,
    /// The condition that moved the walk on without a question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_on_because: Option<String>,
    #[serde(default)]
    pub probes: Vec<StepProbe>,
    /// Cause ids recorded at this step.
    #[serde(default)]
    pub findings: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A probe's verdict at a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StepProbe {
    pub id: String,
    /// ok, info, warn or fail.
    pub verdict: String,
    pub summary: String,
}

/// An answer given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Answer {
    pub id: String,
    /// The value, or its fingerprint when `secret`.
    pub value: String,
    #[serde(default)]
    pub secret: bool,
}

/// A likely cause with what to do about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TicketCause {
    /// Stable cause id (see CAUSES.md).
    pub id: String,
    pub title: String,
    /// 0.0 to 1.0.
    pub confidence: f64,
    pub evidence: Vec<String>,
    pub fix: String,
    /// Who should apply the fix: visitor, client, owner, identity-provider, network, nobody.
    pub fixed_by: Vec<String>,
}

/// One probe run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProbeSummary {
    pub id: String,
    pub kind: String,
    /// ok, info, warn or fail.
    pub verdict: String,
    pub summary: String,
    #[serde(default)]
    pub evidence: Vec<String>,
    pub elapsed_ms: u64,
    /// Facts by name (strings, numbers, booleans, lists of strings).
    #[serde(default)]
    pub facts: BTreeMap<String, serde_json::Value>,
}

/// Lines worth attaching: a log excerpt, configuration lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Attachment {
    pub label: String,
    /// `file:line` of the first line, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub lines: Vec<String>,
}

/// The answers of this walk, for `why401 run --flow FLOW --answers FILE`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Replay {
    pub flow: String,
    /// Input ids and node ids (`flow:node` outside `flow`) to values and choice labels.
    /// Secret answers are `<fill in: ID>` placeholders.
    pub answers: BTreeMap<String, String>,
    /// The same map as a YAML file.
    pub answers_yaml: String,
    /// The command to run with that file saved as `answers.yaml`.
    pub command: String,
}

impl Ticket {
    /// Builds the ticket of a walk (shipped flows tell inputs and choices apart).
    pub(crate) fn from_session(session: &Session) -> Self {
        build::from_session(session, None, chrono::Utc::now())
    }

    /// Builds the ticket of a walk over `flows` at time `now`.
    pub fn from_session_with(
        session: &Session,
        flows: Option<&crate::flow::FlowSet>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        build::from_session(session, flows, now)
    }

    /// Builds a ticket for a command (`check`, `jwt`, `server`, `logs`) from its probe
    /// reports and the causes it found.
    pub fn from_reports(
        target: &TargetSpec,
        reports: &[crate::probe::ProbeReport],
        hits: Vec<crate::diagnose::CauseHit>,
    ) -> Self {
        build::from_reports(target, reports, hits, chrono::Utc::now())
    }

    /// [`Ticket::from_reports`] at time `now`.
    pub fn from_reports_at(
        target: &TargetSpec,
        reports: &[crate::probe::ProbeReport],
        hits: Vec<crate::diagnose::CauseHit>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        build::from_reports(target, reports, hits, now)
    }

    /// Also hides `value` wherever it appears, as `[kind len=N sha256=...]`.
    pub fn add_secret(&mut self, kind: &str, value: &str) {
        self.redactor.add_secret(kind, value);
    }

    /// Adds lines to attach (they are redacted when rendered).
    pub fn attach(&mut self, label: &str, source: Option<&str>, lines: Vec<String>) {
        self.attachments.push(Attachment {
            label: label.to_owned(),
            source: source.map(str::to_owned),
            lines,
        });
    }

    /// The ticket as `format`, redacted.
    pub fn render(&self, format: TicketFormat) -> String {
        crate::report::render::render(self, format)
    }

    /// The redactor every output of this ticket goes through.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }
}

/// Renders the ticket of `session` in `format`.
pub fn render(session: &Session, format: TicketFormat) -> String {
    Ticket::from_session(session).render(format)
}

/// Renders the ticket of a walk over `flows` (custom flows included) in `format`.
pub fn render_with(
    session: &Session,
    flows: &crate::flow::FlowSet,
    format: TicketFormat,
) -> String {
    Ticket::from_session_with(session, Some(flows), chrono::Utc::now()).render(format)
}
