//! The check battery: which probes run for one request, running them concurrently, and the
//! rules from their facts to ranked causes. `why401 check` and the wizard both call [`run`];
//! neither knows how the battery is made.
//!
//! A request's life: [`CheckRequest`] (what the person gave) → [`plan`] (probe requests and
//! what the rules need to know) → [`probe::run_all`] (reports) → [`rules::diagnose`] plus the
//! probes' own hits → [`diagnose::rank`] → [`CheckResult`].

use std::time::{Duration, Instant};

use crate::diagnose::{CauseHit, Ranking};
use crate::probe::http::Credentials;
use crate::probe::{self, ProbeArgs, ProbeContext, ProbeReport, ProbeRequest};

mod result;
pub mod rules;
mod sent;
mod server;
mod step;

pub use result::{CheckResult, PasswordSendsUsed};
use rules::{RuleInput, ids};
pub use step::{run_probe, run_probes, step_context};

/// Everything one check needs. A plain struct with a `Default`, so options can be added as
/// fields; its `Debug` never shows a secret (the credentials print as fingerprints).
#[derive(Debug, Clone)]
pub struct CheckRequest {
    /// The address to check, without userinfo (see [`CheckRequest::take_userinfo`]).
    pub url: url::Url,
    /// Upper-case method.
    pub method: String,
    pub credentials: Credentials,
    /// Headers sent with every request that are not credentials (Content-Type, Accept).
    pub headers: Vec<(String, String)>,
    /// The audience the API expects, to check the token sent against.
    pub aud: Option<String>,
    /// The issuer the API expects.
    pub iss: Option<String>,
    /// The API's key set (JWKS file or URL), to verify the token sent.
    pub jwks: Option<String>,
    /// The page's origin, when a browser page makes the request (CORS).
    pub origin: Option<String>,
    /// The backend behind the proxy, to compare what reaches it.
    pub backend: Option<String>,
    /// Timeout of each request.
    pub timeout: Duration,
    /// How requests go out: trust, `--insecure`, fixed addresses, proxy, HTTP version.
    pub net: crate::net::NetOptions,
    /// The request body (`-d`); it may hold a secret.
    pub body: Option<crate::net::RequestBody>,
    /// Client credentials for a fresh token (`--client-credentials`).
    pub fresh_token: Option<crate::net::oauth::ClientCredentials>,
    /// Requests that may carry the person's password in one run (Digest answers, redirect
    /// hops and side requests included): a lockout after 5 failures must not be ours.
    pub max_password_sends: usize,
    /// The server's own files, when the person has them: their analysis joins the battery.
    pub server: ServerFiles,
}

/// The configuration and user file of the server that answers, analysed for the request's
/// host and path (as `why401 server` does) and weighed with what the requests showed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerFiles {
    /// nginx.conf or a site file.
    pub nginx: Option<std::path::PathBuf>,
    /// Apache's server configuration (httpd.conf / apache2.conf).
    pub apache: Option<std::path::PathBuf>,
    /// An .htaccess file (read in place of `apache` when both are missing).
    pub htaccess: Option<std::path::PathBuf>,
    /// The user file, instead of the one the configuration names (or alone).
    pub htpasswd: Option<std::path::PathBuf>,
    /// The configuration was found on this machine (the server listening on the loopback
    /// address), not given: one that cannot be read or parsed is left out instead of
    /// stopping the check.
    pub found_here: bool,
}

impl ServerFiles {
    pub fn any(&self) -> bool {
        self.nginx.is_some()
            || self.apache.is_some()
            || self.htaccess.is_some()
            || self.htpasswd.is_some()
    }
}

impl Default for CheckRequest {
    fn default() -> Self {
        Self {
            url: url::Url::parse("http://127.0.0.1/").unwrap_or_else(|_| unreachable!()),
            method: "GET".to_owned(),
            credentials: Credentials::default(),
            headers: Vec::new(),
            aud: None,
            iss: None,
            jwks: None,
            origin: None,
            backend: None,
            timeout: Duration::from_secs(10),
            net: crate::net::NetOptions::default(),
            body: None,
            fresh_token: None,
            max_password_sends: probe::http::DEFAULT_PASSWORD_SENDS,
            server: ServerFiles::default(),
        }
    }
}

impl CheckRequest {
    /// A GET of `url` with no credentials and the default timeout.
    pub fn new(url: url::Url) -> Self {
        Self {
            url,
            ..Self::default()
        }
    }

