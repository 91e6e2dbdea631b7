//! `why401 run`: a flow walked headless from scripted answers; probes really run.

use std::collections::HashMap;

use anyhow::Context as _;

use crate::cli::{GlobalArgs, RunArgs};
use crate::command::Outcome;
use crate::flow::answers::Answers;
use crate::flow::{EndKind, Engine, Phase, Session};
use crate::probe::{self, ProbeContext};

/// How often one node may be entered in a scripted walk before the answers are called a loop.
const MAX_VISITS: usize = 20;

pub fn run(args: &RunArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let set = crate::command::load_flows(global)?;
    let mut answers = Answers::load(&args.answers)?;
    answers.allow_env = args.allow_env;
    if set.get(&args.flow).is_none() {
        let ids: Vec<&str> = set.flows.keys().map(String::as_str).collect();
        anyhow::bail!("no flow '{}' (available: {})", args.flow, ids.join(", "));
    }
    let timeout = crate::command::timeout_secs(args.timeout)?;
    let rt = crate::command::runtime()?;
    let ctx = rt.block_on(async { ProbeContext::new(timeout) })?;
    let mut preset = std::collections::BTreeMap::new();
    if let Some(har) = &args.har {
        let path = super::wizard::har_path(har)?;
        preset.insert("har".to_owned(), path.display().to_string());
    }
    let engine = Engine::new(&set, &args.flow, preset)?;
    let session = rt.block_on(walk(engine, &answers, &ctx))?;
    let text = crate::report::render_with(&session, &set, args.report.format);
    crate::command::print(&text)?;
    if let Some(path) = &args.report.report {
        std::fs::write(path, &text)
            .with_context(|| format!("writing the ticket to {}", path.display()))?;
    }
    if let Some(err) = &session.error {
        anyhow::bail!("the walk stopped: {err}");
    }
    Ok(outcome(&session))
}

/// Resolved with nothing found is clean; anything else has findings for someone.
fn outcome(session: &Session) -> Outcome {
    let found =
        session.findings().next().is_some() || session.reports().any(|r| !r.causes.is_empty());
    if session.outcome() == crate::flow::Outcome::Resolved && !found {
        Outcome::Clean
    } else {
        Outcome::Findings
    }
}

/// Drives the engine with scripted answers until it ends; a missing answer names the node.
pub async fn walk(
    mut engine: Engine<'_>,
    answers: &Answers,
    ctx: &ProbeContext,
) -> anyhow::Result<Session> {
    let mut visits: HashMap<String, usize> = HashMap::new();
    let mut last_step = 0;
    loop {
        let at = engine.session().current.clone();
        if engine.session().trail.len() != last_step {
            last_step = engine.session().trail.len();
            let n = visits.entry(at.to_string()).or_default();
            *n += 1;
            anyhow::ensure!(
                *n <= MAX_VISITS,
                "{}: the answers loop: node '{at}' entered {MAX_VISITS} times",
                answers.source
            );
        }
        match engine.phase() {
            Phase::Ended => {
                // A walk that ends at a fix is re-tested: only a re-test without 401 makes
                // it `resolved`.
                if engine.session().ended == Some(EndKind::Resolved)
                    && engine.session().verification.is_none()
                    && let Some(req) = engine.verification_request()
                {
                    let report = probe::run_one(req, ctx.clone()).await;
                    engine.give_verification(&report);
                }
                return Ok(engine.into_session());
            }
            Phase::Review => engine.proceed()?,
            Phase::Inputs => {
                let input = engine
                    .missing_inputs()
                    .first()
                    .copied()
                    .context("engine waits for an input it does not name")?;
                let value = answers.input(&at, &input.id)?;
                let value = match value {
                    Some(v) => v,
                    None if input.optional => String::new(),
                    None => anyhow::bail!(
                        "{}: node '{at}' asks for input '{}' ({}), and the answers file has no value for it",
                        answers.source,
                        input.id,
                        input.prompt
                    ),
                };
                engine
                    .give_input(&input.id, &value)
                    .with_context(|| format!("{}: node '{at}'", answers.source))?;
            }
            Phase::Probes => {
                let reports = crate::check::run_probes(engine.probe_requests(), ctx).await;
                engine.give_reports(reports)?;
            }
            Phase::Choose => {
                let choices = &engine.node().choices;
                let Some(index) = answers.choice(&at, choices)? else {
                    let listing: Vec<String> = choices
                        .iter()
                        .enumerate()
                        .map(|(i, c)| format!("{}) {}", i + 1, c.label))
                        .collect();
                    anyhow::bail!(
                        "{}: node '{at}' needs a choice, and the answers file has none for it (choices: {})",
                        answers.source,
                        listing.join(", ")
                    );
                };
                engine.choose(index)?;
            }
        }
    }
}
