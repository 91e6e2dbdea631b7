//! Incidents of the classes the first reproductions lacked: user files read by tools other
//! than Apache and nginx, session cookies the browser refuses, a proxy's 407 taken for the
//! site's 401. Each is reproduced as its thread shows it; the reader of the user file behaves
//! as the thread's tool did, and the password is verified for real (bcrypt, made by htpasswd).

use axum::http::HeaderMap;
use axum::routing::{get, post};

use super::{Incident, answer, api, loopback};

const PASSWORD: &str = "corpus-user-pass-3";

/// A user file made by the real `htpasswd -B`, as one `alice:$2y$...` line.
fn bcrypt_line() -> Option<String> {
    let dir = tempfile::tempdir().ok()?;
    let f = dir.path().join("users");
    let out = std::process::Command::new("htpasswd")
        .args(["-c", "-b", "-B"])
        .arg(&f)
        .args(["alice", PASSWORD])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(std::fs::read_to_string(f).ok()?.trim_end().to_owned())
}

/// A site whose Basic auth reads the user file `text` line by line (`keep_cr`: splitting on
/// `\n` only, as htpasswd-auth did; else as Go's line readers do) and verifies the hash.
fn basic_site(text: String, keep_cr: bool) -> String {
    api(move |_, _, h: &HeaderMap| {
        let (user, password) = loopback::basic_login(h);
        let ok = text.split('\n').any(|line| {
            let line = if keep_cr {
                line
            } else {
                line.trim_end_matches('\r')
            };
            line.split_once(':')
                .is_some_and(|(u, hash)| u == user && pwhash::unix::verify(&password, hash))
        });
        if ok {
            answer(200, &[], "ok")
        } else {
            answer(
                401,
                &[("www-authenticate", "Basic realm=\"traefik\"".into())],
                "401 Unauthorized\n",
            )
        }
    })
}

fn user_file_case(source: &'static str, text: &str, keep_cr: bool) -> Incident {
    let mut i = Incident::new(
        source,
        "user-file-entry-broken",
        basic_site(text.to_owned(), keep_cr),
    );
    let path = i.file(text);
    i.stdin = Some(format!("{PASSWORD}\n"));
    i.arg(&["--user", "alice", "--password-stdin", "--htpasswd", &path])
}

pub fn user_files() -> Vec<Incident> {
    let Some(line) = bcrypt_line() else {
        eprintln!("skipped the user-file incidents: htpasswd is not installed");
        return Vec::new();
    };
    vec![
        // The usersFile kept the $$ the labels need: every login fails.
        user_file_case(
            "https://github.com/traefik/traefik/issues/8614",
            &format!("{}\n", line.replace('$', "$$")),
            false,
        ),
        // `docker service create --label ...auth.basic=test:$$2y$$05$$...`: no compose file
        // undoes the doubling, so Traefik reads $$ (fixed by quoting the label, single $).
        user_file_case(
            "https://github.com/traefik/traefik/issues/2171",
            &format!("{}\n", line.replace('$', "$$")),
            false,
        ),
        // Edited on Windows: CRLF, read by a library that keeps the \r; dos2unix fixed it.
        user_file_case(
            "https://github.com/jdx/npm-register/issues/72",
            &format!("{line}\r\n"),
            true,
        ),
        user_file_case(
            "https://github.com/gevorg/http-auth/pull/28",
            &format!("{line}\r\n{}\r\n", line.replacen("alice", "carol", 1)),
            true,
        ),
    ]
}

/// A login that answers 200 with `set_cookie`, over http, and an API that wants the cookie.
fn login_site(set_cookie: &'static str) -> String {
    loopback::serve(
        axum::Router::new()
            .route(
                "/login",
                post(move || async move {
                    answer(200, &[("set-cookie", set_cookie.to_owned())], "{}")
                }),
            )
            .route(
                "/api/me",
                get(|h: HeaderMap| async move {
                    if h.contains_key("cookie") {
                        answer(200, &[], "{}")
                    } else {
                        answer(401, &[], "{\"error\":\"not logged in\"}")
                    }
                }),
            ),
    )
}

