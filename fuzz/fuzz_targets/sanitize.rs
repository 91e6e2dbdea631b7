//! Any bytes through the sanitiser: never a control character or an invisible format
//! character out (tab and, for multi-line text, line feed aside); JSON stays the same document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use why401::sanitize;

fuzz_target!(|data: &[u8]| {
    let shown = sanitize::bytes(data);
    assert!(sanitize::is_clean(&shown) && !shown.contains('\n'), "{shown:?}");
    let text = String::from_utf8_lossy(data);
    let one = sanitize::line(&text);
    assert!(sanitize::is_clean(&one) && !one.contains('\n'), "{one:?}");
    assert!(sanitize::is_clean(&sanitize::text(&text)));
    assert!(sanitize::is_clean(&sanitize::Outside::new(text.as_ref()).to_string()));
    if let Ok(json) = serde_json::to_string(&serde_json::json!({ "field": text })) {
        let safe = sanitize::json(&json);
        assert!(sanitize::is_clean(&safe) && !safe.contains('\n'), "{safe:?}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap_or_default();
        assert_eq!(back["field"].as_str(), Some(text.as_ref()));
    }
});
