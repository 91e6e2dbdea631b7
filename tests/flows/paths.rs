//! Every path of every shipped flow: each choice taken, and at each probe step each outcome the
//! flow's own conditions distinguish (facts solved from the conditions), ends at an end node.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet, HashSet};

use why401::flow::expr::{self, Expr, Op};
use why401::flow::{Engine, FlowSet, InputKind, Phase};
use why401::probe::{self, FactType, FactValue, ProbeReport};

type Facts = BTreeMap<String, FactValue>;

fn fact_type(set: &FlowSet, path: &str) -> Option<FactType> {
    let (pid, fact) = path.split_once('.')?;
    set.flows
        .values()
        .flat_map(|f| f.flow.nodes.values())
        .flat_map(|n| n.probes.iter())
        .filter(|c| c.instance_id() == pid)
        .find_map(|c| probe::kind(&c.kind)?.fact_type(fact))
}

fn other(v: &FactValue) -> FactValue {
    match v {
        FactValue::Int(i) => FactValue::Int(i + 1),
        FactValue::Float(f) => FactValue::Float(f + 1.0),
        FactValue::Bool(b) => FactValue::Bool(!b),
        FactValue::Str(s) => FactValue::Str(format!("{s}-other")),
        FactValue::StrList(_) => FactValue::StrList(Vec::new()),
    }
}

fn shift(v: &FactValue, by: i64) -> FactValue {
    match v {
        FactValue::Int(i) => FactValue::Int(i + by),
        FactValue::Float(f) => FactValue::Float(f + by as f64),
        other => other.clone(),
    }
}

/// Assigns facts so that `e` evaluates to `want` (best effort; callers re-check with eval).
fn satisfy(set: &FlowSet, e: &Expr, want: bool, facts: &mut Facts) {
    match e {
        Expr::Not(x) => satisfy(set, x, !want, facts),
        Expr::And(a, b) if want => {
            satisfy(set, a, true, facts);
            satisfy(set, b, true, facts);
        }
        Expr::And(a, _) => satisfy(set, a, false, facts),
        Expr::Or(a, _) if want => satisfy(set, a, true, facts),
        Expr::Or(a, b) => {
            satisfy(set, a, false, facts);
            satisfy(set, b, false, facts);
        }
        Expr::Path(p, _) if !p.starts_with("input.") => {
            facts.insert(p.clone(), FactValue::Bool(want));
        }
        Expr::Exists(p, _) if want => {
            let v = match fact_type(set, p) {
                Some(FactType::Int) => FactValue::Int(1),
                Some(FactType::Bool) => FactValue::Bool(true),
                Some(FactType::StrList) => FactValue::StrList(vec!["x".into()]),
                _ => FactValue::Str("x".into()),
            };
            facts.insert(p.clone(), v);
        }
        Expr::Exists(p, _) => {
            facts.remove(p);
        }
        Expr::Cmp(a, op, b, _) => {
            let (path, lit, op) = match (a.as_ref(), b.as_ref()) {
                (Expr::Path(p, _), Expr::Lit(v)) | (Expr::Lit(v), Expr::Path(p, _)) => (p, v, *op),
                _ => return,
            };
            if path.starts_with("input.") {
                return;
            }
            let value = match (op, want) {
                (Op::Eq | Op::Le | Op::Ge, true) | (Op::Ne | Op::Lt | Op::Gt, false) => lit.clone(),
                (Op::Eq, false) | (Op::Ne, true) => other(lit),
                (Op::Lt, true) | (Op::Ge, false) => shift(lit, -1),
                (Op::Gt, true) | (Op::Le, false) => shift(lit, 1),
                (Op::Contains, true) => match fact_type(set, path) {
                    Some(FactType::StrList) => FactValue::StrList(vec![lit.to_string()]),
                    _ => lit.clone(),
                },
                (Op::Contains, false) => match fact_type(set, path) {
                    Some(FactType::StrList) => FactValue::StrList(Vec::new()),
                    _ => FactValue::Str(String::new()),
                },
            };
            facts.insert(path.clone(), value);
        }
        _ => {}
    }
}

