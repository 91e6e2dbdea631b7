//! Escape injection: terminal controls planted where strangers plant them — a Basic user name
//! that a real nginx writes raw into its error.log, an HTTP answer's headers, a HAR, a token,
//! a server config — never reach stdout, stderr or a ticket as controls. Plus the dictionary
//! test: the unsalted SHA-256 of a common password appears nowhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::logs_report;
use crate::support::loopback;

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Clipboard write (OSC 52), window title (OSC 0), clear screen (CSI 2J), and a
/// right-to-left override (`adm<RLO>exe.nip` shows as `admpin.exe`).
pub(crate) const ESC_PAYLOADS: &[&str] = &[
    "o52\x1b]52;c;ZWNobyBwd25lZA==\x07",
    "o0\x1b]0;pwned\x07",
    "cls\x1b[2J",
    "adm\u{202E}exe.nip",
];
/// The same in their one-character C1 forms (CSI U+009B, OSC U+009D ... ST U+009C): what an
/// HTTP header can carry (HTTP parsers refuse ESC, not the UTF-8 bytes of C1).
pub(crate) const C1_PAYLOADS: &[&str] = &[
    "o52\u{9d}52;c;ZWNobw==\u{9c}",
    "o0\u{9d}0;pwned\u{9c}",
    "cls\u{9b}2J",
    "adm\u{202E}exe.nip",
];

/// No character a terminal would act on: C0 but tab and line ends, DEL, C1, bidi controls.
pub(crate) fn assert_inert(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for (i, c) in text.char_indices() {
        let bad = (c < ' ' && !matches!(c, '\n' | '\t' | '\r'))
            || ('\x7f'..='\u{9f}').contains(&c)
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        assert!(
            !bad,
            "{what}: U+{:04X} at byte {i}: …{}…",
            u32::from(c),
            text[i.saturating_sub(60)..]
                .chars()
                .take(120)
                .collect::<String>()
        );
    }
}

pub(crate) fn why401(dir: &Path, args: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let out = Command::cargo_bin("why401")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    (out.stdout, out.stderr)
}

/// Runs `args` as text, `--json`, and with md and text tickets; every output must be inert.
fn every_surface(what: &str, dir: &Path, args: &[&str], json_flag: &str) {
    let (out, err) = why401(dir, args);
    assert_inert(&format!("{what} stdout"), &out);
    assert_inert(&format!("{what} stderr"), &err);
    let mut json = args.to_vec();
    json.push(json_flag);
    let (out, err) = why401(dir, &json);
    assert_inert(&format!("{what} --json stdout"), &out);
    assert_inert(&format!("{what} --json stderr"), &err);
    for ext in ["md", "txt"] {
        let report = dir.join(format!("ticket-{what}.{ext}"));
        let mut with = args.to_vec();
        let r = report.display().to_string();
        with.extend(["--report", r.as_str()]);
        let _ = why401(dir, &with);
        let bytes = std::fs::read(&report)
            .unwrap_or_else(|e| panic!("{what}: no {ext} ticket was written ({e})"));
        assert_inert(&format!("{what} {ext} ticket"), &bytes);
    }
}

#[test]
fn basic_user_names_that_nginx_logs_raw_stay_inert() {
    let Some(n) = logs_report::nginx_with_alice("correct-horse-canary") else {
        return;
    };
    for p in ESC_PAYLOADS {
        assert_eq!(
            logs_report::get(n.port, "/", Some(&format!("{p}:x")), "curl/8"),
            401
        );
    }
    // The authority: nginx itself writes the decoded user name, escapes and all.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !n.error_log().contains("was not found") && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let raw = std::fs::read(n.path("error.log")).unwrap();
    assert!(
        raw.windows(4).any(|w| w == b"\x1b]52"),
        "nginx no longer logs user names raw: {}",
        String::from_utf8_lossy(&raw)
    );
    let access = n.path("access.log").display().to_string();
    let error = n.path("error.log").display().to_string();
    every_surface("logs", n.dir.path(), &["logs", &access, &error], "--json");
    // The user names are still there, shown: a reader can see what was planted.
    let (out, _) = why401(n.dir.path(), &["logs", &access, &error]);
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("\\x1b]52;c;"), "{out}");
}

#[test]
fn http_headers_with_c1_controls_and_bidi_stay_inert() {
    let url = loopback::serve_raw(|mut s| async move {
        let mut buf = vec![0u8; 8192];
        let _ = tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf)).await;
        let answer = format!(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"{}\"\r\nX-Note: {}\r\nServer: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            C1_PAYLOADS[0], C1_PAYLOADS[2], C1_PAYLOADS[3]
        );
        let _ = s.write_all(answer.as_bytes()).await;
    });
    let dir = tempfile::tempdir().unwrap();
    every_surface(
        "check",
        dir.path(),
        &["check", &format!("{url}/admin"), "--timeout", "3"],
        "--json",
    );
}

