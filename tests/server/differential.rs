//! Differential truth for the server semantics: real nginx and Apache started on 127.0.0.1,
//! asked with and without credentials (Basic, and Digest through curl), and `why401 server
//! --json` must predict every status they give. Cases follow the servers' own test suites
//! (nginx-tests auth_basic.t, satisfy.t, access.t; httpd-tests t/modules/access.t,
//! authz_core.t, digest.t) and the reference notes on their source.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::server_http as http;
use crate::support::servers;

use std::path::Path;
use std::process::Command;

use http::{get, p, why401};

const PASSWORD: &str = "diff-canary-pass-31";

/// One request compared: what the server said and what why401 predicted.
struct Tally {
    cases: Vec<String>,
    disagreements: Vec<String>,
}

impl Tally {
    fn new() -> Self {
        Self {
            cases: Vec::new(),
            disagreements: Vec::new(),
        }
    }

    fn compare(&mut self, what: &str, live: u16, predicted: Option<u16>, out: &str) {
        self.cases.push(what.to_owned());
        if predicted != Some(live) {
            self.disagreements.push(format!(
                "{what}: server {live}, why401 {predicted:?}\n{out}"
            ));
        }
    }

    fn finish(self, server: &str) {
        eprintln!(
            "{server}: {} live differential cases, {} agree",
            self.cases.len(),
            self.cases.len() - self.disagreements.len()
        );
        assert!(
            self.disagreements.is_empty(),
            "{}",
            self.disagreements.join("\n---\n")
        );
    }
}

/// Status of `curl --digest` (Digest is a handshake; curl is the client people use).
fn curl_digest(port: u16, path: &str, user: &str, password: &str) -> Option<u16> {
    let bin = servers::find_binary(&["/usr/bin/curl", "curl"])?;
    let out = Command::new(bin)
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--digest",
            "-u",
        ])
        .arg(format!("{user}:{password}"))
        .arg(format!("http://127.0.0.1:{port}{path}"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// Adds a user to an htdigest file with the real `htdigest`, which reads the password from
/// a terminal: `script` gives it one.
fn htdigest(file: &Path, realm: &str, user: &str, password: &str) -> Option<()> {
    servers::find_binary(&["/usr/bin/htdigest", "htdigest"])?;
    servers::find_binary(&["/usr/bin/script", "script"])?;
    let create = if file.exists() { "" } else { "-c " };
    let inner = format!("htdigest {create}'{}' '{realm}' '{user}'", file.display());
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "(sleep 0.4; echo '{password}'; sleep 0.4; echo '{password}'; sleep 0.4) | script -qec \"{inner}\" /dev/null >/dev/null"
        ))
        .status()
        .unwrap();
    assert!(status.success(), "htdigest through script failed");
    let text = std::fs::read_to_string(file).unwrap_or_default();
    assert!(
        text.lines()
            .any(|l| l.starts_with(&format!("{user}:{realm}:"))),
        "htdigest wrote no line for {user}: {text:?}"
    );
    Some(())
}

/// An Apache case: a directory with an .htaccess (or none), the path asked for, and extra
/// arguments for why401.
struct ApacheCase {
    name: &'static str,
    htaccess: Option<&'static str>,
    path: &'static str,
    args: &'static [&'static str],
}

const APACHE_SERVER: &str = "\
<LocationMatch \"(^|/)\\.(?!well-known/)\">\n  Require all denied\n</LocationMatch>\n\
<Directory {dir}/www/dg>\n  AuthType Digest\n  AuthName \"vault\"\n  AuthDigestProvider file\n  AuthUserFile {dir}/digest\n  Require valid-user\n</Directory>\n\
<Directory {dir}/www/dgother>\n  AuthType Digest\n  AuthName \"other realm\"\n  AuthDigestProvider file\n  AuthUserFile {dir}/digest\n  Require valid-user\n</Directory>\n\
<IfDefine NEVER_GIVEN>\n  <Location /ifdef>\n    Require all denied\n  </Location>\n</IfDefine>\n\
<IfDefine !NEVER_GIVEN>\n  <Location /ifndef>\n    Require all denied\n  </Location>\n</IfDefine>\n\
IncludeOptional {vhosts}/*.conf\n";

const BASIC: &str = "AuthType Basic\nAuthName \"Members\"\nAuthUserFile {dir}/users\n";

