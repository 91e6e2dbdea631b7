//! Error logs: nginx and Apache 2.2/2.4 authentication messages classified into reasons, each
//! tied to a cause id. Texts follow shared/reference/log_messages.md.

use memchr::{memchr, memmem};

use super::{prefix, time};

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
    /// Authenticated, but the file's owner is not the user (Apache mod_authz_owner).
    OwnerMismatch,
    /// A Digest header the server could not use: bad nonce, realm, algorithm or qop.
    DigestProtocol,
    /// PAM refused the user (password, expired or locked account).
    PamFailure,
}

impl Reason {
    pub(crate) const ALL: [Self; 17] = [
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
        Self::OwnerMismatch,
        Self::DigestProtocol,
        Self::PamFailure,
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
            Self::OwnerMismatch => "owner_mismatch",
            Self::DigestProtocol => "digest_protocol_error",
            Self::PamFailure => "pam_failure",
        }
    }

    /// The cause id this reason points to (CAUSES.md), if it is a 401 cause.
    pub fn cause(self) -> Option<&'static str> {
        Some(match self {
            Self::NoCredentials => "no-credentials-sent",
            Self::UserNotFound => "user-unknown",
            Self::PasswordMismatch => "password-mismatch",
            Self::WrongScheme => "wrong-auth-scheme",
            Self::EmptyUser | Self::DigestProtocol => "malformed-authorization-header",
            Self::UserFileMissing => "htpasswd-file-missing",
            Self::UserFileUnreadable => "htpasswd-file-unreadable",
            Self::CryptFailed => "htpasswd-unsupported-hash",
            Self::ConfigIncomplete => "auth-config-incomplete",
            Self::RequireNotMet => "should-be-403",
            Self::DigestNonceStale => "digest-nonce-stale",
            Self::RateLimited => "ip-or-rate-limited",
            Self::OwnerMismatch => "resource-acl-denied",
            Self::PamFailure => "bad-credentials",
            Self::AuthRequestFailed | Self::Forbidden => return None,
        })
    }

    /// Failures of the credentials themselves (what a person retrying can change).
    pub(crate) fn is_credential_failure(self) -> bool {
        matches!(
            self,
            Self::NoCredentials
                | Self::UserNotFound
                | Self::PasswordMismatch
                | Self::WrongScheme
                | Self::EmptyUser
                | Self::DigestProtocol
                | Self::PamFailure
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
            Self::OwnerMismatch => "user authenticated but does not own the file (authz_owner)",
            Self::DigestProtocol => "Digest header unusable (nonce, realm, algorithm or qop)",
            Self::PamFailure => "PAM refused the user",
        }
    }
}

/// One authentication-related error-log line, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorEvent<'a> {
    /// The time as written: the server's wall clock, unless `zoned`.
    pub time: Option<i64>,
    /// Whether `time` is UTC (a syslog header that stated its zone); nginx's and Apache's own
    /// times state none.
    pub zoned: bool,
    pub reason: Reason,
    pub client: &'a [u8],
    pub user: &'a [u8],
    pub path: &'a [u8],
    /// nginx's connection serial (`*N`); 0 where the line has none.
    pub connection: u64,
}

/// What an error-log line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorLine<'a> {
    Auth(ErrorEvent<'a>),
    /// A well-formed line about something else.
    Other,
    /// The start of an nginx entry whose user name holds a newline (nginx writes the name as
    /// the client sent it): its fixed end is on a following line, see [`continued_entry`].
    Open,
    /// Not an error-log line.
    Malformed,
}

fn between<'a>(hay: &'a [u8], start: &[u8], end: &[u8]) -> Option<&'a [u8]> {
    let s = memmem::find(hay, start)? + start.len();
    let e = memmem::find(&hay[s..], end)?;
    Some(&hay[s..s + e])
}

/// Classifies one error-log line of either server, as written or behind a syslog, journal
/// or container prefix (whose time serves lines that carry none, as Apache's through
/// syslog do).
pub fn classify(line: &[u8]) -> ErrorLine<'_> {
    match own_line(line, None) {
        ErrorLine::Malformed => match prefix::strip(line) {
            Some(s) => own_line(s.rest, s.time.map(|t| (t, s.zoned))),
            None => ErrorLine::Malformed,
        },
        known => known,
    }
}

