//! Real 401 incidents from public issue threads, each reproduced on 127.0.0.1 (an in-test API
//! that answers as the thread shows: its status, challenge, body and server header; tokens
//! signed here) and given to `why401 check` with what a person in the thread would pass. The
//! tally says how often the cause the thread accepted ranks first, and in the top three.
//!
//! `cargo test --test check corpus:: -- --nocapture` prints the table.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::jwt as common;
use crate::support::loopback;
use crate::support::servers;

use axum::Router;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use axum::routing::any;
use loopback::{answer, auth, cause_ids, check_json};
use serde_json::{Value, json};
use tempfile::NamedTempFile;

mod classes;
mod tokens;

const SECRET: &[u8] = b"corpus-signing-secret-32-bytes-long";

/// One reproduced incident.
struct Incident {
    source: &'static str,
    accepted: &'static str,
    url: String,
    args: Vec<String>,
    /// Secret files; kept until the incident is done.
    files: Vec<NamedTempFile>,
    /// What the command reads on standard input (a password), when not the default.
    stdin: Option<String>,
    /// Servers that must run until the incident is done.
    keep: Vec<Box<dyn std::any::Any>>,
}

impl Incident {
    fn new(source: &'static str, accepted: &'static str, url: String) -> Self {
        Self {
            source,
            accepted,
            url,
            args: Vec::new(),
            files: Vec::new(),
            stdin: None,
            keep: Vec::new(),
        }
    }

    fn file(&mut self, text: &str) -> String {
        let f = NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        let path = f.path().to_str().unwrap().to_owned();
        self.files.push(f);
        path
    }

    fn bearer(mut self, token: &str) -> Self {
        let path = self.file(token);
        self.args.extend(["--bearer-file".into(), path]);
        self
    }

    /// `-H 'Name: @FILE'`, the value kept out of the command line.
    fn header(mut self, name: &str, value: &str) -> Self {
        let path = self.file(value);
        self.args.extend(["-H".into(), format!("{name}: @{path}")]);
        self
    }

    fn arg(mut self, a: &[&str]) -> Self {
        self.args.extend(a.iter().map(|s| (*s).to_owned()));
        self
    }

    fn jwks(mut self, set: &Value) -> Self {
        let path = self.file(&set.to_string());
        self.args.extend(["--jwks".into(), path]);
        self
    }
}

/// An API whose every answer is `f(method, path, headers)`.
fn api<F>(f: F) -> String
where
    F: Fn(&Method, &str, &HeaderMap) -> Response + Clone + Send + Sync + 'static,
{
    loopback::serve(
        Router::new().fallback(any(move |m: Method, u: Uri, h: HeaderMap| {
            let f = f.clone();
            async move { f(&m, u.path(), &h) }
        })),
    )
}

fn now() -> i64 {
    common::now()
}

fn sign(claims: &Value, kid: Option<&str>) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(
        &header,
        claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET),
    )
    .unwrap()
}

fn access(aud: &str, exp_in: i64) -> Value {
    json!({"iss": "https://id.example/", "sub": "u1", "aud": aud, "iat": now() - 600, "exp": now() + exp_in})
}

fn jwks(kid: &str) -> Value {
    use base64::Engine as _;
    let k = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(SECRET);
    json!({"keys": [{"kty": "oct", "kid": kid, "alg": "HS256", "k": k}]})
}

fn bearer_challenge(extra: &str) -> (&'static str, String) {
    ("www-authenticate", format!("Bearer{extra}"))
}

fn json_401(body: &'static str) -> Response {
    answer(401, &[("content-type", "application/json".into())], body)
}

/// Accepts only `Authorization: <want>…`; the rest get `refusal()`.
fn only(prefix: &'static str, refusal: fn() -> Response) -> String {
    api(move |_, _, h| {
        if auth(h).starts_with(prefix) {
            answer(200, &[], "{}")
        } else {
            refusal()
        }
    })
}

