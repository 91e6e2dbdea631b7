//! The check tests, one binary: `cargo test --test check [filter]`.

#[path = "../support/mod.rs"]
mod support;

mod causes;
mod classes;
mod corpus;
mod differential;
mod faults;
mod fresh_connection;
mod network;
mod nginx;
mod output;
mod redirects;
mod secrets;
mod server_files;