fn har_with(payload: &str) -> serde_json::Value {
    let headers = |pairs: &[(&str, &str)]| -> serde_json::Value {
        pairs
            .iter()
            .map(|(n, v)| serde_json::json!({"name": n, "value": v}))
            .collect()
    };
    let entry = serde_json::json!({
        "startedDateTime": "2026-01-10T10:00:00.000Z",
        "time": 1,
        "_initiator": {"type": "script", "url": format!("https://app.example/{payload}.js")},
        "request": {"method": format!("GET{payload}"), "url": format!("https://api.example/{payload}?q=1"), "httpVersion": "HTTP/1.1",
                    "headers": headers(&[("Authorization", "Bearer abc")]), "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": 401, "statusText": "", "httpVersion": "HTTP/1.1",
                     "headers": headers(&[("WWW-Authenticate", &format!("Bearer realm=\"{payload}\"")), ("Set-Cookie", &format!("sid=1; Path=/{payload}"))]),
                     "cookies": [], "content": {"size": 0, "mimeType": "text/plain"}, "redirectURL": "", "headersSize": -1, "bodySize": 0},
        "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}
    });
    serde_json::json!({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": [entry]}})
}

#[test]
fn har_tokens_and_configs_with_escapes_stay_inert() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (i, p) in ESC_PAYLOADS.iter().chain(C1_PAYLOADS).enumerate() {
        let har = d.join(format!("c{i}.har"));
        std::fs::write(&har, har_with(p).to_string()).unwrap();
        every_surface("har", d, &["har", &har.display().to_string()], "--json");

        let b64 = |v: &serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        let token = format!(
            "{}.{}.c2lnbmF0dXJlLWJ5dGVzLW9mLWEtdG9rZW4",
            b64(&serde_json::json!({"alg": "HS256", "kid": p})),
            b64(&serde_json::json!({"sub": p, "iss": p, "exp": 1_768_039_200}))
        );
        let file = d.join(format!("t{i}.jwt"));
        std::fs::write(&file, &token).unwrap();
        every_surface("jwt", d, &["jwt", &file.display().to_string()], "--json");

        let conf = d.join(format!("n{i}.conf"));
        let users = d.join(format!("u{i}"));
        std::fs::write(
            &users,
            format!("{p}:$apr1$abcdefgh$0123456789abcdefghijkl\n"),
        )
        .unwrap();
        std::fs::write(
            &conf,
            format!(
                "location /{p} {{ auth_basic \"{p}\"; auth_basic_user_file {}; }}\n",
                users.display()
            ),
        )
        .unwrap();
        every_surface(
            "server",
            d,
            &[
                "server",
                "--nginx",
                &conf.display().to_string(),
                "--path",
                &format!("/{p}"),
            ],
            "--json",
        );
    }
}

/// A token sent to a site (`check --bearer-file`) whose `kid`, header fields and claims carry
/// the payloads: `check` decodes it and shows its claims, through the sanitiser only, and the
/// token itself (the canary secret) appears nowhere.
#[test]
fn a_token_with_escapes_in_its_kid_and_claims_stays_inert_through_check() {
    let site = loopback::serve(axum::Router::new().fallback(|| async {
        loopback::answer(
            401,
            &[(
                "www-authenticate",
                "Bearer error=\"invalid_token\"".to_owned(),
            )],
            "no",
        )
    }));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    for (i, p) in ESC_PAYLOADS.iter().chain(C1_PAYLOADS).enumerate() {
        let token = format!(
            "{}.{}.Y2FuYXJ5LXNpZ25hdHVyZS13aHk0MDEtc2VjcmV0",
            b64(&serde_json::json!({"alg": "RS256", "kid": p, "typ": p, "x5u": p})),
            b64(
                &serde_json::json!({"sub": p, "iss": p, "aud": [p, "api"], "scope": p, "exp": 1_768_039_200, p.to_string(): p})
            )
        );
        let file = d.join(format!("b{i}.jwt"));
        std::fs::write(&file, &token).unwrap();
        let args = [
            "check",
            &format!("{site}/api"),
            "--bearer-file",
            &file.display().to_string(),
            "--timeout",
            "3",
        ]
        .map(str::to_owned);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        every_surface("check-token", d, &args, "--json");
        let (out, err) = why401(d, &args);
        let (out, err) = (String::from_utf8_lossy(&out), String::from_utf8_lossy(&err));
        let signature = token.rsplit('.').next().unwrap();
        assert!(
            !out.contains(&token) && !out.contains(signature) && !err.contains(signature),
            "{out}{err}"
        );
    }
}

/// nginx paths hold the payloads too: a user file whose name carries them (missing, so the
/// problem quotes its path) and a location and realm that do.
#[test]
fn nginx_paths_with_escapes_stay_inert() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (i, p) in ESC_PAYLOADS.iter().chain(C1_PAYLOADS).enumerate() {
        let users = d.join(format!("users-{p}"));
        let conf = d.join(format!("n{i}.conf"));
        std::fs::write(
            &conf,
            format!(
                "location \"/{p}/\" {{ auth_basic \"{p}\"; auth_basic_user_file \"{}\"; }}\n",
                users.display()
            ),
        )
        .unwrap();
        let conf = conf.display().to_string();
        let path = format!("/{p}/x");
        every_surface(
            "server-paths",
            d,
            &["server", "--nginx", &conf, "--path", &path],
            "--json",
        );
        let (out, _) = why401(d, &["server", "--nginx", &conf, "--path", &path]);
        let out = String::from_utf8_lossy(&out);
        assert!(out.contains("users-"), "the missing file is named: {out}");
    }
}

