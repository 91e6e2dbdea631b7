//! Whole walks of the real wizard in tmux against real servers on 127.0.0.1, as the person in
//! each scenario: the test follows the `★ suggested` choice and, where nothing is suggested,
//! answers as that person truthfully would. Each asserts the ticket's top cause and outcome
//! (`diagnosed` while the fault is there, `resolved` only after a real fix and a re-test),
//! that the top cause was on screen before the end, and how many questions came first.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::loopback;
use crate::support::servers;
use crate::support::tmux;

use loopback::{answer, auth, site};
use servers::{Nginx, OidcProvider};
use tmux::Tmux;

/// Most questions (answers and choices, the role included) before the top cause shows.
const MAX_QUESTIONS: usize = 3;

/// An API on 127.0.0.1: `Bearer good` gets 200; any other credential a 401 with
/// `error="invalid_token"`; no credential a bare `Bearer realm="api"` challenge (RFC 6750).
fn api() -> String {
    site(|_, h| {
        let sent = auth(h);
        if sent == "Bearer good" {
            answer(200, &[], "ok")
        } else if sent.is_empty() {
            answer(
                401,
                &[("www-authenticate", r#"Bearer realm="api""#.into())],
                "",
            )
        } else {
            answer(
                401,
                &[(
                    "www-authenticate",
                    r#"Bearer realm="api", error="invalid_token", error_description="The access token expired""#
                        .into(),
                )],
                "",
            )
        }
    })
}

/// An nginx in front of `upstream` for /api/, with or without clearing Authorization.
fn proxy_body(upstream: &str, strip: bool) -> String {
    let strip = if strip {
        "proxy_set_header Authorization \"\";"
    } else {
        ""
    };
    format!("    location /api/ {{ {strip} proxy_pass {upstream}; }}")
}

/// A walk in progress: the terminal, and the questions answered so far.
struct Walk {
    tmux: Tmux,
    dir: tempfile::TempDir,
    questions: usize,
    /// Questions answered when the expected top cause first showed in "Found so far".
    top_after: Option<usize>,
    top: &'static str,
}

impl Walk {
    fn start(name: &str, url: &str, top: &'static str) -> Option<Self> {
        Self::start_with(name, &[], url, top)
    }

    /// Starts the wizard with `args` (options, each shell-quoted) before the address.
    fn start_with(name: &str, args: &[&str], url: &str, top: &'static str) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let args = args
            .iter()
            .fold(String::new(), |acc, a| acc + "'" + a + "' ");
        let cmd = format!(
            "'{}' {args}'{url}'; echo EXIT=$?; sleep 60",
            env!("CARGO_BIN_EXE_why401")
        );
        let tmux = Tmux::start_sized(name, dir.path(), &cmd, 110, 40)?;
        tmux.wait_for("Who are you?");
        Some(Self {
            tmux,
            dir,
            questions: 0,
            top_after: None,
            top,
        })
    }

    /// Notes whether the top cause leads "Found so far" (or "Problems found") now.
    fn look(&mut self, screen: &str) {
        if self.top_after.is_some() {
            return;
        }
        let mut lines = screen
            .lines()
            .skip_while(|l| !l.contains("Found so far") && !l.contains("Problems found"));
        if lines.nth(1).is_some_and(|first| first.contains(self.top)) {
            self.top_after = Some(self.questions);
        }
    }

    /// Waits for `needle`, looks at the screen, and returns it.
    fn at(&mut self, needle: &str) -> String {
        let screen = self.tmux.wait_for(needle);
        self.look(&screen);
        screen
    }

    /// Takes the choice marked `★ suggested` (it must be the selected one).
    fn suggested(&mut self, at: &str) {
        self.at(at);
        // The cursor moves to the suggestion once the step's checks are done: wait for that
        // (a suggestion never selected fails the wait, with the screen).
        let screen = self.tmux.wait_until("the selected suggestion", |s| {
            s.lines().any(|l| l.contains("★ sugg") && l.contains('›'))
        });
        self.look(&screen);
        self.questions += 1;
        self.tmux.keys(&["Enter"]);
    }

    /// The owner's opening: the role, the suggested first step, and test user alice with
    /// `password` typed (never echoed).
    fn owner_tests_alice_with(&mut self, password: &str) {
        self.choose("I run the site");
        self.suggested("What the server asks for");
        self.answer("Test user name", "alice");
        self.at("Its password");
        self.tmux.keys(&["-l", password]);
        self.tmux.keys(&["Enter"]);
    }

    /// Takes the choice whose label starts with `label` (nothing was suggested).
    fn choose(&mut self, label: &str) {
        let screen = self.at(label);
        let line = screen.lines().find(|l| l.contains(label)).unwrap();
        let digit = line
            .split(". ")
            .next()
            .and_then(|s| s.chars().rev().find(char::is_ascii_digit))
            .unwrap();
        self.questions += 1;
        self.tmux.keys(&[&digit.to_string()]);
    }

    /// Types `text` into the field asked with `prompt` (replacing any offered value).
    fn answer(&mut self, prompt: &str, text: &str) {
        self.at(prompt);
        self.questions += 1;
        self.tmux.keys(&["C-u"]);
        if !text.is_empty() {
            // "--": a token may start with '-', which tmux would read as an option.
            self.tmux.keys(&["-l", "--", text]);
        }
        self.tmux.keys(&["Enter"]);
    }

    /// At the end: the outcome line shows `outcome`; the saved ticket says it and ranks
    /// `self.top` first. Returns the ticket.
    fn ticket(&mut self, outcome: &str) -> String {
        let screen = self.at(outcome);
        assert!(screen.contains("c and s give markdown"), "{screen}");
        for old in std::fs::read_dir(self.dir.path()).unwrap().flatten() {
            std::fs::remove_file(old.path()).unwrap();
        }
        self.tmux.keys(&["s"]);
        self.tmux.wait_for("saved to");
        let path = std::fs::read_dir(self.dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "md"))
            .expect("a saved ticket");
        let ticket = std::fs::read_to_string(path).unwrap();
        let first = ticket
            .lines()
            .find(|l| l.starts_with("### 1. "))
            .unwrap_or_default();
        assert!(first.contains(self.top), "top cause:\n{ticket}");
        ticket
    }

    /// The top cause was on screen after at most [`MAX_QUESTIONS`] questions.
    fn assert_top_seen_early(&self) {
        let n = self
            .top_after
            .unwrap_or_else(|| panic!("{} never led 'Found so far'", self.top));
        println!("{}: top cause on screen after {n} question(s)", self.top);
        assert!(
            n <= MAX_QUESTIONS,
            "{} showed after {n} questions",
            self.top
        );
    }
}

fn outcome(ticket: &str) -> &str {
    ticket
        .lines()
        .find_map(|l| l.strip_prefix("- **Outcome:** "))
        .unwrap_or_default()
}

fn expired_jwt() -> String {
    expired_jwt_from(None)
}

/// A token that expired an hour ago, naming `iss` when given.
fn expired_jwt_from(iss: Option<&str>) -> String {
    let now = chrono::Utc::now().timestamp();
    let mut claims = serde_json::json!({
        "sub": "svc-reports", "aud": "orders", "scope": "orders:read",
        "iat": now - 7200, "exp": now - 3600,
    });
    if let Some(iss) = iss {
        claims["iss"] = iss.into();
    }
    expired_jwt_with(&claims)
}

fn expired_jwt_with(claims: &serde_json::Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(b"test-key"),
    )
    .unwrap()
}

