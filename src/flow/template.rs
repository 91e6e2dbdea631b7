//! `{{name}}` placeholders in flow text and probe arguments. `{{name|text}}` reads `text`
//! when `name` has no value on this walk (e.g. `{{nginx.user_file|/etc/nginx/.htpasswd}}`:
//! the file the check found, else the usual one).

/// A placeholder and its byte offset (of the `{{`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Var {
    pub name: String,
    pub offset: usize,
    /// The text after `|`, shown when the name has no value.
    pub fallback: Option<String>,
}

/// `name` and the fallback of the inside of a `{{...}}`.
fn split(inside: &str) -> (&str, Option<&str>) {
    match inside.split_once('|') {
        Some((name, fallback)) => (name.trim(), Some(fallback.trim())),
        None => (inside.trim(), None),
    }
}

/// The placeholders of `text`, or the offset of an unclosed `{{` or an empty name.
pub(crate) fn vars(text: &str) -> Result<Vec<Var>, (usize, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut base = 0;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            return Err((base + open, "'{{' is never closed with '}}'".into()));
        };
        let (name, fallback) = split(&after[..close]);
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return Err((
                base + open,
                format!(
                    "'{{{{{}}}}}' is not a valid placeholder name",
                    &after[..close]
                ),
            ));
        }
        out.push(Var {
            name: name.to_owned(),
            offset: base + open,
            fallback: fallback.map(str::to_owned),
        });
        let consumed = open + 2 + close + 2;
        base += consumed;
        rest = &rest[consumed..];
    }
    Ok(out)
}

/// Replaces each placeholder by `lookup(name)`; a name it does not know, or whose value is
/// empty (a list with nothing in it), reads its `|fallback`,
/// else `missing(name)`, else `<name?>` so a missing value shows instead of vanishing.
pub fn render(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    missing: &dyn Fn(&str) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        let (name, fallback) = split(&after[..close]);
        if let Some(v) = lookup(name)
            .filter(|v| !v.is_empty() || fallback.is_none())
            .or_else(|| fallback.map(str::to_owned))
            .or_else(|| missing(name))
        {
            out.push_str(&v);
        } else {
            out.push('<');
            out.push_str(name);
            out.push_str("?>");
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_renders_placeholders() {
        let t = "GET {{url}} gave {{ http.status }}";
        let v = vars(t).unwrap();
        assert_eq!(
            v.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
            ["url", "http.status"]
        );
        assert_eq!(v[1].offset, 17);
        let r = render(
            t,
            &|n| (n == "url").then(|| "http://x/".to_owned()),
            &|_| None,
        );
        assert_eq!(r, "GET http://x/ gave <http.status?>");
    }

    #[test]
    fn a_fallback_shows_only_when_the_name_has_no_value() {
        let t = "htpasswd {{ nginx.user_file | /etc/nginx/.htpasswd }} {{user|USER}}";
        let v = vars(t).unwrap();
        assert_eq!(v[0].name, "nginx.user_file");
        assert_eq!(v[0].fallback.as_deref(), Some("/etc/nginx/.htpasswd"));
        assert_eq!(v[1].fallback.as_deref(), Some("USER"));
        let known = render(t, &|n| (n == "user").then(|| "alice".to_owned()), &|_| None);
        assert_eq!(known, "htpasswd /etc/nginx/.htpasswd alice");
        assert!(vars("{{|x}}").is_err());
    }

    #[test]
    fn rejects_unclosed_and_empty() {
        assert_eq!(vars("a {{b").unwrap_err().0, 2);
        assert!(vars("{{ }}").is_err());
        assert!(vars("{{a b}}").is_err());
    }
}
