//! `why401 server` as a user meets it: bad input, secrets, JSON shape, the text report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::server_http as http;

use std::path::Path;

use assert_cmd::Command;
use http::{p, why401};

fn run_server(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("why401")
        .unwrap()
        .arg("server")
        .args(args)
        .arg("--no-config-test")
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn bad(dir: &Path, name: &str, body: &[u8]) -> (String, String) {
    let f = dir.join(name);
    std::fs::write(&f, body).unwrap();
    let (code, out, err) = run_server(&["--nginx", &p(&f)]);
    assert_eq!(code, 2, "{name}: {out}{err}");
    assert!(out.is_empty(), "{name}: {out}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    (p(&f), err.trim_end().to_owned())
}

#[test]
fn bad_nginx_input_is_one_positioned_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (f, e) = bad(
        d,
        "braces.conf",
        b"http {\n  server {\n    listen 80;\n  }\n",
    );
    assert_eq!(
        e,
        format!(
            "why401: {f}:5:1: unexpected end of file, expecting \"}}\" (the \"http\" block opened at 1:1 is never closed)"
        )
    );
    let (f, e) = bad(d, "extra.conf", b"server { }\n}\n");
    assert_eq!(
        e,
        format!("why401: {f}:2:1: unexpected \"}}\": no block is open here (unbalanced braces)")
    );
    let (f, e) = bad(d, "quote.conf", b"server {\n  auth_basic \"Admin;\n}\n");
    assert!(
        e.starts_with(&format!("why401: {f}:2:14: unterminated quoted string")),
        "{e}"
    );
    std::fs::write(d.join("a.inc"), "include b.inc;").unwrap();
    std::fs::write(d.join("b.inc"), "server_name x;\ninclude a.inc;").unwrap();
    let (f, e) = bad(d, "loop.conf", b"server { include a.inc; }");
    assert!(
        e.contains("b.inc:2:1: include loop:") && e.contains("a.inc -> "),
        "{f}: {e}"
    );
    let (_, e) = bad(
        d,
        "missing.conf",
        b"server {\n  include conf.d/none.conf;\n}",
    );
    assert!(
        e.contains("missing.conf:2:3: include ")
            && e.contains("none.conf\": no such file or directory"),
        "{e}"
    );
    let (f, e) = bad(d, "bin.conf", b"\x7fELF\x02\x01\x01\x00\x00");
    assert_eq!(
        e,
        format!("why401: {f}:1:8: binary data (a NUL byte): not a text configuration file")
    );
}

#[test]
fn a_100_mb_config_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("huge.conf");
    let file = std::fs::File::create(&f).unwrap();
    file.set_len(100 * 1024 * 1024).unwrap();
    let started = std::time::Instant::now();
    let (code, _, err) = run_server(&["--nginx", &p(&f)]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim_end(),
        format!(
            "why401: {}:1:1: file is larger than 16 MiB; not a configuration file this tool will read",
            p(&f)
        )
    );
    assert!(started.elapsed().as_secs() < 20);
    let (code, _, err) = run_server(&["--apache", &p(&f)]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn bad_apache_input_is_positioned() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join(".htaccess");
    std::fs::write(&f, "AuthType Basic\n<Files \"a\">\n  Require valid-user\n").unwrap();
    let (code, _, err) = run_server(&["--htaccess", &p(&f)]);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            ".htaccess:4:1: unexpected end of file: <Files a> opened at 2:1 is never closed"
        ),
        "{err}"
    );
}

#[test]
fn the_password_and_hashes_never_appear_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users");
    let hash = "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=";
    std::fs::write(&users, format!("alice:{hash}\n")).unwrap();
    let report = dir.path().join("ticket.json");
    for pw in ["secret", "canary-Wr0ng-pass"] {
        let out = Command::cargo_bin("why401")
            .unwrap()
            .args([
                "server",
                "--htpasswd",
                &p(&users),
                "-u",
                "alice",
                "--password-stdin",
                "--report",
                &p(&report),
                "--format",
                "json",
            ])
            .write_stdin(format!("{pw}\r\n"))
            .output()
            .unwrap();
        let all = format!(
            "{}{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&report).unwrap()
        );
        assert!(!all.contains(pw), "the password leaked: {all}");
        assert!(
            !all.contains("5en6G6MezRroT3XKqkdPOmY"),
            "the hash leaked: {all}"
        );
        assert_eq!(out.status.code(), Some(i32::from(pw != "secret")), "{all}");
    }
}

