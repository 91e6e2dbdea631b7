//! How requests leave the machine, with the options curl has: which certificates are
//! trusted and whether to check them ([`tls`]), which address a host name goes to
//! ([`route`]), which proxy carries the request ([`proxy`]), HTTP/1.1 or HTTP/2; and the
//! credentials that take more than a header: Digest answers ([`digest`]) and a fresh OAuth
//! token ([`oauth`]). The WWW-Authenticate / Proxy-Authenticate parser ([`challenge`],
//! RFC 9110 §11) reads what comes back, with no I/O.
//!
//! [`NetOptions`] is what the person asked for; [`Network::build`] turns it into a
//! `reqwest::Client` plus what every report must say about it (the trust store, `--insecure`
//! and the certificate problems it let through, the proxy chosen, the address used).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub mod challenge;
pub mod classify;
pub mod digest;
pub mod oauth;
pub mod proxy;
pub mod route;
pub mod tls;

/// Which HTTP version to speak.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HttpVersion {
    /// HTTP/2 when the server offers it in TLS, else HTTP/1.1.
    #[default]
    Any,
    /// HTTP/1.1 only (`--http1.1`).
    Http1,
    /// HTTP/2 only (`--http2`): ALPN h2 for https, prior knowledge for http.
    Http2,
}

/// The network options of a check. A plain struct: fill what was given. Its `Debug` shows
/// no password (a `-x` URL with one is refused).
#[derive(Debug, Clone, Default)]
pub struct NetOptions {
    /// `--cacert FILE`: trust exactly these certificates.
    pub cacert: Option<PathBuf>,
    /// `-k/--insecure`: go on when the certificate fails, and say so.
    pub insecure: bool,
    pub routes: route::Routes,
    /// `-x/--proxy URL`.
    pub proxy: Option<url::Url>,
    /// `--proxy-user` name and its password.
    pub proxy_user: Option<(String, crate::secret::Secret)>,
    pub http_version: HttpVersion,
}

impl NetOptions {
    /// What differs from a plain request, one line each in curl's terms, for tickets and
    /// screens: never a password.
    pub fn summary(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(c) = &self.cacert {
            out.push(format!(
                "trusts the CA certificates in {} (--cacert)",
                c.display()
            ));
        }
        if self.insecure {
            out.push(
                "TLS certificate checks OFF (--insecure): answers may not come from the site"
                    .to_owned(),
            );
        }
        let addr = |a: &std::net::IpAddr| match a {
            std::net::IpAddr::V6(v6) => format!("[{v6}]"),
            std::net::IpAddr::V4(v4) => v4.to_string(),
        };
        for r in &self.routes.resolve {
            let addrs: Vec<String> = r.addrs.iter().map(addr).collect();
            out.push(format!(
                "--resolve {}:{}:{}",
                r.host,
                r.port,
                addrs.join(",")
            ));
        }
        let field = |v: &Option<String>| v.clone().unwrap_or_default();
        let port = |v: &Option<u16>| v.map(|p| p.to_string()).unwrap_or_default();
        for c in &self.routes.connect_to {
            out.push(format!(
                "--connect-to {}:{}:{}:{}",
                field(&c.host),
                port(&c.port),
                field(&c.to_host),
                port(&c.to_port)
            ));
        }
        if let Some(p) = &self.proxy {
            out.push(format!("proxy {p} (--proxy)"));
        }
        if let Some((user, _)) = &self.proxy_user {
            out.push(format!("proxy user {user} (--proxy-user)"));
        }
        match self.http_version {
            HttpVersion::Any => {}
            HttpVersion::Http1 => out.push("HTTP/1.1 only (--http1.1)".to_owned()),
            HttpVersion::Http2 => out.push("HTTP/2 only (--http2)".to_owned()),
        }
        out
    }
}

/// A request body (`-d`): it may carry a password or a token, so `Debug` shows its size only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RequestBody(pub String);

impl std::fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RequestBody({} bytes, redacted)", self.0.len())
    }
}

