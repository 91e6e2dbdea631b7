//! Error logs: nginx and Apache 2.2/2.4 authentication messages classified into reasons, each
//! tied to a cause id. Texts follow shared/reference/log_messages.md.

use memchr::{memchr, memmem};

use super::time;

/// Why the server refused, as its error log says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    NoCredentials,
    UserNotFound,
    PasswordMismatch,
    WrongScheme,
    EmptyUser,
    UserFileMissing,
    UserFileUnreadable,
    CryptFailed,
    ConfigIncomplete,
    RequireNotMet,
    DigestNonceStale,
    AuthRequestFailed,
    Forbidden,
    RateLimited,
}

impl Reason {
    pub const ALL: [Self; 14] = [
        Self::NoCredentials,
        Self::UserNotFound,
        Self::PasswordMismatch,
        Self::WrongScheme,
        Self::EmptyUser,
        Self::UserFileMissing,
        Self::UserFileUnreadable,
        Self::CryptFailed,
        Self::ConfigIncomplete,
        Self::RequireNotMet,
        Self::DigestNonceStale,
        Self::AuthRequestFailed,
        Self::Forbidden,
        Self::RateLimited,
    ];

    /// The key used in `auth_failures` of `--json`.
    pub fn key(self) -> &'static str {
        match self {
            Self::NoCredentials => "no_credentials",
            Self::UserNotFound => "user_not_found",
            Self::PasswordMismatch => "password_mismatch",
            Self::WrongScheme => "wrong_scheme",
            Self::EmptyUser => "empty_user",
            Self::UserFileMissing => "user_file_missing",
            Self::UserFileUnreadable => "user_file_unreadable",
            Self::CryptFailed => "crypt_failed",
            Self::ConfigIncomplete => "config_incomplete",
            Self::RequireNotMet => "require_not_met",
            Self::DigestNonceStale => "digest_nonce_stale",
            Self::AuthRequestFailed => "auth_request_failed",
            Self::Forbidden => "forbidden",
            Self::RateLimited => "rate_limited",
        }
    }

    /// The cause id this reason points to (CAUSES.md), if it is a 401 cause.
    pub fn cause(self) -> Option<&'static str> {
        Some(match self {
            Self::NoCredentials => "no-credentials-sent",
            Self::UserNotFound => "user-unknown",
            Self::PasswordMismatch => "password-mismatch",
            Self::WrongScheme => "wrong-auth-scheme",
            Self::EmptyUser => "malformed-authorization-header",
            Self::UserFileMissing => "htpasswd-file-missing",
            Self::UserFileUnreadable => "htpasswd-file-unreadable",
            Self::CryptFailed => "htpasswd-unsupported-hash",
            Self::ConfigIncomplete => "auth-config-incomplete",
            Self::RequireNotMet => "should-be-403",
            Self::DigestNonceStale => "digest-nonce-stale",
            Self::RateLimited => "ip-or-rate-limited",
            Self::AuthRequestFailed | Self::Forbidden => return None,
        })
    }

    /// Failures of the credentials themselves (what a person retrying can change).
    pub fn is_credential_failure(self) -> bool {
        matches!(
            self,
            Self::NoCredentials
                | Self::UserNotFound
                | Self::PasswordMismatch
                | Self::WrongScheme
                | Self::EmptyUser
        )
    }

    /// Plain words for the terminal.
    pub fn describe(self) -> &'static str {
        match self {
            Self::NoCredentials => "no user/password sent",
            Self::UserNotFound => "user not in the user file",
            Self::PasswordMismatch => "wrong password",
            Self::WrongScheme => "wrong authentication scheme",
            Self::EmptyUser => "credentials not decodable (empty user)",
            Self::UserFileMissing => "user file missing",
            Self::UserFileUnreadable => "user file unreadable",
            Self::CryptFailed => "password hash not verifiable",
            Self::ConfigIncomplete => "authentication configured incompletely",
            Self::RequireNotMet => "user authenticated but not allowed (401 instead of 403)",
            Self::DigestNonceStale => "Digest nonce expired",
            Self::AuthRequestFailed => "auth_request subrequest failed",
            Self::Forbidden => "denied by configuration (403)",
            Self::RateLimited => "rate limited",
        }
    }
}

/// One authentication-related error-log line, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorEvent<'a> {
    pub time: Option<i64>,
    pub reason: Reason,
    pub client: &'a [u8],
    pub user: &'a [u8],
    pub path: &'a [u8],
}

/// What an error-log line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorLine<'a> {
    Auth(ErrorEvent<'a>),
    /// A well-formed line about something else.
    Other,
    /// Not an error-log line.
    Malformed,
}

