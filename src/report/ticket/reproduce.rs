//! A curl command that repeats the request, with every secret as a placeholder, so it can be
//! pasted into a ticket: `-u 'alice:$PASSWORD'` (single quotes: the reader puts the password
//! in its place, or drops `:$PASSWORD` and curl asks for it unseen), and shell variables the
//! reader sets first for the rest (`read -rs TOKEN`, then `-H "Authorization: Bearer $TOKEN"`).

use super::{Credential, Target};

/// Query parameters whose values are secrets (see the redactor's `key=value` patterns).
const SECRET_PARAMS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "secret",
    "client_secret",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "auth_token",
    "api_key",
    "apikey",
    "api-key",
    "key",
    "sig",
    "signature",
    "code",
    "session",
    "sessionid",
    "sid",
    "auth",
];

/// The curl command for `target`, or None when it is not a URL.
pub fn curl(target: &Target) -> Option<String> {
    let raw = target.url.as_deref()?;
    let mut url = url::Url::parse(raw).ok()?;
    let mut vars: Vec<String> = Vec::new();
    let mut lines = Vec::new();
    let method = target
        .method
        .as_deref()
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let _ = url.set_password(None);
    let had_user = !url.username().is_empty();
    let _ = url.set_username("");
    let query_url = with_query_placeholders(&url, target, &mut vars);
    let head = if method == "GET" {
        "curl -sS -i".to_owned()
    } else if method == "HEAD" {
        "curl -sS -I".to_owned()
    } else {
        format!("curl -sS -i -X {method}")
    };
    lines.push(format!("{head} {query_url}"));
    if had_user
        && !target
            .credentials
            .iter()
            .any(|c| matches!(c, Credential::Basic { .. }))
    {
        lines.push(basic("USER"));
    }
    for c in &target.credentials {
        // Two tokens (or passwords) sent in turn are one option: the placeholder stands for
        // whichever the reader uses.
        if let Some(line) = option_for(c, &mut vars)
            && !lines.contains(&line)
        {
            lines.push(line);
        }
    }
    let mut out = String::new();
    if lines.iter().any(|l| l.starts_with("-u ")) {
        out.push_str(
            "# replace $PASSWORD with the password, or drop ':$PASSWORD'\n\
             # and curl asks for it without showing it\n",
        );
    }
    if !vars.is_empty() {
        // One per line: a comment cannot be continued, and each line stays short.
        out.push_str("# set the secrets first (bash asks without showing them):\n");
        for v in &vars {
            out.push_str(&format!("#   read -rs {v}\n"));
        }
    }
    out.push_str(&lines.join(" \\\n  "));
    Some(out)
}

fn option_for(c: &Credential, vars: &mut Vec<String>) -> Option<String> {
    Some(match c {
        Credential::Basic { user, .. } => basic(user),
        Credential::Bearer { .. } => format!("-H \"Authorization: Bearer {}\"", var("TOKEN", vars)),
        Credential::Authorization { scheme } => {
            let v = var("WHY401_CREDENTIALS", vars);
            match scheme {
                Some(s) => format!("-H \"Authorization: {} {v}\"", dq(s)),
                None => format!("-H \"Authorization: {v}\""),
            }
        }
        Credential::Cookie { names } if names.is_empty() => {
            format!("-b \"{}\"", var("WHY401_COOKIE", vars))
        }
        Credential::Cookie { names } => {
            let pairs: Vec<String> = names
                .iter()
                .map(|n| format!("{}={}", dq(n), var(&var_name("WHY401_COOKIE", n), vars)))
                .collect();
            format!("-b \"{}\"", pairs.join("; "))
        }
        Credential::Header { name } => format!(
            "-H \"{}: {}\"",
            dq(name),
            var(&var_name("WHY401", name), vars)
        ),
        Credential::ApiKeyQuery { .. } => return None,
    })
}

