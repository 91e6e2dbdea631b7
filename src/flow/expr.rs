//! Conditions in flows: `http.status == 401 && http.challenge.scheme == "basic"`.
//!
//! Grammar: `or := and ("||" and)*`, `and := unary ("&&" unary)*`,
//! `unary := "!" unary | cmp`, `cmp := term (op term)?` with op one of
//! `== != < <= > >= contains`, `term := "(" or ")" | literal | path | exists(path)`.
//! Literals: integers, decimals, "strings" or 'strings', true, false.
//! A path names a fact (`probe_id.fact`) or an input (`input.id`). A fact that is not known
//! at evaluation time makes its comparison false.

use std::fmt;

use crate::probe::{FactType, FactValue};

/// A parse or type error, with the byte offset into the condition text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
}

impl Op {
    fn text(self) -> &'static str {
        match self {
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Contains => "contains",
        }
    }
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Lit(FactValue),
    /// A fact or input path and its offset in the text.
    Path(String, usize),
    Exists(String, usize),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(Box<Expr>, Op, Box<Expr>, usize),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(FactValue),
    Str(String),
    Ident(String),
    Op(Op),
    And,
    Or,
    Not,
    LParen,
    RParen,
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let err = |m: String| ExprError {
            offset: start,
            message: m,
        };
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'(' => {
                out.push((Tok::LParen, i));
                i += 1;
            }
            b')' => {
                out.push((Tok::RParen, i));
                i += 1;
            }
            b'&' | b'|' => {
                if bytes.get(i + 1) != Some(&c) {
                    return Err(err(format!(
                        "expected '{0}{0}', found a single '{0}'",
                        c as char
                    )));
                }
                out.push((if c == b'&' { Tok::And } else { Tok::Or }, i));
                i += 2;
            }
            b'!' | b'=' | b'<' | b'>' => {
                let next_eq = bytes.get(i + 1) == Some(&b'=');
                let tok = match (c, next_eq) {
                    (b'!', true) => Tok::Op(Op::Ne),
                    (b'!', false) => Tok::Not,
                    (b'=', true) => Tok::Op(Op::Eq),
                    (b'=', false) => return Err(err("expected '==', found a single '='".into())),
                    (b'<', true) => Tok::Op(Op::Le),
                    (b'<', false) => Tok::Op(Op::Lt),
                    (b'>', true) => Tok::Op(Op::Ge),
                    _ => Tok::Op(Op::Gt),
                };
                i += if next_eq { 2 } else { 1 };
                out.push((tok, start));
            }
            b'"' | b'\'' => {
                let (s, end) = lex_string(src, i)?;
                out.push((Tok::Str(s), start));
                i = end;
            }
            b'0'..=b'9' | b'-' => {
                let mut j = i + 1;
                while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'.') {
                    j += 1;
                }
                let text = &src[i..j];
                let value = if text.contains('.') {
                    text.parse::<f64>().map(FactValue::Float).ok()
                } else {
                    text.parse::<i64>().map(FactValue::Int).ok()
                };
                let value = value.ok_or_else(|| err(format!("'{text}' is not a number")))?;
                out.push((Tok::Num(value), start));
                i = j;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let mut j = i;
                while j < bytes.len()
                    && (bytes[j].is_ascii_alphanumeric()
                        || matches!(bytes[j], b'_' | b'-' | b'.' | b'*'))
                {
                    j += 1;
                }
                let word = &src[i..j];
                out.push((
                    if word == "contains" {
                        Tok::Op(Op::Contains)
                    } else {
                        Tok::Ident(word.to_owned())
                    },
                    start,
                ));
                i = j;
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(err(format!("unexpected character '{ch}'")));
            }
        }
    }
    Ok(out)
}

