//! Decision trees: the YAML model, loading (embedded and `--flows DIR`), lint, and the pure
//! engine that walks them.

pub mod agent;
pub mod expr;
pub(crate) mod model;
pub mod source_map;

pub use model::{
    Choice, EndKind, FindingRule, Flow, Input, InputKind, Node, NodeRef, ProbeCall, Rule,
};
pub mod lint;
pub mod load;
pub(crate) mod template;

pub use load::{Diagnostic, FlowSet, LoadedFlow};
pub mod engine;

pub use engine::{Engine, EngineError, Finding, Outcome, Phase, Session, Step, Verification};
pub mod answers;
pub mod graph;
pub mod schema;
