//! Decode + RS256 verify per token (target: under 100 µs). The RSA key is generated with
//! openssl at start; without openssl the verify benches are skipped with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;
use why401::token::jwks::KeySet;
use why401::token::verify::Key;
use why401::token::{Expectations, inspect};

fn rsa_key(dir: &std::path::Path) -> Option<(Vec<u8>, Vec<u8>)> {
    let private = dir.join("k.pem");
    let public = dir.join("k.pub.pem");
    let ok = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&private)
        .status()
        .ok()?
        .success()
        && Command::new("openssl")
            .arg("pkey")
            .arg("-in")
            .arg(&private)
            .arg("-pubout")
            .arg("-out")
            .arg(&public)
            .status()
            .ok()?
            .success();
    ok.then(|| {
        (
            std::fs::read(&private).unwrap(),
            std::fs::read(&public).unwrap(),
        )
    })
}

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
    let Some((private, public)) = rsa_key(dir.path()) else {
        eprintln!("openssl not found: RS256 benches skipped");
        return;
    };
    let enc = EncodingKey::from_rsa_pem(&private).unwrap();
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
    });
    let pem = Key::Pem(public);
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