struct MapScope<'a>(&'a Facts);

impl expr::Scope for MapScope<'_> {
    fn value(&self, path: &str) -> Option<FactValue> {
        self.0.get(path).cloned()
    }
}

fn mentions(e: &Expr, probe_ids: &BTreeSet<String>) -> bool {
    let mut paths = Vec::new();
    e.paths(&mut paths);
    paths.iter().any(|(p, _)| {
        p.split_once('.')
            .is_some_and(|(id, _)| probe_ids.contains(id))
    })
}

/// The atomic tests of a condition (comparisons, exists, boolean facts).
fn atoms<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::Not(x) => atoms(x, out),
        Expr::And(a, b) | Expr::Or(a, b) => {
            atoms(a, out);
            atoms(b, out);
        }
        Expr::Lit(_) => {}
        other => out.push(other),
    }
}

/// Facts making `rules[i]` the first rule that applies (earlier ones made false).
fn first_applying(set: &FlowSet, rules: &[Expr], i: usize) -> Facts {
    let mut f = Facts::new();
    satisfy(set, &rules[i], true, &mut f);
    for earlier in &rules[..i] {
        if earlier.eval(&MapScope(&f)) {
            satisfy(set, earlier, false, &mut f);
        }
    }
    f
}

/// Fact scenarios for the probes of the current node: this node's own routing (each rule made
/// the first to apply; each choice and finding condition true and false), each combined with
/// what conditions elsewhere (later steps) test of these probes. Scenarios that agree on every
/// atomic test are kept once.
fn scenarios(set: &FlowSet, here: &why401::flow::Node, probe_ids: &BTreeSet<String>) -> Vec<Facts> {
    let parse = |t: &str| expr::parse(t).unwrap();
    let keep = |mut f: Facts| {
        f.retain(|k, _| {
            k.split_once('.')
                .is_some_and(|(id, _)| probe_ids.contains(id))
        });
        f
    };
    let both = |e: &Expr| {
        [true, false].map(|want| {
            let mut f = Facts::new();
            satisfy(set, e, want, &mut f);
            f
        })
    };
    let rules: Vec<Expr> = here
        .next
        .iter()
        .filter_map(|r| r.when.as_deref())
        .map(parse)
        .collect();
    let mut own = vec![Facts::new()];
    own.extend((0..rules.len()).map(|i| keep(first_applying(set, &rules, i))));
    let own_others = here
        .choices
        .iter()
        .filter_map(|c| c.when.as_deref())
        .chain(here.findings.iter().filter_map(|f| f.when.as_deref()));
    own.extend(own_others.map(parse).flat_map(|e| both(&e)).map(keep));
    let mut downstream = vec![Facts::new()];
    let mut tested: Vec<Expr> = Vec::new();
    for node in set.flows.values().flat_map(|f| f.flow.nodes.values()) {
        let conds = node
            .next
            .iter()
            .filter_map(|r| r.when.as_deref())
            .chain(node.choices.iter().filter_map(|c| c.when.as_deref()))
            .chain(node.findings.iter().filter_map(|f| f.when.as_deref()))
            .map(parse)
            .filter(|e| mentions(e, probe_ids));
        for e in conds {
            if !std::ptr::eq(node, here) {
                downstream.extend(both(&e).map(keep));
            }
            tested.push(e);
        }
    }
    let mut atom_list = Vec::new();
    for e in &tested {
        atoms(e, &mut atom_list);
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for r in &own {
        for d in &downstream {
            let mut f = d.clone();
            f.extend(r.clone());
            let signature: Vec<bool> = atom_list.iter().map(|a| a.eval(&MapScope(&f))).collect();
            if seen.insert(signature) {
                out.push(f);
            }
        }
    }
    out
}

fn reports(
    ids: &BTreeSet<String>,
    facts: &Facts,
    kinds: &BTreeMap<String, String>,
) -> Vec<ProbeReport> {
    ids.iter()
        .map(|id| {
            let mut r = ProbeReport::new(id, &kinds[id]);
            for (k, v) in facts {
                if let Some(name) = k.strip_prefix(&format!("{id}.")) {
                    r.fact(name, v.clone());
                }
            }
            r
        })
        .collect()
}

fn input_value(kind: InputKind) -> &'static str {
    match kind {
        InputKind::Url => "http://127.0.0.1:9/admin/",
        InputKind::Secret => "canary-password-Zq9",
        InputKind::Token => "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2ln",
        InputKind::Path => "/nonexistent/why401-test-file",
        InputKind::Username => "alice",
        InputKind::Text => "some text",
    }
}

