//! Server-side checks: what nginx or Apache will do to a request, worked out from their
//! configuration files and user files alone. Parsers are bounded (size, include count, depth)
//! and report bad input as `FILE:LINE:COL: message`; they never panic.

use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::diagnose::CauseHit;
use crate::sanitize::{Outside, OutsidePath};

pub mod access;
pub(crate) mod analysis;
pub mod apache;
pub(crate) mod exposure;
pub mod htpasswd;
pub mod nginx;
pub(crate) mod pcre;
pub(crate) mod selftest;
pub mod source;

/// Bytes read from one configuration or user file at most.
pub(crate) const FILE_LIMIT: u64 = 16 * 1024 * 1024;
/// Bytes read over a whole include tree at most.
pub(crate) const TREE_LIMIT: u64 = 64 * 1024 * 1024;
/// Files one include tree may pull in at most.
pub(crate) const INCLUDE_LIMIT: usize = 4096;
/// Nesting of includes and blocks at most (nginx itself has no limit; a loop would run away).
pub(crate) const DEPTH_LIMIT: usize = 64;

/// One directive (nginx or Apache): name, arguments, position and its block, if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub name: String,
    pub args: Vec<String>,
    pub pos: Pos,
    pub block: Option<Vec<Directive>>,
}

impl Directive {
    /// `name arg1 arg2` for messages: control characters shown as escapes, and credentials a
    /// config holds (a URL's user:password, a fixed value of a credential header) redacted.
    pub fn head(&self) -> String {
        let mut s = visible(&self.name);
        let mut previous: Option<&str> = None;
        for a in &self.args {
            s.push(' ');
            let credential_header = previous.is_some_and(crate::secret::is_secret_header);
            if credential_header {
                s.push_str(&redact_header_value(a));
            } else {
                s.push_str(&visible(&redact_userinfo(a)));
            }
            previous = Some(a);
        }
        s
    }

    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(String::as_str)
    }

    pub fn body(&self) -> &[Directive] {
        self.block.as_deref().unwrap_or(&[])
    }
}

/// Text a stranger wrote (a config value, a user name, a realm) as it may be printed, through
/// the one sanitiser: controls and invisible format characters shown, never emitted.
pub(crate) fn visible(text: &str) -> String {
    crate::sanitize::line(text).into_owned()
}

/// A URL's `user:password@` replaced by `***@` (proxy_pass and friends may carry one).
pub(crate) fn redact_userinfo(value: &str) -> String {
    let Some(scheme_end) = value.find("://") else {
        return value.to_owned();
    };
    let rest = &value[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}://***{}", &value[..scheme_end], &rest[at..]),
        None => value.to_owned(),
    }
}

/// A credential header's value: variables (`$http_authorization`) are shown, a fixed
/// credential is not (only its scheme word and length).
pub(crate) fn redact_header_value(value: &str) -> String {
    let only_variables = value.split_whitespace().all(|w| {
        w.starts_with('$')
            && w[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_{}".contains(c))
    });
    if only_variables {
        return visible(value);
    }
    let scheme = value
        .split_whitespace()
        .next()
        .filter(|w| w.len() < value.len() && w.chars().all(|c| c.is_ascii_alphabetic()))
        .map(|w| format!("{w} "))
        .unwrap_or_default();
    format!("{scheme}[redacted, {} chars]", value.len())
}

/// A place in a file, 1-based.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pos {
    /// The file as the configuration named it: shown through the sanitiser.
    pub file: OutsidePath,
    pub line: usize,
    pub col: usize,
}

impl Pos {
    pub fn new(file: &Path, line: usize, col: usize) -> Self {
        Self {
            file: OutsidePath::new(file),
            line,
            col,
        }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// Bad input: where and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pos}: {message}")]
pub struct ParseError {
    pub pos: Pos,
    pub message: String,
}

impl ParseError {
    pub fn new(pos: Pos, message: impl Into<String>) -> Self {
        Self {
            pos,
            message: message.into(),
        }
    }
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

/// One problem found in the files, with where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// Cause id from the catalogue, when the problem is one.
    pub cause: Option<&'static str>,
    /// A stable short name for problems that are not catalogue causes.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub fix: String,
    pub at: Option<Pos>,
}

impl Problem {
    pub fn cause(id: &'static str, at: Option<Pos>, message: impl Into<String>) -> Self {
        let fix = crate::diagnose::cause(id).map_or("", |c| c.fix).to_owned();
        Self {
            cause: Some(id),
            code: id,
            severity: Severity::Error,
            message: visible(&message.into()),
            fix,
            at,
        }
    }

    pub(crate) fn warning(
        code: &'static str,
        at: Option<Pos>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            cause: None,
            code,
            severity: Severity::Warning,
            message: visible(&message.into()),
            fix: visible(&fix.into()),
            at,
        }
    }

    #[must_use]
    pub(crate) fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = visible(&fix.into());
        self
    }

