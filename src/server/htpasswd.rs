//! htpasswd user files: every line parsed, each hash format named, whether Apache or nginx can
//! verify it, and a user's password checked against its entry. Hashes never leave this module
//! except as fingerprints.

use std::path::Path;

use serde::Serialize;

use crate::secret::fingerprint;

pub mod hash;

pub use hash::HashFormat;

/// The server that reads the file; they verify different hash formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Apache,
    Nginx,
    /// Not known (a user file given alone): either server may read it.
    Either,
}

impl Target {
    pub fn label(self) -> &'static str {
        match self {
            Self::Apache => "Apache",
            Self::Nginx => "nginx",
            Self::Either => "Apache or nginx",
        }
    }
}

/// One `user:hash` line, or an htdigest `user:realm:hash` line.
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    pub user: String,
    hash: String,
    pub line: usize,
    pub format: HashFormat,
    /// The realm of an htdigest line.
    pub realm: Option<String>,
    /// Why no password can ever match this entry, when none can.
    pub broken: Option<String>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("user", &self.user)
            .field("hash", &self.hash_fingerprint())
            .field("line", &self.line)
            .field("format", &self.format)
            .field("realm", &self.realm)
            .field("broken", &self.broken)
            .finish()
    }
}

impl Entry {
    /// The hash as a fingerprint, safe to print.
    pub(crate) fn hash_fingerprint(&self) -> String {
        fingerprint("hash", &self.hash)
    }

    /// Whether `password` matches; `None` when this format cannot be checked here.
    pub fn verify(&self, password: &str) -> Option<bool> {
        if self.broken.is_some() {
            return Some(false);
        }
        match &self.realm {
            Some(realm) => Some(hash::digest_ha1(&self.user, realm, password) == self.hash),
            None => hash::verify(self.format, &self.hash, password),
        }
    }
}

/// What is wrong with a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineIssue {
    Bom,
    Crlf,
    MissingColon,
    EmptyUser,
    EmptyHash,
    Whitespace,
    DuplicateUser,
}

/// A bad line: where and what, worded without the hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Malformed {
    pub line: usize,
    pub col: usize,
    pub issue: LineIssue,
    pub message: String,
    /// Whether the server still reads the line as intended.
    pub harmless_for: Vec<Target>,
}

/// A parsed user file.
#[derive(Debug, Clone, Default)]
pub struct UserFile {
    pub entries: Vec<Entry>,
    pub malformed: Vec<Malformed>,
}

impl UserFile {
    /// Reads and parses a user file (bounded like every configuration file).
    pub fn load(path: &Path) -> Result<Self, crate::server::ParseError> {
        let mut budget = crate::server::source::Budget::default();
        // Opened only as a regular file: a FIFO named here must not block before the read
        // below refuses it.
        let bom = crate::input_file::open_regular(path).ok().and_then(|f| {
            use std::io::Read;
            let mut head = [0u8; 3];
            f.take(3)
                .read_exact(&mut head)
                .ok()
                .map(|()| head == *b"\xEF\xBB\xBF")
        });
        let bytes = crate::server::source::read(path, None, &mut budget)?;
        let mut file = Self::parse(&bytes);
        if bom == Some(true) {
            file.malformed.insert(0, Malformed {
                line: 1,
                col: 1,
                issue: LineIssue::Bom,
                message: "the file starts with a UTF-8 byte order mark: the first user's name carries it and never matches".to_owned(),
                harmless_for: Vec::new(),
            });
            if let Some(first) = file.entries.first_mut() {
                first.user.insert(0, '\u{feff}');
            }
        }
        Ok(file)
    }

