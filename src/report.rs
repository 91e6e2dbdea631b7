//! The support ticket: model, renderers, redaction, clipboard, saved sessions.

pub mod deliver;
pub mod render;
pub mod replay;
pub mod schema;
pub mod session_file;
pub mod shown;
pub mod ticket;

/// The redactor lives with the secrets it hides (`crate::secret::redact`); reports use it here.
pub use crate::secret::redact;
pub use deliver::{Delivery, deliver, write_report};
pub use redact::{Redactor, fingerprint};
pub use ticket::{TargetSpec, Ticket, render, render_with};

/// Output format of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum TicketFormat {
    #[default]
    #[value(alias = "markdown")]
    Md,
    Text,
    Json,
}

/// A redactor for a walk: every secret input the person typed.
pub(crate) fn session_redactor(session: &crate::flow::Session) -> Redactor {
    let mut r = Redactor::new();
    for (id, v) in &session.secrets {
        r.add_secret(id, v.expose());
    }
    r
}
