//! Where a token comes from: a file, stdin, or a masked prompt. Never the command line, where
//! shell history and `ps` would keep it. Reads are bounded so a wrong file cannot eat memory.

use std::io::{IsTerminal, Read};
use std::path::Path;

use anyhow::{Context, bail};

/// Largest token input read; JWTs are rarely over 8 KiB, and servers refuse much past that.
pub(crate) const TOKEN_LIMIT: usize = 2 * 1024 * 1024;

/// Reads at most `limit` bytes of `path` as UTF-8; a larger file is an error, not a truncation.
pub(crate) fn read_bounded_file(path: &Path, limit: usize) -> anyhow::Result<String> {
    let file = crate::input_file::open_regular(path)?;
    read_bounded(file, limit).with_context(|| format!("reading {}", path.display()))
}

/// Reads at most `limit` bytes of `path`, as bytes (HMAC secrets need not be text).
pub(crate) fn read_bounded_bytes(path: &Path, limit: usize) -> anyhow::Result<Vec<u8>> {
    let file = crate::input_file::open_regular(path)?;
    read_limited(file, limit).with_context(|| format!("reading {}", path.display()))
}

fn read_limited(reader: impl Read, limit: usize) -> anyhow::Result<Vec<u8>> {
    let mut buf = Vec::new();
    reader.take(limit as u64 + 1).read_to_end(&mut buf)?;
    if buf.len() > limit {
        bail!("more than {} KiB, too large for this input", limit / 1024);
    }
    Ok(buf)
}

/// Reads at most `limit` bytes as UTF-8.
pub(crate) fn read_bounded(reader: impl Read, limit: usize) -> anyhow::Result<String> {
    let buf = read_limited(reader, limit)?;
    String::from_utf8(buf)
        .map_err(|e| anyhow::anyhow!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))
}

/// The token named by the command's argument: '-' is stdin, anything else a file; none means a
/// masked prompt when stdin is a terminal, else stdin.
pub(crate) fn read_token(arg: Option<&str>) -> anyhow::Result<String> {
    match arg {
        Some("-") => read_bounded(std::io::stdin().lock(), TOKEN_LIMIT)
            .context("reading the token from stdin"),
        Some(path) => {
            let p = Path::new(path);
            if !p.exists() && !path.contains(['/', '\\']) {
                // It may be the token itself: never echo it back.
                bail!(
                    "{} is not a file; the token is never taken on the command line (shell history keeps it): pass '-' and paste it, or give a file",
                    crate::secret::fingerprint("argument", path)
                );
            }
            read_bounded_file(p, TOKEN_LIMIT)
        }
        None if std::io::stdin().is_terminal() => {
            prompt_masked("Token (input hidden, Enter to finish): ")
        }
        None => read_bounded(std::io::stdin().lock(), TOKEN_LIMIT)
            .context("reading the token from stdin"),
    }
}

/// Reads a secret without echo (see [`crate::secret::prompt_masked`]).
pub fn prompt_masked(prompt: &str) -> anyhow::Result<String> {
    crate::secret::prompt_masked(prompt, TOKEN_LIMIT).map(|s| s.expose().to_owned())
}