fn lex_string(src: &str, start: usize) -> Result<(String, usize), ExprError> {
    let quote = src.as_bytes()[start];
    let mut out = String::new();
    let mut chars = src[start + 1..].char_indices();
    while let Some((k, c)) = chars.next() {
        if c == quote as char {
            return Ok((out, start + 1 + k + 1));
        }
        if c == '\\' {
            match chars.next() {
                Some((_, e)) => out.push(e),
                None => break,
            }
        } else {
            out.push(c);
        }
    }
    Err(ExprError {
        offset: start,
        message: "unterminated string".into(),
    })
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }
    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(_, o)| *o)
    }
    fn bump(&mut self) -> Option<(Tok, usize)> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut lhs = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.bump();
            lhs = Expr::Or(Box::new(lhs), Box::new(self.and()?));
        }
        Ok(lhs)
    }
    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut lhs = self.unary()?;
        while self.peek() == Some(&Tok::And) {
            self.bump();
            lhs = Expr::And(Box::new(lhs), Box::new(self.unary()?));
        }
        Ok(lhs)
    }
    fn unary(&mut self) -> Result<Expr, ExprError> {
        if self.peek() == Some(&Tok::Not) {
            self.bump();
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        let lhs = self.term()?;
        if let Some(Tok::Op(op)) = self.peek().cloned() {
            let at = self.offset();
            self.bump();
            let rhs = self.term()?;
            return Ok(Expr::Cmp(Box::new(lhs), op, Box::new(rhs), at));
        }
        Ok(lhs)
    }
    fn term(&mut self) -> Result<Expr, ExprError> {
        let at = self.offset();
        match self.bump() {
            Some((Tok::LParen, _)) => {
                let e = self.or()?;
                match self.bump() {
                    Some((Tok::RParen, _)) => Ok(e),
                    _ => Err(ExprError {
                        offset: at,
                        message: "'(' is never closed".into(),
                    }),
                }
            }
            Some((Tok::Num(v), _)) => Ok(Expr::Lit(v)),
            Some((Tok::Str(s), _)) => Ok(Expr::Lit(FactValue::Str(s))),
            Some((Tok::Ident(w), o)) => match w.as_str() {
                "true" => Ok(Expr::Lit(FactValue::Bool(true))),
                "false" => Ok(Expr::Lit(FactValue::Bool(false))),
                "exists" => self.exists(o),
                _ => Ok(Expr::Path(w, o)),
            },
            Some((t, o)) => Err(ExprError {
                offset: o,
                message: format!("expected a value, found {}", describe(&t)),
            }),
            None => Err(ExprError {
                offset: at,
                message: "expected a value, found the end of the condition".into(),
            }),
        }
    }
    fn exists(&mut self, at: usize) -> Result<Expr, ExprError> {
        let fail = |m: &str| ExprError {
            offset: at,
            message: m.to_owned(),
        };
        if !matches!(self.bump(), Some((Tok::LParen, _))) {
            return Err(fail("expected '(' after exists"));
        }
        let Some((Tok::Ident(path), o)) = self.bump() else {
            return Err(fail("exists(...) takes a fact name"));
        };
        if !matches!(self.bump(), Some((Tok::RParen, _))) {
            return Err(fail("expected ')' to close exists("));
        }
        Ok(Expr::Exists(path, o))
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(v) => format!("number {v}"),
        Tok::Str(s) => format!("string \"{s}\""),
        Tok::Ident(w) => format!("'{w}'"),
        Tok::Op(op) => format!("'{}'", op.text()),
        Tok::And => "'&&'".into(),
        Tok::Or => "'||'".into(),
        Tok::Not => "'!'".into(),
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
    }
}

/// Parses a condition.
pub fn parse(src: &str) -> Result<Expr, ExprError> {
    let toks = lex(src)?;
    if toks.is_empty() {
        return Err(ExprError {
            offset: 0,
            message: "the condition is empty".into(),
        });
    }
    let mut p = Parser {
        toks,
        pos: 0,
        end: src.len(),
    };
    let e = p.or()?;
    if let Some((t, o)) = p.bump() {
        return Err(ExprError {
            offset: o,
            message: format!("expected '&&', '||' or the end, found {}", describe(&t)),
        });
    }
    Ok(e)
}

/// The type of a value in a condition, as the checker sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Known(FactType),
}

impl Expr {
    /// Every fact/input path the condition names, with offsets.
    pub fn paths(&self, out: &mut Vec<(String, usize)>) {
        match self {
            Self::Lit(_) => {}
            Self::Path(p, o) | Self::Exists(p, o) => out.push((p.clone(), *o)),
            Self::Not(e) => e.paths(out),
            Self::And(a, b) | Self::Or(a, b) | Self::Cmp(a, _, b, _) => {
                a.paths(out);
                b.paths(out);
            }
        }
    }

