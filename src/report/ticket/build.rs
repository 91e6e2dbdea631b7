//! Building a [`Ticket`] from a walk or from a command's reports.

use chrono::{DateTime, Utc};

use super::observe;
use super::{
    Answer, Credential, Environment, ProbeSummary, StepProbe, Target, Ticket, TicketCause,
    TicketStep,
};
use crate::diagnose::{self, CauseHit};
use crate::flow::{FlowSet, NodeRef, Outcome, Session};
use crate::probe::ProbeReport;
use crate::report::replay;

/// What a command checked, for [`Ticket::from_reports`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TargetSpec {
    /// A description when the target is not a URL: `nginx config /etc/nginx/nginx.conf`.
    pub what: Option<String>,
    pub url: Option<String>,
    pub method: Option<String>,
    pub resolved_address: Option<String>,
    pub credentials: Vec<Credential>,
    /// How the requests connected when not the plain way (`NetOptions::summary`).
    pub connection: Vec<String>,
}

impl TargetSpec {
    /// A request to `url` with `method`.
    pub fn request(url: &str, method: &str) -> Self {
        Self {
            url: Some(url.to_owned()),
            method: Some(method.to_owned()),
            ..Self::default()
        }
    }

    /// Something other than a URL: a file, a token.
    pub fn described(what: &str) -> Self {
        Self {
            what: Some(what.to_owned()),
            ..Self::default()
        }
    }
}

pub(super) fn from_session(
    session: &Session,
    flows: Option<&FlowSet>,
    now: DateTime<Utc>,
) -> Ticket {
    let shipped;
    let flows = if let Some(f) = flows {
        f
    } else {
        shipped = FlowSet::load(None).0;
        &shipped
    };
    let reports: Vec<ProbeReport> = session.reports().cloned().collect();
    // The walk's own ranking, so the ticket and the screen never disagree.
    let mut t = base(&reports, session.ranked_causes(), now, true);
    t.redactor = crate::report::session_redactor(session);
    let lf = flows.get(&session.flow);
    t.flow.clone_from(&session.flow);
    t.flow_title = lf.map(|l| l.flow.title.clone());
    t.flow_version = lf.map(|l| l.flow.version);
    let ids: std::collections::BTreeSet<&String> = session
        .answers
        .keys()
        .chain(session.secrets.keys())
        .collect();
    t.answers = answers(session, ids.into_iter());
    t.help_desk = help_desk_of(session);
    t.steps = session
        .trail
        .iter()
        .map(|s| step(session, flows, s))
        .collect();
    // Every re-test is a request of its own: listed with its answer, after the walk's.
    let retest_url = session.answers.get("url");
    t.observed.extend(
        observe::observations(&session.retests)
            .into_iter()
            .map(|mut o| {
                // A re-test that got no answer recorded no address: it is the walk's own.
                if o.url.is_none() {
                    o.url = retest_url.cloned();
                }
                o
            }),
    );
    t.probes.extend(session.retests.iter().map(probe_summary));
    t.target = observe::target_of(&reports, session);
    t.reproduce = t.target.as_ref().and_then(both_requests);
    let outcome = session.outcome();
    outcome.label().clone_into(&mut t.outcome);
    t.verification = session.verification.as_ref().map(|v| super::Retest {
        request: v.request.clone(),
        answer: v.answer.clone(),
        passed: v.passed,
        credentials: v
            .sent_as
            .iter()
            .map(|k| super::Credential::from_kind(k))
            .collect(),
    });
    match (outcome, t.causes.first()) {
        (Outcome::Resolved, None) => {
            let last = session.trail.last().map_or("", |s| s.title.as_str());
            t.summary = match &session.verification {
                Some(v) => format!("Resolved: the re-test got {} (step: {last})", v.answer),
                None => format!("Resolved during the walk: {last}"),
            };
        }
        (Outcome::Diagnosed, Some(c)) if session.retest_cannot_tell() => {
            t.summary = format!(
                "Reported working: {} ({}); not confirmed: the re-test had no credentials and \
                 the address answers 401 to any request without them",
                c.title, c.id
            );
        }
        // Re-tested, and it failed: the headline says so, not "not re-tested yet".
        (Outcome::Diagnosed | Outcome::Escalate, c)
            if session.verification.as_ref().is_some_and(|v| !v.passed) =>
        {
            let answer = session
                .verification
                .as_ref()
                .map_or("", |v| v.answer.as_str());
            let what = match c {
                Some(c) => format!("Diagnosed: {} ({})", c.title, c.id),
                None => t.summary.clone(),
            };
            t.summary = format!("{what}; re-tested, and the request still got {answer}");
        }
        (Outcome::Diagnosed, Some(c)) => {
            t.summary = format!(
                "Diagnosed: {} ({}); the fix is not re-tested yet",
                c.title, c.id
            );
        }
        _ => {}
    }
    t.error.clone_from(&session.error);
    t.replay = Some(replay::of_session(session, flows));
    t
}

