//! Splits a pasted token into its parts and says precisely what is wrong with a broken one:
//! which segment, and whether it is the segment count, the base64url or the JSON. The usual
//! paste accidents (a "Bearer " prefix, quotes, line breaks) are named and then undone, so the
//! rest of the token can still be read.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::sanitize::OutsideJson;

/// One of the three parts of a compact JWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    Header,
    Payload,
    Signature,
}

impl Segment {
    fn number(self) -> usize {
        match self {
            Self::Header => 1,
            Self::Payload => 2,
            Self::Signature => 3,
        }
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Header => "header",
            Self::Payload => "payload (claims)",
            Self::Signature => "signature",
        };
        write!(f, "segment {} of 3, the {name}", self.number())
    }
}

/// Something wrong with the token's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub segment: Option<Segment>,
    pub message: String,
    /// A paste accident (prefix, quotes, line breaks): it may come from copying the token into
    /// why401 rather than from the client, so it weighs less.
    pub pasted: bool,
}

impl Problem {
    fn whole(message: impl Into<String>) -> Self {
        Self {
            segment: None,
            message: message.into(),
            pasted: false,
        }
    }
    fn pasted(message: impl Into<String>) -> Self {
        Self {
            pasted: true,
            ..Self::whole(message)
        }
    }
    fn at(segment: Segment, message: impl Into<String>) -> Self {
        Self {
            segment: Some(segment),
            message: message.into(),
            pasted: false,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.segment {
            Some(s) => write!(f, "{s}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A decoded JWS: header and claims as JSON objects, the signature still encoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Jwt {
    /// The header as the token's maker wrote it: printed only through the sanitiser.
    pub header: OutsideJson,
    /// The claims as the token's maker wrote them: printed only through the sanitiser.
    pub claims: OutsideJson,
    /// `header.payload`, the bytes the signature covers.
    pub signing_input: String,
    /// The third part, base64url as sent.
    pub signature: String,
}

impl Jwt {
    /// A header field that is a string, for checks; never for printing.
    pub(crate) fn raw_header(&self, name: &str) -> Option<&str> {
        self.header.raw_str(name)
    }
    /// A claim that is a string, for checks; never for printing.
    pub(crate) fn raw_claim(&self, name: &str) -> Option<&str> {
        self.claims.raw_str(name)
    }
    pub fn alg(&self) -> Option<&str> {
        self.raw_header("alg")
    }
}

/// What a pasted token turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A JWS whose three parts decode (it may still carry paste problems).
    Jwt(Box<Jwt>),
    /// A JWE (five parts): only the header can be read without the decryption key.
    Encrypted { header: Option<OutsideJson> },
    /// Not a JWT: an opaque token only its issuer can check (RFC 7662 introspection).
    Opaque,
    /// Meant to be a JWT but broken; the header when it still decodes.
    Malformed {
        header: Option<OutsideJson>,
        /// A JWS whose header and signature read but whose payload is not a JSON object
        /// (RFC 7515 A.4, RFC 7520 §4): its signature can still be checked, since JWS
        /// verification never looks inside the payload. Its claims are empty.
        signed: Option<Box<Jwt>>,
    },
}

/// The result of [`parse`]: the cleaned token, its shape and every problem found.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The token with paste accidents undone.
    pub token: String,
    pub shape: Shape,
    pub problems: Vec<Problem>,
    /// What was stripped before the token that is no fault of the token: a pasted
    /// `Authorization:` header name or `Bearer ` scheme.
    pub stripped: Vec<String>,
}

/// Decodes `raw` without any key. Never fails: a broken token is a [`Shape::Malformed`]
/// with its problems.
pub fn parse(raw: &str) -> Parsed {
    let (token, mut problems, stripped) = clean(raw);
    if token.is_empty() {
        problems.push(Problem::whole("the token is empty"));
        return Parsed {
            token,
            shape: Shape::Malformed {
                header: None,
                signed: None,
            },
            problems,
            stripped,
        };
    }
    let parts: Vec<&str> = token.split('.').collect();
    // `eyJ` is base64url of `{"`: a JSON header, even behind a stray character.
    let looks_jwt = parts.iter().any(|p| p.contains("eyJ")) || decodes_to_object(parts[0]);
    let shape = if looks_jwt {
        match parts.len() {
            3 => jws_shape(&parts, &mut problems),
            5 => Shape::Encrypted {
                header: decode_object(parts[0], Segment::Header, &mut Vec::new())
                    .map(OutsideJson::new),
            },
            n => {
                problems.push(Problem::whole(count_message(n)));
                // The header alone still tells the person what they are holding.
                let header = decode_object(parts[0], Segment::Header, &mut problems);
                Shape::Malformed {
                    header: header.map(OutsideJson::new),
                    signed: None,
                }
            }
        }
    } else {
        opaque_shape(&token, &mut problems)
    };
    Parsed {
        token,
        shape,
        problems,
        stripped,
    }
}

fn count_message(n: usize) -> String {
    let hint = match n {
        1 => "no dots at all",
        2 => "the signature part (after the second dot) is missing",
        4 => "one part too many, or a JWE (5 parts) cut short",
        _ => "extra dots, perhaps two tokens pasted together",
    };
    format!("{n} dot-separated segments, a signed JWT has 3 (header.payload.signature): {hint}")
}

fn opaque_shape(token: &str, problems: &mut Vec<Problem>) -> Shape {
    // RFC 6750 b64token: the characters a bearer token may contain.
    let bad = token.char_indices().find(|(_, c)| {
        !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '+' | '/' | '='))
    });
    match bad {
        Some((at, c)) => {
            problems.push(Problem::whole(format!(
                "character {} at position {} is not allowed in a bearer token (RFC 6750 b64token)",
                describe_char(c),
                at + 1
            )));
            Shape::Malformed {
                header: None,
                signed: None,
            }
        }
        None => Shape::Opaque,
    }
}

