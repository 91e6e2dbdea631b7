//! What one battery spends: how many requests carried the person's password (fail2ban bans
//! after 5 failures by default, so a diagnosis must not be the thing that locks them out),
//! and the exchanges several probes read, made once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use super::fetch::Exchange;
use super::target::Target;
use crate::net::classify::FetchError;

/// Requests a `check` may send with the person's password unless asked for more.
pub const DEFAULT_PASSWORD_SENDS: usize = 2;

/// How many requests carried the password, and how many may.
#[derive(Debug)]
pub struct PasswordSends {
    limit: usize,
    used: AtomicUsize,
    /// Digest answers sent again after `stale=true`, which do not count against the limit.
    stale_retries: AtomicUsize,
    /// The scheme each origin asked for in this run: Basic goes without asking again (as a
    /// browser sends it within a protection space), and never to an origin that asked for
    /// Digest, since Basic shows the password to anyone on the way.
    schemes: Mutex<Vec<(String, AskedFor)>>,
    /// The count after each send, for a side request that may start once the main request
    /// has taken its own.
    sent: tokio::sync::watch::Sender<usize>,
}

/// Which scheme an origin's challenge asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AskedFor {
    Basic,
    Digest,
}

impl Default for PasswordSends {
    fn default() -> Self {
        Self::limited(usize::MAX)
    }
}

impl PasswordSends {
    /// At most `limit` requests with the password.
    pub fn limited(limit: usize) -> Self {
        Self {
            limit,
            used: AtomicUsize::new(0),
            stale_retries: AtomicUsize::new(0),
            schemes: Mutex::default(),
            sent: tokio::sync::watch::Sender::new(0),
        }
    }

    /// Notes that `url`'s origin asked for `scheme` (Digest is never forgotten for Basic).
    pub(crate) fn asked(&self, url: &url::Url, scheme: AskedFor) {
        let origin = url.origin().ascii_serialization();
        let mut seen = self
            .schemes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match seen.iter_mut().find(|(o, _)| *o == origin) {
            Some((_, s)) if *s == AskedFor::Basic => *s = scheme,
            Some(_) => {}
            None => seen.push((origin, scheme)),
        }
    }

    /// What `url`'s origin asked for earlier in this run.
    pub(crate) fn asked_for(&self, url: &url::Url) -> Option<AskedFor> {
        let origin = url.origin().ascii_serialization();
        self.schemes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .find(|(o, _)| *o == origin)
            .map(|(_, s)| *s)
    }

    /// Counts one request with the password; false (and nothing counted) when the limit is
    /// reached, and the request must not go out with it.
    pub fn take(&self) -> bool {
        let taken = self
            .used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < self.limit).then_some(n + 1)
            })
            .is_ok();
        if taken {
            self.sent.send_replace(self.used());
        }
        taken
    }

    /// Notes a Digest answer sent again with the server's new nonce after `stale=true`.
    pub(crate) fn note_stale_retry(&self) {
        self.stale_retries.fetch_add(1, Ordering::SeqCst);
    }

    /// Digest answers sent again after `stale=true` (not counted in [`Self::used`]).
    pub fn stale_retries(&self) -> usize {
        self.stale_retries.load(Ordering::SeqCst)
    }

    /// Waits until at least `n` requests have carried the password.
    pub(crate) async fn sent_at_least(&self, n: usize) {
        let mut seen = self.sent.subscribe();
        let _ = seen.wait_for(|used| *used >= n).await;
    }

    /// Requests that carried it so far.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::SeqCst)
    }

    /// The limit (`usize::MAX` when none was set).
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Requests that may still carry it.
    pub(crate) fn remaining(&self) -> usize {
        self.limit.saturating_sub(self.used())
    }
}

type Cell = Arc<tokio::sync::OnceCell<Result<Exchange, FetchError>>>;

/// Exchanges already made in this battery, by what was requested: the probes that read the
/// same request (status, challenge, caching, cookies, rate limits) share one, so the
/// credentials go out once for all of them.
#[derive(Debug, Default)]
pub struct SharedExchanges(Mutex<HashMap<[u8; 32], Cell>>);

impl SharedExchanges {
    /// The exchange for `target`, made by `make` the first time only; callers asking for the
    /// same target meanwhile wait for that one.
    pub(crate) async fn get_or_make<F>(
        &self,
        target: &Target,
        make: F,
    ) -> Result<Exchange, FetchError>
    where
        F: Future<Output = Result<Exchange, FetchError>>,
    {
        let key = key(target);
        let cell = {
            let mut map = self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(map.entry(key).or_default())
        };
        cell.get_or_init(|| make).await.clone()
    }
}

impl SharedExchanges {
    /// The exchange for `target` when one was made or is being made in this battery; `None`
    /// when nobody asked for it (nothing is sent).
    pub(crate) fn made(
        &self,
        target: &Target,
    ) -> Option<impl Future<Output = Result<Exchange, FetchError>> + use<>> {
        let cell = {
            let map = self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(map.get(&key(target))?)
        };
        Some(async move {
            // Being made: waits for it. A maker that fails leaves the cell empty, so getting
            // there first takes nothing from the request's own maker.
            let made = cell
                .get_or_try_init(|| async { Err::<Result<Exchange, FetchError>, ()>(()) })
                .await;
            match made {
                Ok(r) => r.clone(),
                Err(()) => Err(FetchError::usage("not made yet in this run")),
            }
        })
    }
}

/// A digest of everything that makes a request what it is; secrets go in hashed only.
fn key(t: &Target) -> [u8; 32] {
    let mut h = Sha256::new();
    let mut put = |s: &str| {
        h.update(s.len().to_le_bytes());
        h.update(s.as_bytes());
    };
    put(t.method.as_str());
    put(t.url.as_str());
    put(if t.follow_redirects { "follow" } else { "stay" });
    put(t.body.as_deref().unwrap_or("\0none"));
    for (n, v) in &t.plain_headers {
        put(n.as_str());
        put(&String::from_utf8_lossy(v.as_bytes()));
    }
    put("\0credentials");
    for (kind, value) in t.creds.values() {
        put(kind);
        put(value);
    }
    put(t.creds.user.as_deref().unwrap_or("\0none"));
    for (n, _) in &t.creds.headers {
        put(n);
    }
    if let Some((n, _)) = &t.creds.api_key_query {
        put(n);
    }
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_never_passed() {
        let p = PasswordSends::limited(2);
        assert!(p.take() && p.take());
        assert!(!p.take());
        assert_eq!((p.used(), p.remaining()), (2, 0));
        assert_eq!(PasswordSends::default().remaining(), usize::MAX);
    }
}