/// How to reproduce a walk: the clean request, then (when the walk sent any) the one with the
/// credentials, secrets as placeholders.
fn both_requests(target: &super::Target) -> Option<String> {
    let with = super::reproduce::curl(target)?;
    if target.credentials.is_empty() {
        return Some(with);
    }
    let bare = super::reproduce::curl(&super::Target {
        credentials: Vec::new(),
        ..target.clone()
    })?;
    Some(format!(
        "# without credentials:\n{bare}\n# with the credentials given:\n{with}"
    ))
}

/// The help-desk fields the wizard keeps in the session: ticket id and reporter as answers,
/// agent notes on the steps.
pub fn help_desk_of(session: &Session) -> super::HelpDesk {
    let field = |k: &str| {
        session
            .answers
            .get(k)
            .filter(|v| !v.trim().is_empty())
            .cloned()
    };
    super::HelpDesk {
        ticket_id: field("ticket_id"),
        reporter: field("reporter"),
        agent_notes: session
            .trail
            .iter()
            .filter_map(|s| s.note.as_ref().map(|n| format!("{}: {n}", s.title)))
            .collect(),
    }
}

pub(super) fn from_reports(
    target: &TargetSpec,
    reports: &[ProbeReport],
    hits: Vec<CauseHit>,
    now: DateTime<Utc>,
) -> Ticket {
    let all = hits
        .into_iter()
        .chain(reports.iter().flat_map(|r| r.causes.iter().cloned()));
    // A request to a URL is one request; logs, a HAR, a config speak of many.
    let mut t = base(reports, all, now, target.url.is_some());
    "report".clone_into(&mut t.outcome);
    let mut tg = Target {
        what: target.what.clone(),
        url: target.url.clone(),
        method: target.method.clone(),
        resolved_address: target.resolved_address.clone(),
        credentials: target.credentials.clone(),
        connection: target.connection.clone(),
    };
    if tg.resolved_address.is_none() {
        tg.resolved_address = observe::resolved_address(reports, tg.url.as_deref());
    }
    t.reproduce = super::reproduce::curl(&tg);
    t.target = Some(tg);
    // The probes ran just now, so the server's Date header is a fair clock reading.
    if t.environment.clock_offset_seconds.is_none()
        && let Some(offset) = observe::date_header_offset(reports, now)
    {
        t.environment.clock_offset_seconds = Some(offset);
        t.environment.clock_offset_source =
            Some("server Date header during the check, ±1 s".into());
    }
    t
}

/// What both kinds of tickets share: environment, observations, probes, ranked causes.
fn base(
    reports: &[ProbeReport],
    hits: impl IntoIterator<Item = CauseHit>,
    now: DateTime<Utc>,
    one_request: bool,
) -> Ticket {
    let ranked = if one_request {
        diagnose::rank_request(hits)
    } else {
        diagnose::rank(hits)
    };
    let (remarks, causes): (Vec<&CauseHit>, Vec<&CauseHit>) = ranked.iter().partition(|h| h.remark);
    let causes: Vec<TicketCause> = causes.into_iter().map(ticket_cause).collect();
    let remarks: Vec<TicketCause> = remarks.into_iter().map(ticket_cause).collect();
    let summary = summary(&causes, &remarks, reports);
    let (offset, source) = observe::clock_probe_offset(reports).unzip();
    Ticket {
        schema_version: super::SCHEMA_VERSION,
        summary,
        environment: Environment {
            why401_version: env!("CARGO_PKG_VERSION").to_owned(),
            os: os_description(),
            time_utc: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            clock_offset_seconds: offset,
            clock_offset_source: source,
        },
        observed: observe::observations(reports),
        redirect_chain: observe::redirect_chain(reports),
        causes,
        remarks,
        probes: reports.iter().map(probe_summary).collect(),
        ..Ticket::default()
    }
}