fn own_line(line: &[u8], header_time: Option<(i64, bool)>) -> ErrorLine<'_> {
    match line.first() {
        Some(b'[') => apache(line, header_time),
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
    let mut connection = 0;
    if msg.first() == Some(&b'*') {
        let end = memchr(b' ', msg).unwrap_or(msg.len());
        connection = std::str::from_utf8(&msg[1..end])
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        msg = msg.get(end + 1..).unwrap_or_default();
    }
    let (reason, user, context) = if msg.starts_with(b"user \"") {
        match nginx_user_message(msg) {
            Some(found) => found,
            None => return ErrorLine::Open,
        }
    } else {
        let Some(reason) = nginx_fixed_reason(msg, level) else {
            return ErrorLine::Other;
        };
        let at = memmem::find(msg, b", client: ").unwrap_or(msg.len());
        (reason, &[][..], &msg[at..])
    };
    let client = between(context, b", client: ", b",").unwrap_or_default();
    let path = between(context, b", request: \"", b"\"")
        .and_then(|r| r.split(|c| *c == b' ').nth(1))
        .unwrap_or_default();
    ErrorLine::Auth(ErrorEvent {
        time: Some(t),
        zoned: false,
        reason,
        client,
        user,
        path,
        connection,
    })
}

/// The most an nginx entry spans: nginx cuts each at `NGX_MAX_ERROR_STR` (2048) bytes.
pub(crate) const ENTRY_MAX: usize = 4096;

fn without_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Where the entry that `buf` starts with ends, when its first line (`first_len` bytes) is
/// [`ErrorLine::Open`] and the following lines finish it: the end, and how many lines it
/// took beyond the first. A following line that reads as an entry of its own (it has a time)
/// is never taken in: an entry nginx cut short must not swallow the next one.
pub(crate) fn continued_entry(buf: &[u8], first_len: usize) -> Option<(usize, u64)> {
    let mut end = first_len;
    let mut extra = 0;
    while end < buf.len() && end < ENTRY_MAX {
        let next = end + 1;
        let next_end = memchr(b'\n', &buf[next..]).map_or(buf.len(), |i| next + i);
        if !matches!(
            classify(without_cr(&buf[next..next_end])),
            ErrorLine::Malformed
        ) {
            return None;
        }
        extra += 1;
        end = next_end;
        if let ErrorLine::Auth(_) = classify(without_cr(&buf[..end])) {
            return Some((end, extra));
        }
    }
    None
}

/// Joins an nginx entry's lines when they come one at a time (`--follow`), as
/// [`continued_entry`] does in a chunk: a line that [`classify`] calls [`ErrorLine::Open`]
/// waits for the lines that finish it, and gives up (and is passed on as it is) when a line
/// reads as an entry of its own or the entry outgrows [`ENTRY_MAX`].
#[derive(Debug, Default)]
pub(crate) struct Joiner {
    open: Vec<u8>,
}

impl Joiner {
    /// Takes one line (without its `\n`) and puts the entries it completes into `out`.
    pub(crate) fn push(&mut self, line: Vec<u8>, out: &mut Vec<Vec<u8>>) {
        let class = classify(without_cr(&line));
        if !self.open.is_empty() {
            if matches!(class, ErrorLine::Malformed) {
                self.open.push(b'\n');
                self.open.extend_from_slice(&line);
                if matches!(classify(without_cr(&self.open)), ErrorLine::Auth(_))
                    || self.open.len() >= ENTRY_MAX
                {
                    out.push(std::mem::take(&mut self.open));
                }
                return;
            }
            out.push(std::mem::take(&mut self.open));
        }
        if matches!(class, ErrorLine::Open) {
            self.open = line;
        } else {
            out.push(line);
        }
    }
}

