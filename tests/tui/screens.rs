//! Every wizard screen, drawn with ratatui's TestBackend at 80x24 and 120x40 and compared
//! with reviewed snapshots.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::tui_app;

use ratatui::crossterm::event::KeyCode;
use tui_app::{URL, at_results_step, at_running_step, ch, ctrl, flows, key, render, type_text};
use why401::tui::{App, Options, update};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn snap_both(name: &str, app: &mut App) {
    // The ticket preview carries the time it was made: same width, so the frame stays aligned.
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z",
        "YYYY-MM-DDThh:mm:ssZ",
    );
    // A probe's log marker is random per session: same width, so the frame stays aligned.
    settings.add_filter(r"probe [0-9a-f]{12}", "probe 0123456789ab");
    settings.bind(|| {
        for (w, h) in SIZES {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(app, w, h));
        }
    });
}

#[test]
fn start_screen() {
    let set = flows();
    let mut app = App::new(
        &set,
        Options {
            url: Some(URL.to_owned()),
            ..Default::default()
        },
    );
    snap_both("start", &mut app);
}

#[test]
fn start_screen_in_help_desk_mode() {
    let set = flows();
    let mut app = App::new(
        &set,
        Options {
            agent: true,
            ..Default::default()
        },
    );
    type_text(&mut app, "HD-4711");
    update(&mut app, key(KeyCode::Enter));
    type_text(&mut app, "Dana Reyes");
    snap_both("start_agent", &mut app);
}

#[test]
fn step_with_running_probe() {
    let set = flows();
    let (mut app, _) = at_running_step(&set);
    snap_both("step_running", &mut app);
}

#[test]
fn step_with_results() {
    let set = flows();
    let mut app = at_results_step(&set);
    snap_both("step_results", &mut app);
}

/// A step whose check read a log: the 401s over time are drawn as a sparkline under it.
#[test]
fn step_with_a_log_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let mut text = String::new();
    for (minute, n) in [(0, 1), (1, 3), (2, 8), (4, 2)] {
        for s in 0..n {
            text.push_str(&format!(
                "203.0.113.7 - - [23/Nov/2026:10:{minute:02}:{s:02} +0000] \"GET /admin HTTP/1.1\" 401 179 \"-\" \"curl/8\"\n"
            ));
        }
    }
    std::fs::write(&log, text).unwrap();
    let mut args = why401::probe::ProbeArgs::new();
    args.insert("files".into(), log.display().to_string());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let logs = rt.block_on(why401::probe::run_one(
        why401::probe::ProbeRequest {
            id: "logs".into(),
            kind: "logs".into(),
            args,
        },
        why401::probe::ProbeContext::new(std::time::Duration::from_secs(5)).unwrap(),
    ));
    let set = flows();
    let (mut app, cmd) = at_running_step(&set);
    tui_app::answer_probes(&mut app, cmd, |id| {
        let mut r = logs.clone();
        id.clone_into(&mut r.id);
        r.elapsed_ms = 31;
        r
    });
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("401s per minute, 2026-11-23T10:00 → 2026-11-23T10:04 UTC: ▁▃█ ▂"),
        "{screen}"
    );
    snap_both("step_log_timeline", &mut app);
}

/// The login step with the password half typed: the canary must never reach the screen.
#[test]
fn input_with_masked_secret() {
    let set = flows();
    let mut app = at_results_step(&set);
    assert_eq!(update(&mut app, key(KeyCode::Enter)), None);
    type_text(&mut app, "dana");
    assert_eq!(update(&mut app, key(KeyCode::Enter)), None);
    type_text(&mut app, "CANARY-pw-42");
    for (w, h) in SIZES {
        let screen = render(&mut app, w, h);
        assert!(!screen.contains("CANARY"), "secret drawn:\n{screen}");
        assert!(screen.contains("••••••••••••"));
        insta::assert_snapshot!(format!("input_secret_{w}x{h}"), screen);
    }
    // Revealing is the person's choice, and it shows.
    update(&mut app, ctrl('r'));
    assert!(render(&mut app, 80, 24).contains("CANARY-pw-42"));
    update(&mut app, ctrl('r'));
    assert!(!render(&mut app, 80, 24).contains("CANARY"));
}

#[test]
fn help_overlay() {
    let set = flows();
    let mut app = at_results_step(&set);
    update(&mut app, ch('?'));
    snap_both("help", &mut app);
}

