//! Hash formats of htpasswd files, which server verifies which, and verification.

use base64::Engine as _;
use md5::{Digest as _, Md5};
use serde::Serialize;
use sha1::Sha1;

use super::Target;

/// A password hash format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HashFormat {
    /// `$2y$`, `$2a$`, `$2b$`.
    Bcrypt,
    /// `$apr1$` (Apache's MD5).
    Apr1,
    /// `$1$` MD5-crypt.
    Md5Crypt,
    /// `$5$` SHA-256-crypt.
    Sha256Crypt,
    /// `$6$` SHA-512-crypt.
    Sha512Crypt,
    /// `$y$` yescrypt.
    Yescrypt,
    /// `{SHA}` base64 SHA-1.
    Sha1,
    /// `{SSHA}` salted SHA-1.
    Ssha,
    /// `{PLAIN}` (nginx only).
    PlainTagged,
    /// 13-character traditional DES crypt.
    Des,
    /// Anything else: taken as plain text.
    Plain,
    /// An htdigest `user:realm:md5(user:realm:password)` line (Apache Digest auth only).
    DigestMd5,
}

impl HashFormat {
    pub(crate) fn detect(hash: &str) -> Self {
        let des = hash.len() == 13
            && hash
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/');
        match hash {
            h if h.starts_with("$2y$") || h.starts_with("$2a$") || h.starts_with("$2b$") => {
                Self::Bcrypt
            }
            h if h.starts_with("$apr1$") => Self::Apr1,
            h if h.starts_with("$1$") => Self::Md5Crypt,
            h if h.starts_with("$5$") => Self::Sha256Crypt,
            h if h.starts_with("$6$") => Self::Sha512Crypt,
            h if h.starts_with("$y$") => Self::Yescrypt,
            h if h.starts_with("{SHA}") => Self::Sha1,
            h if h.starts_with("{SSHA}") => Self::Ssha,
            h if h.starts_with("{PLAIN}") => Self::PlainTagged,
            _ if des => Self::Des,
            _ => Self::Plain,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Bcrypt => "bcrypt",
            Self::Apr1 => "apr1 (Apache MD5)",
            Self::Md5Crypt => "MD5-crypt $1$",
            Self::Sha256Crypt => "SHA-256-crypt $5$",
            Self::Sha512Crypt => "SHA-512-crypt $6$",
            Self::Yescrypt => "yescrypt $y$",
            Self::Sha1 => "{SHA} (unsalted SHA-1)",
            Self::Ssha => "{SSHA} (salted SHA-1)",
            Self::PlainTagged => "{PLAIN} plain text",
            Self::Des => "DES crypt",
            Self::Plain => "plain text",
            Self::DigestMd5 => "htdigest (Digest MD5)",
        }
    }

    /// A short stable name for facts and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Self::Bcrypt => "bcrypt",
            Self::Apr1 => "apr1",
            Self::Md5Crypt => "md5-crypt",
            Self::Sha256Crypt => "sha256-crypt",
            Self::Sha512Crypt => "sha512-crypt",
            Self::Yescrypt => "yescrypt",
            Self::Sha1 => "sha1",
            Self::Ssha => "ssha",
            Self::PlainTagged => "plain-tagged",
            Self::Des => "des",
            Self::Plain => "plain",
            Self::DigestMd5 => "htdigest",
        }
    }

    /// Whether `target` verifies this format on Linux. Apache: apr-util handles apr1, bcrypt
    /// and {SHA} itself and hands the rest to the system crypt(); plain text only on Windows.
    /// nginx: its own apr1, {SHA}, {SSHA}, {PLAIN}; the rest through crypt() (glibc with
    /// libxcrypt on Debian: bcrypt, yescrypt, $1$/$5$/$6$ and DES).
    /// An htdigest line serves Digest auth only: Basic auth reads its realm as the hash.
    /// `Either` (server unknown) means both servers verify it.
    pub(crate) fn supported_by(self, target: Target) -> bool {
        match target {
            Target::Either => self.supported_by(Target::Apache) && self.supported_by(Target::Nginx),
            _ => !matches!(
                (self, target),
                (Self::Plain | Self::DigestMd5, _)
                    | (Self::Ssha | Self::PlainTagged, Target::Apache)
            ),
        }
    }

    /// Whether the format is weak enough to mention.
    pub fn is_weak(self) -> bool {
        matches!(
            self,
            Self::Des | Self::Plain | Self::PlainTagged | Self::Sha1 | Self::Md5Crypt
        )
    }
}

