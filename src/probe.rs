//! Probes: real checks run at a step. The registry here is the one place that knows every
//! probe kind — its arguments, the facts it produces and how to run it. Lint reads it; the
//! engine and the UI use it.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::diagnose::CauseHit;

pub mod battery;
pub mod cache;
pub mod challenge;
pub mod clock;
pub mod cookie;
pub mod cors;
pub mod fresh_token;
pub mod har;
pub mod htaccess;
pub mod htpasswd;
pub mod http;
pub mod jwks;
pub mod jwt;
pub mod limits;
pub mod local_server;
pub mod logs;
pub mod network;
pub mod nginx;
pub mod redirect;

/// The type of a fact, as flows test it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactType {
    Int,
    Float,
    Str,
    Bool,
    StrList,
}

impl fmt::Display for FactType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Int => "integer",
            Self::Float => "number",
            Self::Str => "string",
            Self::Bool => "boolean",
            Self::StrList => "list of strings",
        })
    }
}

/// A typed value a probe found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FactValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    StrList(Vec<String>),
}

impl FactValue {
    pub fn fact_type(&self) -> FactType {
        match self {
            Self::Bool(_) => FactType::Bool,
            Self::Int(_) => FactType::Int,
            Self::Float(_) => FactType::Float,
            Self::Str(_) => FactType::Str,
            Self::StrList(_) => FactType::StrList,
        }
    }
}

impl fmt::Display for FactValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool(b) => write!(f, "{b}"),
            Self::Int(i) => write!(f, "{i}"),
            Self::Float(x) => write!(f, "{x}"),
            Self::Str(s) => f.write_str(s),
            Self::StrList(v) => f.write_str(&v.join(", ")),
        }
    }
}

impl From<bool> for FactValue {
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}
impl From<i64> for FactValue {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<f64> for FactValue {
    fn from(v: f64) -> Self {
        Self::Float(v)
    }
}
impl From<String> for FactValue {
    fn from(v: String) -> Self {
        Self::Str(v)
    }
}
impl From<&str> for FactValue {
    fn from(v: &str) -> Self {
        Self::Str(v.to_owned())
    }
}
impl From<Vec<String>> for FactValue {
    fn from(v: Vec<String>) -> Self {
        Self::StrList(v)
    }
}

/// A fact a probe kind can produce. A name ending in `.*` stands for a family
/// (`header.*` covers `header.www-authenticate`, ...).
#[derive(Debug, Clone, Copy)]
pub struct FactSpec {
    pub name: &'static str,
    pub ty: FactType,
    pub doc: &'static str,
}

/// A fact spec, for the registry tables of the probe kinds.
pub const fn fact(name: &'static str, ty: FactType, doc: &'static str) -> FactSpec {
    FactSpec { name, ty, doc }
}

/// An argument a probe kind takes (always a string after templating).
#[derive(Debug, Clone, Copy)]
pub struct ArgSpec {
    pub name: &'static str,
    pub required: bool,
    /// True when the value is a secret: it is redacted everywhere.
    pub secret: bool,
    pub doc: &'static str,
}

impl ArgSpec {
    /// An argument spec, for the registry tables of the probe kinds.
    pub const fn new(name: &'static str, required: bool, secret: bool, doc: &'static str) -> Self {
        Self {
            name,
            required,
            secret,
            doc,
        }
    }
}

/// The overall result of one probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ok,
    Info,
    Warn,
    Fail,
}

impl Verdict {
    /// A word that conveys the verdict without colour.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Fail => "fail",
        }
    }
    /// An icon that conveys the verdict without colour.
    pub(crate) fn icon(self) -> &'static str {
        match self {
            Self::Ok => "✔",
            Self::Info => "ℹ",
            Self::Warn => "⚠",
            Self::Fail => "✘",
        }
    }
}

