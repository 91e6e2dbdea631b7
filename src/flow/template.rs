//! `{{name}}` placeholders in flow text and probe arguments.

/// A placeholder and its byte offset (of the `{{`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Var {
    pub name: String,
    pub offset: usize,
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
        let name = after[..close].trim();
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
        });
        let consumed = open + 2 + close + 2;
        base += consumed;
        rest = &rest[consumed..];
    }
    Ok(out)
}

/// Replaces each placeholder by `lookup(name)`; unknown names become `<name?>` so a missing
/// value shows instead of vanishing.
pub fn render(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = after[..close].trim();
        if let Some(v) = lookup(name) {
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
        let r = render(t, &|n| (n == "url").then(|| "http://x/".to_owned()));
        assert_eq!(r, "GET http://x/ gave <http.status?>");
    }

    #[test]
    fn rejects_unclosed_and_empty() {
        assert_eq!(vars("a {{b").unwrap_err().0, 2);
        assert!(vars("{{ }}").is_err());
        assert!(vars("{{a b}}").is_err());
    }
}
