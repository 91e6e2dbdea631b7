//! Getting a ticket out: the clipboard (arboard), the terminal's clipboard (plain OSC 52,
//! which tmux takes with `set-clipboard on`; screen needs its passthrough), or a file as the
//! last resort. The caller is told which one worked, and what was tried before it. A terminal
//! may silently refuse OSC 52, so the ticket is saved to a file as well when it is used.

use std::io::{IsTerminal as _, Write};
use std::path::{Path, PathBuf};

use crate::report::TicketFormat;
use crate::report::ticket::Ticket;

/// Terminals cap what an OSC 52 sequence may carry (xterm, tmux and kitty around 100 kB);
/// past that the copy would silently fail, so a file is written instead.
pub(crate) const OSC52_MAX_BASE64: usize = 100_000;

/// How the ticket got out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Clipboard,
    /// Sent with OSC 52; the file it was also saved to, if saving worked.
    Osc52(Option<PathBuf>),
    Saved(PathBuf),
}

impl std::fmt::Display for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Clipboard => f.write_str("copied to clipboard"),
            Self::Osc52(saved) => {
                f.write_str(
                    "sent to the terminal's clipboard (OSC 52); the terminal may refuse it",
                )?;
                match saved {
                    Some(p) => write!(f, ", so it is also saved to {}", p.display()),
                    None => f.write_str(" (saving a copy to a file failed)"),
                }
            }
            Self::Saved(p) => write!(f, "saved to {}", p.display()),
        }
    }
}

/// A terminal multiplexer between why401 and the terminal. tmux takes a plain OSC 52 itself
/// (`set-clipboard on`, its default `external` passes it on too); its DCS passthrough is off by
/// default since 3.3, so it is never used. screen knows no OSC 52 and must pass it through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Multiplexer {
    None,
    Tmux,
    Screen,
}

impl Multiplexer {
    /// tmux sets `TMUX`; screen sets `STY` (its `TERM` starts with `screen`, as tmux's may).
    pub fn from_env(tmux: Option<&str>, sty: Option<&str>, term: Option<&str>) -> Self {
        if tmux.is_some_and(|v| !v.is_empty()) {
            Self::Tmux
        } else if sty.is_some_and(|v| !v.is_empty())
            || term.is_some_and(|t| t.starts_with("screen"))
        {
            Self::Screen
        } else {
            Self::None
        }
    }
}

/// The bytes that ask the terminal to put `text` on the clipboard.
pub(crate) fn osc52_sequence(text: &str, mux: Multiplexer) -> Vec<u8> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let seq = match mux {
        Multiplexer::None | Multiplexer::Tmux => format!("\x1b]52;c;{b64}\x07"),
        // screen limits a DCS string to 768 bytes: the payload goes in chunks of 76.
        Multiplexer::Screen => {
            let chunks: Vec<&str> = b64
                .as_bytes()
                .chunks(76)
                .map(|c| std::str::from_utf8(c).unwrap_or_default())
                .collect();
            format!("\x1bP\x1b]52;c;{}\x07\x1b\\", chunks.join("\x1b\\\x1bP"))
        }
    };
    seq.into_bytes()
}

/// Copies tickets out. Keeps the clipboard open while it lives: on X11 the copied text is
/// served by this process, so a long-lived caller (the wizard) keeps one.
pub struct Deliverer {
    clipboard: Option<arboard::Clipboard>,
    clipboard_error: Option<String>,
    terminal: Option<(Box<dyn Write + Send>, Multiplexer)>,
    dir: PathBuf,
}

impl std::fmt::Debug for Deliverer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deliverer")
            .field("clipboard", &self.clipboard.is_some())
            .field("terminal", &self.terminal.as_ref().map(|t| t.1))
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Deliverer {
    /// Uses the system clipboard if there is one, else the terminal on stderr if it is one;
    /// files go to `dir`.
    pub fn from_env(dir: &Path) -> Self {
        let (clipboard, clipboard_error) = match arboard::Clipboard::new() {
            Ok(c) => (Some(c), None),
            Err(e) => (None, Some(one_line(&e.to_string()))),
        };
        let terminal = std::io::stderr().is_terminal().then(|| {
            let mux = Multiplexer::from_env(
                std::env::var("TMUX").ok().as_deref(),
                std::env::var("STY").ok().as_deref(),
                std::env::var("TERM").ok().as_deref(),
            );
            (Box::new(std::io::stderr()) as Box<dyn Write + Send>, mux)
        });
        Self {
            clipboard,
            clipboard_error,
            terminal,
            dir: dir.to_path_buf(),
        }
    }

    /// No clipboard, no terminal: only files (for tests and `--report`-only runs).
    pub fn files_only(dir: &Path) -> Self {
        Self {
            clipboard: None,
            clipboard_error: Some("not used".to_owned()),
            terminal: None,
            dir: dir.to_path_buf(),
        }
    }

    /// Sends OSC 52 to `out` when the clipboard fails.
    #[must_use]
    pub fn with_terminal(mut self, out: Box<dyn Write + Send>, mux: Multiplexer) -> Self {
        self.terminal = Some((out, mux));
        self
    }

    /// Copies `text` the first way that works; the error names every way tried.
    pub fn deliver(&mut self, text: &str) -> Result<Delivery, DeliveryError> {
        let mut tried = Vec::new();
        match self.clipboard.as_mut().map(|c| c.set_text(text.to_owned())) {
            Some(Ok(())) => return Ok(Delivery::Clipboard),
            Some(Err(e)) => tried.push(format!("clipboard: {}", one_line(&e.to_string()))),
            None => tried.push(format!(
                "clipboard: {}",
                self.clipboard_error.as_deref().unwrap_or("none")
            )),
        }
        match self.terminal.as_mut() {
            Some((out, mux)) => {
                let seq = osc52_sequence(text, *mux);
                if seq.len() > OSC52_MAX_BASE64 {
                    tried.push("terminal: the ticket is too long for OSC 52".to_owned());
                } else {
                    match out.write_all(&seq).and_then(|()| out.flush()) {
                        Ok(()) => return Ok(Delivery::Osc52(save_new(&self.dir, "md", text).ok())),
                        Err(e) => tried.push(format!("terminal: {e}")),
                    }
                }
            }
            None => tried.push("terminal: not a terminal".to_owned()),
        }
        match save_new(&self.dir, "md", text) {
            Ok(path) => Ok(Delivery::Saved(path)),
            Err((path, e)) => Err(DeliveryError {
                path,
                source: e,
                tried,
            }),
        }
    }

    /// The copy on the clipboard as the clipboard has it now (for checking a copy).
    pub fn clipboard_text(&mut self) -> Option<String> {
        self.clipboard.as_mut()?.get_text().ok()
    }
}