/// What one probe run found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeReport {
    /// Instance id (the flow's probe id, defaulting to the kind).
    pub id: String,
    pub kind: String,
    pub verdict: Verdict,
    /// One line for the person.
    pub summary: String,
    pub facts: BTreeMap<String, FactValue>,
    /// Evidence lines for the ticket (already free of secrets).
    pub evidence: Vec<String>,
    /// Causes this probe alone can name.
    #[serde(default)]
    pub causes: Vec<CauseHit>,
    pub elapsed_ms: u64,
}

impl ProbeReport {
    pub fn new(id: &str, kind: &str) -> Self {
        Self {
            id: id.to_owned(),
            kind: kind.to_owned(),
            verdict: Verdict::Info,
            summary: String::new(),
            facts: BTreeMap::new(),
            evidence: Vec::new(),
            causes: Vec::new(),
            elapsed_ms: 0,
        }
    }

    pub fn fact(&mut self, name: &str, value: impl Into<FactValue>) {
        self.facts.insert(name.to_owned(), value.into());
    }

    /// A report for a probe that could not run at all.
    pub fn failed(id: &str, kind: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut r = Self::new(id, kind);
        r.verdict = Verdict::Fail;
        r.fact("error", message.clone());
        r.summary = message;
        r
    }
}

/// Arguments after templating, by name.
pub type ProbeArgs = BTreeMap<String, String>;

/// What every probe gets besides its arguments.
#[derive(Clone)]
pub struct ProbeContext {
    /// Shared client: no automatic redirects, no cookies store, rustls.
    pub client: reqwest::Client,
    pub timeout: Duration,
    pub cancel: CancellationToken,
    /// Value for the User-Agent: `why401/VERSION probe/ID`, so logs can be matched to probes.
    pub user_agent: String,
    /// The session's marker id, part of the User-Agent.
    pub marker: String,
    /// How requests go out (trust, proxy, fixed addresses) and what reports say about it.
    pub net: std::sync::Arc<crate::net::Network>,
    /// Requests that carried the person's password, and how many may (no limit unless the
    /// battery sets one).
    pub password_sends: std::sync::Arc<http::PasswordSends>,
    /// Within one battery, exchanges the probes share (none outside a battery, so a re-test
    /// always asks the server again).
    pub shared: Option<std::sync::Arc<http::SharedExchanges>>,
}

impl ProbeContext {
    /// The client and network requests of this context go out through.
    pub(crate) fn connection(&self) -> crate::net::Connection {
        crate::net::Connection {
            client: self.client.clone(),
            net: std::sync::Arc::clone(&self.net),
        }
    }

    /// A context with a fresh client and a random marker; the environment's proxy and
    /// certificate variables apply.
    pub fn new(timeout: Duration) -> anyhow::Result<Self> {
        Self::with_network(timeout, &crate::net::NetOptions::default())
    }

    /// A context whose client follows `opts` (and the environment).
    pub(crate) fn with_network(
        timeout: Duration,
        opts: &crate::net::NetOptions,
    ) -> anyhow::Result<Self> {
        let marker = new_marker();
        let user_agent = format!("why401/{} probe/{marker}", env!("CARGO_PKG_VERSION"));
        let (client, net) =
            crate::net::Network::build(opts, &crate::net::process_env, timeout, &user_agent)
                .map_err(|e| anyhow::anyhow!(e))?;
        Ok(Self {
            client,
            timeout,
            cancel: CancellationToken::new(),
            user_agent,
            marker,
            net: std::sync::Arc::new(net),
            password_sends: std::sync::Arc::default(),
            shared: None,
        })
    }
}

/// A short random-enough id for matching this session's requests in server logs.
fn new_marker() -> String {
    use sha2::{Digest, Sha256};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seed = format!("{}-{}", now.as_nanos(), std::process::id());
    hex::encode(&Sha256::digest(seed.as_bytes())[..6])
}

/// The future a probe returns. It never fails: every failure is a report.
pub(crate) type ProbeFuture = BoxFuture<'static, ProbeReport>;

