//! Opening logs: plain or gzip (by magic bytes), stdin, and a rotated series put in the order
//! it was written (access.log.3.gz, access.log.2.gz, access.log.1, access.log).

use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::Context;
use flate2::read::MultiGzDecoder;

/// One input as the person named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
}

impl Source {
    pub fn name(&self) -> String {
        match self {
            Self::Stdin => "-".into(),
            Self::File(p) => p.display().to_string(),
        }
    }
}

/// Where a file sits in its rotated series: its base name and how many rotations old it is.
fn rotation(path: &Path) -> (String, u32) {
    let name = path.to_string_lossy();
    let stem = name.strip_suffix(".gz").unwrap_or(&name);
    if let Some((base, n)) = stem.rsplit_once('.') {
        if let Ok(n) = n.parse::<u32>() {
            return (base.to_owned(), n);
        }
    }
    (stem.to_owned(), 0)
}

/// The inputs in reading order: within each rotated series, oldest first; series keep the
/// order in which they were first named.
pub fn order(paths: &[PathBuf]) -> Vec<Source> {
    let mut keyed: Vec<(usize, u32, &PathBuf)> = Vec::new();
    let mut bases: Vec<String> = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            keyed.push((usize::MAX, 0, p));
            continue;
        }
        let (base, n) = rotation(p);
        let idx = bases.iter().position(|b| *b == base).unwrap_or_else(|| {
            bases.push(base);
            bases.len() - 1
        });
        keyed.push((idx, n, p));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    keyed
        .into_iter()
        .map(|(_, _, p)| {
            if p.as_os_str() == "-" {
                Source::Stdin
            } else {
                Source::File(p.clone())
            }
        })
        .collect()
}

/// Bytes read so far, shared with the caller for reporting.
pub struct Counted<R> {
    inner: R,
    pub bytes: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Opens a source; gzip is recognised by its magic bytes, whatever the name.
pub fn open(source: &Source) -> anyhow::Result<Box<dyn BufRead + Send>> {
    let raw: Box<dyn Read + Send> = match source {
        Source::Stdin => Box::new(io::stdin()),
        Source::File(p) => {
            if p.is_dir() {
                anyhow::bail!("{}: is a directory, not a log file", p.display());
            }
            Box::new(crate::input_file::open_regular(p).context("opening a log")?)
        }
    };
    let mut buffered = BufReader::with_capacity(256 * 1024, raw);
    let head = buffered
        .fill_buf()
        .with_context(|| format!("reading {}", source.name()))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let gz = MultiGzDecoder::new(buffered);
        return Ok(Box::new(BufReader::with_capacity(256 * 1024, gz)));
    }
    Ok(Box::new(buffered))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotated_series_are_read_oldest_first() {
        let paths: Vec<PathBuf> = [
            "access.log",
            "access.log.1",
            "error.log",
            "access.log.2.gz",
            "access.log.10.gz",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let names: Vec<String> = order(&paths).iter().map(Source::name).collect();
        assert_eq!(
            names,
            [
                "access.log.10.gz",
                "access.log.2.gz",
                "access.log.1",
                "access.log",
                "error.log"
            ]
        );
    }
}
