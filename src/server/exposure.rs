//! Is the user file downloadable from the live site? One GET, nothing of the body kept.

use super::{Pos, Problem, Severity};

/// What the fetch showed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Exposure {
    pub url: String,
    pub status: Option<u16>,
    /// True when the answer was 200 with user-file-looking content.
    pub exposed: bool,
    pub error: Option<String>,
}

/// GETs `base` joined with `uri` (no credentials) through `conn` and judges the answer. A
/// connection that does not decompress by itself (see [`crate::net::Connection::build`])
/// lets a decompression bomb be seen for what it is.
pub async fn fetch(conn: &crate::net::Connection, base: &str, uri: &str) -> Exposure {
    let parsed = match url::Url::parse(base).and_then(|b| b.join(uri.trim_start_matches('/'))) {
        Ok(u) => u,
        Err(e) => {
            return Exposure {
                url: format!("{base}{uri}"),
                status: None,
                exposed: false,
                error: Some(format!("not a valid URL: {e}")),
            };
        }
    };
    let url = parsed.to_string();
    match conn.request(reqwest::Method::GET, &parsed).send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let (body, refused) = match read_head(resp).await {
                Ok(body) => (body, None),
                Err(why) => (Vec::new(), Some(why)),
            };
            let head = &body[..body.len().min(4096)];
            let looks = String::from_utf8_lossy(head).lines().any(|l| {
                l.split_once(':')
                    .is_some_and(|(u, h)| !u.is_empty() && !u.contains(' ') && !h.is_empty())
            });
            Exposure {
                url,
                status: Some(status),
                exposed: status == 200 && looks && refused.is_none(),
                error: refused,
            }
        }
        Err(e) => Exposure {
            url,
            status: None,
            exposed: false,
            error: Some(crate::net::classify::classify(&e).message),
        },
    }
}

/// Most of an answer read (after decompression): a user file is far smaller, and a 2 GiB
/// body or a gzip bomb stops here instead of filling memory.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The first [`BODY_LIMIT`] bytes of the body as the server meant it; the rest is never read
/// (dropping the response closes the connection). A gzip or deflate body is inflated here,
/// bounded: one that inflates past the bound is refused, with the figures, as a
/// decompression bomb (a user file is a few KiB).
async fn read_head(mut resp: reqwest::Response) -> Result<Vec<u8>, String> {
    let encoding = resp
        .headers()
        .get(reqwest::header::CONTENT_ENCODING)
        .map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .trim()
                .to_ascii_lowercase()
        });
    let mut body = Vec::new();
    while body.len() < BODY_LIMIT {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = BODY_LIMIT - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            _ => break,
        }
    }
    match encoding.as_deref() {
        None | Some("" | "identity") => Ok(body),
        Some(e @ ("gzip" | "x-gzip" | "deflate")) => inflate(&body, e),
        Some(other) => Err(format!(
            "the answer is encoded as '{}', which why401 does not decode: not judged",
            crate::sanitize::line(other)
        )),
    }
}

/// Inflates `compressed` to at most [`BODY_LIMIT`] bytes.
fn inflate(compressed: &[u8], encoding: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let reader: Box<dyn Read + '_> = if encoding == "deflate" {
        Box::new(flate2::read::ZlibDecoder::new(compressed))
    } else {
        Box::new(flate2::read::MultiGzDecoder::new(compressed))
    };
    let mut out = Vec::new();
    // A truncated stream (the compressed bytes were cut at the bound) still gives its head.
    let _ = reader.take(BODY_LIMIT as u64 + 1).read_to_end(&mut out);
    if out.len() > BODY_LIMIT {
        return Err(format!(
            "refused: the {encoding} answer inflates past {} KiB from {} bytes sent (a decompression bomb, or not a user file); reading stopped there and nothing was judged",
            BODY_LIMIT / 1024,
            compressed.len()
        ));
    }
    Ok(out)
}

impl Exposure {
    /// The problem this fetch proves, if any.
    pub fn problem(&self, at: Option<Pos>) -> Option<Problem> {
        if !self.exposed {
            return None;
        }
        let mut p = Problem::warning(
            "user-file-downloadable",
            at,
            format!(
                "GET {} answered 200 with the user file: anyone can download the password hashes",
                self.url
            ),
            "Deny it now (nginx: location ~ /\\.ht { deny all; }, Apache: <Files \".ht*\"> Require all denied </Files>), move the file out of the web root and change every password in it.",
        );
        p.severity = Severity::Error;
        Some(p)
    }
}