struct Walk {
    /// Per node (`flow:node`), every atomic test of every condition at a node reachable from
    /// it: states at that node that agree on all of them route alike, since a fact no later
    /// condition reads cannot change where the walk goes.
    atoms: std::collections::HashMap<String, Vec<Expr>>,
    scenarios: std::collections::HashMap<String, Vec<Facts>>,
    paths: usize,
    visited: HashSet<String>,
    seen_states: HashSet<String>,
    ends: BTreeMap<String, usize>,
}

/// For each node, the atoms of the conditions that route or find (rules, findings) of every
/// node reachable from it by a goto, itself included.
fn reachable_atoms(set: &FlowSet) -> std::collections::HashMap<String, Vec<Expr>> {
    let mut succ: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut own: BTreeMap<String, Vec<Expr>> = BTreeMap::new();
    for (fid, lf) in &set.flows {
        for (nid, node) in &lf.flow.nodes {
            let key = format!("{fid}:{nid}");
            let gotos = node
                .next
                .iter()
                .map(|r| &r.goto)
                .chain(node.choices.iter().map(|c| &c.goto));
            let next = gotos
                .map(|g| {
                    why401::flow::lint::resolve(set, fid, g)
                        .unwrap()
                        .to_string()
                })
                .collect();
            succ.insert(key.clone(), next);
            // A choice's condition only marks it as suggested: every choice is taken anyway,
            // so two states that differ only there have the same walks ahead of them.
            let conds = node
                .next
                .iter()
                .filter_map(|r| r.when.as_deref())
                .chain(node.findings.iter().filter_map(|f| f.when.as_deref()));
            let mut list = Vec::new();
            for c in conds {
                let e = expr::parse(c).unwrap();
                let mut found = Vec::new();
                atoms(&e, &mut found);
                list.extend(found.into_iter().cloned());
            }
            own.insert(key, list);
        }
    }
    let mut out = std::collections::HashMap::new();
    for start in succ.keys() {
        let mut seen = BTreeSet::from([start.clone()]);
        let mut todo = vec![start.clone()];
        let mut list: Vec<Expr> = Vec::new();
        while let Some(n) = todo.pop() {
            list.extend(own[&n].iter().cloned());
            for m in &succ[&n] {
                if seen.insert(m.clone()) {
                    todo.push(m.clone());
                }
            }
        }
        out.insert(start.clone(), list);
    }
    out
}

/// Explores every state reachable from `start`, breadth first: each state (node, phase and
/// the facts its conditions can still read) once, at the fewest steps it takes to reach it,
/// so loops through choices end and no path runs past 200 steps.
fn explore<'a>(set: &'a FlowSet, start: Engine<'a>, w: &mut Walk) {
    let mut queue = std::collections::VecDeque::from([(start, 0usize)]);
    while let Some((e, depth)) = queue.pop_front() {
        visit(set, e, depth, w, &mut queue);
    }
}

