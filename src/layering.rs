//! Keeps the shape of the crate: a module may import only from its own layer or the layers
//! below it (see the crate's doc comment). Reads every file under `src/` and fails on an
//! import that runs upward, unless it is one of the few the crate still carries (listed
//! below, to be removed as they are moved; the list may only shrink).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// Layer of each top-level module, lowest first.
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("secret", 0),
    ("sanitize", 0),
    ("diagnose", 0),
    ("net", 1),
    ("token", 2),
    ("server", 2),
    ("logscan", 2),
    ("probe", 3),
    ("flow", 4),
    ("check", 4),
    ("report", 5),
    ("tui", 6),
    ("command", 7),
    ("cli", 7),
];

/// Upward imports that predate this check, `file -> module`: none is left; keep it so.
const CARRIED: &[&str] = &[];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// Top-level modules named after `crate::` in a source text, `use crate::{a, b}` included.
fn imported_modules(source: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in source.match_indices("crate::") {
        let rest = &source[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut start = true;
            let mut word = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && (c.is_ascii_alphanumeric() || c == '_') => word.push(c),
                    _ => {
                        if !word.is_empty() {
                            out.insert(std::mem::take(&mut word));
                        }
                        if !c.is_whitespace() {
                            start = false;
                        }
                    }
                }
            }
            if !word.is_empty() {
                out.insert(word);
            }
        } else {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.insert(word);
        }
    }
    out
}

fn upward_imports(root: &Path, dir: &Path, found: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            upward_imports(root, &path, found);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        let top = rel.split('/').next().unwrap_or("").trim_end_matches(".rs");
        let Some(own) = layer(top) else {
            continue;
        };
        let Ok(source) = fs::read_to_string(&path) else {
            continue;
        };
        for module in imported_modules(&source) {
            if module == top {
                continue;
            }
            let above = layer(&module).is_some_and(|l| l > own);
            let entry_point =
                matches!(module.as_str(), "command" | "cli") && !matches!(top, "command" | "cli");
            if above || entry_point {
                found.push(format!("{rel} -> {module}"));
            }
        }
    }
}

#[test]
fn imports_only_go_down() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    upward_imports(&root, &root, &mut found);
    found.sort();
    let new: Vec<&String> = found
        .iter()
        .filter(|f| !CARRIED.contains(&f.as_str()))
        .collect();
    assert!(
        new.is_empty(),
        "modules import upward (see the layers in src/lib.rs): {new:#?}"
    );
    let gone: Vec<&&str> = CARRIED
        .iter()
        .filter(|c| !found.iter().any(|f| f == *c))
        .collect();
    if !gone.is_empty() {
        eprintln!("upward imports no longer present, remove them from CARRIED: {gone:?}");
    }
}

#[test]
fn grouped_imports_are_read() {
    let names = imported_modules("use crate::{probe::{A, B}, report::redact};\nuse crate::tui;");
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(names, ["probe", "report", "tui"]);
}

#[test]
fn a_new_upward_import_is_caught() {
    let dir = tempfile::tempdir().ok();
    let Some(dir) = dir else { return };
    let token = dir.path().join("token");
    assert!(fs::create_dir_all(&token).is_ok());
    assert!(
        fs::write(
            token.join("x.rs"),
            "use crate::tui::App;\nuse crate::diagnose::rank;"
        )
        .is_ok()
    );
    let mut found = Vec::new();
    upward_imports(dir.path(), dir.path(), &mut found);
    assert_eq!(found, ["token/x.rs -> tui"]);
}