#[test]
fn json_has_effective_and_causes() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("site.conf");
    std::fs::write(
        &conf,
        "server {\n  server_name api.example.test;\n  location /api/ {\n    auth_basic \"API\";\n    auth_basic_user_file /nonexistent/htpasswd;\n    proxy_set_header Authorization \"\";\n    proxy_pass http://127.0.0.1:9;\n  }\n}\n",
    )
    .unwrap();
    let s = why401(
        &[
            "--nginx",
            &p(&conf),
            "--host",
            "api.example.test",
            "--path",
            "/api/v1",
        ],
        None,
    );
    assert_eq!(s.code, 1);
    let e = &s.json["effective"];
    assert_eq!(e["scheme"], "basic");
    assert_eq!(e["realm"], "API");
    assert_eq!(e["user_file"], "/nonexistent/htpasswd");
    assert_eq!(e["satisfy"], "all");
    assert_eq!(e["proxy_target"], "http://127.0.0.1:9");
    assert_eq!(e["forwards_authorization"], false);
    assert!(e["require"].is_string());
    assert_eq!(
        s.causes(),
        ["proxy-strips-authorization", "htpasswd-file-missing"]
    );
    let first = &s.json["causes"][0];
    assert!(first["evidence"][0].as_str().unwrap().ends_with("site.conf:6:5: proxy_set_header Authorization \"\" removes the header before proxy_pass http://127.0.0.1:9"));
}

#[test]
fn text_report_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("users"),
        "alice:$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0\r\nbob:{SSHA}abc\nbob:$2y$x\n",
    )
    .unwrap();
    std::fs::write(
        d.join(".htaccess"),
        format!("AuthType Basic\nAuthName \"Members only\"\nAuthUserFile {}/users\nRequire user alice carol\nRewriteRule ^ index.php [L]\n", d.display()),
    )
    .unwrap();
    let out = Command::cargo_bin("why401")
        .unwrap()
        .args([
            "server",
            "--htaccess",
            &p(&d.join(".htaccess")),
            "--path",
            "/members/",
            "-u",
            "alice",
            "--password-stdin",
        ])
        .write_stdin("secret\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout).replace(&p(d), "[DIR]");
    insta::assert_snapshot!(text);
}

/// `--htaccess .htaccess` from the directory it is in: the served directory is that one, so a
/// user file elsewhere is not "inside the web root" (an empty parent path, which every path
/// starts with, said it was) and one beside it is.
#[test]
fn a_relative_htaccess_judges_the_user_file_by_its_own_directory() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir(&site).unwrap();
    let rule = "user-file-in-web-root";
    for (file, inside) in [
        (dir.path().join("users"), false),
        (site.join("users"), true),
    ] {
        std::fs::write(&file, "bob:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n").unwrap();
        std::fs::write(
            site.join(".htaccess"),
            format!(
                "AuthType Basic\nAuthName \"x\"\nAuthUserFile {}\nRequire valid-user\n",
                p(&file)
            ),
        )
        .unwrap();
        for (cwd, arg) in [
            (&site, ".htaccess"),
            (&dir.path().to_path_buf(), "site/.htaccess"),
        ] {
            let out = Command::cargo_bin("why401")
                .unwrap()
                .current_dir(cwd)
                .args([
                    "server",
                    "--htaccess",
                    arg,
                    "--path",
                    "/",
                    "--no-config-test",
                ])
                .output()
                .unwrap();
            let out = String::from_utf8_lossy(&out.stdout);
            assert_eq!(out.contains(rule), inside, "{arg}, {}: {out}", p(&file));
        }
    }
}