    /// `http://user:pass@host/` works as in curl, but the password never reaches any output:
    /// it moves into the credentials and the URL kept is without it.
    pub(crate) fn take_userinfo(&mut self) {
        let (url, creds) = (&mut self.url, &mut self.credentials);
        if url.username().is_empty() && url.password().is_none() {
            return;
        }
        if creds.user.is_none() && creds.authorization.is_none() {
            creds.user = Some(probe::http::percent_decode(url.username()));
            creds.password = Some(crate::secret::Secret::from(
                url.password()
                    .map(probe::http::percent_decode)
                    .unwrap_or_default(),
            ));
        }
        let _ = url.set_username("");
        let _ = url.set_password(None);
    }

    /// Every secret value the credentials hold, so a ticket can hide each wherever it shows up.
    pub fn secrets(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .credentials
            .values()
            .into_iter()
            // A cookie's value alone may be a plain word ("stale"): the whole Cookie header
            // stands for it, so ids and prose are not rewritten.
            .filter(|(kind, _)| *kind != "cookie-value")
            .map(|(_, v)| v)
            .collect();
        out.extend(self.body.iter().map(|b| b.0.as_str()));
        out.extend(self.net.proxy_user.iter().map(|(_, p)| p.expose()));
        out.extend(self.fresh_token.iter().map(|cc| cc.client_secret.expose()));
        out
    }
}

/// The probe arguments for a request to `url` with `creds` (and the plain headers, always).
fn request_args(
    url: &str,
    method: &str,
    plain: &[(String, String)],
    creds: Option<&Credentials>,
) -> ProbeArgs {
    let mut a = ProbeArgs::new();
    a.insert("url".into(), url.to_owned());
    a.insert("method".into(), method.to_owned());
    if !plain.is_empty() {
        a.insert("plain_headers".into(), header_lines(plain));
    }
    let Some(c) = creds else {
        return a;
    };
    let mut put = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            a.insert(k.to_owned(), v.to_owned());
        }
    };
    let exposed = crate::secret::Secret::expose;
    put("authorization", c.authorization.as_ref().map(exposed));
    put("user", c.user.as_deref());
    put("password", c.password.as_ref().map(exposed));
    put("cookie", c.cookie.as_ref().map(exposed));
    if let Some((name, key)) = &c.api_key_query {
        a.insert("api_key_query".into(), name.clone());
        a.insert("api_key".into(), key.expose().to_owned());
    }
    if !c.headers.is_empty() {
        let lines: Vec<String> = c
            .headers
            .iter()
            .map(|(n, v)| format!("{n}: {}", v.expose()))
            .collect();
        a.insert("headers".into(), lines.join("\n"));
    }
    a
}

fn header_lines(headers: &[(String, String)]) -> String {
    let lines: Vec<String> = headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
    lines.join("\n")
}

fn req(id: &str, kind: &str, args: ProbeArgs) -> ProbeRequest {
    ProbeRequest {
        id: id.to_owned(),
        kind: kind.to_owned(),
        args,
    }
}

/// Every request of the battery, and what the rules need to know about them.
pub fn plan(request: &CheckRequest) -> (Vec<ProbeRequest>, RuleInput) {
    let (url, creds, plain) = (&request.url, &request.credentials, &request.headers);
    let u = url.as_str();
    let m = request.method.to_ascii_uppercase();
    let mut given = request_args(u, &m, plain, Some(creds));
    if let Some(b) = &request.body {
        given.insert("body".into(), b.0.clone());
    }
    let mut reqs = vec![
        req(ids::MAIN, "http", given.clone()),
        req("challenge", "challenge", given.clone()),
        req("clock", "clock", request_args(u, &m, plain, None)),
        req("cache", "cache", given.clone()),
        req("cookie", "cookie", given.clone()),
        req("limits", "limits", given),
    ];
    let mut cors = request_args(u, &m, plain, None);
    if let Some(o) = &request.origin {
        cors.insert("origin".into(), o.clone());
    }
    reqs.push(req("cors", "cors", cors));
    let mut input = sent::rule_input(creds);
    if creds.any() {
        reqs.push(req(
            ids::ANONYMOUS,
            "http",
            request_args(u, &m, plain, None),
        ));
        if url.path() != "/" {
            let mut root = url.clone();
            root.set_path("/");
            root.set_query(None);
            reqs.push(req(
                ids::ELSEWHERE,
                "http",
                request_args(root.as_str(), "GET", plain, Some(creds)),
            ));
            reqs.push(req(
                ids::ELSEWHERE_ANONYMOUS,
                "http",
                request_args(root.as_str(), "GET", plain, None),
            ));
        }
    }
    if let Some((fixed, kind)) = creds
        .authorization
        .as_ref()
        .and_then(|a| rules::normalise_authorization(a.expose()))
    {
        let mut c = creds.clone();
        c.authorization = Some(fixed.into());
        reqs.push(req(
            ids::NORMALISED,
            "http",
            request_args(u, &m, plain, Some(&c)),
        ));
        input.normalisation = Some(kind);
    }
    if let Some(b) = &request.backend {
        reqs.push(req(
            ids::BACKEND,
            "http",
            request_args(b, &m, plain, Some(creds)),
        ));
    }
    reqs.extend(server::requests(request));
    if let Some(cc) = &request.fresh_token {
        reqs.push(req(
            "fresh_token",
            "fresh_token",
            fresh_token_args(request, cc),
        ));
    }
    (reqs, input)
}

