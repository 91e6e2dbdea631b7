//! `check` given the server's own files as well as its URL: real Apache started by the test,
//! what it does to each request is the authority, and the files' analysis joined with the
//! live answers ranks what only the two together show.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::loopback;
use crate::support::server_http as raw;
use crate::support::servers;

use loopback::{cause_ids, check_json, top_cause};
use serde_json::Value;

const PASSWORD: &str = "files-canary-pass-7";

/// A CGI program that answers 200 when Apache handed it the Authorization header
/// (`HTTP_AUTHORIZATION` set) and a bare 401 otherwise, as an API behind a gateway does.
const CGI: &str = "#!/bin/sh\n\
if [ -n \"$HTTP_AUTHORIZATION\" ]; then\n\
  printf 'Status: 200 OK\\r\\nContent-Type: application/json\\r\\n\\r\\n{\"orders\":[]}'\n\
else\n\
  printf 'Status: 401 Unauthorized\\r\\nContent-Type: application/json\\r\\n\\r\\n{\"message\":\"Unauthorized\"}'\n\
fi\n";

fn executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn evidence(json: &Value) -> String {
    json["causes"][0]["evidence"].to_string()
}

fn token_file() -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), "opaque-api-token-0123456789abcdef").unwrap();
    f
}

#[test]
fn an_apache_cgi_app_that_never_sees_authorization_ranks_first_given_the_config() {
    let mod_cgi = "/usr/lib/apache2/modules/mod_cgi.so";
    if !std::path::Path::new(mod_cgi).is_file() {
        eprintln!("skipped: {mod_cgi} is not installed");
        return;
    }
    // /api/ runs the program as Apache does by default; /fixed/ the same with CGIPassAuth On.
    let Some(a) = servers::Apache::start(&format!(
        "LoadModule cgi_module {mod_cgi}\nKeepAlive Off\n\
         ScriptAlias /api/ {{dir}}/cgi/\n\
         ScriptAlias /fixed/ {{dir}}/cgi-pass/\n\
         <Directory {{dir}}/cgi-pass>\nCGIPassAuth On\n</Directory>\n"
    )) else {
        return;
    };
    executable(&a.write("cgi/orders", CGI));
    executable(&a.write("cgi-pass/orders", CGI));
    // The authority: Apache withholds the header from the program, unless told to pass it.
    let bearer = ["Authorization: Bearer opaque-api-token-0123456789abcdef"];
    assert_eq!(raw::get(a.port, "/api/orders", None, &bearer).0, 401);
    assert_eq!(raw::get(a.port, "/fixed/orders", None, &bearer).0, 200);

    let f = token_file();
    let conf = a.path("httpd.conf");
    let token = ["--bearer-file", f.path().to_str().unwrap()];
    let (alone, _, _) = check_json(&a.url("/api/orders"), &token, None);
    let mut with_conf: Vec<&str> = token.to_vec();
    with_conf.extend(["--apache-conf", conf.to_str().unwrap()]);
    let (json, code, stderr) = check_json(&a.url("/api/orders"), &with_conf, None);
    assert_eq!(
        top_cause(&json),
        "auth-not-forwarded-to-app",
        "alone: {:?}, with the config: {:?}\n{stderr}\n{json:#}",
        cause_ids(&alone),
        cause_ids(&json)
    );
    assert_eq!(code, 1);
    let e = evidence(&json);
    assert!(
        e.contains("httpd.conf:") && e.contains("ScriptAlias /api/") && e.contains("401"),
        "{e}"
    );
    // Where Apache passes the header the request succeeds, and the files claim nothing.
    let (fixed, _, _) = check_json(&a.url("/fixed/orders"), &with_conf, None);
    assert_eq!(top_cause(&fixed), "not-a-401", "{:?}", cause_ids(&fixed));
}

/// Apache protecting /members/ with the user file `users`, written with `body`.
fn members(users: &str) -> Option<servers::Apache> {
    let a = servers::Apache::start(
        "KeepAlive Off\n<Directory {dir}/www/members>\nAuthType Basic\nAuthName \"Members\"\n\
         AuthUserFile {dir}/users\nRequire valid-user\n</Directory>\n",
    )?;
    a.write("www/members/index.html", "members");
    a.write("users", users);
    Some(a)
}

/// A real apr1 line for alice, made by `htpasswd -m`.
fn apr1_line() -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("users");
    servers::htpasswd(&f, "-m", "alice", PASSWORD)?;
    Some(std::fs::read_to_string(f).unwrap().trim_end().to_owned())
}

