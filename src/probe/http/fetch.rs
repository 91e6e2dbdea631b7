//! One exchange with redirects followed by hand: every hop is recorded, credentials go only
//! to the origin the person named, and the final body is read up to a bound.

use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap};

use super::ledger::AskedFor;
use super::target::{Target, same_origin};
use crate::net::classify::{FetchError, classify};
use crate::probe::ProbeContext;

/// Bytes of body kept at most; the rest is not read.
pub const BODY_LIMIT: usize = 64 * 1024;
/// Redirects followed at most before the chain counts as a loop.
pub const MAX_HOPS: usize = 10;

/// One request of the chain.
#[derive(Debug, Clone)]
pub struct Hop {
    pub method: String,
    pub url: url::Url,
    pub status: u16,
    pub location: Option<String>,
    pub credentials_sent: bool,
    /// The address the answer came from (the proxy's, when one carried the request).
    pub remote: Option<std::net::SocketAddr>,
}

/// How a redirect treated the credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drop {
    /// `other-origin`, `http-to-https`, `other-host`, `trailing-slash`, `same-origin`.
    pub kind: &'static str,
    pub from: String,
    pub to: String,
    /// True when why401 (like every careful client) did not send them on.
    pub withheld: bool,
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub hops: Vec<Hop>,
    pub status: u16,
    pub version: String,
    pub headers: HeaderMap,
    /// At most [`BODY_LIMIT`] bytes of the final body.
    pub body: Vec<u8>,
    pub body_truncated: bool,
    pub elapsed: Duration,
    pub drops: Vec<Drop>,
    pub redirect_loop: bool,
    /// The URL of the final answer.
    pub final_url: url::Url,
    /// How a Digest challenge was answered, when one was.
    pub digest: Option<super::digest::DigestTrace>,
    /// What why401 chose not to send, in words (userinfo in a Location, the password limit).
    pub notes: Vec<String>,
    /// Requests of this exchange that carried the person's password (Digest answers too).
    pub password_sends: usize,
    /// Tells this exchange from every other one: probes that read a shared exchange report
    /// the same number, so a ticket lists the request once.
    pub serial: u64,
}

/// A number no other exchange gets: a per-run base (the clock at the first exchange, so a
/// resumed walk's old exchanges keep theirs apart) plus a counter.
fn next_serial() -> u64 {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static BASE: OnceLock<u64> = OnceLock::new();
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let base = *BASE.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
            // Room for the counter, and the number stays an i64 fact.
            & 0x3fff_ffff_ffff_0000
    });
    base | (COUNT.fetch_add(1, Ordering::Relaxed) & 0xffff)
}

/// Requests `target`, following redirects when asked, within the context's timeout.
pub async fn fetch(ctx: &ProbeContext, target: &Target) -> Result<Exchange, FetchError> {
    let secs = ctx.timeout.as_secs_f64();
    match tokio::time::timeout(ctx.timeout, follow(ctx, target)).await {
        Ok(r) => r,
        Err(_) => Err(FetchError::timeout(secs)),
    }
}

async fn follow(ctx: &ProbeContext, target: &Target) -> Result<Exchange, FetchError> {
    let Some(shared) = &ctx.shared else {
        return follow_now(ctx, target).await;
    };
    // The first hop of a followed request is the same request not followed: probes that ask
    // for either share it, and only a redirect needs more. (Not with a password: following
    // afresh would spend a second send of it.)
    if target.follow_redirects && !target.creds.carries_password() {
        let mut first = target.clone();
        first.follow_redirects = false;
        let stay = shared.get_or_make(&first, follow_now(ctx, &first)).await;
        let redirected = stay.as_ref().is_ok_and(|ex| {
            (300..400).contains(&ex.status) && ex.hops.last().is_some_and(|h| h.location.is_some())
        });
        if !redirected {
            return stay;
        }
    }
    shared.get_or_make(target, follow_now(ctx, target)).await
}

/// What the chain has been so far.
#[derive(Default)]
struct Chain {
    hops: Vec<Hop>,
    drops: Vec<Drop>,
    redirect_loop: bool,
    digest: Option<super::digest::DigestTrace>,
    notes: Vec<String>,
    password_sends: usize,
}

