//! A secret planted in any text, in every place a secret goes: the redactor that knows it
//! never lets it out, the pattern redactor never lets it out of a credential's place, and
//! the redacted text, sanitised, holds no control character.
#![no_main]

use libfuzzer_sys::fuzz_target;
use why401::report::Redactor;
use why401::sanitize;

/// Where secrets sit in text a redactor may see.
const CARRIERS: &[&str] = &[
    "Authorization: Bearer {}",
    "Proxy-Authorization: Basic {}",
    "X-Api-Key: {}",
    "x-amz-security-token: {}",
    "GET /cb?access_token={}&x=1",
    "https://alice:{}@127.0.0.1/",
    "password={}",
    "passphrase={}",
    "assertion={}",
    "Cookie: sid={}; theme=dark",
    r#"{"client_secret": "{}"}"#,
];

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    // The secret: 16 to 40 letters and digits taken from the input, so no fingerprint
    // (hex digits, `len=`, `hmac=`) can spell it by chance.
    let n = 16 + usize::from(data[0]) % 25;
    let secret: String = data[1..]
        .iter()
        .map(|b| char::from(b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"[usize::from(*b) % 57]))
        .take(n)
        .collect();
    if secret.len() < n {
        return;
    }
    let rest = String::from_utf8_lossy(&data[1 + n.min(data.len() - 1)..]);
    let known = Redactor::new().with_secret("password", &secret);
    let text = format!("{rest}{secret}{rest}");
    let out = sanitize::text(&known.redact(&text)).into_owned();
    assert!(!out.contains(&secret), "known secret leaked: {out:?}");
    assert!(sanitize::is_clean(&out));
    // A redactor that does not know the secret hides it in a credential's place only: the
    // same letters elsewhere in the stranger's text are text (a run of 24 'A's held the
    // 16-'A' secret in the first run's crash-545bf4e9).
    if rest.contains(&secret) {
        return;
    }
    let carrier = CARRIERS[usize::from(data[0]) % CARRIERS.len()].replace("{}", &secret);
    let text = format!("{rest}\n{carrier}\n{rest}");
    let out = Redactor::new().redact(&text);
    assert!(!out.contains(&secret), "{carrier:?} leaked: {out:?}");
});