pub fn cookies() -> Vec<Incident> {
    let case = |source, set_cookie| {
        Incident::new(
            source,
            "cookie-rejected-by-client",
            format!("{}/login", login_site(set_cookie)),
        )
        .arg(&["-d", "username=alice&password=pw-1"])
    };
    vec![
        // ASP.NET Core cookie auth with SameSite=None over http: Chrome 80 ignores the cookie.
        case(
            "https://github.com/dotnet/aspnetcore/issues/19939",
            ".AspNetCore.Cookies=CfDJ8Na1; path=/; samesite=none; httponly",
        ),
        // Django session and CSRF cookies SameSite=None without Secure in local development.
        case(
            "https://github.com/JustFixNYC/tenants2/pull/1684",
            "sessionid=k2v9yq; HttpOnly; Path=/; SameSite=None",
        ),
        // remark42 with AUTH_SAME_SITE=none on an http address: the JWT cookie is blocked.
        case(
            "https://github.com/umputun/remark42/issues/1580",
            "JWT=eyJhbGciOiJIUzI1NiJ9.e30.c2ln; Path=/; Max-Age=2592000; HttpOnly; SameSite=None",
        ),
    ]
}

/// A forward proxy that answers every request 407 with `challenge` and `body`.
fn refusing_proxy(challenge: &'static [&'static str], body: &'static str) -> String {
    api(move |_, _, _| {
        let headers: Vec<(&'static str, String)> = challenge
            .iter()
            .map(|c| ("proxy-authenticate", (*c).to_owned()))
            .collect();
        answer(407, &headers, body)
    })
}

pub fn proxies() -> Vec<Incident> {
    let case = |source, challenge, body| {
        let proxy = refusing_proxy(challenge, body);
        // The site itself is never reached; its address is a port nothing listens on.
        Incident::new(
            source,
            "proxy-auth-required",
            "http://127.0.0.1:9/cacache".to_owned(),
        )
        .arg(&["-x", &proxy])
    };
    vec![
        // npm 5 sent no Proxy-Authorization: "407 Proxy Authentication Required".
        case(
            "https://github.com/npm/npm/issues/16811",
            &["Basic realm=\"proxy\""],
            "Proxy Authentication Required",
        ),
        // Forefront TMG asks for NTLM, which pip did not speak.
        case(
            "https://github.com/pypa/pip/issues/3020",
            &["Negotiate", "NTLM", "Basic realm=\"corp\""],
            "Forefront TMG requires authorization to fulfill the request. Access to the Web Proxy filter is denied.",
        ),
        case(
            "https://github.com/npm/npm/issues/17396",
            &["Negotiate", "NTLM"],
            "Forefront TMG requires authorization to fulfill the request. Access to the Web Proxy filter is denied.",
        ),
    ]
}

/// IIS answering 401.3 (its ACL page) to an anonymous request, as the threads show it.
fn iis_acl() -> String {
    api(|_, _, _| {
        answer(
            401,
            &[
                ("server", "Microsoft-IIS/10.0".to_owned()),
                ("x-powered-by", "ASP.NET".to_owned()),
                ("content-type", "text/html".to_owned()),
            ],
            "<!DOCTYPE html><html><head><title>401 - Unauthorized: Access is denied due to invalid credentials.</title></head><body><div id=\"content\"><div class=\"content-container\"><h3>HTTP Error 401.3 - Unauthorized</h3><h4>You do not have permission to view this directory or page because of the access control list (ACL) configuration or encryption settings for this resource on the Web server.</h4></div></div></body></html>",
        )
    })
}

/// Added after the other rules were written, and run once as found before any rule changed:
/// the Digest case ranked first, the three IIS 401.3 cases were missed (no-credentials-sent
/// first), which added the IIS 401.3 messages to the catalogue and let a body that names a
/// cause count for a request sent without credentials.
pub fn blind() -> Vec<Incident> {
    let acl = |source| Incident::new(source, "resource-acl-denied", iis_acl());
    let stale = api(|_, _, _| {
        answer(
            401,
            &[(
                "www-authenticate",
                "Digest realm=\"perl\", nonce=\"bmV3LW5vbmNl\", algorithm=MD5, qop=\"auth\", stale=true".to_owned(),
            )],
            "",
        )
    });
    vec![
        acl("https://github.com/Kentico/training-kentico-k12/issues/44"),
        acl("https://github.com/emscripten-core/emscripten/issues/12161"),
        acl("https://github.com/kimmknight/raweb/issues/124"),
        // LWP sends the old nonce again after Apache expired it (300 s by default).
        Incident::new(
            "https://github.com/libwww-perl/libwww-perl/issues/39",
            "digest-nonce-stale",
            stale,
        )
        .header(
            "Authorization",
            "Digest username=\"alice\", realm=\"perl\", nonce=\"b2xkLW5vbmNl\", uri=\"/\", algorithm=MD5, qop=auth, nc=00000002, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\"",
        ),
    ]
}

