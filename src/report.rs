//! The support ticket: model, renderers, redaction, clipboard, saved sessions.

pub mod deliver;
pub mod redact;
pub mod render;
pub mod replay;
pub mod schema;
pub mod session_file;
pub mod shown;
pub mod ticket;

pub use deliver::{Delivery, deliver, write_report};
pub use redact::{Redactor, fingerprint};
pub use ticket::{TargetSpec, Ticket, render, render_with};
