//! The `network` probe: the way a request takes — trusted certificates, `--insecure`, the
//! proxy chosen and why, `--resolve`/`--connect-to` — and, when a proxy applies, what the
//! proxy itself answers (`CONNECT` or an absolute-form `HEAD`), so its 407 and the challenge
//! in `Proxy-Authenticate` are read even where the HTTP client only says "proxy
//! authorization required". Also the network facts every request's report carries.

use futures::FutureExt;

use super::http::{Exchange, Target};
use super::{FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, Verdict, fact};
use crate::diagnose::CauseHit;

pub(crate) const KIND: ProbeKind = ProbeKind {
    name: "network",
    doc: "The request's way: trust store, --insecure, proxy (and its own answer, 407 and challenge), fixed addresses.",
    args: &[super::ArgSpec::new(
        "url",
        true,
        false,
        "address the request is for",
    )],
    facts: &[
        fact(
            "trust",
            FactType::Str,
            "where trusted certificates come from",
        ),
        fact(
            "insecure",
            FactType::Bool,
            "certificate checks are off (--insecure)",
        ),
        fact(
            "proxy",
            FactType::Str,
            "the proxy used, without credentials",
        ),
        fact(
            "proxy.source",
            FactType::Str,
            "what chose it: --proxy, HTTPS_PROXY, NO_PROXY entry",
        ),
        fact(
            "proxy.status",
            FactType::Int,
            "status the proxy itself answered",
        ),
        fact(
            "proxy.schemes",
            FactType::StrList,
            "schemes of the proxy's challenge, lower-case",
        ),
        fact(
            "proxy.challenge.raw",
            FactType::StrList,
            "Proxy-Authenticate values",
        ),
        fact(
            "route",
            FactType::Str,
            "addresses --resolve/--connect-to send the request to",
        ),
    ],
    run,
};

fn run(id: String, args: ProbeArgs, ctx: ProbeContext) -> super::ProbeFuture {
    async move {
        let mut report = ProbeReport::new(&id, "network");
        let url = match args.get("url").map(|u| super::http::parse_url(u)) {
            Some(Ok(u)) => u,
            Some(Err(e)) => return ProbeReport::failed(&id, "network", e.message),
            None => return ProbeReport::failed(&id, "network", "no url given"),
        };
        let net = &ctx.net;
        report.fact("trust", net.trust.as_str());
        report.fact("insecure", net.insecure);
        let choice = net.proxies.choose(&url);
        report.fact("proxy.source", choice.source.as_str());
        if let Some(d) = net.destination(&url) {
            let addrs: Vec<String> = d.addrs.iter().map(ToString::to_string).collect();
            report.fact("route", addrs.join(", "));
        }
        report.evidence = net.describe(&url);
        report.verdict = if net.insecure {
            Verdict::Warn
        } else {
            Verdict::Info
        };
        report.summary = if net.insecure {
            format!(
                "TLS certificate checks OFF (--insecure); {}",
                choice.describe()
            )
        } else {
            choice.describe()
        };
        if let (Some(shown), Some(proxy)) = (&choice.proxy, net.proxies.proxy_for(&url)) {
            report.fact("proxy", shown.as_str());
            ask_proxy(&mut report, &ctx, &proxy, &url).await;
        }
        report
    }
    .boxed()
}

