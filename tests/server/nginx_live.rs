//! Differential truth against real nginx: what `why401 server` says from the files must be
//! what nginx does to a request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::server_http as http;
use crate::support::servers;

use http::{get, p, why401};

const PASSWORD: &str = "s3cret-canary-77";

fn page(n: &servers::Nginx, rel: &str) {
    let f = n.path(&format!("www/{rel}"));
    std::fs::create_dir_all(f.parent().unwrap()).unwrap();
    std::fs::write(f, "page").unwrap();
}

#[test]
fn every_hash_format_is_judged_as_nginx_verifies_it() {
    let Some(n) = servers::Nginx::start(
        "location /p/ { auth_basic \"Private\"; auth_basic_user_file {dir}/users; }",
    ) else {
        return;
    };
    page(&n, "p/index.html");
    let conf = p(&n.path("nginx.conf"));
    for flag in ["-B", "-m", "-s", "-d", "-2", "-5", "-p"] {
        let users = n.path("users");
        let _ = std::fs::remove_file(&users);
        servers::htpasswd(&users, flag, "alice", PASSWORD).unwrap();
        let live = get(n.port, "/p/", Some(("alice", PASSWORD)), &[]).0;
        let anon = get(n.port, "/p/", None, &[]).0;
        let s = why401(
            &["--nginx", &conf, "--path", "/p/", "--user", "alice"],
            Some(PASSWORD),
        );
        assert_eq!(s.scheme(), "basic", "{flag}: {}", s.stdout);
        assert_eq!(anon, 401, "{flag}");
        let predicted_ok =
            s.json["user_file"]["password_ok"] == true && !s.has("htpasswd-unsupported-hash");
        assert_eq!(
            predicted_ok,
            live == 200,
            "htpasswd {flag}: nginx said {live}, why401 said {}",
            s.stdout
        );
        assert!(!s.stdout.contains(PASSWORD) && !s.stderr.contains(PASSWORD));
        let hash = std::fs::read_to_string(&users).unwrap();
        let hash = hash.trim().split_once(':').unwrap().1;
        assert!(!s.stdout.contains(hash), "{flag}: the hash leaked");
        let wrong = why401(
            &["--nginx", &conf, "--path", "/p/", "--user", "alice"],
            Some("wrong"),
        );
        assert_eq!(get(n.port, "/p/", Some(("alice", "wrong")), &[]).0, 401);
        if flag != "-p" {
            assert!(wrong.has("password-mismatch"), "{flag}: {}", wrong.stdout);
        }
    }
}

#[test]
fn location_choice_and_auth_inheritance_match_nginx() {
    let body = "location /admin/ { auth_basic \"Admin\"; auth_basic_user_file {dir}/users;\n\
                  location /admin/public/ { auth_basic off; } }\n\
                location ~ \\.png$ { }\n\
                location ^~ /admin/img/ { }\n\
                location = /admin/exact { auth_basic \"Exact\"; auth_basic_user_file {dir}/users; }\n\
                location /open/ { auth_basic \"No file\"; }";
    let Some(n) = servers::Nginx::start(body) else {
        return;
    };
    servers::htpasswd(&n.path("users"), "-B", "alice", PASSWORD).unwrap();
    for rel in [
        "admin/a.html",
        "admin/public/a.html",
        "admin/x.png",
        "admin/img/x.png",
        "open/a.html",
        "admin/exact",
    ] {
        page(&n, rel);
    }
    let conf = p(&n.path("nginx.conf"));
    for path in [
        "/admin/a.html",
        "/admin/public/a.html",
        "/admin/x.png",
        "/admin/img/x.png",
        "/open/a.html",
        "/admin/exact",
        "/elsewhere",
    ] {
        let s = why401(&["--nginx", &conf, "--path", path], None);
        let live = get(n.port, path, None, &[]).0;
        assert_eq!(
            s.challenges(),
            live == 401,
            "{path}: nginx said {live}, why401 said {}",
            s.stdout
        );
    }
    let open = why401(&["--nginx", &conf, "--path", "/open/a.html"], None);
    assert!(open.has("auth-config-incomplete"), "{}", open.stdout);
}

#[test]
fn authorization_reaches_the_upstream_exactly_when_why401_says_so() {
    let body = "proxy_set_header Authorization \"\";\n\
                location /echo { return 200 \"[$http_authorization]\"; }\n\
                location /stripped/ { proxy_pass http://127.0.0.1:$server_port/echo; }\n\
                location /own/ { proxy_set_header X-Real-IP $remote_addr; proxy_pass http://127.0.0.1:$server_port/echo; }\n\
                location /noheaders/ { proxy_set_header Authorization $http_authorization; proxy_pass_request_headers off; proxy_pass http://127.0.0.1:$server_port/echo; }\n\
                location /off/ { proxy_set_header X-A 1; proxy_pass_request_headers off; proxy_pass http://127.0.0.1:$server_port/echo; }";
    let Some(n) = servers::Nginx::start(body) else {
        return;
    };
    let conf = p(&n.path("nginx.conf"));
    for path in ["/stripped/", "/own/", "/noheaders/", "/off/"] {
        let (status, body) = get(n.port, path, Some(("alice", PASSWORD)), &[]);
        assert_eq!(status, 200, "{path}");
        let reached = body.contains("Basic ");
        let s = why401(&["--nginx", &conf, "--path", path], None);
        let said = s.json["effective"]["forwards_authorization"].as_bool();
        assert_eq!(
            said,
            Some(reached),
            "{path}: upstream saw {body:?}, why401 said {}",
            s.stdout
        );
        assert_eq!(s.has("proxy-strips-authorization"), !reached, "{path}");
    }
}

