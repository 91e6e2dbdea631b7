//! Tab completion of file paths in path fields, as a shell completes them.

use std::path::{MAIN_SEPARATOR, Path};

use crate::tui::field::LineEdit;

/// What Tab found for a typed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Completion {
    /// One entry matches: its full path (a folder ends with the separator).
    Unique(String),
    /// Several match: their longest common start, and their names (folders with the
    /// separator), sorted.
    Several { common: String, names: Vec<String> },
    /// Nothing matches, or the folder cannot be read.
    None,
}

/// Names listed after "N matches:" before the rest is cut.
const LISTED: usize = 6;

/// `~` and `~/…` as the home folder, as a shell reads them; anything else as typed.
pub(crate) fn expand_home(typed: &str) -> std::borrow::Cow<'_, str> {
    let rest = match typed.strip_prefix('~') {
        Some(r) if r.is_empty() || r.starts_with(MAIN_SEPARATOR) => r,
        _ => return typed.into(),
    };
    match std::env::var_os("HOME").and_then(|h| h.into_string().ok()) {
        Some(home) if !home.is_empty() => {
            let home = home.trim_end_matches(MAIN_SEPARATOR);
            let rest = if rest.is_empty() {
                MAIN_SEPARATOR.to_string()
            } else {
                rest.to_owned()
            };
            format!("{home}{rest}").into()
        }
        _ => typed.into(),
    }
}

/// Tab in a path field: completes `field` as far as the matches agree. Returns what to tell
/// the person: the matches when several remain, or that none does.
pub(crate) fn tab(field: &mut LineEdit) -> Option<String> {
    let typed = field.text().to_owned();
    let (path, message) = match complete(&typed) {
        Completion::Unique(path) => (path, None),
        Completion::Several { common, names } => {
            let mut shown: Vec<&str> = names.iter().take(LISTED).map(String::as_str).collect();
            if names.len() > LISTED {
                shown.push("…");
            }
            let list = format!("{} matches: {}", names.len(), shown.join("  "));
            (common, Some(list))
        }
        Completion::None => (
            typed.clone(),
            Some("no file or folder starts like that".to_owned()),
        ),
    };
    if path != typed {
        *field = LineEdit::new(&path, false);
    }
    message
}

/// Where a server's configuration usually lives, for a path input named after it: the first
/// that exists here is offered in the field.
pub(crate) fn usual_location(input_id: &str) -> Option<&'static str> {
    let id = input_id.to_ascii_lowercase();
    let places: &[&str] = if id.contains("nginx") {
        &["/etc/nginx/nginx.conf"]
    } else if id.contains("htaccess") || id.contains("apache") {
        &["/etc/apache2/apache2.conf", "/etc/httpd/conf/httpd.conf"]
    } else {
        &[]
    };
    places.iter().copied().find(|p| Path::new(p).is_file())
}

/// Completes `typed` against the entries of its folder (the current one for a bare name);
/// a leading `~` is the home folder.
pub(crate) fn complete(typed: &str) -> Completion {
    let typed = expand_home(typed);
    let typed = typed.as_ref();
    let (dir, stem) = match typed.rfind(MAIN_SEPARATOR) {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let listed = if dir.is_empty() {
        Path::new(".")
    } else {
        Path::new(dir)
    };
    let Ok(entries) = std::fs::read_dir(listed) else {
        return Completion::None;
    };
    let mut names: Vec<(String, bool)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            // Hidden entries only when asked for with a leading dot.
            let wanted =
                name.starts_with(stem) && (stem.starts_with('.') || !name.starts_with('.'));
            wanted.then(|| (name, e.path().is_dir()))
        })
        .collect();
    names.sort();
    match names.as_slice() {
        [] => Completion::None,
        [(name, is_dir)] => {
            let tail = if *is_dir {
                MAIN_SEPARATOR.to_string()
            } else {
                String::new()
            };
            Completion::Unique(format!("{dir}{name}{tail}"))
        }
        [(first, _), rest @ ..] => {
            let mut common = first.len();
            for (name, _) in rest {
                common = first
                    .char_indices()
                    .zip(name.chars())
                    .take_while(|((_, a), b)| a == b)
                    .last()
                    .map_or(0, |((i, a), _)| i + a.len_utf8())
                    .min(common);
            }
            Completion::Several {
                common: format!("{dir}{}", &first[..common]),
                names: names
                    .iter()
                    .map(|(n, is_dir)| {
                        if *is_dir {
                            format!("{n}{MAIN_SEPARATOR}")
                        } else {
                            n.clone()
                        }
                    })
                    .collect(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn completes_like_a_shell() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().display().to_string();
        std::fs::write(dir.path().join("access.log"), "").unwrap();
        std::fs::write(dir.path().join("access.log.1"), "").unwrap();
        std::fs::write(dir.path().join("error.log"), "").unwrap();
        std::fs::create_dir(dir.path().join("conf.d")).unwrap();
        let sep = MAIN_SEPARATOR;
        assert_eq!(
            complete(&format!("{base}{sep}e")),
            Completion::Unique(format!("{base}{sep}error.log"))
        );
        assert_eq!(
            complete(&format!("{base}{sep}co")),
            Completion::Unique(format!("{base}{sep}conf.d{sep}"))
        );
        assert_eq!(
            complete(&format!("{base}{sep}a")),
            Completion::Several {
                common: format!("{base}{sep}access.log"),
                names: vec!["access.log".into(), "access.log.1".into()],
            }
        );
        assert_eq!(
            complete(&format!("{base}{sep}")),
            Completion::Several {
                common: format!("{base}{sep}"),
                names: vec![
                    "access.log".into(),
                    "access.log.1".into(),
                    format!("conf.d{sep}"),
                    "error.log".into()
                ],
            }
        );
        assert_eq!(complete(&format!("{base}{sep}zz")), Completion::None);
        assert_eq!(
            complete(&format!("{base}{sep}nothere{sep}x")),
            Completion::None
        );
    }

    #[test]
    fn tab_fills_the_common_start_and_lists_the_matches() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().display().to_string();
        let sep = MAIN_SEPARATOR;
        for name in ["site-a.conf", "site-b.conf"] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let mut field = LineEdit::new(&format!("{base}{sep}s"), false);
        let said = tab(&mut field);
        assert_eq!(field.text(), format!("{base}{sep}site-"));
        assert_eq!(said.as_deref(), Some("2 matches: site-a.conf  site-b.conf"));
        let mut field = LineEdit::new(&format!("{base}{sep}q"), false);
        assert_eq!(
            tab(&mut field).as_deref(),
            Some("no file or folder starts like that")
        );
        assert_eq!(field.text(), format!("{base}{sep}q"));
    }

    #[test]
    fn a_leading_tilde_is_the_home_folder() {
        let Some(home) = std::env::var_os("HOME").and_then(|h| h.into_string().ok()) else {
            return;
        };
        let home = home.trim_end_matches(MAIN_SEPARATOR).to_owned();
        let sep = MAIN_SEPARATOR;
        assert_eq!(expand_home("~"), format!("{home}{sep}"));
        assert_eq!(expand_home("~/x.conf"), format!("{home}{sep}x.conf"));
        assert_eq!(expand_home("~bob/x"), "~bob/x");
        assert_eq!(expand_home("/etc/~"), "/etc/~");
    }
}