#[test]
fn quit_confirmation() {
    let set = flows();
    let mut app = at_results_step(&set);
    update(&mut app, ch('q'));
    snap_both("quit", &mut app);
}

#[test]
fn too_small() {
    let set = flows();
    let mut app = at_results_step(&set);
    insta::assert_snapshot!("too_small_20x6", render(&mut app, 20, 6));
    insta::assert_snapshot!("too_small_60x20", render(&mut app, 60, 20));
    // q asks there too, and the question is drawn whole, wrapped to the width.
    update(&mut app, ch('q'));
    let screen = render(&mut app, 40, 10);
    assert!(
        screen.contains("Quit? y: yes") && screen.contains("keys stay"),
        "{screen}"
    );
    insta::assert_snapshot!("too_small_quit_40x10", screen);
    // Smaller than the message itself still draws without panicking.
    for (w, h) in [(1, 1), (5, 2), (20, 1), (79, 24), (80, 23)] {
        let _ = render(&mut app, w, h);
    }
}

#[test]
fn end_screen_with_ticket() {
    let set = flows();
    let mut app = at_results_step(&set);
    update(&mut app, key(KeyCode::Down));
    assert_eq!(update(&mut app, key(KeyCode::Enter)), None);
    assert_eq!(app.screen, why401::tui::Screen::End);
    snap_both("end", &mut app);
}

/// NO_COLOR: not one cell gets a colour; icons and words carry the meaning.
#[test]
fn monochrome_draws_no_colour() {
    use ratatui::style::Color;
    let set = flows();
    let mut app = at_results_step(&set);
    app.options.monochrome = true;
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    terminal.draw(|f| why401::tui::view(&app, f)).unwrap();
    let buffer = terminal.backend().buffer();
    assert!(
        buffer
            .content()
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset)
    );
    let text = terminal.backend().to_string();
    assert!(text.contains("✘ fail") && text.contains("★ suggested"));
}

/// The checks named a cause: "Found so far" shows it, ranked, with its evidence, and the
/// trail marks the step that found it.
#[test]
fn step_with_found_so_far() {
    let set = flows();
    let (mut app, cmd) = at_running_step(&set);
    tui_app::answer_probes(&mut app, cmd, |id| {
        let mut r = tui_app::basic_401(id, URL);
        r.causes.push(why401::diagnose::CauseHit::new(
            "no-credentials-sent",
            0.8,
            format!("{URL} answered 401 to a request without credentials"),
        ));
        r.causes.push(why401::diagnose::CauseHit::new(
            "cached-401",
            0.3,
            "the 401 carries no Cache-Control",
        ));
        r
    });
    snap_both("step_found", &mut app);
}

/// `e` opens every finding in full: the evidence the one-line panel cuts, how sure, the fix;
/// a secret typed in the walk never shows there, and stranger text is shown, not emitted.
#[test]
fn every_finding_in_full_with_e() {
    let set = flows();
    let (mut app, cmd) = at_running_step(&set);
    let long = format!(
        "{URL} answered 401 to a request without credentials; the challenge names realm \
         \"staff\x1b]0;owned\x07\" and the body says the login page is at /login?next=/admin"
    );
    tui_app::answer_probes(&mut app, cmd, |id| {
        let mut r = tui_app::basic_401(id, URL);
        r.causes.push(why401::diagnose::CauseHit::new(
            "no-credentials-sent",
            0.8,
            long.clone(),
        ));
        r.causes.push(why401::diagnose::CauseHit::new(
            "cached-401",
            0.3,
            "the 401 carries no Cache-Control",
        ));
        r
    });
    let panel = render(&mut app, 80, 24);
    assert!(
        !panel.contains("login?next=/admin"),
        "the panel cuts it: {panel}"
    );
    update(&mut app, key(KeyCode::Char('e')));
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("login?next=/admin"), "{screen}");
    assert!(screen.contains(r"staff\x1b]0;owned\x07"), "{screen}");
    assert!(!screen.contains('\x1b'), "{screen}");
    assert!(screen.contains("fix: "), "{screen}");
    snap_both("step_findings_in_full", &mut app);
    update(&mut app, key(KeyCode::Char('x')));
    assert!(!render(&mut app, 120, 40).contains("Everything found"));
}

