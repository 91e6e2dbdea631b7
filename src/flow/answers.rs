//! Scripted answers for a headless walk: a flat YAML (or JSON) map of input ids and node ids
//! to values and choices.
//!
//! ```yaml
//! url: https://intranet.example/admin/
//! user: alice
//! password: { env: WHY401_PASSWORD }   # secrets from the environment or a file
//! refresh: "Still 401"                  # a choice by label,
//! clear_cookies: 2                      # by 1-based number,
//! visitor:contact_owner: ticket         # or by goto target; qualify nodes of other flows
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::model::{Choice, NodeRef};

/// One value of an answers file.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum AnswerValue {
    Text(String),
    Number(i64),
    Bool(bool),
    /// `{ env: NAME }`: read from an environment variable.
    Env {
        env: String,
    },
    /// `{ file: PATH }`: read from a file (relative to the answers file), trailing newline dropped.
    File {
        file: PathBuf,
    },
}

/// A parsed answers file.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    values: BTreeMap<String, AnswerValue>,
    base: PathBuf,
    pub source: String,
}

/// Largest answers file read.
const MAX_ANSWERS_BYTES: u64 = 1024 * 1024;

impl Answers {
    /// Reads and parses FILE; errors name the file, line and column.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let source = path.display().to_string();
        let text = super::load::read_bounded_limit(path, MAX_ANSWERS_BYTES)
            .map_err(|m| anyhow::anyhow!("{source}: {m}"))?;
        Self::parse(&text, &source, path.parent().unwrap_or(Path::new(".")))
    }

    /// Parses answers text; `source` names it in errors.
    pub fn parse(text: &str, source: &str, base: &Path) -> anyhow::Result<Self> {
        let values: BTreeMap<String, AnswerValue> = if text.trim().is_empty() {
            BTreeMap::new()
        } else {
            serde_yaml::from_str(text).map_err(|e| {
                let at = e
                    .location()
                    .map_or_else(String::new, |l| format!("{}:{}: ", l.line(), l.column()));
                let msg = e.to_string();
                let msg = msg
                    .find(" at line ")
                    .map_or(msg.as_str(), |i| &msg[..i])
                    .to_owned();
                anyhow::anyhow!(
                    "{source}:{at}{msg} (expected a map of input and node ids to values)"
                )
            })?
        };
        Ok(Self {
            values,
            base: base.to_path_buf(),
            source: source.to_owned(),
        })
    }

    fn raw(&self, at: &NodeRef, key: &str) -> Option<&AnswerValue> {
        self.values
            .get(&format!("{}:{key}", at.flow))
            .or_else(|| self.values.get(key))
    }

    /// The value for input `id` asked at `at`, if the file has one.
    pub fn input(&self, at: &NodeRef, id: &str) -> anyhow::Result<Option<String>> {
        let Some(v) = self.raw(at, id) else {
            return Ok(None);
        };
        Ok(Some(match v {
            AnswerValue::Text(s) => s.clone(),
            AnswerValue::Number(n) => n.to_string(),
            AnswerValue::Bool(b) => b.to_string(),
            AnswerValue::Env { env } => std::env::var(env).map_err(|_| {
                anyhow::anyhow!(
                    "{}: input '{id}' reads environment variable {env}, which is not set",
                    self.source
                )
            })?,
            AnswerValue::File { file } => {
                let p = self.base.join(file);
                let text = std::fs::read_to_string(&p).map_err(|e| {
                    anyhow::anyhow!("{}: input '{id}' reads {}: {e}", self.source, p.display())
                })?;
                text.trim_end_matches(['\r', '\n']).to_owned()
            }
        }))
    }

    /// The index of the choice the file picks at node `at`, if any.
    pub fn choice(&self, at: &NodeRef, choices: &[Choice]) -> anyhow::Result<Option<usize>> {
        let Some(v) = self.raw(at, &at.node) else {
            return Ok(None);
        };
        let listing = || {
            choices
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{}) {}", i + 1, c.label))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let picked = match v {
            AnswerValue::Number(n) => usize::try_from(*n)
                .ok()
                .filter(|n| (1..=choices.len()).contains(n))
                .map(|n| n - 1),
            AnswerValue::Text(s) => {
                let s = s.trim();
                choices
                    .iter()
                    .position(|c| c.label.trim().eq_ignore_ascii_case(s))
                    .or_else(|| choices.iter().position(|c| c.goto == s))
                    .or_else(|| {
                        s.parse::<usize>()
                            .ok()
                            .filter(|n| (1..=choices.len()).contains(n))
                            .map(|n| n - 1)
                    })
            }
            _ => None,
        };
        picked.map(Some).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: node '{at}' has no choice matching the answer given (choices: {})",
                self.source,
                listing()
            )
        })
    }
}