fn summary(causes: &[TicketCause], remarks: &[TicketCause], reports: &[ProbeReport]) -> String {
    let status = reports
        .iter()
        .find_map(|r| r.facts.get("status"))
        .map(ToString::to_string);
    let prefix = status.map_or_else(String::new, |s| format!("HTTP {s}: "));
    match causes.first() {
        Some(c) if c.id == "not-a-401" => format!("{prefix}{}", c.title),
        Some(c) => format!("{prefix}likely {}", c.title),
        None if remarks.is_empty() => format!("{prefix}no cause identified yet"),
        None => format!(
            "{prefix}no cause identified yet; {} (true of the site, not why it failed)",
            match remarks.len() {
                1 => "1 remark".to_owned(),
                n => format!("{n} remarks"),
            }
        ),
    }
}

fn ticket_cause(hit: &CauseHit) -> TicketCause {
    let entry = diagnose::cause(&hit.id);
    TicketCause {
        id: hit.id.clone(),
        title: entry.map_or_else(|| hit.id.clone(), |c| c.title.to_owned()),
        confidence: hit.confidence,
        evidence: hit.evidence.clone(),
        fix: entry.map_or_else(String::new, |c| c.fix.to_owned()),
        fixed_by: entry.map_or_else(Vec::new, |c| {
            c.fixed_by.iter().map(|a| a.label().to_owned()).collect()
        }),
    }
}

fn probe_summary(r: &ProbeReport) -> ProbeSummary {
    ProbeSummary {
        id: r.id.clone(),
        kind: r.kind.clone(),
        verdict: r.verdict.label().to_owned(),
        summary: r.summary.clone(),
        evidence: r.evidence.clone(),
        elapsed_ms: r.elapsed_ms,
        facts: r
            .facts
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or_default()))
            .collect(),
    }
}

fn answers<'a>(session: &Session, ids: impl Iterator<Item = &'a String>) -> Vec<Answer> {
    ids.filter_map(|id| {
        if let Some(secret) = session.secret(id) {
            return Some(Answer {
                id: id.clone(),
                value: crate::report::fingerprint(id, secret.expose()),
                secret: true,
            });
        }
        Some(Answer {
            id: id.clone(),
            value: session.answers.get(id)?.clone(),
            secret: false,
        })
    })
    .collect()
}

fn step(session: &Session, flows: &FlowSet, s: &crate::flow::Step) -> TicketStep {
    let node = node_of(flows, &s.at);
    let input_ids: Vec<String> = node
        .map(|n| n.inputs.iter().map(|i| i.id.clone()).collect())
        .unwrap_or_default();
    let is_choice = |label: &str| node.is_some_and(|n| n.choices.iter().any(|c| c.label == label));
    let (chose, moved_on_because) = match &s.left_by {
        Some(by) if is_choice(by) => (Some(by.clone()), None),
        // A rule without a condition: there is no reason to state.
        Some(by) if by == "(always)" => (None, None),
        Some(by) => (None, Some(by.clone())),
        None => (None, None),
    };
    TicketStep {
        node: s.at.to_string(),
        title: s.title.clone(),
        answers: answers(session, input_ids.iter()),
        chose,
        moved_on_because,
        probes: s
            .reports
            .iter()
            .map(|r| StepProbe {
                id: r.id.clone(),
                verdict: r.verdict.label().to_owned(),
                summary: r.summary.clone(),
            })
            .collect(),
        findings: s.findings.iter().map(|f| f.cause.clone()).collect(),
        note: s.note.clone(),
    }
}

pub(crate) fn node_of<'f>(flows: &'f FlowSet, at: &NodeRef) -> Option<&'f crate::flow::Node> {
    flows.get(&at.flow)?.flow.nodes.get(&at.node)
}

/// `linux x86_64 (Debian GNU/Linux 12 (bookworm))`.
fn os_description() -> String {
    let base = format!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
    let pretty = std::fs::read_to_string("/etc/os-release")
        .ok()
        .filter(|t| t.len() < 64 * 1024)
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("PRETTY_NAME=")
                    .map(|v| v.trim_matches('"').to_owned())
            })
        });
    match pretty {
        Some(p) => format!("{base} ({p})"),
        None => base,
    }
}
