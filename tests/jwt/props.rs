//! Property tests of the token decoder: no input makes it panic, every real token decodes
//! back to its claims, and any single damaged character is either harmless or named.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jsonwebtoken::{EncodingKey, Header, encode};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use why401::token::{Expectations, TokenKind, inspect};

fn signed(claims: &Value) -> String {
    encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(b"prop-secret"),
    )
    .unwrap()
}

fn claims_strategy() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(
        "[a-z_]{1,12}",
        prop_oneof![
            any::<i64>().prop_map(Value::from),
            ".{0,40}".prop_map(Value::from),
            any::<bool>().prop_map(Value::from),
        ],
        0..8,
    )
    .prop_map(|m| m.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_inspected_without_panic(raw in ".{0,300}") {
        let i = inspect(&raw, &Expectations::local());
        prop_assert!(i.fingerprint.starts_with("[token len="));
    }

    #[test]
    fn token_shaped_noise_is_inspected_without_panic(raw in "(eyJ)?[A-Za-z0-9_=+/ -]{0,60}(\\.[A-Za-z0-9_=+/-]{0,60}){0,6}") {
        let _ = inspect(&raw, &Expectations::local());
    }

    #[test]
    fn real_tokens_decode_to_their_claims(claims in claims_strategy()) {
        let token = signed(&Value::Object(claims.clone()));
        let i = inspect(&token, &Expectations::local());
        prop_assert_eq!(i.kind, TokenKind::Jwt);
        prop_assert!(i.problems.is_empty());
        prop_assert_eq!(i.claims.as_ref().map(why401::sanitize::OutsideJson::raw), Some(&claims));
    }

    #[test]
    fn one_damaged_character_is_harmless_or_named(pos in 0usize..200, c in prop::sample::select(vec!['!', '+', '/', '=', ' ', '\n', '.', '"', 'A'])) {
        let token = signed(&json!({"sub": "alice", "exp": 2_000_000_000}));
        let pos = pos % token.len();
        let mut damaged = token.clone();
        damaged.insert(pos, c);
        let i = inspect(&damaged, &Expectations::local());
        let named = i.causes.iter().any(|h| h.id == "token-malformed");
        prop_assert!(named || i.kind == TokenKind::Jwt, "{:?} {:?}", i.kind, i.problems);
        prop_assert!(!i.problems.iter().any(|p| p.contains(&token)));
    }
}
