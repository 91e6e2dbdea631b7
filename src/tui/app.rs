//! The wizard's state, the messages that change it and the commands it asks the runtime for.

use std::path::PathBuf;
use std::time::Duration;

use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use super::field::LineEdit;
use crate::flow::{Engine, FlowSet, NodeRef};
use crate::probe::{ProbeReport, ProbeRequest};
use crate::report::TicketFormat;

/// What the wizard is started with.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Prefills the address on the start screen.
    pub url: Option<String>,
    /// Help-desk mode from the start.
    pub agent: bool,
    /// No colours (NO_COLOR set, or a monochrome terminal).
    pub monochrome: bool,
    /// Where "save the session" writes; a timestamped file in the current directory otherwise.
    pub save_session: Option<PathBuf>,
    /// The backend behind the proxy (`--backend`): the checks compare its answers.
    pub backend: Option<String>,
    /// A HAR export of the failing requests (`--har`), read by the flows' HAR step.
    pub har: Option<PathBuf>,
    /// How the probes connect (`--cacert`, `-k`, `--resolve`, `--connect-to`, `-x`); the
    /// connection options box changes it during the walk.
    pub net: crate::net::NetOptions,
}

/// Who is using why401, and the flow each walks.
pub(crate) const ROLES: &[(&str, &str)] = &[
    ("I am visiting a site and get 401", "visitor"),
    ("I run the site (server, proxy, app)", "owner"),
    ("I am calling an API", "api"),
];

/// The extra start-screen entry that switches to help-desk mode.
pub(crate) const AGENT_ROLE: &str = "I am a help-desk agent guiding someone";

/// One message: everything that can change the state goes through [`super::update`].
#[derive(Debug, Clone)]
pub enum Message {
    Key(KeyEvent),
    Paste(String),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Time passed while something animates.
    Tick,
    /// One probe of run `run` finished (or was cancelled: that is a report too).
    ProbeDone {
        run: u64,
        index: usize,
        report: ProbeReport,
    },
    /// The ticket was copied or saved, or that failed: the line to show.
    Delivered(String),
    /// Ctrl+C from outside the terminal, or a signal: leave at once.
    Interrupt,
}

/// Work the runtime does for the state (I/O), answered by later messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Runs the requests concurrently, each reporting `ProbeDone` with its index.
    /// A new run cancels any earlier one still going.
    RunProbes {
        run: u64,
        requests: Vec<ProbeRequest>,
    },
    /// Cancels the running probes; they report "cancelled".
    CancelProbes,
    /// Copies the ticket (clipboard, OSC 52, or a file as the last resort).
    Copy { text: String },
    /// Saves the ticket as `why401-ticket-YYYYMMDD-HHMMSS.<ext>` in the current directory.
    Save { text: String, ext: &'static str },
    /// Leaves the wizard, saving the session first when asked.
    Quit { save_session: bool },
    /// Probes from now on connect as `Options::net` says (the running ones are cancelled).
    Reconnect,
}

/// The screen shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Start,
    Step,
    End,
}

/// A box drawn over the screen that takes the keys while it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help,
    /// Every cause found so far in full (evidence, fix), scrolled this many lines.
    Findings(u16),
    ConfirmQuit,
    Note(LineEdit),
    Connection(ConnectionForm),
}

/// The connection options box: curl's options for how the probes connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionForm {
    pub focus: ConnectionField,
    pub cacert: LineEdit,
    pub insecure: bool,
    pub resolve: LineEdit,
    pub connect_to: LineEdit,
    pub proxy: LineEdit,
    pub error: Option<String>,
}

/// A line of the connection options box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionField {
    CaFile,
    Insecure,
    Resolve,
    ConnectTo,
    Proxy,
}

impl ConnectionField {
    pub(crate) const ALL: [Self; 5] = [
        Self::CaFile,
        Self::Insecure,
        Self::Resolve,
        Self::ConnectTo,
        Self::Proxy,
    ];

    /// The label, with curl's option name.
    pub fn label(self) -> &'static str {
        match self {
            Self::CaFile => "Trust the CA file (--cacert)",
            Self::Insecure => "Skip certificate checks (-k)",
            Self::Resolve => "Aim at an address (--resolve)",
            Self::ConnectTo => "Connect elsewhere (--connect-to)",
            Self::Proxy => "Proxy (-x)",
        }
    }

    /// What to type, shown while the field is empty.
    pub fn hint(self) -> &'static str {
        match self {
            Self::CaFile => "PEM file, e.g. /etc/ssl/private-ca.pem",
            Self::Insecure => "Space turns it on or off",
            Self::Resolve => "HOST:PORT:ADDR, e.g. example.com:443:127.0.0.1",
            Self::ConnectTo => "HOST1:PORT1:HOST2:PORT2, e.g. example.com:443:node2:8443",
            Self::Proxy => "URL, e.g. http://127.0.0.1:3128",
        }
    }
}

