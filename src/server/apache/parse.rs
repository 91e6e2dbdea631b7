//! Apache configuration syntax: one directive per line (a trailing `\` continues it), `#`
//! comments at the start of a line, `<Section args>` ... `</Section>` blocks, arguments split
//! on whitespace with `"..."` or `'...'` quoting, and `Include`/`IncludeOptional` expanded in
//! place relative to ServerRoot.

use std::path::{Path, PathBuf};

use crate::server::source::{self, Budget};
use crate::server::{DEPTH_LIMIT, Directive, ParseError, Pos};

/// State shared by every file of one include tree.
pub struct TreeParser {
    pub server_root: PathBuf,
    pub budget: Budget,
    stack: Vec<PathBuf>,
    pub files: Vec<PathBuf>,
    /// Names defined so far: `-D` from the command line, then `Define` in file order.
    pub defines: Vec<String>,
    /// Conditional sections whose body Apache does not read.
    pub skipped: Vec<Skipped>,
}

/// A conditional section Apache skips, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    pub at: Pos,
    pub section: String,
    pub reason: String,
}

/// An open section: its directive (without body yet), the body collected so far, and
/// whether Apache reads it (false inside a conditional section that does not hold).
struct Frame {
    open: Directive,
    body: Vec<Directive>,
    live: bool,
}

