//! Reads `log_format` and `access_log` directives from an nginx configuration, so the access
//! log is parsed with the layout the server really writes.

use std::path::Path;

use anyhow::{Context, bail};

use super::LineFormat;
use crate::logscan::scan::AccessFormat;

/// Splits config text into words and `;`, honouring quotes and `#` comments.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '\'' | '"' => {
                let mut s = String::new();
                while let Some(d) = chars.next() {
                    if d == '\\' {
                        if let Some(e) = chars.next() {
                            s.push(e);
                        }
                    } else if d == c {
                        break;
                    } else {
                        s.push(d);
                    }
                }
                out.push(format!("\u{1}{s}"));
            }
            ';' | '{' | '}' => out.push(c.to_string()),
            c if c.is_whitespace() => {}
            c => {
                let mut s = c.to_string();
                while let Some(&d) = chars.peek() {
                    if d.is_whitespace() || matches!(d, ';' | '{' | '}') {
                        break;
                    }
                    s.push(d);
                    chars.next();
                }
                out.push(s);
            }
        }
    }
    out
}

fn unquote(t: &str) -> &str {
    t.strip_prefix('\u{1}').unwrap_or(t)
}

/// Every statement as its words.
fn statements(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for t in tokens(text) {
        match t.as_str() {
            ";" | "{" | "}" => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(t),
        }
    }
    out
}

/// The access-log format the configuration uses for `log_file` (matched by file name), or
/// its only custom one.
pub(crate) fn format_from_conf(
    conf: &Path,
    log_file: Option<&Path>,
) -> anyhow::Result<AccessFormat> {
    // A config is small; /dev/zero or a FIFO given by mistake is refused, never read forever.
    let text = crate::input_file::read_bounded_text(conf, 16 * 1024 * 1024)
        .context("reading the nginx configuration")?;
    let stmts = statements(&text);
    let mut formats: Vec<(String, bool, String)> = Vec::new();
    let mut used: Vec<(String, String)> = Vec::new();
    for s in &stmts {
        match s.first().map(String::as_str) {
            Some("log_format") if s.len() >= 3 => {
                let name = unquote(&s[1]).to_owned();
                let mut rest = &s[2..];
                let json = rest.first().is_some_and(|a| a.starts_with("escape=json"));
                if rest.first().is_some_and(|a| a.starts_with("escape=")) {
                    rest = &rest[1..];
                }
                let body: String = rest.iter().map(|p| unquote(p)).collect();
                formats.push((name, json, body));
            }
            Some("access_log") if s.len() >= 2 => {
                let name = s.get(2).map_or("combined", |n| unquote(n)).to_owned();
                used.push((unquote(&s[1]).to_owned(), name));
            }
            _ => {}
        }
    }
    let wanted = log_file
        .and_then(|f| f.file_name())
        .and_then(|f| f.to_str())
        .and_then(|f| {
            used.iter()
                .find(|(path, _)| Path::new(path).file_name().and_then(|n| n.to_str()) == Some(f))
        })
        .map(|(_, name)| name.clone());
    let chosen = match wanted {
        Some(name) if name == "combined" => return Ok(AccessFormat::Combined),
        Some(name) => formats
            .iter()
            .find(|(n, _, _)| *n == name)
            .with_context(|| {
                format!(
                    "{}: access_log uses format '{name}', which no log_format defines",
                    conf.display()
                )
            })?,
        None => match formats.as_slice() {
            [] => return Ok(AccessFormat::Combined),
            [only] => only,
            _ => bail!(
                "{}: several log_format definitions ({}); name the log file as an access_log path or pass --format",
                conf.display(),
                formats
                    .iter()
                    .map(|f| f.0.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    };
    let (name, json, body) = chosen;
    if *json || body.trim_start().starts_with('{') {
        return Ok(AccessFormat::Json);
    }
    let f = LineFormat::compile(body)
        .with_context(|| format!("{}: log_format {name}", conf.display()))?;
    Ok(if f.is_combined() {
        AccessFormat::Combined
    } else {
        AccessFormat::Custom(std::sync::Arc::new(f))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_of_the_named_log_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("nginx.conf");
        std::fs::write(
            &conf,
            "http {\n  # log_format ignored '$nothing';\n  log_format main '$remote_addr [$time_local] '\n      '\"$request\" $status';\n  log_format js escape=json '{\"status\":\"$status\"}';\n  access_log /var/log/nginx/access.log main;\n  access_log /var/log/nginx/api.log js;\n}\n",
        )
        .unwrap();
        match format_from_conf(&conf, Some(Path::new("/x/access.log"))).unwrap() {
            AccessFormat::Custom(f) => {
                assert_eq!(f.source, "$remote_addr [$time_local] \"$request\" $status");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            format_from_conf(&conf, Some(Path::new("api.log"))).unwrap(),
            AccessFormat::Json
        ));
        assert!(format_from_conf(&conf, None).is_err());
    }
}