/// The network a check uses, and what its reports must say about it. Its `Debug` shows no
/// secret.
#[derive(Clone)]
pub struct Network {
    /// Where trusted certificates come from.
    pub trust: String,
    pub insecure: bool,
    /// Certificate problems `--insecure` let through.
    pub overridden: tls::Overridden,
    pub proxies: proxy::ProxySettings,
    /// `Proxy-Authorization` value for the proxy (a secret), when `--proxy-user` is given.
    pub proxy_authorization: Option<String>,
    /// The `--proxy-user` answers to a proxy that asks for Digest (plain-http requests and
    /// the network probe's own question; https tunnels go through [`proxy::relay`]).
    pub proxy_digest: Option<Arc<proxy::digest::ProxyDigest>>,
    /// The relay that opens https tunnels through a proxy with `--proxy-user` (Digest or
    /// Basic, as the proxy asks); stopped when the last copy of this network goes.
    relay: Option<Arc<proxy::relay::Relay>>,
    /// http proxies that asked for Basic alone in this run: plain-http requests through them
    /// carry `--proxy-user`'s Basic value at once from then on. (With the relay running, a
    /// plain-http request asks without it first, so a proxy that wants Digest never sees it.)
    proxy_basic: Arc<std::sync::Mutex<Vec<String>>>,
    /// http proxies that asked for Digest in this run: side requests send them no Basic.
    proxy_wants_digest: Arc<std::sync::Mutex<Vec<String>>>,
    pub routes: route::Routes,
    pub http_version: HttpVersion,
    /// A client per port that a `--resolve` or `--connect-to` entry names. reqwest asks its
    /// resolver for a name alone, so each of these answers for its own port only, as curl's
    /// entries mean (`--resolve a.test:443:ADDR` leaves `a.test:80` to the system).
    routed: Vec<(u16, reqwest::Client)>,
    /// Every secret this network holds, for redaction.
    secrets: Vec<String>,
}

impl std::fmt::Debug for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Network")
            .field("trust", &self.trust)
            .field("insecure", &self.insecure)
            .field(
                "proxies",
                &self
                    .proxies
                    .all_urls()
                    .into_iter()
                    .map(proxy::shown)
                    .collect::<Vec<_>>(),
            )
            .field("routes", &self.routes)
            .field("http_version", &self.http_version)
            .finish_non_exhaustive()
    }
}

impl Default for Network {
    fn default() -> Self {
        Self {
            trust: "built-in Mozilla roots".to_owned(),
            insecure: false,
            overridden: tls::Overridden::default(),
            proxies: proxy::ProxySettings::default(),
            proxy_authorization: None,
            proxy_digest: None,
            relay: None,
            proxy_basic: Arc::default(),
            proxy_wants_digest: Arc::default(),
            routes: route::Routes::default(),
            http_version: HttpVersion::Any,
            routed: Vec::new(),
            secrets: Vec::new(),
        }
    }
}

/// Reads the process environment.
pub(crate) fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// A client and the network it follows: every request of a run goes out through one, so a
/// side request (a JWKS, a discovery document, a token endpoint, a user file on the live
/// site) honours `--cacert`, `-k`, `--resolve`, `--connect-to` and the proxy like the main one.
#[derive(Clone, Debug)]
pub struct Connection {
    pub client: reqwest::Client,
    pub net: Arc<Network>,
}

impl Connection {
    /// The connection `opts` describe (see [`Network::build`]); `decompress` false leaves
    /// gzip and deflate answers as sent, for a reader that inflates them with a bound.
    pub fn build(
        opts: &NetOptions,
        timeout: Duration,
        user_agent: &str,
        decompress: bool,
    ) -> Result<Self, String> {
        let (client, net) =
            Network::build_with(opts, &process_env, timeout, user_agent, decompress)?;
        Ok(Self {
            client,
            net: Arc::new(net),
        })
    }

    /// A request for `url`, as [`Network::request`] makes it; through an http proxy with
    /// `--proxy-user`, with its Basic value unless the proxy asked for Digest in this run.
    pub fn request(&self, method: reqwest::Method, url: &url::Url) -> reqwest::RequestBuilder {
        let b = self.net.request(&self.client, method, url);
        let (dialled, _) = self.net.dial(url);
        if self.net.proxy_basic_for(&dialled).is_some() {
            // Already on it (the proxy asked for Basic earlier in the run).
            return b;
        }
        match self.net.side_proxy_basic(&dialled) {
            Some(v) => b.header(reqwest::header::PROXY_AUTHORIZATION, v),
            None => b,
        }
    }
}

impl Network {
    /// The network `opts` describe, with the client that uses it. `env` reads the
    /// environment (`SSL_CERT_FILE`, `SSL_CERT_DIR`, the proxy variables).
    pub fn build(
        opts: &NetOptions,
        env: &dyn Fn(&str) -> Option<String>,
        timeout: Duration,
        user_agent: &str,
    ) -> Result<(reqwest::Client, Self), String> {
        Self::build_with(opts, env, timeout, user_agent, true)
    }

