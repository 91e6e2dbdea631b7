//! Differential truth against real Apache: .htaccess and server config as `why401 server`
//! reads them, and what Apache does to the same request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::server_http as http;
use crate::support::servers;

use http::{get, p, why401};

const PASSWORD: &str = "ap-canary-pass-19";

fn htaccess(a: &servers::Apache, dir: &str, body: &str) -> String {
    a.write(&format!("www/{dir}/index.html"), "page");
    let d = a.dir.path().display().to_string();
    p(&a.write(&format!("www/{dir}/.htaccess"), &body.replace("{dir}", &d)))
}

#[test]
fn htaccess_verdicts_match_apache() {
    let Some(a) = servers::Apache::start("") else {
        return;
    };
    servers::htpasswd(&a.path("users"), "-B", "alice", PASSWORD).unwrap();
    let cases: &[(&str, &str, &str, Option<&str>)] = &[
        // dir, .htaccess, expected cause, ...
        (
            "ok",
            "AuthType Basic\nAuthName \"Members\"\nAuthUserFile {dir}/users\nRequire valid-user\n",
            "",
            None,
        ),
        (
            "noreq",
            "AuthType Basic\nAuthName \"Members\"\nAuthUserFile {dir}/users\n",
            "auth-config-incomplete",
            None,
        ),
        (
            "bob",
            "AuthType Basic\nAuthName \"Members\"\nAuthUserFile {dir}/users\nRequire user bob\n",
            "require-user-not-in-file",
            None,
        ),
        (
            "missing",
            "AuthType Basic\nAuthName \"Members\"\nAuthUserFile {dir}/nope\nRequire valid-user\n",
            "htpasswd-file-missing",
            None,
        ),
        (
            "notype",
            "AuthName \"Members\"\nAuthUserFile {dir}/users\nRequire valid-user\n",
            "auth-config-incomplete",
            None,
        ),
        (
            "files",
            "<Files \"secret.html\">\nAuthType Basic\nAuthName \"S\"\nAuthUserFile {dir}/users\nRequire valid-user\n</Files>\n",
            "",
            Some("secret.html"),
        ),
    ];
    let conf = p(&a.path("httpd.conf"));
    for (dir, body, cause, file) in cases {
        let ht = htaccess(&a, dir, body);
        let path = match file {
            Some(f) => {
                a.write(&format!("www/{dir}/{f}"), "secret");
                format!("/{dir}/{f}")
            }
            None => format!("/{dir}/"),
        };
        let anon = get(a.port, &path, None, &[]).0;
        let with = get(a.port, &path, Some(("alice", PASSWORD)), &[]).0;
        for args in [
            vec!["--htaccess", ht.as_str()],
            vec!["--apache", conf.as_str()],
        ] {
            let mut args = args.clone();
            args.extend(["--path", &path, "--user", "alice"]);
            let s = why401(&args, Some(PASSWORD));
            assert_eq!(
                s.challenges(),
                anon == 401,
                "{dir} {args:?}: Apache said {anon}, why401 said {}",
                s.stdout
            );
            if !cause.is_empty() {
                assert!(
                    s.has(cause),
                    "{dir} {args:?}: expected {cause}: {}",
                    s.stdout
                );
            }
            let predicted_in = !s.challenges()
                || (s.json["user_file"]["password_ok"] == true && s.causes().is_empty());
            if *dir == "notype" {
                assert_eq!(with, 500, "Require without AuthType is a server error");
            } else {
                assert_eq!(
                    predicted_in,
                    with == 200,
                    "{dir} {args:?}: Apache said {with} with the password, why401 said {}",
                    s.stdout
                );
            }
            assert!(!s.stdout.contains(PASSWORD));
        }
    }
}

#[test]
fn hash_formats_apache_can_and_cannot_verify() {
    let Some(a) = servers::Apache::start("") else {
        return;
    };
    let ht = htaccess(
        &a,
        "h",
        "AuthType Basic\nAuthName \"H\"\nAuthUserFile {dir}/users\nRequire valid-user\n",
    );
    for flag in ["-B", "-m", "-s", "-d", "-2", "-5", "-p"] {
        let users = a.path("users");
        let _ = std::fs::remove_file(&users);
        servers::htpasswd(&users, flag, "alice", PASSWORD).unwrap();
        let live = get(a.port, "/h/", Some(("alice", PASSWORD)), &[]).0;
        let s = why401(
            &["--htaccess", &ht, "--path", "/h/", "--user", "alice"],
            Some(PASSWORD),
        );
        let predicted =
            s.json["user_file"]["password_ok"] == true && !s.has("htpasswd-unsupported-hash");
        assert_eq!(
            predicted,
            live == 200,
            "htpasswd {flag}: Apache said {live}, why401 said {}",
            s.stdout
        );
    }
}

#[test]
fn an_unreadable_user_file_is_found_before_apache_fails() {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Some(a) = servers::Apache::start("") else {
            return;
        };
        if !std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0"))
        {
            eprintln!("skipped: needs root so Apache runs as www-data");
            return;
        }
        let users = a.path("users");
        servers::htpasswd(&users, "-B", "alice", PASSWORD).unwrap();
        std::fs::set_permissions(&users, std::fs::Permissions::from_mode(0o600)).unwrap();
        htaccess(
            &a,
            "r",
            "AuthType Basic\nAuthName \"R\"\nAuthUserFile {dir}/users\nRequire valid-user\n",
        );
        let live = get(a.port, "/r/", Some(("alice", PASSWORD)), &[]).0;
        assert_eq!(live, 500);
        let s = why401(
            &["--apache", &p(&a.path("httpd.conf")), "--path", "/r/"],
            None,
        );
        assert!(s.has("htpasswd-file-unreadable"), "{}", s.stdout);
    }
}