/// A walk that ends at a fix is re-tested at once; while the request still gets 401 the end
/// says "Diagnosed", names the cause and how to re-test.
#[test]
fn end_screen_diagnosed_until_the_retest_passes() {
    use why401::tui::{Command, Message};
    let set = flows();
    let (mut app, cmd) = at_running_step(&set);
    // The site answered 200 to the first check: the walk ends at "No 401 now" (resolved).
    let retest = tui_app::answer_probes(&mut app, cmd, |id| {
        let mut r = why401::probe::ProbeReport::new(id, "http");
        r.fact("responded", true);
        r.fact("status", 200_i64);
        r
    });
    let Some(Command::RunProbes { run, requests }) = retest else {
        panic!("the end should re-test, got {retest:?}");
    };
    assert_eq!(requests[0].args.get("url").map(String::as_str), Some(URL));
    update(
        &mut app,
        Message::ProbeDone {
            run,
            index: 0,
            report: tui_app::basic_401("retest", URL),
        },
    );
    snap_both("end_diagnosed", &mut app);
    assert!(app.end.ticket.contains("**Outcome:** diagnosed"));
    assert!(app.end.ticket.contains("**Re-test:**"));
}

/// The step that ran the whole check battery: its ranked causes show at once as "Problems
/// found", and its line in the checks names the top one.
#[test]
fn step_with_problems_found_by_the_battery() {
    use why401::diagnose::CauseHit;
    let set = flows();
    let (mut app, cmd) = at_running_step(&set);
    tui_app::answer_probes(&mut app, cmd, |id| {
        // The battery reports under its own id, whatever slot it fills here.
        let _ = id;
        let mut r = why401::probe::ProbeReport::new("check", "check");
        r.verdict = why401::probe::Verdict::Fail;
        "most likely `exp` is in the past (beyond leeway) (90%) and 1 more"
            .clone_into(&mut r.summary);
        r.fact("status", 401_i64);
        r.fact("top", "token-expired");
        r.causes = vec![
            CauseHit::new(
                "token-expired",
                0.9,
                "the token's exp passed 3600 s before the server's Date",
            ),
            CauseHit::new(
                "bad-credentials",
                0.5,
                format!("{URL} answered 401 to the Bearer token sent"),
            ),
            CauseHit::remark(
                "no-credentials-sent",
                0.8,
                format!("{URL} answered 401 to a request without credentials"),
            ),
        ];
        r.elapsed_ms = 48;
        r
    });
    snap_both("step_battery", &mut app);
}

/// The connection options box (o): curl's options, the proxy typed; Enter applies them,
/// the probes reconnect, and the ticket says how they connected.
#[test]
fn connection_options() {
    let set = flows();
    let mut app = at_results_step(&set);
    update(&mut app, ch('o'));
    for _ in 0..4 {
        update(&mut app, key(KeyCode::Tab));
    }
    type_text(&mut app, "http://127.0.0.1:3128");
    snap_both("connection", &mut app);
    // A wrong entry names its line, and the box stays.
    update(&mut app, key(KeyCode::BackTab));
    update(&mut app, key(KeyCode::BackTab));
    type_text(&mut app, "nonsense");
    assert_eq!(update(&mut app, key(KeyCode::Enter)), None);
    let screen = render(&mut app, 120, 40);
    let said = screen
        .lines()
        .find(|l| l.contains("✘ Aim at an address (--resolve): the entry"))
        .unwrap_or_else(|| panic!("no error naming the line:\n{screen}"));
    assert!(
        !said.contains("nonsense"),
        "what was typed is echoed: {said}"
    );
    update(&mut app, ctrl('u'));
    type_text(&mut app, "example.test:443:127.0.0.1");
    assert_eq!(
        update(&mut app, key(KeyCode::Enter)),
        Some(why401::tui::Command::Reconnect)
    );
    assert_eq!(
        app.options.net.summary(),
        [
            "--resolve example.test:443:127.0.0.1",
            "proxy http://127.0.0.1:3128/ (--proxy)"
        ]
    );
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("connection: --resolve example.test:443:127.0.0.1"),
        "{screen}"
    );
    // To the end: the ticket states the connection options.
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::Enter));
    assert!(
        app.end
            .ticket
            .contains("**Connection:** \\--resolve example.test:443:127.0.0.1; proxy"),
        "{}",
        app.end.ticket
    );
}

