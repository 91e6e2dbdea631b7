//! Checks that a set of flows is sound: every goto lands, every node is reachable and can
//! reach an end, every probe, fact, cause and placeholder exists. All problems are reported.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use super::expr;
use super::load::{Diagnostic, FlowSet, LoadedFlow};
use super::model::{Node, NodeRef, Target};
use super::source_map::Loc;
use super::template;
use crate::probe::{self, FactType};

mod facts;
pub use facts::warnings;

/// Every problem in the set, sorted by file and position.
pub fn lint(set: &FlowSet) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for lf in set.flows.values() {
        check_flow(set, lf, &mut out);
    }
    check_graph(set, &mut out);
    check_defined_inputs(set, &mut out);
    out.sort();
    out.dedup();
    out
}

/// Resolves a goto written in `from_flow`.
pub fn resolve(set: &FlowSet, from_flow: &str, goto: &str) -> Result<NodeRef, String> {
    match Target::parse(goto) {
        Target::Qualified { flow, node } => {
            let lf = set.get(flow).ok_or_else(|| {
                format!(
                    "goto '{goto}' names no flow '{flow}'{}",
                    suggest(flow, set.flows.keys())
                )
            })?;
            if lf.flow.nodes.contains_key(node) {
                Ok(NodeRef {
                    flow: flow.to_owned(),
                    node: node.to_owned(),
                })
            } else {
                Err(format!(
                    "goto '{goto}': flow '{flow}' has no node '{node}'{}",
                    suggest(node, lf.flow.nodes.keys())
                ))
            }
        }
        Target::Local(name) => {
            let here = set.get(from_flow).map(|lf| &lf.flow);
            if here.is_some_and(|f| f.nodes.contains_key(name)) {
                return Ok(NodeRef {
                    flow: from_flow.to_owned(),
                    node: name.to_owned(),
                });
            }
            if let Some(other) = set.get(name) {
                // A flow whose start names no node is reported at its own `start:`; a goto
                // into it lands nowhere, and must never reach code that indexes nodes.
                if !other.flow.nodes.contains_key(&other.flow.start) {
                    return Err(format!(
                        "goto '{name}' enters flow '{name}', whose start '{}' names no node",
                        other.flow.start
                    ));
                }
                return Ok(NodeRef {
                    flow: name.to_owned(),
                    node: other.flow.start.clone(),
                });
            }
            let hint = here
                .map(|f| suggest(name, f.nodes.keys()))
                .unwrap_or_default();
            Err(format!("goto '{name}' names no node{hint}"))
        }
    }
}

fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a String>) -> String {
    let best = candidates
        .map(|c| (levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min();
    best.map(|(_, c)| format!(" (did you mean '{c}'?)"))
        .unwrap_or_default()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The edges leaving a node: (path of the goto field, target text).
pub(crate) fn edges(node: &Node, base: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, r) in node.next.iter().enumerate() {
        out.push((format!("{base}.next.{i}.goto"), r.goto.clone()));
    }
    for (i, c) in node.choices.iter().enumerate() {
        out.push((format!("{base}.choices.{i}.goto"), c.goto.clone()));
    }
    out
}

fn check_flow(set: &FlowSet, lf: &LoadedFlow, out: &mut Vec<Diagnostic>) {
    let flow = &lf.flow;
    if !flow.nodes.contains_key(&flow.start) {
        out.push(lf.diag(
            lf.map().value("start"),
            format!(
                "start '{}' names no node{}",
                flow.start,
                suggest(&flow.start, flow.nodes.keys())
            ),
        ));
    }
    if flow.id.is_empty() || flow.id.contains(':') {
        out.push(lf.diag(
            lf.map().value("id"),
            "flow id must be non-empty and contain no ':'",
        ));
    }
    for (id, node) in &flow.nodes {
        let base = format!("nodes.{id}");
        check_node(set, lf, id, node, &base, out);
    }
}

fn check_node(
    set: &FlowSet,
    lf: &LoadedFlow,
    id: &str,
    node: &Node,
    base: &str,
    out: &mut Vec<Diagnostic>,
) {
    let key = || lf.map().key(base);
    if id.contains(':') || id.contains('.') {
        out.push(lf.diag(key(), format!("node id '{id}' must not contain ':' or '.'")));
    }
    let moves = !node.next.is_empty() || !node.choices.is_empty();
    match (node.end.is_some(), moves) {
        (true, true) => out.push(lf.diag(
            key(),
            format!("node '{id}' is an end node but also has next/choices"),
        )),
        (false, false) => out.push(lf.diag(
            key(),
            format!("node '{id}' has no way on: give it choices, next or end"),
        )),
        _ => {}
    }
    if node.choices.is_empty()
        && !node.next.is_empty()
        && node.next.last().is_some_and(|r| r.when.is_some())
    {
        out.push(lf.diag(
            lf.map().value(&format!("{base}.next")),
            format!("node '{id}' has no choices and every next rule has a condition: the walk could stop here (end with a rule without 'when')"),
        ));
    }
    for (path, goto) in edges(node, base) {
        if let Err(m) = resolve(set, &lf.flow.id, &goto) {
            out.push(lf.diag(lf.map().value(&path), m));
        }
    }
    let mut input_ids = HashSet::new();
    for (i, input) in node.inputs.iter().enumerate() {
        if !input_ids.insert(&input.id) {
            out.push(lf.diag(
                lf.map().value(&format!("{base}.inputs.{i}.id")),
                format!("input '{}' is asked twice in this node", input.id),
            ));
        }
    }
    check_probes(set, lf, node, base, out);
    check_conditions(set, lf, node, base, out);
    check_templates(set, lf, node, base, out);
    check_agent_wording(lf, node, base, out);
}

/// Every text of the node must read right in help-desk mode once rewritten to speak of the
/// caller (see [`super::agent`]).
fn check_agent_wording(lf: &LoadedFlow, node: &Node, base: &str, out: &mut Vec<Diagnostic>) {
    let mut texts: Vec<(String, &str)> = vec![
        (format!("{base}.title"), node.title.as_str()),
        (format!("{base}.body"), node.body.as_str()),
    ];
    for (i, input) in node.inputs.iter().enumerate() {
        texts.push((format!("{base}.inputs.{i}.prompt"), input.prompt.as_str()));
    }
    for (i, c) in node.choices.iter().enumerate() {
        texts.push((format!("{base}.choices.{i}.label"), c.label.as_str()));
        if let Some(b) = &c.because {
            texts.push((format!("{base}.choices.{i}.because"), b.as_str()));
        }
    }
    for (path, text) in texts {
        if let Some(word) = super::agent::leftover(text) {
            out.push(lf.diag(
                lf.map().value(&path),
                format!(
                    "in help-desk mode this text still says '{word}' to the agent as if they were the caller: word it so it can speak of the caller"
                ),
            ));
        }
    }
}

fn check_probes(
    set: &FlowSet,
    lf: &LoadedFlow,
    node: &Node,
    base: &str,
    out: &mut Vec<Diagnostic>,
) {
    let mut ids = HashSet::new();
    for (i, call) in node.probes.iter().enumerate() {
        let p = format!("{base}.probes.{i}");
        if !ids.insert(call.instance_id()) {
            out.push(lf.diag(
                lf.map().value(&p),
                format!(
                    "two probes named '{}' in one node: give one an id",
                    call.instance_id()
                ),
            ));
        }
        let Some(kind) = probe::kind(&call.kind) else {
            let names: Vec<String> = probe::registry()
                .iter()
                .map(|k| k.name.to_owned())
                .collect();
            out.push(lf.diag(
                lf.map().value(&format!("{p}.kind")),
                format!(
                    "unknown probe kind '{}'{}",
                    call.kind,
                    suggest(&call.kind, names.iter())
                ),
            ));
            continue;
        };
        for (name, value) in &call.args {
            if kind.arg(name).is_none() {
                let names: Vec<String> = kind.args.iter().map(|a| a.name.to_owned()).collect();
                out.push(lf.diag(
                    lf.map().key(&format!("{p}.args.{name}")),
                    format!(
                        "probe '{}' takes no argument '{name}'{}",
                        kind.name,
                        suggest(name, names.iter())
                    ),
                ));
            }
            check_template_text(set, lf, value, &format!("{p}.args.{name}"), out);
        }
        for a in kind.args.iter().filter(|a| a.required) {
            if !call.args.contains_key(a.name) {
                out.push(lf.diag(
                    lf.map().value(&p),
                    format!("probe '{}' needs the argument '{}'", kind.name, a.name),
                ));
            }
        }
    }
}

/// The type of `path` in conditions: `input.ID` or `PROBE_ID.fact`.
fn path_type(set: &FlowSet, lf: &LoadedFlow, path: &str) -> Result<FactType, String> {
    if let Some(input) = path.strip_prefix("input.") {
        let known = set
            .flows
            .values()
            .flat_map(|f| f.flow.nodes.values())
            .flat_map(|n| n.inputs.iter())
            .any(|i| i.id == input);
        return if known {
            Ok(FactType::Str)
        } else {
            Err(format!("no node asks for an input '{input}'"))
        };
    }
    let Some((pid, fact)) = path.split_once('.') else {
        return Err(format!(
            "'{path}' is not a fact: write PROBE.fact (e.g. http.status) or input.NAME"
        ));
    };
    // The probe instance may be declared in this flow or, for facts carried over, in another.
    let flows = std::iter::once(lf).chain(set.flows.values().filter(|f| f.flow.id != lf.flow.id));
    let mut seen_kind = None;
    for f in flows {
        for call in f.flow.nodes.values().flat_map(|n| n.probes.iter()) {
            if call.instance_id() == pid {
                if let Some(kind) = probe::kind(&call.kind) {
                    if let Some(t) = kind.fact_type(fact) {
                        return Ok(t);
                    }
                    seen_kind = Some(kind);
                }
            }
        }
    }
    match seen_kind {
        Some(kind) => {
            let names: Vec<String> = kind.facts.iter().map(|f| f.name.to_owned()).collect();
            Err(format!(
                "probe '{}' produces no fact '{fact}'{}",
                kind.name,
                suggest(fact, names.iter())
            ))
        }
        None => Err(format!(
            "no probe named '{pid}' runs in any flow (fact '{path}')"
        )),
    }
}

fn check_condition(
    set: &FlowSet,
    lf: &LoadedFlow,
    src: &str,
    path: &str,
    out: &mut Vec<Diagnostic>,
) {
    // Columns point into the condition when it is written on one line as a plain scalar.
    let shift = |offset: usize| {
        let loc = lf.map().value(path);
        Loc {
            line: loc.line,
            col: loc.col + offset,
        }
    };
    match expr::parse(src) {
        Err(e) => out.push(lf.diag(shift(e.offset), format!("in condition: {}", e.message))),
        Ok(parsed) => {
            if let Err(e) = parsed.check(&|p| path_type(set, lf, p)) {
                out.push(lf.diag(shift(e.offset), format!("in condition: {}", e.message)));
            }
        }
    }
}

fn check_conditions(
    set: &FlowSet,
    lf: &LoadedFlow,
    node: &Node,
    base: &str,
    out: &mut Vec<Diagnostic>,
) {
    for (i, r) in node.next.iter().enumerate() {
        if let Some(w) = &r.when {
            check_condition(set, lf, w, &format!("{base}.next.{i}.when"), out);
        }
    }
    for (i, c) in node.choices.iter().enumerate() {
        if let Some(w) = &c.when {
            check_condition(set, lf, w, &format!("{base}.choices.{i}.when"), out);
        }
        for (j, f) in c.findings.iter().enumerate() {
            check_finding(set, lf, f, &format!("{base}.choices.{i}.findings.{j}"), out);
        }
    }
    for (i, f) in node.findings.iter().enumerate() {
        check_finding(set, lf, f, &format!("{base}.findings.{i}"), out);
    }
}

fn check_finding(
    set: &FlowSet,
    lf: &LoadedFlow,
    f: &super::model::FindingRule,
    path: &str,
    out: &mut Vec<Diagnostic>,
) {
    if crate::diagnose::cause(&f.cause).is_none() {
        let ids: Vec<String> = crate::diagnose::CATALOGUE
            .iter()
            .map(|c| c.id.to_owned())
            .collect();
        out.push(lf.diag(
            lf.map().value(&format!("{path}.cause")),
            format!(
                "unknown cause id '{}'{}",
                f.cause,
                suggest(&f.cause, ids.iter())
            ),
        ));
    }
    if !(0.0..=1.0).contains(&f.confidence) {
        out.push(lf.diag(
            lf.map().value(&format!("{path}.confidence")),
            "confidence must be between 0.0 and 1.0",
        ));
    }
    if let Some(w) = &f.when {
        check_condition(set, lf, w, &format!("{path}.when"), out);
    }
    check_template_text(set, lf, &f.evidence, &format!("{path}.evidence"), out);
}

fn check_templates(
    set: &FlowSet,
    lf: &LoadedFlow,
    node: &Node,
    base: &str,
    out: &mut Vec<Diagnostic>,
) {
    check_template_text(set, lf, &node.body, &format!("{base}.body"), out);
    check_template_text(set, lf, &node.title, &format!("{base}.title"), out);
    for (i, c) in node.choices.iter().enumerate() {
        if let Some(b) = &c.because {
            check_template_text(set, lf, b, &format!("{base}.choices.{i}.because"), out);
        }
    }
}

/// Checks placeholder syntax and that fact placeholders name real facts. Input placeholders
/// are checked by [`check_defined_inputs`], which knows the paths.
fn check_template_text(
    set: &FlowSet,
    lf: &LoadedFlow,
    text: &str,
    path: &str,
    out: &mut Vec<Diagnostic>,
) {
    match template::vars(text) {
        Err((_, m)) => out.push(lf.diag(lf.map().value(path), m)),
        Ok(vars) => {
            for v in vars.iter().filter(|v| v.name.contains('.')) {
                if let Err(m) = path_type(set, lf, &v.name) {
                    out.push(lf.diag(
                        lf.map().value(path),
                        format!("placeholder '{{{{{}}}}}': {m}", v.name),
                    ));
                }
            }
        }
    }
}

fn check_graph(set: &FlowSet, out: &mut Vec<Diagnostic>) {
    let graph = Graph::build(set);
    // Reachable from any flow's start (each flow can be started on its own).
    let starts: Vec<NodeRef> = set
        .flows
        .values()
        .filter(|lf| lf.flow.nodes.contains_key(&lf.flow.start))
        .map(|lf| NodeRef {
            flow: lf.flow.id.clone(),
            node: lf.flow.start.clone(),
        })
        .collect();
    let reachable = graph.reach(&starts, false);
    let ends: Vec<NodeRef> = graph
        .nodes
        .iter()
        .filter(|(_, n)| n.end.is_some())
        .map(|(r, _)| r.clone())
        .collect();
    let can_end = graph.reach(&ends, true);
    for (r, node) in &graph.nodes {
        let Some(lf) = set.get(&r.flow) else { continue };
        let loc = || lf.map().key(&format!("nodes.{}", r.node));
        if !reachable.contains(r) {
            out.push(lf.diag(
                loc(),
                format!(
                    "node '{}' is unreachable: no path from '{}' leads here",
                    r.node, lf.flow.start
                ),
            ));
        } else if !can_end.contains(r) && node.end.is_none() {
            out.push(lf.diag(
                loc(),
                format!(
                    "node '{}' can never reach an end node (a cycle with no way out)",
                    r.node
                ),
            ));
        }
    }
}

/// The whole graph of every flow.
struct Graph<'a> {
    nodes: Vec<(NodeRef, &'a Node)>,
    succ: HashMap<NodeRef, Vec<NodeRef>>,
    pred: HashMap<NodeRef, Vec<NodeRef>>,
}

impl<'a> Graph<'a> {
    fn build(set: &'a FlowSet) -> Self {
        let mut g = Graph {
            nodes: Vec::new(),
            succ: HashMap::new(),
            pred: HashMap::new(),
        };
        for lf in set.flows.values() {
            for (id, node) in &lf.flow.nodes {
                let from = NodeRef {
                    flow: lf.flow.id.clone(),
                    node: id.clone(),
                };
                for (_, goto) in edges(node, "") {
                    if let Ok(to) = resolve(set, &lf.flow.id, &goto) {
                        g.succ.entry(from.clone()).or_default().push(to.clone());
                        g.pred.entry(to).or_default().push(from.clone());
                    }
                }
                g.nodes.push((from, node));
            }
        }
        g
    }

    fn reach(&self, from: &[NodeRef], backwards: bool) -> HashSet<NodeRef> {
        let edges = if backwards { &self.pred } else { &self.succ };
        let mut seen: HashSet<NodeRef> = from.iter().cloned().collect();
        let mut queue: VecDeque<NodeRef> = from.iter().cloned().collect();
        while let Some(n) = queue.pop_front() {
            for m in edges.get(&n).into_iter().flatten() {
                if seen.insert(m.clone()) {
                    queue.push_back(m.clone());
                }
            }
        }
        seen
    }
}

/// For each node, the names `gives` yields at every node of every path to it, the node
/// itself left out (a must-analysis over the graph, to a fixed point).
fn on_every_path(
    set: &FlowSet,
    graph: &Graph<'_>,
    gives: impl Fn(&Node) -> BTreeSet<String>,
) -> HashMap<NodeRef, BTreeSet<String>> {
    let starts: HashSet<NodeRef> = set
        .flows
        .values()
        .map(|lf| NodeRef {
            flow: lf.flow.id.clone(),
            node: lf.flow.start.clone(),
        })
        .collect();
    let universe: BTreeSet<String> = graph.nodes.iter().flat_map(|(_, n)| gives(n)).collect();
    let mut into: HashMap<NodeRef, BTreeSet<String>> = graph
        .nodes
        .iter()
        .map(|(r, _)| {
            let known = if starts.contains(r) {
                BTreeSet::new()
            } else {
                universe.clone()
            };
            (r.clone(), known)
        })
        .collect();
    let mut changed = true;
    while changed {
        changed = false;
        for (r, node) in &graph.nodes {
            let Some(incoming) = into.get(r) else {
                continue;
            };
            let outgoing: BTreeSet<String> = incoming.union(&gives(node)).cloned().collect();
            for s in graph.succ.get(r).into_iter().flatten() {
                let Some(cur) = into.get(s) else { continue };
                let next: BTreeSet<String> = if starts.contains(s) {
                    BTreeSet::new()
                } else {
                    cur.intersection(&outgoing).cloned().collect()
                };
                if &next != cur {
                    into.insert(s.clone(), next);
                    changed = true;
                }
            }
        }
    }
    into
}

/// Inputs defined on every path to a node (a must-analysis over the graph): a placeholder
/// `{{x}}` is sound only if every way to its node asked for `x` before or at it.
fn check_defined_inputs(set: &FlowSet, out: &mut Vec<Diagnostic>) {
    let graph = Graph::build(set);
    let asked = |n: &Node| {
        n.inputs
            .iter()
            .map(|i| i.id.clone())
            .collect::<BTreeSet<String>>()
    };
    let universe: BTreeSet<String> = graph.nodes.iter().flat_map(|(_, n)| asked(n)).collect();
    let into = on_every_path(set, &graph, asked);
    for (r, node) in &graph.nodes {
        let Some(lf) = set.get(&r.flow) else { continue };
        let Some(incoming) = into.get(r) else {
            continue;
        };
        let defined: BTreeSet<String> = incoming.union(&asked(node)).cloned().collect();
        let base = format!("nodes.{}", r.node);
        let texts = facts::texts(node, &base);
        // A probe argument naming an input not asked on this path is left out when the probe
        // runs (never sent as a placeholder): only a name no input defines is a mistake.
        for (i, p) in node.probes.iter().enumerate() {
            for (k, v) in &p.args {
                for v in template::vars(v).unwrap_or_default() {
                    if !v.name.contains('.') && !universe.contains(&v.name) {
                        out.push(lf.diag(
                            lf.map().value(&format!("{base}.probes.{i}.args.{k}")),
                            format!(
                                "placeholder '{{{{{}}}}}' is not defined by any input",
                                v.name
                            ),
                        ));
                    }
                }
            }
        }
        for (path, text) in texts {
            for v in template::vars(text).unwrap_or_default() {
                if !v.name.contains('.') && !defined.contains(&v.name) && v.fallback.is_none() {
                    let why = if universe.contains(&v.name) {
                        "is not asked on every path to this node"
                    } else {
                        "is not defined by any input"
                    };
                    out.push(lf.diag(
                        lf.map().value(&path),
                        format!("placeholder '{{{{{}}}}}' {why}", v.name),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_flows_are_clean() {
        let (set, mut diags) = FlowSet::load(None);
        diags.extend(set.shipped_source_problems());
        assert!(diags.is_empty(), "{diags:?}");
        let problems = lint(&set);
        assert!(
            problems.is_empty(),
            "{}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    #[test]
    fn levenshtein_suggests_close_names() {
        assert_eq!(levenshtein("nginx_chek", "nginx_check"), 1);
        let names = ["nginx_check".to_owned(), "logs".to_owned()];
        assert_eq!(
            suggest("nginx_chek", names.iter()),
            " (did you mean 'nginx_check'?)"
        );
        assert_eq!(suggest("zzz", names.iter()), "");
    }
}
