//! A reader that cuts every JSON string of a document to a bound while it streams, so a HAR
//! entry with a 1 GiB body never becomes a 1 GiB `String`: serde_json buffers a whole string
//! before handing it over, and this is the only place it can be stopped.
//!
//! The document stays valid JSON: a string is cut at a character boundary, never inside an
//! escape, and closed where the original closed. Everything outside strings passes as is.

use std::io::{self, Read};

/// Bytes of one JSON string kept at most (as written, escapes included); the rest is skipped.
pub(crate) const STRING_LIMIT: usize = 4 * 1024 * 1024;

const CHUNK: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Outside,
    /// Inside a string, copying.
    Copy,
    /// Inside a string past the bound, dropping up to its closing quote.
    Skip,
}

/// Wraps a reader of JSON; strings longer than the limit come out cut.
pub(crate) struct ClipStrings<R> {
    inner: R,
    limit: usize,
    mode: Mode,
    /// Bytes copied of the current string.
    len: usize,
    /// The previous byte was an unescaped backslash.
    escape: bool,
    /// Hex digits of a `\u` escape still to come.
    hex_left: usize,
    input: Vec<u8>,
    output: Vec<u8>,
    at: usize,
    /// Strings cut so far.
    pub clipped: u64,
}

impl<R: Read> ClipStrings<R> {
    pub fn new(inner: R, limit: usize) -> Self {
        Self {
            inner,
            limit: limit.max(1),
            mode: Mode::Outside,
            len: 0,
            escape: false,
            hex_left: 0,
            input: vec![0; CHUNK],
            output: Vec::with_capacity(CHUNK + 1),
            at: 0,
            clipped: 0,
        }
    }

    fn process(&mut self, n: usize) {
        let chunk = &self.input[..n];
        let out = &mut self.output;
        let mut i = 0;
        while i < chunk.len() {
            let rest = &chunk[i..];
            match self.mode {
                Mode::Outside => {
                    if let Some(k) = memchr::memchr(b'"', rest) {
                        out.extend_from_slice(&rest[..=k]);
                        i += k + 1;
                        self.mode = Mode::Copy;
                        self.len = 0;
                    } else {
                        out.extend_from_slice(rest);
                        i = chunk.len();
                    }
                }
                Mode::Copy if self.escape => {
                    self.escape = false;
                    if rest[0] == b'u' {
                        self.hex_left = 4;
                    }
                    out.push(rest[0]);
                    self.len += 1;
                    i += 1;
                }
                Mode::Copy if self.hex_left > 0 => {
                    let k = self.hex_left.min(rest.len());
                    out.extend_from_slice(&rest[..k]);
                    self.hex_left -= k;
                    self.len += k;
                    i += k;
                }
                Mode::Copy => {
                    let k = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
                    let room = self.limit.saturating_sub(self.len);
                    if k > room {
                        // Cut inside the plain run, on a character boundary.
                        let mut cut = room;
                        while cut > 0 && rest[cut] & 0xC0 == 0x80 {
                            cut -= 1;
                        }
                        out.extend_from_slice(&rest[..cut]);
                        i += cut;
                        self.mode = Mode::Skip;
                        self.clipped += 1;
                        continue;
                    }
                    out.extend_from_slice(&rest[..k]);
                    self.len += k;
                    i += k;
                    match rest.get(k) {
                        Some(b'"') => {
                            out.push(b'"');
                            i += 1;
                            self.mode = Mode::Outside;
                        }
                        Some(_) if self.len >= self.limit => {
                            self.mode = Mode::Skip;
                            self.clipped += 1;
                        }
                        Some(b) => {
                            out.push(*b);
                            self.len += 1;
                            self.escape = true;
                            i += 1;
                        }
                        None => {}
                    }
                }
                Mode::Skip if self.escape => {
                    self.escape = false;
                    i += 1;
                }
                Mode::Skip => match memchr::memchr2(b'"', b'\\', rest) {
                    Some(k) => {
                        i += k + 1;
                        if rest[k] == b'"' {
                            out.push(b'"');
                            self.mode = Mode::Outside;
                        } else {
                            self.escape = true;
                        }
                    }
                    None => i = chunk.len(),
                },
            }
        }
    }
}

impl<R: Read> Read for ClipStrings<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.output.len() {
            self.output.clear();
            self.at = 0;
            let n = loop {
                match self.inner.read(&mut self.input) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    other => break other?,
                }
            };
            if n == 0 {
                return Ok(0);
            }
            self.process(n);
        }
        let k = buf.len().min(self.output.len() - self.at);
        buf[..k].copy_from_slice(&self.output[self.at..self.at + k]);
        self.at += k;
        Ok(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clip(text: &str, limit: usize, chunk: usize) -> String {
        // A reader that hands out `chunk` bytes at a time, to cut escapes across reads.
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let k = self.0.len().min(self.1).min(buf.len());
                buf[..k].copy_from_slice(&self.0[..k]);
                self.0 = &self.0[k..];
                Ok(k)
            }
        }
        let mut out = String::new();
        let mut r = ClipStrings::new(Trickle(text.as_bytes(), chunk), limit);
        r.read_to_string(&mut out).unwrap_or_default();
        out
    }

    #[test]
    fn long_strings_are_cut_and_the_document_stays_json() {
        let doc = r#"{"a":"abcdefgh","b":"x\"y","c":"\u00e9\u00e9\u00e9","d":"ééééé","e":[1,"\\\\\\\\"]}"#;
        for chunk in [1, 2, 3, 7, 1000] {
            let out = clip(doc, 4, chunk);
            let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
            assert_eq!(v["a"], "abcd", "{out}");
            assert_eq!(v["b"], "x\"y", "{out}");
            assert_eq!(v["c"], "é", "{out}");
            assert_eq!(v["d"], "éé", "{out}");
            assert_eq!(v["e"][0], 1, "{out}");
            assert!(v["e"][1].as_str().is_some_and(|s| s.len() <= 4), "{out}");
        }
        let whole = clip(doc, 1000, 3);
        assert_eq!(whole, doc);
    }
}