/// Where a chunk of whole lines should end so that no entry is cut in two: the start of a
/// trailing [`ErrorLine::Open`] entry that its lines in `buf` do not finish, if any.
pub(crate) fn open_tail(buf: &[u8]) -> Option<usize> {
    let body = buf.strip_suffix(b"\n").unwrap_or(buf);
    let floor = body.len().saturating_sub(ENTRY_MAX);
    let mut end = body.len();
    while end > floor {
        let start = memchr::memrchr(b'\n', &body[..end]).map_or(0, |i| i + 1);
        match classify(without_cr(&body[start..end])) {
            ErrorLine::Open => {
                return continued_entry(&body[start..], end - start)
                    .is_none()
                    .then_some(start);
            }
            ErrorLine::Malformed if start > 0 => end = start - 1,
            _ => return None,
        }
    }
    None
}

/// The nginx messages that start with fixed text (no stranger's bytes before the context).
fn nginx_fixed_reason(msg: &[u8], level: &[u8]) -> Option<Reason> {
    Some(
        if msg.starts_with(b"no user/password was provided for basic authentication") {
            Reason::NoCredentials
        } else if msg.starts_with(b"open() \"") || msg.starts_with(b"pread() \"") {
            let file = between(msg, b"() \"", b"\" failed").unwrap_or_default();
            let userfile =
                memmem::find(file, b"passwd").is_some() || memmem::find(file, b"users").is_some();
            let missing = memmem::find(msg, b"failed (2:").is_some();
            // pread() on a directory (21: Is a directory) is a user file nginx cannot read.
            let is_dir = memmem::find(msg, b"failed (21:").is_some();
            match (
                userfile || is_dir || (level == b"crit" && !missing),
                missing,
            ) {
                (true, true) => Reason::UserFileMissing,
                (true, false) => Reason::UserFileUnreadable,
                _ => return None,
            }
        } else if msg.starts_with(b"crypt_r() failed") || msg.starts_with(b"crypt() failed") {
            Reason::CryptFailed
        } else if msg.starts_with(b"auth request unexpected status") {
            Reason::AuthRequestFailed
        } else if msg.starts_with(b"access forbidden by rule") {
            Reason::Forbidden
        } else if msg.starts_with(b"limiting requests") {
            Reason::RateLimited
        } else if msg.starts_with(b"PAM: user '") || has_pam_failure(msg) {
            Reason::PamFailure
        } else {
            return None;
        },
    )
}

fn has_pam_failure(msg: &[u8]) -> bool {
    memmem::find(msg, b"PAM authentication failed for user").is_some()
        || memmem::find(msg, b"PAM account validation failed for user").is_some()
}

/// `user "NAME": password mismatch` or `user "NAME" was not found in "FILE"`, then nginx's
/// context (`, client: ADDR, server: NAME, request: "...", host: "..."`). The name is the
/// one part a stranger writes, and it may hold quotes, commas, newlines or the whole fixed
/// text; what follows it is nginx's. So the fixed text read is the one just before the last
/// `, client: ` whose context has nginx's shape to the end of the line: a crafted name can
/// add earlier candidates, never a later one. Returns the reason, the name and the context.
fn nginx_user_message(msg: &[u8]) -> Option<(Reason, &[u8], &[u8])> {
    const MISMATCH: &[u8] = b"\": password mismatch";
    let mut end = msg.len();
    while let Some(at) = memmem::rfind(&msg[..end], b", client: ") {
        end = at;
        let (head, context) = msg.split_at(at);
        if !nginx_context(context) || head.len() < 6 {
            continue;
        }
        if let Some(user) = head.strip_suffix(MISMATCH) {
            return Some((Reason::PasswordMismatch, &user[6..], context));
        }
        // `" was not found in "FILE"`; the file is nginx's configuration, never quoted.
        let Some(file_and_quote) = head.strip_suffix(b"\"") else {
            continue;
        };
        let Some(open) = memchr::memrchr(b'"', file_and_quote) else {
            continue;
        };
        let before = &file_and_quote[..=open];
        let user = before
            .strip_suffix(b"\" was not found in \"")
            .or_else(|| before.strip_suffix(b"\": was not found in \""));
        if let Some(user) = user.filter(|u| u.len() >= 6) {
            return Some((Reason::UserNotFound, &user[6..], context));
        }
    }
    None
}