#[test]
fn underscore_headers_are_dropped_exactly_when_why401_says_so() {
    let body = "location /u { return 200 \"[$http_x_api_key]\"; }";
    for (extra, dropped) in [("", true), ("underscores_in_headers on;", false)] {
        let Some(n) = servers::Nginx::start(&format!("{extra}\n{body}")) else {
            return;
        };
        let (_, seen) = get(n.port, "/u", None, &["X_API_KEY: k1"]);
        assert_eq!(seen.contains("[k1]"), !dropped, "{extra}: {seen}");
        let s = why401(
            &[
                "--nginx",
                &p(&n.path("nginx.conf")),
                "--path",
                "/u",
                "--auth-header",
                "X_API_KEY",
            ],
            None,
        );
        assert_eq!(
            s.has("underscore-header-dropped"),
            dropped,
            "{extra}: {}",
            s.stdout
        );
    }
}

#[test]
fn a_user_file_in_the_root_is_found_downloadable() {
    let Some(n) = servers::Nginx::start(
        "location / { auth_basic \"Site\"; auth_basic_user_file {dir}/www/.htpasswd; }\n\
         location /pub/ { auth_basic off; }",
    ) else {
        return;
    };
    servers::htpasswd(&n.path("www/.htpasswd"), "-B", "alice", PASSWORD).unwrap();
    let conf = p(&n.path("nginx.conf"));
    let s = why401(
        &["--nginx", &conf, "--path", "/", "--url", &n.url("/")],
        None,
    );
    // Under auth itself the file needs a password: not downloadable by anyone.
    let live = get(n.port, "/.htpasswd", None, &[]).0;
    assert_eq!(live, 401);
    assert_eq!(s.json["downloads"][0]["exposed"], false, "{}", s.stdout);
    let problems = s.json["problems"].to_string();
    assert!(problems.contains("user-file-in-web-root"), "{problems}");
}

/// `server --url` connects as `check` does: here a name only `--resolve` knows, aimed at the
/// real nginx on 127.0.0.1, which hands out the user file from an open directory.
#[test]
fn the_url_request_follows_resolve() {
    let Some(n) = servers::Nginx::start(
        "location / { auth_basic \"Site\"; auth_basic_user_file {dir}/www/pub/.htpasswd; }\n\
         location /pub/ { auth_basic off; }",
    ) else {
        return;
    };
    std::fs::create_dir_all(n.path("www/pub")).unwrap();
    servers::htpasswd(&n.path("www/pub/.htpasswd"), "-B", "alice", PASSWORD).unwrap();
    let conf = p(&n.path("nginx.conf"));
    let url = format!("http://users.site.test:{}/", n.port);
    let resolve = format!("users.site.test:{}:127.0.0.1", n.port);
    let s = why401(
        &[
            "--nginx",
            &conf,
            "--path",
            "/",
            "--url",
            &url,
            "--resolve",
            &resolve,
        ],
        None,
    );
    let download = &s.json["downloads"][0];
    assert_eq!(download["status"], 200, "{}\n{}", s.stdout, s.stderr);
    assert_eq!(download["exposed"], true, "{}", s.stdout);
    assert!(
        download["url"]
            .as_str()
            .unwrap()
            .starts_with("http://users.site.test:"),
        "{download}"
    );
    let log = n.access_log();
    assert!(log.contains("GET /pub/.htpasswd"), "{log}");
    assert!(!s.stdout.contains(PASSWORD));
}

#[test]
fn nginx_own_test_runs_and_its_verdict_is_shown() {
    let Some(n) = servers::Nginx::start("location / { return 200 ok; }") else {
        return;
    };
    let conf = n.path("nginx.conf");
    let out = assert_cmd::Command::cargo_bin("why401")
        .unwrap()
        .args(["server", "--nginx", &p(&conf)])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Server's own test: nginx -t -c") && text.contains("✔ passed"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    // nginx rejects what a lenient reading accepts: auth_basic needs an argument.
    let body = std::fs::read_to_string(&conf)
        .unwrap()
        .replace("return 200 ok;", "auth_basic;");
    let broken = n.path("broken.conf");
    std::fs::write(&broken, body).unwrap();
    let out = assert_cmd::Command::cargo_bin("why401")
        .unwrap()
        .args(["server", "--nginx", &p(&broken)])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("✘ FAILED") && text.contains("invalid number of arguments in \"auth_basic\""),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1));
}

