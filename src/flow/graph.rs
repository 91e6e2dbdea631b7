//! A flow drawn as a Mermaid flowchart or a Graphviz digraph.

use std::fmt::Write as _;

use super::lint::{edges, resolve};
use super::load::FlowSet;
use super::model::{EndKind, Flow, NodeRef};

/// Diagram formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Mermaid,
    Dot,
}

struct Edge {
    from: String,
    to: NodeRef,
    label: String,
}

fn collect(set: &FlowSet, flow: &Flow) -> Vec<Edge> {
    let mut out = Vec::new();
    for (id, node) in &flow.nodes {
        let labels = node
            .next
            .iter()
            .map(|r| r.when.clone().unwrap_or_else(|| "otherwise".to_owned()))
            .chain(node.choices.iter().map(|c| c.label.clone()));
        for ((_, goto), label) in edges(node, "").into_iter().zip(labels) {
            if let Ok(to) = resolve(set, &flow.id, &goto) {
                out.push(Edge {
                    from: id.clone(),
                    to,
                    label,
                });
            }
        }
    }
    out
}

/// Draws flow `id`; `None` when there is no such flow.
pub fn draw(set: &FlowSet, id: &str, format: Format) -> Option<String> {
    let flow = &set.get(id)?.flow;
    let edges = collect(set, flow);
    Some(match format {
        Format::Mermaid => mermaid(flow, &edges),
        Format::Dot => dot(flow, &edges),
    })
}

fn key(flow: &Flow, to: &NodeRef) -> String {
    if to.flow == flow.id {
        to.node.clone()
    } else {
        format!("{}__{}", to.flow, to.node)
    }
}

fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;").replace('\n', " ")
}

fn mermaid(flow: &Flow, edges: &[Edge]) -> String {
    let mut out = format!(
        "---\ntitle: {}\n---\nflowchart TD\n",
        mermaid_text(&flow.title)
    );
    for (id, node) in &flow.nodes {
        let title = mermaid_text(&node.title);
        let _ = match node.end {
            Some(EndKind::Resolved) => writeln!(out, "    {id}([\"✔ {title}\"])"),
            Some(EndKind::Escalate) => writeln!(out, "    {id}[/\"✉ {title}\"/]"),
            None => writeln!(out, "    {id}[\"{title}\"]"),
        };
    }
    for e in edges.iter().filter(|e| e.to.flow != flow.id) {
        let _ = writeln!(out, "    {}{{{{\"{}\"}}}}", key(flow, &e.to), e.to);
    }
    for e in edges {
        let _ = writeln!(
            out,
            "    {} -->|\"{}\"| {}",
            e.from,
            mermaid_text(&e.label),
            key(flow, &e.to)
        );
    }
    let _ = writeln!(out, "    style {} stroke-width:3px", flow.start);
    out
}

fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn dot(flow: &Flow, edges: &[Edge]) -> String {
    let mut out = format!(
        "digraph \"{}\" {{\n    rankdir=TB;\n    label=\"{}\";\n    node [shape=box, fontname=\"sans-serif\"];\n",
        dot_text(&flow.id),
        dot_text(&flow.title)
    );
    for (id, node) in &flow.nodes {
        let shape = match node.end {
            Some(EndKind::Resolved) => ", shape=doublecircle",
            Some(EndKind::Escalate) => ", shape=house",
            None if *id == flow.start => ", penwidth=3",
            None => "",
        };
        let _ = writeln!(
            out,
            "    \"{}\" [label=\"{}\"{shape}];",
            dot_text(id),
            dot_text(&node.title)
        );
    }
    for e in edges.iter().filter(|e| e.to.flow != flow.id) {
        let _ = writeln!(
            out,
            "    \"{}\" [label=\"{}\", shape=hexagon];",
            dot_text(&key(flow, &e.to)),
            dot_text(&e.to.to_string())
        );
    }
    for e in edges {
        let _ = writeln!(
            out,
            "    \"{}\" -> \"{}\" [label=\"{}\"];",
            dot_text(&e.from),
            dot_text(&key(flow, &e.to)),
            dot_text(&e.label)
        );
    }
    out.push_str("}\n");
    out
}
