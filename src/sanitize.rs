//! The one display path for text strangers wrote (HTTP answers, log lines, configs, HARs,
//! token claims): nothing in it ever reaches a terminal as a control.
//!
//! C0 controls, DEL and C1 controls become `\x1b`-style escapes; bidi controls and other
//! invisible format characters become `<U+202E>`. JSON keeps JSON escaping, with the same
//! characters written as `\u009b` so a JSON report is as safe on a terminal as text.
//! Like `less` and `lnav`, it shows the bytes and never emits them.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// Invisible characters that reorder or hide text: bidi embeddings, overrides, isolates and
/// marks (the `admnip.exe` trick), zero-width characters, line and paragraph separators, the
/// byte-order mark, interlinear annotations and the tag characters.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// C0, DEL and C1.
fn is_control(c: char) -> bool {
    matches!(c, '\0'..='\x1f' | '\x7f'..='\u{9f}')
}

/// True when `c` is never written as itself (tab and line feed aside, which callers choose).
pub(crate) fn needs_escape(c: char) -> bool {
    is_control(c) || is_invisible_format(c)
}

fn escape(c: char, out: &mut String) {
    if is_control(c) {
        let _ = write!(out, "\\x{:02x}", u32::from(c));
    } else {
        let _ = write!(out, "<U+{:04X}>", u32::from(c));
    }
}

fn sanitized(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let Some(first) = text.find(|c: char| needs_escape(c) && !keep(c)) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if needs_escape(c) && !keep(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One field on one line (a user name, a path, a header value): every control escaped, tab
/// aside, line breaks included.
pub fn line(text: &str) -> Cow<'_, str> {
    sanitized(text, |c| c == '\t')
}

/// Text of several lines: line feeds and tabs stay; a CR LF line end becomes LF, and any
/// other CR is escaped (it would let a line overwrite itself).
pub fn text(text: &str) -> Cow<'_, str> {
    if text.contains("\r\n") {
        Cow::Owned(sanitized(&text.replace("\r\n", "\n"), |c| c == '\t' || c == '\n').into_owned())
    } else {
        sanitized(text, |c| c == '\t' || c == '\n')
    }
}

/// Bytes that may not be UTF-8 (a log line): invalid bytes become `\xff`, the rest as [`line`].
pub fn bytes(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    for chunk in raw.utf8_chunks() {
        out.push_str(&line(chunk.valid()));
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// Serialised JSON with every character [`needs_escape`] names written as a JSON `\u` escape
/// (serde_json escapes C0 already; this adds DEL, C1 and the invisible format characters).
/// The document means the same; only its bytes are safe to print. Line feeds, tabs and
/// carriage returns are left alone: serde_json escapes them inside strings, so raw ones are
/// the pretty printer's whitespace.
pub fn json(serialized: &str) -> Cow<'_, str> {
    let escaped = |c: char| needs_escape(c) && !matches!(c, '\n' | '\t' | '\r');
    let Some(first) = serialized.find(escaped) else {
        return Cow::Borrowed(serialized);
    };
    let mut out = String::with_capacity(serialized.len() + 16);
    out.push_str(&serialized[..first]);
    for c in serialized[first..].chars() {
        if escaped(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{u:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Longest quoted text an error message keeps (a parser's "found X" may quote a whole file).
const QUOTE_LIMIT: usize = 24;

/// A parser's message with each quoted part cut to its first token (at most 24 characters),
/// so an error about a file never prints the file: `invalid type: string "DATABASE_URL=…"`.
pub(crate) fn short_quotes(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(256));
    let mut parts = message.split('"');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for (i, part) in parts.enumerate() {
        out.push('"');
        if i % 2 == 0 {
            let token: String = part
                .split(|c: char| c.is_whitespace() || c == '=' || c == ':')
                .next()
                .unwrap_or("")
                .chars()
                .take(QUOTE_LIMIT)
                .collect();
            out.push_str(&token);
            if token.len() < part.len() {
                out.push('…');
            }
        } else {
            out.push_str(part);
        }
    }
    line(&out).into_owned()
}

/// True when `text` holds nothing a terminal would act on (tab and line feed allowed).
pub fn is_clean(text: &str) -> bool {
    !text
        .chars()
        .any(|c| needs_escape(c) && c != '\t' && c != '\n')
}

/// Text from outside: a field a stranger wrote. It has no `Deref` to `str`: printing it goes
/// through `Display`, which sanitises, and the raw text is reached only by [`Outside::raw`],
/// for analysis.
///
/// ```
/// let user = why401::sanitize::Outside::new("bob\x1b]52;c;cHduZWQ=\x07");
/// assert_eq!(format!("user {user}"), "user bob\\x1b]52;c;cHduZWQ=\\x07");
/// ```
///
/// Used as text, it does not compile:
///
/// ```compile_fail
/// let user = why401::sanitize::Outside::new("bob");
/// let text: &str = &user;
/// ```
#[derive(
    Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Outside(String);

impl Outside {
    /// Wraps a stranger's text.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// From bytes that may not be UTF-8 (invalid bytes kept as U+FFFD for analysis).
    pub fn from_bytes(raw: &[u8]) -> Self {
        Self(String::from_utf8_lossy(raw).into_owned())
    }

    /// The text as written, for parsing and comparing; never for printing.
    pub fn raw(&self) -> &str {
        &self.0
    }

    /// The text as it may be shown on one line.
    pub fn shown(&self) -> Cow<'_, str> {
        line(&self.0)
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Text of several lines (a program's output), one line at a time, each as it may be
    /// shown (a CR LF line end taken as one break).
    pub fn lines(&self) -> impl Iterator<Item = Outside> + '_ {
        self.0.lines().map(Outside::from)
    }
}

impl fmt::Display for Outside {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&line(&self.0))
    }
}

impl fmt::Debug for Outside {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&line(&self.0), f)
    }
}

impl From<String> for Outside {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl From<&str> for Outside {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

/// A path from outside: a configuration names it (an include, a user file, a log), so its
/// bytes are a stranger's. Like [`Outside`] it has no `Deref`: `Display` shows it through the
/// sanitiser, and the path itself is reached only by [`OutsidePath::raw`], for opening it.
/// JSON gets the path as a string (bytes that are not UTF-8 as U+FFFD).
///
/// `path.display()`, the usual way to print a path, does not compile:
///
/// ```compile_fail
/// let file = why401::sanitize::OutsidePath::new("/srv/users");
/// println!("{}", file.display());
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutsidePath(std::path::PathBuf);

impl OutsidePath {
    /// Wraps a path a stranger named.
    pub fn new(path: impl Into<std::path::PathBuf>) -> Self {
        Self(path.into())
    }

    /// The path as named, for opening and comparing; never for printing.
    pub fn raw(&self) -> &std::path::Path {
        &self.0
    }

    /// The path as it may be shown on one line.
    pub fn shown(&self) -> String {
        line(&self.0.to_string_lossy()).into_owned()
    }
}

impl fmt::Display for OutsidePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.shown())
    }
}

