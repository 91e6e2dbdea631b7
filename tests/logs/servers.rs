//! Logs written by real servers started here (nginx, Apache with `combinedio` and
//! `vhost_combined`, lighttpd, HAProxy in front of nginx), and IIS and syslog samples written
//! from the formats' documentation. Every count is checked against the requests sent and
//! against a plain split of the log's lines.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::logs_report;
use crate::support::servers;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::prelude::*;
use logs_report::{cause_ids, failures};
use serde_json::Value;

const PASSWORD: &str = "correct-horse-canary";

/// A request as the tests' browser sends it.
fn get(port: u16, path: &str, user_pass: Option<&str>) -> u16 {
    logs_report::get(port, path, user_pass, "test-agent/1.0")
}

/// The same seven requests against every server: three without credentials, two wrong
/// passwords for alice, an unknown user, then alice with her password.
fn seven_requests(port: u16, path: &str) -> [u16; 7] {
    let wrong1 = "alice:wrong-canary-1";
    let wrong2 = "alice:wrong-canary-2";
    let good = format!("alice:{PASSWORD}");
    [
        get(port, path, None),
        get(port, path, None),
        get(port, path, None),
        get(port, path, Some(wrong1)),
        get(port, path, Some(wrong2)),
        get(port, path, Some("mallory:whatever-canary")),
        get(port, path, Some(&good)),
    ]
}