fn visit<'a>(
    set: &'a FlowSet,
    mut e: Engine<'a>,
    depth: usize,
    w: &mut Walk,
    queue: &mut std::collections::VecDeque<(Engine<'a>, usize)>,
) {
    e.forget_history();
    let s = e.session();
    w.visited.insert(s.current.to_string());
    let signature: Vec<bool> = w.atoms[&s.current.to_string()]
        .iter()
        .map(|a| a.eval(&MapScope(&s.facts)))
        .collect();
    let key = format!("{}|{:?}|{signature:?}", s.current, s.phase);
    if !w.seen_states.insert(key) {
        return;
    }
    assert!(depth < 200, "path deeper than 200 steps at {}", s.current);
    match e.phase() {
        Phase::Ended => {
            assert!(
                s.error.is_none(),
                "walk stopped with an error: {:?}",
                s.error
            );
            assert!(
                s.ended.is_some(),
                "ended without an end node at {}",
                s.current
            );
            for f in s.findings() {
                assert!(why401::diagnose::cause(&f.cause).is_some(), "{}", f.cause);
            }
            w.paths += 1;
            *w.ends.entry(s.current.to_string()).or_default() += 1;
        }
        Phase::Review => {
            let mut next = e.clone();
            next.proceed().unwrap();
            queue.push_back((next, depth + 1));
        }
        Phase::Inputs => {
            let mut next = e.clone();
            for input in e.missing_inputs() {
                next.give_input(&input.id, input_value(input.kind)).unwrap();
            }
            queue.push_back((next, depth + 1));
        }
        Phase::Probes => {
            let reqs = e.probe_requests();
            let ids: BTreeSet<String> = reqs.iter().map(|r| r.id.clone()).collect();
            let kinds: BTreeMap<String, String> = reqs
                .iter()
                .map(|r| (r.id.clone(), r.kind.clone()))
                .collect();
            let cached = w
                .scenarios
                .entry(s.current.to_string())
                .or_insert_with(|| scenarios(set, e.node(), &ids))
                .clone();
            for facts in cached {
                let mut next = e.clone();
                next.give_reports(reports(&ids, &facts, &kinds)).unwrap();
                queue.push_back((next, depth + 1));
            }
        }
        Phase::Choose => {
            for i in 0..e.node().choices.len() {
                let mut next = e.clone();
                next.choose(i).unwrap();
                queue.push_back((next, depth + 1));
            }
        }
    }
}

#[test]
fn every_path_of_every_shipped_flow_reaches_an_end() {
    let (set, diags) = FlowSet::load(None);
    assert!(diags.is_empty(), "{diags:?}");
    let mut w = Walk {
        atoms: reachable_atoms(&set),
        scenarios: std::collections::HashMap::new(),
        paths: 0,
        visited: HashSet::new(),
        seen_states: HashSet::new(),
        ends: BTreeMap::new(),
    };
    for id in set.flows.keys() {
        explore(
            &set,
            Engine::new(&set, id, BTreeMap::new()).unwrap(),
            &mut w,
        );
    }
    let mut unvisited = Vec::new();
    for lf in set.flows.values() {
        for node in lf.flow.nodes.keys() {
            let r = format!("{}:{node}", lf.flow.id);
            if !w.visited.contains(&r) {
                unvisited.push(r);
            }
        }
    }
    assert!(
        unvisited.is_empty(),
        "nodes no explored path reaches: {unvisited:?}"
    );
    eprintln!(
        "{} paths explored, ending at {} end nodes",
        w.paths,
        w.ends.len()
    );
    assert!(w.paths >= set.flows.len());
}

/// One scripted step of a representative path.
enum Step {
    /// Facts of the probes of the current step, as `probe_id.fact`.
    Probe(&'static [(&'static str, Val)]),
    /// The choice whose label starts with this.
    Choose(&'static str),
}

#[derive(Clone, Copy)]
enum Val {
    I(i64),
    S(&'static str),
    B(bool),
    L(&'static [&'static str]),
}

