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

/// GETs `base` joined with `uri` (no credentials) and judges the answer.
pub async fn fetch(client: &reqwest::Client, base: &str, uri: &str) -> Exposure {
    let url = match url::Url::parse(base).and_then(|b| b.join(uri.trim_start_matches('/'))) {
        Ok(u) => u.to_string(),
        Err(e) => {
            return Exposure {
                url: format!("{base}{uri}"),
                status: None,
                exposed: false,
                error: Some(format!("not a valid URL: {e}")),
            };
        }
    };
    match client.get(&url).send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let body = read_head(resp).await;
            let head = &body[..body.len().min(4096)];
            let looks = String::from_utf8_lossy(head).lines().any(|l| {
                l.split_once(':')
                    .is_some_and(|(u, h)| !u.is_empty() && !u.contains(' ') && !h.is_empty())
            });
            Exposure {
                url,
                status: Some(status),
                exposed: status == 200 && looks,
                error: None,
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

/// The first [`BODY_LIMIT`] bytes of the body; the rest is never read (dropping the response
/// closes the connection).
async fn read_head(mut resp: reqwest::Response) -> Vec<u8> {
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
    body
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