/// `from` answers `status` with a Location to `to`; `to` accepts a valid bearer token.
fn redirecting(from: &'static str, to: &'static str, status: u16) -> String {
    api(move |_, path, h| {
        if path == from {
            answer(status, &[("location", to.to_owned())], "")
        } else if auth(h).starts_with("Bearer ") {
            answer(200, &[], "{}")
        } else {
            json_401(
                "{\"Description\":\"Authorization header was not present or 'Bearer' was missing.\",\"Error\":\"invalid_request\"}",
            )
        }
    })
}

fn redirects() -> Vec<Incident> {
    let token = sign(&access("api", 3600), None);
    let case = |source, url: String, path: &str| {
        Incident::new(
            source,
            "credentials-dropped-on-redirect",
            format!("{url}{path}"),
        )
        .bearer(&token)
    };
    vec![
        case(
            "https://github.com/dotnet/corefx/issues/29854",
            redirecting("/blah/1", "/blah/1/", 301),
            "/blah/1",
        ),
        case(
            "https://github.com/mrwuss/p21-api-documentation/issues/142",
            redirecting(
                "/api/ui/router/v1",
                "/api/ui/router/v1/?urlType=external",
                307,
            ),
            "/api/ui/router/v1",
        ),
        case(
            "https://github.com/dotnet/runtime/pull/33460",
            redirecting("/v1/reports", "/v2/reports", 302),
            "/v1/reports",
        ),
        case(
            "https://github.com/corretto/corretto-11/issues/395",
            redirecting("/rest/api", "/rest/api/latest", 302),
            "/rest/api",
        ),
        case(
            "https://github.com/cedadev/nlds/issues/12",
            redirecting("/files", "/files/", 307),
            "/files",
        ),
    ]
}

/// Real nginx in front with `proxy_set_header Authorization "";` (the thread's config), and
/// the backend that accepts the token.
fn stripped() -> Option<(servers::Nginx, String)> {
    let backend = only("Bearer ", || answer(401, &[], "401: Unauthorized"));
    let front = servers::Nginx::start(&format!(
        "    location / {{ proxy_pass {backend}; proxy_set_header Authorization \"\"; }}\n"
    ))?;
    Some((front, backend))
}

/// Real Apache running the app as CGI, as shipped (no CGIPassAuth): the app answers 200 when
/// it sees `HTTP_AUTHORIZATION`, else 401 with `headers` and `body` as the thread shows them.
fn apache_cgi(source: &'static str, headers: &str, body: &str) -> Option<Incident> {
    let module = "/usr/lib/apache2/modules/mod_cgi.so";
    if !std::path::Path::new(module).is_file() {
        eprintln!("skipped {source}: {module} is not installed");
        return None;
    }
    let a = servers::Apache::start(&format!(
        "LoadModule cgi_module {module}\nKeepAlive Off\nScriptAlias /api/ {{dir}}/cgi/\n"
    ))?;
    a.write("cgi/headers", headers);
    a.write("cgi/body", body);
    let d = a.path("cgi").display().to_string();
    let script = a.write(
        "cgi/app",
        &format!(
            "#!/bin/sh\nif [ -n \"$HTTP_AUTHORIZATION\" ]; then printf 'Status: 200 OK\\n\\n{{}}'; exit 0; fi\n\
             printf 'Status: 401 Unauthorized\\n'; cat {d}/headers; printf '\\n'; cat {d}/body\n"
        ),
    );
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).ok()?;
    }
    let mut incident = Incident::new(source, "auth-not-forwarded-to-app", a.url("/api/app"));
    incident.keep.push(Box::new(a));
    Some(incident)
}

