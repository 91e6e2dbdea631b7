//! A shipped flow replaced by mutated text (the first byte picks which): loading and lint must
//! never panic, and every problem must name FILE:LINE:COL. The corpus starts from the shipped
//! flows, so libFuzzer's edits rename, drop and retarget ids, keys and gotos.
#![no_main]

use libfuzzer_sys::fuzz_target;
use why401::flow::{FlowSet, lint::lint, load::SHIPPED};

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (file, _) = SHIPPED[usize::from(which) % SHIPPED.len()];
    let (mut set, mut diags) = FlowSet::load(None);
    set.add(file, text, false, &mut diags);
    diags.extend(lint(&set));
    for d in &diags {
        assert!(d.loc.line >= 1 && d.loc.col >= 1, "{d}");
        assert!(!d.file.is_empty(), "{d}");
    }
});
