//! The flows tests, one binary: `cargo test --test flows [filter]`.

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod engine;
mod paths;
mod run;
