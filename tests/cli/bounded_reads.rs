//! Every read is bounded and every file checked: /dev/zero, a FIFO nobody writes to, a link out
//! of a --flows directory, and a 2 GiB body streamed by a server. Each ends in seconds with a
//! clear message, in bounded memory (measured with /usr/bin/time where it exists).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::loopback;

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Runs why401 with `args`; returns exit code, stdout+stderr and the time taken.
fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    let out = Command::cargo_bin("why401")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text, started.elapsed())
}

fn fifo(dir: &Path, name: &str) -> String {
    let p = dir.join(name);
    let ok = std::process::Command::new("mkfifo")
        .arg(&p)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mkfifo failed");
    p.display().to_string()
}

#[test]
fn devices_and_fifos_are_refused_at_once_wherever_a_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pipe = fifo(d, "pipe");
    std::fs::write(d.join("access.log"), "").unwrap();
    let include = d.join("nginx.conf");
    std::fs::write(&include, format!("http {{ include {pipe}; }}\n")).unwrap();
    std::fs::write(
        d.join("answers.yaml"),
        "url: http://127.0.0.1:9/\npassword: {file: pipe}\n",
    )
    .unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["logs", "access.log", "--nginx-conf", "/dev/zero"],
        vec!["logs", &pipe],
        vec!["har", &pipe],
        vec!["har", "/dev/zero"],
        vec!["jwt", &pipe],
        vec!["jwt", "/dev/zero"],
        vec!["server", "--nginx", &pipe],
        vec!["server", "--htpasswd", "/dev/zero"],
        vec!["check", "http://127.0.0.1:9/", "--bearer-file", &pipe],
        vec!["run", "--flow", "owner", "--answers", &pipe],
    ];
    for args in &cases {
        let (code, text, took) = run(d, args);
        assert!(
            took < Duration::from_secs(10),
            "{args:?} took {took:?}: {text}"
        );
        assert_ne!(code, Some(0), "{args:?}: {text}");
        assert!(
            ["FIFO", "device", "not a file below"]
                .iter()
                .any(|w| text.contains(w)),
            "{args:?} does not say why: {text}"
        );
    }
    // An include of a FIFO is named as such, not waited on.
    let (_, text, took) = run(d, &["server", "--nginx", &include.display().to_string()]);
    assert!(
        took < Duration::from_secs(10) && text.contains("FIFO"),
        "{took:?} {text}"
    );
}

#[test]
fn a_link_out_of_the_flows_directory_is_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let flows = dir.path().join("flows");
    std::fs::create_dir(&flows).unwrap();
    let env = dir.path().join(".env");
    std::fs::write(&env, "DATABASE_URL=postgres://app:Summer2026!@db/app\n").unwrap();
    std::os::unix::fs::symlink(&env, flows.join("env.yaml")).unwrap();
    let (_, text, _) = run(dir.path(), &["--flows", "flows", "flows", "list"]);
    assert!(text.contains("a link out of"), "{text}");
    assert!(
        !text.contains("Summer2026") && !text.contains("postgres"),
        "{text}"
    );
}

/// `(seconds, max RSS KiB)` of `why401 args` under /usr/bin/time, if it is installed.
fn measured(dir: &Path, args: &[&str]) -> Option<(f64, u64, String)> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        eprintln!("skipped measuring: /usr/bin/time is missing");
        return None;
    }
    let bin = assert_cmd::cargo::cargo_bin("why401");
    let started = Instant::now();
    let out = std::process::Command::new(time)
        .arg("-v")
        .arg(bin)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let secs = started.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let rss = err
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())?;
    Some((
        secs,
        rss,
        format!("{}{err}", String::from_utf8_lossy(&out.stdout)),
    ))
}

