//! why401: finds out why a web request gets HTTP 401 Unauthorized, and what to do about it.
//!
//! # Layers
//!
//! Modules are stacked; a module imports only from its own layer or from layers below it, so
//! a newcomer can tell what may use what (the `layering` test holds the shape):
//!
//! 1. `error`, `secret`, `sanitize`, `diagnose`: error chains, secrets and the one sanitiser
//!    for stranger text, the cause catalogue and the one ranking.
//! 2. `net`: targets, fetching, classification, the challenge parser.
//! 3. `token`, `server`, `logscan`: the analysers; input in, typed results and cause hits out.
//! 4. `probe`: facts, reports, the registry, one adapter per probe kind.
//! 5. `flow`, `check`: the decision trees and their engine; the check battery and its rules.
//! 6. `report`: the support ticket, its renderers, redaction and delivery.
//! 7. `tui`: the wizard (state, messages, update, views); no probe logic.
//! 8. `command`, `cli`: one thin adapter per subcommand and the clap definitions; only `main`
//!    imports them.

pub mod check;
pub mod cli;
pub mod command;
pub mod diagnose;
pub mod error;
pub mod flow;
pub mod input_file;
pub mod logscan;
pub mod net;
pub mod probe;
pub mod report;
pub mod sanitize;
pub mod secret;
pub mod server;
pub mod token;
pub mod tui;

#[cfg(test)]
mod layering;
