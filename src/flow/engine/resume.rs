//! Resuming a saved walk with its history: the trail is walked again with the saved answers,
//! probe reports and choices, so `back` works through every step as if the walk had never
//! stopped. No probe runs and no clock is read: it is the same pure engine.

use std::collections::{BTreeMap, HashSet};

use super::{Engine, Phase, Session};
use crate::flow::FlowSet;

impl<'a> Engine<'a> {
    /// The secrets `saved` was given that are not in it (they are never saved), with what
    /// each input asks: a resumed walk asks for them again and then comes back whole.
    pub fn secrets_to_reenter(set: &FlowSet, saved: &Session) -> Vec<(String, String)> {
        saved
            .secret_inputs
            .iter()
            .filter(|id| !saved.has_answer(id))
            .map(|id| {
                let prompt = saved
                    .trail
                    .iter()
                    .filter_map(|s| set.get(&s.at.flow)?.flow.nodes.get(&s.at.node))
                    .flat_map(|n| n.inputs.iter())
                    .find(|i| &i.id == id)
                    .map_or_else(|| id.clone(), |i| i.prompt.clone());
                (id.clone(), prompt)
            })
            .collect()
    }

    /// The walk of `saved` repeated step by step, or None when it cannot be repeated exactly
    /// (the flows changed since, or a secret it needs was not saved).
    pub(super) fn rewalk(set: &'a FlowSet, saved: &Session) -> Option<Self> {
        let flows = |at: &crate::flow::NodeRef| {
            set.get(&at.flow).and_then(|lf| lf.flow.nodes.get(&at.node))
        };
        // Answers no step of the trail asks for came with the start (ticket fields): they are
        // preset, as they were. So is the address, which the start screen gives (the first
        // step asks for it only when it was not given): back through the walk keeps it.
        let asked: HashSet<&str> = saved
            .trail
            .iter()
            .filter_map(|s| flows(&s.at))
            .flat_map(|n| n.inputs.iter().map(|i| i.id.as_str()))
            .collect();
        let preset: BTreeMap<String, String> = saved
            .answers
            .iter()
            .filter(|(k, _)| *k == "url" || !asked.contains(k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut e = Engine::new(set, &saved.flow, preset).ok()?;
        // Every move adds a step or fills an input: this bounds the loop.
        let budget = saved.trail.len() * 8 + saved.answers.len() + saved.secrets.len() + 8;
        for _ in 0..budget {
            let i = e.s.trail.len().checked_sub(1)?;
            let want = saved.trail.get(i)?;
            if e.s.trail[i].at != want.at {
                return None;
            }
            if let Some(note) = &want.note {
                e.set_note(note);
            }
            let last = i + 1 == saved.trail.len();
            match e.s.phase {
                Phase::Inputs => {
                    let input = e.missing_inputs().first().map(|i| i.id.clone())?;
                    match saved.value(&input) {
                        Some(v) => e.give_input(&input, v).ok()?,
                        None if last => break,
                        None => return None,
                    }
                }
                Phase::Probes if last && want.reports.is_empty() => break,
                Phase::Probes => e.give_reports(want.reports.clone()).ok()?,
                // Shown again with its results, the step was left the way its checks
                // decided, or by a choice the person made there instead.
                Phase::Review => match want
                    .left_by
                    .as_deref()
                    .and_then(|l| e.node().choices.iter().position(|c| c.label == l))
                {
                    Some(index) => e.choose(index).ok()?,
                    None => e.proceed().ok()?,
                },
                Phase::Choose if last => break,
                Phase::Choose => {
                    let label = want.left_by.as_deref()?;
                    let index = e.node().choices.iter().position(|c| c.label == label)?;
                    e.choose(index).ok()?;
                }
                Phase::Ended => break,
            }
        }
        let same = e.s.current == saved.current
            && e.s.trail.len() == saved.trail.len()
            && e.s.phase == saved.phase;
        if !same {
            return None;
        }
        e.s.verification.clone_from(&saved.verification);
        e.s.error.clone_from(&saved.error);
        Some(e)
    }
}
