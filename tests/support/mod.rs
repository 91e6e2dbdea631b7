//! Helpers the test binaries share: each `tests/<area>/main.rs` declares `mod support`.

pub mod basic_site;
pub mod jwt;
pub mod logs_report;
pub mod loopback;
pub mod server_http;
pub mod servers;
pub mod ticket_fixture;
pub mod tmux;
pub mod tui_app;