/// The `fresh_token` probe's arguments: the request and the client credentials.
fn fresh_token_args(
    request: &CheckRequest,
    cc: &crate::net::oauth::ClientCredentials,
) -> ProbeArgs {
    let mut a = request_args(
        request.url.as_str(),
        &request.method.to_ascii_uppercase(),
        &request.headers,
        None,
    );
    let mut put = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            a.insert(k.to_owned(), v.to_owned());
        }
    };
    put("body", request.body.as_ref().map(|b| b.0.as_str()));
    put("client_id", Some(&cc.client_id));
    put("client_secret", Some(cc.client_secret.expose()));
    put("scope", cc.scope.as_deref());
    put("audience", cc.audience.as_deref());
    put(
        "token_endpoint",
        cc.token_endpoint.as_ref().map(url::Url::as_str),
    );
    put("issuer", cc.issuer.as_ref().map(url::Url::as_str));
    if cc.auth == crate::net::oauth::ClientAuth::Post {
        put("client_auth", Some("post"));
    }
    a
}

/// Runs the battery concurrently and ranks what it found.
pub async fn run(request: &CheckRequest) -> anyhow::Result<CheckResult> {
    let ctx = ProbeContext::with_network(request.timeout, &request.net)?;
    run_in(request, ctx).await
}

/// The battery with a context already made (the wizard's, with its cancellation).
async fn run_in(request: &CheckRequest, mut ctx: ProbeContext) -> anyhow::Result<CheckResult> {
    ctx.password_sends = std::sync::Arc::new(probe::http::PasswordSends::limited(
        request.max_password_sends.max(1),
    ));
    // A flow step gives its probes one set of shared exchanges, so the battery and the
    // step's own probes send a request they both ask for once.
    if ctx.shared.is_none() {
        ctx.shared = Some(std::sync::Arc::default());
    }
    let (mut reqs, input) = plan(request);
    if shows_network(&ctx, &request.url) {
        let mut a = ProbeArgs::new();
        a.insert("url".into(), request.url.to_string());
        reqs.push(req("network", "network", a));
    }
    let started = Instant::now();
    let (mut reports, withheld) = run_within_limit(reqs, request, &ctx).await;
    let tokens = token_requests(request, &reports);
    let places: Vec<(String, String)> = tokens
        .iter()
        .map(|(r, place)| (r.id.clone(), place.clone()))
        .collect();
    let token_reports = probe::run_all(tokens.into_iter().map(|(r, _)| r).collect(), &ctx).await;
    reports.extend(token_reports);
    let elapsed = started.elapsed();
    let refused = matches!(main_status(&reports), Some(401 | 403));
    if let Some(e) = server::unreadable(&reports) {
        if !request.server.found_here {
            anyhow::bail!("{e}");
        }
        reports.retain(|r| !ids::is_server_file(&r.id));
    }
    let mut hits: Vec<CauseHit> = Vec::new();
    for r in &reports {
        match places.iter().find(|(id, _)| *id == r.id) {
            Some((_, place)) => hits.extend(token_hits(r, place, refused)),
            // What the files say is why this request failed only when it did.
            None if ids::is_server_file(&r.id) && !refused => {
                hits.extend(r.causes.iter().cloned().map(CauseHit::into_remark));
            }
            None => hits.extend(r.causes.iter().cloned()),
        }
    }
    hits.extend(rules::diagnose(&reports, &input));
    if let Some(a) = &request.credentials.authorization {
        hits.extend(sent::authorization_lints(a.expose()));
    }
    let ranking = Ranking::of_request(only_main_unreachable(hits, &reports));
    Ok(CheckResult {
        url: request.url.to_string(),
        method: request.method.to_ascii_uppercase(),
        causes: ranking.causes,
        remarks: ranking.remarks,
        reports,
        elapsed,
        sent: request.credentials.describe(),
        credential: input.credential,
        password_sends: request
            .credentials
            .carries_password()
            .then(|| PasswordSendsUsed {
                count: ctx.password_sends.used(),
                limit: ctx.password_sends.limit(),
                stale_retries: ctx.password_sends.stale_retries(),
            }),
        withheld,
    })
}