/// Checks `password` against `hash`; `None` when the format cannot be verified here.
pub fn verify(format: HashFormat, hash: &str, password: &str) -> Option<bool> {
    Some(match format {
        HashFormat::Bcrypt => pwhash::bcrypt::verify(password, hash),
        HashFormat::Apr1 => apr1_verify(password, hash),
        HashFormat::Md5Crypt => pwhash::md5_crypt::verify(password, hash),
        HashFormat::Sha256Crypt => pwhash::sha256_crypt::verify(password, hash),
        HashFormat::Sha512Crypt => pwhash::sha512_crypt::verify(password, hash),
        HashFormat::Des => pwhash::unix_crypt::verify(password, hash),
        HashFormat::Sha1 => {
            let digest = Sha1::digest(password.as_bytes());
            hash["{SHA}".len()..] == base64::engine::general_purpose::STANDARD.encode(digest)
        }
        HashFormat::Ssha => {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(&hash["{SSHA}".len()..])
                .ok()?;
            if raw.len() < 20 {
                return Some(false);
            }
            let (digest, salt) = raw.split_at(20);
            let mut h = Sha1::new();
            h.update(password.as_bytes());
            h.update(salt);
            h.finalize()[..] == *digest
        }
        HashFormat::PlainTagged => hash["{PLAIN}".len()..] == *password,
        HashFormat::Plain => hash == password,
        HashFormat::Yescrypt => return None,
        HashFormat::DigestMd5 => false,
    })
}

/// The hex `MD5(user:realm:password)` an htdigest line stores (RFC 7616 HA1).
pub(crate) fn digest_ha1(user: &str, realm: &str, password: &str) -> String {
    hex::encode(Md5::digest(format!("{user}:{realm}:{password}").as_bytes()))
}

fn crypt_chars(s: &str) -> bool {
    s.bytes().all(|b| ITOA64.contains(&b))
}

/// `salt$checksum` of a crypt hash after its `$id$`: the salt at most `salt_max` long
/// (after an optional `rounds=N$`), the checksum exactly `sum_len` crypt characters.
fn crypt_defect(rest: &str, salt_max: usize, sum_len: usize) -> Option<String> {
    let rest = match rest.strip_prefix("rounds=") {
        Some(r) => r.split_once('$').map_or("", |(_, tail)| tail),
        None => rest,
    };
    let Some((salt, sum)) = rest.split_once('$') else {
        return Some("it has no checksum after the salt (cut short)".to_owned());
    };
    if salt.len() > salt_max || !crypt_chars(salt) {
        return Some(format!("its salt is not up to {salt_max} crypt characters"));
    }
    if sum.len() != sum_len || !crypt_chars(sum) {
        return Some(format!(
            "its checksum is {} characters where {sum_len} are needed (cut short or edited)",
            sum.len()
        ));
    }
    None
}

fn sha_defect(b64: &str, min: usize, exact: bool) -> Option<String> {
    match base64::engine::general_purpose::STANDARD.decode(b64) {
        Err(_) => Some("its SHA-1 part is not valid base64".to_owned()),
        Ok(raw) if raw.len() < min || (exact && raw.len() != min) => Some(format!(
            "its SHA-1 part decodes to {} bytes where {min}{} are needed",
            raw.len(),
            if exact { "" } else { " or more" }
        )),
        Ok(_) => None,
    }
}

