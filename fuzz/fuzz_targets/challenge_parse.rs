//! Any bytes, split into field lines at '\n', must parse without a panic and within bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.split('\n').collect();
    let parsed = why401::probe::challenge::parse(&lines);
    assert!(parsed.problems.len() <= 256);
    assert!(parsed.challenges.len() <= 256 * lines.len().max(1));
    for c in &parsed.challenges {
        let _ = c.param("realm");
    }
});