fn apache_cases() -> Vec<ApacheCase> {
    let c = |name, htaccess, path, args| ApacheCase {
        name,
        htaccess,
        path,
        args,
    };
    vec![
        // httpd-tests t/modules/access.t: the Order table for a client that matches.
        c(
            "deny-allow",
            Some("Order deny,allow\nDeny from all\nAllow from 127.0.0.1\n"),
            "/deny-allow/",
            &[],
        ),
        c(
            "allow-deny-alone",
            Some("Order allow,deny\n"),
            "/allow-deny-alone/",
            &[],
        ),
        c("mutual", Some("Order mutual-failure\n"), "/mutual/", &[]),
        c(
            "mutual-allowed",
            Some("Order mutual-failure\nAllow from 127.0.0.0/8\n"),
            "/mutual-allowed/",
            &[],
        ),
        c(
            "allow-deny-both",
            Some("Order allow,deny\nAllow from all\nDeny from 127.0.0.1\n"),
            "/allow-deny-both/",
            &[],
        ),
        c(
            "deny-allow-neither",
            Some("Order deny,allow\nDeny from 10.0.0.0/8\n"),
            "/deny-allow-neither/",
            &[],
        ),
        c(
            "partial-ip",
            Some("Order allow,deny\nAllow from 127.0\n"),
            "/partial-ip/",
            &[],
        ),
        // Satisfy (server/request.c): Any lets a passing host check in without a password.
        c(
            "satisfy-any",
            Some(
                "Order deny,allow\nDeny from all\nAllow from 127.0.0.1\nSatisfy Any\n{BASIC}Require valid-user\n",
            ),
            "/satisfy-any/",
            &[],
        ),
        c(
            "satisfy-all",
            Some(
                "Order deny,allow\nDeny from all\nAllow from 127.0.0.1\nSatisfy All\n{BASIC}Require valid-user\n",
            ),
            "/satisfy-all/",
            &[],
        ),
        c(
            "satisfy-any-refused-host",
            Some(
                "Order allow,deny\nAllow from 10.0.0.0/8\nSatisfy Any\n{BASIC}Require valid-user\n",
            ),
            "/satisfy-any-refused-host/",
            &[],
        ),
        // authz_core.t: env providers are plain denials for an anonymous request.
        c("env", Some("{BASIC}Require env LETMEIN\n"), "/env/", &[]),
        c(
            "env-all",
            Some("{BASIC}<RequireAll>\nRequire all granted\nRequire env LETMEIN\n</RequireAll>\n"),
            "/env-all/",
            &[],
        ),
        c(
            "env-not",
            Some("<RequireAll>\nRequire all granted\nRequire not env LETMEIN\n</RequireAll>\n"),
            "/env-not/",
            &[],
        ),
        c(
            "any-ip-or-user",
            Some("{BASIC}<RequireAny>\nRequire ip 10.0.0.0/8\nRequire valid-user\n</RequireAny>\n"),
            "/any-ip-or-user/",
            &[],
        ),
        c(
            "all-ip-and-user",
            Some("{BASIC}<RequireAll>\nRequire ip 10.0.0.0/8\nRequire valid-user\n</RequireAll>\n"),
            "/all-ip-and-user/",
            &[],
        ),
        c(
            "not-local",
            Some("<RequireAll>\nRequire all granted\nRequire not ip 127.0.0.1\n</RequireAll>\n"),
            "/not-local/",
            &[],
        ),
        // AuthUserFile relative: Apache reads it from ServerRoot (-d), not beside .htaccess.
        c(
            "relative",
            Some("AuthType Basic\nAuthName \"R\"\nAuthUserFile users\nRequire valid-user\n"),
            "/relative/",
            &["--server-root", "{dir}"],
        ),
        c(
            "require-user-other",
            Some("{BASIC}Require user somebody-else\n"),
            "/require-user-other/",
            &[],
        ),
        // A PCRE lookahead LocationMatch (the usual "hide dot-files" rule).
        c("dot-git", None, "/.git/config", &[]),
        c("well-known", None, "/.well-known/x", &[]),
        // <IfDefine> without -D, and a hidden file an Include glob must skip.
        c("ifdef", None, "/ifdef/", &[]),
        c("ifndef", None, "/ifndef/", &[]),
        c("hidden-include", None, "/hidden-include/", &[]),
        c("dg", None, "/dg/", &[]),
        c("dgother", None, "/dgother/", &[]),
    ]
}

