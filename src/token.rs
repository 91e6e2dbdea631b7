//! Tokens: decoding a pasted JWT (and saying exactly what is wrong with a broken one), the
//! claim and clock checks, signature verification with a secret, a PEM key, a JWKS or OpenID
//! discovery, and the DevTools HAR reader that finds the tokens a browser sent.

pub mod claims;
pub mod decode;
pub(crate) mod diagnosis;
pub mod har;
pub mod input;
pub mod jwks;
pub mod render;
pub mod time;
pub mod verify;

pub use decode::{Jwt, Problem, Segment, Shape, parse};
pub use diagnosis::{Expectations, Inspection, SignatureState, TokenKind, inspect};