#[test]
fn an_expired_jwt_is_named_at_once_and_stays_diagnosed() {
    let url = format!("{}/v1/orders", api());
    let Some(mut w) = Walk::start("jwt", &url, "token-expired") else {
        return;
    };
    w.choose("My code calls an API");
    w.suggested("How does your client authenticate?");
    w.answer("Access token", &expired_jwt());
    w.at("token-expired");
    w.choose("A fresh token works");
    // Enter alone: the re-test sends the token given before, which is still expired.
    w.answer("The new access token", "");
    let ticket = w.ticket("Diagnosed: token-expired");
    assert_eq!(outcome(&ticket), "diagnosed", "{ticket}");
    assert!(
        ticket.contains("**Re-test:**") && ticket.contains("401"),
        "{ticket}"
    );
    assert!(
        !ticket.contains(&expired_jwt()),
        "the token leaked:\n{ticket}"
    );
    // Back to the re-test's own results (b never skips a step whose checks moved the walk
    // on), back once more to the question, with the token the client now has: it passes.
    w.tmux.keys(&["b"]);
    w.at("Enter go on");
    w.tmux.keys(&["b"]);
    w.answer("The new access token", "good");
    let ticket = w.ticket("Resolved: the re-test got 200");
    assert_eq!(outcome(&ticket), "resolved", "{ticket}");
    assert!(!ticket.contains("Bearer good"), "{ticket}");
    w.assert_top_seen_early();
}

