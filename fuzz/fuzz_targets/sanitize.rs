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
    let path = sanitize::OutsidePath::new(text.as_ref());
    assert!(sanitize::is_clean(&path.to_string()) && !path.to_string().contains('\n'));
    // A token's claims: the name and the value are both the stranger's.
    let mut claims = serde_json::Map::new();
    claims.insert(text.to_string(), serde_json::json!([text.as_ref(), { "k": text.as_ref() }]));
    let claims = sanitize::OutsideJson::new(claims);
    assert!(sanitize::is_clean(&claims.to_string()), "{claims}");
    for (name, value) in claims.members() {
        let line = format!("{name} {value}");
        assert!(sanitize::is_clean(&line) && !line.contains('\n'), "{line:?}");
    }
    if let Ok(json) = serde_json::to_string(&serde_json::json!({ "field": text })) {
        let safe = sanitize::json(&json);
        assert!(sanitize::is_clean(&safe) && !safe.contains('\n'), "{safe:?}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap_or_default();
        assert_eq!(back["field"].as_str(), Some(text.as_ref()));
    }
});
