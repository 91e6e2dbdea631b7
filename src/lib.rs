//! why401: finds out why a web request gets HTTP 401 Unauthorized, and what to do about it.
//!
//! The core (flows, probes, diagnosis, reports) knows nothing of the terminal; `tui` draws
//! it and `command` wires each subcommand to the core.

pub mod check;
pub mod cli;
pub mod command;
pub mod diagnose;
pub mod flow;
pub mod logscan;
pub mod probe;
pub mod report;
pub mod server;
pub mod token;
pub mod tui;