/// A token whose claims name no type (no scope, typ, nonce or refresh marks) but have
/// expired: the walk goes from the token straight to renewing it, never asking what kind of
/// token it is (it asked, with nothing suggested, before the battery's finding routed it).
#[test]
fn an_expired_jwt_of_no_known_type_goes_straight_to_renewing_it() {
    let url = format!("{}/v1/orders", api());
    let Some(mut w) = Walk::start("jwt-untyped", &url, "token-expired") else {
        return;
    };
    let now = chrono::Utc::now().timestamp();
    let token = expired_jwt_with(&serde_json::json!({
        "sub": "svc-42", "aud": "orders-api", "iat": now - 7200, "exp": now - 3600,
    }));
    w.choose("My code calls an API");
    w.suggested("How does your client authenticate?");
    w.answer("Access token", &token);
    let screen = w.at("A fresh token works");
    assert!(screen.contains("Renew tokens"), "{screen}");
    assert!(!screen.contains("Is it an access token?"), "{screen}");
    w.assert_top_seen_early();
}

#[test]
fn a_401_without_a_challenge_goes_to_the_owner_at_once() {
    let url = format!("{}/portal", site(|_, _| answer(401, &[], "Unauthorized")));
    let Some(mut w) = Walk::start("bare", &url, "missing-www-authenticate") else {
        return;
    };
    w.choose("I visit a site");
    w.suggested("without saying what it wants");
    let ticket = w.ticket("Someone else must act");
    assert_eq!(outcome(&ticket), "escalate", "{ticket}");
    assert!(ticket.lines().filter(|l| l.starts_with("### ")).count() >= 1);
    w.assert_top_seen_early();
}

/// The owner of an nginx that clears Authorization: the config check names the line; the end
/// stays `diagnosed` until nginx runs without it, then a re-test (r) makes it `resolved`.
#[test]
fn the_owner_behind_a_stripping_nginx_is_resolved_only_after_the_fix() {
    let upstream = api();
    let Some(mut nginx) = Nginx::start(&proxy_body(&upstream, true)) else {
        assert!(std::env::var("CI").is_err(), "nginx is needed under CI");
        return;
    };
    let url = nginx.url("/api/orders");
    let conf = nginx.path("nginx.conf");
    let Some(mut w) = Walk::start("owner", &url, "proxy-strips-authorization") else {
        return;
    };
    w.choose("I run the site");
    w.suggested("What the server asks for");
    // The nginx listening on the port names its configuration: nothing to type.
    let screen = w.at("Check the nginx configuration");
    assert!(
        !screen.contains("Path of the nginx configuration"),
        "{screen}"
    );
    w.suggested("Check the nginx configuration");
    w.choose("I removed it and reloaded nginx");
    w.answer("A token the application accepts", "good");
    let ticket = w.ticket("Diagnosed: proxy-strips-authorization");
    assert_eq!(outcome(&ticket), "diagnosed", "{ticket}");
    assert!(
        ticket.contains(&format!("{}", conf.display())),
        "file named:\n{ticket}"
    );
    nginx.restart(&proxy_body(&upstream, false));
    w.tmux.keys(&["r"]);
    let ticket = w.ticket("Resolved: the re-test got 200");
    assert_eq!(outcome(&ticket), "resolved", "{ticket}");
    assert!(
        !ticket.contains("good\n") && !ticket.contains("Bearer good"),
        "{ticket}"
    );
    w.assert_top_seen_early();
}

