//! Getting a ticket out: clipboard, terminal (OSC 52), or a file.

use std::path::PathBuf;

/// How the ticket got out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Clipboard,
    Osc52,
    Saved(PathBuf),
}

impl std::fmt::Display for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Clipboard => f.write_str("copied to clipboard"),
            Self::Osc52 => f.write_str("copied via terminal (OSC 52)"),
            Self::Saved(p) => write!(f, "saved to {}", p.display()),
        }
    }
}

/// Copies `text` to the clipboard, falling back to saving it in `dir`.
pub fn deliver(text: &str, dir: &std::path::Path) -> std::io::Result<Delivery> {
    if let Ok(mut cb) = arboard::Clipboard::new()
        && cb.set_text(text.to_owned()).is_ok()
    {
        return Ok(Delivery::Clipboard);
    }
    let name = format!(
        "why401-ticket-{}.md",
        chrono::Utc::now().format("%Y%m%d-%H%M%S")
    );
    let path = dir.join(name);
    std::fs::write(&path, text)?;
    Ok(Delivery::Saved(path))
}