/// The length of a quoted context value up to its closing quote: a request line is
/// `METHOD TARGET HTTP/x.y` (the target may hold quotes, never a space); the other values
/// hold neither.
fn quoted_value_len(value: &[u8], request: bool) -> Option<usize> {
    if !request {
        let q = memchr(b'"', value)?;
        return (!value[..q].contains(&b' ')).then_some(q);
    }
    let s1 = memchr(b' ', value)?;
    let s2 = s1 + 1 + memchr(b' ', &value[s1 + 1..])?;
    let version = value[s2 + 1..].strip_prefix(b"HTTP/")?;
    let digits = version
        .iter()
        .position(|&b| !(b.is_ascii_digit() || b == b'.'))?;
    (version[digits] == b'"' && !value[..s1].contains(&b'"')).then_some(s2 + 6 + digits)
}

/// True when `c` is nginx's request context as `ngx_http_log_error_handler` writes it:
/// `, client: ADDR, server: NAME` then `request`, `subrequest`, `upstream`, `host` and
/// `referrer` in that order, each optional. A request line and a host hold no spaces beyond
/// the request line's two; only the referrer, last, is free text.
fn nginx_context(c: &[u8]) -> bool {
    let Some(rest) = c.strip_prefix(b", client: ") else {
        return false;
    };
    let Some(comma) = memmem::find(rest, b", server: ") else {
        return false;
    };
    let addr = &rest[..comma];
    let addr_ok = !addr.is_empty()
        && addr
            .iter()
            .all(|&b| b.is_ascii_hexdigit() || matches!(b, b'.' | b':' | b'[' | b']'))
        || addr.starts_with(b"unix:");
    if !addr_ok {
        return false;
    }
    let rest = &rest[comma + 10..];
    let server_end = memmem::find(rest, b", ").unwrap_or(rest.len());
    if rest[..server_end].iter().any(|&b| b == b'"' || b == b' ') {
        return false;
    }
    let mut rest = &rest[server_end..];
    for key in [
        &b", request: \""[..],
        b", subrequest: \"",
        b", upstream: \"",
        b", host: \"",
    ] {
        if let Some(value) = rest.strip_prefix(key) {
            let Some(len) = quoted_value_len(value, key == b", request: \"") else {
                return false;
            };
            rest = &value[len + 1..];
        }
    }
    if let Some(referrer) = rest.strip_prefix(b", referrer: \"") {
        // Free text, last: it runs to the line's final quote.
        return referrer.ends_with(b"\"");
    }
    rest.is_empty()
}

/// Apache codes that mean the authentication setup itself is incomplete.
const CONFIG_CODES: [&[u8]; 8] = [
    b"AH01615", b"AH01616", b"AH01619", b"AH01621", b"AH01627", b"AH00027", b"AH00028", b"AH01796",
];

/// Apache codes of Digest headers the server could not use (mod_auth_digest).
const DIGEST_CODES: [&[u8]; 10] = [
    b"AH01772", b"AH01774", b"AH01775", b"AH01776", b"AH01777", b"AH01782", b"AH01787", b"AH01788",
    b"AH01789", b"AH01793",
];

fn apache_reason(msg: &[u8], whole: &[u8]) -> Option<Reason> {
    let code = if msg.len() > 9 && msg.starts_with(b"AH") && msg[7] == b':' {
        &msg[..7]
    } else {
        &[][..]
    };
    // Apache 2.2's mod_auth_digest starts its messages with `Digest: `.
    let text = msg.strip_prefix(b"Digest: ").unwrap_or(msg);
    let digest = text.len() < msg.len();
    let has = |n: &[u8]| memmem::find(text, n).is_some();
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
        b"AH01637" => Reason::OwnerMismatch,
        b"AH02533" => Reason::DigestProtocol,
        c if DIGEST_CODES.contains(&c) => Reason::DigestProtocol,
        c if CONFIG_CODES.contains(&c) => Reason::ConfigIncomplete,
        _ if has_pam_failure(text) => Reason::PamFailure,
        b"" => apache22_reason(text, digest)?,
        _ => return None,
    })
}

