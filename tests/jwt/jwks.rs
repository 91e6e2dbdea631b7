//! Verification through a JWKS and OpenID discovery against a local issuer on 127.0.0.1 that
//! rotates its keys; broken documents and an unreachable issuer; the jwt and jwks probes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::jwt as common;

use std::collections::BTreeMap;
use std::time::Duration;

use assert_cmd::Command;
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};
use why401::probe::{FactValue, ProbeContext, ProbeRequest, run_one};

use common::*;

fn jwt(args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = Command::cargo_bin("why401")
        .unwrap()
        .arg("jwt")
        .args(args)
        .write_stdin(stdin)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn causes(stdout: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    v["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

fn signature(stdout: &str) -> String {
    let v: Value = serde_json::from_str(stdout).unwrap();
    v["signature"].as_str().unwrap().to_owned()
}

#[test]
fn discovery_finds_the_key_and_rotation_is_diagnosed() {
    let dir = tempfile::tempdir().unwrap();
    let Some(old) = keypair(dir.path(), Algorithm::RS256, "old") else {
        return;
    };
    let Some(new) = keypair(dir.path(), Algorithm::RS256, "new") else {
        return;
    };
    let issuer = Issuer::start(vec![old.jwk("2025-key")]);
    let old_token = old.sign(Some("2025-key"), &fresh_claims(&issuer.base));
    let (code, out, err) = jwt(&["-", "--discover", "--json"], &old_token);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(signature(&out), "valid");
    assert!(err.contains("/.well-known/openid-configuration"), "{err}");

    issuer.rotate(vec![new.jwk("2026-key")]);
    let (code, out, _) = jwt(&["-", "--discover", "--json"], &old_token);
    assert_eq!(code, 1);
    assert_eq!(causes(&out), vec!["token-key-not-found"]);
    assert!(
        out.contains("2026-key"),
        "the kids on offer are listed: {out}"
    );
    let new_token = new.sign(Some("2026-key"), &fresh_claims(&issuer.base));
    let (code, out, _) = jwt(
        &["-", "--jwks", &format!("{}/jwks", issuer.base), "--json"],
        &new_token,
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(signature(&out), "valid");
}

/// `jwt --jwks URL` connects as `check` does: `--connect-to` sends the request for a name and
/// port nobody serves to the local issuer, Host kept.
#[test]
fn the_jwks_request_follows_connect_to() {
    let dir = tempfile::tempdir().unwrap();
    let Some(key) = keypair(dir.path(), Algorithm::RS256, "k") else {
        return;
    };
    let issuer = Issuer::start(vec![key.jwk("k1")]);
    let port = issuer.base.rsplit(':').next().unwrap().to_owned();
    let token = key.sign(Some("k1"), &fresh_claims(&issuer.base));
    let to = format!("keys.example.test:80:127.0.0.1:{port}");
    let (code, out, err) = jwt(
        &[
            "-",
            "--jwks",
            "http://keys.example.test/jwks",
            "--connect-to",
            &to,
            "--json",
        ],
        &token,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(signature(&out), "valid");
}

#[test]
fn a_kid_naming_a_key_of_another_type_is_a_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let Some(rsa) = keypair(dir.path(), Algorithm::RS256, "rsa") else {
        return;
    };
    let Some(ec) = keypair(dir.path(), Algorithm::ES256, "ec") else {
        return;
    };
    let jwks = json!({"keys": [ec.jwk("k1")]});
    let path = dir.path().join("jwks.json");
    std::fs::write(&path, jwks.to_string()).unwrap();
    let token = rsa.sign(Some("k1"), &fresh_claims("https://id.example"));
    let (_, out, _) = jwt(&["-", "--jwks", path.to_str().unwrap(), "--json"], &token);
    assert_eq!(causes(&out), vec!["token-alg-mismatch"]);
    // A token without kid is tried against every key that fits.
    let token = ec.sign(None, &fresh_claims("https://id.example"));
    let (code, out, _) = jwt(&["-", "--jwks", path.to_str().unwrap(), "--json"], &token);
    assert_eq!((code, signature(&out)), (0, "valid".to_owned()), "{out}");
}

#[test]
fn broken_issuers_give_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let Some(key) = keypair(dir.path(), Algorithm::ES256, "k") else {
        return;
    };
    let issuer = Issuer::start(vec![key.jwk("k")]);
    let token = key.sign(Some("k"), &fresh_claims(&issuer.base));
    issuer.set_mode("html");
    let (code, _, err) = jwt(&["-", "--discover"], &token);
    assert_eq!(code, 2);
    assert!(err.contains("/jwks is not JSON"), "{err}");
    issuer.set_mode("no-jwks-uri");
    let (code, _, err) = jwt(&["-", "--discover"], &token);
    assert_eq!(code, 2);
    assert!(err.contains("has no jwks_uri"), "{err}");
    let unreachable = format!("http://127.0.0.1:{}", closed_port());
    let token = key.sign(Some("k"), &fresh_claims(&unreachable));
    let (code, _, err) = jwt(&["-", "--discover"], &token);
    assert_eq!(code, 2);
    assert!(
        err.contains("could not reach") && err.contains("127.0.0.1"),
        "{err}"
    );
    assert!(
        err.lines().filter(|l| l.starts_with("why401:")).count() == 1,
        "{err}"
    );
}

fn probe(kind: &str, args: &[(&str, &str)]) -> why401::probe::ProbeReport {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ctx = ProbeContext::new(Duration::from_secs(5)).unwrap();
    let args: BTreeMap<String, String> = args
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    rt.block_on(run_one(
        ProbeRequest {
            id: kind.to_owned(),
            kind: kind.to_owned(),
            args,
        },
        ctx,
    ))
}

#[test]
fn jwt_and_jwks_probes_give_flows_their_facts() {
    let dir = tempfile::tempdir().unwrap();
    let Some(key) = keypair(dir.path(), Algorithm::EdDSA, "ed") else {
        return;
    };
    let issuer = Issuer::start(vec![key.jwk("a")]);
    let exp = now() + 120;
    let token = key.sign(
        Some("a"),
        &json!({"iss": issuer.base, "aud": ["api", "web"], "exp": exp, "scope": "read"}),
    );
    let server_date = chrono::DateTime::from_timestamp(exp + 600, 0)
        .unwrap()
        .to_rfc2822();
    let r = probe(
        "jwt",
        &[
            ("token", &token),
            ("discover", "true"),
            ("server_date", &server_date),
        ],
    );
    assert_eq!(r.facts["signature"], FactValue::Str("valid".into()));
    assert_eq!(r.facts["valid_format"], FactValue::Bool(true));
    assert_eq!(r.facts["expired"], FactValue::Bool(false));
    assert_eq!(r.facts["expired_by_server_clock"], FactValue::Bool(true));
    assert_eq!(r.facts["alg"], FactValue::Str("EdDSA".into()));
    assert_eq!(r.facts["kid"], FactValue::Str("a".into()));
    assert_eq!(
        r.facts["aud"],
        FactValue::StrList(vec!["api".into(), "web".into()])
    );
    assert_eq!(r.facts["type_hint"], FactValue::Str("access".into()));
    let FactValue::Int(left) = r.facts["expires_in_s"] else {
        panic!("expires_in_s")
    };
    assert!((100..=120).contains(&left), "{left}");
    let ids: Vec<&str> = r.causes.iter().map(|c| c.id.as_str()).collect();
    assert!(
        ids.contains(&"clock-skew") && ids.contains(&"token-expired"),
        "{ids:?}"
    );
    for line in r.evidence.iter().chain(std::iter::once(&r.summary)) {
        assert!(!line.contains(&token), "token leaked in {line}");
    }

    issuer.rotate(vec![key.jwk("b")]);
    let r = probe("jwks", &[("token", &token)]);
    assert_eq!(r.facts["reachable"], FactValue::Bool(true));
    assert_eq!(r.facts["kid_found"], FactValue::Bool(false));
    assert_eq!(r.facts["kids"], FactValue::StrList(vec!["b".into()]));
    assert_eq!(r.causes[0].id, "token-key-not-found");

    let r = probe("jwt", &[("token", "Bearer 2YotnFZFEjr1zCsicMWpAA")]);
    assert_eq!(r.facts["opaque"], FactValue::Bool(true));
    assert_eq!(r.facts["valid_format"], FactValue::Bool(false));
    let r = probe(
        "jwt",
        &[
            ("token", &token),
            ("jwks", &format!("http://127.0.0.1:{}/jwks", closed_port())),
        ],
    );
    assert_eq!(r.facts["signature"], FactValue::Str("unchecked".into()));
    assert!(matches!(&r.facts["key_error"], FactValue::Str(e) if e.contains("could not reach")));
}

/// The jwks probe reads a set from a plain file too: the kid of the token is looked up there,
/// and a set that publishes private members or holds entries it cannot use says so.
#[test]
fn the_jwks_probe_reads_a_set_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let Some(key) = keypair(dir.path(), Algorithm::ES256, "ec") else {
        return;
    };
    let token = key.sign(Some("file-kid"), &fresh_claims("https://id.example"));
    let mut leaked = serde_json::to_value(key.jwk("leaky")).unwrap();
    leaked["d"] = serde_json::json!("c2VjcmV0LXByaXZhdGUtc2NhbGFy");
    let set = serde_json::json!({"keys": [
        key.jwk("file-kid"),
        leaked,
        {"kty": "oct-unknown", "kid": "odd"},
    ]});
    let path = dir.path().join("jwks.json");
    std::fs::write(&path, set.to_string()).unwrap();
    let file = path.display().to_string();

    let r = probe("jwks", &[("url", &file), ("token", &token)]);
    assert_eq!(r.facts["reachable"], FactValue::Bool(true), "{r:?}");
    assert_eq!(r.facts["kid"], FactValue::Str("file-kid".into()));
    assert_eq!(r.facts["kid_found"], FactValue::Bool(true));
    assert_eq!(r.facts["private_keys_published"], FactValue::Bool(true));
    assert_eq!(r.facts["skipped"], FactValue::Int(1));
    let shown = format!("{r:?}");
    assert!(
        !shown.contains("c2VjcmV0LXByaXZhdGUtc2NhbGFy"),
        "private member shown"
    );

    // The same file checks the token's signature through the jwt probe.
    let r = probe("jwt", &[("token", &token), ("jwks", &file)]);
    assert_eq!(
        r.facts["signature"],
        FactValue::Str("valid".into()),
        "{r:?}"
    );

    // A file that is not a JWKS is a clear failure, not a crash.
    std::fs::write(&path, "<html>not json</html>").unwrap();
    let r = probe("jwks", &[("url", &file)]);
    assert_eq!(r.facts["reachable"], FactValue::Bool(false));
    assert!(
        matches!(&r.facts["error"], FactValue::Str(e) if e.contains("jwks.json")),
        "{r:?}"
    );
}
