//! The support ticket: model, renderers, redaction, clipboard.

pub mod redact;

pub use redact::fingerprint;
