//! Bounded counting: memory stays flat however many distinct paths, clients or agents a log
//! holds. Past the bound the rarest keys are dropped and the result says it is approximate.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use rustc_hash::FxHasher;
use sha2::{Digest, Sha256};

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Keys longer than this are stored as a prefix plus their length and a hash, so one 200 KB
/// request line costs a few hundred bytes, and memory stays bounded on hostile logs.
pub(crate) const KEY_LIMIT: usize = 256;

/// Distinct keys kept per counter before pruning.
pub(crate) const DEFAULT_CAP: usize = 10_000;

/// The stored form of a key: itself, or a bounded stand-in for a huge one.
pub(crate) fn bounded_key(key: &[u8]) -> Box<[u8]> {
    if key.len() <= KEY_LIMIT {
        return key.into();
    }
    let digest = Sha256::digest(key);
    let mut k = key[..160].to_vec();
    k.extend_from_slice(
        format!(
            "…[{} bytes, sha256 {}]",
            key.len(),
            hex::encode(&digest[..4])
        )
        .as_bytes(),
    );
    k.into_boxed_slice()
}

/// Counts per key, bounded.
#[derive(Debug, Clone)]
pub struct TopCounter {
    map: FxMap<Box<[u8]>, Tally>,
    cap: usize,
    /// True once keys were dropped: counts are then lower bounds.
    pub approximate: bool,
}

/// A key's count, and what [`TopCounter::add_marked`] found about the key when it was new.
#[derive(Debug, Clone, Copy)]
struct Tally {
    count: u64,
    mark: bool,
}

impl Default for TopCounter {
    fn default() -> Self {
        Self::with_cap(DEFAULT_CAP)
    }
}

impl TopCounter {
    pub(crate) fn with_cap(cap: usize) -> Self {
        Self {
            map: FxMap::default(),
            cap: cap.max(16),
            approximate: false,
        }
    }

    pub fn add(&mut self, key: &[u8], n: u64) {
        self.add_marked(key, n, |_| false);
    }

    /// Adds `n` to `key` and returns the key's mark: `mark(key)`, asked only when the key is
    /// new (or was pruned), so a costly question about a key is answered once per key.
    pub(crate) fn add_marked(
        &mut self,
        key: &[u8],
        n: u64,
        mark: impl FnOnce(&[u8]) -> bool,
    ) -> bool {
        let got = if key.len() > KEY_LIMIT {
            let t = self.map.entry(bounded_key(key)).or_insert_with(|| Tally {
                count: 0,
                mark: mark(key),
            });
            t.count += n;
            t.mark
        } else if let Some(t) = self.map.get_mut(key) {
            t.count += n;
            return t.mark;
        } else {
            let m = mark(key);
            self.map.insert(key.into(), Tally { count: n, mark: m });
            m
        };
        if self.map.len() > self.cap {
            self.prune();
        }
        got
    }

    /// Drops the keys with the smallest counts until a quarter of the room is free again.
    fn prune(&mut self) {
        let mut counts: Vec<u64> = self.map.values().map(|t| t.count).collect();
        let keep = self.cap * 3 / 4;
        let cut_at = counts.len() - keep;
        let (_, threshold, _) = counts.select_nth_unstable(cut_at);
        let threshold = *threshold;
        self.map.retain(|_, t| t.count > threshold);
        self.approximate = true;
    }