async fn follow_now(ctx: &ProbeContext, target: &Target) -> Result<Exchange, FetchError> {
    let started = Instant::now();
    let mut url = target.url.clone();
    let mut method = target.method.clone();
    let mut chain = Chain::default();
    let spends = target.creds.carries_password();
    // A user and password with no scheme named: the challenge decides between Basic and
    // Digest, so a Digest login (and its stale-nonce retry) spends no send on a Basic guess.
    let ask_first = target.creds.scheme_unknown();
    let allowed = |ctx: &ProbeContext| {
        if ask_first {
            ctx.password_sends.remaining() > 0
        } else {
            ctx.password_sends.take()
        }
    };
    if spends && same_origin(&url, &target.url) && !allowed(ctx) {
        return Err(FetchError::usage(&limit_message(ctx)));
    }
    loop {
        let creds_ok = same_origin(&url, &target.url);
        let (response, password_sent) = if ask_first && creds_ok {
            ask_then_answer(ctx, target, &method, &url, &mut chain).await?
        } else {
            chain.password_sends += usize::from(creds_ok && spends);
            let response = send(ctx, target, &method, &url, creds_ok, Auth::Given).await?;
            (response, creds_ok && target.creds.any())
        };
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let mut next = location.as_deref().and_then(|l| url.join(l).ok());
        let mut shown = location;
        if let Some(n) = next
            .as_mut()
            .filter(|n| !n.username().is_empty() || n.password().is_some())
        {
            // A user name and password in a Location are the server's, not the person's:
            // never sent on (reqwest would turn them into a Basic header), never shown.
            let _ = n.set_username("");
            let _ = n.set_password(None);
            chain.notes.push(format!(
                "the redirect from {url} to {n} named a user name and password in its address: dropped, never sent"
            ));
            shown = Some(n.to_string());
        }
        chain.hops.push(Hop {
            method: method.to_string(),
            url: url.clone(),
            status,
            location: shown,
            credentials_sent: password_sent,
            remote: response.remote_addr(),
        });
        let next = next.filter(|_| target.follow_redirects && (300..400).contains(&status));
        let Some(next) = next else {
            return finish(response, chain, started, url).await;
        };
        if chain.hops.iter().any(|h| h.url == next) || chain.hops.len() > MAX_HOPS {
            chain.redirect_loop = true;
            return finish(response, chain, started, url).await;
        }
        if target.creds.any() {
            chain.drops.push(drop_kind(&url, &next, &target.url));
        }
        if spends && same_origin(&next, &target.url) && !allowed(ctx) {
            chain.notes.push(format!(
                "the redirect to {next} was not followed: {}",
                limit_message(ctx)
            ));
            return finish(response, chain, started, url).await;
        }
        // 303, and 301/302 after a POST, turn into GET as browsers do.
        if status == 303 || (matches!(status, 301 | 302) && method == reqwest::Method::POST) {
            method = reqwest::Method::GET;
        }
        url = next;
    }
}

/// One hop of a user and password whose scheme is not known: asked without the password
/// first (unless this origin asked for Basic earlier in the run); a 401 with a Digest
/// challenge is answered in Digest (a stale nonce retried once), any other answer is asked
/// again with Basic, as `curl -u` sends it. Returns the answer and whether it carried
/// credentials.
async fn ask_then_answer(
    ctx: &ProbeContext,
    target: &Target,
    method: &reqwest::Method,
    url: &url::Url,
    chain: &mut Chain,
) -> Result<(reqwest::Response, bool), FetchError> {
    let others = target.creds.any_besides_password();
    let known = ctx.password_sends.asked_for(url);
    if known == Some(AskedFor::Digest)
        && !others
        && let Some((user, ch)) = asked_already(ctx, target, method, url).await
    {
        // The same question went out in this run without credentials (the site root's own
        // anonymous request): its challenge is answered without asking again.
        let (response, t) =
            super::digest::answer_challenge(ctx, target, method, url, &user, ch, None).await?;
        if let Some(response) = response {
            chain.password_sends += t.counted();
            let sent = t.answers > 0;
            chain.digest = Some(t);
            return Ok((response, sent));
        }
    }
    let first = match known {
        Some(AskedFor::Basic) => None,
        _ => Some(send(ctx, target, method, url, true, Auth::WithoutPassword).await?),
    };
    let first = match first {
        Some(r) => {
            let (response, trace) = super::digest::answer(ctx, target, method, url, r).await?;
            if let Some(t) = trace {
                // A Digest challenge, answered or not: Basic never goes to a server that
                // asked for Digest.
                ctx.password_sends.asked(url, AskedFor::Digest);
                chain.password_sends += t.counted();
                let sent = t.answers > 0 || others;
                chain.digest = Some(t);
                return Ok((response, sent));
            }
            if asks_for_basic(&response) {
                ctx.password_sends.asked(url, AskedFor::Basic);
            }
            Some(response)
        }
        None => None,
    };
    let withheld = if known == Some(AskedFor::Digest) {
        Some("this site asked for Digest in this run, and Basic would show the password to anyone on the way".to_owned())
    } else if ctx.password_sends.take() {
        None
    } else {
        Some(limit_message(ctx))
    };
    if let Some(why) = withheld {
        chain.notes.push(format!(
            "{method} {url} was asked without the password, and not again with Basic: {why}"
        ));
        return match first {
            Some(r) => Ok((r, others)),
            None => Ok((
                send(ctx, target, method, url, true, Auth::WithoutPassword).await?,
                others,
            )),
        };
    }
    drop(first);
    chain.password_sends += 1;
    let response = send(ctx, target, method, url, true, Auth::Given).await?;
    Ok((response, true))
}