#[test]
fn apache_statuses_are_predicted() {
    let vhosts = tempfile::tempdir().unwrap();
    std::fs::write(
        vhosts.path().join(".hidden.conf"),
        "<Location /hidden-include>\n  Require all denied\n</Location>\n",
    )
    .unwrap();
    std::fs::write(vhosts.path().join("real.conf"), "# nothing\n").unwrap();
    let server = APACHE_SERVER.replace("{vhosts}", &p(vhosts.path()));
    let Some(a) = servers::Apache::start(&server) else {
        return;
    };
    let d = p(a.dir.path());
    servers::htpasswd(&a.path("users"), "-B", "alice", PASSWORD).unwrap();
    let digest = htdigest(&a.path("digest"), "vault", "alice", PASSWORD).is_some();
    a.write("www/.well-known/x", "x");
    a.write("www/.git/config", "x");
    for c in apache_cases() {
        let dir = c.path.trim_matches('/');
        if !c.path.contains('.') {
            a.write(&format!("www/{dir}/index.html"), "page");
        }
        if let Some(h) = c.htaccess {
            let body = h.replace("{BASIC}", BASIC).replace("{dir}", &d);
            a.write(&format!("www/{dir}/.htaccess"), &body);
        }
    }
    let conf = p(&a.path("httpd.conf"));
    let mut tally = Tally::new();
    for c in apache_cases() {
        if c.name.starts_with("dg") && !digest {
            continue;
        }
        let anon = get(a.port, c.path, None, &[]).0;
        let login = if c.name.starts_with("dg") {
            curl_digest(a.port, c.path, "alice", PASSWORD).unwrap()
        } else {
            get(a.port, c.path, Some(("alice", PASSWORD)), &[]).0
        };
        let extra: Vec<String> = c.args.iter().map(|x| x.replace("{dir}", &d)).collect();
        let ht = p(&a.path(&format!("www/{}/.htaccess", c.path.trim_matches('/'))));
        let mut runs = vec![("config", vec!["--apache", conf.as_str()])];
        if c.htaccess.is_some() {
            // The .htaccess read alone: the server config around it is not known, so only
            // what the file itself decides is compared.
            runs.push((".htaccess alone", vec!["--htaccess", ht.as_str()]));
        }
        for (how, mut args) in runs {
            args.extend(["--path", c.path, "--client", "127.0.0.1", "--user", "alice"]);
            args.extend(extra.iter().map(String::as_str));
            let s = why401(&args, Some(PASSWORD));
            assert!(
                !s.stdout.contains(PASSWORD),
                "{}: the password leaked",
                c.name
            );
            let what = format!("apache {} ({how})", c.name);
            tally.compare(&format!("{what} anonymous"), anon, s.status(), &s.stdout);
            tally.compare(&format!("{what} login"), login, s.login_status(), &s.stdout);
        }
    }
    tally.finish("Apache");
}

