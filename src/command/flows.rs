//! `why401 flows lint|graph|list|schema`, completions and the man page.

use clap::CommandFactory;

use crate::cli::{Cli, FlowsCommand, GlobalArgs, GraphFormat};
use crate::command::Outcome;
use crate::flow::{FlowSet, graph, lint};

pub fn run(cmd: &FlowsCommand, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    match cmd {
        FlowsCommand::Lint { dir } => lint_flows(dir.as_deref().or(global.flows.as_deref())),
        FlowsCommand::Graph { id, format } => {
            let set = crate::command::load_flows(global)?;
            let format = match format {
                GraphFormat::Mermaid => graph::Format::Mermaid,
                GraphFormat::Dot => graph::Format::Dot,
            };
            let Some(text) = graph::draw(&set, id, format) else {
                anyhow::bail!("no flow '{id}' (available: {})", ids(&set));
            };
            // Flow files come from any --flows directory: their text is shown, never emitted.
            crate::command::print(&crate::sanitize::text(&text))?;
            Ok(Outcome::Clean)
        }
        FlowsCommand::List => {
            let set = crate::command::load_flows(global)?;
            let mut out = String::new();
            for lf in set.flows.values() {
                let origin = if lf.shipped {
                    "shipped"
                } else {
                    lf.file.as_str()
                };
                out += &format!(
                    "{:<12} v{:<3} {:>3} nodes  {}  ({origin})\n",
                    lf.flow.id,
                    lf.flow.version,
                    lf.flow.nodes.len(),
                    lf.flow.title
                );
            }
            crate::command::print(&crate::sanitize::text(&out))?;
            Ok(Outcome::Clean)
        }
        FlowsCommand::Probes => {
            crate::command::print(&probe_reference())?;
            Ok(Outcome::Clean)
        }
        FlowsCommand::Schema => {
            crate::command::print(&crate::flow::schema::flow_schema())?;
            Ok(Outcome::Clean)
        }
    }
}

/// Every probe kind, its arguments and its facts, for people writing flows.
fn probe_reference() -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for kind in crate::probe::registry() {
        let _ = writeln!(out, "{}: {}", kind.name, kind.doc);
        for a in kind.args {
            let req = if a.required { "required" } else { "optional" };
            let secret = if a.secret { ", secret" } else { "" };
            let _ = writeln!(out, "  arg  {:<22} {req}{secret}: {}", a.name, a.doc);
        }
        for f in kind.facts {
            let _ = writeln!(
                out,
                "  fact {}.{:<20} {}: {}",
                kind.name, f.name, f.ty, f.doc
            );
        }
        out.push('\n');
    }
    out
}

fn ids(set: &FlowSet) -> String {
    set.flows
        .keys()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Prints every problem as FILE:LINE:COL: message; 1 when there are any.
fn lint_flows(dir: Option<&std::path::Path>) -> anyhow::Result<Outcome> {
    let (set, mut diags) = FlowSet::load(dir);
    diags.extend(set.shipped_source_problems());
    diags.extend(lint::lint(&set));
    diags.sort();
    let mut listed = String::new();
    for d in &diags {
        listed += &crate::sanitize::text(&d.to_string());
        listed.push('\n');
    }
    // Warnings do not fail the lint: the walk works, a text may read "(not known)".
    let warnings = if diags.is_empty() {
        lint::warnings(&set)
    } else {
        Vec::new()
    };
    for w in &warnings {
        listed += "warning: ";
        listed += &crate::sanitize::text(&w.to_string());
        listed.push('\n');
    }
    crate::command::print(&listed)?;
    Ok(if diags.is_empty() {
        let nodes: usize = set.flows.values().map(|f| f.flow.nodes.len()).sum();
        let warned = match warnings.len() {
            0 => String::new(),
            n => format!(", {n} warning(s)"),
        };
        eprintln!(
            "{} flows, {nodes} nodes: no problems{warned}",
            set.flows.len()
        );
        Outcome::Clean
    } else {
        eprintln!("{} problem(s)", diags.len());
        Outcome::Findings
    })
}

/// Writes shell completions to stdout.
pub(crate) fn print_completions(shell: clap_complete::Shell) -> std::io::Result<()> {
    // Generated in memory: clap_complete panics when its writer fails.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "why401", &mut script);
    crate::command::print(&String::from_utf8_lossy(&script))
}

/// Writes the man page (roff) to stdout.
pub(crate) fn print_man() -> anyhow::Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    crate::command::print(&String::from_utf8_lossy(&page))?;
    Ok(())
}