    pub(crate) fn merge(&mut self, other: Self) {
        self.approximate |= other.approximate;
        for (k, t) in other.map {
            match self.map.get_mut(&k) {
                Some(c) => c.count += t.count,
                None => {
                    self.map.insert(k, t);
                }
            }
        }
        if self.map.len() > self.cap {
            self.prune();
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn get(&self, key: &[u8]) -> u64 {
        self.map.get(key).map_or(0, |t| t.count)
    }

    /// The `n` largest, by count then key, as lossy UTF-8.
    pub fn top(&self, n: usize) -> Vec<(String, u64)> {
        let mut all: Vec<(&[u8], u64)> = self.map.iter().map(|(k, t)| (&k[..], t.count)).collect();
        all.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        all.into_iter()
            .take(n)
            // Keys are stranger text: shown escaped and with secrets redacted.
            .map(|(k, c)| (super::redact::shown_line(k), c))
            .collect()
    }
}

/// 64-bit hash of a key, for tables that only need to recognise keys again.
pub(crate) fn hash_key(key: &[u8]) -> u64 {
    // Keys here are clients (7 to 39 bytes), hashed for every successful request: two
    // overlapping word loads and one multiply per 16 bytes, with no branch on the exact length.
    const SEED: [u64; 3] = [
        0x243F_6A88_85A3_08D3,
        0x1319_8A2E_0370_7344,
        0xA409_3822_299F_31D0,
    ];
    let word = |b: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let n = key.len();
    let mut h = SEED[2] ^ (n as u64);
    let mut at = 0;
    while n - at > 16 {
        h = mix(h ^ word(key, at), word(key, at + 8) ^ SEED[1]);
        at += 16;
    }
    // 0 to 16 bytes left: two words that may overlap, or one padded word.
    let (a, b) = if n - at >= 8 {
        (word(key, at), word(key, n - 8))
    } else {
        let mut w = [0u8; 8];
        w[..n - at].copy_from_slice(&key[at..]);
        (u64::from_le_bytes(w), 0)
    };
    mix(h ^ a ^ SEED[0], b ^ SEED[1])
}

/// The folded 128-bit product: every input bit reaches the middle bits of the result.
fn mix(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Every byte of a key counts, whatever its length (the word loads overlap and pad).
        #[test]
        fn changing_any_byte_changes_the_hash(
            key in proptest::collection::vec(proptest::prelude::any::<u8>(), 1..60),
            at in proptest::prelude::any::<proptest::sample::Index>(),
            flip in 1u8..=255,
        ) {
            let mut other = key.clone();
            let i = at.index(key.len());
            other[i] ^= flip;
            proptest::prop_assert_ne!(hash_key(&key), hash_key(&other));
            let mut longer = key.clone();
            longer.push(0);
            proptest::prop_assert_ne!(hash_key(&key), hash_key(&longer));
        }
    }

    /// The mark is asked once per key, long keys included, and each add returns it.
    #[test]
    fn a_keys_mark_is_asked_once() {
        let mut c = TopCounter::default();
        let mut asked = 0;
        let long = vec![b'k'; KEY_LIMIT + 40];
        for key in [
            &b"kube-probe/1.29"[..],
            b"curl/8",
            b"kube-probe/1.29",
            &long,
            &long,
        ] {
            let marked = c.add_marked(key, 1, |k| {
                asked += 1;
                k.starts_with(b"kube") || k.len() > KEY_LIMIT
            });
            assert_eq!(marked, key != b"curl/8");
        }
        assert_eq!(asked, 3);
        assert_eq!(c.get(b"kube-probe/1.29"), 2);
    }

    #[test]
    fn counts_exactly_below_the_bound_and_keeps_heavy_keys_above_it() {
        let mut c = TopCounter::with_cap(100);
        for i in 0..10_000u32 {
            c.add(format!("rare{i}").as_bytes(), 1);
            if i % 10 == 0 {
                c.add(b"/admin", 1);
            }
        }
        assert!(c.len() <= 100);
        assert!(c.approximate);
        assert_eq!(c.top(1)[0], ("/admin".to_owned(), 1000));
        let mut small = TopCounter::default();
        small.add(b"a", 2);
        let mut other = TopCounter::default();
        other.add(b"a", 3);
        other.add(b"b", 3);
        small.merge(other);
        assert_eq!(small.top(5), vec![("a".into(), 5), ("b".into(), 3)]);
        assert!(!small.approximate);
    }

    #[test]
    fn huge_keys_are_stored_bounded_but_stay_distinct() {
        let a = vec![b'A'; 300_000];
        let mut b = a.clone();
        b[299_999] = b'B';
        assert!(bounded_key(&a).len() < 300);
        assert_ne!(bounded_key(&a), bounded_key(&b));
        let mut c = TopCounter::default();
        c.add(&a, 1);
        c.add(&a, 1);
        assert_eq!(c.len(), 1);
        assert_eq!(c.top(1)[0].1, 2);
    }
}
