//! Loading flows: the shipped ones embedded in the binary, plus `--flows DIR`.

use std::fmt;
use std::io::Read;
use std::path::Path;

use indexmap::IndexMap;

use super::model::Flow;
use super::source_map::{Loc, SourceMap};

/// Largest flow file read; anything bigger is refused before parsing.
pub(crate) const MAX_FLOW_BYTES: u64 = 1024 * 1024;

/// The shipped flows, embedded at build time.
pub const SHIPPED: &[(&str, &str)] = &[
    ("flows/start.yaml", include_str!("../../flows/start.yaml")),
    (
        "flows/visitor.yaml",
        include_str!("../../flows/visitor.yaml"),
    ),
    ("flows/owner.yaml", include_str!("../../flows/owner.yaml")),
    ("flows/api.yaml", include_str!("../../flows/api.yaml")),
];

/// One problem in a flow file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub file: String,
    pub loc: Loc,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.loc.line, self.loc.col, self.message
        )
    }
}

/// A flow with where it came from.
#[derive(Debug)]
pub struct LoadedFlow {
    pub flow: Flow,
    pub file: String,
    /// Where each value is written; built on first use for shipped flows (only diagnostics
    /// need it, and the shipped flows are checked by the tests), at load for the others.
    map: std::sync::OnceLock<SourceMap>,
    text: String,
    /// True for the flows embedded in the binary.
    pub shipped: bool,
}

impl LoadedFlow {
    /// Where each value of the file is written.
    pub fn map(&self) -> &SourceMap {
        self.map
            .get_or_init(|| SourceMap::build(&self.text).unwrap_or_default())
    }

    pub(crate) fn diag(&self, loc: Loc, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: self.file.clone(),
            loc,
            message: message.into(),
        }
    }
}

/// Every flow available, by id.
#[derive(Debug, Default)]
pub struct FlowSet {
    pub flows: IndexMap<String, LoadedFlow>,
}

impl FlowSet {
    /// The shipped flows plus those in `dir` (which replace shipped flows of the same id).
    /// Returns the set and every problem found while reading and parsing.
    pub fn load(dir: Option<&Path>) -> (Self, Vec<Diagnostic>) {
        let mut set = Self::default();
        let mut diags = Vec::new();
        for (file, text) in SHIPPED {
            set.add(file, text, true, &mut diags);
        }
        if let Some(dir) = dir {
            set.add_dir(dir, &mut diags);
        }
        (set, diags)
    }

    fn add_dir(&mut self, dir: &Path, diags: &mut Vec<Diagnostic>) {
        let shown = dir.display().to_string();
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                diags.push(Diagnostic {
                    file: shown,
                    loc: Loc { line: 0, col: 0 },
                    message: format!("cannot read the flows directory: {e}"),
                });
                return;
            }
        };
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        paths.sort();
        if paths.is_empty() {
            diags.push(Diagnostic {
                file: shown,
                loc: Loc { line: 0, col: 0 },
                message: "no .yaml flow files in this directory".into(),
            });
        }
        for path in paths {
            let file = path.display().to_string();
            // A link out of the directory (to a .env, a key) is not a flow: never read.
            if let Err(note) = crate::input_file::inside(dir, &path) {
                eprintln!("why401: note: {note}");
                continue;
            }
            match read_bounded(&path) {
                Ok(text) => self.add(&file, &text, false, diags),
                Err(message) => diags.push(Diagnostic {
                    file,
                    loc: Loc { line: 1, col: 1 },
                    message,
                }),
            }
        }
    }

    /// Parses one file and adds its flow; problems go to `diags`.
    pub fn add(&mut self, file: &str, text: &str, shipped: bool, diags: &mut Vec<Diagnostic>) {
        let diag = |loc: Loc, message: String| Diagnostic {
            file: file.to_owned(),
            loc,
            message,
        };
        // Files from outside are mapped before serde sees them: the map refuses alias floods.
        let map = std::sync::OnceLock::new();
        if !shipped {
            let built = match SourceMap::build(text) {
                Ok(m) => m,
                Err((loc, msg)) => {
                    diags.push(diag(loc, format!("YAML syntax error: {msg}")));
                    return;
                }
            };
            let bomb = built.problems.iter().any(|(_, m)| m.contains("aliases"));
            diags.extend(built.problems.iter().map(|(loc, m)| diag(*loc, m.clone())));
            if bomb {
                return;
            }
            let _ = map.set(built);
        }
        let flow: Flow = match serde_yaml::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                let loc = e.location().map_or(Loc { line: 1, col: 1 }, |l| Loc {
                    line: l.line(),
                    col: l.column(),
                });
                diags.push(diag(loc, serde_message(&e)));
                return;
            }
        };
        let loaded = LoadedFlow {
            flow,
            file: file.to_owned(),
            map,
            text: text.to_owned(),
            shipped,
        };
        if let Some(prev) = self.flows.get(&loaded.flow.id)
            && !prev.shipped
        {
            diags.push(diag(
                loaded.map().value("id"),
                format!("flow id '{}' is also used by {}", loaded.flow.id, prev.file),
            ));
            return;
        }
        self.flows.insert(loaded.flow.id.clone(), loaded);
    }

    /// Problems only the source map sees (duplicate keys) in the shipped flows, which are
    /// mapped lazily: `flows lint` and the tests ask for them.
    pub(crate) fn shipped_source_problems(&self) -> Vec<Diagnostic> {
        self.flows
            .values()
            .filter(|lf| lf.shipped)
            .flat_map(|lf| {
                lf.map()
                    .problems
                    .iter()
                    .map(|(loc, m)| lf.diag(*loc, m.clone()))
            })
            .collect()
    }

    pub fn get(&self, id: &str) -> Option<&LoadedFlow> {
        self.flows.get(id)
    }
}

/// serde_yaml's message without its trailing " at line X column Y" (we print that in front).
fn serde_message(e: &serde_yaml::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// Reads a flow file, refusing big or non-UTF-8 ones without reading them whole.
pub(crate) fn read_bounded(path: &Path) -> Result<String, String> {
    read_bounded_limit(path, MAX_FLOW_BYTES)
}

/// Reads a text file of at most `limit` bytes; a bigger one is refused unread.
pub(crate) fn read_bounded_limit(path: &Path, limit: u64) -> Result<String, String> {
    let file = crate::input_file::open_regular(path).map_err(|e| format!("cannot open: {e}"))?;
    let size = file.metadata().map_or(0, |m| m.len());
    if size > limit {
        return Err(format!(
            "file is {:.1} MiB, over the {} KiB limit: refused",
            size as f64 / 1_048_576.0,
            limit / 1024
        ));
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "file is over the {} KiB limit: refused",
            limit / 1024
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}
