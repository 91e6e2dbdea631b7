//! What the network says, read without any I/O: the WWW-Authenticate / Proxy-Authenticate
//! challenge parser (RFC 9110 §11), shared by the probes, the HAR reader and the wizard.

pub mod challenge;
