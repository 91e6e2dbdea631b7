//! Shared by the token tests: keys generated for real with `openssl genpkey` (skipped with a
//! reason when openssl is missing, a failure under CI=true), tokens signed with them, and a
//! local OpenID discovery + JWKS server on 127.0.0.1 whose keys rotate.
//!
//! A test uses it as `use crate::support::jwt as common;`; benches/jwt.rs includes the file.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::missing_panics_doc
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

/// The RFC 7515 appendix A.1 / RFC 7519 §3.1 HS256 example and its key (JWK `k`).
pub const RFC7515_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const RFC7515_KEY_B64URL: &str =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
/// RFC 7519 §6.1: the same claims, unsecured.
pub const RFC7519_UNSECURED: &str = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.";

/// A generated key pair: private PEM to sign, public PEM to verify.
pub struct KeyPair {
    pub alg: Algorithm,
    pub private_pem: Vec<u8>,
    pub public_pem: Vec<u8>,
    pub public_path: PathBuf,
}

impl KeyPair {
    pub fn encoding(&self) -> EncodingKey {
        match self.alg {
            Algorithm::ES256 | Algorithm::ES384 => {
                EncodingKey::from_ec_pem(&self.private_pem).unwrap()
            }
            Algorithm::EdDSA => EncodingKey::from_ed_pem(&self.private_pem).unwrap(),
            _ => EncodingKey::from_rsa_pem(&self.private_pem).unwrap(),
        }
    }

    pub fn sign(&self, kid: Option<&str>, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = kid.map(str::to_owned);
        encode(&header, claims, &self.encoding()).unwrap()
    }

    pub fn jwk(&self, kid: &str) -> Jwk {
        let mut jwk = Jwk::from_encoding_key(&self.encoding(), self.alg).unwrap();
        jwk.common.key_id = Some(kid.to_owned());
        jwk
    }
}

/// `openssl`, or None (skip) with a printed reason; under CI=true a missing openssl fails.
pub fn openssl() -> Option<PathBuf> {
    let found = ["/usr/bin/openssl", "/usr/local/bin/openssl"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but openssl is not installed"
        );
        eprintln!("skipped: openssl is not installed");
    }
    found
}

/// Generates a key for `alg` in `dir` with openssl.
pub fn keypair(dir: &Path, alg: Algorithm, name: &str) -> Option<KeyPair> {
    keypair_bits(dir, alg, name, 2048)
}

/// Like `keypair`, with the RSA modulus size given (ignored for EC and Ed25519 keys).
pub fn keypair_bits(dir: &Path, alg: Algorithm, name: &str, rsa_bits: u32) -> Option<KeyPair> {
    let openssl = openssl()?;
    let rsa_bits = format!("rsa_keygen_bits:{rsa_bits}");
    let private = dir.join(format!("{name}.key"));
    let public = dir.join(format!("{name}.pub.pem"));
    let mut keygen = Command::new(&openssl);
    keygen.arg("genpkey").arg("-out").arg(&private);
    match alg {
        Algorithm::ES256 => {
            keygen.args(["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])
        }
        Algorithm::ES384 => {
            keygen.args(["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"])
        }
        Algorithm::EdDSA => keygen.args(["-algorithm", "ED25519"]),
        _ => keygen.args(["-algorithm", "RSA", "-pkeyopt", &rsa_bits]),
    };
    assert!(
        keygen.output().unwrap().status.success(),
        "openssl genpkey failed"
    );
    let out = Command::new(&openssl)
        .arg("pkey")
        .arg("-in")
        .arg(&private)
        .arg("-pubout")
        .arg("-out")
        .arg(&public)
        .output()
        .unwrap();
    assert!(out.status.success(), "openssl pkey -pubout failed");
    Some(KeyPair {
        alg,
        private_pem: std::fs::read(&private).unwrap(),
        public_pem: std::fs::read(&public).unwrap(),
        public_path: public,
    })
}

pub fn hs256(secret: &[u8], claims: &Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Claims valid for the next hour.
pub fn fresh_claims(iss: &str) -> Value {
    json!({"iss": iss, "sub": "alice", "aud": "api://orders", "scope": "orders.read", "iat": now() - 10, "exp": now() + 3600})
}

/// The issuer server's state: keys, mode, base URL.
type St = (Arc<Mutex<JwkSet>>, Arc<Mutex<&'static str>>, String);

/// A local issuer: `/.well-known/openid-configuration` and `/jwks`, serving whichever key set
/// is current. `broken` switches the documents to broken forms.
pub struct Issuer {
    pub base: String,
    pub keys: Arc<Mutex<JwkSet>>,
    pub mode: Arc<Mutex<&'static str>>,
    _thread: std::thread::JoinHandle<()>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Issuer {
    pub fn start(initial: Vec<Jwk>) -> Self {
        use axum::extract::State;
        use axum::routing::get;
        let keys = Arc::new(Mutex::new(JwkSet { keys: initial }));
        let mode: Arc<Mutex<&'static str>> = Arc::new(Mutex::new("ok"));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state: St = (keys.clone(), mode.clone(), base.clone());
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let app = axum::Router::new()
                    .route(
                        "/.well-known/openid-configuration",
                        get(|State((_, mode, base)): State<St>| async move {
                            let m = *mode.lock().unwrap();
                            if m == "no-jwks-uri" {
                                return format!(r#"{{"issuer":"{base}"}}"#);
                            }
                            format!(r#"{{"issuer":"{base}","jwks_uri":"{base}/jwks"}}"#)
                        }),
                    )
                    .route(
                        "/jwks",
                        get(|State((keys, mode, _)): State<St>| async move {
                            if *mode.lock().unwrap() == "html" {
                                return "<html>gateway error</html>".to_owned();
                            }
                            serde_json::to_string(&*keys.lock().unwrap()).unwrap()
                        }),
                    )
                    .with_state(state);
                let l = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(l, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        Self {
            base,
            keys,
            mode,
            _thread: thread,
            shutdown: Some(tx),
        }
    }

    pub fn rotate(&self, keys: Vec<Jwk>) {
        self.keys.lock().unwrap().keys = keys;
    }

    pub fn set_mode(&self, m: &'static str) {
        *self.mode.lock().unwrap() = m;
    }
}

impl Drop for Issuer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A port on 127.0.0.1 where nothing listens.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}