/// The line of `nginx.conf` that opens `block` (1-based), as the file itself numbers it.
fn line_of(conf: &str, block: &str) -> usize {
    let text = std::fs::read_to_string(conf).unwrap();
    text.lines()
        .position(|l| l.trim_start().starts_with(block))
        .unwrap()
        + 1
}

/// `error_page CODE = @name` hands the request to a named location, `auth_request_set` fills
/// the upstream's Authorization on purpose, and the matched location is named at its own
/// file:line: each checked against what nginx does (its answer names the location that
/// served it) and what its upstream received.
#[test]
fn named_locations_auth_request_set_and_location_lines_match_nginx() {
    let body = "location /echo { return 200 \"echo [$http_authorization]\"; }\n\
                location /ep/ { error_page 404 = @app; }\n\
                location @app { proxy_pass http://127.0.0.1:$server_port/echo; }\n\
                location = /token { add_header X-Token \"Bearer from-auth\"; return 200 \"ok\"; }\n\
                location = /authsrv { internal; proxy_pass http://127.0.0.1:$server_port/token; }\n\
                location /sso/ { auth_request /authsrv; auth_request_set $tok $upstream_http_x_token;\n\
                  proxy_set_header Authorization $tok; proxy_pass http://127.0.0.1:$server_port/echo; }\n\
                location /plain/ { proxy_set_header Authorization \"Bearer fixed\"; proxy_pass http://127.0.0.1:$server_port/echo; }\n\
                location /only-here/ { return 200 \"only-here\"; }\n\
                location ~ ^/only { return 200 \"regex\"; }";
    let Some(n) = servers::Nginx::start(body) else {
        return;
    };
    let conf = p(&n.path("nginx.conf"));
    let problems = |s: &http::Static| -> Vec<String> {
        s.json["problems"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| p["code"].as_str().or(p["id"].as_str()).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };

    // error_page 404 = @app: no file under /ep/, so nginx's 404 goes to @app's proxy.
    let (status, reply) = get(n.port, "/ep/missing", Some(("alice", PASSWORD)), &[]);
    assert_eq!(status, 200, "{reply}");
    assert!(reply.starts_with("echo [Basic "), "{reply}");
    let s = why401(&["--nginx", &conf, "--path", "/ep/missing"], None);
    let target = s.json["effective"]["proxy_target"].as_str().unwrap_or("");
    assert!(
        target.contains("/echo"),
        "@app's proxy is followed: {}",
        s.stdout
    );
    assert_eq!(
        s.json["effective"]["forwards_authorization"].as_bool(),
        Some(true),
        "{}",
        s.stdout
    );
    assert_eq!(s.status(), Some(status), "{}", s.stdout);

    // auth_request_set: the upstream gets the subrequest's credentials, not the client's.
    let (status, reply) = get(n.port, "/sso/x", Some(("alice", PASSWORD)), &[]);
    assert_eq!((status, reply.as_str()), (200, "echo [Bearer from-auth]"));
    let s = why401(&["--nginx", &conf, "--path", "/sso/x"], None);
    let codes = problems(&s);
    assert!(
        codes.iter().any(|c| c == "authorization-from-auth-request"),
        "{codes:?}\n{}",
        s.stdout
    );
    assert!(
        !codes.iter().any(|c| c == "authorization-replaced"),
        "{codes:?}"
    );
    assert!(!s.has("proxy-strips-authorization"), "{}", s.stdout);
    // A fixed value is a replacement nginx makes on its own: that one is flagged.
    let (_, reply) = get(n.port, "/plain/x", Some(("alice", PASSWORD)), &[]);
    assert_eq!(reply, "echo [Bearer fixed]");
    let s = why401(&["--nginx", &conf, "--path", "/plain/x"], None);
    assert!(
        problems(&s).iter().any(|c| c == "authorization-replaced"),
        "{}",
        s.stdout
    );

    // The matched location at its own line. For /only-here/x a matching regex wins over the
    // longest plain prefix (ngx_http_core_find_location): nginx's answer says which served.
    for (path, block) in [
        ("/only-here/x", "location ~ ^/only"),
        ("/ep/missing", "location /ep/"),
        ("/sso/x", "location /sso/"),
    ] {
        let (_, reply) = get(n.port, path, None, &[]);
        let s = why401(&["--nginx", &conf, "--path", path], None);
        let at = &s.json["effective"]["at"];
        let shown = at.to_string();
        let line = at["line"]
            .as_u64()
            .map(|l| l as usize)
            .or_else(|| shown.split(':').nth(1).and_then(|l| l.parse().ok()));
        assert_eq!(
            line,
            Some(line_of(&conf, block)),
            "{path}: {shown} ({reply})\n{}",
            s.stdout
        );
        assert!(shown.contains("nginx.conf"), "{shown}");
        if block.contains('~') {
            assert_eq!(reply, "regex", "nginx served {path} from the regex");
        }
    }
}
