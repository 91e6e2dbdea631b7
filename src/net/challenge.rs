//! RFC 9110 §11 challenge parsing for WWW-Authenticate and Proxy-Authenticate: a pure function,
//! shared by the probes, the HAR reader and the wizard. It never fails: anything it cannot read
//! becomes a problem line and parsing resumes at the next list element.

use serde::Serialize;

/// At most this many challenges or parameters are kept, so a hostile header cannot grow memory
/// beyond a small multiple of its own size.
const MAX_ITEMS: usize = 256;

/// One challenge: `scheme [ token68 / #auth-param ]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Challenge {
    /// The scheme as sent (compare with [`Challenge::is`]).
    pub scheme: String,
    /// Parameters in order; names lower-cased, values unquoted and unescaped.
    pub params: Vec<(String, String)>,
    pub token68: Option<String>,
    /// Why the challenge is invalid, when it is (a parameter given twice, RFC 9110 §11.2):
    /// clients then disagree on what it asks for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalid: Option<String>,
}

impl Challenge {
    /// The scheme, lower-case.
    pub(crate) fn scheme_lower(&self) -> String {
        self.scheme.to_ascii_lowercase()
    }

    /// True when the scheme is `name`, ignoring case.
    pub fn is(&self, name: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(name)
    }

    /// The first value of parameter `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Every challenge found in a set of field values, and what was wrong with them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChallengeList {
    pub challenges: Vec<Challenge>,
    /// Syntax and semantics problems, one line each, naming the field line and column.
    pub problems: Vec<String>,
}

impl ChallengeList {
    /// The first challenge whose scheme is `name`.
    pub fn find(&self, name: &str) -> Option<&Challenge> {
        self.challenges.iter().find(|c| c.is(name))
    }

    /// Every scheme, lower-case, in order, without repeats.
    pub fn schemes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in &self.challenges {
            let s = c.scheme_lower();
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    }
}

/// A field value's bytes as text: UTF-8 when they are, else ISO-8859-1, which is how browsers
/// read obs-text in a realm (RFC 9110 §5.5; Chromium decodes the realm as Latin-1), so a byte
/// like 0xE9 shows as 'é' instead of a replacement character.
pub fn field_value(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Parses the field lines of one header (several lines combine as one list, RFC 9110 §5.3).
pub fn parse(values: &[&str]) -> ChallengeList {
    let mut out = ChallengeList::default();
    for (line, value) in values.iter().enumerate() {
        // obs-fold and stray line breaks read as a space (RFC 9112 §5.2).
        let value: String = value
            .chars()
            .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
            .collect();
        if value.trim().is_empty() {
            out.problems
                .push(format!("field line {}: empty value", line + 1));
            continue;
        }
        Cursor::new(&value, line + 1, &mut out).field();
    }
    for c in &out.challenges {
        check_scheme(c, &mut out.problems);
    }
    out.problems.truncate(MAX_ITEMS);
    out
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_token68_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)
}

