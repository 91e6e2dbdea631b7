//! Where each value of a YAML document is written, so that checks made after deserializing
//! can still say `file:line:col`. Also catches what serde cannot see: duplicate keys, and
//! aliases (refused beyond a small number, so an alias bomb never expands).

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Loc {
    pub line: usize,
    pub col: usize,
}

/// Aliases allowed in one flow file.
pub(crate) const MAX_ALIASES: usize = 64;

/// Locations of values by path (`nodes.start.choices.0.goto`); keys as `path#key`.
#[derive(Debug, Default)]
pub struct SourceMap {
    locs: HashMap<String, Loc>,
    /// Problems found while mapping (duplicate keys, too many aliases).
    pub problems: Vec<(Loc, String)>,
}

impl SourceMap {
    /// Builds the map; a YAML syntax error is returned with its location.
    pub fn build(text: &str) -> Result<Self, (Loc, String)> {
        let mut b = Builder::default();
        let mut parser = Parser::new_from_str(text);
        parser.load(&mut b, false).map_err(|e| {
            let m = e.marker();
            (
                Loc {
                    line: m.line(),
                    col: m.col() + 1,
                },
                e.info().to_owned(),
            )
        })?;
        Ok(b.map)
    }

    /// The location of the value at `path`, or of the nearest enclosing value written.
    pub fn value(&self, path: &str) -> Loc {
        let mut p = path;
        loop {
            if let Some(l) = self.locs.get(p) {
                return *l;
            }
            match p.rfind('.') {
                Some(i) => p = &p[..i],
                None => {
                    return self
                        .locs
                        .get("")
                        .copied()
                        .unwrap_or(Loc { line: 1, col: 1 });
                }
            }
        }
    }

    /// The location of the key that holds `path`'s value (for "node X ..." messages).
    pub fn key(&self, path: &str) -> Loc {
        self.locs
            .get(&format!("{path}#key"))
            .copied()
            .unwrap_or_else(|| self.value(path))
    }
}

enum Frame {
    Map {
        path: String,
        key: Option<String>,
        seen: HashMap<String, Loc>,
    },
    Seq {
        path: String,
        index: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    map: SourceMap,
    aliases: usize,
}

fn loc(m: Marker) -> Loc {
    Loc {
        line: m.line(),
        col: m.col() + 1,
    }
}

fn join(path: &str, seg: &str) -> String {
    if path.is_empty() {
        seg.to_owned()
    } else {
        format!("{path}.{seg}")
    }
}

impl Builder {
    /// The path the next value gets, advancing the parent frame; `None` when the next
    /// scalar is a mapping key.
    fn next_value_path(&mut self) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, index }) => {
                let p = join(path, &index.to_string());
                *index += 1;
                Some(p)
            }
            Some(Frame::Map { path, key, .. }) => key.take().map(|k| join(path, &k)),
        }
    }

    fn value_at(&mut self, m: Marker) -> Option<String> {
        let p = self.next_value_path()?;
        self.map.locs.insert(p.clone(), loc(m));
        Some(p)
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(text, ..) => {
                if let Some(Frame::Map { path, key, seen }) = self.stack.last_mut()
                    && key.is_none()
                {
                    let here = loc(mark);
                    if let Some(first) = seen.get(&text) {
                        self.map.problems.push((
                            here,
                            format!("duplicate key '{text}' (first at line {})", first.line),
                        ));
                    } else {
                        seen.insert(text.clone(), here);
                    }
                    self.map
                        .locs
                        .insert(format!("{}#key", join(path, &text)), here);
                    *key = Some(text);
                    return;
                }
                self.value_at(mark);
            }
            Event::Alias(_) => {
                self.aliases += 1;
                if self.aliases == MAX_ALIASES + 1 {
                    self.map.problems.push((
                        loc(mark),
                        format!("more than {MAX_ALIASES} YAML aliases: refused (alias expansion could exhaust memory)"),
                    ));
                }
                if let Some(Frame::Map { key, .. }) = self.stack.last_mut()
                    && key.is_none()
                {
                    *key = Some(String::from("<alias>"));
                    return;
                }
                self.value_at(mark);
            }
            Event::MappingStart(..) => {
                let path = self
                    .value_at(mark)
                    .unwrap_or_else(|| String::from("<complex key>"));
                self.stack.push(Frame::Map {
                    path,
                    key: None,
                    seen: HashMap::new(),
                });
            }
            Event::SequenceStart(..) => {
                let path = self
                    .value_at(mark)
                    .unwrap_or_else(|| String::from("<complex key>"));
                self.stack.push(Frame::Seq { path, index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_paths_to_lines_and_columns() {
        let text =
            "id: x\nnodes:\n  a:\n    title: A\n    choices:\n      - label: go\n        goto: b\n";
        let map = SourceMap::build(text).unwrap();
        assert_eq!(map.value("id"), Loc { line: 1, col: 5 });
        assert_eq!(map.key("nodes.a"), Loc { line: 3, col: 3 });
        assert_eq!(
            map.value("nodes.a.choices.0.goto"),
            Loc { line: 7, col: 15 }
        );
        // unknown deeper paths fall back to the nearest written value
        assert_eq!(
            map.value("nodes.a.choices.0.goto.x"),
            Loc { line: 7, col: 15 }
        );
    }

    #[test]
    fn reports_duplicate_keys_and_alias_floods() {
        let map = SourceMap::build("a: 1\nb: 2\na: 3\n").unwrap();
        assert_eq!(map.problems.len(), 1);
        assert_eq!(map.problems[0].0, Loc { line: 3, col: 1 });
        let mut bomb = String::from("a: &a [x, x]\nb: [");
        for _ in 0..100 {
            bomb.push_str("*a, ");
        }
        bomb.push_str("x]\n");
        let map = SourceMap::build(&bomb).unwrap();
        assert!(map.problems.iter().any(|(_, m)| m.contains("aliases")));
    }

    #[test]
    fn syntax_errors_have_a_location() {
        let (at, msg) = SourceMap::build("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(at.line >= 1, "{msg}");
    }
}
