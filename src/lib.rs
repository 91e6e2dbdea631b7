//! why401: finds out why a web request gets HTTP 401 Unauthorized, and what to do about it.
//!
//! The core (flows, probes, diagnosis, reports) knows nothing of the terminal; `tui` draws
//! it and `command` wires each subcommand to the core.

pub mod cli;
pub mod command;
pub mod diagnose;
pub mod flow;
pub mod input_file;
pub mod logscan;
pub mod probe;
pub mod report;
pub mod sanitize;
pub mod secret;
pub mod server;
pub mod token;
pub mod tui;