/// Waits until `file` has `want` lines (servers write after the response).
fn wait_lines(file: &Path, want: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        if text.lines().count() >= want || Instant::now() > deadline {
            return text;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `why401 logs --json FILES`: the report, after checking no secret reached it.
fn report(files: &[&Path]) -> Value {
    let out = Command::cargo_bin("why401")
        .unwrap()
        .args(["logs", "--json"])
        .args(files)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for secret in [PASSWORD, "wrong-canary", "whatever-canary"] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
    serde_json::from_str(&text).unwrap()
}

/// (status, user) of each CLF line read the plain way: cut at the first quote, the fields
/// before it split at spaces (`skip` leading fields, such as a virtual host, dropped).
fn plain_split(log: &str, skip: usize) -> Vec<(u16, String)> {
    log.lines()
        .map(|l| {
            let parts: Vec<&str> = l.split('"').collect();
            let head: Vec<&str> = parts[0].split_whitespace().skip(skip).collect();
            let status = parts[2].split_whitespace().next().unwrap().parse().unwrap();
            (status, head[2].to_owned())
        })
        .collect()
}

/// Checks a report's access-log counts against the plain split of the same log.
fn assert_counts(r: &Value, lines: &[(u16, String)], label: &str) {
    let n401 = lines.iter().filter(|(s, _)| *s == 401).count();
    let anon = lines.iter().filter(|(s, u)| *s == 401 && u == "-").count();
    assert_eq!(r["files"][0]["kind"], label, "{r}");
    assert_eq!(r["malformed"], 0, "{r}");
    assert_eq!(r["status_401"], n401 as u64, "{r}");
    assert_eq!(r["anonymous_401"], anon as u64, "{r}");
    assert_eq!(r["status_counts"]["200"], 1, "{r}");
    assert_eq!(r["top_clients"][0]["client"], "127.0.0.1");
    assert_eq!(r["top_clients"][0]["count"], n401 as u64);
}

#[test]
fn apache_combinedio_and_vhost_combined_are_read() {
    let Some(a) = servers::Apache::start(
        "LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b \\\"%{Referer}i\\\" \\\"%{User-Agent}i\\\" %I %O\" combinedio\n\
         LogFormat \"%v:%p %h %l %u %t \\\"%r\\\" %>s %O \\\"%{Referer}i\\\" \\\"%{User-Agent}i\\\"\" vhost_combined\n\
         CustomLog {dir}/io.log combinedio\n\
         CustomLog {dir}/vhost.log vhost_combined\n\
         <Directory {dir}/www/b>\n  AuthType Basic\n  AuthName \"staff\"\n  AuthUserFile {dir}/users\n  Require valid-user\n</Directory>\n",
    ) else {
        return;
    };
    servers::htpasswd(&a.path("users"), "-B", "alice", PASSWORD).unwrap();
    a.write("www/b/index.html", "hello");
    assert_eq!(
        seven_requests(a.port, "/b/"),
        [401, 401, 401, 401, 401, 401, 200]
    );
    for (name, skip, label) in [
        ("io.log", 0, "access log (combined)"),
        ("vhost.log", 1, "access log (vhost_combined)"),
    ] {
        let log = wait_lines(&a.path(name), 7);
        let r = report(&[&a.path(name)]);
        assert_counts(&r, &plain_split(&log, skip), label);
        // Apache names the user of a failed login: alice twice, mallory once.
        assert_eq!(
            r["top_users"],
            serde_json::json!([{"name": "alice", "count": 2}, {"name": "mallory", "count": 1}]),
            "{name}"
        );
    }
    let r = report(&[&a.path("error.log")]);
    let af = &r["auth_failures"];
    assert_eq!(
        (
            af["password_mismatch"].as_u64(),
            af["user_not_found"].as_u64()
        ),
        (Some(2), Some(1)),
        "{af}"
    );
    assert_eq!(r["failures_by_client"][0]["name"], "127.0.0.1");
}

#[test]
fn nginx_crafted_user_names_keep_their_class_and_client() {
    let Some(n) = logs_report::nginx_with_alice(PASSWORD) else {
        return;
    };
    // Basic credentials end the user at the first colon, so these names are what an
    // attacker can send: quotes, nginx's own words, a fake client, a terminal escape.
    let crafted = [
        "a\"b",
        "x\", client 6.6.6.6, server x",
        "z\" was not found in \"/etc/passwd\", client 6.6.6.6",
        "es\u{1b}[31mc",
    ];
    for user in crafted {
        assert_eq!(get(n.port, "/", Some(&format!("{user}:pw-canary"))), 401);
    }
    assert_eq!(get(n.port, "/", Some("alice:wrong-canary-1")), 401);
    assert_eq!(get(n.port, "/", None), 401);
    wait_lines(&n.path("access.log"), 6);
    let out = Command::cargo_bin("why401")
        .unwrap()
        .arg("logs")
        .arg(n.path("access.log"))
        .arg(n.path("error.log"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}'),
        "a raw escape reached the terminal"
    );
    let r = report(&[&n.path("access.log"), &n.path("error.log")]);
    assert_eq!(
        failures(
            &r,
            &["user_not_found", "password_mismatch", "no_credentials"]
        ),
        [Some(4), Some(1), Some(1)]
    );
    assert_eq!(
        r["failures_by_client"],
        serde_json::json!([{"name": "127.0.0.1", "count": 6}])
    );
    assert_eq!(r["status_401"], 6);
    assert_eq!(r["malformed"], 0);
}

/// A server started from a config file in a temp dir, stopped on drop.
struct Spawned {
    child: Child,
    dir: tempfile::TempDir,
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(bin: &Path, args: &[&str], dir: tempfile::TempDir, port: u16) -> Spawned {
    let stdout = std::fs::File::create(dir.path().join("stdout.log")).unwrap();
    let stderr = std::fs::File::create(dir.path().join("stderr.log")).unwrap();
    let child = Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut s = Spawned { child, dir };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        let err = std::fs::read_to_string(s.dir.path().join("stderr.log")).unwrap_or_default();
        assert!(
            Instant::now() < deadline && s.child.try_wait().unwrap().is_none(),
            "{} did not listen: {err}",
            bin.display()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
    s
}

#[test]
fn lighttpd_logs_are_read() {
    let Some(bin) = servers::find_binary(&["/usr/sbin/lighttpd", "lighttpd"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let port = servers::free_port();
    std::fs::create_dir_all(dir.path().join("www/b")).unwrap();
    std::fs::write(dir.path().join("www/b/index.html"), "hello").unwrap();
    servers::htpasswd(&dir.path().join("users"), "-m", "alice", PASSWORD).unwrap();
    let conf = format!(
        "server.document-root = \"{d}/www\"\nserver.bind = \"127.0.0.1\"\nserver.port = {port}\n\
         server.errorlog = \"{d}/error.log\"\nserver.modules = (\"mod_auth\", \"mod_authn_file\", \"mod_accesslog\")\n\
         accesslog.filename = \"{d}/access.log\"\nindex-file.names = (\"index.html\")\n\
         auth.backend = \"htpasswd\"\nauth.backend.htpasswd.userfile = \"{d}/users\"\n\
         auth.require = (\"/b/\" => (\"method\" => \"basic\", \"realm\" => \"staff\", \"require\" => \"valid-user\"))\n"
    );
    std::fs::write(dir.path().join("lighttpd.conf"), conf).unwrap();
    let conf_path = dir.path().join("lighttpd.conf").display().to_string();
    let s = spawn(&bin, &["-D", "-f", &conf_path], dir, port);
    assert_eq!(
        seven_requests(port, "/b/"),
        [401, 401, 401, 401, 401, 401, 200]
    );
    let access = s.dir.path().join("access.log");
    let log = wait_lines(&access, 7);
    let r = report(&[&access]);
    // lighttpd's second field is the Host header (`%V`), not an identity.
    assert_counts(&r, &plain_split(&log, 0), "access log (combined)");
}

#[test]
fn haproxy_in_front_of_nginx_is_read_through_its_syslog_header() {
    let Some(bin) = servers::find_binary(&["/usr/sbin/haproxy", "haproxy"]) else {
        return;
    };
    let Some(n) = logs_report::nginx_with_alice(PASSWORD) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = servers::free_port();
    // HAProxy answers /admin itself (http-request auth); the rest goes to nginx.
    let conf = format!(
        "global\n  log stdout format rfc3164 local0\n\
         defaults\n  mode http\n  log global\n  option httplog\n  timeout connect 5s\n  timeout client 5s\n  timeout server 5s\n\
         userlist admins\n  user root insecure-password {PASSWORD}\n\
         frontend fe\n  bind 127.0.0.1:{port}\n  acl admin path_beg /admin\n  http-request auth realm lb if admin !{{ http_auth(admins) }}\n  default_backend be\n\
         backend be\n  server s1 127.0.0.1:{}\n",
        n.port
    );
    std::fs::write(dir.path().join("haproxy.cfg"), conf).unwrap();
    let cfg = dir.path().join("haproxy.cfg").display().to_string();
    let h = spawn(&bin, &["-db", "-f", &cfg], dir, port);
    assert_eq!(
        seven_requests(port, "/"),
        [401, 401, 401, 401, 401, 401, 200]
    );
    assert_eq!(get(port, "/admin", None), 401);
    assert_eq!(get(port, "/admin", None), 401);
    let log: PathBuf = h.dir.path().join("stdout.log");
    let text = wait_lines(&log, 10);
    // Nine requests, and the connection that found the port open (a 400 "<BADREQ>").
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" fe be/") || l.contains(" fe fe/"))
        .collect();
    assert_eq!(lines.len(), 10, "{text}");
    let r = report(&[&log]);
    assert_eq!(
        r["files"][0]["kind"],
        "access log (HAProxy httplog, behind a syslog or container prefix)"
    );
    assert_eq!(r["status_401"], 8, "{r}");
    assert_eq!(r["status_counts"]["200"], 1);
    assert_eq!(r["status_counts"]["400"], 1);
    // HAProxy never logs a user: the log cannot tell whether credentials were sent.
    assert_eq!(r["unknown_user_401"], 8);
    assert_eq!(r["files"][0]["user_on_401"], false);
    let ids = cause_ids(&r);
    assert!(!ids.iter().any(|i| i == "no-credentials-sent"), "{ids:?}");
    let paths = &r["top_paths"];
    assert_eq!(
        *paths,
        serde_json::json!([{"path": "/", "count": 6}, {"path": "/admin", "count": 2}])
    );
}

const IIS: &str = "#Software: Microsoft Internet Information Services 10.0\r
#Version: 1.0\r
#Date: 2024-05-01 10:00:00\r
#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r
2024-05-01 10:00:00 10.0.0.5 GET /app - 443 - 203.0.113.7 Mozilla/5.0+(Windows+NT+10.0) - 401 2 2148074254 3\r
2024-05-01 10:00:00 10.0.0.5 GET /app - 443 - 203.0.113.7 Mozilla/5.0+(Windows+NT+10.0) - 401 1 0 1\r
2024-05-01 10:00:01 10.0.0.5 GET /app - 443 CORP\\bob 203.0.113.7 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 15\r
2024-05-01 10:00:02 10.0.0.5 GET /files/report.pdf - 443 CORP\\eve 198.51.100.4 curl/8.0 - 401 3 5 2\r
2024-05-01 10:00:03 10.0.0.5 GET /api - 443 - 198.51.100.9 curl/8.0 - 401 1 1326 2\r
";

const APACHE_SYSLOG: &str = r#"Feb 15 16:23:00 srv httpd[22034]: [auth_basic:error] [pid 22034] [client 192.0.2.10:51000] AH01617: user bob: authentication failure for "/b/": Password Mismatch
Feb 15 16:23:01 srv httpd[22034]: [auth_basic:error] [pid 22034] [client 192.0.2.10:51002] AH01618: user eve not found: /b/
Feb 15 16:23:02 srv httpd[22034]: [authz_core:error] [pid 22034] [client 192.0.2.11:51004] AH01630: client denied by server configuration: /srv/www/private
"#;

const NGINX_SYSLOG: &str = r#"<190>May  1 10:00:00 web nginx: 192.0.2.20 - - [01/May/2024:10:00:00 +0000] "GET /a HTTP/1.1" 401 179 "-" "curl/8.0"
<190>May  1 10:00:01 web nginx: 192.0.2.20 - bob [01/May/2024:10:00:01 +0000] "GET /a HTTP/1.1" 401 179 "-" "curl/8.0"
<190>May  1 10:00:02 web nginx: 192.0.2.20 - bob [01/May/2024:10:00:02 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/8.0"
"#;

const CADDY_COMPOSE: &str = r#"caddy-1  | {"level":"info","ts":1714557600.1,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"192.0.2.30","method":"GET","host":"x","uri":"/api","headers":{"User-Agent":["curl/8.0"],"Authorization":["REDACTED"]}},"user_id":"","status":401}
caddy-1  | {"level":"info","ts":1714557601.1,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"192.0.2.30","method":"GET","host":"x","uri":"/api","headers":{"User-Agent":["curl/8.0"]}},"user_id":"","status":200}
"#;

#[test]
fn iis_syslog_and_container_samples_are_read_and_a_stranger_file_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let iis = write("u_ex240501.log", IIS);
    let r = report(&[&iis]);
    assert_eq!(r["files"][0]["kind"], "access log (IIS W3C extended)");
    assert_eq!(
        (r["status_401"].as_u64(), r["malformed"].as_u64()),
        (Some(4), Some(0))
    );
    assert_eq!(r["status_counts"]["200"], 1);
    let subs: Vec<(u64, u64, u64)> = r["iis_substatus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["substatus"].as_u64().unwrap(),
                s["win32_status"].as_u64().unwrap(),
                s["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        subs,
        [(1, 0, 1), (1, 1326, 1), (2, 2_148_074_254, 1), (3, 5, 1)]
    );
    let ids = cause_ids(&r);
    let has = |id: &str| ids.iter().any(|i| i == id);
    // 401.3 is an ACL; 401.1 with 1326 (logon failure) rejected credentials; the handshake
    // steps (401.2 2148074254, 401.1 0) point to nothing.
    assert!(
        has("resource-acl-denied") && has("bad-credentials"),
        "{ids:?}"
    );
    assert!(
        !has("wrong-auth-scheme") && !has("no-credentials-sent"),
        "{ids:?}"
    );

    let apache = write("error.log", APACHE_SYSLOG);
    let nginx = write("access.log", NGINX_SYSLOG);
    let caddy = write("caddy.log", CADDY_COMPOSE);
    let notes = write("notes.txt", "These are my notes.\nNothing to see.\n");
    let r = report(&[&apache, &nginx, &caddy, &notes]);
    let kinds: Vec<&str> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "error log",
            "access log (combined, behind a syslog or container prefix)",
            "access log (JSON lines, behind a syslog or container prefix)"
        ]
    );
    let skipped = r["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].as_str().unwrap().contains("notes.txt"));
    assert_eq!(r["malformed"], 0);
    assert_eq!(r["status_401"], 3);
    assert_eq!(r["anonymous_401"], 2);
    assert_eq!(
        failures(&r, &["password_mismatch", "user_not_found", "forbidden"]),
        [Some(1), Some(1), Some(1)]
    );
    assert_eq!(
        r["failures_by_client"],
        serde_json::json!([{"name": "192.0.2.10", "count": 2}])
    );
}

#[test]
fn why401s_own_probes_are_grouped_and_no_burst() {
    let Some(n) = logs_report::nginx_with_alice(PASSWORD) else {
        return;
    };
    let probe = "why401/0.1.0 probe/feedc0ffee02";
    for _ in 0..25 {
        assert_eq!(
            logs_report::get(n.port, "/", Some("alice:wrong-canary-3"), probe),
            401
        );
    }
    wait_lines(&n.path("access.log"), 25);
    let r = report(&[&n.path("access.log"), &n.path("error.log")]);
    assert_eq!(
        (r["probe_401"].as_u64(), r["status_401"].as_u64()),
        (Some(25), Some(0))
    );
    assert_eq!(failures(&r, &["password_mismatch"]), [Some(25)]);
    assert_eq!(r["bursts"], serde_json::json!([]), "{r}");
    let ids = cause_ids(&r);
    assert!(!ids.iter().any(|i| i == "brute-force-suspected"), "{ids:?}");
    assert_eq!(
        r["probe_groups"][0]["count"], 25,
        "one group, not 25 lines: {}",
        r["probe_groups"]
    );
}

/// Tomcat's AccessLogValve with its documented default pattern (`common`: `%h %l %u %t "%r"
/// %s %b`): `%u` is the authenticated user, so a 401 never names one. Nineteen 401s on the
/// manager and one login: the log cannot tell whether credentials were sent, so no
/// `no-credentials-sent`, and the text report says why.
#[test]
fn a_tomcat_log_says_it_cannot_tell_whether_credentials_were_sent() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = String::new();
    for s in 0..19 {
        log.push_str(&format!(
            "10.0.0.5 - - [01/Nov/2026:10:00:{s:02} +0000] \"GET /manager/html HTTP/1.1\" 401 2473\n"
        ));
    }
    log.push_str(
        "10.0.0.5 - admin [01/Nov/2026:10:00:30 +0000] \"GET /manager/html HTTP/1.1\" 200 14310\n",
    );
    let path = dir.path().join("localhost_access_log.2026-11-01.txt");
    std::fs::write(&path, log).unwrap();
    let r = report(&[&path]);
    assert_eq!(r["files"][0]["kind"], "access log (common, Tomcat)");
    assert_eq!(r["files"][0]["user_on_401"], false);
    assert_eq!(
        (
            r["status_401"].as_u64(),
            r["unknown_user_401"].as_u64(),
            r["anonymous_401"].as_u64()
        ),
        (Some(19), Some(19), Some(0))
    );
    let ids = cause_ids(&r);
    assert!(!ids.iter().any(|i| i == "no-credentials-sent"), "{ids:?}");
    let text = logs_report::text_report(&path);
    assert!(
        text.contains("cannot tell whether credentials were sent"),
        "{text}"
    );
}

/// HAProxy (its documentation's example line, configuration.txt §8.2.3) and a CLF line
/// without a zone state none: their times are the server's wall clock, read in this machine's
/// zone like the error logs', so a `--since` in that wall clock keeps them.
#[test]
fn zone_less_access_times_are_the_servers_wall_clock() {
    let dir = tempfile::tempdir().unwrap();
    let haproxy = dir.path().join("haproxy.log");
    std::fs::write(
        &haproxy,
        "Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 401 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} \"GET /index.html HTTP/1.1\"\n",
    )
    .unwrap();
    let clf = dir.path().join("access.log");
    std::fs::write(
        &clf,
        "10.0.1.3 - - [06/Feb/2009:12:14:15] \"GET /admin HTTP/1.1\" 401 10 \"-\" \"curl/8\"\n",
    )
    .unwrap();
    for (tz, first, last) in [
        ("UTC0", "2009-02-06T12:14:14Z", "2009-02-06T12:14:15Z"),
        ("IST-5:30", "2009-02-06T06:44:14Z", "2009-02-06T06:44:15Z"),
        ("EST5", "2009-02-06T17:14:14Z", "2009-02-06T17:14:15Z"),
    ] {
        for since in [None, Some("2009-02-06 12:14")] {
            let mut cmd = Command::cargo_bin("why401").unwrap();
            cmd.env("TZ", tz).args(["logs", "--json"]);
            if let Some(s) = since {
                cmd.args(["--since", s]);
            }
            let out = cmd.arg(&haproxy).arg(&clf).output().unwrap();
            assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
            let r: Value = serde_json::from_slice(&out.stdout).unwrap();
            let ctx = format!("TZ={tz} --since {since:?}: {r}");
            assert_eq!(r["status_401"], 2, "{ctx}");
            assert_eq!(r["filtered_out"], 0, "{ctx}");
            assert_eq!(r["first_seen"], first, "{ctx}");
            assert_eq!(r["last_seen"], last, "{ctx}");
        }
    }
}