/// Side requests that repeat the password (the site root, the backend, the normalised
/// header), in the order they are worth it.
const SIDE_WITH_PASSWORD: &[&str] = &[ids::NORMALISED, ids::BACKEND, ids::ELSEWHERE];

/// Runs the battery so the password goes out at most as often as allowed, and the requests
/// that matter most get it: the main request (shared by every probe that reads it) first,
/// then the side requests one at a time while the limit allows. The site root goes with the
/// password beside the main request's own answer once the main request has taken its send
/// and needs no other (a Basic or Digest challenge: a Digest retry after a stale nonce is
/// not counted); the other side requests wait for the main exchange. The cost: when the main request's Basic answer is a redirect on the same origin
/// (a directory without its trailing slash), the next hop finds the sends spent on the root
/// and is not followed, where it used to be followed and the root left out. Returns the
/// reports in plan order and a line for each request left out.
async fn run_within_limit(
    reqs: Vec<ProbeRequest>,
    request: &CheckRequest,
    ctx: &ProbeContext,
) -> (Vec<ProbeReport>, Vec<String>) {
    let order: Vec<String> = reqs.iter().map(|r| r.id.clone()).collect();
    let (mut later, first): (Vec<_>, Vec<_>) = reqs.into_iter().partition(|r| {
        request.credentials.carries_password() && SIDE_WITH_PASSWORD.contains(&r.id.as_str())
    });
    later.sort_by_key(|r| SIDE_WITH_PASSWORD.iter().position(|id| *id == r.id));
    let args_of = |id: &str| first.iter().find(|r| r.id == id).map(|r| r.args.clone());
    let (main, root_anonymous) = (args_of(ids::MAIN), args_of(ids::ELSEWHERE_ANONYMOUS));
    let (main_done, main_seen) = tokio::sync::watch::channel(false);
    let any_later = !later.is_empty();
    let watch_main = async {
        if any_later && let Some(args) = &main {
            // The same shared exchange the main probes read: made once, whoever asks first.
            let _ = shared_exchange(ctx, args).await;
        }
        main_done.send_replace(true);
    };
    let side = async {
        let mut reports = Vec::new();
        let mut withheld = Vec::new();
        for r in later {
            let line = |why: &str| {
                let url = r.args.get("url").map_or("", String::as_str);
                let method = r.args.get("method").map_or("GET", String::as_str);
                format!("{method} {url} ({}): {why}", r.id)
            };
            if r.id == ids::ELSEWHERE
                && let Some(args) = &root_anonymous
                && let Some(why) = root_says_no(ctx, args).await
            {
                withheld.push(line(&why));
                continue;
            }
            if r.id == ids::ELSEWHERE {
                main_has_its_send(ctx, &request.credentials, &r, main_seen.clone()).await;
            } else {
                let _ = main_seen.clone().wait_for(|done| *done).await;
            }
            if ctx.password_sends.remaining() == 0 {
                withheld.push(line(&probe::http::limit_message(ctx)));
                continue;
            }
            reports.push(probe::run_one(r, ctx.clone()).await);
        }
        (reports, withheld)
    };
    let (mut reports, (), (side_reports, withheld)) =
        tokio::join!(probe::run_all(first, ctx), watch_main, side);
    reports.extend(side_reports);
    reports.sort_by_key(|r| order.iter().position(|id| *id == r.id));
    (reports, withheld)
}

/// Why the site root is not tried with the password, from its answer without credentials:
/// only a root that refuses anonymous requests, with a challenge a password answers (or
/// none, as curl -u sends Basic anyway), says anything with it.
async fn root_says_no(ctx: &ProbeContext, args: &ProbeArgs) -> Option<String> {
    let ex = shared_exchange(ctx, args).await?;
    if ex.status != 401 {
        return Some(format!(
            "the site root answers {} without credentials, so the password was not tried there",
            ex.status
        ));
    }
    let lines = probe::http::header_lines(&ex.headers, "www-authenticate");
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let asked = probe::challenge::parse(&refs);
    let answerable = asked.challenges.is_empty()
        || asked
            .challenges
            .iter()
            .any(|c| c.is("basic") || c.is("digest"));
    (!answerable).then(|| {
        format!(
            "the site root asks for {} without credentials, which a password does not answer, so it was not tried there",
            asked.schemes().join(", ")
        )
    })
}