struct Cursor<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    line: usize,
    out: &'a mut ChallengeList,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str, line: usize, out: &'a mut ChallengeList) -> Self {
        Self {
            s: text.as_bytes(),
            text,
            pos: 0,
            line,
            out,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn skip_ows(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn token(&mut self) -> Option<&'a str> {
        let start = self.pos;
        while self.peek().is_some_and(is_tchar) {
            self.pos += 1;
        }
        (self.pos > start).then(|| &self.text[start..self.pos])
    }

    fn problem(&mut self, what: &str) {
        let found = match self.text[self.pos.min(self.text.len())..].chars().next() {
            Some(c) => format!("found {c:?}"),
            None => "found the end".to_owned(),
        };
        let msg = format!(
            "field line {}, column {}: {what}, {found}",
            self.line,
            self.pos + 1
        );
        self.out.problems.push(msg);
    }

    /// Skips to just past the next comma, to resume after garbage.
    fn recover(&mut self) {
        while let Some(b) = self.peek() {
            self.pos += 1;
            if b == b',' {
                return;
            }
        }
    }

    /// The whole field value: `#challenge`, empty elements allowed.
    fn field(&mut self) {
        loop {
            while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
                self.pos += 1;
            }
            if self.peek().is_none() {
                return;
            }
            let Some(scheme) = self.token() else {
                self.problem("expected an auth-scheme");
                self.recover();
                continue;
            };
            let mut challenge = Challenge {
                scheme: scheme.to_owned(),
                params: Vec::new(),
                token68: None,
                invalid: None,
            };
            let spaces = self.skip_ows();
            if spaces > 0 && self.peek() == Some(b',') && self.param_follows() {
                // `Basic , realm="x"`: an empty element opens the parameter list (§5.6.1.2).
                while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
                    self.pos += 1;
                }
                self.body(&mut challenge);
            } else if spaces > 0 && !matches!(self.peek(), None | Some(b',')) {
                self.body(&mut challenge);
            } else if spaces == 0 && !matches!(self.peek(), None | Some(b',')) {
                self.problem(&format!("expected a space after the scheme '{scheme}'"));
                self.recover();
            }
            if self.out.challenges.len() < MAX_ITEMS {
                self.out.challenges.push(challenge);
            }
        }
    }

    /// After `scheme 1*SP`: a token68 or a list of auth-params. Stops before the comma that
    /// starts the next challenge.
    fn body(&mut self, challenge: &mut Challenge) {
        if let Some(t68) = self.try_token68() {
            challenge.token68 = Some(t68);
            return;
        }
        loop {
            self.param(challenge);
            self.skip_ows();
            if self.peek().is_some_and(|b| b != b',') {
                self.problem("expected ',' between parameters");
                self.skip_to_comma();
            }
            if self.peek().is_none() {
                return;
            }
            // A comma ends this param; what follows is a param (`name =`) or a new
            // challenge (`scheme` then space, comma or end): look ahead to decide.
            let save = self.pos;
            let next_is_param = self.param_follows();
            self.pos = save + 1;
            if !next_is_param {
                return;
            }
            while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
                self.pos += 1;
            }
        }
    }

    /// Whether, past commas and whitespace, `name =` comes next: a parameter rather than the
    /// next challenge. Leaves the position where it was.
    fn param_follows(&mut self) -> bool {
        let save = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.pos += 1;
        }
        let found = self.token().is_some() && {
            self.skip_ows();
            self.peek() == Some(b'=')
        };
        self.pos = save;
        found
    }

    /// A token68 is taken only when it runs to the end of the element.
    fn try_token68(&mut self) -> Option<String> {
        let start = self.pos;
        while self.peek().is_some_and(is_token68_char) {
            self.pos += 1;
        }
        let body_end = self.pos;
        while self.peek() == Some(b'=') {
            self.pos += 1;
        }
        let end = self.pos;
        self.skip_ows();
        if body_end > start && matches!(self.peek(), None | Some(b',')) {
            return Some(self.text[start..end].to_owned());
        }
        self.pos = start;
        None
    }

    fn param(&mut self, challenge: &mut Challenge) {
        let Some(name) = self.token() else {
            self.problem("expected a parameter name");
            self.skip_to_comma();
            return;
        };
        self.skip_ows();
        if self.peek() != Some(b'=') {
            self.problem(&format!("expected '=' after parameter '{name}'"));
            self.skip_to_comma();
            return;
        }
        self.pos += 1;
        self.skip_ows();
        let value = if self.peek() == Some(b'"') {
            self.quoted()
        } else if let Some(t) = self.token() {
            t.to_owned()
        } else {
            self.problem(&format!("expected a value for parameter '{name}'"));
            self.skip_to_comma();
            return;
        };
        let name = name.to_ascii_lowercase();
        if let Some(first) = challenge.param(&name) {
            let why = format!(
                "parameter '{name}' is given twice ('{first}', then '{value}'): RFC 9110 §11.2 allows each once, so the {} challenge is invalid; clients disagree on it (Chromium keeps the last realm, Firefox the first), so keep one",
                challenge.scheme
            );
            self.out
                .problems
                .push(format!("field line {}: {why}", self.line));
            challenge.invalid.get_or_insert(why);
        } else if challenge.params.len() < MAX_ITEMS {
            challenge.params.push((name, value));
        }
    }

    fn skip_to_comma(&mut self) {
        while self.peek().is_some_and(|b| b != b',') {
            self.pos += 1;
        }
    }

    /// A quoted-string with quoted-pairs; an unterminated one is reported and kept.
    fn quoted(&mut self) -> String {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'"' => return String::from_utf8_lossy(&out).into_owned(),
                b'\\' => {
                    if let Some(n) = self.peek() {
                        out.push(n);
                        self.pos += 1;
                    }
                }
                _ => out.push(b),
            }
        }
        let msg = format!(
            "field line {}, column {}: quoted string not closed",
            self.line,
            start + 1
        );
        self.out.problems.push(msg);
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// What RFC 7617, 7616 and 6750 ask of each scheme's parameters.
fn check_scheme(c: &Challenge, problems: &mut Vec<String>) {
    let s = c.scheme_lower();
    let need = |name: &str, problems: &mut Vec<String>| {
        if c.param(name).is_none() {
            problems.push(format!(
                "{} challenge without the required '{name}'",
                c.scheme
            ));
        }
    };
    match s.as_str() {
        "basic" => {
            need("realm", problems);
            if let Some(cs) = c
                .param("charset")
                .filter(|v| !v.eq_ignore_ascii_case("utf-8"))
            {
                problems.push(format!(
                    "Basic charset is '{cs}'; RFC 7617 allows only \"UTF-8\""
                ));
            }
        }
        "digest" => {
            need("realm", problems);
            need("nonce", problems);
        }
        "bearer" => {
            if let Some(e) = c.param("error")
                && !matches!(
                    e,
                    "invalid_request" | "invalid_token" | "insufficient_scope"
                )
            {
                problems.push(format!("Bearer error '{e}' is not an RFC 6750 error code"));
            }
        }
        _ => {}
    }
    if c.token68.is_some() && matches!(s.as_str(), "basic" | "digest" | "bearer") {
        problems.push(format!(
            "{} challenge carries a token68 where parameters are expected",
            c.scheme
        ));
    }
}
