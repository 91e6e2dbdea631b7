//! Saved sessions: `--save-session FILE` and `why401 --resume FILE`.
//!
//! The file is versioned JSON holding the walk (answers, redacted probe facts, notes), the
//! help-desk fields, and a stamp of every flow the walk went through, so resuming against a
//! changed flow can say what changed. Secret answers are never written: their fingerprints
//! are, and a resumed walk asks for them again where it still needs them.
//!
//! A file that is corrupt, from a newer why401 or for a flow that is not loaded is refused
//! with a one-line error, and nothing is overwritten.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::flow::{FlowSet, Phase, Session};
use crate::report::redact::Redactor;
use crate::report::ticket::HelpDesk;

/// The value of `format` in every session file.
pub(crate) const FORMAT: &str = "why401-session";
/// The newest session format this build reads and the one it writes.
pub(crate) const VERSION: u32 = 1;
/// Larger files are refused before parsing.
pub(crate) const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// A session as saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SessionFile {
    pub format: String,
    pub version: u32,
    pub why401_version: String,
    /// RFC 3339, UTC.
    pub saved_at: String,
    /// Every flow the walk went through, as it was when saved.
    pub flows: Vec<FlowStamp>,
    /// Fingerprints of the secret answers left out of `session`.
    #[serde(default)]
    pub secret_fingerprints: BTreeMap<String, String>,
    #[serde(default)]
    pub help_desk: HelpDesk,
    pub session: Session,
}

/// A flow's id, version and a digest of each node, to tell what changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FlowStamp {
    pub id: String,
    pub version: u32,
    pub digest: String,
    pub nodes: BTreeMap<String, String>,
}

/// A session read back, ready for [`crate::flow::Engine::resume`].
#[derive(Debug, Clone, PartialEq)]
pub struct Resumed {
    pub session: Session,
    pub help_desk: HelpDesk,
    /// What changed in the flows since the session was saved, one line each.
    pub changes: Vec<String>,
    /// Secret inputs the walk must ask for again (they were not saved).
    pub secrets_to_reenter: Vec<String>,
    pub saved_at: String,
}

/// Why a session could not be saved or resumed.
#[derive(Debug, thiserror::Error)]
pub enum SessionFileError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{path}:{line}:{col}: not a valid why401 session file: {message}")]
    Corrupt {
        path: String,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("{path}: not a why401 session file{what}")]
    NotASession { path: String, what: String },
    #[error(
        "{path}: saved by a newer why401 (session format {found}; this one reads up to {VERSION}): update why401 to resume it"
    )]
    Newer { path: String, found: u64 },
    #[error("{path}: the session is for flow '{flow}', which is not loaded{hint}")]
    UnknownFlow {
        path: String,
        flow: String,
        hint: String,
    },
    #[error(
        "{path}: the session stopped at '{node}', which flow '{flow}' no longer has ({changes}): start a new walk"
    )]
    NodeGone {
        path: String,
        flow: String,
        node: String,
        changes: String,
    },
    #[error("{path}: exists and is not a why401 session file; not overwriting it")]
    WouldClobber { path: String },
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// Saves `session` to `path` (atomically; an existing file must be a session file).
pub fn save(
    path: &Path,
    session: &Session,
    flows: &FlowSet,
    help_desk: &HelpDesk,
) -> Result<(), SessionFileError> {
    if path.exists() {
        match read_header(path) {
            Ok(_) => {}
            // A newer why401's session is not replaced by an older one's.
            Err(e @ SessionFileError::Newer { .. }) => return Err(e),
            Err(_) => return Err(SessionFileError::WouldClobber { path: shown(path) }),
        }
    }
    let file = to_file(session, flows, help_desk, chrono::Utc::now());
    let mut text = serde_json::to_string_pretty(&file).map_err(|e| SessionFileError::Io {
        path: shown(path),
        message: e.to_string(),
    })?;
    text.push('\n');
    crate::report::deliver::write_atomically(path, text.as_bytes()).map_err(|e| {
        SessionFileError::Io {
            path: shown(path),
            message: format!("could not save the session: {e}"),
        }
    })
}