/// What the proxy answers for the way to `url`, with the proxy credentials when given.
async fn ask_proxy(report: &mut ProbeReport, ctx: &ProbeContext, proxy: &url::Url, url: &url::Url) {
    let from_url = (!proxy.username().is_empty()).then(|| {
        use base64::Engine as _;
        let user = super::http::percent_decode(proxy.username());
        let pw = proxy
            .password()
            .map(super::http::percent_decode)
            .unwrap_or_default();
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pw}"))
        )
    });
    let basic = ctx.net.proxy_authorization.clone().or(from_url);
    let shown = crate::net::proxy::shown(proxy);
    let ask = |auth: Option<String>| async move {
        crate::net::proxy::ask_proxy(proxy, url, auth.as_deref(), &ctx.user_agent, ctx.timeout)
            .await
    };
    // Asked without credentials first: Basic goes only to a proxy that asks for it, never to
    // one that wants Digest (which would see, and log, the password in the clear).
    let mut auth = None;
    let mut answer = ask(None).await;
    let asks_basic = |a: &crate::net::proxy::ProxyAnswer| {
        let refs: Vec<&str> = a.challenges.iter().map(String::as_str).collect();
        super::challenge::parse(&refs)
            .challenges
            .iter()
            .any(|c| c.is("basic"))
    };
    // A proxy that asks for Digest is answered with --proxy-user: CONNECT names host:port,
    // a plain-http question the absolute URL.
    let (method, uri) = if url.scheme() == "https" {
        let port = url.port_or_known_default().unwrap_or(443);
        (
            "CONNECT",
            format!("{}:{port}", url.host_str().unwrap_or("")),
        )
    } else {
        ("HEAD", url.to_string())
    };
    if let Ok(a) = &answer
        && a.status == 407
    {
        let digest = ctx
            .net
            .proxy_digest
            .as_ref()
            .and_then(|pd| pd.answer(&a.challenges, method, &uri));
        auth = digest.or_else(|| basic.clone().filter(|_| asks_basic(a)));
        if auth.is_some() {
            answer = ask(auth.clone()).await;
        }
    }
    match answer {
        Err(e) => {
            report.verdict = Verdict::Fail;
            report.summary = format!("proxy {shown}: {e}");
            report.evidence.push(report.summary.clone());
            report.causes.push(CauseHit::new(
                "server-unreachable",
                0.7,
                report.summary.clone(),
            ));
        }
        Ok(a) => {
            report.fact("proxy.status", i64::from(a.status));
            report.fact("proxy.challenge.raw", a.challenges.clone());
            let refs: Vec<&str> = a.challenges.iter().map(String::as_str).collect();
            let parsed = super::challenge::parse(&refs);
            report.fact("proxy.schemes", parsed.schemes());
            let how = if url.scheme() == "https" {
                "CONNECT"
            } else {
                "HEAD"
            };
            report
                .evidence
                .push(format!("{how} via proxy {shown} → {}", a.status_line));
            for c in &a.challenges {
                report.evidence.push(format!("Proxy-Authenticate: {c}"));
            }
            if a.status == 407 {
                let schemes = parsed.schemes().join(", ");
                let sent = if auth.is_some() {
                    "the proxy credentials given were refused"
                } else if basic.is_some() {
                    "the proxy credentials given were not sent: they answer Basic and Digest only"
                } else {
                    "no proxy credentials were given (--proxy-user)"
                };
                let line = format!(
                    "proxy {shown} answered 407 and asks for {}: {sent}; this is the proxy, not the site",
                    if schemes.is_empty() {
                        "nothing readable"
                    } else {
                        schemes.as_str()
                    }
                );
                report.verdict = Verdict::Fail;
                report.summary.clone_from(&line);
                report
                    .causes
                    .push(CauseHit::new("proxy-auth-required", 0.95, line));
            } else {
                report.summary = format!("{} — the proxy answered {}", report.summary, a.status);
            }
        }
    }
}

/// Network facts of a request that got an answer: the address it came from, the certificate
/// problems `--insecure` let through, how a Digest challenge was answered.
pub(crate) fn describe_exchange(
    report: &mut ProbeReport,
    ctx: &ProbeContext,
    target: &Target,
    ex: &Exchange,
) {
    if let Some(addr) = ex.hops.last().and_then(|h| h.remote) {
        report.fact("remote_addr", addr.to_string());
    }
    if let Some(d) = ctx.net.destination(&target.url) {
        report
            .evidence
            .push(format!("sent to {} ({})", join_addrs(&d.addrs), d.because));
    }
    if ctx.net.insecure {
        report.fact("tls.insecure", true);
        let found: Vec<String> = ctx
            .net
            .overridden
            .all()
            .into_iter()
            .filter(|f| Some(f.host.as_str()) == target.url.host_str())
            .map(|f| f.to_string())
            .collect();
        if !found.is_empty() {
            report.fact("tls.overridden", found.clone());
            for f in found {
                report.evidence.push(format!("--insecure let through: {f}"));
            }
        }
    }
    if let (Some(trace), Some(user)) = (&ex.digest, &target.creds.user) {
        super::http::digest::describe(report, trace, user, report.kind == "http");
    }
}

/// Network facts of a request that got no answer: the trust store a certificate was checked
/// against, the proxy, the address tried.
pub(crate) fn describe_failure(report: &mut ProbeReport, ctx: &ProbeContext, target: &Target) {
    let url = &target.url;
    if url.scheme() == "https" && report.facts.contains_key("error.tls") {
        report
            .evidence
            .push(format!("TLS trust: {}", ctx.net.trust));
    }
    if ctx.net.proxies.any() {
        report
            .evidence
            .push(format!("proxy: {}", ctx.net.proxies.choose(url).describe()));
    }
    if let Some(d) = ctx.net.destination(url) {
        report.fact("remote_addr", join_addrs(&d.addrs));
        report
            .evidence
            .push(format!("tried {} ({})", join_addrs(&d.addrs), d.because));
    }
}

fn join_addrs(addrs: &[std::net::SocketAddr]) -> String {
    addrs
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