/// Why no password can match this hash, if none can: a hash cut short, not valid base64,
/// or escaped for a compose file (`$$apr1$$`). Both servers answer 401 to every password.
pub(crate) fn defect(format: HashFormat, hash: &str) -> Option<String> {
    if hash.starts_with("$$") {
        return Some("the hash starts with \"$$\": the compose-file escaping of \"$\" was written into the file (docker-compose turns $$ into $, the file itself must hold single $)".to_owned());
    }
    let why = match format {
        HashFormat::Apr1 => crypt_defect(&hash["$apr1$".len()..], 8, 22),
        HashFormat::Md5Crypt => crypt_defect(&hash["$1$".len()..], 8, 22),
        HashFormat::Sha256Crypt => crypt_defect(&hash["$5$".len()..], 16, 43),
        HashFormat::Sha512Crypt => crypt_defect(&hash["$6$".len()..], 16, 86),
        HashFormat::Bcrypt => {
            let tail = &hash[4..];
            let ok = tail.len() == 56
                && tail.as_bytes()[..2].iter().all(u8::is_ascii_digit)
                && tail.as_bytes()[2] == b'$'
                && crypt_chars(&tail[3..]);
            (!ok).then(|| {
                "it is not a cost, '$' and 53 bcrypt characters (cut short or edited)".to_owned()
            })
        }
        HashFormat::Sha1 => sha_defect(&hash["{SHA}".len()..], 20, true),
        HashFormat::Ssha => sha_defect(&hash["{SSHA}".len()..], 20, false),
        HashFormat::Plain if hash.starts_with('$') => {
            Some("it starts like a crypt hash ($id$...) but no server knows its form".to_owned())
        }
        _ => None,
    }?;
    Some(format!("the {} hash is broken: {why}", format.label()))
}

const ITOA64: &[u8; 64] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn to64(out: &mut String, mut v: u32, n: usize) {
    for _ in 0..n {
        out.push(char::from(ITOA64[(v & 0x3f) as usize]));
        v >>= 6;
    }
}

/// Apache's `$apr1$`: MD5-crypt (Poul-Henning Kamp's) with another magic string.
fn apr1_verify(password: &str, hash: &str) -> bool {
    let Some(rest) = hash.strip_prefix("$apr1$") else {
        return false;
    };
    let salt = rest.split('$').next().unwrap_or_default();
    let salt = &salt.as_bytes()[..salt.len().min(8)];
    md5_crypt(password.as_bytes(), salt, b"$apr1$") == hash
}

