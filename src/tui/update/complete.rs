//! Tab completion of file paths in path fields, as a shell completes them.

use std::path::{MAIN_SEPARATOR, Path};

/// What Tab found for a typed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Completion {
    /// One entry matches: its full path (a folder ends with the separator).
    Unique(String),
    /// Several match: their longest common start, and how many there are.
    Prefix(String, usize),
    /// Nothing matches, or the folder cannot be read.
    None,
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

/// Completes `typed` against the entries of its folder (the current one for a bare name).
pub(crate) fn complete(typed: &str) -> Completion {
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
            Completion::Prefix(format!("{dir}{}", &first[..common]), names.len())
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
            Completion::Prefix(format!("{base}{sep}access.log"), 2)
        );
        assert_eq!(complete(&format!("{base}{sep}zz")), Completion::None);
        assert_eq!(
            complete(&format!("{base}{sep}nothere{sep}x")),
            Completion::None
        );
    }
}