    /// Type-checks against `lookup` (path → type, or an error message for an unknown path).
    pub fn check(
        &self,
        lookup: &dyn Fn(&str) -> Result<FactType, String>,
    ) -> Result<(), ExprError> {
        self.check_bool(lookup)
    }

    fn check_bool(
        &self,
        lookup: &dyn Fn(&str) -> Result<FactType, String>,
    ) -> Result<(), ExprError> {
        match self {
            Self::Not(e) => e.check_bool(lookup),
            Self::And(a, b) | Self::Or(a, b) => {
                a.check_bool(lookup)?;
                b.check_bool(lookup)
            }
            Self::Exists(p, o) => lookup(p).map(|_| ()).map_err(|m| ExprError {
                offset: *o,
                message: m,
            }),
            Self::Path(p, o) => match lookup(p).map_err(|m| ExprError {
                offset: *o,
                message: m,
            })? {
                FactType::Bool => Ok(()),
                other => Err(ExprError {
                    offset: *o,
                    message: format!(
                        "'{p}' is a {other}, not a boolean: compare it (e.g. {p} == ...)"
                    ),
                }),
            },
            Self::Lit(FactValue::Bool(_)) => Ok(()),
            Self::Lit(v) => Err(ExprError {
                offset: 0,
                message: format!("{v} is not a condition"),
            }),
            Self::Cmp(a, op, b, at) => {
                let ta = a.type_of(lookup)?;
                let tb = b.type_of(lookup)?;
                compatible(ta, *op, tb).map_err(|m| ExprError {
                    offset: *at,
                    message: m,
                })
            }
        }
    }

    fn type_of(&self, lookup: &dyn Fn(&str) -> Result<FactType, String>) -> Result<Ty, ExprError> {
        match self {
            Self::Lit(v) => Ok(Ty::Known(v.fact_type())),
            Self::Path(p, o) => lookup(p).map(Ty::Known).map_err(|m| ExprError {
                offset: *o,
                message: m,
            }),
            _ => {
                self.check_bool(lookup)?;
                Ok(Ty::Known(FactType::Bool))
            }
        }
    }
}

fn compatible(a: Ty, op: Op, b: Ty) -> Result<(), String> {
    let (Ty::Known(a), Ty::Known(b)) = (a, b);
    let numeric = |t: FactType| matches!(t, FactType::Int | FactType::Float);
    let ok = match op {
        Op::Eq | Op::Ne => a == b || (numeric(a) && numeric(b)),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => numeric(a) && numeric(b),
        Op::Contains => matches!((a, b), (FactType::StrList | FactType::Str, FactType::Str)),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "cannot compare {} with {} using '{}'",
            article(a),
            article(b),
            op.text()
        ))
    }
}

fn article(t: FactType) -> String {
    match t {
        FactType::Int => format!("an {t}"),
        _ => format!("a {t}"),
    }
}

/// Where a condition reads its values.
pub trait Scope {
    fn value(&self, path: &str) -> Option<FactValue>;
}

impl Expr {
    /// Evaluates the condition; unknown values make their comparison false.
    pub fn eval(&self, scope: &dyn Scope) -> bool {
        match self {
            Self::Lit(FactValue::Bool(b)) => *b,
            Self::Lit(_) => false,
            Self::Path(p, _) => matches!(scope.value(p), Some(FactValue::Bool(true))),
            Self::Exists(p, _) => scope.value(p).is_some(),
            Self::Not(e) => !e.eval(scope),
            Self::And(a, b) => a.eval(scope) && b.eval(scope),
            Self::Or(a, b) => a.eval(scope) || b.eval(scope),
            Self::Cmp(a, op, b, _) => match (a.value(scope), b.value(scope)) {
                (Some(x), Some(y)) => compare(&x, *op, &y),
                _ => false,
            },
        }
    }

    fn value(&self, scope: &dyn Scope) -> Option<FactValue> {
        match self {
            Self::Lit(v) => Some(v.clone()),
            Self::Path(p, _) => scope.value(p),
            other => Some(FactValue::Bool(other.eval(scope))),
        }
    }
}

fn as_f64(v: &FactValue) -> Option<f64> {
    match v {
        FactValue::Int(i) => Some(*i as f64),
        FactValue::Float(f) => Some(*f),
        _ => None,
    }
}

