//! Warnings, not errors: a text placeholder `{{probe.fact}}` whose probe does not run on every
//! path to its node. The walk still works (the text reads "(not known)" there), but the
//! person sees a gap, so `flows lint` says where.

use std::collections::BTreeSet;

use super::{Graph, template};
use crate::flow::load::{Diagnostic, FlowSet};
use crate::flow::model::Node;

/// Every fact placeholder that may be missing on some path to its node.
pub fn warnings(set: &FlowSet) -> Vec<Diagnostic> {
    let graph = Graph::build(set);
    let ran = super::on_every_path(set, &graph, instances);
    let mut out = Vec::new();
    for (r, node) in &graph.nodes {
        let (Some(lf), Some(before)) = (set.get(&r.flow), ran.get(r)) else {
            continue;
        };
        let base = format!("nodes.{}", r.node);
        for (path, text) in texts(node, &base) {
            for v in template::vars(text).unwrap_or_default() {
                let Some((probe, _)) = v.name.split_once('.') else {
                    continue;
                };
                if v.fallback.is_some() {
                    continue;
                }
                if before.contains(probe) || instances(node).contains(probe) {
                    continue;
                }
                out.push(lf.diag(
                    lf.map().value(&path),
                    format!(
                        "placeholder '{{{{{}}}}}': probe '{probe}' does not run on every path to this node, so the text may read \"(not known)\" there",
                        v.name
                    ),
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The probe ids of a node.
fn instances(node: &Node) -> BTreeSet<String> {
    node.probes
        .iter()
        .map(|p| p.instance_id().to_owned())
        .collect()
}

/// The texts a person reads (or a ticket holds) with placeholders, with their paths in the
/// file.
pub(super) fn texts<'n>(node: &'n Node, base: &str) -> Vec<(String, &'n str)> {
    let mut texts: Vec<(String, &str)> = vec![
        (format!("{base}.body"), node.body.as_str()),
        (format!("{base}.title"), node.title.as_str()),
    ];
    for (i, f) in node.findings.iter().enumerate() {
        texts.push((format!("{base}.findings.{i}.evidence"), f.evidence.as_str()));
    }
    for (i, c) in node.choices.iter().enumerate() {
        if let Some(b) = &c.because {
            texts.push((format!("{base}.choices.{i}.because"), b.as_str()));
        }
        for (j, f) in c.findings.iter().enumerate() {
            texts.push((
                format!("{base}.choices.{i}.findings.{j}.evidence"),
                f.evidence.as_str(),
            ));
        }
    }
    texts
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLOW: &str = r#"
id: t
title: t
start: a
nodes:
  a:
    title: A
    choices:
      - label: Check
        goto: probe
      - label: Skip the check
        goto: SKIP
  probe:
    title: P
    probes:
      - kind: http
        args:
          url: "http://127.0.0.1:9/"
    next:
      - goto: show
  show:
    title: S
    body: "It answered {{http.status}}."
    end: escalate
"#;

    fn warned(skip_to: &str) -> Vec<String> {
        let mut set = FlowSet::default();
        let mut diags = Vec::new();
        set.add("t.yaml", &FLOW.replace("SKIP", skip_to), false, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        warnings(&set).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_fact_missing_on_one_path_is_a_warning() {
        let w = warned("show");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].starts_with("t.yaml:"), "{w:?}");
        assert!(w[0].contains("'{{http.status}}': probe 'http' does not run on every path"));
    }

    #[test]
    fn a_fact_on_every_path_is_fine() {
        assert!(warned("probe").is_empty());
    }
}