impl TreeParser {
    pub fn new(server_root: PathBuf) -> Self {
        Self {
            server_root,
            budget: Budget::default(),
            stack: Vec::new(),
            files: Vec::new(),
            defines: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// Whether a conditional section holds, as Apache decides it while reading (in file
    /// order): `<IfDefine>` from `-D` and earlier `Define`s; modules are taken as loaded;
    /// other conditions as true. Records a section that does not hold.
    fn holds(&mut self, open: &Directive) -> bool {
        let arg = open.arg(0).unwrap_or_default();
        let (negated, name) = match arg.strip_prefix('!') {
            Some(n) => (true, n),
            None => (false, arg),
        };
        let (value, why) = if open.name.eq_ignore_ascii_case("IfDefine") {
            let defined = self.defines.iter().any(|d| d == name);
            (
                defined,
                format!(
                    "\"{name}\" is {}defined (give --define {name} if apache2 starts with -D {name})",
                    if defined { "" } else { "not " }
                ),
            )
        } else if open.name.eq_ignore_ascii_case("IfModule") {
            (true, "modules are taken as loaded".to_owned())
        } else if CONDITIONAL
            .iter()
            .any(|c| open.name.eq_ignore_ascii_case(c))
        {
            (true, "taken as true".to_owned())
        } else {
            return true;
        };
        let holds = value != negated;
        if !holds {
            self.skipped.push(Skipped {
                at: open.pos.clone(),
                section: format!("<{}>", open.head()),
                reason: why,
            });
        }
        holds
    }

    /// `Define NAME` / `UnDefine NAME`, in effect from here on.
    fn define(&mut self, d: &Directive) {
        let Some(name) = d.arg(0) else { return };
        if d.name.eq_ignore_ascii_case("Define") {
            self.defines.push(name.to_owned());
        } else if d.name.eq_ignore_ascii_case("UnDefine") {
            self.defines.retain(|x| x != name);
        }
    }

    pub fn file(&mut self, path: &Path, from: Option<&Pos>) -> Result<Vec<Directive>, ParseError> {
        let id = source::identity(path);
        let here = || from.cloned().unwrap_or_else(|| Pos::new(path, 1, 1));
        if self.stack.contains(&id) {
            let chain: Vec<String> = self
                .stack
                .iter()
                .chain([&id])
                .map(|p| p.display().to_string())
                .collect();
            return Err(ParseError::new(
                here(),
                format!("include loop: {}", chain.join(" -> ")),
            ));
        }
        if self.stack.len() >= DEPTH_LIMIT {
            return Err(ParseError::new(
                here(),
                format!("includes nested deeper than {DEPTH_LIMIT} levels"),
            ));
        }
        let bytes = source::read(path, from, &mut self.budget)?;
        self.files.push(path.to_path_buf());
        self.stack.push(id);
        let out = self.text(&bytes, path);
        self.stack.pop();
        out
    }

    pub fn text(&mut self, bytes: &[u8], file: &Path) -> Result<Vec<Directive>, ParseError> {
        let text = String::from_utf8_lossy(bytes);
        let mut stack: Vec<Frame> = Vec::new();
        let mut top: Vec<Directive> = Vec::new();
        let mut lines = text.split('\n').enumerate();
        while let Some((i, first)) = lines.next() {
            let mut line = first.trim_end_matches('\r').to_owned();
            let number = i + 1;
            while line.ends_with('\\') {
                line.pop();
                match lines.next() {
                    Some((_, next)) => line.push_str(next.trim_end_matches('\r')),
                    None => break,
                }
            }
            let indent = line.len() - line.trim_start().len();
            let body = line.trim();
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            let pos = Pos::new(file, number, indent + 1);
            let reading = stack.last().is_none_or(|f| f.live);
            let out = match stack.last_mut() {
                Some(f) => &mut f.body,
                None => &mut top,
            };
            if let Some(close) = body.strip_prefix("</") {
                close_section(close, &pos, &mut stack, &mut top)?;
            } else if let Some(open) = body.strip_prefix('<') {
                if stack.len() >= DEPTH_LIMIT {
                    return Err(ParseError::new(
                        pos,
                        format!("sections nested deeper than {DEPTH_LIMIT} levels"),
                    ));
                }
                let Some(inner) = open.trim_end().strip_suffix('>') else {
                    return Err(ParseError::new(
                        pos,
                        format!("<{open} is missing its closing '>'"),
                    ));
                };
                let mut words = split_args(inner, &pos)?;
                if words.is_empty() {
                    return Err(ParseError::new(pos, "empty section name '<>'"));
                }
                let name = words.remove(0);
                let open = Directive {
                    name,
                    args: words,
                    pos,
                    block: None,
                };
                // False sections are skipped unread, but their nesting must balance.
                let holds = reading && self.holds(&open);
                stack.push(Frame {
                    open,
                    body: Vec::new(),
                    live: holds,
                });
            } else if reading {
                let mut words = split_args(body, &pos)?;
                let name = words.remove(0);
                let d = Directive {
                    name,
                    args: words,
                    pos,
                    block: None,
                };
                self.define(&d);
                self.push(d, out)?;
            }
        }
        if let Some(Frame { open, .. }) = stack.last() {
            let (line, col) = source::line_col(bytes, bytes.len());
            return Err(ParseError::new(
                Pos::new(file, line, col),
                format!(
                    "unexpected end of file: <{}> opened at {}:{} is never closed",
                    open.head(),
                    open.pos.line,
                    open.pos.col
                ),
            ));
        }
        Ok(top)
    }

    fn push(&mut self, d: Directive, out: &mut Vec<Directive>) -> Result<(), ParseError> {
        let name = d.name.to_ascii_lowercase();
        if !(name == "include" || name == "includeoptional") || d.args.len() != 1 {
            out.push(d);
            return Ok(());
        }
        let optional = name == "includeoptional";
        let pattern = &d.args[0];
        let paths = source::expand(pattern, &self.server_root.clone(), &d.pos)?;
        for path in paths {
            if path.is_dir() {
                for p in dir_files(&path, &d.pos)? {
                    out.extend(self.file(&p, Some(&d.pos))?);
                }
                continue;
            }
            if !path.exists() {
                if optional {
                    continue;
                }
                return Err(ParseError::new(
                    d.pos.clone(),
                    format!("Include \"{}\": no such file or directory", path.display()),
                ));
            }
            out.extend(self.file(&path, Some(&d.pos))?);
        }
        Ok(())
    }
}

/// Every file under a directory, hidden ones and subdirectories included, each level sorted
/// by name: what `Include DIR` reads (`ap_dir_nofnmatch()`).
fn dir_files(dir: &Path, at: &Pos) -> Result<Vec<PathBuf>, ParseError> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> std::io::Result<()> {
        if depth > DEPTH_LIMIT || out.len() > crate::server::INCLUDE_LIMIT {
            return Ok(());
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out, depth + 1)?;
            } else {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, &mut out, 0).map_err(|e| {
        ParseError::new(
            at.clone(),
            format!("Include \"{}\": {}", dir.display(), source::io_reason(&e)),
        )
    })?;
    Ok(out)
}

/// Sections that only test the build or the command line.
const CONDITIONAL: &[&str] = &[
    "IfModule",
    "IfDefine",
    "IfVersion",
    "IfFile",
    "IfDirective",
    "IfSection",
];

fn close_section(
    close: &str,
    pos: &Pos,
    stack: &mut Vec<Frame>,
    top: &mut Vec<Directive>,
) -> Result<(), ParseError> {
    let name = close.trim_end().trim_end_matches('>').trim();
    let Some(Frame {
        mut open,
        body,
        live,
    }) = stack.pop()
    else {
        return Err(ParseError::new(
            pos.clone(),
            format!("</{name}> without matching <{name}> section"),
        ));
    };
    if !open.name.eq_ignore_ascii_case(name) {
        return Err(ParseError::new(
            pos.clone(),
            format!(
                "</{name}> closes <{}> opened at {}:{}",
                open.name, open.pos.line, open.pos.col
            ),
        ));
    }
    if !live {
        // Skipped unread, as Apache does; recorded in `skipped` when it was opened.
        return Ok(());
    }
    let parent = match stack.last_mut() {
        Some(f) => &mut f.body,
        None => top,
    };
    if CONDITIONAL
        .iter()
        .any(|c| open.name.eq_ignore_ascii_case(c))
    {
        // A condition that holds: its body applies as if written in place.
        parent.extend(body);
        return Ok(());
    }
    open.block = Some(body);
    parent.push(open);
    Ok(())
}

/// Splits a directive line into words like `ap_getword_conf()`.
pub(crate) fn split_args(line: &str, pos: &Pos) -> Result<Vec<String>, ParseError> {
    let mut out = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut word = String::new();
        if c == '"' || c == '\'' {
            chars.next();
            let mut closed = false;
            while let Some((_, ch)) = chars.next() {
                if ch == '\\' && chars.peek().is_some_and(|&(_, n)| n == c || n == '\\') {
                    word.extend(chars.next().map(|(_, n)| n));
                } else if ch == c {
                    closed = true;
                    break;
                } else {
                    word.push(ch);
                }
            }
            if !closed {
                let col = pos.col + start;
                return Err(ParseError::new(
                    Pos::new(pos.file.raw(), pos.line, col),
                    "unterminated quoted string",
                ));
            }
        } else {
            while let Some(&(_, ch)) = chars.peek() {
                if ch.is_whitespace() {
                    break;
                }
                word.push(ch);
                chars.next();
            }
        }
        out.push(word);
    }
    Ok(out)
}
