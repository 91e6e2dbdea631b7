//! The logs tests, one binary: `cargo test --test logs [filter]`.

#[path = "../support/mod.rs"]
mod support;

mod malformed;
mod nginx;
mod probe;
mod render;
mod servers;
mod truth;
