//! What to request, read from probe arguments: the URL, the method and the credentials.
//! Secrets stay in [`Credentials`] and are only ever shown through their fingerprints.

use reqwest::header::{HeaderName, HeaderValue};

use crate::net::classify::FetchError;
use crate::probe::ProbeArgs;
use crate::secret::{Secret, fingerprint};

/// Credentials to send, only ever to the origin the person named. Every value is a
/// [`Secret`], which cannot print itself; `Debug` shows what [`Credentials::describe`] shows:
/// names and fingerprints, never a value.
#[derive(Clone, Default)]
pub struct Credentials {
    pub authorization: Option<Secret>,
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub cookie: Option<Secret>,
    /// Extra headers that may carry secrets (API keys): name and value.
    pub headers: Vec<(String, Secret)>,
    /// Query parameter name and the API key for it.
    pub api_key_query: Option<(String, Secret)>,
}

impl Credentials {
    pub fn any(&self) -> bool {
        self.authorization.is_some()
            || self.user.is_some()
            || self.cookie.is_some()
            || !self.headers.is_empty()
            || self.api_key_query.is_some()
    }

    /// True when a request with these credentials carries the person's password: a user
    /// and password (Basic, or Digest answered from them) or a Basic Authorization value.
    pub(crate) fn carries_password(&self) -> bool {
        self.user.is_some()
            || self.authorization.as_ref().is_some_and(|a| {
                a.expose()
                    .trim_start()
                    .get(..6)
                    .is_some_and(|w| w.eq_ignore_ascii_case("basic "))
            })
    }

    /// True for a user and password with no Authorization value naming the scheme: the
    /// server's challenge decides between Basic and Digest.
    pub(crate) fn scheme_unknown(&self) -> bool {
        self.user.is_some() && self.authorization.is_none()
    }

    /// True when a request carries credentials even without the user and password.
    pub(crate) fn any_besides_password(&self) -> bool {
        self.authorization.is_some()
            || self.cookie.is_some()
            || !self.headers.is_empty()
            || self.api_key_query.is_some()
    }

    /// Every secret value with its kind, and the parts a server may echo on their own (the
    /// token after the scheme word, each cookie's value), for redactors.
    pub fn values(&self) -> Vec<(&'static str, &str)> {
        let mut out = Vec::new();
        if let Some(a) = &self.authorization {
            let a = a.expose();
            out.push(("credentials", a));
            if let Some((_, rest)) = a.trim().split_once(char::is_whitespace) {
                out.push(("credentials", rest.trim()));
            }
        }
        if let Some(p) = &self.password {
            out.push(("password", p.expose()));
        }
        if let Some(c) = &self.cookie {
            let c = c.expose();
            out.push(("cookie", c));
            out.extend(
                c.split(';')
                    .filter_map(|p| p.split_once('='))
                    .map(|(_, v)| ("cookie-value", v.trim())),
            );
        }
        out.extend(self.headers.iter().map(|(_, v)| ("header", v.expose())));
        out.extend(
            self.api_key_query
                .iter()
                .map(|(_, v)| ("api-key", v.expose())),
        );
        out
    }

    /// `text` with every value of these credentials, and every shape of a secret (JWTs,
    /// Authorization values, cookies), replaced by a fingerprint.
    pub(crate) fn hide_in(&self, text: &str) -> String {
        let mut redactor = crate::secret::redact::Redactor::new();
        for (kind, value) in self.values() {
            redactor.add_secret(kind, value);
        }
        redactor.redact(text).into_owned()
    }