impl ConnectionForm {
    /// The box filled from the options in force.
    pub(crate) fn from_options(net: &crate::net::NetOptions) -> Self {
        let first = |v: Vec<String>| v.join(" ");
        let resolve = first(
            net.summary()
                .into_iter()
                .filter_map(|l| l.strip_prefix("--resolve ").map(str::to_owned))
                .collect(),
        );
        let connect_to = first(
            net.summary()
                .into_iter()
                .filter_map(|l| l.strip_prefix("--connect-to ").map(str::to_owned))
                .collect(),
        );
        Self {
            focus: ConnectionField::CaFile,
            cacert: LineEdit::new(
                &net.cacert
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                false,
            ),
            insecure: net.insecure,
            resolve: LineEdit::new(&resolve, false),
            connect_to: LineEdit::new(&connect_to, false),
            proxy: LineEdit::new(
                &net.proxy
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                false,
            ),
            error: None,
        }
    }

    /// The text field of `field` (none for the on/off line).
    pub fn field(&self, field: ConnectionField) -> Option<&LineEdit> {
        match field {
            ConnectionField::CaFile => Some(&self.cacert),
            ConnectionField::Insecure => None,
            ConnectionField::Resolve => Some(&self.resolve),
            ConnectionField::ConnectTo => Some(&self.connect_to),
            ConnectionField::Proxy => Some(&self.proxy),
        }
    }

    pub(crate) fn field_mut(&mut self, field: ConnectionField) -> Option<&mut LineEdit> {
        match field {
            ConnectionField::CaFile => Some(&mut self.cacert),
            ConnectionField::Insecure => None,
            ConnectionField::Resolve => Some(&mut self.resolve),
            ConnectionField::ConnectTo => Some(&mut self.connect_to),
            ConnectionField::Proxy => Some(&mut self.proxy),
        }
    }
}

/// Which part of the start screen takes the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartFocus {
    Url,
    TicketId,
    Reporter,
    Roles,
}

/// The start screen's form.
#[derive(Debug, Clone)]
pub struct StartForm {
    pub focus: StartFocus,
    pub url: LineEdit,
    pub ticket_id: LineEdit,
    pub reporter: LineEdit,
    pub role: usize,
    pub error: Option<String>,
}

/// A probe of the running step.
#[derive(Debug, Clone)]
pub struct ProbeSlot {
    pub id: String,
    pub kind: String,
    pub report: Option<ProbeReport>,
}

/// The probes of the current step while they run.
#[derive(Debug, Clone)]
pub struct ProbeRun {
    pub run: u64,
    pub started: Duration,
    pub slots: Vec<ProbeSlot>,
    pub cancelling: bool,
    /// The re-test of the original request at the end, not a step's checks.
    pub retest: bool,
}

/// The step screen's own state (the walk itself is in the engine).
#[derive(Debug, Clone, Default)]
pub struct StepState {
    /// The step these belong to: when the walk moves, they reset.
    pub at: Option<(usize, NodeRef)>,
    pub selected: usize,
    pub body_scroll: u16,
    /// The input being asked, and its field.
    pub input: Option<String>,
    pub field: LineEdit,
    pub error: Option<String>,
}

/// The end screen's state.
#[derive(Debug, Clone)]
pub struct EndState {
    pub format: TicketFormat,
    /// The rendered ticket, made when the screen opens or the format changes: what c and s
    /// deliver.
    pub ticket: String,
    /// What the screen shows of it: the plain-text form (no markdown escapes), or the JSON.
    pub preview: String,
    pub scroll: u16,
}

/// A saved walk waiting for the secrets it was given (they are never saved): asked again
/// one by one, then the walk comes back with its whole history.
#[derive(Debug, Clone)]
pub struct ResumeForm {
    pub session: crate::flow::Session,
    /// Input id and prompt of each secret still to type.
    pub asking: Vec<(String, String)>,
    /// How many there were, for "1 of 2".
    pub total: usize,
    pub field: LineEdit,
    pub error: Option<String>,
}

impl ResumeForm {
    pub fn new(session: crate::flow::Session, asking: Vec<(String, String)>) -> Self {
        Self {
            session,
            total: asking.len(),
            asking,
            field: LineEdit::new("", true),
            error: None,
        }
    }
}

