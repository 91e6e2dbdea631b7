//! A proxy's Digest challenge answered with `--proxy-user` (RFC 7616 through
//! `Proxy-Authenticate` and `Proxy-Authorization`, RFC 9110 §11.7). Each request answers the
//! nonce of its own 407 with a count of 1: concurrent requests sharing a nonce could reach the
//! proxy out of order, and squid drops a nonce whose count does not rise.

use crate::net::digest::{self as rfc7616, DigestRequest};
use crate::secret::Secret;

/// The proxy user, for Digest answers.
#[derive(Debug)]
pub struct ProxyDigest {
    user: String,
    password: Secret,
}

impl ProxyDigest {
    pub fn new(user: &str, password: Secret) -> Self {
        Self {
            user: user.to_owned(),
            password,
        }
    }

    /// The `Proxy-Authorization` value answering the strongest Digest challenge among
    /// `Proxy-Authenticate` field `values`, for a request of `method` whose request line names
    /// `uri` (the absolute URL, or `host:port` for CONNECT); `None` when none is answerable.
    pub fn answer(&self, values: &[String], method: &str, uri: &str) -> Option<String> {
        let challenge = rfc7616::best_of(values)?.ok()?;
        let req = DigestRequest {
            method,
            uri,
            body: b"",
        };
        let cnonce = rfc7616::new_cnonce();
        let a = rfc7616::answer(
            &challenge,
            &self.user,
            self.password.expose(),
            req,
            &cnonce,
            1,
        );
        Some(a.header)
    }
}