    /// What kinds of credentials a request with these carries, never a value: `basic:USER`,
    /// `bearer`, `authorization:SCHEME` (a scheme not known: `authorization`), `cookie:NAMES`
    /// (comma-separated), `header:NAME`, `query:PARAM`. Tickets read them back per request.
    pub fn kinds(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(a) = &self.authorization {
            let (scheme, rest) = scheme_and_rest(a.expose());
            out.push(match scheme.to_ascii_lowercase().as_str() {
                "basic" => {
                    basic_user(rest).map_or_else(|| "basic".to_owned(), |u| format!("basic:{u}"))
                }
                "bearer" => "bearer".to_owned(),
                _ if crate::secret::is_auth_scheme(scheme) => format!("authorization:{scheme}"),
                _ => "authorization".to_owned(),
            });
        }
        if let Some(u) = &self.user {
            out.push(format!("basic:{u}"));
        }
        if let Some(c) = &self.cookie {
            let names: Vec<&str> = c
                .expose()
                .split(';')
                .filter_map(|p| p.split_once('=').map(|(n, _)| n.trim()))
                .filter(|n| !n.is_empty())
                .collect();
            out.push(format!("cookie:{}", names.join(",")));
        }
        out.extend(self.headers.iter().map(|(n, _)| format!("header:{n}")));
        out.extend(self.api_key_query.iter().map(|(n, _)| format!("query:{n}")));
        out
    }

    /// The fingerprint of each of [`Credentials::kinds`], in the same order: the token of a
    /// Bearer, the password of a Basic login, so two tokens (or passwords) are told apart;
    /// empty for the other kinds, whose names tell them apart.
    pub fn fingerprints(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(a) = &self.authorization {
            let (scheme, rest) = scheme_and_rest(a.expose());
            out.push(match scheme.to_ascii_lowercase().as_str() {
                "bearer" if !rest.is_empty() => fingerprint("token", rest),
                "basic" => {
                    basic_password(rest).map_or_else(String::new, |p| fingerprint("password", &p))
                }
                _ => String::new(),
            });
        }
        if self.user.is_some() {
            let pw = self.password.as_ref().map_or("", Secret::expose);
            out.push(fingerprint("password", pw));
        }
        if self.cookie.is_some() {
            out.push(String::new());
        }
        out.extend(self.headers.iter().map(|_| String::new()));
        out.extend(self.api_key_query.iter().map(|_| String::new()));
        out
    }

    /// How the credentials look in evidence: names and fingerprints, never values.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(a) = &self.authorization {
            let a = a.expose();
            let scheme = a.split_whitespace().next().unwrap_or("");
            let rest = a.trim_start().get(scheme.len()..).unwrap_or("").trim();
            out.push(format!(
                "Authorization: {} {}",
                scheme_shown(scheme),
                fingerprint("credentials", rest)
            ));
        }
        if let Some(u) = &self.user {
            let pw = self.password.as_ref().map_or("", Secret::expose);
            out.push(format!(
                "Basic user '{u}' with password {}",
                fingerprint("password", pw)
            ));
        }
        if let Some(c) = &self.cookie {
            out.push(format!("Cookie: {}", fingerprint("cookie", c.expose())));
        }
        for (n, v) in &self.headers {
            out.push(format!("{n}: {}", fingerprint("header", v.expose())));
        }
        if let Some((n, v)) = &self.api_key_query {
            out.push(format!("?{n}={}", fingerprint("api-key", v.expose())));
        }
        out
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.describe()).finish()
    }
}

/// The user name and password of a Basic credential (`base64(user:password)`), when it
/// decodes.
fn basic_parts(encoded: &str) -> Option<(String, String)> {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn basic_user(encoded: &str) -> Option<String> {
    basic_parts(encoded).map(|(user, _)| user)
}

fn basic_password(encoded: &str) -> Option<String> {
    basic_parts(encoded).map(|(_, password)| password)
}

/// A scheme word is shown only when it looks like one, so a bare token is never echoed.
fn scheme_shown(word: &str) -> String {
    if crate::secret::is_auth_scheme(word) || word.is_empty() {
        word.to_owned()
    } else {
        fingerprint("word", word)
    }
}

/// One request to make.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: url::Url,
    pub method: reqwest::Method,
    pub creds: Credentials,
    /// Headers that are not secret (Origin, Access-Control-Request-*).
    pub plain_headers: Vec<(HeaderName, HeaderValue)>,
    pub follow_redirects: bool,
    /// The request body (`-d`); it may hold secrets, so it is shown only by its size.
    pub body: Option<String>,
}