/// The user and the Digest challenge of this run's exchange for the same request without
/// credentials, when one was made and answered 401 with a Digest challenge this client can
/// answer.
async fn asked_already(
    ctx: &ProbeContext,
    target: &Target,
    method: &reqwest::Method,
    url: &url::Url,
) -> Option<(String, crate::net::digest::DigestChallenge)> {
    let shared = ctx.shared.as_ref()?;
    let user = target.creds.user.clone()?;
    let mut question = target.clone();
    question.creds = super::Credentials::default();
    question.follow_redirects = false;
    question.url = url.clone();
    question.method = method.clone();
    let ex = shared.made(&question)?.await.ok()?;
    if ex.status != 401 {
        return None;
    }
    let lines = super::header_lines(&ex.headers, "www-authenticate");
    let ch = crate::net::digest::best_of(&lines)?.ok()?;
    Some((user, ch))
}

/// True for a 401 whose challenges include Basic.
fn asks_for_basic(response: &reqwest::Response) -> bool {
    if response.status() != 401 {
        return false;
    }
    let lines = super::header_lines(response.headers(), "www-authenticate");
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    crate::probe::challenge::parse(&refs)
        .challenges
        .iter()
        .any(|c| c.is("basic"))
}

/// Why a request did not go out with the password.
pub fn limit_message(ctx: &ProbeContext) -> String {
    let n = ctx.password_sends.limit();
    format!(
        "the password already went out {n} time{} in this run (at most {n}; --max-password-sends raises it)",
        if n == 1 { "" } else { "s" }
    )
}

/// Which Authorization a request with credentials carries.
#[derive(Debug, Clone, Copy)]
pub(super) enum Auth<'a> {
    /// The credentials' own: their Authorization value, or Basic from the user and password.
    Given,
    /// Every credential but the password: the question that learns the scheme.
    WithoutPassword,
    /// This value instead of the credentials' own (a Digest answer).
    Answer(&'a str),
}

/// Sends one request; `auth` says which Authorization goes with the credentials. Through a
/// proxy that asks for Digest (a 407 to a plain-http request) it goes once more with the
/// proxy user's answer.
pub(super) async fn send(
    ctx: &ProbeContext,
    target: &Target,
    method: &reqwest::Method,
    url: &url::Url,
    with_creds: bool,
    auth: Auth<'_>,
) -> Result<reqwest::Response, FetchError> {
    let mut proxy_answer: Option<header::HeaderValue> = None;
    loop {
        let (client, mut request) = build(ctx, target, method, url, with_creds, auth)?;
        let answered = proxy_answer.is_some();
        if let Some(v) = proxy_answer.take() {
            request.headers_mut().insert(header::PROXY_AUTHORIZATION, v);
        }
        let dialled = request.url().clone();
        let carried = request.headers().contains_key(header::PROXY_AUTHORIZATION);
        // The URL may carry the API key: errors are worded without it.
        let response = client
            .execute(request)
            .await
            .map_err(|e| ctx.net.explain(&dialled, classify(&e.without_url())))?;
        if !answered {
            proxy_answer = ctx
                .net
                .proxy_digest_answer(method.as_str(), &dialled, &response, carried)
                .and_then(|v| header::HeaderValue::from_str(&v).ok());
            if proxy_answer.is_some() {
                continue;
            }
        }
        return Ok(response);
    }
}