fn md5_crypt(pw: &[u8], salt: &[u8], magic: &[u8]) -> String {
    let alt = Md5::new()
        .chain_update(pw)
        .chain_update(salt)
        .chain_update(pw)
        .finalize();
    let mut ctx = Md5::new()
        .chain_update(pw)
        .chain_update(magic)
        .chain_update(salt);
    let mut left = pw.len();
    while left > 0 {
        ctx.update(&alt[..left.min(16)]);
        left = left.saturating_sub(16);
    }
    let mut i = pw.len();
    while i > 0 {
        if i & 1 == 1 {
            ctx.update([0u8]);
        } else {
            ctx.update(&pw[..1]);
        }
        i >>= 1;
    }
    let mut fin = ctx.finalize();
    for round in 0..1000 {
        let mut c = Md5::new();
        if round & 1 == 1 {
            c.update(pw);
        } else {
            c.update(fin);
        }
        if round % 3 != 0 {
            c.update(salt);
        }
        if round % 7 != 0 {
            c.update(pw);
        }
        if round & 1 == 1 {
            c.update(fin);
        } else {
            c.update(pw);
        }
        fin = c.finalize();
    }
    let mut out = String::from_utf8_lossy(magic).into_owned();
    out.push_str(&String::from_utf8_lossy(salt));
    out.push('$');
    for (a, b, c) in [(0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)] {
        to64(
            &mut out,
            (u32::from(fin[a]) << 16) | (u32::from(fin[b]) << 8) | u32::from(fin[c]),
            4,
        );
    }
    to64(&mut out, u32::from(fin[11]), 2);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors made with openssl passwd and the real htpasswd, password "secret".
    #[test]
    fn every_supported_format_verifies() {
        let cases = [
            ("$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0", HashFormat::Apr1),
            ("$1$abc$iCQ2D3nhptRYi27fDYv2s1", HashFormat::Md5Crypt),
            ("{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=", HashFormat::Sha1),
            (
                "$2y$04$xd..6mfujYExEQWvLe8ttOcLq.caP1DEXEtI91I4BuxiQFo40elG6",
                HashFormat::Bcrypt,
            ),
            ("0WxyhlJeYJSmE", HashFormat::Des),
            (
                "$5$gkKg3JDJ.IStrbA0$ecDpciW1rdFcpGrJ6d/SbNKbqvxnzwDdEmoigt2NCL8",
                HashFormat::Sha256Crypt,
            ),
            (
                "$6$LrmiLfwF3zSx8rIM$QNJr0kmHKFzOazsRw2cE.K1IWgnJGlqHiOdZEjG5yfSQcD.HA3vXoTyG3qn3N5AZ8atrsCt/ArlS.f9VbKiYu0",
                HashFormat::Sha512Crypt,
            ),
            ("{PLAIN}secret", HashFormat::PlainTagged),
            ("secret", HashFormat::Plain),
        ];
        for (hash, format) in cases {
            assert_eq!(HashFormat::detect(hash), format, "{hash}");
            assert_eq!(verify(format, hash, "secret"), Some(true), "{hash}");
            assert_eq!(verify(format, hash, "Secret"), Some(false), "{hash}");
        }
    }

    #[test]
    fn ssha_verifies_with_its_salt() {
        let salt = b"NaCl";
        let mut h = Sha1::new();
        h.update(b"secret");
        h.update(salt);
        let mut raw = h.finalize().to_vec();
        raw.extend_from_slice(salt);
        let hash = format!(
            "{{SSHA}}{}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        );
        assert_eq!(verify(HashFormat::Ssha, &hash, "secret"), Some(true));
        assert_eq!(verify(HashFormat::Ssha, &hash, "nope"), Some(false));
        assert_eq!(verify(HashFormat::Ssha, "{SSHA}!!", "x"), None);
    }

    #[test]
    fn broken_hashes_are_named_and_good_ones_are_not() {
        // Made by htpasswd -m / -s and openssl passwd -1 / -5 / -6, then damaged.
        let good = [
            "$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0",
            "$1$abc$iCQ2D3nhptRYi27fDYv2s1",
            "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",
            "$2y$04$xd..6mfujYExEQWvLe8ttOcLq.caP1DEXEtI91I4BuxiQFo40elG6",
            "$5$gkKg3JDJ.IStrbA0$ecDpciW1rdFcpGrJ6d/SbNKbqvxnzwDdEmoigt2NCL8",
            "$5$rounds=5000$gkKg3JDJ.IStrbA0$ecDpciW1rdFcpGrJ6d/SbNKbqvxnzwDdEmoigt2NCL8",
            "0WxyhlJeYJSmE",
        ];
        for h in good {
            assert_eq!(defect(HashFormat::detect(h), h), None, "{h}");
        }
        let broken = [
            "$1$",
            "$apr1$saltsalt$LrttParrLPdxvgutaSXW",
            "$$apr1$$saltsalt$$LrttParrLPdxvgutaSXWJ0",
            "{SHA}5en6G6MezRroT3XKqkdPOmY/Bf",
            "{SHA}!!!",
            "{SSHA}c2hvcnQ=",
            "$2y$04$xd..6mfujYExEQWvLe8ttOcLq",
            "$6$salt",
            "$x$whatever",
        ];
        for h in broken {
            assert!(defect(HashFormat::detect(h), h).is_some(), "{h}");
        }
    }

    #[test]
    fn htdigest_ha1_matches_rfc_7616_and_the_real_htdigest() {
        // RFC 2617 section 3.5: Mufasa / testrealm@host.com / Circle Of Life.
        assert_eq!(
            digest_ha1("Mufasa", "testrealm@host.com", "Circle Of Life"),
            "939e7578ed9e3c518a452acee763bce9"
        );
    }

    #[test]
    fn support_matrix() {
        assert!(!HashFormat::Ssha.supported_by(Target::Apache));
        assert!(HashFormat::Ssha.supported_by(Target::Nginx));
        assert!(!HashFormat::Plain.supported_by(Target::Nginx));
        assert!(HashFormat::Bcrypt.supported_by(Target::Nginx));
    }
}