impl fmt::Debug for OutsidePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.shown(), f)
    }
}

impl serde::Serialize for OutsidePath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string_lossy())
    }
}

impl From<std::path::PathBuf> for OutsidePath {
    fn from(path: std::path::PathBuf) -> Self {
        Self(path)
    }
}

impl From<&std::path::Path> for OutsidePath {
    fn from(path: &std::path::Path) -> Self {
        Self(path.to_path_buf())
    }
}

impl PartialEq<std::path::Path> for OutsidePath {
    fn eq(&self, other: &std::path::Path) -> bool {
        self.0 == other
    }
}

/// A JSON object from outside: a token's header or claims. No `Deref` either: `Display` is
/// the compact JSON through the sanitiser, [`OutsideJson::shown`] one member as it may be
/// printed, and the members themselves are reached only by [`OutsideJson::raw`], for the
/// checks. Serialised as the object it is (JSON escaping; [`json`] at the output).
///
/// Printing a claim the way a map allows does not compile:
///
/// ```compile_fail
/// let claims = why401::sanitize::OutsideJson::default();
/// println!("{}", claims["sub"]);
/// ```
#[derive(Clone, Default, PartialEq, serde::Serialize)]
#[serde(transparent)]
pub struct OutsideJson(serde_json::Map<String, serde_json::Value>);

/// Longest member value [`OutsideJson::shown`] keeps on one line.
const MEMBER_WIDTH: usize = 100;

impl OutsideJson {
    /// Wraps a stranger's object.
    pub fn new(map: serde_json::Map<String, serde_json::Value>) -> Self {
        Self(map)
    }

    /// The object as written, for checks; never for printing.
    pub fn raw(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.0
    }

    /// A member that is a string, for checks; never for printing.
    pub fn raw_str(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(serde_json::Value::as_str)
    }

    /// True when the object has the member.
    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// Member names and values as they may be printed on one line: a list of strings joined
    /// by commas, other values as JSON, line breaks as spaces, cut to 100 characters.
    pub fn members(&self) -> impl Iterator<Item = (Outside, Outside)> + '_ {
        self.0
            .iter()
            .map(|(k, v)| (Outside::new(k.as_str()), shown_value(v)))
    }

    /// One member's value as it may be printed on one line (see [`OutsideJson::members`]).
    pub fn shown(&self, name: &str) -> Option<Outside> {
        self.0.get(name).map(shown_value)
    }
}

fn shown_value(v: &serde_json::Value) -> Outside {
    use serde_json::Value;
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Array(a) if a.iter().all(Value::is_string) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    let one_line = text.replace(['\n', '\r'], " ");
    let count = one_line.chars().count();
    Outside::new(if count > MEMBER_WIDTH {
        let cut: String = one_line.chars().take(MEMBER_WIDTH).collect();
        format!("{cut}… ({count} chars)")
    } else {
        one_line
    })
}

