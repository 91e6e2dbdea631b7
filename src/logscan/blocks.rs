//! Lines and the quotes inside them, found 64 bytes at a time: one pass over a chunk builds a
//! bit mask of its `"` and `\n` bytes (SSE2 or NEON through `wide`, plain code elsewhere), so
//! a combined line's fields come from the positions of its six quotes instead of a search per
//! field. Lines whose quotes do not fit that shape go to the full parser.

use wide::u8x16;

/// Quote positions kept per line; more are counted but not kept.
pub(crate) const KEPT_QUOTES: usize = 8;
/// Slots written: one more than kept, where the quotes past those land.
const SLOTS: usize = KEPT_QUOTES + 1;

/// The quotes of one line: positions from the line's start, in order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quotes {
    /// The first [`KEPT_QUOTES`] are the line's; the last holds scratch.
    at: [usize; SLOTS],
    n: usize,
}

impl Quotes {
    /// Every quote position, when the line holds exactly `N` quotes.
    pub fn exactly<const N: usize>(&self) -> Option<[usize; N]> {
        if self.n != N || N > KEPT_QUOTES {
            return None;
        }
        let mut out = [0; N];
        out.copy_from_slice(&self.at[..N]);
        Some(out)
    }

    /// How many quotes the line holds.
    pub fn count(&self) -> usize {
        self.n
    }

    /// Adds the quotes of `bits`, a block's mask, where the block starts `base` and the line
    /// `start` bytes into the chunk (the line may start inside the block).
    #[inline]
    fn push_bits(&mut self, mut bits: u64, base: usize, start: usize) {
        let offset = base.wrapping_sub(start);
        while bits != 0 {
            let slot = self.n.min(SLOTS - 1);
            self.at[slot] = offset.wrapping_add(bits.trailing_zeros() as usize);
            self.n += 1;
            bits &= bits - 1;
        }
    }
}

/// The `"` and `\n` bytes of a 64-byte block, one bit per byte (bit i = byte i).
#[inline]
fn masks(block: &[u8; 64]) -> (u64, u64) {
    let quote = u8x16::splat(b'"');
    let newline = u8x16::splat(b'\n');
    let mut q = 0u64;
    let mut n = 0u64;
    for (k, part) in block.chunks_exact(16).enumerate() {
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(part);
        let v = u8x16::from(bytes);
        // move_mask gives the 16 bits in the low half of an i32.
        let bits = |m: u8x16| u64::try_from(m.move_mask() & 0xFFFF).unwrap_or(0);
        q |= bits(v.cmp_eq(quote)) << (16 * k);
        n |= bits(v.cmp_eq(newline)) << (16 * k);
    }
    (q, n)
}

/// Calls `f` with every line of `buf` (without its `\n`; the last may lack one) and its quotes.
#[inline]
pub fn for_each_line(buf: &[u8], mut f: impl FnMut(&[u8], &Quotes)) {
    let mut quotes = Quotes::default();
    let mut start = 0usize;
    let mut base = 0usize;
    while base < buf.len() {
        let (mut q, mut n) = if let Some(b) = buf.get(base..base + 64) {
            <&[u8; 64]>::try_from(b).map_or((0, 0), masks)
        } else {
            let mut pad = [0u8; 64];
            pad[..buf.len() - base].copy_from_slice(&buf[base..]);
            masks(&pad)
        };
        while n != 0 {
            let p = n.trailing_zeros();
            let before = (1u64 << p) - 1;
            quotes.push_bits(q & before, base, start);
            let end = base + p as usize;
            f(&buf[start..end], &quotes);
            start = end + 1;
            quotes.n = 0;
            q &= !before;
            n &= n - 1;
        }
        quotes.push_bits(q, base, start);
        base += 64;
    }
    if start < buf.len() {
        f(&buf[start..], &quotes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(buf: &[u8]) -> Vec<(Vec<u8>, Vec<usize>)> {
        let mut out = Vec::new();
        let mut lines: Vec<&[u8]> = buf.split(|&c| c == b'\n').collect();
        if lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        for l in lines {
            let q = l
                .iter()
                .enumerate()
                .filter(|(_, c)| **c == b'"')
                .map(|(i, _)| i)
                .collect();
            out.push((l.to_vec(), q));
        }
        out
    }

    fn blocked(buf: &[u8]) -> Vec<(Vec<u8>, Vec<usize>, usize)> {
        let mut out = Vec::new();
        for_each_line(buf, |l, q| {
            let kept = q.at[..q.count().min(KEPT_QUOTES)].to_vec();
            out.push((l.to_vec(), kept, q.count()));
        });
        out
    }

    #[test]
    fn a_combined_line_gives_its_six_quotes() {
        let l = br#"1.2.3.4 - - [01/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 401 5 "-" "curl""#;
        let mut got = None;
        for_each_line(l, |_, q| got = q.exactly::<6>());
        assert_eq!(got, Some([41, 56, 64, 66, 68, 73]));
    }

    proptest::proptest! {
        #[test]
        fn lines_and_quotes_agree_with_a_plain_split(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::Just(b'"'),
                    proptest::prelude::Just(b'\n'),
                    proptest::prelude::Just(b'a'),
                    proptest::prelude::any::<u8>(),
                ],
                0..400,
            ),
        ) {
            let want: Vec<_> = plain(&bytes)
                .into_iter()
                .map(|(l, q)| {
                    let n = q.len();
                    (l, q.into_iter().take(KEPT_QUOTES).collect::<Vec<_>>(), n)
                })
                .collect();
            proptest::prop_assert_eq!(blocked(&bytes), want);
        }
    }
}
