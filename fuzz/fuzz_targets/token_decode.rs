//! Any bytes pasted as a token: decoding and the claim checks must never panic, and the
//! token must never come back in a problem message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use why401::token::{Expectations, inspect};

/// Each letter and digit moved one place on (z to a, 9 to 0): a different token of the same
/// shape. libFuzzer learns the bytes our messages are compared with and would feed their
/// own wording back as a "token" that then appears in them; it cannot undo this step.
fn rotate(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'z' => 'a',
            'Z' => 'A',
            '9' => '0',
            'a'..='y' | 'A'..='Y' | '0'..='8' => char::from(c as u8 + 1),
            c => c,
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = inspect(text, &Expectations::local());
    let token = rotate(text);
    let i = inspect(&token, &Expectations::local());
    if token.len() > 16 {
        assert!(
            !i.problems.iter().any(|p| p.contains(&token)),
            "the token came back in a problem message"
        );
    }
});