fn jws_shape(parts: &[&str], problems: &mut Vec<Problem>) -> Shape {
    let before = problems.len();
    let header = decode_object(parts[0], Segment::Header, problems);
    let claims = decode_object(parts[1], Segment::Payload, problems);
    let signature = parts[2];
    if let Some(h) = &header {
        match h.get("alg") {
            None => problems.push(Problem::at(
                Segment::Header,
                "no \"alg\" member (RFC 7515 requires it)",
            )),
            Some(Value::String(_)) => {}
            Some(other) => problems.push(Problem::at(
                Segment::Header,
                format!("\"alg\" must be a string, found {}", json_kind(other)),
            )),
        }
    }
    let unsigned = header
        .as_ref()
        .and_then(|h| h.get("alg"))
        .and_then(Value::as_str)
        .is_some_and(|a| a.eq_ignore_ascii_case("none"));
    if signature.is_empty() {
        if !unsigned {
            problems.push(Problem::at(
                Segment::Signature,
                "empty, the token is not signed",
            ));
        }
    } else if let Err(msg) = decode_b64url(signature) {
        problems.push(Problem::at(Segment::Signature, msg));
    }
    // A bad signature part still leaves header and claims worth showing.
    let only_signature = problems[before..]
        .iter()
        .all(|p| p.segment == Some(Segment::Signature));
    // A payload that is not a JSON object leaves the JWS itself intact.
    let payload_only = claims.is_none()
        && problems[before..]
            .iter()
            .all(|p| p.segment == Some(Segment::Payload));
    let jws = |header: Map<String, Value>, claims| Jwt {
        header: OutsideJson::new(header),
        claims: OutsideJson::new(claims),
        signing_input: format!("{}.{}", parts[0], parts[1]),
        signature: signature.to_owned(),
    };
    match (header, claims) {
        (Some(header), Some(claims)) if only_signature => Shape::Jwt(Box::new(jws(header, claims))),
        (Some(header), None) if payload_only => Shape::Malformed {
            signed: Some(Box::new(jws(header.clone(), Map::new()))),
            header: Some(OutsideJson::new(header)),
        },
        (header, _) => Shape::Malformed {
            header: header.map(OutsideJson::new),
            signed: None,
        },
    }
}

/// Undoes paste accidents, naming each: quotes and breaks inside break the token as sent; a
/// header name or `Bearer ` scheme in front is a copied header value, stripped with a note.
fn clean(raw: &str) -> (String, Vec<Problem>, Vec<String>) {
    let mut problems = Vec::new();
    let mut stripped = Vec::new();
    let mut s = raw.trim();
    for prefix in ["authorization:", "bearer "] {
        if s.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        {
            let what = if prefix.starts_with('a') {
                "the \"Authorization:\" header name"
            } else {
                "the \"Bearer \" scheme (the header carries it; the token itself does not start with it)"
            };
            stripped.push(format!(
                "stripped {what} pasted in front of the token, and analysed the token after it"
            ));
            s = s[prefix.len()..].trim();
        }
    }
    for q in ['"', '\''] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            problems.push(Problem::pasted(format!(
                "wrapped in {} quotes (copied from JSON or a shell line)",
                if q == '"' { "double" } else { "single" }
            )));
            s = &s[1..s.len() - 1];
        }
    }
    let breaks = s.chars().filter(|c| matches!(c, '\n' | '\r')).count();
    let spaces = s.chars().filter(|c| matches!(c, ' ' | '\t')).count();
    if breaks > 0 {
        problems.push(Problem::pasted(format!(
            "contains {breaks} line break(s): the token was wrapped when copied"
        )));
    }
    if spaces > 0 {
        problems.push(Problem::pasted(format!(
            "contains {spaces} space(s) or tab(s) inside it"
        )));
    }
    let token = if breaks + spaces > 0 {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    } else {
        s.to_owned()
    };
    (token, problems, stripped)
}

