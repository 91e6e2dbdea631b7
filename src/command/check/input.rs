//! The check's inputs: secrets read from stdin, files or the environment (never from the
//! command line), checked before any request is made.

use std::path::Path;

use anyhow::bail;

use crate::cli::CheckArgs;
use crate::probe::http::{self, Credentials};

/// The environment variable an API key is read from.
pub(crate) const API_KEY_ENV: &str = "WHY401_API_KEY";

/// Reads stdin once, for whichever option asked for it.
struct Stdin {
    used_by: Option<&'static str>,
}

impl Stdin {
    fn read(&mut self, who: &'static str) -> anyhow::Result<String> {
        if let Some(first) = self.used_by {
            bail!("{who} and {first} both want standard input; give one of them another source");
        }
        self.used_by = Some(who);
        let line = crate::secret::read_secret_line(std::io::stdin().lock(), who)?;
        Ok(line.expose().to_owned())
    }
}

fn read_secret_file(path: &Path, what: &str) -> anyhow::Result<String> {
    crate::secret::read_secret_file(path, what).map(|s| s.expose().to_owned())
}

/// The credentials the options describe, and the headers that are not credentials.
pub fn credentials(args: &CheckArgs) -> anyhow::Result<(Credentials, Vec<(String, String)>)> {
    let mut stdin = Stdin { used_by: None };
    let mut creds = Credentials::default();
    let mut plain = Vec::new();
    if let Some(user) = &args.user {
        if user.contains(':') {
            bail!("--user: a user name cannot contain ':' (RFC 7617)");
        }
        creds.user = Some(user.clone());
        creds.password = if args.password_stdin {
            Some(stdin.read("--password-stdin")?.into())
        } else {
            // Never an empty password in its place: asked for on a terminal, else an error.
            let prompt = format!(
                "Password for {} (input hidden): ",
                crate::sanitize::line(user)
            );
            Some(crate::secret::require_terminal_prompt(&prompt, "--user")?)
        };
    }
    if let Some(path) = &args.bearer_file {
        let token = if path.as_os_str() == "-" {
            stdin.read("--bearer-file -")?
        } else {
            read_secret_file(path, "--bearer-file")?
        };
        creds.authorization = Some(format!("Bearer {token}").into());
    }
    for (i, h) in args.headers.iter().enumerate() {
        let (name, value) = header(h, i)?;
        if name.eq_ignore_ascii_case("authorization") {
            if creds.authorization.is_some() {
                bail!(
                    "--header {}: Authorization is already set by --bearer-file",
                    i + 1
                );
            }
            creds.authorization = Some(value.into());
        } else if name.eq_ignore_ascii_case("cookie") {
            creds.cookie = Some(value.into());
        } else if http::is_credential_header(&name) {
            creds.headers.push((name, value.into()));
        } else {
            plain.push((name, value));
        }
    }
    if !args.cookies.is_empty() {
        for (i, c) in args.cookies.iter().enumerate() {
            if !c.contains('=') {
                bail!("--cookie {}: expected NAME=VALUE", i + 1);
            }
        }
        let joined = args.cookies.join("; ");
        creds.cookie = Some(
            match creds.cookie.take() {
                Some(prev) => format!("{}; {joined}", prev.expose()),
                None => joined,
            }
            .into(),
        );
    }
    if let Some(name) = &args.api_key_query {
        let key = match std::env::var(API_KEY_ENV) {
            Ok(k) if !k.is_empty() => k,
            _ => stdin.read("--api-key-query (no WHY401_API_KEY set)")?,
        };
        creds.api_key_query = Some((name.clone(), key.into()));
    }
    Ok((creds, plain))
}

/// `Name: value` or `Name: @FILE`. Errors name the option's position, never the value.
fn header(text: &str, i: usize) -> anyhow::Result<(String, String)> {
    let Some((name, value)) = text.split_once(':') else {
        bail!("--header {}: expected 'Name: value'", i + 1);
    };
    let name = name.trim();
    if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
        bail!("--header {}: '{name}' is not a valid header name", i + 1);
    }
    let value = value.strip_prefix(' ').unwrap_or(value);
    let value = match value.trim().strip_prefix('@') {
        Some(path) => read_secret_file(Path::new(path), &format!("--header {name}"))?,
        None => value.to_owned(),
    };
    Ok((name.to_owned(), value))
}