/// A valid token through the same proxy, from the API side: the configuration of the nginx
/// listening on the port (found without asking, as `check --nginx-conf` reads it) names the
/// line that clears Authorization, and the walk goes to the proxy right after the token.
#[test]
fn a_valid_token_through_a_stripping_proxy_points_at_the_proxy() {
    token_through_stripping_nginx("proxy", &api());
}

/// The same with an API that answers `error="invalid_token"` whether a token arrives or not:
/// its challenge cannot tell that the token never arrived, the configuration can. The walk
/// stays diagnosed while nginx clears the header and is resolved by a re-test once it does not.
#[test]
fn a_token_refused_by_an_api_that_always_says_invalid_token_points_at_the_proxy() {
    let upstream = site(|_, h| {
        if auth(h) == "Bearer good" {
            answer(200, &[], "ok")
        } else {
            answer(
                401,
                &[(
                    "www-authenticate",
                    r#"Bearer realm="api", error="invalid_token""#.into(),
                )],
                "",
            )
        }
    });
    token_through_stripping_nginx("proxy-invalid", &upstream);
}

fn token_through_stripping_nginx(name: &str, upstream: &str) {
    let Some(mut nginx) = Nginx::start(&proxy_body(upstream, true)) else {
        assert!(std::env::var("CI").is_err(), "nginx is needed under CI");
        return;
    };
    let conf = nginx.path("nginx.conf");
    let Some(mut w) = Walk::start(
        name,
        &nginx.url("/api/orders"),
        "proxy-strips-authorization",
    ) else {
        return;
    };
    w.choose("My code calls an API");
    w.suggested("How does your client authenticate?");
    w.answer("Access token", "good");
    let screen = w.at("Does the proxy pass Authorization on?");
    // The line that clears it, by file and line, on screen before the question.
    assert!(
        screen.contains("proxy_set_header") || screen.contains("nginx.conf:"),
        "{screen}"
    );
    w.suggested("Does the proxy pass Authorization on?");
    let ticket = w.ticket("Diagnosed: proxy-strips-authorization");
    assert_eq!(outcome(&ticket), "diagnosed", "{ticket}");
    assert!(
        ticket.contains(&format!("{}", conf.display())),
        "file named:\n{ticket}"
    );
    assert!(!ticket.contains("bad-credentials"), "{ticket}");
    w.assert_top_seen_early();
    nginx.restart(&proxy_body(upstream, false));
    w.tmux.keys(&["r"]);
    let ticket = w.ticket("Resolved: the re-test got 200");
    assert_eq!(outcome(&ticket), "resolved", "{ticket}");
}

/// An expired token through the stripping nginx, then the client's renewed token at "a fresh
/// token works": the re-test's checks decode the new token (valid in time) and find the proxy,
/// so the walk goes there and the ticket blames the proxy, not the expiry of the token given
/// before (the new one is not expired).
#[test]
fn a_renewed_token_still_refused_through_a_stripping_proxy_is_not_called_expired() {
    let upstream = api();
    let Some(nginx) = Nginx::start(&proxy_body(&upstream, true)) else {
        assert!(std::env::var("CI").is_err(), "nginx is needed under CI");
        return;
    };
    let Some(mut w) = Walk::start(
        "renewed",
        &nginx.url("/api/orders"),
        "proxy-strips-authorization",
    ) else {
        return;
    };
    let now = chrono::Utc::now().timestamp();
    let renewed = expired_jwt_with(&serde_json::json!({
        "sub": "svc-reports", "aud": "orders", "scope": "orders:read",
        "iat": now - 60, "exp": now + 3600,
    }));
    w.choose("My code calls an API");
    w.suggested("How does your client authenticate?");
    w.answer("Access token", &expired_jwt());
    w.choose("A fresh token works");
    w.answer("The new access token", &renewed);
    let screen = w.at("Does the proxy pass Authorization on?");
    let found: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("Found so far") && !l.contains("Problems found"))
        .take(4)
        .collect();
    assert!(
        found
            .get(1)
            .is_some_and(|l| l.contains("proxy-strips-authorization")),
        "{screen}"
    );
    assert!(
        !found.iter().any(|l| l.contains("token-expired")),
        "{screen}"
    );
    w.suggested("Does the proxy pass Authorization on?");
    let ticket = w.ticket("Diagnosed: proxy-strips-authorization");
    assert_eq!(outcome(&ticket), "diagnosed", "{ticket}");
    assert!(!ticket.contains(&renewed), "{ticket}");
}

