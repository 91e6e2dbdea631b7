//! Where secrets come from: one line of stdin, a file, or a masked prompt on a terminal.
//! Never the command line (shell history and `ps` keep it). Every read is bounded, and no
//! error message holds what was read.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, bail};

use super::Secret;

/// Largest secret read from a file or stdin: a password, token or key is far smaller.
pub const SECRET_FILE_LIMIT: u64 = 64 * 1024;

/// The first line of `reader` (at most [`SECRET_FILE_LIMIT`] bytes), without its line end.
/// A longer first line is an error, never a secret cut short (`< /dev/zero` reads 64 KiB
/// and stops).
pub fn read_secret_line(reader: impl BufRead, what: &str) -> anyhow::Result<Secret> {
    let mut line = String::new();
    reader
        .take(SECRET_FILE_LIMIT + 1)
        .read_line(&mut line)
        .with_context(|| format!("{what}: cannot read standard input as UTF-8 text"))?;
    if !line.ends_with('\n') && line.len() as u64 > SECRET_FILE_LIMIT {
        bail!(
            "{what}: the first line of standard input is longer than {} KiB; a secret is far smaller",
            SECRET_FILE_LIMIT / 1024
        );
    }
    let line = line.trim_end_matches(['\n', '\r']);
    if line.is_empty() {
        bail!("{what}: standard input held no secret");
    }
    Ok(Secret::new(line))
}

/// A secret kept in a regular file of at most [`SECRET_FILE_LIMIT`] bytes; one final line end
/// is not part of it.
pub fn read_secret_file(path: &Path, what: &str) -> anyhow::Result<Secret> {
    let text = crate::input_file::read_bounded_text(path, SECRET_FILE_LIMIT)
        .with_context(|| format!("{what}: cannot read the secret file"))?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.trim().is_empty() {
        bail!(
            "{what}: {} is empty",
            crate::sanitize::line(&path.display().to_string())
        );
    }
    Ok(Secret::new(text))
}

/// A password asked for with hidden input when stdin is a terminal; without one, an error
/// telling how to give it (an empty password is never sent in its place).
pub fn require_terminal_prompt(prompt: &str, what: &str) -> anyhow::Result<Secret> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        bail!(
            "{what}: no password given; pipe it with --password-stdin, or run on a terminal to be asked for it"
        );
    }
    prompt_masked(prompt, SECRET_FILE_LIMIT as usize)
}

/// Reads a secret without echo. Raw mode is left again even when reading fails.
pub fn prompt_masked(prompt: &str, limit: usize) -> anyhow::Result<Secret> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
    use crossterm::terminal::{disable_raw_mode, enable_raw_mode};
    let mut err = std::io::stderr();
    write!(err, "{prompt}")?;
    err.flush()?;
    enable_raw_mode().context("switching the terminal to hidden input")?;
    // A bracketed paste arrives whole, so a token wrapped over lines is not cut at its first break.
    let _ = crossterm::execute!(err, crossterm::event::EnableBracketedPaste);
    let mut secret = String::new();
    let result = loop {
        match read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err(anyhow::anyhow!("cancelled"));
                }
                KeyCode::Backspace => {
                    secret.pop();
                }
                KeyCode::Char(c) if secret.len() < limit => secret.push(c),
                _ => {}
            },
            Ok(Event::Paste(text)) if secret.len() + text.len() <= limit => {
                secret.push_str(&text);
            }
            Ok(_) => {}
            Err(e) => break Err(e.into()),
        }
    };
    let _ = crossterm::execute!(err, crossterm::event::DisableBracketedPaste);
    let _ = disable_raw_mode();
    let _ = writeln!(err);
    result.map(|()| Secret::new(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounded_and_errors_hold_no_secret() {
        let s = read_secret_line(&b"Summer2026!\r\nrest"[..], "--password-stdin").unwrap();
        assert_eq!(s.expose(), "Summer2026!");
        let e = read_secret_line(&b"\n"[..], "--password-stdin").unwrap_err();
        assert!(e.to_string().contains("no secret"));
        let long = vec![b'a'; 70 * 1024];
        let e = read_secret_line(&long[..], "--bearer-file -").unwrap_err();
        assert!(e.to_string().contains("longer than 64 KiB"), "{e}");
        assert!(!e.to_string().contains("aaaa"), "{e}");
        let at_limit = format!("{}\n", "a".repeat(64 * 1024 - 1));
        let s = read_secret_line(at_limit.as_bytes(), "--bearer-file -").unwrap();
        assert_eq!(s.len(), 64 * 1024 - 1);
        let e = read_secret_file(Path::new("/dev/zero"), "--bearer-file").unwrap_err();
        assert!(format!("{e:#}").contains("is a device"), "{e:#}");
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), "tok3n-value\n").unwrap();
        assert_eq!(
            read_secret_file(f.path(), "--bearer-file")
                .unwrap()
                .expose(),
            "tok3n-value"
        );
    }
}