/// The file for `session`: secret answers out, every other string redacted.
pub(crate) fn to_file(
    session: &Session,
    flows: &FlowSet,
    help_desk: &HelpDesk,
    now: chrono::DateTime<chrono::Utc>,
) -> SessionFile {
    let redactor = crate::report::session_redactor(session);
    let mut clean = session.clone();
    let mut secret_fingerprints = BTreeMap::new();
    for (id, v) in std::mem::take(&mut clean.secrets) {
        secret_fingerprints.insert(id.clone(), v.fingerprint(&id));
    }
    let clean = redacted(&clean, &redactor).unwrap_or(clean);
    let mut help_desk = help_desk.clone();
    for n in &mut help_desk.agent_notes {
        *n = redactor.redact(n).into_owned();
    }
    let mut ids: Vec<&str> = vec![session.flow.as_str()];
    for s in &session.trail {
        if !ids.contains(&s.at.flow.as_str()) {
            ids.push(&s.at.flow);
        }
    }
    SessionFile {
        format: FORMAT.to_owned(),
        version: VERSION,
        why401_version: env!("CARGO_PKG_VERSION").to_owned(),
        saved_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        flows: ids.iter().filter_map(|id| stamp(flows, id)).collect(),
        secret_fingerprints,
        help_desk,
        session: clean,
    }
}

fn redacted(session: &Session, r: &Redactor) -> Option<Session> {
    let mut v = serde_json::to_value(session).ok()?;
    crate::report::render::redact_value(&mut v, r);
    serde_json::from_value(v).ok()
}

/// The stamp of flow `id` as loaded now.
pub(crate) fn stamp(flows: &FlowSet, id: &str) -> Option<FlowStamp> {
    let lf = flows.get(id)?;
    Some(FlowStamp {
        id: id.to_owned(),
        version: lf.flow.version,
        digest: digest(&lf.flow),
        nodes: lf
            .flow
            .nodes
            .iter()
            .map(|(k, n)| (k.clone(), digest(n)))
            .collect(),
    })
}

fn digest(value: &impl Serialize) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    hex::encode(&Sha256::digest(text.as_bytes())[..6])
}

/// Reads `path` and checks it against `flows`.
pub fn load(path: &Path, flows: &FlowSet) -> Result<Resumed, SessionFileError> {
    let text = read_header(path)?;
    let p = shown(path);
    // Parsed again from the text (not the checked value) so errors keep line and column.
    let file: SessionFile = serde_json::from_str(&text).map_err(|e| corrupt(&p, &e))?;
    let changes = changes_since(&file, flows, &p)?;
    let mut session = file.session;
    let current = &session.current;
    let Some(node) = crate::report::ticket::node_of(flows, current) else {
        return Err(SessionFileError::NodeGone {
            path: p,
            flow: current.flow.clone(),
            node: current.node.clone(),
            changes: if changes.is_empty() {
                "flow changed".to_owned()
            } else {
                changes.join("; ")
            },
        });
    };
    let secrets_to_reenter: Vec<String> = session
        .secret_inputs
        .iter()
        .filter(|id| !session.has_answer(id))
        .cloned()
        .collect();
    // A secret the current node's pending probes need was not saved: ask for it first.
    // After the probes ran (choosing, ended) it is only needed for a re-run, which the
    // caller learns from `secrets_to_reenter`.
    if matches!(session.phase, Phase::Inputs | Phase::Probes)
        && node
            .inputs
            .iter()
            .any(|i| !session.has_answer(&i.id) && i.default.is_none())
    {
        session.phase = Phase::Inputs;
    }
    Ok(Resumed {
        session,
        help_desk: file.help_desk,
        changes,
        secrets_to_reenter,
        saved_at: file.saved_at,
    })
}

/// What changed in each flow of `file`; an error when one is not loaded at all.
fn changes_since(
    file: &SessionFile,
    flows: &FlowSet,
    p: &str,
) -> Result<Vec<String>, SessionFileError> {
    let mut changes = Vec::new();
    for saved in &file.flows {
        let Some(now) = stamp(flows, &saved.id) else {
            let known: Vec<&str> = flows.flows.keys().map(String::as_str).collect();
            return Err(SessionFileError::UnknownFlow {
                path: p.to_owned(),
                flow: saved.id.clone(),
                hint: format!(
                    " (loaded: {}); pass --flows DIR with the flow it was saved with",
                    known.join(", ")
                ),
            });
        };
        if let Some(line) = describe_change(saved, &now) {
            changes.push(line);
        }
    }
    Ok(changes)
}