/// A Keycloak token issued under one host name, for an API that knows Keycloak by another.
fn keycloak_token(iss: &str) -> String {
    let now = super::now();
    super::sign(
        &serde_json::json!({"iss": iss, "sub": "f1e2", "azp": "my-client", "typ": "Bearer", "iat": now - 60, "exp": now + 300}),
        None,
    )
}

/// The second round, also run once as found before any rule changed: Keycloak reached under
/// two host names (inside and outside Docker), the issuer refused. All four ranked first on
/// that run (the Quarkus one only because `--iss` names the issuer the API was set up with).
pub fn blind_issuers() -> Vec<Incident> {
    vec![
        Incident::new(
            "https://github.com/NikiforovAll/keycloak-authorization-services-dotnet/issues/115",
            "token-wrong-issuer",
            api(|_, _, _| {
                answer(
                    401,
                    &[(
                        "www-authenticate",
                        "Bearer error=\"invalid_token\", error_description=\"The issuer 'http://localhost:8080/realms/my-realm' is invalid\"".to_owned(),
                    )],
                    "",
                )
            }),
        )
        .bearer(&keycloak_token("http://localhost:8080/realms/my-realm")),
        Incident::new(
            "https://github.com/LandRegistry/common-dev-env/pull/83",
            "token-wrong-issuer",
            api(|_, _, _| {
                super::json_401(
                    "{\"error\":\"invalid_token\",\"error_description\":\"Token invalid: Invalid token issuer. Expected 'http://keycloak:8080/auth/realms/development', but was 'http://localhost:8180/auth/realms/development'\"}",
                )
            }),
        )
        .bearer(&keycloak_token("http://localhost:8180/auth/realms/development")),
        Incident::new(
            "https://github.com/keycloak/keycloak-community/issues/51",
            "token-wrong-issuer",
            api(|_, _, _| answer(401, &[], "Jwt issuer is not configured")),
        )
        .bearer(&keycloak_token("http://localhost:8080/auth/realms/example")),
        // Quarkus answers a bare 401; the person knows only the issuer the API was set up with.
        Incident::new(
            "https://github.com/quarkusio/quarkus/issues/16294",
            "token-wrong-issuer",
            api(|_, _, _| answer(401, &[("www-authenticate", "Bearer".to_owned())], "")),
        )
        .bearer(&keycloak_token("https://keycloak.apps.example/auth/realms/quarkus"))
        .arg(&["--iss", "https://192.168.49.1:8543/auth/realms/quarkus"]),
    ]
}

/// The third round, run once as found: credentials for one environment sent to the other.
/// None of the three ranked first on that run (bad-credentials); the WSO2 message and a host
/// name that names an environment were added as rules after it.
pub fn blind_environments() -> Vec<Incident> {
    let wso2 = |source| {
        Incident::new(
            source,
            "wrong-url-or-environment",
            api(|_, _, _| {
                answer(
                    401,
                    &[("content-type", "application/xml".to_owned())],
                    "<am:fault xmlns:am=\"http://wso2.org/apimanager\"><am:code>900901</am:code><am:type>Status report</am:type><am:message>Runtime Error</am:message><am:description>Sandbox key offered to the API with no sandbox endpoint</am:description></am:fault>",
                )
            }),
        )
        .header("Authorization", "Bearer 0c8a61e6-5b1f-3c7d-9a44-2f6e8b1d7c90")
    };
    vec![
        wso2("https://github.com/wso2/product-apim/issues/6566"),
        wso2("https://github.com/wso2/product-microgateway/issues/2542"),
        // Production client credentials sent to the sandbox, a separate system.
        pmp_sandbox(),
    ]
}

/// The sandbox at its own host name (`--resolve` keeps it on 127.0.0.1), as the thread had it.
fn pmp_sandbox() -> Incident {
    let base = api(|_, _, _| {
        answer(
            401,
            &[("www-authenticate", "Basic realm=\"PMP API\"".to_owned())],
            "{\"errors\":{\"title\":\"Unauthorized\"}}",
        )
    });
    let port = base.rsplit(':').next().unwrap_or_default().to_owned();
    let resolve = format!("api-sandbox.pmp.io:{port}:127.0.0.1");
    Incident::new(
        "https://github.com/publicmediaplatform/pmp-issues/issues/69",
        "wrong-url-or-environment",
        format!("http://api-sandbox.pmp.io:{port}/docs"),
    )
    .arg(&[
        "--resolve",
        &resolve,
        "--user",
        "b0a7e1c2-client",
        "--password-stdin",
    ])
}
