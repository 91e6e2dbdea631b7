//! The report tests, one binary: `cargo test --test report [filter]`.

#[path = "../support/mod.rs"]
mod support;

mod command_ticket;
mod commands;
mod credentials;
mod deliver;
mod nginx;
mod schema;
mod session;
mod ticket;
mod truthful;