/// The URL in double quotes, secret query values replaced by variables.
fn with_query_placeholders(url: &url::Url, target: &Target, vars: &mut Vec<String>) -> String {
    let key_params: Vec<&str> = target
        .credentials
        .iter()
        .filter_map(|c| match c {
            Credential::ApiKeyQuery { param } => Some(param.as_str()),
            _ => None,
        })
        .collect();
    let mut base = url.clone();
    base.set_query(None);
    base.set_fragment(None);
    let mut out = format!("\"{}", dq(base.as_str()));
    let mut first = true;
    let mut added: Vec<&str> = Vec::new();
    // Parts are kept as written (`%20` stays `%20`): only secret values are replaced.
    for part in url
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (raw_k, _) = part.split_once('=').unwrap_or((part, ""));
        let k: String = url::form_urlencoded::parse(raw_k.as_bytes())
            .next()
            .map(|(k, _)| k.into_owned())
            .unwrap_or_default();
        let is_key_param = key_params.contains(&k.as_str());
        let secret = is_key_param || SECRET_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(&k));
        out.push(if first { '?' } else { '&' });
        first = false;
        if secret {
            // The API key has the variable `why401 check` reads it from.
            let name = if is_key_param {
                "WHY401_API_KEY".to_owned()
            } else {
                var_name("WHY401_QUERY", &k)
            };
            out.push_str(&format!("{}={}", dq(raw_k), var(&name, vars)));
            if let Some(p) = key_params.iter().find(|p| **p == k) {
                added.push(p);
            }
        } else {
            out.push_str(&dq(part));
        }
    }
    for p in key_params.iter().filter(|p| !added.contains(p)) {
        out.push(if first { '?' } else { '&' });
        first = false;
        let k_enc: String = url::form_urlencoded::byte_serialize(p.as_bytes()).collect();
        out.push_str(&format!("{}={}", dq(&k_enc), var("WHY401_API_KEY", vars)));
    }
    out.push('"');
    out
}

/// `-u 'USER:$PASSWORD'`: in single quotes, so the placeholder is never expanded to an empty
/// password by a shell that has no such variable.
fn basic(user: &str) -> String {
    format!("-u '{}:$PASSWORD'", user.replace('\'', "'\\''"))
}

/// `$NAME` (`${NAME}` for the longer `WHY401_` names), remembering NAME so the command can
/// say to set it.
fn var(name: &str, vars: &mut Vec<String>) -> String {
    if !vars.iter().any(|v| v == name) {
        vars.push(name.to_owned());
    }
    if name.starts_with("WHY401_") {
        format!("${{{name}}}")
    } else {
        format!("${name}")
    }
}

/// `WHY401_X_API_KEY` from `X-API-Key`.
fn var_name(prefix: &str, name: &str) -> String {
    let tail: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("{prefix}_{tail}")
}

/// Escapes text for the inside of a double-quoted shell word.
fn dq(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str, credentials: Vec<Credential>) -> Target {
        Target {
            url: Some(url.to_owned()),
            method: Some("GET".to_owned()),
            credentials,
            ..Target::default()
        }
    }

    #[test]
    fn basic_auth_becomes_a_variable() {
        let t = target(
            "https://alice:hunter2@example.test/admin",
            vec![Credential::basic("alice")],
        );
        let c = curl(&t).unwrap_or_default();
        assert_eq!(
            c,
            "# replace $PASSWORD with the password, or drop ':$PASSWORD'\n\
             # and curl asks for it without showing it\n\
             curl -sS -i \"https://example.test/admin\" \\\n  -u 'alice:$PASSWORD'"
        );
    }

    #[test]
    fn secret_query_values_and_api_keys_are_placeholders() {
        let t = target(
            "http://127.0.0.1:8080/api?access_token=abc&page=2",
            vec![
                Credential::ApiKeyQuery { param: "k".into() },
                Credential::bearer(),
            ],
        );
        let c = curl(&t).unwrap_or_default();
        assert!(!c.contains("abc"), "{c}");
        assert!(
            c.contains("?access_token=${WHY401_QUERY_ACCESS_TOKEN}&page=2&k=${WHY401_API_KEY}"),
            "{c}"
        );
        assert!(c.contains("-H \"Authorization: Bearer $TOKEN\""), "{c}");
    }

    #[test]
    fn shell_specials_in_the_url_are_escaped() {
        let mut t = target("http://h/a$b`c", vec![]);
        t.method = Some("post".into());
        let c = curl(&t).unwrap_or_default();
        assert!(
            c.starts_with("curl -sS -i -X POST \"http://h/a\\$b%60c\""),
            "{c}"
        );
    }

    #[test]
    fn no_url_no_command() {
        assert!(curl(&Target::default()).is_none());
    }
}
