//! https through a proxy that asks for Digest, as curl does it: the HTTP client can put only
//! a fixed `Proxy-Authorization` on its own `CONNECT`, so with `--proxy-user` its https
//! requests go to this relay on 127.0.0.1 instead. For each `CONNECT` the relay opens the
//! real proxy, asks without credentials, answers a 407 from `--proxy-user` (Digest when the
//! proxy offers it, a `stale=true` nonce answered once more; Basic only when that is all it
//! asks for), then splices the bytes both ways; TLS stays between the client and the site.
//!
//! The relay answers only its own client: every `CONNECT` must carry the run's random token,
//! so no other program on the machine can borrow the proxy user. It stops when the run's
//! network is dropped; each setup is bounded by the run's timeout and the proxy's answer
//! head by [`super::MAX_HEAD`]. No secret appears in what it answers or records.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;

use super::digest::ProxyDigest;
use super::{ProxyAnswer, ProxySettings, connect_head, exchange_head, read_raw_head, shown};
use crate::net::digest as rfc7616;

/// What the relay needs to open tunnels for the run.
pub(crate) struct RelaySetup {
    pub proxies: ProxySettings,
    pub digest: Arc<ProxyDigest>,
    /// The `--proxy-user` Basic value, for a proxy that asks for Basic alone.
    pub basic: String,
    pub user_agent: String,
    pub timeout: Duration,
}