/// A saved walk that was given a password: the box asks for it again before the walk comes
/// back with its history.
#[test]
fn resume_asks_for_the_secret_again() {
    let set = flows();
    let mut app = at_results_step(&set);
    update(&mut app, key(KeyCode::Enter));
    type_text(&mut app, "dana");
    update(&mut app, key(KeyCode::Enter));
    type_text(&mut app, "CANARY-pw-42");
    let cmd = update(&mut app, key(KeyCode::Enter));
    tui_app::answer_probes(&mut app, cmd, |id| tui_app::basic_401(id, URL));
    let mut saved = app.engine.as_ref().unwrap().session().clone();
    saved.secrets.remove("password");
    let mut resumed = App::new(&set, Options::default());
    resumed.resume_from(saved).unwrap();
    snap_both("resume", &mut resumed);
    type_text(&mut resumed, "CANARY-pw-42");
    assert_eq!(update(&mut resumed, key(KeyCode::Enter)), None);
    let engine = resumed.engine.as_ref().unwrap();
    assert!(engine.can_go_back());
    assert_eq!(engine.session().trail.len(), 2);
    let screen = render(&mut resumed, 120, 40);
    assert!(screen.contains("b goes back through them"), "{screen}");
    assert!(!screen.contains("CANARY"), "{screen}");
}

/// Help-desk mode: the step speaks of the caller.
#[test]
fn step_in_help_desk_mode() {
    let set = flows();
    let mut app = at_results_step(&set);
    app.agent = true;
    snap_both("step_agent", &mut app);
}

/// A realm a stranger chose, carrying a clipboard write (OSC 52), a title change (OSC 0) and a
/// right-to-left override: the wizard shows each as a visible escape and emits none of them
/// (ratatui alone would drop the ESC and print the rest as if it were text).
#[test]
fn a_realm_with_terminal_escapes_is_shown_not_emitted() {
    let set = flows();
    let (mut app, cmd) = at_running_step(&set);
    let realm = "st\x1b]52;c;cHduZWQ=\x07aff\u{9d}0;t\u{9c}\u{202E}";
    let challenge = format!("Basic realm=\"{realm}\"");
    tui_app::answer_probes(&mut app, cmd, |id| {
        let mut r = tui_app::basic_401(id, URL);
        r.summary = format!("401, server asks for {challenge}");
        r.fact("challenge.realm", realm);
        r.fact("challenge.raw", vec![challenge.clone()]);
        r.evidence = vec![format!("WWW-Authenticate: {challenge}")];
        r
    });
    let screen = render(&mut app, 120, 40);
    for c in ['\x1b', '\x07', '\u{9d}', '\u{9c}', '\u{202E}'] {
        assert!(!screen.contains(c), "{c:?} reached the screen:\n{screen}");
    }
    assert!(screen.contains(r"st\x1b]52;c;cHduZWQ=\x07aff"), "{screen}");
    insta::assert_snapshot!("step_realm_with_escapes_120x40", screen);
}

/// A step asking for a file: the hint and the key bar say Tab completes (and offer no
/// "reveal": nothing is masked); after Tab with several matches, they are listed.
#[test]
fn input_of_a_file_path() {
    let mut set = why401::flow::FlowSet::default();
    let mut diags = Vec::new();
    set.add(
        "visitor.yaml",
        "id: visitor\ntitle: Visitor\nstart: files\nnodes:\n  files:\n    title: Pick the log file\n    body: The access log of the site.\n    inputs:\n      - id: log_file\n        kind: path\n        prompt: The access log\n    choices:\n      - label: Done\n        goto: done\n  done:\n    title: Done\n    end: escalate\n",
        false,
        &mut diags,
    );
    assert!(diags.is_empty(), "{diags:?}");
    let (mut app, _) = tui_app::at_running_step(&set);
    for (w, h) in SIZES {
        let screen = render(&mut app, w, h);
        assert!(screen.contains("Tab completes the path"), "{screen}");
        assert!(!screen.contains("reveal"), "{screen}");
    }
    snap_both("input_path", &mut app);
    let dir = tempfile::tempdir().unwrap();
    for name in ["site-a.conf", "site-b.conf"] {
        std::fs::write(dir.path().join(name), "").unwrap();
    }
    type_text(&mut app, &format!("{}/s", dir.path().display()));
    update(&mut app, key(KeyCode::Tab));
    let screen = render(&mut app, 120, 40);
    assert!(
        screen.contains("2 matches: site-a.conf  site-b.conf"),
        "{screen}"
    );
    assert!(screen.contains("/site-"), "{screen}");
}
