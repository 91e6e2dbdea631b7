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
}

/// An open section: its directive (without body yet) and the body collected so far.
type Frame = (Directive, Vec<Directive>);

impl TreeParser {
    pub fn new(server_root: PathBuf) -> Self {
        Self {
            server_root,
            budget: Budget::default(),
            stack: Vec::new(),
            files: Vec::new(),
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
            let out = match stack.last_mut() {
                Some((_, b)) => b,
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
                stack.push((
                    Directive {
                        name,
                        args: words,
                        pos,
                        block: None,
                    },
                    Vec::new(),
                ));
            } else {
                let mut words = split_args(body, &pos)?;
                let name = words.remove(0);
                let d = Directive {
                    name,
                    args: words,
                    pos,
                    block: None,
                };
                self.push(d, out)?;
            }
        }
        if let Some((open, _)) = stack.last() {
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
                let inner = format!("{}/*", path.display());
                for p in source::expand(&inner, Path::new("/"), &d.pos)? {
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
    let Some((mut open, body)) = stack.pop() else {
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
    let parent = match stack.last_mut() {
        Some((_, b)) => b,
        None => top,
    };
    if CONDITIONAL
        .iter()
        .any(|c| open.name.eq_ignore_ascii_case(c))
    {
        // Modules and defines are taken as present: a positive condition's body applies
        // as if written in place; a negated one's does not.
        if !open.args.first().is_some_and(|a| a.starts_with('!')) {
            parent.extend(body);
        }
        return Ok(());
    }
    open.block = Some(body);
    parent.push(open);
    Ok(())
}

/// Splits a directive line into words like `ap_getword_conf()`.
pub fn split_args(line: &str, pos: &Pos) -> Result<Vec<String>, ParseError> {
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
                    Pos::new(&pos.file, pos.line, col),
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