/// Apache 2.2 messages (no AH codes), and 2.4 third-party ones.
fn apache22_reason(text: &[u8], digest: bool) -> Option<Reason> {
    let has = |n: &[u8]| memmem::find(text, n).is_some();
    Some(
        if has(b"authentication failure for") || has(b": password mismatch") {
            Reason::PasswordMismatch
        } else if has(b"user  not found") {
            Reason::EmptyUser
        } else if text.starts_with(b"user ") && has(b" not found") {
            Reason::UserNotFound
        } else if has(b"client used wrong authentication scheme") {
            Reason::WrongScheme
        } else if has(b"client denied by server configuration") {
            Reason::Forbidden
        } else if has(b"AuthType not allowed here") || has(b"Invalid command 'Auth") {
            Reason::ConfigIncomplete
        } else if text.starts_with(b"Authorization of user ") && has(b"failed, reason: file owner ")
        {
            Reason::OwnerMismatch
        } else if digest
            && [
                &b"invalid nonce"[..],
                b"realm mismatch",
                b"unknown algorithm",
                b"invalid qop",
                b"missing user, realm",
                b"received invalid opaque",
                b"nonce-count check failed",
            ]
            .iter()
            .any(|n| has(n))
        {
            Reason::DigestProtocol
        } else {
            return None;
        },
    )
}

/// The client of an Apache line: `[client ADDR]`, or `[remote ADDR]` on the lines a
/// connection rather than a request writes. Returns it and where the message starts.
fn apache_client(line: &[u8], modern: bool) -> Option<(&[u8], usize)> {
    let i = memmem::find(line, b"[client ")
        .map(|i| i + 8)
        .or_else(|| memmem::find(line, b"[remote ").map(|i| i + 8))?;
    let close = if line.get(i) == Some(&b'[') {
        memmem::find(&line[i..], b"]")
            .and_then(|j| memchr(b']', &line[i + j + 1..]).map(|k| i + j + 1 + k))
    } else {
        memchr(b']', &line[i..]).map(|j| i + j)
    }?;
    Some((client_without_port(&line[i..close], modern), close + 2))
}

/// An Apache line's time, and where its tags start: `[Www Mmm DD ...] [mod:level]`, or,
/// through syslog, the header's time and `[mod:level]` first.
fn apache_time(
    line: &[u8],
    header_time: Option<(i64, bool)>,
) -> Option<(Option<(i64, bool)>, usize)> {
    let end = memchr(b']', line)?;
    if let Some(t) = time::parse_apache_error(&line[1..end]) {
        return Some((Some((t, false)), end + 2));
    }
    let tag = &line[1..end];
    let level_tag = !tag.is_empty()
        && tag
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b':');
    level_tag.then_some((header_time, 0))
}

fn apache(line: &[u8], header_time: Option<(i64, bool)>) -> ErrorLine<'_> {
    let Some((t, tags_at)) = apache_time(line, header_time) else {
        return ErrorLine::Malformed;
    };
    if t.is_none() {
        // `[mod:level] ...` with no time anywhere: a line cut from its header.
        return ErrorLine::Malformed;
    }
    let modern = line
        .get(tags_at..)
        .and_then(|r| between(r, b"[", b"]"))
        .is_some_and(|tag| memchr(b':', tag).is_some());
    let (client, msg_at) = apache_client(line, modern).unwrap_or_else(|| {
        (
            &[][..],
            memchr::memrchr(b']', &line[..line.len().min(200)]).map_or(tags_at, |i| i + 2),
        )
    });
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
        time: t.map(|t| t.0),
        zoned: t.is_some_and(|t| t.1),
        reason,
        client,
        user,
        path: if matches!(reason, Reason::UserFileMissing | Reason::UserFileUnreadable) {
            &[]
        } else {
            apache_path(body)
        },
        connection: 0,
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
    if let Some(rest) = body.strip_prefix(b"Authorization of user ") {
        return memmem::find(rest, b" to access ").map_or(&[][..], |i| &rest[..i]);
    }
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
    if let Some(p) = between(body, b" to access ", b" failed, reason: ") {
        return p;
    }
    match memmem::rfind(body, b": ") {
        Some(i) if body.get(i + 2) == Some(&b'/') => &body[i + 2..],
        _ => &[],
    }
}

#[cfg(test)]
mod tests;
