//! Reading configuration files within bounds, and expanding include patterns the way the
//! servers do (sorted glob matches; a glob that matches nothing is not an error).

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{FILE_LIMIT, INCLUDE_LIMIT, ParseError, Pos, TREE_LIMIT};

/// What one include tree may still read.
#[derive(Debug, Clone)]
pub struct Budget {
    bytes: u64,
    files: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            bytes: TREE_LIMIT,
            files: INCLUDE_LIMIT,
        }
    }
}

/// Reads a whole configuration file: bounded in size, refusing binary data, BOM stripped.
/// `from` is the directive that pulled the file in, for the error position.
pub fn read(path: &Path, from: Option<&Pos>, budget: &mut Budget) -> Result<Vec<u8>, ParseError> {
    let here = || from.cloned().unwrap_or_else(|| Pos::new(path, 1, 1));
    if budget.files == 0 {
        return Err(ParseError::new(
            here(),
            format!("more than {INCLUDE_LIMIT} files included; stopping"),
        ));
    }
    budget.files -= 1;
    // A FIFO or a device named by an include would block or never end: refused unread.
    if let Err(e @ crate::input_file::InputFileError::NotRegular { .. }) =
        crate::input_file::check_regular(path)
        && !path.is_dir()
    {
        return Err(ParseError::new(here(), e.to_string()));
    }
    let file = std::fs::File::open(path).map_err(|e| {
        ParseError::new(
            here(),
            format!("cannot open \"{}\": {}", path.display(), io_reason(&e)),
        )
    })?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(ParseError::new(
            here(),
            format!("\"{}\" is a directory, not a file", path.display()),
        ));
    }
    let limit = FILE_LIMIT.min(budget.bytes);
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ParseError::new(here(), format!("cannot read: {}", io_reason(&e))))?;
    if bytes.len() as u64 > limit {
        let what = if limit < FILE_LIMIT {
            format!(
                "the files included add up to more than {} MiB",
                TREE_LIMIT >> 20
            )
        } else {
            format!("file is larger than {} MiB", FILE_LIMIT >> 20)
        };
        return Err(ParseError::new(
            Pos::new(path, 1, 1),
            format!("{what}; not a configuration file this tool will read"),
        ));
    }
    budget.bytes -= bytes.len() as u64;
    if let Some(at) = memchr::memchr(0, &bytes) {
        let (line, col) = line_col(&bytes, at);
        return Err(ParseError::new(
            Pos::new(path, line, col),
            "binary data (a NUL byte): not a text configuration file",
        ));
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    Ok(bytes)
}

/// 1-based line and column of byte offset `at`.
pub(crate) fn line_col(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at.min(bytes.len())];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let col = match memchr::memrchr(b'\n', before) {
        Some(nl) => at - nl,
        None => at + 1,
    };
    (line, col)
}

/// The person-readable reason of an I/O error, without the "(os error N)" noise.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_owned()
        }
    }
}

/// Whether an include argument is a glob pattern.
pub(crate) fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

/// Expands an include argument against `base`: a glob gives its sorted matches (maybe none);
/// a plain path gives itself, present or not (the caller reports a missing one). Both servers
/// glob with a leading-dot rule: `*` never matches a hidden file's leading `.` (nginx calls
/// glob(3) with no flags, Apache apr_fnmatch with APR_FNM_PERIOD); `.*` still does.
pub(crate) fn expand(pattern: &str, base: &Path, at: &Pos) -> Result<Vec<PathBuf>, ParseError> {
    let full = resolve(pattern, base);
    if !is_glob(pattern) {
        return Ok(vec![full]);
    }
    let text = full.to_string_lossy().into_owned();
    let paths = glob::glob(&text).map_err(|e| {
        ParseError::new(
            at.clone(),
            format!("bad include pattern \"{pattern}\": {e}"),
        )
    })?;
    let wanted: Vec<_> = full.components().collect();
    let shown = |p: &PathBuf| {
        p.components().zip(&wanted).all(|(got, want)| {
            !got.as_os_str().to_string_lossy().starts_with('.')
                || want.as_os_str().to_string_lossy().starts_with('.')
        })
    };
    let mut out: Vec<PathBuf> = paths
        .filter_map(Result::ok)
        .filter(|p| p.is_file() && shown(p))
        .collect();
    out.sort();
    Ok(out)
}

/// A path as the server resolves it: absolute as is, relative against `base`.
pub fn resolve(path: &str, base: &Path) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

/// A canonical key for include-loop detection (falls back to the path as given).
pub fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let b = b"ab\ncd\n";
        assert_eq!(line_col(b, 0), (1, 1));
        assert_eq!(line_col(b, 1), (1, 2));
        assert_eq!(line_col(b, 3), (2, 1));
        assert_eq!(line_col(b, 4), (2, 2));
    }

    #[test]
    fn globs_skip_hidden_files_as_the_servers_do() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.conf", ".default.conf", "B.conf", "_x.conf"] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let at = Pos::new(Path::new("x"), 1, 1);
        let names = |pattern: &str| -> Vec<String> {
            expand(pattern, dir.path(), &at)
                .unwrap()
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        };
        // Sorted bytewise, as glob(3) and Apache's strcmp sort give them.
        assert_eq!(names("*.conf"), ["B.conf", "_x.conf", "a.conf"]);
        assert_eq!(names(".*.conf"), [".default.conf"]);
    }

    #[test]
    fn binary_and_missing_files_are_positioned_errors() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin.conf");
        std::fs::write(&bin, b"events {}\nx\0y").unwrap();
        let err = read(&bin, None, &mut Budget::default()).unwrap_err();
        assert_eq!(err.pos.line, 2);
        assert_eq!(err.pos.col, 2);
        assert!(err.message.contains("binary"));
        let missing = dir.path().join("none.conf");
        let err = read(&missing, None, &mut Budget::default()).unwrap_err();
        assert!(err.to_string().contains("no such file"), "{err}");
    }
}
