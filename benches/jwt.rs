//! Decode + RS256 verify per token (target: under 100 µs). The RSA key is generated with
//! openssl at start; without openssl the verify benches are skipped with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/jwt.rs"]
mod common;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;
use why401::token::jwks::KeySet;
use why401::token::verify::Key;
use why401::token::{Expectations, inspect};

fn bench(c: &mut Criterion) {
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"iss": "https://id.example", "sub": "alice", "aud": "api://orders", "scope": "orders.read orders.write", "iat": now, "exp": now + 3600});
    let expect = Expectations {
        aud: Some("api://orders".into()),
        iss: Some("https://id.example".into()),
        ..Expectations::local()
    };
    let hs = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
    )
    .unwrap();
    c.bench_function("decode + claim checks (no key)", |b| {
        b.iter(|| inspect(black_box(&hs), &expect));
    });
    let dir = tempfile::tempdir().unwrap();
    let Some(pair) = common::keypair(dir.path(), Algorithm::RS256, "bench") else {
        return;
    };
    let enc = pair.encoding();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("k1".into());
    let token = encode(&header, &claims, &enc).unwrap();
    let mut jwk = Jwk::from_encoding_key(&enc, Algorithm::RS256).unwrap();
    jwk.common.key_id = Some("k1".into());
    let set = Key::Jwks(KeySet {
        source: "bench".into(),
        keys: vec![jwk],
        skipped: vec![],
        private_leaks: vec![],
        extra: vec![],
    });
    let pem = Key::Pem(pair.public_pem.clone());
    // Baseline in the same run: the RSA primitive alone, through jsonwebtoken, key prepared.
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(&pair.public_pem).unwrap();
    c.bench_function("baseline: RS256 signature check only", |b| {
        b.iter(|| {
            jsonwebtoken::crypto::verify(
                black_box(signature),
                signing_input.as_bytes(),
                &key,
                Algorithm::RS256,
            )
            .unwrap()
        });
    });
    c.bench_function("decode + RS256 verify (JWKS kid)", |b| {
        b.iter(|| {
            let mut i = inspect(black_box(&token), &expect);
            i.verify_with(&set);
            assert_eq!(i.signature.label(), "valid");
            i
        });
    });
    c.bench_function("decode + RS256 verify (PEM)", |b| {
        b.iter(|| {
            let mut i = inspect(black_box(&token), &expect);
            i.verify_with(&pem);
            i
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
