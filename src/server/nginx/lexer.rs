//! The nginx tokenizer, following `ngx_conf_read_token()`: `#` starts a comment only at the
//! start of a token, quotes open a string only at the start of a token, escapes work in
//! quoted and bare tokens alike (only `\" \' \\ \t \r \n` are translated), `${` does not open
//! a block, and a closing quote must be followed by a separator.

/// One token with its 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Word {
        text: String,
        line: usize,
        col: usize,
    },
    Semi {
        line: usize,
        col: usize,
    },
    Open {
        line: usize,
        col: usize,
    },
    Close {
        line: usize,
        col: usize,
    },
    Eof {
        line: usize,
        col: usize,
    },
}

/// A lexing error: line, column, message.
pub(crate) type LexError = (usize, usize, String);

pub(crate) struct Lexer<'a> {
    src: &'a [u8],
    at: usize,
    line: usize,
    col: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a [u8]) -> Self {
        Self {
            src,
            at: 0,
            line: 1,
            col: 1,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.at).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.at += 1;
        if c == b'\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    pub(crate) fn next_token(&mut self) -> Result<Token, LexError> {
        loop {
            let (line, col) = (self.line, self.col);
            let Some(c) = self.peek() else {
                return Ok(Token::Eof { line, col });
            };
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => {
                    self.bump();
                }
                b'#' => self.skip_comment(),
                b';' => {
                    self.bump();
                    return Ok(Token::Semi { line, col });
                }
                b'{' => {
                    self.bump();
                    return Ok(Token::Open { line, col });
                }
                b'}' => {
                    self.bump();
                    return Ok(Token::Close { line, col });
                }
                b'"' | b'\'' => return self.quoted(c, line, col),
                _ => return Ok(self.bare(line, col)),
            }
        }
    }

    fn skip_comment(&mut self) {
        while let Some(c) = self.bump() {
            if c == b'\n' {
                break;
            }
        }
    }

    /// Reads one escape after a backslash (already consumed) into `out`.
    fn escape(&mut self, out: &mut Vec<u8>) {
        match self.bump() {
            Some(c @ (b'"' | b'\'' | b'\\')) => out.push(c),
            Some(b't') => out.push(b'\t'),
            Some(b'r') => out.push(b'\r'),
            Some(b'n') => out.push(b'\n'),
            Some(c) => out.extend([b'\\', c]),
            None => out.push(b'\\'),
        }
    }

    fn bare(&mut self, line: usize, col: usize) -> Token {
        let mut out = Vec::new();
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | b';' => break,
                b'{' if out.last() != Some(&b'$') => break,
                b'\\' => {
                    self.bump();
                    self.escape(&mut out);
                }
                _ => {
                    self.bump();
                    out.push(c);
                }
            }
        }
        Token::Word {
            text: String::from_utf8_lossy(&out).into_owned(),
            line,
            col,
        }
    }

    fn quoted(&mut self, quote: u8, line: usize, col: usize) -> Result<Token, LexError> {
        self.bump();
        let mut out = Vec::new();
        loop {
            match self.bump() {
                None => {
                    return Err((
                        line,
                        col,
                        format!(
                            "unterminated quoted string: the {} opened here is never closed",
                            if quote == b'"' { "\"" } else { "'" }
                        ),
                    ));
                }
                Some(b'\\') => self.escape(&mut out),
                Some(c) if c == quote => break,
                Some(c) => out.push(c),
            }
        }
        match self.peek() {
            None | Some(b' ' | b'\t' | b'\r' | b'\n' | b';' | b'{' | b')') => {}
            Some(c) => {
                return Err((
                    self.line,
                    self.col,
                    format!(
                        "unexpected \"{}\" right after a closing quote",
                        char::from(c).escape_default()
                    ),
                ));
            }
        }
        Ok(Token::Word {
            text: String::from_utf8_lossy(&out).into_owned(),
            line,
            col,
        })
    }

    /// Skips the body of a `*_by_lua_block { ... }` (its `{` already read): Lua strings,
    /// comments and long brackets may hold braces that do not count.
    pub(crate) fn skip_lua_block(&mut self, line: usize, col: usize) -> Result<Token, LexError> {
        let mut depth = 1usize;
        while let Some(c) = self.peek() {
            let (l, k) = (self.line, self.col);
            match c {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        self.bump();
                        return Ok(Token::Close { line: l, col: k });
                    }
                }
                b'"' | b'\'' => {
                    self.bump();
                    self.skip_lua_string(c);
                    continue;
                }
                b'-' if self.src.get(self.at + 1) == Some(&b'-') => {
                    self.bump();
                    self.bump();
                    if !self.skip_long_bracket() {
                        self.skip_comment();
                    }
                    continue;
                }
                b'[' if self.skip_long_bracket() => continue,
                _ => {}
            }
            self.bump();
        }
        Err((
            line,
            col,
            "unexpected end of file: this Lua block is never closed".to_owned(),
        ))
    }

    fn skip_lua_string(&mut self, quote: u8) {
        while let Some(c) = self.bump() {
            if c == b'\\' {
                self.bump();
            } else if c == quote || c == b'\n' {
                return;
            }
        }
    }

    /// Skips `[[ ... ]]` or `[==[ ... ]==]` when one starts here; false when none does.
    fn skip_long_bracket(&mut self) -> bool {
        let rest = &self.src[self.at..];
        if rest.first() != Some(&b'[') {
            return false;
        }
        let level = rest[1..].iter().take_while(|&&b| b == b'=').count();
        if rest.get(1 + level) != Some(&b'[') {
            return false;
        }
        let mut close = vec![b']'];
        close.extend(std::iter::repeat_n(b'=', level));
        close.push(b']');
        let body = &rest[2 + level..];
        let skip = match memchr::memmem::find(body, &close) {
            Some(end) => 2 + level + end + close.len(),
            None => rest.len(),
        };
        for _ in 0..skip {
            self.bump();
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Result<Vec<String>, LexError> {
        let mut lx = Lexer::new(src.as_bytes());
        let mut out = Vec::new();
        loop {
            match lx.next_token()? {
                Token::Word { text, .. } => out.push(text),
                Token::Semi { .. } => out.push(";".into()),
                Token::Open { .. } => out.push("{".into()),
                Token::Close { .. } => out.push("}".into()),
                Token::Eof { .. } => return Ok(out),
            }
        }
    }

    #[test]
    fn quoted_names_and_separators_inside_quotes() {
        let w = words("\"location\" \"/sta;\n   tus\" { \"return\" 302 '/status.html'; }").unwrap();
        assert_eq!(
            w,
            [
                "location",
                "/sta;\n   tus",
                "{",
                "return",
                "302",
                "/status.html",
                ";",
                "}"
            ]
        );
    }

    #[test]
    fn escapes_follow_nginx() {
        let w = words(r#"add_header X-Esc "a\x\;b\\c\'d"; add_header X-Unq a\"b\;c\{d;"#).unwrap();
        assert_eq!(w[2], r"a\x\;b\c'd");
        assert_eq!(w[6], r#"a"b\;c\{d"#);
    }

    #[test]
    fn quote_after_quote_is_an_error_but_inner_quotes_are_not() {
        let err = words("return 200 \"a\"b;").unwrap_err();
        assert_eq!((err.0, err.1), (1, 15));
        assert!(err.2.contains("\"b\""));
        assert_eq!(words("x inner\"-\"quote;").unwrap()[1], "inner\"-\"quote");
    }

    #[test]
    fn hash_is_a_comment_only_at_token_start() {
        let w =
            words("add_header #c1\n X-A #c2\n \"b\" #c3\n ;\nadd_header X-Hash foo#bar;").unwrap();
        assert_eq!(
            w,
            [
                "add_header",
                "X-A",
                "b",
                ";",
                "add_header",
                "X-Hash",
                "foo#bar",
                ";"
            ]
        );
    }

    #[test]
    fn dollar_brace_does_not_open_a_block_and_brace_ends_bare_tokens() {
        let w = words("try_files /abc/${uri} =404; location /foo{}").unwrap();
        assert_eq!(
            w,
            [
                "try_files",
                "/abc/${uri}",
                "=404",
                ";",
                "location",
                "/foo",
                "{",
                "}"
            ]
        );
    }

    #[test]
    fn unterminated_quote_points_at_the_quote() {
        let err = words("a;\n  b \"never").unwrap_err();
        assert_eq!((err.0, err.1), (2, 5));
    }

    #[test]
    fn lua_block_bodies_are_skipped() {
        let src = "content_by_lua_block { ngx.say(\"}\") -- a } here\n local s = [[ } ]] }\nnext;";
        let mut lx = Lexer::new(src.as_bytes());
        assert!(matches!(lx.next_token().unwrap(), Token::Word { .. }));
        let Token::Open { line, col } = lx.next_token().unwrap() else {
            panic!("open expected")
        };
        assert!(matches!(
            lx.skip_lua_block(line, col).unwrap(),
            Token::Close { line: 2, .. }
        ));
        assert!(matches!(lx.next_token().unwrap(), Token::Word { text, .. } if text == "next"));
    }
}
