//! The canary tests, one binary: `cargo test --test canary [filter]`.

#[path = "../support/mod.rs"]
mod support;

mod escapes;
mod outputs;
mod prompt;
mod session;