    /// [`Network::build`], with automatic gzip/deflate decoding on or off.
    fn build_with(
        opts: &NetOptions,
        env: &dyn Fn(&str) -> Option<String>,
        timeout: Duration,
        user_agent: &str,
        decompress: bool,
    ) -> Result<(reqwest::Client, Self), String> {
        let trust = tls::load_trust(opts.cacert.as_deref(), env)?;
        let overridden = tls::Overridden::default();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = tls::ExplainingVerifier::new(
            &trust,
            provider.clone(),
            opts.insecure,
            overridden.clone(),
        )?;
        let mut tls_config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup: {e}"))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        tls_config.alpn_protocols = match opts.http_version {
            HttpVersion::Any => vec![b"h2".to_vec(), b"http/1.1".to_vec()],
            HttpVersion::Http1 => vec![b"http/1.1".to_vec()],
            HttpVersion::Http2 => vec![b"h2".to_vec()],
        };
        let mut proxies = proxy::ProxySettings::from_env(opts.proxy.clone(), env);
        let mut secrets = Vec::new();
        let mut proxy_authorization = None;
        if let Some((user, password)) = &opts.proxy_user {
            use base64::Engine as _;
            let value = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD
                    .encode(format!("{user}:{}", password.expose()))
            );
            secrets.push(password.expose().to_owned());
            secrets.push(value.clone());
            proxy_authorization = Some(value);
        }
        for u in proxies.all_urls() {
            if let Some(p) = u.password() {
                secrets.push(p.to_owned());
            }
        }
        proxies.notes.retain(|n| !n.is_empty());
        let proxy_digest = opts
            .proxy_user
            .as_ref()
            .map(|(u, p)| Arc::new(proxy::digest::ProxyDigest::new(u, p.clone())));
        let relay = match (&proxy_digest, &proxy_authorization) {
            (Some(digest), Some(basic)) if proxies.any() => {
                proxy::relay::Relay::start(proxy::relay::RelaySetup {
                    proxies: proxies.clone(),
                    digest: Arc::clone(digest),
                    basic: basic.clone(),
                    user_agent: user_agent.to_owned(),
                    timeout,
                })
                .map(Arc::new)
            }
            _ => None,
        };
        // `port` picks the route entries the client's resolver answers by (see `routed`).
        let client_for_port = |port: u16| -> Result<reqwest::Client, String> {
            let mut b = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(timeout)
                .timeout(timeout)
                .user_agent(user_agent)
                // A new connection per request, as each curl command opens: after a reload,
                // nginx's old workers keep serving the connections they hold, so a pooled
                // connection would re-test the old configuration.
                .pool_max_idle_per_host(0)
                .use_preconfigured_tls(tls_config.clone())
                .no_proxy();
            if !decompress {
                b = b.no_gzip();
            }
            b = match opts.http_version {
                HttpVersion::Any => b,
                HttpVersion::Http1 => b.http1_only(),
                HttpVersion::Http2 => b.http2_prior_knowledge(),
            };
            if let Some(r) = &relay {
                // https through an http proxy goes by the relay, which answers the proxy.
                let (chooser, to) = (proxies.clone(), r.url());
                let p = reqwest::Proxy::custom(move |u| {
                    (u.scheme() == "https"
                        && chooser.proxy_for(u).is_some_and(|p| p.scheme() == "http"))
                    .then(|| to.clone())
                });
                let token = reqwest::header::HeaderValue::from_str(&r.token)
                    .map_err(|_| "proxy relay setup".to_owned())?;
                b = b.proxy(p.custom_http_auth(token));
            }
            if proxies.any() {
                let chooser = proxies.clone();
                let mut p = reqwest::Proxy::custom(move |u| chooser.proxy_for(u));
                // With the relay, --proxy-user's answer goes per request (see `proxy_basic`).
                if let Some(v) = proxy_authorization.as_ref().filter(|_| relay.is_none()) {
                    let value = reqwest::header::HeaderValue::from_str(v).map_err(|_| {
                        "--proxy-user: the name or password holds a character HTTP cannot carry"
                            .to_owned()
                    })?;
                    p = p.custom_http_auth(value);
                }
                b = b.proxy(p);
            }
            if !opts.routes.is_empty() {
                b = b.dns_resolver(Arc::new(RouteResolver {
                    routes: opts.routes.clone(),
                    port,
                }));
            }
            b.build().map_err(|e| format!("HTTP client setup: {e}"))
        };
        // Port 0 is named by no entry: the main client follows only the port-less ones.
        let client = client_for_port(0)?;
        let mut routed = Vec::new();
        for port in opts.routes.ports() {
            routed.push((port, client_for_port(port)?));
        }
        Ok((
            client,
            Self {
                trust: trust.described,
                insecure: opts.insecure,
                overridden,
                proxies,
                proxy_authorization,
                proxy_digest,
                relay,
                proxy_basic: Arc::default(),
                proxy_wants_digest: Arc::default(),
                routes: opts.routes.clone(),
                http_version: opts.http_version,
                routed,
                secrets,
            },
        ))
    }

    /// The client to send a request for `url` with (before [`Network::dial`] moves its
    /// port): the one whose resolver answers for the URL's port, else `main`.
    pub(crate) fn client_for<'a>(
        &'a self,
        url: &url::Url,
        main: &'a reqwest::Client,
    ) -> &'a reqwest::Client {
        let port = url.port_or_known_default();
        self.routed
            .iter()
            .find(|(p, _)| Some(*p) == port)
            .map_or(main, |(_, c)| c)
    }

    /// Where a request to `url` connects when `--resolve`/`--connect-to` say so.
    pub(crate) fn destination(&self, url: &url::Url) -> Option<route::Destination> {
        let host = url.host_str()?;
        let port = url.port_or_known_default()?;
        self.routes.destination(host, port, &route::system_lookup)
    }

    /// The URL to hand the client for `url`, and the Host header to send with it, when a
    /// `--connect-to` moves the port (the client otherwise dials the URL's own port).
    pub(crate) fn dial(&self, url: &url::Url) -> (url::Url, Option<String>) {
        let Some(d) = self.destination(url) else {
            return (url.clone(), None);
        };
        let Some(to_port) = d.addrs.first().map(SocketAddr::port) else {
            return (url.clone(), None);
        };
        if Some(to_port) == url.port_or_known_default() {
            return (url.clone(), None);
        }
        let mut dialled = url.clone();
        let _ = dialled.set_port(Some(to_port));
        let host = url.host_str().unwrap_or("");
        let authority = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_owned(),
        };
        (dialled, Some(authority))
    }

    /// A request for `url` with `main` or the client whose resolver answers for the URL's
    /// port, dialled where `--connect-to` moves it, with the URL's own Host header.
    pub fn request(
        &self,
        main: &reqwest::Client,
        method: reqwest::Method,
        url: &url::Url,
    ) -> reqwest::RequestBuilder {
        let client = self.client_for(url, main);
        let (dialled, host) = self.dial(url);
        let basic = self.proxy_basic_for(&dialled);
        let mut b = client.request(method, dialled);
        if let Some(v) = basic {
            b = b.header(reqwest::header::PROXY_AUTHORIZATION, v);
        }
        match host {
            Some(h) => b.header(reqwest::header::HOST, h),
            None => b,
        }
    }

    /// The http proxy a plain-http request for `url` goes through, as its key, when the
    /// answers to it are this network's to give (the relay runs: `--proxy-user` given).
    fn answered_proxy(&self, url: &url::Url) -> Option<String> {
        if self.relay.is_none() || url.scheme() != "http" {
            return None;
        }
        let p = self.proxies.proxy_for(url)?;
        (p.scheme() == "http").then(|| proxy::shown(&p).to_string())
    }

    /// `--proxy-user`'s Basic value for a plain-http request for `url`, when its proxy asked
    /// for Basic alone earlier in the run.
    fn proxy_basic_for(&self, url: &url::Url) -> Option<String> {
        let key = self.answered_proxy(url)?;
        let learned = lock(&self.proxy_basic).contains(&key);
        learned.then(|| self.proxy_authorization.clone()).flatten()
    }

    /// `--proxy-user`'s Basic value for a side request (a JWKS, a discovery document, a user
    /// file) to a plain-http `url`: such a request is sent once, with no 407 answered, so it
    /// carries Basic at once, as curl does, unless the proxy asked for Digest in this run.
    fn side_proxy_basic(&self, url: &url::Url) -> Option<String> {
        let key = self.answered_proxy(url)?;
        if lock(&self.proxy_wants_digest).contains(&key) {
            return None;
        }
        self.proxy_authorization.clone()
    }

    /// The proxy user's answer when `response` is a proxy's 407 to a plain-http request for
    /// `url` (the absolute URL its request line named): Digest when the proxy asks for it,
    /// else Basic when it asks for that and the request did not carry it already.
    pub(crate) fn proxy_digest_answer(
        &self,
        method: &str,
        url: &url::Url,
        response: &reqwest::Response,
        carried_basic: bool,
    ) -> Option<String> {
        let pd = self.proxy_digest.as_ref()?;
        if response.status() != 407
            || url.scheme() != "http"
            || self.proxies.proxy_for(url).is_none()
        {
            return None;
        }
        let values: Vec<String> = response
            .headers()
            .get_all(reqwest::header::PROXY_AUTHENTICATE)
            .iter()
            .map(|v| challenge::field_value(v.as_bytes()))
            .collect();
        if let Some(digest) = pd.answer(&values, method, url.as_str()) {
            if let Some(key) = self.answered_proxy(url) {
                let mut digest_proxies = lock(&self.proxy_wants_digest);
                if !digest_proxies.contains(&key) {
                    digest_proxies.push(key);
                }
            }
            return Some(digest);
        }
        // Basic only to a proxy that asks for it, and once: the request asked without it.
        let key = self.answered_proxy(url)?;
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        let asks_basic = challenge::parse(&refs)
            .challenges
            .iter()
            .any(|c| c.is("basic"));
        if !asks_basic || carried_basic {
            return None;
        }
        let mut learned = lock(&self.proxy_basic);
        if !learned.contains(&key) {
            learned.push(key);
        }
        self.proxy_authorization.clone()
    }

    /// `e`, a request for `url` that got no answer, with the relay's own reason when the
    /// tunnel it was to open through the proxy failed (the client only says "tunnel error").
    pub(crate) fn explain(&self, url: &url::Url, e: classify::FetchError) -> classify::FetchError {
        let Some(relay) = &self.relay else {
            return e;
        };
        if url.scheme() != "https" || !e.message.contains("tunnel error") {
            return e;
        }
        let Some(why) = relay.failure(&proxy::authority_of(url)) else {
            return e;
        };
        let class = if e.class == "proxy-auth" || why.contains(" with 407 ") {
            "proxy-auth"
        } else if why.contains("refused") {
            "refused"
        } else {
            e.class
        };
        classify::FetchError {
            class,
            tls: None,
            message: why,
        }
    }

    /// Lines every report of a request to `url` carries: trust, `--insecure`, proxy, route.
    pub fn describe(&self, url: &url::Url) -> Vec<String> {
        let mut out = Vec::new();
        if url.scheme() == "https" || self.proxies.any() {
            out.push(format!("TLS trust: {}", self.trust));
        }
        if self.insecure {
            out.push(
                "TLS certificate checks are OFF (--insecure): the answer may come from anyone on the path"
                    .to_owned(),
            );
            for f in self.overridden.all() {
                out.push(format!("--insecure let through: {f}"));
            }
        }
        out.push(format!("proxy: {}", self.proxies.choose(url).describe()));
        if self.relay.is_some()
            && self
                .proxies
                .proxy_for(url)
                .is_some_and(|p| p.scheme() == "http")
        {
            let what = if url.scheme() == "https" {
                "the CONNECT tunnel"
            } else {
                "each request through the proxy"
            };
            out.push(format!(
                "{what} is asked without proxy credentials first, then answered from --proxy-user as the proxy asks (Digest, else Basic)"
            ));
        }
        out.extend(self.proxies.notes.iter().cloned());
        if let Some(d) = self.destination(url) {
            let addrs: Vec<String> = d.addrs.iter().map(ToString::to_string).collect();
            out.push(format!("connects to {} ({})", addrs.join(", "), d.because));
        }
        match self.http_version {
            HttpVersion::Any => {}
            HttpVersion::Http1 => out.push("HTTP/1.1 only (--http1.1)".to_owned()),
            HttpVersion::Http2 => out.push("HTTP/2 only (--http2)".to_owned()),
        }
        out
    }

    /// Every secret the network holds (proxy passwords), for the redactors.
    pub fn secrets(&self) -> &[String] {
        &self.secrets
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Name resolution that honours `--resolve` and `--connect-to` for one port, the system's
/// otherwise.
#[derive(Debug)]
struct RouteResolver {
    routes: route::Routes,
    /// The port the requests of this resolver's client go to; 0 for every port no entry
    /// names.
    port: u16,
}

impl RouteResolver {
    fn fixed(&self, host: &str) -> Option<Vec<SocketAddr>> {
        self.routes
            .destination(host, self.port, &route::system_lookup)
            .map(|d| d.addrs)
    }
}

impl reqwest::dns::Resolve for RouteResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        let fixed = self.fixed(&host);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = match fixed {
                Some(a) => a,
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            let it: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(it)
        })
    }
}