#[test]
fn nginx_statuses_are_predicted() {
    let inc = tempfile::tempdir().unwrap();
    std::fs::write(
        inc.path().join(".default.conf"),
        "location /hidden-include/ { return 403; }\n",
    )
    .unwrap();
    std::fs::write(
        inc.path().join("real.conf"),
        "location /real-include/ { return 403; }\n",
    )
    .unwrap();
    let body = format!(
        "auth_basic_user_file {{dir}}/users;\n\
         location ~ ^/ret {{ auth_basic \"x\"; return 200 \"returned\"; }}\n\
         location /r401/ {{ add_header WWW-Authenticate 'Basic realm=\"fixed\"' always; return 401; }}\n\
         location /sa/ {{ satisfy any; deny all; auth_basic \"x\"; }}\n\
         location /sa-allow/ {{ satisfy any; allow 127.0.0.1; deny all; auth_basic \"x\"; }}\n\
         location /deny/ {{ deny all; auth_basic \"x\"; }}\n\
         location /allow-local/ {{ allow 127.0.0.1; deny all; auth_basic \"x\"; }}\n\
         location /app/ {{ try_files $uri @app; }}\n\
         location @app {{ auth_basic \"app\"; proxy_pass http://127.0.0.1:$server_port/echo; }}\n\
         location /echo {{ auth_basic off; return 200 \"echo\"; }}\n\
         location /var/ {{ auth_basic \"v\"; auth_basic_user_file {{dir}}/$arg_f; }}\n\
         location ~ ^/(?!public|echo|ret|r401|sa|deny|allow|app|var|hidden|real) {{ deny all; }}\n\
         include {}/*.conf;\n",
        inc.path().display()
    );
    let Some(n) = servers::Nginx::start(&body) else {
        return;
    };
    servers::htpasswd(&n.path("users"), "-B", "alice", PASSWORD).unwrap();
    let paths = [
        "/ret/a",
        "/r401/",
        "/sa/",
        "/sa-allow/",
        "/deny/",
        "/allow-local/",
        "/app/page",
        "/var/",
        "/secret/",
        "/public/",
        "/hidden-include/",
        "/real-include/",
    ];
    for path in paths {
        let f = n.path(&format!("www{path}index.html"));
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, "page").unwrap();
    }
    let conf = p(&n.path("nginx.conf"));
    let mut tally = Tally::new();
    for path in paths {
        let anon = get(n.port, path, None, &[]).0;
        let login = get(n.port, path, Some(("alice", PASSWORD)), &[]).0;
        let s = why401(
            &[
                "--nginx",
                &conf,
                "--path",
                path,
                "--client",
                "127.0.0.1",
                "--user",
                "alice",
            ],
            Some(PASSWORD),
        );
        assert!(!s.stdout.contains(PASSWORD), "{path}: the password leaked");
        tally.compare(
            &format!("nginx {path} anonymous"),
            anon,
            s.status(),
            &s.stdout,
        );
        if path != "/var/" {
            tally.compare(
                &format!("nginx {path} login"),
                login,
                s.login_status(),
                &s.stdout,
            );
        }
        if path == "/var/" {
            assert!(!s.has("htpasswd-file-missing"), "{}", s.stdout);
        }
        if path == "/app/page" {
            assert!(
                s.json["effective"]["proxy_target"]
                    .as_str()
                    .is_some_and(|t| t.contains("/echo")),
                "the named location's proxy is followed: {}",
                s.stdout
            );
        }
    }
    tally.finish("nginx");
}

#[test]
fn the_url_port_picks_the_nginx_server() {
    let second = servers::free_port();
    let extra = format!(
        "server {{ listen 127.0.0.1:{second}; server_name localhost; root {{dir}}/www;\n\
         location / {{ auth_basic \"second\"; auth_basic_user_file {{dir}}/users; }} }}"
    );
    let Some(n) = servers::Nginx::start_with("location / { }", &extra) else {
        return;
    };
    servers::htpasswd(&n.path("users"), "-B", "alice", PASSWORD).unwrap();
    std::fs::write(n.path("www/index.html"), "page").unwrap();
    let conf = p(&n.path("nginx.conf"));
    let mut tally = Tally::new();
    for port in [n.port, second] {
        let url = format!("http://127.0.0.1:{port}/");
        let s = why401(&["--nginx", &conf, "--path", "/", "--url", &url], None);
        let live = get(port, "/", None, &[]).0;
        tally.compare(&format!("nginx port {port}"), live, s.status(), &s.stdout);
    }
    tally.finish("nginx server choice");
}

/// The SSHA form nginx reads: base64(SHA-1(password + salt) + salt), made with openssl.
fn ssha(password: &str) -> Option<String> {
    servers::find_binary(&["/usr/bin/openssl", "openssl"])?;
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "(printf '%s' '{password}NaCl4u' | openssl sha1 -binary; printf NaCl4u) | openssl base64 -A"
        ))
        .output()
        .unwrap();
    Some(format!(
        "{{SSHA}}{}",
        String::from_utf8_lossy(&out.stdout).trim()
    ))
}