/// A wrong password at nginx Basic auth, from the owner's side with a test user: the password
/// already typed is checked against the user file the running nginx's configuration names,
/// so the cause is `password-mismatch` (never the password itself on screen); with the right
/// password typed at the re-test the walk is resolved.
#[test]
fn a_wrong_password_at_nginx_basic_is_a_password_mismatch() {
    let Some(nginx) = Nginx::start(
        "    location /admin/ { auth_basic \"staff\"; auth_basic_user_file {dir}/users; }",
    ) else {
        assert!(std::env::var("CI").is_err(), "nginx is needed under CI");
        return;
    };
    if servers::htpasswd(&nginx.path("users"), "-bc", "alice", "Correct-Horse-42").is_none() {
        assert!(std::env::var("CI").is_err(), "htpasswd is needed under CI");
        return;
    }
    std::fs::create_dir_all(nginx.path("www/admin")).unwrap();
    std::fs::write(nginx.path("www/admin/index.html"), "staff only\n").unwrap();
    let Some(mut w) = Walk::start("basic", &nginx.url("/admin/"), "password-mismatch") else {
        return;
    };
    w.owner_tests_alice_with("wrong-password");
    let screen = w.at("The password typed does not match");
    assert!(!screen.contains("wrong-password"), "{screen}");
    assert!(
        !screen.contains("Path of the nginx configuration"),
        "{screen}"
    );
    w.suggested("Check the nginx configuration");
    w.suggested("Check the password hash");
    w.answer("The password the test user has now", "Correct-Horse-42");
    let ticket = w.ticket("Resolved: the re-test got 200");
    assert_eq!(outcome(&ticket), "resolved", "{ticket}");
    assert!(
        !ticket.contains("wrong-password") && !ticket.contains("Correct-Horse-42"),
        "{ticket}"
    );
    assert!(
        ticket.contains(&format!("{}", nginx.path("users").display())),
        "the user file is named:\n{ticket}"
    );
    w.assert_top_seen_early();
}

const CLIENT_SECRET: &str = "reporting-secret-0123456789";

/// A token for client `reporting` straight from the provider's token endpoint, as the
/// client's own code gets one once it renews (client credentials grant, RFC 6749 §4.4).
fn token_from(p: &OidcProvider) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/token", p.issuer()))
            .basic_auth("reporting", Some(CLIENT_SECRET))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials&scope=read")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}

