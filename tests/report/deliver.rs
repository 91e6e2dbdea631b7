//! Getting the ticket out: clipboard (arboard, for real under Xvfb), OSC 52, files, and
//! `--report FILE` when the disk says no.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use why401::report::TicketFormat;
use why401::report::deliver::{Deliverer, Multiplexer, write_report};
use why401::report::ticket::TargetSpec;
use why401::report::{Delivery, Ticket};

/// A terminal that records what it was sent.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<u8>>>);

impl Write for Recorder {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn without_clipboard_the_terminal_gets_plain_osc52_and_a_file_too() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recorder::default();
    let mut d =
        Deliverer::files_only(dir.path()).with_terminal(Box::new(rec.clone()), Multiplexer::Tmux);
    let delivery = d.deliver("ticket ✔").unwrap();
    let Delivery::Osc52(Some(saved)) = &delivery else {
        panic!("{delivery:?}")
    };
    // Plain OSC 52 inside tmux too (tmux 3.3 drops DCS passthrough by default).
    // base64("ticket ✔") = dGlja2V0IOKclA==
    assert_eq!(&*rec.0.lock().unwrap(), b"\x1b]52;c;dGlja2V0IOKclA==\x07");
    // The terminal may refuse it silently: the screen says so and where the file is.
    assert_eq!(std::fs::read_to_string(saved).unwrap(), "ticket ✔");
    let said = delivery.to_string();
    assert!(
        said.contains("may refuse") && said.contains(&saved.display().to_string()),
        "{said}"
    );
}

#[test]
fn a_ticket_too_long_for_osc52_is_saved_instead() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Recorder::default();
    let mut d =
        Deliverer::files_only(dir.path()).with_terminal(Box::new(rec.clone()), Multiplexer::None);
    let big = "x".repeat(200_000);
    let Delivery::Saved(path) = d.deliver(&big).unwrap() else {
        panic!("not saved")
    };
    assert!(rec.0.lock().unwrap().is_empty());
    assert_eq!(std::fs::read_to_string(path).unwrap(), big);
}

#[test]
fn last_resort_is_a_dated_file_that_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Deliverer::files_only(dir.path());
    let Delivery::Saved(a) = d.deliver("first").unwrap() else {
        panic!("not saved")
    };
    let Delivery::Saved(b) = d.deliver("second").unwrap() else {
        panic!("not saved")
    };
    assert_ne!(a, b);
    let name = a.file_name().unwrap().to_string_lossy().into_owned();
    let re = regex::Regex::new(r"^why401-ticket-\d{8}-\d{6}(-\d+)?\.md$").unwrap();
    assert!(re.is_match(&name), "{name}");
    assert_eq!(std::fs::read_to_string(&a).unwrap(), "first");
    assert_eq!(std::fs::read_to_string(&b).unwrap(), "second");
    assert!(
        Delivery::Saved(a.clone())
            .to_string()
            .starts_with("saved to ")
    );
}

#[test]
fn when_nothing_works_the_error_says_where_it_tried() {
    let mut d = Deliverer::files_only(std::path::Path::new("/proc/no-such-dir"));
    let err = d.deliver("t").unwrap_err().to_string();
    assert!(
        err.contains("saving to /proc/no-such-dir/why401-ticket-"),
        "{err}"
    );
    assert!(
        err.contains("also tried clipboard: not used; terminal: not a terminal"),
        "{err}"
    );
}

fn small_ticket() -> Ticket {
    let mut t = Ticket::from_reports(
        &TargetSpec::request("http://127.0.0.1:9/x", "GET"),
        &[],
        vec![],
    );
    t.add_secret("token", "writeCanary-123456");
    t.attach(
        "note",
        None,
        vec!["Authorization: Bearer writeCanary-123456".into()],
    );
    t
}

#[test]
fn write_report_writes_redacted_text_and_returns_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ticket.md");
    let text = write_report(&path, TicketFormat::Md, &small_ticket()).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    assert!(!text.contains("writeCanary"));
    assert!(
        text.contains("Authorization: Bearer [token len=18"),
        "{text}"
    );
}

#[test]
fn write_report_failure_still_gives_the_ticket_and_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let err = write_report(dir.path(), TicketFormat::Text, &small_ticket()).unwrap_err();
    assert!(err.rendered.starts_with("WHY401 SUPPORT TICKET"));
    assert!(err.to_string().starts_with(&format!(
        "could not write the ticket to {}",
        dir.path().display()
    )));
    let missing = dir.path().join("no/such/dir/t.md");
    let err = write_report(&missing, TicketFormat::Json, &small_ticket()).unwrap_err();
    assert!(err.rendered.contains("\"schema_version\": 1"));
    assert!(err.to_string().contains("no/such/dir/t.md"), "{err}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary file left"
    );
}

/// Runs the ignored inner test with DISPLAY pointing at a fresh Xvfb.
#[test]
fn arboard_copies_for_real_under_xvfb() {
    let Some(xvfb) = find(&["Xvfb"]) else { return };
    if find(&["xclip"]).is_none() {
        return;
    }
    // Xvfb picks a free display itself and writes its number on stdout only once it accepts
    // connections: no guessed number that a stale /tmp/.X11-unix socket could shadow, and no
    // race between the socket appearing and the server listening.
    let mut server = std::process::Command::new(xvfb)
        .args([
            "-displayfd",
            "1",
            "-nolisten",
            "tcp",
            "-screen",
            "0",
            "640x480x24",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut number = String::new();
    {
        use std::io::BufRead;
        let stdout = server.stdout.take().unwrap();
        std::io::BufReader::new(stdout)
            .read_line(&mut number)
            .unwrap();
    }
    let number = number.trim();
    assert!(
        !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()),
        "Xvfb did not say which display it serves: {number:?}"
    );
    let display = format!(":{number}");
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "deliver::xvfb_inner", "--ignored", "--nocapture"])
        .env("DISPLAY", &display)
        .output()
        .unwrap();
    // SIGTERM, so that Xvfb removes its socket and lock file as it goes.
    let _ = std::process::Command::new("kill")
        .arg(server.id().to_string())
        .status();
    let _ = server.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "run by arboard_copies_for_real_under_xvfb with DISPLAY set"]
fn xvfb_inner() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Deliverer::from_env(dir.path());
    let text = "why401 ticket: HTTP 401 ✔\nsecond line";
    assert_eq!(d.deliver(text).unwrap(), Delivery::Clipboard);
    // Another X client reads it while the deliverer still owns the selection.
    let out = std::process::Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), text);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

fn find(names: &[&str]) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for n in names {
        for dir in std::env::split_paths(&path) {
            if dir.join(n).is_file() {
                return Some(dir.join(n));
            }
        }
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {names:?} is not installed"
    );
    eprintln!("skipped: {names:?} is not installed");
    None
}