/// An Apache `.htaccess` holds them where its writer can: the AuthName, a `Require user` name,
/// the AuthUserFile path; and the user file a user name. Every one is named in the report
/// (the realm, the file, the user with a hash Apache cannot verify, a required user missing
/// from the file), shown escaped, in text, `--json` and md/text tickets.
#[test]
fn apache_realms_user_names_and_user_files_with_escapes_stay_inert() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (i, p) in ESC_PAYLOADS.iter().chain(C1_PAYLOADS).enumerate() {
        let users = d.join(format!("users-{p}"));
        // {PLAIN} is nginx's scheme: Apache cannot verify it, so the report names the user.
        std::fs::write(&users, format!("{p}:{{PLAIN}}secret\n")).unwrap();
        let htaccess = d.join(format!("h{i}.htaccess"));
        std::fs::write(
            &htaccess,
            format!(
                "AuthType Basic\nAuthName \"{p}\"\nAuthUserFile \"{}\"\nRequire user \"{p}\" \"nobody-{p}\"\n",
                users.display()
            ),
        )
        .unwrap();
        let htaccess = htaccess.display().to_string();
        let args = ["server", "--htaccess", &htaccess, "--path", "/x"];
        every_surface("server-apache", d, &args, "--json");
        let (out, _) = why401(d, &args);
        let out = String::from_utf8_lossy(&out);
        // Shown, not dropped: the escapes name what was planted.
        let shown = |planted: &str| -> String {
            planted
                .chars()
                .map(|c| match c {
                    '\u{202E}' => "<U+202E>".to_owned(),
                    c if c < ' ' || ('\x7f'..='\u{9f}').contains(&c) => {
                        format!("\\x{:02x}", u32::from(c))
                    }
                    c => c.to_string(),
                })
                .collect()
        };
        let seen = shown(p);
        assert!(
            out.contains(&format!("realm \"{seen}\"")),
            "realm shown: {out}"
        );
        assert!(out.contains(&format!("users-{seen}")), "file shown: {out}");
        assert!(
            out.contains(&format!("user \"{seen}\" has a")),
            "user shown: {out}"
        );
        assert!(
            out.contains(&format!("nobody-{seen}")),
            "required user shown: {out}"
        );
    }
}

/// Flow files come from any `--flows` directory: a title and a node's title and choice carrying
/// the payloads (YAML double-quoted escapes) are shown, never emitted, by `flows list`,
/// `flows graph` (mermaid and dot) and `flows lint`.
#[test]
fn flow_texts_with_escapes_stay_inert() {
    let dir = tempfile::tempdir().unwrap();
    let flows = dir.path().join("flows");
    std::fs::create_dir(&flows).unwrap();
    for (i, p) in ESC_PAYLOADS.iter().chain(C1_PAYLOADS).enumerate() {
        // A JSON string with every control as `\u` is a YAML double-quoted scalar that means
        // the same (YAML refuses raw C1 bytes; its `\u009b` escape is the character).
        let q = why401::sanitize::json(&serde_json::to_string(p).unwrap()).into_owned();
        std::fs::write(
            flows.join(format!("f{i}.yaml")),
            format!("id: f{i}\ntitle: {q}\nstart: a\nnodes:\n  a:\n    title: {q}\n    choices:\n      - label: {q}\n        goto: b\n  b:\n    title: {q}\n    end: escalate\n"),
        )
        .unwrap();
    }
    let f = flows.display().to_string();
    let (out, err) = why401(dir.path(), &["--flows", &f, "flows", "list"]);
    assert_inert("flows list stdout", &out);
    assert_inert("flows list stderr", &err);
    assert!(
        String::from_utf8_lossy(&out).contains(r"o52\x1b]52;c;"),
        "the titles are listed: {}{}",
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&err)
    );
    for i in 0..ESC_PAYLOADS.len() + C1_PAYLOADS.len() {
        let id = format!("f{i}");
        for format in ["mermaid", "dot"] {
            let (out, err) = why401(
                dir.path(),
                &["--flows", &f, "flows", "graph", &id, "--format", format],
            );
            assert_inert(&format!("flows graph {id} {format}"), &out);
            assert_inert(&format!("flows graph {id} {format} stderr"), &err);
            assert!(!out.is_empty(), "graph {id} {format} drawn");
        }
    }
    let (out, err) = why401(dir.path(), &["flows", "lint", &f]);
    assert_inert("flows lint stdout", &out);
    assert_inert("flows lint stderr", &err);
}