impl fmt::Display for OutsideJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let compact = serde_json::to_string(&self.0).unwrap_or_default();
        f.write_str(&json(&compact))
    }
}

impl fmt::Debug for OutsideJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The payloads a stranger plants: clipboard write (OSC 52), window title (OSC 0), clear
    /// screen (CSI 2J), the one-byte C1 CSI and OSC, and a right-to-left override.
    pub(crate) const PAYLOADS: &[&str] = &[
        "\x1b]52;c;ZWNobyBwd25lZA==\x07",
        "\x1b]0;pwned\x07",
        "\x1b[2J",
        "\u{9b}2J",
        "\u{9d}0;t\u{9c}",
        "adm\u{202E}exe.nip",
    ];

    #[test]
    fn controls_become_visible_escapes() {
        assert_eq!(line("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
        assert_eq!(line("\u{9b}2J\x7f"), "\\x9b2J\\x7f");
        assert_eq!(line("adm\u{202E}exe.nip"), "adm<U+202E>exe.nip");
        assert_eq!(line("a\nb\rc\td"), "a\\x0ab\\x0dc\td");
        assert_eq!(text("a\r\nb\rc\n"), "a\nb\\x0dc\n");
        assert_eq!(bytes(b"ok\xff\x1b"), "ok\\xff\\x1b");
        assert!(matches!(line("plain: ünïcode ✓"), Cow::Borrowed(_)));
        for p in PAYLOADS {
            assert!(is_clean(&line(p)), "{p:?}");
            assert!(!line(p).contains('\x1b'));
        }
    }

    #[test]
    fn json_stays_json_and_safe() {
        let raw = "x\u{9b}2J\u{202E}\u{E0041}\x7f\x1b";
        let s =
            serde_json::to_string_pretty(&serde_json::json!({ "user": raw })).unwrap_or_default();
        let safe = json(&s);
        assert!(safe.contains("{\n  \"user\""), "{safe}");
        assert!(is_clean(&safe), "{safe}");
        assert!(safe.is_ascii(), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap_or_default();
        assert_eq!(back["user"], raw);
    }

    #[test]
    fn error_quotes_keep_the_first_token_only() {
        let m = short_quotes(
            "invalid type: string \"DATABASE_URL=postgres://app:pw@db/x\\nSECRET=1\", expected a map",
        );
        assert_eq!(m, "invalid type: string \"DATABASE_URL…\", expected a map");
        assert_eq!(short_quotes("unknown field `x`"), "unknown field `x`");
    }

    #[test]
    fn outside_text_prints_sanitised_only() {
        let o = Outside::new("bob\x1b]52;c;eA==\x07");
        assert_eq!(o.to_string(), "bob\\x1b]52;c;eA==\\x07");
        assert_eq!(format!("{o:?}"), "\"bob\\\\x1b]52;c;eA==\\\\x07\"");
        assert_eq!(o.raw(), "bob\x1b]52;c;eA==\x07");
        assert_eq!(format!("[{:>5}]", Outside::new("a")), "[    a]");
        let lines: Vec<String> = Outside::new("a\x1b[2J\r\nb")
            .lines()
            .map(|l| l.to_string())
            .collect();
        assert_eq!(lines, ["a\\x1b[2J", "b"]);
    }

    #[test]
    fn outside_paths_and_objects_print_sanitised_only() {
        let p = OutsidePath::new("/srv/\x1b]0;t\x07/.htpasswd");
        assert_eq!(p.to_string(), "/srv/\\x1b]0;t\\x07/.htpasswd");
        assert_eq!(format!("{p:?}"), "\"/srv/\\\\x1b]0;t\\\\x07/.htpasswd\"");
        assert_eq!(p.raw(), std::path::Path::new("/srv/\x1b]0;t\x07/.htpasswd"));
        assert_eq!(
            serde_json::to_value(&p).unwrap_or_default(),
            "/srv/\x1b]0;t\x07/.htpasswd"
        );
        let mut m = serde_json::Map::new();
        m.insert("sub".into(), "adm\u{202E}exe.nip\u{9b}2J".into());
        m.insert("aud".into(), serde_json::json!(["a\x1b[2J", "b"]));
        let o = OutsideJson::new(m);
        assert!(
            is_clean(&o.to_string()) && is_clean(&format!("{o:?}")),
            "{o}"
        );
        assert_eq!(
            o.shown("sub").map(|s| s.to_string()),
            Some("adm<U+202E>exe.nip\\x9b2J".to_owned())
        );
        assert_eq!(
            o.shown("aud").map(|s| s.to_string()),
            Some("a\\x1b[2J, b".to_owned())
        );
        assert_eq!(o.raw_str("sub"), Some("adm\u{202E}exe.nip\u{9b}2J"));
        let back = serde_json::to_value(&o).unwrap_or_default();
        assert_eq!(back["aud"][0], "a\x1b[2J");
    }
}