fn value(v: Val) -> FactValue {
    match v {
        Val::I(i) => FactValue::Int(i),
        Val::S(s) => FactValue::Str(s.to_owned()),
        Val::B(b) => FactValue::Bool(b),
        Val::L(l) => FactValue::StrList(l.iter().map(|s| (*s).to_owned()).collect()),
    }
}

const UNREACHABLE: &[(&str, Val)] = &[
    ("http.responded", Val::B(false)),
    ("http.error.class", Val::S("dns")),
];
const OK_200: &[(&str, Val)] = &[
    ("http.responded", Val::B(true)),
    ("http.status", Val::I(200)),
];
const PROXY_407: &[(&str, Val)] = &[
    ("http.responded", Val::B(true)),
    ("http.status", Val::I(407)),
];
const BASIC: &[(&str, Val)] = &[
    ("http.responded", Val::B(true)),
    ("http.status", Val::I(401)),
    ("http.challenge.scheme", Val::S("basic")),
    ("http.challenge.schemes", Val::L(&["basic"])),
];
const BEARER: &[(&str, Val)] = &[
    ("http.responded", Val::B(true)),
    ("http.status", Val::I(401)),
    ("http.challenge.scheme", Val::S("bearer")),
    ("http.challenge.schemes", Val::L(&["bearer"])),
];
const NO_CHALLENGE: &[(&str, Val)] = &[
    ("http.responded", Val::B(true)),
    ("http.status", Val::I(401)),
    ("http.challenge.schemes", Val::L(&[])),
];

/// Walks `flow` with `script`; returns (end node, causes found in order).
fn walk_script(set: &FlowSet, flow: &str, script: &[Step]) -> (String, Vec<String>) {
    let mut e = Engine::new(set, flow, BTreeMap::new()).unwrap();
    let mut steps = script.iter();
    loop {
        match e.phase() {
            Phase::Ended => break,
            Phase::Review => e.proceed().unwrap(),
            Phase::Inputs => {
                for input in e.missing_inputs() {
                    e.give_input(&input.id, input_value(input.kind)).unwrap();
                }
            }
            Phase::Probes => {
                let Some(Step::Probe(facts)) = steps.next() else {
                    panic!(
                        "{flow}: probes at {} but the script has no Probe step next",
                        e.session().current
                    )
                };
                let reqs = e.probe_requests();
                let reports = reqs
                    .iter()
                    .map(|r| {
                        let mut rep = ProbeReport::new(&r.id, &r.kind);
                        for (k, v) in *facts {
                            if let Some(name) = k.strip_prefix(&format!("{}.", r.id)) {
                                rep.fact(name, value(*v));
                            }
                        }
                        rep
                    })
                    .collect();
                e.give_reports(reports).unwrap();
            }
            Phase::Choose => {
                let Some(Step::Choose(prefix)) = steps.next() else {
                    panic!(
                        "{flow}: choice at {} but the script has no Choose step next",
                        e.session().current
                    )
                };
                let labels: Vec<&str> = e.node().choices.iter().map(|c| c.label.as_str()).collect();
                let i = labels
                    .iter()
                    .position(|l| l.starts_with(prefix))
                    .unwrap_or_else(|| {
                        panic!(
                            "{flow}: no choice '{prefix}…' at {} ({labels:?})",
                            e.session().current
                        )
                    });
                e.choose(i).unwrap();
            }
        }
    }
    assert!(
        steps.next().is_none(),
        "{flow}: the walk ended before the script did"
    );
    let s = e.session();
    assert!(s.error.is_none(), "{:?}", s.error);
    (
        s.current.to_string(),
        s.findings().map(|f| f.cause.clone()).collect(),
    )
}

/// The API flow to the token checks: a Bearer challenge, "a Bearer token" sent, the checks'
/// `facts`, then the choice `then`.
fn token_walk(facts: &'static [(&'static str, Val)], then: &'static str) -> Vec<Step> {
    vec![
        Step::Probe(BEARER),
        Step::Choose("A Bearer token"),
        Step::Probe(facts),
        Step::Choose(then),
    ]
}