/// The relay of one run: where it listens and the token its client sends.
pub(crate) struct Relay {
    pub addr: SocketAddr,
    /// `Proxy-Authorization` value the client sends to the relay.
    pub token: String,
    task: tokio::task::AbortHandle,
    state: Arc<State>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct State {
    setup: RelaySetup,
    token: String,
    /// Proxies that asked for Basic alone: asked with it at once from then on.
    basic_only: Mutex<Vec<String>>,
    /// Why tunnels could not be opened, by `host:port`, in words without secrets.
    failures: Mutex<Vec<(String, String)>>,
}

impl Relay {
    /// Starts the relay on 127.0.0.1 on the current Tokio runtime; `None` outside one, or
    /// when no port can be had (the client then sends its fixed Basic value).
    pub(crate) fn start(setup: RelaySetup) -> Option<Self> {
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).ok()?;
        listener.set_nonblocking(true).ok()?;
        let addr = listener.local_addr().ok()?;
        let token = format!("Bearer {}", rfc7616::new_cnonce());
        let state = Arc::new(State {
            setup,
            token: token.clone(),
            basic_only: Mutex::default(),
            failures: Mutex::default(),
        });
        let serving = Arc::clone(&state);
        let task = runtime.spawn(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                return;
            };
            // Owned here: aborting the relay drops every tunnel with it.
            let mut tunnels = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        if let Ok((stream, _)) = accepted {
                            tunnels.spawn(serve(stream, Arc::clone(&serving)));
                        }
                    }
                    Some(_) = tunnels.join_next(), if !tunnels.is_empty() => {}
                }
            }
        });
        Some(Self {
            addr,
            token,
            task: task.abort_handle(),
            state,
        })
    }

    /// The relay as the client's proxy URL.
    pub(crate) fn url(&self) -> url::Url {
        url::Url::parse(&format!("http://{}", self.addr)).unwrap_or_else(|_| unreachable!())
    }

    /// Why the last tunnel to `authority` (`host:port`) could not be opened, if one failed.
    pub(crate) fn failure(&self, authority: &str) -> Option<String> {
        lock(&self.state.failures)
            .iter()
            .rev()
            .find(|(a, _)| a == authority)
            .map(|(_, why)| why.clone())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One client connection: its `CONNECT`, the tunnel through the real proxy, the splice.
async fn serve(mut client: TcpStream, state: Arc<State>) {
    let timeout = state.setup.timeout;
    let opened = tokio::time::timeout(timeout, open(&mut client, &state)).await;
    let (mut upstream, rest) = match opened {
        Ok(Ok(tunnel)) => tunnel,
        Ok(Err(refusal)) => {
            if let Some((authority, why)) = refusal.why {
                lock(&state.failures).push((authority, why));
            }
            let _ = client.write_all(refusal.reply.as_bytes()).await;
            return;
        }
        Err(_) => {
            let _ = client
                .write_all(reply(504, "Gateway Timeout", &[]).as_bytes())
                .await;
            return;
        }
    };
    let established = b"HTTP/1.1 200 Connection established\r\n\r\n";
    if client.write_all(established).await.is_err() || client.write_all(&rest).await.is_err() {
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

/// A tunnel not opened: what the client is answered, and why (for the run's error text).
struct Refusal {
    reply: String,
    why: Option<(String, String)>,
}

fn reply(status: u16, reason: &str, challenges: &[String]) -> String {
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
    for c in challenges {
        // Stranger text going back to our own client only; kept to one line.
        let c: String = c.chars().filter(|ch| !ch.is_control()).collect();
        head.push_str(&format!("Proxy-Authenticate: {c}\r\n"));
    }
    head.push_str("Content-Length: 0\r\nConnection: close\r\n\r\n");
    head
}

/// Reads the client's `CONNECT`, and opens the way through the real proxy.
async fn open(client: &mut TcpStream, state: &State) -> Result<(TcpStream, Vec<u8>), Refusal> {
    let refuse = |status: u16, reason: &str| Refusal {
        reply: reply(status, reason, &[]),
        why: None,
    };
    let (head, _) = read_raw_head(client)
        .await
        .map_err(|_| refuse(400, "Bad Request"))?;
    let head = String::from_utf8_lossy(&head);
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or("").split(' ');
    let (Some("CONNECT"), Some(authority)) = (request_line.next(), request_line.next()) else {
        return Err(refuse(405, "Method Not Allowed"));
    };
    let ours = lines.filter_map(|l| l.split_once(':')).any(|(n, v)| {
        n.trim().eq_ignore_ascii_case("proxy-authorization") && v.trim() == state.token
    });
    if !ours {
        return Err(refuse(403, "Forbidden"));
    }
    let authority = authority.to_owned();
    let target = url::Url::parse(&format!("https://{authority}/"))
        .map_err(|_| refuse(400, "Bad Request"))?;
    let Some(proxy) = state.setup.proxies.proxy_for(&target) else {
        return Err(refuse(502, "Bad Gateway"));
    };
    tunnel(state, &proxy, &authority)
        .await
        .map_err(|e| match e {
            Failed::Answer(a, sent) => Refusal {
                reply: reply(
                    a.status,
                    if a.status == 407 {
                        "Proxy Authentication Required"
                    } else {
                        "Tunnel Refused"
                    },
                    &a.challenges,
                ),
                why: Some((
                    authority.clone(),
                    format!(
                        "proxy {} answered CONNECT {authority} with {} {sent}",
                        shown(&proxy),
                        a.status
                    ),
                )),
            },
            Failed::Io(why) => Refusal {
                reply: reply(502, "Bad Gateway", &[]),
                why: Some((authority.clone(), why)),
            },
        })
}

enum Failed {
    /// The proxy's last answer, not 2xx, and what it answered (in words).
    Answer(ProxyAnswer, &'static str),
    /// No answer: the reason in words.
    Io(String),
}

/// `CONNECT authority` through `proxy`: asked without credentials (or with Basic at once for
/// a proxy that asked for Basic alone), a 407 answered from `--proxy-user`, Digest first, a
/// stale nonce once more. Each question goes on a new connection.
async fn tunnel(
    state: &State,
    proxy: &url::Url,
    authority: &str,
) -> Result<(TcpStream, Vec<u8>), Failed> {
    let key = shown(proxy).to_string();
    let setup = &state.setup;
    let mut auth = lock(&state.basic_only)
        .contains(&key)
        .then(|| setup.basic.clone());
    let mut digest_answers = 0;
    let sent = |auth: &Option<String>, digest_answers: u8| match (auth, digest_answers) {
        (None, _) => "to the question without credentials",
        (Some(_), 0) => "to the Basic credentials of --proxy-user",
        (Some(_), _) => "to the Digest answer of --proxy-user",
    };
    loop {
        let head = connect_head(authority, auth.as_deref(), &setup.user_agent, false);
        let (stream, answer, rest) = exchange_head(proxy, &head).await.map_err(Failed::Io)?;
        if (200..300).contains(&answer.status) {
            return Ok((stream, rest));
        }
        if answer.status != 407 {
            return Err(Failed::Answer(answer, sent(&auth, digest_answers)));
        }
        let before = sent(&auth, digest_answers);
        drop(stream);
        let digest = rfc7616::best_of(&answer.challenges).and_then(Result::ok);
        let values: Vec<&str> = answer.challenges.iter().map(String::as_str).collect();
        let asks_basic = crate::net::challenge::parse(&values)
            .challenges
            .iter()
            .any(|c| c.is("basic"));
        auth = match digest {
            // A first answer, or once more when the nonce answered went stale.
            Some(ch) if digest_answers == 0 || (digest_answers == 1 && ch.stale) => {
                digest_answers += 1;
                setup
                    .digest
                    .answer(&answer.challenges, "CONNECT", authority)
            }
            None if asks_basic && auth.is_none() => {
                lock(&state.basic_only).push(key.clone());
                Some(setup.basic.clone())
            }
            _ => None,
        };
        if auth.is_none() {
            return Err(Failed::Answer(answer, before));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt as _;

    /// A relay to `proxy` for alice (password pw-4711).
    fn relay_to(proxy: url::Url) -> Relay {
        Relay::start(RelaySetup {
            proxies: ProxySettings::from_env(Some(proxy), &|_| None),
            digest: Arc::new(ProxyDigest::new("alice", "pw-4711".into())),
            basic: "Basic YWxpY2U6cHctNDcxMQ==".to_owned(),
            user_agent: "test".to_owned(),
            timeout: Duration::from_secs(5),
        })
        .unwrap()
    }

    async fn ask(relay: &Relay, head: &str) -> String {
        let mut s = TcpStream::connect(relay.addr).await.unwrap();
        s.write_all(head.as_bytes()).await.unwrap();
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer).await;
        answer
    }

    #[tokio::test]
    async fn only_its_own_client_gets_a_tunnel_and_failures_keep_no_secret() {
        // Nothing listens on the proxy's port: the tunnel cannot open.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let proxy = url::Url::parse(&format!("http://{}", closed.local_addr().unwrap())).unwrap();
        drop(closed);
        let relay = relay_to(proxy);
        let connect = "CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n";
        // Another program on the machine, without the run's token: refused.
        let answer = ask(&relay, &format!("{connect}\r\n")).await;
        assert!(answer.starts_with("HTTP/1.1 403 "), "{answer}");
        assert_eq!(relay.failure("a.test:443"), None);
        // Its own client: the proxy is tried, and why it failed is kept, in words.
        let head = format!("{connect}Proxy-Authorization: {}\r\n\r\n", relay.token);
        let answer = ask(&relay, &head).await;
        assert!(answer.starts_with("HTTP/1.1 502 "), "{answer}");
        let why = relay.failure("a.test:443").unwrap();
        assert!(why.contains("cannot connect to proxy"), "{why}");
        assert!(!why.contains("pw-4711") && !answer.contains("pw-4711"));
    }

    /// A proxy that calls the first Digest answer's nonce stale (as squid does past its
    /// nonce lifetime): the relay answers the fresh nonce once more, and the tunnel opens.
    #[tokio::test]
    async fn a_stale_nonce_is_answered_once_more() {
        let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy_url =
            url::Url::parse(&format!("http://{}", proxy.local_addr().unwrap())).unwrap();
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            loop {
                let Ok((mut s, _)) = proxy.accept().await else {
                    return;
                };
                let (head, _) = read_raw_head(&mut s).await.unwrap();
                let head = String::from_utf8_lossy(&head).into_owned();
                let auth = head
                    .lines()
                    .find_map(|l| l.strip_prefix("Proxy-Authorization: "))
                    .map(str::to_owned);
                let challenge = |nonce: &str, stale: bool| {
                    format!(
                        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Digest realm=\"p\", nonce=\"{nonce}\", qop=\"auth\"{}\r\nContent-Length: 0\r\n\r\n",
                        if stale { ", stale=true" } else { "" }
                    )
                };
                let answer = match auth.as_deref() {
                    None => challenge("first", false),
                    Some(a) if a.contains("nonce=\"first\"") => challenge("second", true),
                    Some(a) if a.contains("nonce=\"second\"") => {
                        "HTTP/1.1 200 Connection established\r\n\r\n".to_owned()
                    }
                    Some(_) => challenge("third", false),
                };
                log.lock().unwrap().push(auth.unwrap_or_default());
                s.write_all(answer.as_bytes()).await.unwrap();
                if answer.contains(" 200 ") {
                    s.write_all(b"from the site").await.unwrap();
                }
            }
        });
        let relay = relay_to(proxy_url);
        let head = format!(
            "CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\nProxy-Authorization: {}\r\n\r\n",
            relay.token
        );
        let answer = ask(&relay, &head).await;
        assert!(
            answer.starts_with("HTTP/1.1 200 ") && answer.ends_with("from the site"),
            "{answer}"
        );
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert!(
            seen[0].is_empty(),
            "asked without credentials first: {seen:?}"
        );
        for (a, nonce) in seen[1..].iter().zip(["first", "second"]) {
            assert!(a.starts_with("Digest username=\"alice\""), "{a}");
            assert!(a.contains(&format!("nonce=\"{nonce}\"")), "{a}");
            assert!(a.contains("uri=\"a.test:443\""), "{a}");
        }
    }
}
