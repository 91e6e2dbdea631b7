//! DevTools HAR exports, read as a stream: entries are parsed one at a time and only a short,
//! redacted summary of each interesting one is kept, and every string (a body, a URL) is cut
//! to a bound while it streams ([`clip`]), so a capture with a 1 GiB body needs a few MiB.

use std::fmt;
use std::io::Read;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

pub mod analyse;
pub(crate) mod clip;
pub mod cookies;
pub mod redact;

pub use analyse::{Analysis, Exchange, analyse};

/// A header or query pair as HAR writes it.
#[derive(Debug, Clone, Deserialize)]
pub struct NameValue {
    pub name: String,
    pub value: String,
}

/// A body as HAR writes it (request postData or response content).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Body {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default, rename = "mimeType")]
    pub mime_type: Option<String>,
    #[serde(default)]
    pub encoding: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Request {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Vec<NameValue>,
    #[serde(default, rename = "postData")]
    pub post_data: Option<Body>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Response {
    pub status: i64,
    #[serde(default)]
    pub headers: Vec<NameValue>,
    #[serde(default)]
    pub content: Option<Body>,
}

/// One HAR entry: what why401 reads of it.
#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    #[serde(default, rename = "startedDateTime")]
    pub started: String,
    pub request: Request,
    pub response: Response,
    /// Chrome's initiator: `{type, url, stack}`.
    #[serde(default, rename = "_initiator")]
    pub initiator: Option<Value>,
}

impl Entry {
    pub(crate) fn request_header(&self, name: &str) -> Option<&str> {
        header(&self.request.headers, name)
    }
    pub(crate) fn response_header(&self, name: &str) -> Option<&str> {
        header(&self.response.headers, name)
    }
    pub(crate) fn response_headers<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.response
            .headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }
}

fn header<'a>(headers: &'a [NameValue], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// Calls `each` for every entry of the HAR read from `reader`, in order. Returns how many
/// entries there were. Errors carry serde's line and column.
pub fn stream<R: Read, F: FnMut(Entry)>(reader: R, each: F) -> Result<usize, serde_json::Error> {
    // Bodies past the bound are skipped as they stream by, never held whole.
    let mut buffered = std::io::BufReader::new(clip::ClipStrings::new(reader, clip::STRING_LIMIT));
    // Real exports (Charles, some Windows tools) start with a UTF-8 byte-order mark, which
    // RFC 8259 §8.1 lets a parser ignore; serde_json does not, so it is skipped here.
    let bom = std::io::BufRead::fill_buf(&mut buffered)
        .map_err(serde_json::Error::io)?
        .starts_with(b"\xEF\xBB\xBF");
    if bom {
        std::io::BufRead::consume(&mut buffered, 3);
    }
    let mut de = serde_json::Deserializer::from_reader(buffered);
    let mut state = Walk {
        each,
        count: 0,
        found: false,
    };
    Root(&mut state).deserialize(&mut de)?;
    de.end()?;
    if !state.found {
        return Err(serde::de::Error::custom(
            "no log.entries array: not a HAR file (export it from DevTools' Network tab with \"Save all as HAR\")",
        ));
    }
    Ok(state.count)
}

struct Walk<F> {
    each: F,
    count: usize,
    found: bool,
}

/// Walks `{"log": {"entries": [...]}}`, skipping every other member without building it.
struct Root<'a, F>(&'a mut Walk<F>);
struct Log<'a, F>(&'a mut Walk<F>);
struct Entries<'a, F>(&'a mut Walk<F>);

impl<'de, F: FnMut(Entry)> DeserializeSeed<'de> for Root<'_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(MemberVisitor {
            walk: self.0,
            want: "log",
            next: Next::Log,
            _p: PhantomData,
        })
    }
}

impl<'de, F: FnMut(Entry)> DeserializeSeed<'de> for Log<'_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(MemberVisitor {
            walk: self.0,
            want: "entries",
            next: Next::Entries,
            _p: PhantomData,
        })
    }
}

impl<'de, F: FnMut(Entry)> DeserializeSeed<'de> for Entries<'_, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Entry)> Visitor<'de> for Entries<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of HAR entries")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.found = true;
        while let Some(entry) = seq.next_element::<Entry>()? {
            self.0.count += 1;
            (self.0.each)(entry);
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum Next {
    Log,
    Entries,
}

struct MemberVisitor<'a, F> {
    walk: &'a mut Walk<F>,
    want: &'static str,
    next: Next,
    _p: PhantomData<F>,
}

impl<'de, F: FnMut(Entry)> Visitor<'de> for MemberVisitor<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object with a \"{}\" member", self.want)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == self.want {
                match self.next {
                    Next::Log => map.next_value_seed(Log(&mut *self.walk))?,
                    Next::Entries => map.next_value_seed(Entries(&mut *self.walk))?,
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_entries_and_skips_the_rest() {
        let har = r#"{"log":{"version":"1.2","pages":[{"big":[1,2,3]}],"entries":[
            {"startedDateTime":"2026-01-01T00:00:00Z","request":{"method":"GET","url":"http://a/","headers":[]},
             "response":{"status":401,"headers":[{"name":"WWW-Authenticate","value":"Bearer"}]}},
            {"request":{"method":"POST","url":"http://a/token"},"response":{"status":200}}
        ],"creator":{"name":"x"}}}"#;
        let mut seen = Vec::new();
        let n = stream(har.as_bytes(), |e| {
            seen.push((e.request.method, e.response.status));
        })
        .unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            seen,
            vec![("GET".to_owned(), 401), ("POST".to_owned(), 200)]
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let har = "\u{feff}{\"log\":{\"entries\":[]}}";
        assert_eq!(stream(har.as_bytes(), |_| {}).unwrap(), 0);
    }

    #[test]
    fn not_a_har_is_a_clear_error() {
        let e = stream(r#"{"foo":1}"#.as_bytes(), |_| {}).unwrap_err();
        assert!(e.to_string().contains("not a HAR file"), "{e}");
        let e = stream(r#"{"log":{"entries":[{"request":{}}]}}"#.as_bytes(), |_| {}).unwrap_err();
        assert!(e.to_string().contains("line 1 column"), "{e}");
        let e = stream("[".as_bytes(), |_| {}).unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
    }
}