    /// The problem as one evidence line: `file:line:col: message`.
    pub fn evidence(&self) -> String {
        match &self.at {
            Some(at) => format!("{at}: {}", self.message),
            None => self.message.clone(),
        }
    }

    /// The catalogue hit for this problem, if it names a cause.
    pub(crate) fn hit(&self) -> Option<CauseHit> {
        let confidence = match self.severity {
            Severity::Error => 0.9,
            Severity::Warning => 0.6,
            Severity::Note => 0.3,
        };
        self.cause
            .map(|id| CauseHit::new(id, confidence, self.evidence()))
    }
}

/// The authentication scheme that applies to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// HTTP Basic against a user file.
    Basic,
    /// HTTP Digest (Apache AuthType Digest).
    Digest,
    /// nginx `auth_request` subrequest.
    Request,
    /// Explicitly switched off (`auth_basic off`).
    Off,
    /// No authentication configured.
    None,
}

impl Scheme {
    pub fn label(self) -> &'static str {
        match self {
            Self::Basic => "basic",
            Self::Digest => "digest",
            Self::Request => "request",
            Self::Off => "off",
            Self::None => "none",
        }
    }

    /// In plain words: "Basic authentication", "no authentication".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Basic => "Basic authentication",
            Self::Digest => "Digest authentication",
            Self::Request => "authentication by subrequest (auth_request)",
            Self::Off => "authentication switched off",
            Self::None => "no authentication",
        }
    }
}

/// The auth that applies to a host and path, as the server will enforce it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectiveAuth {
    pub server: &'static str,
    pub scheme: Scheme,
    /// AuthName / auth_basic text as the configuration wrote it: shown through the sanitiser.
    pub realm: Option<Outside>,
    /// The user file as the configuration named it (resolved).
    pub user_file: Option<OutsidePath>,
    /// The access rule (Apache `Require ...`, nginx allow/deny summary), config text in it.
    pub require: Option<Outside>,
    /// `all` or `any` (nginx satisfy, Apache Satisfy / RequireAny).
    pub satisfy: String,
    /// The `proxy_pass` target, any `user:password@` in it taken out.
    pub proxy_target: Option<Outside>,
    /// Whether a proxied request still carries the client's Authorization header.
    pub forwards_authorization: Option<bool>,
    /// Every client is refused (403) whatever the credentials.
    pub denied_to_all: bool,
    /// The block that decided it (`location /admin/`, `<Directory /srv>`...).
    pub matched: Option<Outside>,
    pub at: Option<Pos>,
    /// nginx `return CODE` that answers before the access phase (auth never runs).
    pub returns: Option<u16>,
    /// The status the server gives a request without credentials: 200 (gets through to the
    /// content), 401, 403, 500, or a `return` code; `None` where it depends on what the files
    /// do not say (the client's address when not given, an expression, a subrequest).
    pub status_anonymous: Option<u16>,
    /// The status for `--user` with `--password-stdin`, when both were given.
    pub status_with_login: Option<u16>,
}

impl EffectiveAuth {
    pub fn none(server: &'static str) -> Self {
        Self {
            server,
            scheme: Scheme::None,
            realm: None,
            user_file: None,
            require: None,
            satisfy: "all".to_owned(),
            proxy_target: None,
            forwards_authorization: None,
            denied_to_all: false,
            matched: None,
            at: None,
            returns: None,
            status_anonymous: Some(200),
            status_with_login: None,
        }
    }

    /// Whether a request without credentials is challenged with 401 (ignoring IP rules).
    pub(crate) fn demands_credentials(&self) -> bool {
        matches!(
            self.scheme,
            Scheme::Basic | Scheme::Digest | Scheme::Request
        )
    }
}
