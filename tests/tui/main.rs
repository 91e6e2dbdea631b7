//! The tui tests, one binary: `cargo test --test tui [filter]`.

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod e2e;
mod exits;
mod paths;
mod runtime;
mod screens;
mod shipped;
mod walks;
