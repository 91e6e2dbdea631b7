//! Scripted answers for a headless walk: a flat YAML (or JSON) map of input ids and node ids
//! to values and choices.
//!
//! ```yaml
//! url: https://intranet.example/admin/
//! user: alice
//! password: { file: secrets/pw.txt }  # secrets from a file below this one's directory,
//! token: { env: WHY401_TOKEN }          # or the environment, with `run --allow-env` only
//! refresh: "Still 401"                  # a choice by label,
//! clear_cookies: 2                      # by 1-based number,
//! visitor:contact_owner: ticket         # or by goto target; qualify nodes of other flows
//! ```
//!
//! An answers file is data handed around (tickets carry replay blocks): it names the URL the
//! answers are sent to, so it may read only regular files of at most 64 KiB below its own
//! directory, the environment only when the person allows it, and a `<fill in: …>`
//! placeholder left in it is refused, never sent as a password.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::model::{Choice, NodeRef};

/// One value of an answers file.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum AnswerValue {
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
    /// `{ env: NAME }` answers are read only when this is set (`run --allow-env`).
    pub allow_env: bool,
}

/// Largest file a `{ file: }` answer reads.
pub(crate) const ANSWER_FILE_LIMIT: u64 = 64 * 1024;

/// Largest answers file read.
const MAX_ANSWERS_BYTES: u64 = 1024 * 1024;

impl Answers {
    /// Reads and parses FILE; errors name the file, line and column.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let source = path.display().to_string();
        let text = super::load::read_bounded_limit(path, MAX_ANSWERS_BYTES)
            .map_err(|m| anyhow::anyhow!("{source}: {m}"))?;
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Self::parse(&text, &source, base)
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
                let msg = msg.find(" at line ").map_or(msg.as_str(), |i| &msg[..i]);
                let msg = crate::sanitize::short_quotes(msg);
                anyhow::anyhow!(
                    "{source}:{at}{msg} (expected a map of input and node ids to values)"
                )
            })?
        };
        Ok(Self {
            values,
            base: base.to_path_buf(),
            source: source.to_owned(),
            allow_env: false,
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
        let value = match v {
            AnswerValue::Text(s) => s.clone(),
            AnswerValue::Number(n) => n.to_string(),
            AnswerValue::Bool(b) => b.to_string(),
            AnswerValue::Env { env } => self.env(id, env)?,
            AnswerValue::File { file } => self.file(id, file)?,
        };
        if crate::secret::is_placeholder(&value) {
            anyhow::bail!(
                "{}: input '{id}' is still a placeholder ({}); put the real value in its place",
                self.source,
                crate::sanitize::line(value.trim())
            );
        }
        Ok(Some(value))
    }

    fn env(&self, id: &str, name: &str) -> anyhow::Result<String> {
        let name = crate::sanitize::line(name);
        if !self.allow_env {
            anyhow::bail!(
                "{}: input '{id}' reads environment variable {name}; answers read the environment only with 'run --allow-env'",
                self.source
            );
        }
        std::env::var(name.as_ref()).map_err(|_| {
            anyhow::anyhow!(
                "{}: input '{id}' reads environment variable {name}, which is not set",
                self.source
            )
        })
    }

    /// A `{ file: }` answer: a regular file of at most 64 KiB below the answers file's
    /// directory (links resolved), one final line end dropped.
    fn file(&self, id: &str, file: &Path) -> anyhow::Result<String> {
        let p = self.base.join(file);
        let shown = crate::sanitize::line(&file.display().to_string()).into_owned();
        let real = crate::input_file::inside(&self.base, &p).map_err(|_| {
            anyhow::anyhow!(
                "{}: input '{id}' reads {shown}, which is not a file below the answers file's directory",
                self.source
            )
        })?;
        let text = crate::input_file::read_bounded_text(&real, ANSWER_FILE_LIMIT)
            .map_err(|e| anyhow::anyhow!("{}: input '{id}': {e}", self.source))?;
        let text = text.strip_suffix('\n').unwrap_or(&text);
        Ok(text.strip_suffix('\r').unwrap_or(text).to_owned())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> NodeRef {
        NodeRef {
            flow: "owner".into(),
            node: "start".into(),
        }
    }

    fn answers(dir: &Path, text: &str) -> Answers {
        Answers::parse(text, "answers.yaml", dir).unwrap()
    }

    #[test]
    fn files_are_read_only_below_the_answers_directory_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pw.txt"), "Summer2026!\n").unwrap();
        std::fs::write(dir.path().join("big"), vec![b'a'; 70 * 1024]).unwrap();
        let a = answers(
            dir.path(),
            "ok: {file: pw.txt}\nup: {file: ../etc/passwd}\nabs: {file: /etc/passwd}\nzero: {file: /dev/zero}\nbig: {file: big}\n",
        );
        assert_eq!(
            a.input(&at(), "ok").unwrap().as_deref(),
            Some("Summer2026!")
        );
        for id in ["up", "abs", "zero"] {
            let e = a.input(&at(), id).unwrap_err().to_string();
            assert!(
                e.contains("not a file below the answers file's directory"),
                "{e}"
            );
        }
        let e = a.input(&at(), "big").unwrap_err().to_string();
        assert!(e.contains("larger than 65536 bytes"), "{e}");
    }

    #[test]
    fn the_environment_needs_a_flag_and_placeholders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = answers(
            dir.path(),
            "token: {env: PATH}\npassword: \"<fill in: password>\"\n",
        );
        let e = a.input(&at(), "token").unwrap_err().to_string();
        assert!(e.contains("only with 'run --allow-env'"), "{e}");
        a.allow_env = true;
        assert!(a.input(&at(), "token").unwrap().is_some());
        let e = a.input(&at(), "password").unwrap_err().to_string();
        assert!(e.contains("input 'password' is still a placeholder"), "{e}");
    }

    #[test]
    fn a_yaml_error_quotes_one_token_only() {
        let e = Answers::parse(
            "DATABASE_URL=postgres://app:Summer2026!@db/app",
            "answers.yaml",
            Path::new("."),
        )
        .unwrap_err()
        .to_string();
        assert!(!e.contains("Summer2026") && !e.contains("postgres"), "{e}");
    }
}