fn compare(x: &FactValue, op: Op, y: &FactValue) -> bool {
    use std::cmp::Ordering;
    if op == Op::Contains {
        return match (x, y) {
            (FactValue::StrList(list), FactValue::Str(s)) => list.iter().any(|e| e == s),
            (FactValue::Str(hay), FactValue::Str(s)) => hay.contains(s.as_str()),
            _ => false,
        };
    }
    let ord = match (as_f64(x), as_f64(y)) {
        (Some(a), Some(b)) => a.partial_cmp(&b),
        _ if x.fact_type() == y.fact_type() => match (x, y) {
            (FactValue::Str(a), FactValue::Str(b)) => Some(a.cmp(b)),
            (FactValue::Bool(a), FactValue::Bool(b)) => Some(a.cmp(b)),
            _ => (x == y).then_some(Ordering::Equal),
        },
        _ => None,
    };
    match (op, ord) {
        (Op::Eq, Some(o)) => o == Ordering::Equal,
        (Op::Ne, Some(o)) => o != Ordering::Equal,
        (Op::Ne, None) => x != y,
        (Op::Lt, Some(o)) => o == Ordering::Less,
        (Op::Le, Some(o)) => o != Ordering::Greater,
        (Op::Gt, Some(o)) => o == Ordering::Greater,
        (Op::Ge, Some(o)) => o != Ordering::Less,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    struct Map(BTreeMap<&'static str, FactValue>);
    impl Scope for Map {
        fn value(&self, path: &str) -> Option<FactValue> {
            self.0.get(path).cloned()
        }
    }

    fn scope() -> Map {
        Map(BTreeMap::from([
            ("http.status", FactValue::Int(401)),
            ("http.challenge.scheme", FactValue::Str("basic".into())),
            (
                "http.challenge.schemes",
                FactValue::StrList(vec!["basic".into(), "bearer".into()]),
            ),
            ("jwt.expired", FactValue::Bool(true)),
        ]))
    }

    #[test]
    fn evaluates_the_forms_flows_use() {
        let s = scope();
        for (src, want) in [
            ("http.status == 401", true),
            ("http.status != 401", false),
            ("http.status >= 400 && http.status < 500", true),
            ("http.challenge.scheme == \"basic\" || false", true),
            ("http.challenge.schemes contains 'bearer'", true),
            ("!jwt.expired", false),
            ("exists(jwt.expired) && !exists(http.missing)", true),
            ("http.missing == 1", false),
            ("!(http.missing == 1)", true),
            (
                "(http.status == 200 || http.status == 401) && jwt.expired",
                true,
            ),
        ] {
            assert_eq!(parse(src).unwrap().eval(&s), want, "{src}");
        }
    }

    #[test]
    fn errors_point_at_the_offending_byte() {
        for (src, offset, needle) in [
            ("http.status = 401", 12, "single '='"),
            ("http.status == ", 15, "end of the condition"),
            ("(a == 1", 0, "never closed"),
            ("a == 1 b", 7, "found 'b'"),
            ("a == \"x", 5, "unterminated"),
            ("a & b", 2, "single '&'"),
            ("", 0, "empty"),
        ] {
            let e = parse(src).unwrap_err();
            assert_eq!(e.offset, offset, "{src}: {e}");
            assert!(e.message.contains(needle), "{src}: {e}");
        }
    }

    #[test]
    fn type_check_rejects_mismatches() {
        let lookup = |p: &str| match p {
            "http.status" => Ok(FactType::Int),
            "http.challenge.scheme" => Ok(FactType::Str),
            "jwt.expired" => Ok(FactType::Bool),
            other => Err(format!("unknown fact '{other}'")),
        };
        assert!(parse("http.status == 401").unwrap().check(&lookup).is_ok());
        let e = parse("http.status == \"401\"")
            .unwrap()
            .check(&lookup)
            .unwrap_err();
        assert!(e.message.contains("cannot compare"), "{e}");
        let e = parse("http.status").unwrap().check(&lookup).unwrap_err();
        assert!(e.message.contains("not a boolean"), "{e}");
        let e = parse("http.nope == 1").unwrap().check(&lookup).unwrap_err();
        assert_eq!(e.offset, 0);
    }
}