#[test]
fn representative_paths_end_where_expected_with_their_findings() {
    use Step::{Choose as C, Probe as P};
    let (set, _) = FlowSet::load(None);
    let cases: Vec<(&str, Vec<Step>, &str, &[&str])> = vec![
        (
            "visitor",
            vec![P(OK_200), C("It works in my browser now")],
            "visitor:not_a_401",
            &["not-a-401"],
        ),
        (
            "visitor",
            vec![
                P(BASIC),
                C("Test my user name"),
                P(&[
                    ("with_creds.responded", Val::B(true)),
                    ("with_creds.status", Val::I(200)),
                ]),
                C("It works now"),
            ],
            "visitor:fixed",
            &["stale-cookie-or-cache"],
        ),
        (
            "visitor",
            vec![
                P(BEARER),
                C("Still 401"),
                C("Still 401"),
                C("The address is right"),
                C("It fails there too"),
                C("I cannot log in at all"),
                C("Still no access"),
            ],
            "visitor:contact_owner",
            &[],
        ),
        (
            "visitor",
            vec![P(UNREACHABLE), C("It does not open anywhere")],
            "visitor:site_down",
            &["server-unreachable"],
        ),
        (
            "visitor",
            vec![P(PROXY_407), C("I have no proxy account")],
            "visitor:contact_it",
            &["proxy-auth-required"],
        ),
        // A 401 without a challenge is the owner's to fix: no refresh-and-retry detour.
        (
            "visitor",
            vec![P(NO_CHALLENGE), C("Send the site's owner the ticket")],
            "visitor:contact_owner",
            &["missing-www-authenticate"],
        ),
        // An expired JWT: the token checks route on their own to the renewal step.
        (
            "api",
            token_walk(
                &[
                    ("jwt.kind", Val::S("jwt")),
                    ("jwt.type_hint", Val::S("access")),
                    ("jwt.expired", Val::B(true)),
                    ("jwt.not_yet_valid", Val::B(false)),
                    ("with_token.responded", Val::B(true)),
                    ("with_token.status", Val::I(401)),
                    (
                        "with_token.header.www-authenticate",
                        Val::S("Bearer error=\"invalid_token\""),
                    ),
                ],
                "A fresh token works",
            )
            .into_iter()
            // The re-test with the client's new token gets 200.
            .chain([P(&[
                ("jwt.expired", Val::B(false)),
                ("rechecked.status", Val::I(200)),
            ])])
            .collect(),
            "api:fixed",
            &["token-expired"],
        ),
        // A token the API answers with a bare challenge never reached it: a proxy is
        // considered, and its configuration checked.
        (
            "api",
            token_walk(
                &[
                    ("jwt.kind", Val::S("jwt")),
                    ("with_token.responded", Val::B(true)),
                    ("with_token.status", Val::I(401)),
                    (
                        "with_token.header.www-authenticate",
                        Val::S("Bearer realm=\"api\""),
                    ),
                ],
                "Ask the API provider",
            ),
            "api:contact_provider",
            &["proxy-strips-authorization"],
        ),
        (
            "owner",
            vec![P(OK_200), C("It works for users now")],
            "owner:not_a_401",
            &["not-a-401"],
        ),
        (
            "api",
            vec![
                P(&[
                    ("http.responded", Val::B(true)),
                    ("http.status", Val::I(404)),
                ]),
                C("It works now"),
            ],
            "api:not_a_401",
            &["not-a-401"],
        ),
    ];
    for (flow, script, end, causes) in cases {
        let (got_end, got_causes) = walk_script(&set, flow, &script);
        assert_eq!(got_end, end, "{flow} path ended elsewhere");
        assert_eq!(got_causes, causes, "{flow} path to {end}");
    }
}