/// `flow 'owner' changed since the session was saved (version 1 → 2): node 'a' changed, ...`.
pub(crate) fn describe_change(saved: &FlowStamp, now: &FlowStamp) -> Option<String> {
    if saved.digest == now.digest {
        return None;
    }
    let mut parts = Vec::new();
    for (id, d) in &saved.nodes {
        match now.nodes.get(id) {
            None => parts.push(format!("node '{id}' removed")),
            Some(n) if n != d => parts.push(format!("node '{id}' changed")),
            Some(_) => {}
        }
    }
    for id in now.nodes.keys().filter(|id| !saved.nodes.contains_key(*id)) {
        parts.push(format!("node '{id}' added"));
    }
    if parts.is_empty() {
        parts.push("its title or start changed".to_owned());
    }
    let version = if saved.version == now.version {
        format!("version {} both times", now.version)
    } else {
        format!("version {} → {}", saved.version, now.version)
    };
    Some(format!(
        "flow '{}' changed since the session was saved ({version}): {}",
        saved.id,
        parts.join(", ")
    ))
}

/// Reads the file (bounded) and checks `format` and `version` before anything else, so a
/// newer file is named as such rather than as broken.
fn read_header(path: &Path) -> Result<String, SessionFileError> {
    let p = shown(path);
    let io = |e: std::io::Error| SessionFileError::Io {
        path: p.clone(),
        message: format!("cannot read the session: {e}"),
    };
    let f = crate::input_file::open_regular(path)
        .map_err(|e| io(std::io::Error::other(e.to_string())))?;
    let mut text = String::new();
    let read = f.take(MAX_BYTES + 1).read_to_string(&mut text);
    match read {
        Ok(n) if n as u64 > MAX_BYTES => {
            return Err(SessionFileError::NotASession {
                path: p,
                what: format!(" (larger than {} MiB)", MAX_BYTES / 1024 / 1024),
            });
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            return Err(SessionFileError::NotASession {
                path: p,
                what: " (not UTF-8 text)".to_owned(),
            });
        }
        Err(e) => return Err(io(e)),
    }
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| corrupt(&p, &e))?;
    if value.get("format").and_then(serde_json::Value::as_str) != Some(FORMAT) {
        return Err(SessionFileError::NotASession {
            path: p,
            what: format!(" (no \"format\": \"{FORMAT}\")"),
        });
    }
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(v) if v > u64::from(VERSION) => Err(SessionFileError::Newer { path: p, found: v }),
        Some(_) => Ok(text),
        None => Err(SessionFileError::NotASession {
            path: p,
            what: " (no format version)".to_owned(),
        }),
    }
}

/// A parse error with its place, and without quoting the file's content: a corrupt file may
/// hold a secret, and the message must not repeat it.
fn corrupt(path: &str, e: &serde_json::Error) -> SessionFileError {
    let text = e.to_string();
    let text = text.find(" at line ").map_or(text.as_str(), |i| &text[..i]);
    SessionFileError::Corrupt {
        path: path.to_owned(),
        line: e.line(),
        col: e.column(),
        message: without_quoted(text),
    }
}

/// Hides what the file said: quoted strings always, and the backquoted value of an
/// `unknown variant` or `invalid value` (field names, which the format defines, stay).
fn without_quoted(text: &str) -> String {
    let values_too = text.starts_with("unknown variant") || text.starts_with("invalid value");
    let mut out = String::with_capacity(text.len());
    let mut inside: Option<char> = None;
    let mut hidden_backquote = false;
    for c in text.chars() {
        match inside {
            Some(q) if c == q => {
                out.push('…');
                out.push(c);
                inside = None;
            }
            Some(_) => {}
            None if c == '`' && values_too && !hidden_backquote => {
                hidden_backquote = true;
                out.push(c);
                inside = Some(c);
            }
            None if c == '"' => {
                out.push(c);
                inside = Some(c);
            }
            None => out.push(c),
        }
    }
    if inside.is_some() {
        out.push('…');
    }
    out
}

/// Where a session should be saved when the person asked for no file.
pub(crate) fn default_path(dir: &Path) -> PathBuf {
    dir.join(format!(
        "why401-session-{}.json",
        chrono::Utc::now().format("%Y%m%d-%H%M%S")
    ))
}