/// Nothing worked: not even saving the file.
#[derive(Debug, thiserror::Error)]
#[error("could not copy or save the ticket: saving to {} failed: {source} (also tried {})", path.display(), tried.join("; "))]
pub struct DeliveryError {
    pub path: PathBuf,
    pub source: std::io::Error,
    pub tried: Vec<String>,
}

/// Copies `text` to the clipboard, else via the terminal, else saves it in `dir`.
pub fn deliver(text: &str, dir: &Path) -> std::io::Result<Delivery> {
    Deliverer::from_env(dir)
        .deliver(text)
        .map_err(|e| std::io::Error::new(e.source.kind(), e.to_string()))
}

/// Saves `text` as `why401-ticket-YYYYMMDD-HHMMSS.EXT` in `dir`, never over an existing file
/// (a suffix `-2`, `-3`... is added instead).
pub(crate) fn save_new(
    dir: &Path,
    ext: &str,
    text: &str,
) -> Result<PathBuf, (PathBuf, std::io::Error)> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let mut last = (dir.join(format!("why401-ticket-{stamp}.{ext}")), None);
    for n in 1..100 {
        let name = if n == 1 {
            format!("why401-ticket-{stamp}.{ext}")
        } else {
            format!("why401-ticket-{stamp}-{n}.{ext}")
        };
        let path = dir.join(name);
        let result = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()));
        match result {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = (path, Some(e)),
            Err(e) => {
                let _ = std::fs::remove_file(&path);
                return Err((path, e));
            }
        }
    }
    let (path, e) = last;
    Err((
        path,
        e.unwrap_or_else(|| std::io::Error::other("too many tickets this second")),
    ))
}

/// Writing `--report FILE` failed; the ticket itself is still here to show and copy.
#[derive(Debug, thiserror::Error)]
#[error("could not write the ticket to {}: {source}", path.display())]
pub struct WriteReportError {
    pub path: PathBuf,
    pub source: std::io::Error,
    /// The rendered ticket, to print or copy instead.
    pub rendered: String,
}

/// Renders `ticket` as `format` and writes it to `path` (through a temporary file, so a
/// full disk leaves any older file whole). Returns the rendered text either way.
pub fn write_report(
    path: &Path,
    format: TicketFormat,
    ticket: &Ticket,
) -> Result<String, Box<WriteReportError>> {
    let rendered = ticket.render(format);
    match write_atomically(path, rendered.as_bytes()) {
        Ok(()) => Ok(rendered),
        Err(source) => Err(Box::new(WriteReportError {
            path: path.to_path_buf(),
            source,
            rendered,
        })),
    }
}

/// Writes through `FILE.why401-tmp` and a rename; the temporary file is removed on failure.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if path.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a directory",
        ));
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".why401-tmp");
    let tmp = PathBuf::from(tmp);
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_bytes_are_exact() {
        assert_eq!(
            osc52_sequence("hi", Multiplexer::None),
            b"\x1b]52;c;aGk=\x07"
        );
        assert_eq!(
            osc52_sequence("hi", Multiplexer::Tmux),
            b"\x1b]52;c;aGk=\x07"
        );
        assert_eq!(
            osc52_sequence("hi", Multiplexer::Screen),
            b"\x1bP\x1b]52;c;aGk=\x07\x1b\\"
        );
    }

    #[test]
    fn screen_gets_the_payload_in_chunks_of_76() {
        let text = "x".repeat(120); // 160 base64 characters: chunks of 76, 76, 8
        let seq = String::from_utf8(osc52_sequence(&text, Multiplexer::Screen)).unwrap_or_default();
        let b64 = "eHh4".repeat(40);
        let expected = format!(
            "\x1bP\x1b]52;c;{}\x1b\\\x1bP{}\x1b\\\x1bP{}\x07\x1b\\",
            &b64[..76],
            &b64[76..152],
            &b64[152..]
        );
        assert_eq!(seq, expected);
    }

    #[test]
    fn multiplexer_is_told_by_the_environment() {
        use Multiplexer::{None as Plain, Screen, Tmux};
        assert_eq!(
            Multiplexer::from_env(Some("/tmp/tmux-1/default,1,0"), None, Some("screen")),
            Tmux
        );
        assert_eq!(
            Multiplexer::from_env(None, Some("1234.pts-0"), Some("screen")),
            Screen
        );
        assert_eq!(
            Multiplexer::from_env(None, None, Some("screen.xterm-256color")),
            Screen
        );
        assert_eq!(
            Multiplexer::from_env(Some(""), None, Some("xterm-256color")),
            Plain
        );
    }
}
