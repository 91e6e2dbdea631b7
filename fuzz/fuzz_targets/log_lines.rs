//! Access-log bytes: every line and quote the block scanner finds is the one a plain split
//! finds, and the quote path of a combined or common line gives exactly the full parser's
//! record whenever it gives one. Never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use why401::logscan::access::{ClfTail, clf_from_quotes, parse_clf};
use why401::logscan::blocks::for_each_line;

fuzz_target!(|data: &[u8]| {
    let mut plain = data.split(|&c| c == b'\n').collect::<Vec<_>>();
    if plain.last().is_some_and(|l| l.is_empty()) {
        plain.pop();
    }
    let mut n = 0;
    for_each_line(data, |line, quotes| {
        assert_eq!(Some(&line), plain.get(n), "line {n}");
        n += 1;
        assert_eq!(quotes.count(), line.iter().filter(|&&c| c == b'"').count());
        for tail in [ClfTail::Combined, ClfTail::Common] {
            if let Some(fast) = clf_from_quotes(line, quotes, tail) {
                assert_eq!(Some(fast), parse_clf(line, tail));
            }
        }
    });
    assert_eq!(n, plain.len());
});
