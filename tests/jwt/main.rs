//! The jwt tests, one binary: `cargo test --test jwt [filter]`.

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod flow;
mod jwks;
mod props;
mod snapshots;
mod vectors;
