//! The server tests, one binary: `cargo test --test server [filter]`.

#[path = "../support/mod.rs"]
mod support;

mod apache_live;
mod cli;
mod differential;
mod nginx_live;
mod parser_props;
mod probes;