fn decodes_to_object(part: &str) -> bool {
    decode_b64url(part).is_ok_and(|b| b.first() == Some(&b'{'))
}

fn decode_object(
    part: &str,
    segment: Segment,
    problems: &mut Vec<Problem>,
) -> Option<Map<String, Value>> {
    let bytes = match decode_b64url(part) {
        Ok(b) => b,
        Err(msg) => {
            problems.push(Problem::at(segment, msg));
            return None;
        }
    };
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        Err(e) => {
            problems.push(Problem::at(
                segment,
                format!(
                    "decodes to bytes that are not UTF-8 (at byte {})",
                    e.valid_up_to()
                ),
            ));
            return None;
        }
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Some(map),
        Ok(other) => {
            problems.push(Problem::at(
                segment,
                format!("decodes to a JSON {}, not an object", json_kind(&other)),
            ));
            None
        }
        Err(e) => {
            problems.push(Problem::at(
                segment,
                format!("decodes to text that is not JSON: {e}"),
            ));
            None
        }
    }
}

/// Strict base64url without padding (RFC 7515 §2), with a message naming the first fault.
pub(crate) fn decode_b64url(part: &str) -> Result<Vec<u8>, String> {
    if part.is_empty() {
        return Err("empty".to_owned());
    }
    if let Some((at, c)) = part
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_')))
    {
        return Err(match c {
            '+' | '/' => format!(
                "'{c}' at position {}: standard base64, not base64url (which uses '-' and '_')",
                at + 1
            ),
            '=' => format!(
                "'=' padding at position {}: base64url in a JWT has no padding",
                at + 1
            ),
            c => format!(
                "character {} at position {} is not base64url",
                describe_char(c),
                at + 1
            ),
        });
    }
    if part.len() % 4 == 1 {
        return Err(format!(
            "{} characters cannot be base64url (a length of 4n+1 is impossible: cut short?)",
            part.len()
        ));
    }
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|e| format!("not base64url: {e}"))
}

fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("'{c}'")
    }
}

pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC7515_HS256: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    fn problems(raw: &str) -> Vec<String> {
        parse(raw)
            .problems
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn rfc7515_example_decodes() {
        let p = parse(RFC7515_HS256);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let Shape::Jwt(jwt) = p.shape else {
            panic!("not a jwt")
        };
        assert_eq!(jwt.alg(), Some("HS256"));
        assert_eq!(jwt.raw_claim("iss"), Some("joe"));
        assert_eq!(jwt.claims.raw()["exp"], 1_300_819_380);
    }

    #[test]
    fn paste_accidents_are_named_and_undone() {
        let wrapped = format!(
            "Bearer \"{}\n{}\"",
            &RFC7515_HS256[..40],
            &RFC7515_HS256[40..]
        );
        let p = parse(&wrapped);
        assert_eq!(p.token, RFC7515_HS256);
        let text: Vec<String> = p.problems.iter().map(ToString::to_string).collect();
        assert!(p.stripped[0].contains("Bearer"), "{:?}", p.stripped);
        assert!(text[0].contains("double quotes"), "{text:?}");
        assert!(text[1].contains("line break"), "{text:?}");
        assert!(matches!(p.shape, Shape::Jwt(_)));
    }

    #[test]
    fn each_segment_fault_names_the_segment() {
        let two = problems("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0");
        assert!(two[0].contains("2 dot-separated segments"), "{two:?}");
        let b64 = problems("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0+.c2ln");
        assert!(b64[0].starts_with("segment 2 of 3"), "{b64:?}");
        assert!(b64[0].contains("standard base64"), "{b64:?}");
        // "notjson" in base64url
        let json = problems("eyJhbGciOiJIUzI1NiJ9.bm90anNvbg.c2ln");
        assert!(json[0].contains("not JSON"), "{json:?}");
        let sig = problems("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.");
        assert!(sig[0].starts_with("segment 3 of 3"), "{sig:?}");
        let noalg = problems("eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2ln");
        assert!(noalg[0].contains("alg"), "{noalg:?}");
        let pad = problems("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0=.c2ln");
        assert!(pad[0].contains("padding"), "{pad:?}");
    }

    #[test]
    fn opaque_and_encrypted_are_recognised() {
        assert_eq!(parse("ghp_abcdefABCDEF0123456789").shape, Shape::Opaque);
        assert_eq!(parse("2YotnFZFEjr1zCsicMWpAA").shape, Shape::Opaque);
        let jwe = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d";
        assert!(matches!(
            parse(jwe).shape,
            Shape::Encrypted { header: Some(_) }
        ));
        let broken = Shape::Malformed {
            header: None,
            signed: None,
        };
        assert_eq!(parse("not a token!").shape, broken);
        assert_eq!(parse("   ").shape, broken);
    }

    #[test]
    fn alg_none_with_empty_signature_is_well_formed() {
        let p = parse("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiJ9.");
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert!(matches!(p.shape, Shape::Jwt(_)));
    }
}
