//! The cli tests, one binary: `cargo test --test cli [filter]`.

#[path = "../support/mod.rs"]
mod support;

mod bounded_reads;
mod har;
mod pipe;
mod support_smoke;