/// An nginx site in `d` whose user file lies in its web root, so `server --url` fetches it;
/// returns the configuration's path.
fn site_with_user_file_in_web_root(d: &Path) -> String {
    std::fs::create_dir(d.join("www")).unwrap();
    std::fs::write(
        d.join("www/.htpasswd"),
        "alice:$apr1$abcdefgh$0123456789abcdefghijkl\n",
    )
    .unwrap();
    let conf = d.join("site.conf");
    std::fs::write(
        &conf,
        format!(
            "server {{ listen 80; root {0}/www; location / {{ auth_basic \"x\"; auth_basic_user_file {0}/www/.htpasswd; }} }}\n",
            d.display()
        ),
    )
    .unwrap();
    conf.display().to_string()
}

#[test]
fn a_two_gib_body_is_read_no_further_than_64_kib() {
    // The user file is in the web root, so `server --url` fetches it; the site streams 2 GiB.
    let url = loopback::serve_raw(|mut s| async move {
        let mut buf = vec![0u8; 8192];
        let _ = tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf)).await;
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
            2u64 << 30
        );
        if s.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..2048 {
            if s.write_all(&chunk).await.is_err() {
                return;
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let conf = site_with_user_file_in_web_root(d);
    let args = ["server", "--nginx", &conf, "--url", &url];
    let Some((secs, rss_kib, text)) = measured(d, &args) else {
        let (_, _, took) = run(d, &args);
        assert!(took < Duration::from_secs(20), "{took:?}");
        return;
    };
    eprintln!("server --url against a 2 GiB body: {secs:.2} s, peak RSS {rss_kib} KiB");
    assert!(
        text.contains("/.htpasswd → 200"),
        "the body was not fetched: {text}"
    );
    assert!(secs < 20.0, "{secs} s: {text}");
    assert!(rss_kib < 100 * 1024, "{rss_kib} KiB: {text}");
}

#[test]
fn a_gzip_bomb_is_refused_with_the_figures() {
    use std::io::Write as _;
    // 64 MiB of user-file lines, gzip-compressed for real: about 200 KiB on the wire. Read
    // inflated to the end it would look like an exposed user file; it must be refused.
    let line = b"alice:$apr1$abcdefgh$0123456789abcdefghijkl\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = line.repeat(1 << 14);
    for _ in 0..(64 << 20) / block.len() {
        gz.write_all(&block).unwrap();
    }
    let bomb = std::sync::Arc::new(gz.finish().unwrap());
    let sent = bomb.len();
    let app = axum::Router::new().fallback(axum::routing::any(move || {
        let bomb = std::sync::Arc::clone(&bomb);
        async move {
            (
                [("content-encoding", "gzip"), ("content-type", "text/plain")],
                bomb.as_ref().clone(),
            )
        }
    }));
    let url = loopback::serve(app);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let conf = site_with_user_file_in_web_root(d);
    let args = ["server", "--nginx", &conf, "--url", &url, "--json"];
    let (_, text, took) = run(d, &args);
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert!(
        text.contains("refused: the gzip answer inflates past 64 KiB"),
        "{sent} compressed bytes: {text}"
    );
    assert!(!text.contains("user-file-downloadable"), "{text}");
    if let Some((secs, rss_kib, _)) = measured(d, &args) {
        eprintln!(
            "server --url against a gzip bomb ({sent} bytes → 64 MiB): {secs:.2} s, peak RSS {rss_kib} KiB"
        );
        assert!(rss_kib < 100 * 1024, "{rss_kib} KiB");
    }
}

#[test]
fn a_har_with_a_one_gib_body_streams_in_bounded_memory() {
    use std::io::Write as _;
    let time = Path::new("/usr/bin/time");
    let bin = assert_cmd::cargo::cargo_bin("why401");
    let mut cmd = if time.exists() {
        let mut c = std::process::Command::new(time);
        c.arg("-v").arg(bin);
        c
    } else {
        eprintln!("not measuring RSS: /usr/bin/time is missing");
        std::process::Command::new(bin)
    };
    let mut child = cmd
        .args(["har", "-", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let started = Instant::now();
    let writer = std::thread::spawn(move || {
        let entry = |status: u16, body: &str| {
            format!(
                r#"{{"startedDateTime":"2026-01-01T00:00:00Z","request":{{"method":"GET","url":"http://127.0.0.1/api","headers":[]}},"response":{{"status":{status},"headers":[{{"name":"WWW-Authenticate","value":"Bearer realm=\"api\""}}],"content":{{"mimeType":"text/plain","text":"{body}"#
            )
        };
        stdin
            .write_all(format!(r#"{{"log":{{"entries":[{}"#, entry(200, "")).as_bytes())
            .unwrap();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..1024 {
            stdin.write_all(&chunk).unwrap();
        }
        stdin.write_all(br#""}}},"#).unwrap();
        stdin
            .write_all(format!("{}\"}}}}}}]}}}}", entry(401, "denied")).as_bytes())
            .unwrap();
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let secs = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code().is_some(), "{stderr}");
    assert!(
        stdout.contains("401"),
        "the entry after the big body was read: {stdout}\n{stderr}"
    );
    let rss_kib: Option<u64> = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok());
    eprintln!("har with a 1 GiB body: {secs:.2} s, peak RSS {rss_kib:?} KiB");
    if let Some(rss) = rss_kib {
        assert!(rss < 100 * 1024, "{rss} KiB");
    }
    assert!(secs < 120.0, "{secs} s");
}

/// Standard input that never ends (`< /dev/zero`) for every option that reads it: each stops
/// at its bound with a one-line error, in seconds and bounded memory; a secret is never cut
/// short and sent (the site receives nothing).
#[test]
fn standard_input_from_dev_zero_is_refused_at_its_bound() {
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = hits.clone();
    let url = loopback::site(move |_, _| {
        seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        loopback::answer(401, &[loopback::basic()], "no")
    });
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users");
    std::fs::write(&users, "a:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n").unwrap();
    let users = users.display().to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["check", &url, "--bearer-file", "-"],
            "longer than 64 KiB",
        ),
        (
            vec!["check", &url, "-u", "a", "--password-stdin"],
            "longer than 64 KiB",
        ),
        (
            vec![
                "server",
                "--htpasswd",
                &users,
                "-u",
                "a",
                "--password-stdin",
            ],
            "longer than 64 KiB",
        ),
        (vec!["jwt", "-"], "too large"),
        (vec!["logs", "-"], "neither an access log"),
        (vec!["har", "-"], "reading -"),
    ];
    let time = Path::new("/usr/bin/time");
    for (args, says) in &cases {
        let bin = assert_cmd::cargo::cargo_bin("why401");
        let mut cmd = if time.exists() {
            let mut c = std::process::Command::new(time);
            c.args(["-f", "RSS_KIB=%M"]).arg(bin);
            c
        } else {
            std::process::Command::new(bin)
        };
        let started = Instant::now();
        let out = cmd
            .args(args)
            .current_dir(dir.path())
            .stdin(std::fs::File::open("/dev/zero").unwrap())
            .output()
            .unwrap();
        let secs = started.elapsed().as_secs_f64();
        let err = String::from_utf8_lossy(&out.stderr);
        let rss: Option<u64> = err
            .lines()
            .find_map(|l| l.strip_prefix("RSS_KIB="))
            .and_then(|v| v.trim().parse().ok());
        eprintln!("{args:?} < /dev/zero: {secs:.2} s, peak RSS {rss:?} KiB");
        assert!(!out.status.success(), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?} does not say '{says}': {err}");
        let message = err
            .lines()
            .find(|l| l.starts_with("why401: "))
            .unwrap_or("");
        assert!(
            message.len() < 1024,
            "{args:?} quotes more than a token: {message}"
        );
        assert!(secs < 10.0, "{args:?}: {secs} s");
        if let Some(rss) = rss {
            assert!(rss < 100 * 1024, "{args:?}: {rss} KiB");
        }
    }
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "a request was sent"
    );
}