fn servers() -> Vec<Incident> {
    let token = sign(&access("api", 3600), None);
    let underscore = |source, name: &'static str| underscore_dropped(source, name);
    let home_assistant = stripped().map(|(front, backend)| {
        let mut i = Incident::new(
            "https://github.com/home-assistant/core/issues/16306",
            "proxy-strips-authorization",
            front.url("/api/states"),
        )
        .bearer(&token)
        .arg(&["--backend", &backend]);
        i.keep.push(Box::new(front));
        i
    });
    [
        home_assistant,
        // Django REST framework under Apache (mod_wsgi there, CGI here: Apache withholds
            // Authorization from both unless told to pass it).
            apache_cgi(
                "https://github.com/jazzband/djangorestframework-simplejwt/issues/187",
                "Content-Type: application/json\n",
                "{\"detail\":\"Authentication credentials were not provided.\"}",
            )
            .map(|i| i.bearer(&token)),
            apache_cgi(
                "https://github.com/jpadilla/django-rest-framework-jwt/issues/354",
                "Content-Type: application/json\n",
                "{\"detail\":\"Authentication credentials were not provided.\"}",
            )
            .map(|i| i.header("Authorization", &format!("JWT {token}"))),
            apache_cgi(
                "https://github.com/tomaj/nette-api/issues/37",
                "Content-Type: application/json\n",
                "{\"status\":\"error\",\"message\":\"Authorization header HTTP_Authorization is not set\"}",
            )
            .map(|i| i.bearer(&token)),
            apache_cgi(
                "https://github.com/sabre-io/dav/issues/114",
                "Content-Type: application/xml; charset=utf-8\nWWW-Authenticate: Basic realm=\"SabreDAV\"\n",
                "<?xml version=\"1.0\"?><d:error xmlns:d=\"DAV:\" xmlns:s=\"http://sabredav.org/ns\"><s:message>No 'Authorization: Basic' header found. Either the client didn't send one, or the server is misconfigured</s:message></d:error>",
            )
            .map(|i| i.arg(&["--user", "alice", "--password-stdin"])),
            underscore("https://github.com/run-x/opta/pull/50", "api_key"),
            underscore(
                "https://github.com/postmanlabs/postman-app-support/issues/3348",
                "api_key",
            ),
            underscore("https://github.com/SteveLTN/https-portal/issues/289", "access_key"),
            underscore(
                "https://github.com/sebastiangug/passport-google-token/issues/15",
                "access_token",
            ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Real nginx (default `underscores_in_headers off`) in front of an app that reads its key
/// from the header `name`: nginx drops the header, the app answers 401.
fn underscore_dropped(source: &'static str, name: &'static str) -> Option<Incident> {
    let app = api(move |_, _, h| {
        if h.contains_key(name) {
            answer(200, &[], "{}")
        } else {
            json_401("{\"error\":\"Unauthorized\"}")
        }
    });
    let nginx = servers::Nginx::start(&format!("    location / {{ proxy_pass {app}; }}\n"))?;
    let mut incident = Incident::new(source, "underscore-header-dropped", nginx.url("/api/items"))
        .header(name, "k-77c1e0f2a9");
    incident.keep.push(Box::new(nginx));
    Some(incident)
}

/// Answers the preflight with `refusal()` and the request itself with 200 when it has a token.
fn preflight_refused(refusal: fn() -> Response) -> String {
    api(move |m, _, h| {
        if m == Method::OPTIONS {
            refusal()
        } else if auth(h).starts_with("Bearer ") {
            answer(200, &[], "[]")
        } else {
            answer(401, &[bearer_challenge("")], "")
        }
    })
}

fn cors() -> Vec<Incident> {
    let token = sign(&access("api", 3600), None);
    let case = |source, refusal: fn() -> Response| {
        Incident::new(
            source,
            "cors-preflight-requires-auth",
            preflight_refused(refusal),
        )
        .bearer(&token)
        .arg(&["--origin", "http://localhost:3000"])
    };
    vec![
        case(
            "https://github.com/jeremyben/json-server-auth/issues/15",
            || answer(401, &[], "\"Missing authorization header\""),
        ),
        case("https://github.com/hacdias/webdav/issues/7", || {
            answer(
                401,
                &[("www-authenticate", "Basic realm=\"Restricted\"".into())],
                "401 Unauthorized",
            )
        }),
        case("https://github.com/aspnet/CORS/issues/60", || {
            answer(401, &[("server", "Kestrel".into())], "")
        }),
        case("https://github.com/dphnAI/sonar/issues/434", || {
            json_401("{\"error\":\"Unauthorized\"}")
        }),
        case("https://github.com/vllm-project/vllm/pull/4862", || {
            json_401("{\"error\":\"Unauthorized\"}")
        }),
    ]
}

fn schemes() -> Vec<Incident> {
    let token = sign(&access("api", 3600), None);
    let drf = || json_401("{\"detail\":\"Authentication credentials were not provided.\"}");
    let jwt_only = || {
        api(|_, _, h| {
            if auth(h).starts_with("JWT ") {
                answer(200, &[], "{}")
            } else {
                answer(
                    401,
                    &[("www-authenticate", "JWT realm=\"api\"".into())],
                    "{\"detail\":\"Authentication credentials were not provided.\"}",
                )
            }
        })
    };
    vec![
        Incident::new(
            "https://github.com/sunscrapers/djoser/issues/483",
            "wrong-auth-scheme",
            jwt_only(),
        )
        .header("Authorization", &format!("Token {token}")),
        Incident::new(
            "https://github.com/wafflestudio/seminar-2021/issues/670",
            "wrong-auth-scheme",
            jwt_only(),
        )
        .bearer(&token),
        Incident::new(
            "https://github.com/winterjung/drf-chat-server-example/issues/2",
            "wrong-auth-scheme",
            only("Bearer ", drf),
        )
        .header("Authorization", &format!("JWT {token}")),
        Incident::new(
            "https://github.com/sunscrapers/djoser/issues/802",
            "wrong-auth-scheme",
            only("JWT ", drf),
        )
        .header(
            "Authorization",
            "Token f4c30aed2268e8d952a742e82fe24b012766fe5f",
        ),
    ]
}

#[test]
fn real_incidents_rank_the_accepted_cause_first() {
    let incidents: Vec<Incident> = [
        tokens::tokens(),
        tokens::stale_keys(),
        redirects(),
        servers(),
        cors(),
        schemes(),
        classes::user_files(),
        classes::cookies(),
        classes::proxies(),
        classes::blind(),
        classes::blind_issuers(),
        classes::blind_environments(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let (mut first, mut top3) = (0_usize, 0_usize);
    let mut lines = Vec::new();
    for incident in &incidents {
        let args: Vec<&str> = incident.args.iter().map(String::as_str).collect();
        let stdin = incident.stdin.as_deref().or_else(|| {
            args.contains(&"--password-stdin")
                .then_some("wrong-password\n")
        });
        let (json, _, stderr) = check_json(&incident.url, &args, stdin);
        let ids = cause_ids(&json);
        let rank = ids.iter().position(|id| id == incident.accepted);
        match rank {
            Some(0) => first += 1,
            Some(1 | 2) => top3 += 1,
            _ => {}
        }
        let shown = rank.map_or_else(|| "missed".to_owned(), |r| format!("#{}", r + 1));
        lines.push(format!(
            "{shown:>6}  {:<32} {}  got {:?}{}",
            incident.accepted,
            incident.source,
            ids.iter().take(3).collect::<Vec<_>>(),
            if stderr.is_empty() {
                String::new()
            } else {
                format!(" stderr: {stderr}")
            }
        ));
    }
    let n = incidents.len();
    println!("{}", lines.join("\n"));
    println!(
        "corpus: {n} incidents, accepted cause first in {first} ({}%), in the top 3 in {} ({}%)",
        first * 100 / n,
        first + top3,
        (first + top3) * 100 / n
    );
    assert!(n >= 30, "the corpus has {n} incidents");
    assert!(
        first * 10 >= n * 9,
        "accepted cause first in {first} of {n}:\n{}",
        lines.join("\n")
    );
    assert_eq!(first + top3, n, "outside the top 3:\n{}", lines.join("\n"));
}