/// One probe kind in the registry.
#[derive(Clone, Copy)]
pub struct ProbeKind {
    pub name: &'static str,
    pub doc: &'static str,
    pub args: &'static [ArgSpec],
    pub facts: &'static [FactSpec],
    pub run: fn(id: String, args: ProbeArgs, ctx: ProbeContext) -> ProbeFuture,
}

impl fmt::Debug for ProbeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProbeKind")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl ProbeKind {
    /// The type of fact `name`, looking through `.*` families.
    pub fn fact_type(&self, name: &str) -> Option<FactType> {
        self.facts
            .iter()
            .find_map(|f| {
                let matches = match f.name.strip_suffix(".*") {
                    Some(prefix) => name
                        .strip_prefix(prefix)
                        .is_some_and(|rest| rest.len() > 1 && rest.starts_with('.')),
                    None => f.name == name,
                };
                matches.then_some(f.ty)
            })
            .or_else(|| {
                // The battery carries its parts' facts below their ids.
                (self.name == battery::NAME)
                    .then(|| battery::part_fact_type(name))
                    .flatten()
            })
    }

    pub fn arg(&self, name: &str) -> Option<&ArgSpec> {
        self.args.iter().find(|a| a.name == name)
    }
}

/// Every probe kind why401 knows.
pub fn registry() -> &'static [ProbeKind] {
    static KINDS: &[ProbeKind] = &[
        http::KIND,
        challenge::KIND,
        clock::KIND,
        cache::KIND,
        cors::KIND,
        cookie::KIND,
        limits::KIND,
        redirect::KIND,
        jwt::KIND,
        jwks::KIND,
        har::KIND,
        nginx::KIND,
        htaccess::KIND,
        htpasswd::KIND,
        logs::KIND,
        network::KIND,
        fresh_token::KIND,
        local_server::KIND,
        battery::KIND,
    ];
    KINDS
}

/// The probe kind named `name`.
pub fn kind(name: &str) -> Option<&'static ProbeKind> {
    registry().iter().find(|k| k.name == name)
}

/// A probe to run: the kind, its instance id and its templated arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeRequest {
    pub id: String,
    pub kind: String,
    pub args: ProbeArgs,
}

/// Runs one request with the context's timeout and cancellation; never panics, never hangs.
pub async fn run_one(req: ProbeRequest, ctx: ProbeContext) -> ProbeReport {
    let Some(kind) = kind(&req.kind) else {
        return ProbeReport::failed(
            &req.id,
            &req.kind,
            format!("unknown probe kind '{}'", req.kind),
        );
    };
    let started = Instant::now();
    // Grace beyond the probe's own timeout so it can report its own, better-worded timeout.
    let limit = ctx.timeout + Duration::from_secs(2);
    let cancel = ctx.cancel.clone();
    let fut = (kind.run)(req.id.clone(), req.args, ctx);
    let mut report = tokio::select! {
        biased;
        () = cancel.cancelled() => ProbeReport::failed(&req.id, &req.kind, "cancelled"),
        r = tokio::time::timeout(limit, fut) => r.unwrap_or_else(|_| {
            ProbeReport::failed(&req.id, &req.kind, format!("timed out after {} s", limit.as_secs()))
        }),
    };
    if report.elapsed_ms == 0 {
        report.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    }
    report
}

/// Runs requests concurrently; reports come back in request order.
pub async fn run_all(reqs: Vec<ProbeRequest>, ctx: &ProbeContext) -> Vec<ProbeReport> {
    futures::future::join_all(reqs.into_iter().map(|r| run_one(r, ctx.clone()))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_facts_match_only_below_their_prefix() {
        let http = kind("http").expect("http probe registered");
        assert_eq!(http.fact_type("status"), Some(FactType::Int));
        assert_eq!(
            http.fact_type("header.www-authenticate"),
            Some(FactType::Str)
        );
        assert_eq!(http.fact_type("header"), None);
        assert_eq!(http.fact_type("headerx.y"), None);
        assert_eq!(http.fact_type("nope"), None);
    }
}