/// Waits until the site root may go with the password beside the main request: once the
/// main request has taken its send and needs no other, as the origin asked for Basic or
/// Digest (a Digest retry after a stale nonce is not counted again) or the credentials are a
/// Basic value; otherwise (a redirect before any challenge, which the next hop may need the
/// second send for) once the main exchange is made.
async fn main_has_its_send(
    ctx: &ProbeContext,
    creds: &Credentials,
    root: &ProbeRequest,
    mut main_done: tokio::sync::watch::Receiver<bool>,
) {
    let asked = || {
        !creds.scheme_unknown()
            || root
                .args
                .get("url")
                .and_then(|u| url::Url::parse(u).ok())
                .is_some_and(|u| ctx.password_sends.asked_for(&u).is_some())
    };
    tokio::select! {
        _ = main_done.wait_for(|done| *done) => return,
        () = ctx.password_sends.sent_at_least(1) => {}
    }
    if !asked() {
        let _ = main_done.wait_for(|done| *done).await;
    }
}

/// The battery's shared exchange for `args`, made now if no probe has asked for it yet.
async fn shared_exchange(ctx: &ProbeContext, args: &ProbeArgs) -> Option<probe::http::Exchange> {
    let target = probe::http::Target::from_args(args).ok()?;
    // Boxed: the exchange's future is large, and the battery awaits several side by side.
    Box::pin(probe::http::fetch(ctx, &target)).await.ok()
}

fn main_status(reports: &[ProbeReport]) -> Option<i64> {
    match reports
        .iter()
        .find(|r| r.id == ids::MAIN)?
        .facts
        .get("status")
    {
        Some(probe::FactValue::Int(s)) => Some(*s),
        _ => None,
    }
}

/// One token probe per token the request carries, judged by the server's clock (its `Date`)
/// and against the audience, issuer and key set given; with where each token went.
fn token_requests(request: &CheckRequest, reports: &[ProbeReport]) -> Vec<(ProbeRequest, String)> {
    let date = reports
        .iter()
        .find(|r| r.id == ids::MAIN)
        .and_then(|r| r.facts.get("header.date"))
        .map(ToString::to_string);
    let sent = sent::tokens(&request.credentials, &request.url);
    let several = sent.len() > 1;
    sent.into_iter()
        .enumerate()
        .map(|(n, t)| {
            let mut args = ProbeArgs::new();
            args.insert("token".into(), t.token);
            for (name, value) in [
                ("server_date", date.clone()),
                ("aud", request.aud.clone()),
                ("iss", request.iss.clone()),
                ("jwks", request.jwks.clone()),
            ] {
                if let Some(v) = value {
                    args.insert(name.into(), v);
                }
            }
            // One token in the Authorization header needs no saying where it was.
            let place = if several || n > 0 || !t.place.starts_with("the Authorization") {
                t.place
            } else {
                String::new()
            };
            (req(&ids::token(n), "jwt", args), place)
        })
        .collect()
}

/// A token report's hits: remarks unless the API refused the request (what the token says
/// matters only then), each evidence line saying which token when it is not plain.
fn token_hits(report: &ProbeReport, place: &str, refused: bool) -> Vec<CauseHit> {
    report
        .causes
        .iter()
        .map(|h| {
            let mut h = if refused {
                h.clone()
            } else {
                h.clone().into_remark()
            };
            if !place.is_empty() {
                for e in &mut h.evidence {
                    *e = format!("token in {place}: {e}");
                }
            }
            h
        })
        .collect()
}

/// Side requests (the site root, the backend) that fail must not claim the whole site is
/// down when the main request got an answer.
fn only_main_unreachable(hits: Vec<CauseHit>, reports: &[ProbeReport]) -> Vec<CauseHit> {
    let main_answered = reports
        .iter()
        .find(|r| r.id == ids::MAIN)
        .and_then(|r| r.facts.get("responded"))
        .is_some_and(|v| *v == probe::FactValue::Bool(true));
    hits.into_iter()
        .filter(|h| !(main_answered && h.id == "server-unreachable"))
        .collect()
}

/// True when the way requests to `url` take is not the plain default, so the battery
/// reports it: a trust store matters to https only.
fn shows_network(ctx: &ProbeContext, url: &url::Url) -> bool {
    let n = &ctx.net;
    n.insecure
        || n.proxies.any()
        || !n.routes.is_empty()
        || n.http_version != crate::net::HttpVersion::Any
        || (url.scheme() == "https" && !n.trust.starts_with("built-in"))
}
