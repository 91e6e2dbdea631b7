//! The connection options box: curl's `--cacert`, `-k`, `--resolve`, `--connect-to` and
//! `-x`, set during the walk. The entries are read by the same parsers `check` uses.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::edit_field;
use crate::net::{NetOptions, proxy, route};
use crate::tui::app::{App, Command, ConnectionField, ConnectionForm, Overlay};

/// Opens the box with the options in force.
pub(crate) fn open(app: &mut App) {
    app.overlay = Some(Overlay::Connection(ConnectionForm::from_options(
        &app.options.net,
    )));
}

pub(super) fn on_key(app: &mut App, mut form: ConnectionForm, key: KeyEvent) -> Option<Command> {
    let at = ConnectionField::ALL
        .iter()
        .position(|f| *f == form.focus)
        .unwrap_or(0);
    let count = ConnectionField::ALL.len();
    match key.code {
        KeyCode::Esc => return None,
        KeyCode::Enter => match options(&form, &app.options.net) {
            Ok(net) => {
                apply(app, net);
                return Some(Command::Reconnect);
            }
            Err(e) => form.error = Some(e),
        },
        // In the CA file field Tab completes the path until it names a file, as in a shell;
        // then (and Down always) it moves to the next field.
        KeyCode::Tab if form.focus == ConnectionField::CaFile && completes(&form) => {
            if let Some(field) = form.field_mut(ConnectionField::CaFile) {
                form.error = super::complete::tab(field);
            }
        }
        KeyCode::Tab | KeyCode::Down => form.focus = ConnectionField::ALL[(at + 1) % count],
        KeyCode::BackTab | KeyCode::Up => {
            form.focus = ConnectionField::ALL[(at + count - 1) % count];
        }
        KeyCode::Char(' ') if form.focus == ConnectionField::Insecure => {
            form.insecure = !form.insecure;
        }
        _ => {
            let focus = form.focus;
            if let Some(field) = form.field_mut(focus)
                && edit_field(field, key)
            {
                form.error = None;
            }
        }
    }
    app.overlay = Some(Overlay::Connection(form));
    None
}

/// True when the CA file field holds a path that does not yet name a file.
fn completes(form: &ConnectionForm) -> bool {
    let typed = form
        .field(ConnectionField::CaFile)
        .map_or("", |e| e.text().trim());
    !typed.is_empty()
        && !std::path::Path::new(super::complete::expand_home(typed).as_ref()).is_file()
}

/// The options in force with the box's entries; an error names the line at fault.
pub(crate) fn options(form: &ConnectionForm, now: &NetOptions) -> Result<NetOptions, String> {
    let mut net = now.clone();
    let text = |f: ConnectionField| form.field(f).map_or("", |e| e.text().trim());
    let ca = text(ConnectionField::CaFile);
    net.cacert = if ca.is_empty() {
        None
    } else {
        let path = std::path::PathBuf::from(super::complete::expand_home(ca).as_ref());
        if !path.is_file() {
            return Err(format!("{}: no such file", ConnectionField::CaFile.label()));
        }
        Some(path)
    };
    net.insecure = form.insecure;
    // What was typed is never repeated in the message (it may be a secret typed in the wrong
    // field): the line is named instead.
    let said = |f: ConnectionField, typed: &str, e: String| {
        let e = e
            .replace(&format!("'{typed}'"), "the entry")
            .replace(typed, "the entry");
        format!("{}: {e}", f.label())
    };
    net.routes.resolve = entries(text(ConnectionField::Resolve))
        .map(|e| route::parse_resolve(e).map_err(|m| said(ConnectionField::Resolve, e, m)))
        .collect::<Result<_, _>>()?;
    net.routes.connect_to = entries(text(ConnectionField::ConnectTo))
        .map(|e| route::parse_connect_to(e).map_err(|m| said(ConnectionField::ConnectTo, e, m)))
        .collect::<Result<_, _>>()?;
    let p = text(ConnectionField::Proxy);
    net.proxy = if p.is_empty() {
        None
    } else {
        let url = proxy::parse_proxy_url(p).map_err(|m| said(ConnectionField::Proxy, p, m))?;
        if url.password().is_some() {
            return Err(said(
                ConnectionField::Proxy,
                p,
                "give no password in the URL: start why401 with --proxy-user (its password is read from WHY401_PROXY_PASSWORD)".to_owned(),
            ));
        }
        Some(url)
    };
    Ok(net)
}

/// Several entries may be given, separated by spaces (a comma belongs to an entry's list).
fn entries(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace().filter(|e| !e.is_empty())
}

/// The options in force from now on (the caller asks the runtime to reconnect).
fn apply(app: &mut App, net: NetOptions) {
    let lines = net.summary();
    app.status = Some(if lines.is_empty() {
        "connection: the plain way (no options); r runs this step's checks again".to_owned()
    } else {
        format!(
            "connection: {}; r runs this step's checks again",
            lines.join("; ")
        )
    });
    app.options.net = net;
    super::refresh_ticket(app);
}