/// The whole state of the wizard.
pub struct App<'a> {
    pub set: &'a FlowSet,
    pub options: Options,
    pub agent: bool,
    pub screen: Screen,
    pub engine: Option<Engine<'a>>,
    /// A saved walk asking for its secrets again before it resumes.
    pub resume: Option<ResumeForm>,
    pub start: StartForm,
    pub step: StepState,
    pub end: EndState,
    pub running: Option<ProbeRun>,
    /// Probes cancelled at a step that has no choices: shown until re-run or back, because
    /// handing "cancelled" to the engine would let its rules move on without evidence.
    pub held: Option<ProbeRun>,
    pub next_run: u64,
    pub overlay: Option<Overlay>,
    /// One line telling what just happened ("saved to FILE", an error).
    pub status: Option<String>,
    /// Terminal size, for mouse hit-testing with the same layout the view draws.
    pub size: (u16, u16),
    /// Time since the wizard started; the runtime stamps it before each update.
    pub now: Duration,
    pub quit: bool,
}

/// `text` without its `user:password@` and what to tell the person, when it had one.
pub(crate) fn bare_address(text: &str) -> Option<(String, String)> {
    let bare = url::Url::parse(text)
        .ok()
        .and_then(crate::flow::engine::without_userinfo)?;
    let said = "the address held a user name and password: they were taken out of it; a step \
                that tests credentials asks for them, hidden";
    Some((bare, said.to_owned()))
}

impl<'a> App<'a> {
    pub fn new(set: &'a FlowSet, options: Options) -> Self {
        let agent = options.agent;
        let url = options.url.clone().unwrap_or_default();
        // A password in the address given on the command line never reaches the screen.
        let (url, status) = match bare_address(&url) {
            Some((bare, said)) => (bare, Some(said)),
            None => (url, None),
        };
        let focus = if agent {
            StartFocus::TicketId
        } else {
            StartFocus::Roles
        };
        Self {
            set,
            agent,
            screen: Screen::Start,
            engine: None,
            resume: None,
            start: StartForm {
                focus,
                url: LineEdit::new(&url, false),
                ticket_id: LineEdit::new("", false),
                reporter: LineEdit::new("", false),
                role: 0,
                error: None,
            },
            step: StepState::default(),
            end: EndState {
                format: TicketFormat::Md,
                ticket: String::new(),
                preview: String::new(),
                scroll: 0,
            },
            running: None,
            held: None,
            next_run: 1,
            overlay: None,
            status,
            size: (80, 24),
            now: Duration::ZERO,
            quit: false,
            options,
        }
    }

    /// The start screen's role list: label and the flow it starts (`None` switches to
    /// help-desk mode). Read from the `start` flow's choices (its `who` node, or `agent` in
    /// help-desk mode, whose labels speak of the caller), so a help desk's own start flow
    /// shapes this screen; the built-in list when there is none.
    pub(crate) fn roles(&self) -> Vec<(String, Option<String>)> {
        let node = if self.agent { "agent" } else { "who" };
        let from_flow: Vec<(String, Option<String>)> = self
            .set
            .get("start")
            .and_then(|lf| lf.flow.nodes.get(node))
            .map(|n| {
                n.choices
                    .iter()
                    .filter_map(|c| {
                        if self.set.get(&c.goto).is_some() {
                            Some((c.label.clone(), Some(c.goto.clone())))
                        } else if c.goto == "agent" {
                            Some((c.label.clone(), None))
                        } else {
                            None
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !from_flow.is_empty() {
            return from_flow;
        }
        let mut roles: Vec<(String, Option<String>)> = ROLES
            .iter()
            .map(|(l, f)| ((*l).to_owned(), Some((*f).to_owned())))
            .collect();
        if !self.agent {
            roles.push((AGENT_ROLE.to_owned(), None));
        }
        roles
    }

    /// The entries of the start screen's role list.
    pub(crate) fn role_labels(&self) -> Vec<String> {
        self.roles().into_iter().map(|(l, _)| l).collect()
    }

    /// True while something on screen moves, so the runtime ticks; idle costs nothing.
    pub(crate) fn animating(&self) -> bool {
        self.running.is_some()
    }

    /// True while the end screen's re-test runs.
    pub(crate) fn retesting(&self) -> bool {
        self.running.as_ref().is_some_and(|r| r.retest)
    }

    /// Resumes `session`: at once when it needs no secret, else after they are typed again.
    pub fn resume_from(
        &mut self,
        session: crate::flow::Session,
    ) -> Result<(), crate::flow::EngineError> {
        let asking = Engine::secrets_to_reenter(self.set, &session);
        if asking.is_empty() {
            self.engine = Some(Engine::resume(self.set, session)?);
        } else {
            self.resume = Some(ResumeForm::new(session, asking));
        }
        Ok(())
    }

    /// A flow's title, prompt or choice as shown: in help-desk mode it speaks of the caller.
    pub fn say(&self, text: &str) -> String {
        if self.agent {
            crate::flow::agent::line(text)
        } else {
            text.to_owned()
        }
    }

    /// The URL the walk is about, for the header.
    pub fn url(&self) -> Option<&str> {
        self.engine
            .as_ref()
            .and_then(|e| e.session().answers.get("url"))
            .map(String::as_str)
    }
}