/// An API client whose token expired, against a real OpenID Provider: the wizard gets a fresh
/// token by the client credentials grant (the token endpoint found by OpenID discovery from
/// the token's `iss`), says the fresh token fixes the 401, and stays `diagnosed` until the
/// client's own new token passes the re-test. The client secret never shows.
#[test]
fn a_fresh_token_from_the_identity_provider_shows_the_expiry_was_all() {
    let Some(p) = OidcProvider::start() else {
        return;
    };
    let url = format!("http://127.0.0.1:{}/reports", p.api);
    let old = expired_jwt_from(Some(&p.issuer()));
    let Some(mut w) = Walk::start("fresh", &url, "token-expired") else {
        return;
    };
    w.choose("My code calls an API");
    w.suggested("How does your client authenticate?");
    w.answer("Access token", &old);
    w.at("token-expired");
    w.suggested("Renew tokens before they expire");
    w.answer("Client id", "reporting");
    w.at("Client secret");
    w.tmux.keys(&["-l", CLIENT_SECRET]);
    w.tmux.keys(&["Enter"]);
    // No endpoint typed: discovery from the token's iss; the issuer is not asked.
    w.answer("Token endpoint", "");
    w.answer("Scope to ask for", "read");
    let screen = w.at("Audience to ask for");
    assert!(!screen.contains(CLIENT_SECRET), "{screen}");
    w.answer("Audience to ask for", "");
    let screen = w.at("a fresh token fixes it");
    assert!(!screen.contains(CLIENT_SECRET), "{screen}");
    w.suggested("Get a fresh token with client credentials");
    // Enter alone: the re-test sends the expired token the client still has.
    w.answer("The new access token", "");
    let ticket = w.ticket("Diagnosed: token-expired");
    assert_eq!(outcome(&ticket), "diagnosed", "{ticket}");
    assert!(
        ticket.contains(&format!("from {}/token", p.issuer())),
        "the endpoint discovered:\n{ticket}"
    );
    assert!(ticket.contains("got 200 instead of 401"), "{ticket}");
    assert!(
        !ticket.contains(CLIENT_SECRET),
        "the secret leaked:\n{ticket}"
    );
    // The client renews: its new token passes the re-test.
    let fresh = token_from(&p);
    w.tmux.keys(&["b"]);
    w.at("Enter go on");
    w.tmux.keys(&["b"]);
    w.answer("The new access token", &fresh);
    let ticket = w.ticket("Resolved: the re-test got 200");
    assert_eq!(outcome(&ticket), "resolved", "{ticket}");
    assert!(
        !ticket.contains(&fresh) && !ticket.contains(CLIENT_SECRET),
        "{ticket}"
    );
    w.assert_top_seen_early();
}

/// The token endpoint's own refusal is ranked as `check` ranks it: a wrong client secret is
/// `oauth-client-rejected`, never shown; the walk does not call it resolved.
#[test]
fn a_refused_client_is_ranked_as_check_ranks_it() {
    let Some(p) = OidcProvider::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.yaml");
    let url = format!("http://127.0.0.1:{}/reports", p.api);
    std::fs::write(
        &answers,
        format!(
            "url: '{url}'\nhow_auth: 'A Bearer token (OAuth 2, JWT, personal access token)'\n\
             token: '{}'\nrenew_token: 'Get a fresh token now (client credentials)'\n\
             client_id: reporting\nclient_secret: not-the-secret-42\ntoken_endpoint: ''\n\
             scope: read\naudience: ''\n\
             fresh_token: 'The token endpoint refuses the client'\n\
             new_token: ''\n",
            expired_jwt_from(Some(&p.issuer()))
        ),
    )
    .unwrap();
    let out = assert_cmd::Command::cargo_bin("why401")
        .unwrap()
        .args(["run", "--flow", "api", "--answers"])
        .arg(&answers)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!text.contains("not-the-secret-42"), "{text}");
    let j: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let ids: Vec<&str> = j["causes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(ids.contains(&"oauth-client-rejected"), "{ids:?}");
    assert_eq!(ids.first(), Some(&"token-expired"), "{ids:?}");
    assert_ne!(j["outcome"], "resolved", "{j}");
}

/// One HAR entry as Chrome's DevTools exports it ("Save all as HAR with content").
fn har_entry(
    url: &str,
    request: &[(&str, &str)],
    status: u16,
    response: &[(&str, &str)],
) -> serde_json::Value {
    let nv = |pairs: &[(&str, &str)]| -> Vec<serde_json::Value> {
        pairs
            .iter()
            .map(|(n, v)| serde_json::json!({"name": n, "value": v}))
            .collect()
    };
    serde_json::json!({
        "_initiator": {"type": "other"},
        "_priority": "VeryHigh",
        "_resourceType": "document",
        "cache": {},
        "connection": "3",
        "pageref": "page_1",
        "request": {
            "method": "GET", "url": url, "httpVersion": "HTTP/1.1",
            "headers": nv(request), "queryString": [], "cookies": [],
            "headersSize": -1, "bodySize": 0
        },
        "response": {
            "status": status, "statusText": "", "httpVersion": "HTTP/1.1",
            "headers": nv(response), "cookies": [],
            "content": {"size": 0, "mimeType": "text/html"},
            "redirectURL": "", "headersSize": -1, "bodySize": -1, "_transferSize": 180, "_error": null
        },
        "serverIPAddress": "127.0.0.1",
        "startedDateTime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "time": 3.2,
        "timings": {"blocked": 0.5, "dns": -1, "ssl": -1, "connect": -1, "send": 0.1, "wait": 2.4, "receive": 0.2, "_blocked_queueing": 0.3}
    })
}