#[test]
fn the_unsalted_hash_of_a_common_password_appears_nowhere() {
    const PASSWORD: &str = "Summer2026!";
    let site = loopback::serve(axum::Router::new().route(
        "/admin",
        axum::routing::get(|| async {
            loopback::answer(
                401,
                &[("www-authenticate", "Basic realm=\"staff\"".to_owned())],
                "no",
            )
        }),
    ));
    let dir = tempfile::tempdir().unwrap();
    let unsalted: Vec<String> = [
        PASSWORD.to_owned(),
        format!("alice:{PASSWORD}"),
        base64::engine::general_purpose::STANDARD.encode(format!("alice:{PASSWORD}")),
    ]
    .iter()
    .flat_map(|s| {
        // Every 8-digit stretch of the whole digest, not only the prefix an old fingerprint
        // used: no part of an unsalted hash is written anywhere.
        let full = hex::encode(Sha256::digest(s.as_bytes()));
        (0..=full.len() - 8)
            .map(|i| full[i..i + 8].to_owned())
            .collect::<Vec<_>>()
    })
    .collect();
    let mut seen = Vec::new();
    for format in ["md", "text", "json"] {
        let report = dir.path().join(format!("t.{format}"));
        let out = Command::cargo_bin("why401")
            .unwrap()
            .args([
                "check",
                &format!("{site}/admin"),
                "-u",
                "alice",
                "--password-stdin",
            ])
            .args(["--timeout", "3", "--format", format, "--report"])
            .arg(&report)
            .args(if format == "json" {
                &["--json"][..]
            } else {
                &[][..]
            })
            .write_stdin(format!("{PASSWORD}\n"))
            .output()
            .unwrap();
        seen.push(String::from_utf8_lossy(&out.stdout).into_owned());
        seen.push(String::from_utf8_lossy(&out.stderr).into_owned());
        seen.push(std::fs::read_to_string(&report).unwrap_or_default());
    }
    // The server analyser checks the same password against a real user file, and a walk
    // saves a session with it as a secret answer.
    let users = dir.path().join("users");
    std::fs::write(&users, "alice:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n").unwrap();
    for json in [false, true] {
        let report = dir.path().join(format!("server-{json}.md"));
        let mut cmd = Command::cargo_bin("why401").unwrap();
        cmd.args(["server", "--htpasswd"])
            .arg(&users)
            .args(["-u", "alice", "--password-stdin", "--report"])
            .arg(&report)
            .write_stdin(format!("{PASSWORD}\n"));
        if json {
            cmd.arg("--json");
        }
        let out = cmd.output().unwrap();
        seen.push(String::from_utf8_lossy(&out.stdout).into_owned());
        seen.push(String::from_utf8_lossy(&out.stderr).into_owned());
        seen.push(std::fs::read_to_string(&report).unwrap_or_default());
    }
    let (flows, _) = why401::flow::FlowSet::load(None);
    let session = dir.path().join("session.json");
    let mut s = why401::flow::Session {
        flow: "owner".into(),
        current: why401::flow::NodeRef {
            flow: "owner".into(),
            node: "begin".into(),
        },
        phase: why401::flow::Phase::Choose,
        ended: None,
        answers: std::collections::BTreeMap::new(),
        secrets: std::collections::BTreeMap::new(),
        secret_inputs: vec!["password".into()],
        facts: std::collections::BTreeMap::new(),
        trail: Vec::new(),
        error: None,
        verification: None,
        retests: Vec::new(),
    };
    s.secrets.insert("password".to_owned(), PASSWORD.into());
    why401::report::session_file::save(
        &session,
        &s,
        &flows,
        &why401::report::ticket::HelpDesk::default(),
    )
    .unwrap();
    seen.push(std::fs::read_to_string(&session).unwrap());
    let all = seen.join("\n");
    assert!(all.contains("[password len=11 hmac="), "{all}");
    for h in &unsalted {
        assert!(!all.contains(h.as_str()), "unsalted hash {h} found:\n{all}");
    }
    assert!(!all.contains(PASSWORD));
}
