//! Any bytes pasted as a token: decoding and the claim checks must never panic, and the
//! token must never come back in a problem message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use why401::token::{Expectations, inspect};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let i = inspect(text, &Expectations::local());
    if text.len() > 16 {
        assert!(!i.problems.iter().any(|p| p.contains(text)));
    }
});