/// A visitor who brings a HAR export (`--har`): the wizard reads it at once, as `why401 har`
/// does; the page that got 401 carried no cookie, so the walk skips the reload, cache and
/// private-window questions and goes to logging in again. No cookie from the export shows.
#[test]
fn a_har_export_answers_what_the_browser_sent() {
    let site = site(|_, h| {
        if h.get("cookie")
            .is_some_and(|c| c.as_bytes().starts_with(b"session=good"))
        {
            answer(200, &[], "welcome")
        } else {
            answer(
                401,
                &[("www-authenticate", r#"Bearer realm="portal""#.into())],
                "",
            )
        }
    });
    let url = format!("{site}/portal");
    let har_dir = tempfile::tempdir().unwrap();
    let har = har_dir.path().join("portal.har");
    let export = serde_json::json!({"log": {
        "version": "1.2",
        "creator": {"name": "WebInspector", "version": "537.36"},
        "pages": [{"startedDateTime": chrono::Utc::now().to_rfc3339(), "id": "page_1", "title": url, "pageTimings": {}}],
        "entries": [
            har_entry(&format!("{site}/"), &[("Cookie", "consent=CANARY-CONSENT-31")], 200, &[]),
            har_entry(&url, &[("Accept", "text/html"), ("User-Agent", "Mozilla/5.0")], 401,
                      &[("WWW-Authenticate", r#"Bearer realm="portal""#)]),
        ]
    }});
    std::fs::write(&har, serde_json::to_string_pretty(&export).unwrap()).unwrap();
    let har_arg = har.display().to_string();
    let Some(mut w) = Walk::start_with("har", &["--har", &har_arg], &url, "no-credentials-sent")
    else {
        return;
    };
    w.choose("I visit a site");
    let screen = w.at("Log out and log in again");
    assert!(
        screen.contains("Read the browser"),
        "the HAR step ran:\n{screen}"
    );
    assert!(!screen.contains("Path of the .har file"), "{screen}");
    assert!(!screen.contains("Reload the page"), "{screen}");
    w.choose("It works now");
    // The re-test carries no cookie (none was given), so it cannot confirm the login.
    let ticket = w.ticket("Not confirmed");
    assert_eq!(outcome(&ticket), "diagnosed", "{ticket}");
    assert!(
        ticket.contains("the request carried no Authorization header and no cookie"),
        "the HAR's finding:\n{ticket}"
    );
    assert!(!ticket.contains("CANARY-CONSENT-31"), "{ticket}");
    w.assert_top_seen_early();
}

/// A visitor who mistyped the password: "I had a typo" asks for it again and sends it; the
/// walk is resolved only when the site accepts what was typed (it ended at once with the
/// old, wrong password re-sent, and no way to give the right one).
#[test]
fn a_visitor_with_a_typo_is_resolved_only_by_the_password_that_works() {
    use base64::Engine as _;
    let good = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("alice:Right-Pass-1")
    );
    let url = site(move |_, h| {
        if auth(h) == good {
            answer(200, &[], "welcome")
        } else {
            answer(
                401,
                &[("www-authenticate", r#"Basic realm="staff""#.into())],
                "",
            )
        }
    }) + "/admin/";
    let Some(mut w) = Walk::start("typo", &url, "bad-credentials") else {
        return;
    };
    w.choose("I visit a site");
    w.suggested("Test my user name and password here");
    w.answer("User name", "alice");
    w.answer("Password (hidden)", "Wrong-Pass-9");
    w.choose("I had a typo");
    w.answer("Password (hidden)", "Wrong-Again-8");
    let screen = w.at("Still refused");
    assert!(!screen.contains("Resolved"), "{screen}");
    w.tmux.keys(&["b"]);
    w.answer("Password (hidden)", "Right-Pass-1");
    let ticket = w.ticket("Resolved: the re-test got 200");
    assert_eq!(outcome(&ticket), "resolved", "{ticket}");
    for secret in ["Right-Pass-1", "Wrong-Pass-9", "Wrong-Again-8"] {
        assert!(!ticket.contains(secret), "{secret} leaked:\n{ticket}");
    }
}

/// A visitor whose reload "works now" in the browser, with no credentials given to why401:
/// the re-test without them gets the 401 anyone gets, so the end says it cannot confirm the
/// fix (it said "Diagnosed: not-a-401 (the URL does not answer 401 now)" beside a re-test
/// that got 401), and the ticket says "reported working", never "resolved".
#[test]
fn a_browser_fix_without_credentials_is_reported_not_resolved() {
    let url = site(|_, _| {
        answer(
            401,
            &[("www-authenticate", r#"Basic realm="staff""#.into())],
            "",
        )
    }) + "/admin/";
    let Some(mut w) = Walk::start("reload", &url, "not-a-401") else {
        return;
    };
    w.choose("I visit a site");
    w.choose("I would rather not type my password here");
    w.choose("It works now");
    let ticket = w.ticket("Not confirmed: the re-test had no credentials and got 401");
    assert_eq!(outcome(&ticket), "diagnosed", "{ticket}");
    assert!(ticket.contains("Reported working"), "{ticket}");
}

/// The owner of an Apache with Basic auth, a test user with the wrong password: the running
/// Apache and its configuration are found (nothing to type), the VirtualHost's ErrorLog and
/// CustomLog are read without asking, the error-log line of the same request (AH01617) is
/// suggested, the user file comes from AuthUserFile, and the right password resolves.
#[test]
fn the_apache_owner_reads_its_logs_and_user_file_without_typing_a_path() {
    let Some(apache) = servers::Apache::start(
        "<Location /admin/>\n  AuthType Basic\n  AuthName \"staff\"\n  AuthUserFile {dir}/users\n  Require valid-user\n</Location>\n",
    ) else {
        assert!(std::env::var("CI").is_err(), "apache2 is needed under CI");
        return;
    };
    if servers::htpasswd(&apache.path("users"), "-bc", "alice", "Correct-Horse-42").is_none() {
        assert!(std::env::var("CI").is_err(), "htpasswd is needed under CI");
        return;
    }
    apache.write("www/admin/index.html", "staff only\n");
    let Some(mut w) = Walk::start("apache", &apache.url("/admin/"), "password-mismatch") else {
        return;
    };
    w.owner_tests_alice_with("wrong-password");
    let screen = w.at("Check Apache .htaccess");
    assert!(!screen.contains("wrong-password"), "{screen}");
    assert!(!screen.contains("Path of the .htaccess file"), "{screen}");
    w.choose("Read what Apache logged");
    // The log files come from ErrorLog and CustomLog: nothing is asked.
    let screen = w.at("Read the server logs");
    assert!(!screen.contains("Path of the server's error"), "{screen}");
    w.choose("Apache messages");
    // The logs probe found the AH01617 line of the same request: password-mismatch leads
    // "Found so far"; the owner picks the line the log shows.
    let screen = w.at("What the Apache error log says");
    assert!(screen.contains("password-mismatch"), "{screen}");
    w.choose("AH01617");
    let screen = w.at("Check the password hash");
    assert!(!screen.contains("Path of the user file"), "{screen}");
    w.suggested("Check the password hash");
    w.answer("The password the test user has now", "Correct-Horse-42");
    let ticket = w.ticket("Resolved: the re-test got 200");
    assert_eq!(outcome(&ticket), "resolved", "{ticket}");
    for file in ["error.log", "access.log", "users"] {
        assert!(
            ticket.contains(&apache.path(file).display().to_string()),
            "{file} is named:\n{ticket}"
        );
    }
    assert!(ticket.contains("AH01617"), "{ticket}");
    assert!(
        !ticket.contains("wrong-password") && !ticket.contains("Correct-Horse-42"),
        "{ticket}"
    );
    w.assert_top_seen_early();
}