    /// Parses the text of a user file (a leading BOM already removed by the reader).
    pub fn parse(bytes: &[u8]) -> Self {
        let mut out = Self::default();
        for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
            out.line(i + 1, raw);
        }
        out
    }

    fn bad(
        &mut self,
        line: usize,
        col: usize,
        issue: LineIssue,
        message: String,
        harmless_for: Vec<Target>,
    ) {
        self.malformed.push(Malformed {
            line,
            col,
            issue,
            message,
            harmless_for,
        });
    }

    fn line(&mut self, n: usize, raw: &[u8]) {
        let mut text = String::from_utf8_lossy(raw).into_owned();
        if text.ends_with('\r') {
            text.pop();
            self.bad(n, text.len() + 1, LineIssue::Crlf,
                "CRLF line ending: Apache 2.4 and nginx cut the \\r, other tools take it as part of the hash".to_owned(),
                vec![Target::Apache, Target::Nginx]);
        }
        if text.trim().is_empty() || text.starts_with('#') {
            return;
        }
        let Some(colon) = text.find(':') else {
            self.bad(
                n,
                1,
                LineIssue::MissingColon,
                "no ':' between user and hash: the line is ignored".to_owned(),
                Vec::new(),
            );
            return;
        };
        let user = &text[..colon];
        // Both servers end the hash at the next ':'; htdigest lines carry realm:hash there.
        let rest = &text[colon + 1..];
        let (hash, extra) = match rest.split_once(':') {
            Some((h, x)) => (h, Some(x.split(':').next().unwrap_or_default())),
            None => (rest, None),
        };
        if user.is_empty() {
            self.bad(
                n,
                1,
                LineIssue::EmptyUser,
                "empty user name before ':'".to_owned(),
                Vec::new(),
            );
            return;
        }
        if user != user.trim() || user.contains(char::is_whitespace) {
            self.bad(n, 1, LineIssue::Whitespace,
                format!("spaces in the user name \"{user}\": the server compares them too, so \"{}\" never matches", user.trim()),
                Vec::new());
        }
        if hash != hash.trim() && extra.is_none() {
            let col = colon
                + 2
                + if hash.starts_with(char::is_whitespace) {
                    0
                } else {
                    hash.trim_end().len()
                };
            // Apache trims the line's ends; nginx takes everything up to the line end.
            let harmless = if hash.starts_with(char::is_whitespace) {
                Vec::new()
            } else {
                vec![Target::Apache]
            };
            self.bad(
                n,
                col,
                LineIssue::Whitespace,
                "whitespace around the hash: it becomes part of the hash, so no password matches"
                    .to_owned(),
                harmless,
            );
        }
        if hash.trim().is_empty() {
            self.bad(
                n,
                colon + 2,
                LineIssue::EmptyHash,
                format!("user \"{user}\" has an empty hash"),
                Vec::new(),
            );
        }
        let digest = extra
            .map(str::trim_end)
            .filter(|x| x.len() == 32 && x.bytes().all(|b| b.is_ascii_hexdigit()));
        let realm = digest.map(|_| hash.to_owned());
        if let Some(first) = self
            .entries
            .iter()
            .find(|e| e.user == user && e.realm == realm)
        {
            let first_line = first.line;
            self.bad(n, 1, LineIssue::DuplicateUser,
                format!("user \"{user}\" again (first at line {first_line}): the servers use the first entry only"),
                Vec::new());
            return;
        }
        let (hash, format) = if let Some(ha1) = digest {
            (ha1.to_ascii_lowercase(), HashFormat::DigestMd5)
        } else {
            let h = if hash.starts_with(char::is_whitespace) {
                hash
            } else {
                hash.trim_end()
            };
            (h.to_owned(), HashFormat::detect(h))
        };
        // A stray quote is why a hash looks cut or too long: name it first.
        let broken = quoted(user, &hash).or_else(|| hash::defect(format, &hash));
        self.entries.push(Entry {
            user: user.to_owned(),
            hash,
            line: n,
            format,
            realm,
            broken,
        });
    }

    /// The entry the server uses for `user` (the first).
    pub fn find(&self, user: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.user == user)
    }

    /// The entry Apache's Digest auth uses: the first line with this user and realm
    /// (`get_realm_hash()` in mod_authn_file).
    pub(crate) fn find_digest(&self, user: &str, realm: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.user == user && e.realm.as_deref() == Some(realm))
    }
}

/// A quote left around a name or hash by an env file or a YAML value: the server takes it
/// literally, so the name or the hash never matches.
fn quoted(user: &str, hash: &str) -> Option<String> {
    let quote = |s: &str| s.starts_with(['"', '\'']) || s.ends_with(['"', '\'']);
    if quote(user) {
        Some(format!(
            "the user name {user} carries a quote (left by an env file or YAML quoting): the server compares it literally, so \"{}\" is not this user",
            user.trim_matches(['"', '\''])
        ))
    } else if quote(hash) {
        Some("the hash starts or ends with a quote (left by an env file or YAML quoting): no password matches it".to_owned())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_bad_line_is_found_with_its_position() {
        let text = b"alice:$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0\r\nbob\n carol:{SHA}x\ndave: $2y$x\nalice:{SHA}y\n:nohash\neve:\n# comment\n\n";
        let f = UserFile::parse(text);
        let issues: Vec<(usize, LineIssue)> =
            f.malformed.iter().map(|m| (m.line, m.issue)).collect();
        assert_eq!(
            issues,
            vec![
                (1, LineIssue::Crlf),
                (2, LineIssue::MissingColon),
                (3, LineIssue::Whitespace),
                (4, LineIssue::Whitespace),
                (5, LineIssue::DuplicateUser),
                (6, LineIssue::EmptyUser),
                (7, LineIssue::EmptyHash),
            ]
        );
        assert_eq!(f.find("alice").unwrap().line, 1);
        assert_eq!(f.find("alice").unwrap().verify("secret"), Some(true));
        assert_eq!(f.find("alice").unwrap().format, HashFormat::Apr1);
    }

    #[test]
    fn debug_output_never_shows_the_hash() {
        let f = UserFile::parse(b"u:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n");
        let dbg = format!("{f:?}");
        assert!(!dbg.contains("5en6G6"), "{dbg}");
        assert!(dbg.contains("[hash len=33"));
    }
}