/// Drops a syslog/journal prefix (`Nov 23 00:28:15 host nginx[12]: `).
fn strip_syslog(line: &[u8]) -> &[u8] {
    if line
        .first()
        .is_some_and(|c| c.is_ascii_digit() || *c == b'[')
    {
        return line;
    }
    let head = &line[..line.len().min(160)];
    match memmem::find(head, b"]: ") {
        Some(i) => &line[i + 3..],
        None => line,
    }
}

fn between<'a>(hay: &'a [u8], start: &[u8], end: &[u8]) -> Option<&'a [u8]> {
    let s = memmem::find(hay, start)? + start.len();
    let e = memmem::find(&hay[s..], end)?;
    Some(&hay[s..s + e])
}

/// Classifies one error-log line of either server.
pub fn classify(line: &[u8]) -> ErrorLine<'_> {
    let line = strip_syslog(line);
    match line.first() {
        Some(b'[') => apache(line),
        Some(c) if c.is_ascii_digit() => nginx(line),
        _ => ErrorLine::Malformed,
    }
}

fn nginx(line: &[u8]) -> ErrorLine<'_> {
    let Some(t) = time::parse_nginx_error(line) else {
        return ErrorLine::Malformed;
    };
    let Some(level) = line.get(20..).and_then(|r| between(r, b"[", b"]")) else {
        return ErrorLine::Malformed;
    };
    let Some(colon) = memmem::find(&line[20..], b": ").map(|i| i + 22) else {
        return ErrorLine::Malformed;
    };
    let mut msg = &line[colon..];
    if msg.first() == Some(&b'*') {
        msg = memchr(b' ', msg).map_or(&[][..], |i| &msg[i + 1..]);
    }
    let reason = if msg.starts_with(b"no user/password was provided for basic authentication") {
        Reason::NoCredentials
    } else if msg.starts_with(b"user \"") {
        if memmem::find(msg, b"\" was not found in \"").is_some() {
            Reason::UserNotFound
        } else if memmem::find(msg, b"\": password mismatch").is_some() {
            Reason::PasswordMismatch
        } else {
            return ErrorLine::Other;
        }
    } else if msg.starts_with(b"open() \"") {
        let file = between(msg, b"open() \"", b"\" failed").unwrap_or_default();
        let userfile =
            memmem::find(file, b"passwd").is_some() || memmem::find(file, b"users").is_some();
        let missing = memmem::find(msg, b"failed (2:").is_some();
        match (userfile || (level == b"crit" && !missing), missing) {
            (true, true) => Reason::UserFileMissing,
            (true, false) => Reason::UserFileUnreadable,
            _ => return ErrorLine::Other,
        }
    } else if msg.starts_with(b"crypt_r() failed") || msg.starts_with(b"crypt() failed") {
        Reason::CryptFailed
    } else if msg.starts_with(b"auth request unexpected status") {
        Reason::AuthRequestFailed
    } else if msg.starts_with(b"access forbidden by rule") {
        Reason::Forbidden
    } else if msg.starts_with(b"limiting requests") {
        Reason::RateLimited
    } else {
        return ErrorLine::Other;
    };
    let user = if msg.starts_with(b"user \"") {
        between(msg, b"user \"", b"\"").unwrap_or_default()
    } else {
        &[]
    };
    let client = between(msg, b", client: ", b",").unwrap_or_default();
    let path = between(msg, b", request: \"", b"\"")
        .and_then(|r| r.split(|c| *c == b' ').nth(1))
        .unwrap_or_default();
    ErrorLine::Auth(ErrorEvent {
        time: Some(t),
        reason,
        client,
        user,
        path,
    })
}

/// Apache codes that mean the authentication setup itself is incomplete.
const CONFIG_CODES: [&[u8]; 8] = [
    b"AH01615", b"AH01616", b"AH01619", b"AH01621", b"AH01627", b"AH00027", b"AH00028", b"AH01796",
];

