//! Every file why401 reads that a person names (or a config includes) is opened here: only
//! regular files, never a FIFO, a device or a socket (which would block or never end), and
//! never more than a stated number of bytes.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum InputFileError {
    #[error("{path}: {reason}")]
    NotRegular { path: String, reason: &'static str },
    #[error("{path}: larger than {limit} bytes, refused")]
    TooLarge { path: String, limit: u64 },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

fn shown(path: &Path) -> String {
    crate::sanitize::line(&path.display().to_string()).into_owned()
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> InputFileError + '_ {
    move |source| InputFileError::Io {
        path: shown(path),
        source,
    }
}

/// What a file type is, when it is not a regular file.
fn refusal(ft: std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if ft.is_fifo() {
            return Some(
                "is a FIFO (named pipe), not a regular file: refused, it could block forever",
            );
        }
        if ft.is_char_device() || ft.is_block_device() {
            return Some("is a device, not a regular file: refused");
        }
        if ft.is_socket() {
            return Some("is a socket, not a regular file: refused");
        }
    }
    if ft.is_dir() {
        return Some("is a directory, not a file");
    }
    (!ft.is_file()).then_some("is not a regular file: refused")
}

/// Refuses anything but a regular file (symlinks are followed), without opening it.
pub(crate) fn check_regular(path: &Path) -> Result<(), InputFileError> {
    let meta = std::fs::metadata(path).map_err(io(path))?;
    match refusal(meta.file_type()) {
        Some(reason) => Err(InputFileError::NotRegular {
            path: shown(path),
            reason,
        }),
        None => Ok(()),
    }
}

/// Opens `path` for reading if it is a regular file. The open itself does not block even if
/// the path is swapped for a FIFO after the check, and the opened file is checked again.
pub(crate) fn open_regular(path: &Path) -> Result<File, InputFileError> {
    check_regular(path)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(io(path))?;
    let meta = file.metadata().map_err(io(path))?;
    if let Some(reason) = refusal(meta.file_type()) {
        return Err(InputFileError::NotRegular {
            path: shown(path),
            reason,
        });
    }
    Ok(file)
}

/// The whole of a regular file of at most `limit` bytes; a larger one is an error.
pub(crate) fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, InputFileError> {
    let file = open_regular(path)?;
    let mut buf = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(io(path))?;
    if buf.len() as u64 > limit {
        return Err(InputFileError::TooLarge {
            path: shown(path),
            limit,
        });
    }
    Ok(buf)
}

/// [`read_bounded`] as UTF-8 text.
pub(crate) fn read_bounded_text(path: &Path, limit: u64) -> Result<String, InputFileError> {
    let bytes = read_bounded(path, limit)?;
    String::from_utf8(bytes).map_err(|e| InputFileError::Io {
        path: shown(path),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
        ),
    })
}

/// Where an entry found while walking `root` really is: `Ok(path)` when it resolves inside
/// `root`, `Err(note)` (to print, then skip the entry) when a symlink leads out of it.
pub fn inside(root: &Path, entry: &Path) -> Result<PathBuf, String> {
    let real_root = root
        .canonicalize()
        .map_err(|e| format!("{}: {e}", shown(root)))?;
    let real = entry
        .canonicalize()
        .map_err(|e| format!("{}: {e}, skipped", shown(entry)))?;
    if real.starts_with(&real_root) {
        Ok(real)
    } else {
        Err(format!(
            "{}: a link out of {}, skipped",
            shown(entry),
            shown(root)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_directories_are_refused_and_reads_are_bounded() {
        let e = read_bounded(Path::new("/dev/zero"), 1024).unwrap_err();
        assert!(e.to_string().contains("is a device"), "{e}");
        let e = read_bounded(Path::new("/tmp"), 1024).unwrap_err();
        assert!(e.to_string().contains("directory"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; 2000]).unwrap();
        assert!(matches!(
            read_bounded(&big, 1000),
            Err(InputFileError::TooLarge { limit: 1000, .. })
        ));
        assert_eq!(read_bounded(&big, 2000).unwrap().len(), 2000);
    }

    #[test]
    fn links_out_of_a_walked_directory_are_noted() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::NamedTempFile::new().unwrap();
        let link = dir.path().join("env.yaml");
        std::os::unix::fs::symlink(outside.path(), &link).unwrap();
        let note = inside(dir.path(), &link).unwrap_err();
        assert!(note.contains("a link out of"), "{note}");
        let plain = dir.path().join("a.yaml");
        std::fs::write(&plain, "x").unwrap();
        assert!(inside(dir.path(), &plain).is_ok());
    }
}
