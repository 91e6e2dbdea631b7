//! Tokens to a directive tree, with `include` expanded in place (relative to the prefix, the
//! main file's directory, as nginx does), include loops and missing files reported where the
//! `include` is.

use std::path::{Path, PathBuf};

use super::Directive;
use super::lexer::{LexError, Lexer, Token};
use crate::server::source::{self, Budget};
use crate::server::{DEPTH_LIMIT, ParseError, Pos};

/// State shared by every file of one include tree.
pub struct TreeParser {
    pub prefix: PathBuf,
    pub budget: Budget,
    /// Files being parsed, outermost first: an include of one of them is a loop.
    stack: Vec<PathBuf>,
    pub files: Vec<PathBuf>,
}

impl TreeParser {
    pub fn new(prefix: PathBuf) -> Self {
        Self {
            prefix,
            budget: Budget::default(),
            stack: Vec::new(),
            files: Vec::new(),
        }
    }

    /// Reads and parses `path` (pulled in by the directive at `from`, if any).
    pub fn file(&mut self, path: &Path, from: Option<&Pos>) -> Result<Vec<Directive>, ParseError> {
        let id = source::identity(path);
        if self.stack.contains(&id) {
            let chain: Vec<String> = self
                .stack
                .iter()
                .chain(std::iter::once(&id))
                .map(|p| p.display().to_string())
                .collect();
            let pos = from.cloned().unwrap_or_else(|| Pos::new(path, 1, 1));
            return Err(ParseError::new(
                pos,
                format!("include loop: {}", chain.join(" -> ")),
            ));
        }
        if self.stack.len() >= DEPTH_LIMIT {
            let pos = from.cloned().unwrap_or_else(|| Pos::new(path, 1, 1));
            return Err(ParseError::new(
                pos,
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

    /// Parses the text of `file` (already read).
    pub fn text(&mut self, bytes: &[u8], file: &Path) -> Result<Vec<Directive>, ParseError> {
        let mut lexer = Lexer::new(bytes);
        let lex_err = |(line, col, msg): LexError| ParseError::new(Pos::new(file, line, col), msg);
        let mut fp = FileParser {
            lexer: &mut lexer,
            file,
        };
        fp.block(self, 0, None).map_err(|e| match e {
            Fail::Lex(l) => lex_err(l),
            Fail::Parse(p) => p,
        })
    }
}

enum Fail {
    Lex(LexError),
    Parse(ParseError),
}

impl From<LexError> for Fail {
    fn from(e: LexError) -> Self {
        Self::Lex(e)
    }
}
impl From<ParseError> for Fail {
    fn from(e: ParseError) -> Self {
        Self::Parse(e)
    }
}

struct FileParser<'l, 'a> {
    lexer: &'l mut Lexer<'a>,
    file: &'l Path,
}

/// The directive that opened a block: name and position, for the "never closed" message.
type Opener = (String, usize, usize);

impl FileParser<'_, '_> {
    fn pos(&self, line: usize, col: usize) -> Pos {
        Pos::new(self.file, line, col)
    }

    fn err(&self, line: usize, col: usize, msg: impl Into<String>) -> Fail {
        Fail::Parse(ParseError::new(self.pos(line, col), msg))
    }

    /// Parses directives until the `}` closing `opener` (or end of file at the top).
    fn block(
        &mut self,
        tree: &mut TreeParser,
        depth: usize,
        opener: Option<&Opener>,
    ) -> Result<Vec<Directive>, Fail> {
        let mut out = Vec::new();
        let mut words: Vec<(String, usize, usize)> = Vec::new();
        loop {
            match self.lexer.next_token()? {
                Token::Word { text, line, col } => words.push((text, line, col)),
                Token::Semi { line, col } => {
                    let Some(d) = self.directive(&mut words, None) else {
                        return Err(self.err(
                            line,
                            col,
                            "unexpected \";\": no directive name before it",
                        ));
                    };
                    Self::push(tree, &mut out, d)?;
                }
                Token::Open { line, col } => {
                    if words.is_empty() {
                        return Err(self.err(
                            line,
                            col,
                            "unexpected \"{\": no directive name before it",
                        ));
                    }
                    if depth + 1 >= DEPTH_LIMIT {
                        return Err(self.err(
                            line,
                            col,
                            format!("blocks nested deeper than {DEPTH_LIMIT} levels"),
                        ));
                    }
                    let name = words[0].0.clone();
                    let body = if name.ends_with("_by_lua_block") {
                        self.lexer.skip_lua_block(line, col)?;
                        Vec::new()
                    } else {
                        let op = (name, words[0].1, words[0].2);
                        self.block(tree, depth + 1, Some(&op))?
                    };
                    if let Some(d) = self.directive(&mut words, Some(body)) {
                        out.push(d);
                    }
                }
                Token::Close { line, col } => {
                    if let Some((name, ..)) = words.first() {
                        return Err(self.err(
                            line,
                            col,
                            format!(
                                "unexpected \"}}\": directive \"{name}\" is not terminated by \";\""
                            ),
                        ));
                    }
                    if opener.is_none() {
                        return Err(self.err(
                            line,
                            col,
                            "unexpected \"}\": no block is open here (unbalanced braces)",
                        ));
                    }
                    return Ok(out);
                }
                Token::Eof { line, col } => {
                    if let Some((name, l, c)) = words.first() {
                        return Err(self.err(line, col, format!("unexpected end of file, expecting \";\" or \"}}\" (directive \"{name}\" at {l}:{c} is not terminated)")));
                    }
                    if let Some((name, l, c)) = opener {
                        return Err(self.err(line, col, format!("unexpected end of file, expecting \"}}\" (the \"{name}\" block opened at {l}:{c} is never closed)")));
                    }
                    return Ok(out);
                }
            }
        }
    }

    fn directive(
        &self,
        words: &mut Vec<(String, usize, usize)>,
        block: Option<Vec<Directive>>,
    ) -> Option<Directive> {
        if words.is_empty() {
            return None;
        }
        let mut it = std::mem::take(words).into_iter();
        let (name, line, col) = it.next()?;
        Some(Directive {
            name,
            args: it.map(|w| w.0).collect(),
            pos: self.pos(line, col),
            block,
        })
    }

    /// Adds a simple directive, expanding `include` in place.
    fn push(tree: &mut TreeParser, out: &mut Vec<Directive>, d: Directive) -> Result<(), Fail> {
        if d.name != "include" || d.args.len() != 1 {
            out.push(d);
            return Ok(());
        }
        let pattern = &d.args[0];
        let base = tree.prefix.clone();
        for path in source::expand(pattern, &base, &d.pos)? {
            if !source::is_glob(pattern) && !path.exists() {
                return Err(Fail::Parse(ParseError::new(
                    d.pos.clone(),
                    format!("include \"{}\": no such file or directory", path.display()),
                )));
            }
            out.extend(tree.file(&path, Some(&d.pos))?);
        }
        Ok(())
    }
}