fn apache_reason(msg: &[u8], whole: &[u8]) -> Option<Reason> {
    let code = if msg.len() > 9 && msg.starts_with(b"AH") && msg[7] == b':' {
        &msg[..7]
    } else {
        &[][..]
    };
    let has = |n: &[u8]| memmem::find(msg, n).is_some();
    Some(match code {
        b"AH01614" | b"AH01781" => Reason::WrongScheme,
        b"AH01617" | b"AH01792" | b"AH01794" => Reason::PasswordMismatch,
        b"AH01618" | b"AH01790" if has(b"user  not found") => Reason::EmptyUser,
        b"AH01618" | b"AH01790" => Reason::UserNotFound,
        b"AH01620" | b"AH01622" if memmem::find(whole, b"(2)").is_some() => Reason::UserFileMissing,
        b"AH01620" | b"AH01622" => Reason::UserFileUnreadable,
        b"AH01631" => Reason::RequireNotMet,
        b"AH01629" => Reason::NoCredentials,
        b"AH01630" | b"AH01797" => Reason::Forbidden,
        b"AH01778" | b"AH01779" => Reason::DigestNonceStale,
        c if CONFIG_CODES.contains(&c) => Reason::ConfigIncomplete,
        b"" if has(b"authentication failure for") || has(b": password mismatch") => {
            Reason::PasswordMismatch
        }
        b"" if has(b"user  not found") => Reason::EmptyUser,
        b"" if msg.starts_with(b"user ") && has(b" not found") => Reason::UserNotFound,
        b"" if has(b"client used wrong authentication scheme") => Reason::WrongScheme,
        b"" if has(b"client denied by server configuration") => Reason::Forbidden,
        b"" if has(b"AuthType not allowed here") || has(b"Invalid command 'Auth") => {
            Reason::ConfigIncomplete
        }
        _ => return None,
    })
}

fn apache(line: &[u8]) -> ErrorLine<'_> {
    let Some(end) = memchr(b']', line) else {
        return ErrorLine::Malformed;
    };
    let Some(t) = time::parse_apache_error(&line[1..end]) else {
        return ErrorLine::Malformed;
    };
    let modern = line
        .get(end + 2..)
        .and_then(|r| between(r, b"[", b"]"))
        .is_some_and(|tag| memchr(b':', tag).is_some());
    let (client, msg_at) = match memmem::find(line, b"[client ") {
        Some(i) => {
            let start = i + 8;
            let close = if line.get(start) == Some(&b'[') {
                memmem::find(&line[start..], b"]")
                    .and_then(|j| memchr(b']', &line[start + j + 1..]).map(|k| start + j + 1 + k))
            } else {
                memchr(b']', &line[start..]).map(|j| start + j)
            };
            let Some(close) = close else {
                return ErrorLine::Malformed;
            };
            (client_without_port(&line[start..close], modern), close + 2)
        }
        None => (
            &[][..],
            memchr::memrchr(b']', &line[..line.len().min(200)]).map_or(end + 2, |i| i + 2),
        ),
    };
    let mut msg = line.get(msg_at..).unwrap_or_default();
    if let Some(i) = memmem::find(msg, b", referer: ") {
        msg = &msg[..i];
    }
    let Some(reason) = apache_reason(msg, line) else {
        return ErrorLine::Other;
    };
    let body = if msg.len() > 9 && msg.starts_with(b"AH") {
        &msg[9..]
    } else {
        msg
    };
    let body = body.strip_prefix(b"Digest: ").unwrap_or(body);
    let user = apache_user(body);
    ErrorLine::Auth(ErrorEvent {
        time: Some(t),
        reason,
        client,
        user,
        path: if matches!(reason, Reason::UserFileMissing | Reason::UserFileUnreadable) {
            &[]
        } else {
            apache_path(body)
        },
    })
}

fn client_without_port(c: &[u8], has_port: bool) -> &[u8] {
    if let Some(rest) = c.strip_prefix(b"[") {
        return memchr(b']', rest).map_or(rest, |i| &rest[..i]);
    }
    if !has_port {
        return c;
    }
    match memchr::memrchr(b':', c) {
        Some(i) if c[i + 1..].iter().all(u8::is_ascii_digit) && i + 1 < c.len() => &c[..i],
        _ => c,
    }
}

fn apache_user(body: &[u8]) -> &[u8] {
    if let Some(rest) = body.strip_prefix(b"user `") {
        return memchr(b'\'', rest).map_or(&[][..], |i| &rest[..i]);
    }
    let Some(rest) = body.strip_prefix(b"user ") else {
        return &[];
    };
    let colon = memmem::find(rest, b": ");
    let nf = memmem::find(rest, b" not found");
    match (colon, nf) {
        (Some(c), Some(n)) => &rest[..c.min(n)],
        (Some(i), None) | (None, Some(i)) => &rest[..i],
        (None, None) => &[],
    }
}

fn apache_path(body: &[u8]) -> &[u8] {
    if let Some(p) = between(body, b"for \"", b"\"") {
        return p;
    }
    match memmem::rfind(body, b": ") {
        Some(i) if body.get(i + 2) == Some(&b'/') => &body[i + 2..],
        _ => &[],
    }
}

#[cfg(test)]
mod tests;