#[test]
fn a_user_file_alone_is_judged_for_both_servers_and_broken_entries_for_either() {
    let Some(ssha) = ssha(PASSWORD) else { return };
    let Some(n) = servers::Nginx::start(
        "location /p/ { auth_basic \"P\"; auth_basic_user_file {dir}/users; }",
    ) else {
        return;
    };
    let Some(a) = servers::Apache::start(&format!(
        "<Directory {{dir}}/www/p>\n  AuthType Basic\n  AuthName \"P\"\n  AuthUserFile {}/users\n  Require valid-user\n</Directory>\n",
        p(n.dir.path())
    )) else {
        return;
    };
    for dir in [n.path("www/p"), a.path("www/p")] {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "page").unwrap();
    }
    let users = n.path("users");
    // Made by htpasswd -m, then damaged or escaped the ways compose files and env files do.
    servers::htpasswd(&users, "-m", "ref", PASSWORD).unwrap();
    let apr1 = std::fs::read_to_string(&users).unwrap();
    let apr1 = apr1.trim().split_once(':').unwrap().1.to_owned();
    let lines = [
        ("plain", format!("{{PLAIN}}{PASSWORD}"), false),
        ("ssha", ssha.clone(), false),
        ("cut", "$1$".to_owned(), true),
        (
            "sha-short",
            "{SHA}5en6G6MezRroT3XKqkdPOmY/Bf".to_owned(),
            true,
        ),
        ("dollars", apr1.replace('$', "$$"), true),
        ("quoted", format!("{apr1}\""), true),
    ];
    let mut text = String::new();
    for (user, hash, _) in &lines {
        text.push_str(&format!("{user}:{hash}\n"));
    }
    text.push_str(&format!("\"envq:{apr1}\n"));
    std::fs::write(&users, &text).unwrap();
    let file = p(&users);
    let mut tally = Tally::new();
    for (user, _, broken) in &lines {
        let nginx = get(n.port, "/p/", Some((user, PASSWORD)), &[]).0;
        let apache = get(a.port, "/p/", Some((user, PASSWORD)), &[]).0;
        let s = why401(&["--htpasswd", &file, "--user", user], Some(PASSWORD));
        let said = |key: &str| match s.json["user_file"][key].as_bool() {
            Some(true) => Some(200),
            Some(false) => Some(401),
            None => None,
        };
        tally.compare(
            &format!("{user} nginx"),
            nginx,
            said("nginx_accepts"),
            &s.stdout,
        );
        tally.compare(
            &format!("{user} Apache"),
            apache,
            said("apache_accepts"),
            &s.stdout,
        );
        let flagged = s.json["problems"].as_array().unwrap().iter().any(|p| {
            p["cause"] == "user-file-entry-broken"
                && p["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(&format!("user \"{user}\"")))
        });
        assert_eq!(flagged, *broken, "{user}: {}", s.stdout);
        assert!(!s.has("password-mismatch"), "{user}: {}", s.stdout);
        assert!(!s.stdout.contains(PASSWORD), "{user}: the password leaked");
    }
    // The quote an env file left in a name: "envq is not a user, and it is said why.
    let s = why401(&["--htpasswd", &file, "--user", "envq"], Some(PASSWORD));
    assert_eq!(get(n.port, "/p/", Some(("envq", PASSWORD)), &[]).0, 401);
    assert_eq!(get(a.port, "/p/", Some(("envq", PASSWORD)), &[]).0, 401);
    assert!(
        s.has("user-file-entry-broken") && !s.has("user-unknown"),
        "{}",
        s.stdout
    );
    tally.finish("user file alone");
}

/// `--define NAME` reads `<IfDefine>` as Apache started with `-D NAME` does: the same config
/// run live without and with the name, and why401 told the same each time.
#[test]
fn define_matches_apache_started_with_d() {
    let conf = "<IfDefine WHY401_LOCKED>\n  <Location /locked>\n    Require all denied\n  </Location>\n\
                <IfDefine WHY401_INNER>\n  <Location /inner>\n    Require all denied\n  </Location>\n  </IfDefine>\n\
                </IfDefine>\n\
                <IfDefine !WHY401_LOCKED>\n  <Location /unless>\n    Require all denied\n  </Location>\n</IfDefine>\n";
    let mut tally = Tally::new();
    for defines in [
        &[][..],
        &["WHY401_LOCKED"][..],
        &["WHY401_INNER"][..],
        &["WHY401_LOCKED", "WHY401_INNER"][..],
    ] {
        let Some(a) = servers::Apache::start_defined(conf, defines) else {
            return;
        };
        let file = p(&a.path("httpd.conf"));
        for path in ["/locked/", "/inner/", "/unless/"] {
            a.write(&format!("www{path}index.html"), "page");
            let live = get(a.port, path, None, &[]).0;
            let mut args = vec![
                "--apache",
                file.as_str(),
                "--path",
                path,
                "--client",
                "127.0.0.1",
            ];
            for d in defines {
                args.extend(["--define", d]);
            }
            let s = why401(&args, None);
            tally.compare(
                &format!("apache -D {defines:?} {path}"),
                live,
                s.status(),
                &s.stdout,
            );
        }
    }
    assert_eq!(tally.cases.len(), 12);
    tally.finish("Apache -D");
}
