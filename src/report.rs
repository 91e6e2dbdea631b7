//! The support ticket: model, renderers, redaction, clipboard.

pub mod deliver;
pub mod redact;
pub mod ticket;

pub use deliver::{Delivery, deliver};
pub use redact::fingerprint;
pub use ticket::{Ticket, render};