impl Target {
    /// Reads url, method, authorization, user, password, cookie, headers, api_key_query,
    /// api_key and follow from probe arguments.
    pub(crate) fn from_args(args: &ProbeArgs) -> Result<Self, FetchError> {
        let raw = args
            .get("url")
            .ok_or_else(|| FetchError::usage("no url given"))?;
        let mut url = parse_url(raw)?;
        let method = args.get("method").map_or("GET", String::as_str);
        let method = reqwest::Method::from_bytes(method.trim().to_ascii_uppercase().as_bytes())
            .map_err(|_| FetchError::usage(&format!("not a valid method '{method}'")))?;
        let get = |k: &str| args.get(k).filter(|v| !v.is_empty()).cloned();
        let secret = |k: &str| get(k).map(Secret::from);
        let mut creds = Credentials {
            authorization: secret("authorization"),
            user: get("user"),
            password: secret("password"),
            cookie: secret("cookie"),
            headers: parse_header_lines(args.get("headers").map_or("", String::as_str))?
                .into_iter()
                .map(|(n, v)| (n, Secret::from(v)))
                .collect(),
            api_key_query: get("api_key_query").zip(secret("api_key")),
        };
        // Userinfo in the URL is moved into the credentials, so it is never shown.
        if !url.username().is_empty() && creds.user.is_none() && creds.authorization.is_none() {
            creds.user = Some(percent_decode(url.username()));
            creds.password = url.password().map(|p| Secret::from(percent_decode(p)));
        }
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let mut plain_headers = Vec::new();
        for (name, value) in
            parse_header_lines(args.get("plain_headers").map_or("", String::as_str))?
        {
            let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) else {
                return Err(FetchError::usage(&format!(
                    "header '{name}' has a value that is not valid in HTTP"
                )));
            };
            plain_headers.push((n, v));
        }
        Ok(Self {
            url,
            method,
            creds,
            plain_headers,
            follow_redirects: args.get("follow").is_none_or(|v| v != "false"),
            body: args.get("body").cloned(),
        })
    }
}

/// Decodes `%XX` escapes of URL userinfo (no `+` to space: that is only for forms).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A URL why401 can request: http or https, with a host.
pub fn parse_url(raw: &str) -> Result<url::Url, FetchError> {
    let url = url::Url::parse(raw.trim())
        .map_err(|e| FetchError::usage(&format!("not a valid URL '{}': {e}", raw.trim())))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::usage(&format!(
            "unsupported scheme '{}' (use http or https)",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(FetchError::usage("the URL has no host"));
    }
    Ok(url)
}

/// `Name: value` lines; the values are secrets, so errors name only the line number.
pub fn parse_header_lines(text: &str) -> Result<Vec<(String, String)>, FetchError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(FetchError::usage(&format!(
                "header {} has no ':' between name and value",
                i + 1
            )));
        };
        let name = name.trim();
        if HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(FetchError::usage(&format!(
                "header {}: '{name}' is not a valid header name",
                i + 1
            )));
        }
        out.push((name.to_owned(), value.trim().to_owned()));
    }
    Ok(out)
}

/// True for a header that carries a credential (Authorization, Cookie, an API key, a token,
/// a session or a signature), false for the rest (Content-Type, Accept, ...): only the first
/// kind counts as credentials sent, and only the first kind is withheld from other origins.
pub fn is_credential_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "bearer" | "token" | "jwt"
    ) || [
        "key",
        "token",
        "auth",
        "secret",
        "session",
        "password",
        "passwd",
        "signature",
        "credential",
        "jwt",
        "bearer",
        "sid",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// A header named after a scheme word (`Bearer: <token>`): the person meant
/// `Authorization: Bearer <token>`, and no Authorization was sent.
pub fn is_scheme_named_header(name: &str) -> bool {
    ["bearer", "basic", "token", "jwt", "digest"].contains(&name.to_ascii_lowercase().as_str())
}

/// True when `a` and `b` share scheme, host and port: credentials may go to both.
pub fn same_origin(a: &url::Url, b: &url::Url) -> bool {
    a.origin() == b.origin()
}

/// An Authorization value's scheme and what follows it, trimmed.
fn scheme_and_rest(value: &str) -> (&str, &str) {
    let a = value.trim();
    let scheme = a.split_whitespace().next().unwrap_or("");
    (scheme, a.get(scheme.len()..).unwrap_or("").trim())
}