/// `check` of /members/ as alice with the right password, given Apache's config.
fn check_members(a: &servers::Apache) -> Value {
    let conf = a.path("httpd.conf");
    let args = [
        "--user",
        "alice",
        "--password-stdin",
        "--apache-conf",
        conf.to_str().unwrap(),
    ];
    let (json, _, stderr) = check_json(&a.url("/members/"), &args, Some(&format!("{PASSWORD}\n")));
    assert!(!json.to_string().contains(PASSWORD), "the password leaked");
    assert!(!stderr.contains(PASSWORD), "the password leaked");
    json
}

/// The top cause is `user-file-entry-broken` and its evidence holds each of `needles`.
fn expect_broken_entry(json: &Value, needles: &[&str]) {
    assert_eq!(
        top_cause(json),
        "user-file-entry-broken",
        "{:?}",
        cause_ids(json)
    );
    let e = evidence(json);
    assert!(needles.iter().all(|n| e.contains(n)), "{e}");
}

#[test]
fn a_compose_escaped_hash_in_the_user_file_ranks_first() {
    let Some(line) = apr1_line() else { return };
    // Traefik's labels in docker-compose need $$ for $; written into a file, the $$ stays.
    let doubled = line.replace('$', "$$");
    let Some(a) = members(&format!("{doubled}\n")) else {
        return;
    };
    // The authority: Apache refuses the right password with the doubled hash, accepts it
    // with the hash as htpasswd wrote it.
    assert_eq!(
        raw::get(a.port, "/members/", Some(("alice", PASSWORD)), &[]).0,
        401
    );
    std::fs::write(a.path("users"), format!("{line}\n")).unwrap();
    assert_eq!(
        raw::get(a.port, "/members/", Some(("alice", PASSWORD)), &[]).0,
        200
    );
    std::fs::write(a.path("users"), format!("{doubled}\n")).unwrap();

    expect_broken_entry(&check_members(&a), &["$$", "users:1"]);
}

#[test]
fn a_quote_left_in_the_user_name_ranks_first() {
    let Some(line) = apr1_line() else { return };
    // HTPASSWD="alice:$apr1$..." in an env file, copied with its quotes.
    let Some(a) = members(&format!("\"{line}\"\n")) else {
        return;
    };
    assert_eq!(
        raw::get(a.port, "/members/", Some(("alice", PASSWORD)), &[]).0,
        401
    );
    assert!(
        a.error_log().contains("alice") || a.error_log().is_empty(),
        "{}",
        a.error_log()
    );
    expect_broken_entry(&check_members(&a), &["quote", "users:1"]);
}

#[test]
fn a_config_that_does_not_parse_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("httpd.conf");
    std::fs::write(&conf, "<Directory /srv>\nRequire all granted\n").unwrap();
    let url = loopback::site(|_, _| loopback::answer(401, &[loopback::basic()], ""));
    let out = assert_cmd::Command::cargo_bin("why401")
        .unwrap()
        .args(["check", &url, "--apache-conf", conf.to_str().unwrap()])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("httpd.conf:"), "{err}");
}

/// A user-file reader that splits lines on `\n` only and keeps the `\r`, as the htpasswd-auth
/// npm package did (jdx/npm-register#72, fixed by running dos2unix on the file) and
/// http-auth before gevorg/http-auth#28: the hash then ends in `\r` and matches no password.
fn api_keeping_cr(users: std::path::PathBuf) -> String {
    loopback::site(move |_, h| {
        let text = std::fs::read_to_string(&users).unwrap_or_default();
        let (user, password) = loopback::basic_login(h);
        let ok = text.split('\n').any(|line| {
            line.split_once(':')
                .is_some_and(|(u, hash)| u == user && pwhash::unix::verify(&password, hash))
        });
        if ok {
            loopback::answer(200, &[], "{\"ok\":true}")
        } else {
            loopback::answer(401, &[loopback::basic()], "401 Unauthorized")
        }
    })
}

#[test]
fn crlf_in_a_user_file_read_by_a_tool_that_keeps_the_cr_ranks_first() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users");
    if servers::htpasswd(&users, "-B", "alice", PASSWORD).is_none() {
        return;
    }
    let lf = std::fs::read_to_string(&users).unwrap();
    let url = api_keeping_cr(users.clone());
    // The authority: this reader accepts the file as htpasswd wrote it, and refuses the same
    // entry saved with Windows line endings.
    let login = Some(format!("{PASSWORD}\n"));
    let args = [
        "--user",
        "alice",
        "--password-stdin",
        "--htpasswd",
        users.to_str().unwrap(),
    ];
    let (fine, _, _) = check_json(&url, &args, login.as_deref());
    assert_eq!(top_cause(&fine), "not-a-401", "{:?}", cause_ids(&fine));
    std::fs::write(&users, lf.replace('\n', "\r\n")).unwrap();
    let (json, _, _) = check_json(&url, &args, login.as_deref());
    expect_broken_entry(&json, &["CRLF", "users:1"]);
}