/// The request [`send`] sends, with the client to send it with.
fn build(
    ctx: &ProbeContext,
    target: &Target,
    method: &reqwest::Method,
    url: &url::Url,
    with_creds: bool,
    auth: Auth<'_>,
) -> Result<(reqwest::Client, reqwest::Request), FetchError> {
    let c = &target.creds;
    let mut url = url.clone();
    if with_creds && let Some((name, key)) = &c.api_key_query {
        url.query_pairs_mut().append_pair(name, key.expose());
    }
    // --resolve, --connect-to (the client by the URL's port, the port it moves to, the Host
    // kept), --cacert, -k and the proxy: the run's network.
    let mut b = ctx.net.request(&ctx.client, method.clone(), &url);
    for (n, v) in &target.plain_headers {
        b = b.header(n, v);
    }
    if let Some(body) = &target.body {
        let typed = c
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            || target
                .plain_headers
                .iter()
                .any(|(n, _)| n == header::CONTENT_TYPE);
        if !typed {
            // What curl's -d sends.
            b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        b = b.body(body.clone());
    }
    if with_creds {
        match auth {
            Auth::Answer(a) => b = b.header(header::AUTHORIZATION, a),
            Auth::Given | Auth::WithoutPassword if c.authorization.is_some() => {
                if let Some(a) = &c.authorization {
                    b = b.header(header::AUTHORIZATION, a.expose());
                }
            }
            Auth::Given => {
                if let Some(u) = &c.user {
                    b = b.basic_auth(u, c.password.as_ref().map(crate::secret::Secret::expose));
                }
            }
            Auth::WithoutPassword => {}
        }
        if let Some(cookie) = &c.cookie {
            b = b.header(header::COOKIE, cookie.expose());
        }
        // A header line named Authorization never joins the person's user and password,
        // even on the request that asks without them.
        let has_authorization = c.authorization.is_some() || c.user.is_some();
        for (n, v) in &c.headers {
            // One Authorization per request: the credentials' own wins over a header line.
            if has_authorization && n.eq_ignore_ascii_case("authorization") {
                continue;
            }
            b = b.header(n.as_str(), v.expose());
        }
    }
    let (client, request) = b.build_split();
    let mut request = request.map_err(|e| {
        // The builder's message may quote the header value: keep only what is safe.
        let _ = e;
        FetchError::usage("a header value is not valid in HTTP (control character or newline)")
    })?;
    one_authorization(request.headers_mut());
    Ok((client, request))
}

/// Keeps the first Authorization value only: two in one request is a request no server
/// reads the same way (nginx answers 400, others take either).
fn one_authorization(headers: &mut HeaderMap) {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    if let (Some(first), Some(_)) = (values.next().cloned(), values.next()) {
        headers.insert(header::AUTHORIZATION, first);
    }
}

async fn finish(
    mut response: reqwest::Response,
    chain: Chain,
    started: Instant,
    // The URL as requested, without the API key the query may have carried.
    final_url: url::Url,
) -> Result<Exchange, FetchError> {
    let status = response.status().as_u16();
    let version = format!("{:?}", response.version());
    let headers = response.headers().clone();
    let mut body = Vec::new();
    let mut truncated = false;
    // A body cut short (an error mid-way) still leaves a usable status and headers.
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = BODY_LIMIT - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if chunk.len() >= room {
            truncated = true;
            break;
        }
    }
    Ok(Exchange {
        hops: chain.hops,
        status,
        version,
        headers,
        body,
        body_truncated: truncated,
        elapsed: started.elapsed(),
        drops: chain.drops,
        redirect_loop: chain.redirect_loop,
        final_url,
        digest: chain.digest,
        notes: chain.notes,
        password_sends: chain.password_sends,
        serial: next_serial(),
    })
}

/// How a redirect from `from` to `to` treats credentials meant for `origin`'s origin.
fn drop_kind(from: &url::Url, to: &url::Url, origin: &url::Url) -> Drop {
    let kind = if !same_origin(to, origin) {
        if from.scheme() == "http" && to.scheme() == "https" && from.host() == to.host() {
            "http-to-https"
        } else if from.host() == to.host() {
            "other-origin"
        } else {
            "other-host"
        }
    } else if from.path().trim_end_matches('/') == to.path().trim_end_matches('/')
        && from.path() != to.path()
    {
        "trailing-slash"
    } else {
        // Credentials go on, but some clients (.NET) drop Authorization on every redirect.
        "same-origin"
    };
    Drop {
        kind,
        from: from.to_string(),
        to: to.to_string(),
        withheld: !same_origin(to, origin),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn redirects_that_lose_credentials_are_named() {
        let o = u("http://a.test/x");
        let k = |from: &str, to: &str| Some(drop_kind(&u(from), &u(to), &o).kind);
        assert_eq!(
            k("http://a.test/x", "https://a.test/x"),
            Some("http-to-https")
        );
        assert_eq!(k("http://a.test/x", "http://b.test/x"), Some("other-host"));
        assert_eq!(
            k("http://a.test/x", "http://a.test:81/x"),
            Some("other-origin")
        );
        assert_eq!(
            k("http://a.test/x", "http://a.test/x/"),
            Some("trailing-slash")
        );
        assert_eq!(k("http://a.test/x", "http://a.test/y"), Some("same-origin"));
    }
}
