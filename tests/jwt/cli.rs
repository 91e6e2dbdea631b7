//! `why401 jwt` as a user runs it: tokens signed for real, the RFC examples, every malformed
//! case, and the promise that the token never appears in any output.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::jwt as common;

use assert_cmd::Command;
use base64::Engine as _;
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

use common::*;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
    fn cause_ids(&self) -> Vec<String> {
        self.json()["causes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    }
    fn evidence(&self) -> String {
        let v = self.json();
        let mut out = Vec::new();
        for c in v["causes"].as_array().unwrap() {
            for e in c["evidence"].as_array().unwrap() {
                out.push(e.as_str().unwrap().to_owned());
            }
        }
        out.join("\n")
    }
}

fn jwt(args: &[&str], stdin: &str) -> Run {
    let out = Command::cargo_bin("why401")
        .unwrap()
        .arg("jwt")
        .args(args)
        .write_stdin(stdin)
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

#[test]
fn rfc7515_example_verifies_with_its_key_and_is_expired() {
    let dir = tempfile::tempdir().unwrap();
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(RFC7515_KEY_B64URL)
        .unwrap();
    let secret = write(&dir, "k", &key);
    let r = jwt(&["-", "--secret-file", &secret, "--json"], RFC7515_TOKEN);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["signature"], "valid");
    assert_eq!(v["header"]["alg"], "HS256");
    assert_eq!(v["claims"]["iss"], "joe");
    assert_eq!(r.cause_ids(), vec!["token-expired"]);
    assert!(
        r.evidence().contains("2011-03-22 18:43:00 UTC"),
        "{}",
        r.evidence()
    );
    // Text: the UTC time and the "ago" wording a person reads.
    let t = jwt(&["-", "--secret-file", &secret], RFC7515_TOKEN);
    assert!(
        t.stdout
            .contains("exp       2011-03-22 18:43:00 UTC  expired "),
        "{}",
        t.stdout
    );
    assert!(t.stdout.contains(" ago"), "{}", t.stdout);
    assert!(t.stdout.contains("Signature  valid"), "{}", t.stdout);
}

#[test]
fn a_wrong_secret_is_an_invalid_signature() {
    let dir = tempfile::tempdir().unwrap();
    let secret = write(&dir, "k", b"not-the-key-not-the-key-not-the-key!\n");
    let r = jwt(&["-", "--secret-file", &secret, "--json"], RFC7515_TOKEN);
    assert_eq!(r.json()["signature"], "invalid");
    assert!(
        r.cause_ids()
            .contains(&"token-signature-invalid".to_owned())
    );
}

#[test]
fn unsecured_tokens_are_named() {
    let r = jwt(&["-", "--json"], RFC7519_UNSECURED);
    assert!(
        r.cause_ids().contains(&"token-alg-none".to_owned()),
        "{:?}",
        r.cause_ids()
    );
    let r = jwt(
        &["-", "--json"],
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiJ9.",
    );
    assert_eq!(r.cause_ids(), vec!["token-alg-none"]);
}

#[test]
fn every_algorithm_family_verifies_with_a_generated_pem_key() {
    let dir = tempfile::tempdir().unwrap();
    for (alg, bits) in [
        (Algorithm::RS256, 2048),
        (Algorithm::RS384, 3072),
        (Algorithm::RS512, 2048),
        (Algorithm::PS256, 2048),
        (Algorithm::PS384, 2048),
        (Algorithm::PS512, 4096),
        (Algorithm::ES256, 0),
        (Algorithm::ES384, 0),
        (Algorithm::EdDSA, 0),
        // Under 2048 bits: too weak for the fast path, still checked (and still valid).
        (Algorithm::RS256, 1024),
    ] {
        let Some(pair) = keypair_bits(dir.path(), alg, &format!("{alg:?}-{bits}"), bits) else {
            return;
        };
        let token = pair.sign(Some("k1"), &fresh_claims("https://id.example"));
        let key = pair.public_path.display().to_string();
        let r = jwt(
            &["-", "--public-key", &key, "--json", "--aud", "api://orders"],
            &token,
        );
        assert_eq!(
            r.json()["signature"],
            "valid",
            "{alg:?} {bits}: {}",
            r.stdout
        );
        assert_eq!(r.code, 0, "{alg:?}: {}", r.stdout);
        // One changed claim breaks the signature.
        let parts: Vec<&str> = token.split('.').collect();
        let forged_claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            json!({"iss": "https://id.example", "sub": "admin", "aud": "api://orders", "exp": now() + 3600}).to_string(),
        );
        let forged = format!("{}.{forged_claims}.{}", parts[0], parts[2]);
        let r = jwt(&["-", "--public-key", &key, "--json"], &forged);
        assert_eq!(r.json()["signature"], "invalid", "{alg:?}");
        assert_eq!(r.cause_ids(), vec!["token-signature-invalid"], "{alg:?}");
    }
}

#[test]
fn keys_that_do_not_fit_the_alg_are_a_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let Some(rsa) = keypair(dir.path(), Algorithm::RS256, "rsa") else {
        return;
    };
    let Some(ec) = keypair(dir.path(), Algorithm::ES256, "ec") else {
        return;
    };
    let claims = fresh_claims("https://id.example");
    // The RS256→HS256 confusion: an HS256 token checked with the RSA public key.
    let forged = hs256(&rsa.public_pem, &claims);
    let r = jwt(
        &[
            "-",
            "--public-key",
            &rsa.public_path.display().to_string(),
            "--json",
        ],
        &forged,
    );
    assert_eq!(r.cause_ids(), vec!["token-alg-mismatch"]);
    assert!(r.evidence().contains("CVE-2015-9235"), "{}", r.evidence());
    let token = rsa.sign(None, &claims);
    let r = jwt(
        &[
            "-",
            "--public-key",
            &ec.public_path.display().to_string(),
            "--json",
        ],
        &token,
    );
    assert_eq!(r.cause_ids(), vec!["token-alg-mismatch"]);
    assert!(r.evidence().contains("EC key"), "{}", r.evidence());
    let secret = write(&dir, "s", b"0123456789abcdef0123456789abcdef");
    let r = jwt(&["-", "--secret-file", &secret, "--json"], &token);
    assert_eq!(r.cause_ids(), vec!["token-alg-mismatch"]);
}

#[test]
fn claims_checks_name_their_causes() {
    let secret = b"0123456789abcdef0123456789abcdef";
    let cases: Vec<(Value, Vec<&str>, &str)> = vec![
        (
            json!({"aud": "api://billing", "exp": now() + 600}),
            vec!["--aud", "api://orders"],
            "token-wrong-audience",
        ),
        (
            json!({"iss": "https://id.example/", "exp": now() + 600}),
            vec!["--iss", "https://id.example"],
            "token-wrong-issuer",
        ),
        (
            json!({"scope": "orders.read", "exp": now() + 600}),
            vec!["--require-scope", "orders.write"],
            "insufficient-scope",
        ),
        (
            json!({"nbf": now() + 7200, "exp": now() + 9000}),
            vec![],
            "token-not-yet-valid",
        ),
        (
            json!({"exp": now() - 3 * 3600 - 12 * 60}),
            vec![],
            "token-expired",
        ),
        (
            json!({"typ": "Refresh", "exp": now() + 600}),
            vec![],
            "wrong-token-type",
        ),
        (
            json!({"nonce": "n-0S6_WzA2Mj", "at_hash": "x", "exp": now() + 600}),
            vec![],
            "wrong-token-type",
        ),
        (
            json!({"token_use": "id", "exp": now() + 600}),
            vec![],
            "wrong-token-type",
        ),
    ];
    for (claims, flags, want) in cases {
        let token = hs256(secret, &claims);
        let mut args = vec!["-", "--json"];
        args.extend(flags);
        let r = jwt(&args, &token);
        assert_eq!(r.code, 1, "{want}: {}", r.stdout);
        assert_eq!(r.cause_ids(), vec![want], "{}", r.stdout);
    }
    let r = jwt(
        &["-"],
        &hs256(secret, &json!({"exp": now() - 3 * 3600 - 12 * 60 - 5})),
    );
    assert!(r.stdout.contains("3 h 12 min ago"), "{}", r.stdout);
    let r = jwt(
        &["-", "--json"],
        &hs256(
            secret,
            &json!({"iss": "a", "exp": now() + 600, "scope": "x"}),
        ),
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json()["type_hint"], "access");
    assert_eq!(r.json()["signature"], "unchecked");
}

#[test]
fn the_server_clock_is_a_second_opinion() {
    let token = hs256(b"k", &json!({"exp": now() + 600}));
    let later = chrono::DateTime::from_timestamp(now() + 3600, 0)
        .unwrap()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let r = jwt(&["-", "--json", "--server-date", &later], &token);
    assert_eq!(r.cause_ids(), vec!["token-expired", "clock-skew"]);
    assert!(
        r.evidence().contains("by the server's clock"),
        "{}",
        r.evidence()
    );
    assert!(
        r.evidence().contains("ahead of the local clock"),
        "{}",
        r.evidence()
    );
    let r = jwt(&["-", "--server-date", "soon"], &token);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--server-date 'soon'"), "{}", r.stderr);
}

#[test]
fn a_token_just_past_exp_is_named_within_the_leeway() {
    let token = hs256(b"k", &json!({"exp": now() - 10}));
    let within = jwt(&["-", "--json"], &token);
    assert_eq!(within.cause_ids(), vec!["token-expired"]);
    let evidence = within.evidence();
    assert!(
        evidence.contains("within the leeway (60 s); servers with no leeway reject it"),
        "{evidence}"
    );
    assert!(
        evidence.contains("expired 10 s ago") || evidence.contains("expired 11 s ago"),
        "{evidence}"
    );
    let c = within.json()["causes"][0]["confidence"].as_f64().unwrap();
    assert!(c < 0.9, "within the leeway weighs less than past it: {c}");
    assert_eq!(
        jwt(&["-", "--json", "--leeway", "0"], &token).cause_ids(),
        vec!["token-expired"]
    );
}

#[test]
fn each_malformed_case_names_what_is_wrong() {
    let good = hs256(b"k", &json!({"sub": "x", "exp": now() + 600}));
    let (h, rest) = good.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    let cases: Vec<(String, &str)> = vec![
        (format!("\"{good}\""), "double quotes"),
        (format!("{}\n{}", &good[..30], &good[30..]), "line break"),
        (format!("{h}.{p}"), "2 dot-separated segments"),
        (format!("{h}.{p}.{s}.x"), "4 dot-separated segments"),
        (
            format!("{h}.{p}+/.{s}"),
            "segment 2 of 3, the payload (claims): '+'",
        ),
        (format!("{h}.{p}=.{s}"), "padding"),
        (
            format!("{h}.bm90IGpzb24.{s}"),
            "segment 2 of 3, the payload (claims): decodes to text that is not JSON",
        ),
        (format!("{h}.WzEsMl0.{s}"), "JSON array, not an object"),
        (
            "eyJ0eXAiOiJKV1QifQ.e30.c2ln".to_owned(),
            "no \"alg\" member",
        ),
        (format!("{h}.{p}."), "segment 3 of 3, the signature: empty"),
        (format!("{h}.{p}.a"), "segment 3 of 3"),
        ("eyJ!.e30.c2ln".to_owned(), "segment 1 of 3, the header"),
    ];
    for (token, want) in cases {
        let r = jwt(&["-", "--json"], &token);
        assert_eq!(r.code, 1, "{want}: {}", r.stdout);
        assert!(
            r.cause_ids().contains(&"token-malformed".to_owned()),
            "{want}: {}",
            r.stdout
        );
        assert!(
            r.evidence().contains(want),
            "want {want} in {}",
            r.evidence()
        );
    }
}

#[test]
fn a_one_megabyte_token_is_handled_not_a_crash() {
    let big_claims = json!({"blob": "x".repeat(760_000), "exp": now() + 600});
    let token = hs256(b"k", &big_claims);
    assert!(token.len() > 1_000_000);
    let r = jwt(&["-", "--json"], &token);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.json()["notes"].to_string().contains("8 KiB"),
        "{}",
        r.json()["notes"]
    );
    // A megabyte of something that is not a JWT: read as an opaque token, size flagged.
    let junk = "a.".repeat(500_000);
    let r = jwt(&["-", "--json"], &junk);
    assert_eq!(r.json()["kind"], "opaque");
    assert!(
        r.json()["notes"].to_string().contains("976 KiB"),
        "{}",
        r.json()["notes"]
    );
    let junk = format!("eyJ{}", "!".repeat(1_000_000));
    let r = jwt(&["-", "--json"], &junk);
    assert_eq!(r.code, 1);
    assert_eq!(r.cause_ids(), vec!["token-malformed"]);
    let r = jwt(&["-"], &"A".repeat(3 * 1024 * 1024));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("KiB"), "{}", r.stderr);
}

#[test]
fn opaque_tokens_point_to_introspection() {
    let r = jwt(&["-"], "2YotnFZFEjr1zCsicMWpAA\n");
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("opaque token"), "{}", r.stdout);
    assert!(r.stdout.contains("RFC 7662"), "{}", r.stdout);
}

#[test]
fn the_token_is_never_taken_on_the_command_line() {
    for arg in [RFC7515_TOKEN, "ghp_CANARYopaque0123456789"] {
        let r = jwt(&[arg], "");
        assert_eq!(r.code, 2);
        assert!(
            r.stderr.contains("never taken on the command line"),
            "{}",
            r.stderr
        );
        assert!(
            !r.stderr.contains(arg) && !r.stderr.contains("CANARY"),
            "{}",
            r.stderr
        );
    }
    let r = jwt(&["/nonexistent/token.txt"], "");
    assert!(r.stderr.contains("/nonexistent/token.txt"), "{}", r.stderr);
}

#[test]
fn canary_token_and_secret_never_appear_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let secret = b"CANARY-SECRET-0123456789abcdef-0123456789";
    let token = hs256(secret, &json!({"sub": "alice", "exp": now() + 600}));
    let signature = token.rsplit('.').next().unwrap().to_owned();
    let secret_path = write(&dir, "secret", secret);
    let report = dir.path().join("ticket.txt").display().to_string();
    let opaque = "CANARYopaqueTOKEN0123456789";
    for (stdin, extra) in [
        (&token, vec!["--json"]),
        (&token, vec![]),
        (&token, vec!["--reveal"]),
        (&token.clone(), vec!["--report", report.as_str()]),
    ] {
        let mut args = vec!["-", "--secret-file", secret_path.as_str()];
        args.extend(extra.iter().copied());
        let r = jwt(&args, stdin);
        for out in [&r.stdout, &r.stderr] {
            assert!(
                !out.contains(&token) && !out.contains(&signature),
                "token leaked: {out}"
            );
            assert!(!out.contains("CANARY-SECRET"), "secret leaked: {out}");
        }
    }
    let saved = std::fs::read_to_string(&report).unwrap();
    assert!(!saved.contains(&signature) && !saved.contains("CANARY"));
    let r = jwt(&["-", "--json"], opaque);
    assert!(
        !r.stdout.contains("CANARY") && !r.stderr.contains("CANARY"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("[token len=27 hmac="), "{}", r.stdout);
}

#[test]
fn reveal_shows_header_and_claims_but_never_the_signature() {
    let token = hs256(b"k", &json!({"exp": now() + 600}));
    let (signing_input, sig) = token.rsplit_once('.').unwrap();
    let r = jwt(&["-", "--reveal"], &token);
    assert!(r.stdout.contains(signing_input), "{}", r.stdout);
    assert!(!r.stdout.contains(sig));
}

#[test]
fn bad_key_inputs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let not_json = write(&dir, "jwks.json", b"<html>oops</html>");
    let r = jwt(&["-", "--jwks", &not_json], RFC7515_TOKEN);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not JSON"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    let r = jwt(
        &["-", "--public-key", "/nonexistent/key.pem"],
        RFC7515_TOKEN,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent/key.pem"), "{}", r.stderr);
    let r = jwt(
        &["-", "--discover"],
        &hs256(b"k", &json!({"exp": now() + 60})),
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no iss claim"), "{}", r.stderr);
}

#[test]
fn a_jwks_that_publishes_secret_keys_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let secret = b"0123456789abcdef0123456789abcdef";
    let k = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
    let jwks =
        json!({"keys": [{"kty": "oct", "kid": "shared", "k": k}, {"kty": "weird", "kid": "x"}]});
    let path = write(&dir, "jwks.json", jwks.to_string().as_bytes());
    let mut header = jsonwebtoken::Header::new(Algorithm::HS256);
    header.kid = Some("shared".into());
    let token = jsonwebtoken::encode(
        &header,
        &json!({"exp": now() + 600}),
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .unwrap();
    let r = jwt(&["-", "--jwks", &path, "--json"], &token);
    assert_eq!(r.json()["signature"], "valid", "{}", r.stdout);
    let notes = r.json()["notes"].to_string();
    assert!(notes.contains("publishes private key material"), "{notes}");
    assert!(notes.contains("kid 'x'"), "{notes}");
    assert!(!r.stdout.contains(&k), "the key itself is never shown");
}

#[test]
fn a_pasted_bearer_header_value_is_stripped_with_a_note() {
    let good = hs256(b"k", &json!({"sub": "x", "exp": now() + 600}));
    for pasted in [
        format!("Bearer {good}"),
        format!("Authorization: Bearer {good}"),
    ] {
        let r = jwt(&["-", "--json"], &pasted);
        assert_eq!(r.code, 0, "{}", r.stdout);
        assert!(r.cause_ids().is_empty(), "{}", r.stdout);
        let notes = r.json()["notes"].to_string();
        assert!(
            notes.contains("stripped") && notes.contains("Bearer"),
            "{notes}"
        );
    }
}

#[test]
fn a_secret_file_is_tried_as_given_then_trimmed() {
    let dir = tempfile::tempdir().unwrap();
    let claims = json!({"sub": "x", "exp": now() + 600});
    let file = write(&dir, "secret", b"secret\n");
    // Signed over the exact bytes of the file, newline included (RFC 7518 §3.2: raw bytes).
    let raw = jwt(
        &["-", "--json", "--secret-file", &file],
        &hs256(b"secret\n", &claims),
    );
    assert_eq!(raw.json()["signature"], "valid", "{}", raw.stdout);
    assert!(
        raw.json()["signature_detail"]
            .as_str()
            .unwrap()
            .contains("as given")
    );
    assert!(
        raw.json()["notes"]
            .to_string()
            .contains("a server that trims its secret rejects")
    );
    // Signed over the trimmed secret: verified trimmed, and said so.
    let trimmed = jwt(
        &["-", "--json", "--secret-file", &file],
        &hs256(b"secret", &claims),
    );
    assert_eq!(trimmed.json()["signature"], "valid", "{}", trimmed.stdout);
    assert!(
        trimmed.json()["signature_detail"]
            .as_str()
            .unwrap()
            .contains("trimmed")
    );
}

#[test]
fn a_public_key_given_as_the_hmac_secret_is_algorithm_confusion() {
    let Some(_) = openssl() else { return };
    let dir = tempfile::tempdir().unwrap();
    let pair = keypair(dir.path(), Algorithm::RS256, "rsa").unwrap();
    // The RFC 8725 §2.1 attack: an HS256 token whose HMAC key is the RSA public key.
    let forged = hs256(
        &pair.public_pem,
        &json!({"sub": "admin", "exp": now() + 600}),
    );
    let path = pair.public_path.display().to_string();
    let r = jwt(&["-", "--json", "--secret-file", &path], &forged);
    assert_eq!(r.cause_ids()[0], "token-alg-mismatch", "{}", r.stdout);
    assert!(r.evidence().contains("RFC 8725 §2.1"), "{}", r.evidence());
    assert!(
        r.evidence().contains("this token verifies that way"),
        "{}",
        r.evidence()
    );
    assert_eq!(r.code, 1);
}

#[test]
fn a_signature_that_is_not_base64url_is_malformed_only() {
    let dir = tempfile::tempdir().unwrap();
    let good = hs256(b"k", &json!({"sub": "x", "exp": now() + 600}));
    let (input, _) = good.rsplit_once('.').unwrap();
    let key = write(&dir, "k", b"k");
    let r = jwt(
        &["-", "--json", "--secret-file", &key],
        &format!("{input}.not*base64"),
    );
    assert_eq!(r.cause_ids(), vec!["token-malformed"], "{}", r.stdout);
    assert_eq!(r.json()["signature"], "unchecked");
}

#[test]
fn a_kid_that_is_not_a_string_is_flagged() {
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(json!({"alg": "HS256", "kid": 123}).to_string());
    let good = hs256(b"k", &json!({"sub": "x", "exp": now() + 600}));
    let (_, rest) = good.split_once('.').unwrap();
    let r = jwt(&["-", "--json"], &format!("{header}.{rest}"));
    assert!(
        r.evidence()
            .contains("kid is a number, not a string (RFC 7515 §4.1.4)"),
        "{}",
        r.stdout
    );
}

#[test]
fn es256_checked_with_a_p384_key_is_a_curve_mismatch() {
    let Some(_) = openssl() else { return };
    let dir = tempfile::tempdir().unwrap();
    let p256 = keypair(dir.path(), Algorithm::ES256, "p256").unwrap();
    let p384 = keypair(dir.path(), Algorithm::ES384, "p384").unwrap();
    let token = p256.sign(None, &json!({"sub": "x", "exp": now() + 600}));
    let path = p384.public_path.display().to_string();
    let r = jwt(&["-", "--json", "--public-key", &path], &token);
    assert_eq!(r.cause_ids(), vec!["token-alg-mismatch"], "{}", r.stdout);
    assert!(
        r.evidence().contains("P-256") && r.evidence().contains("P-384"),
        "{}",
        r.evidence()
    );
    assert_eq!(r.json()["signature"], "unchecked");
}

#[test]
fn a_non_json_payload_still_has_its_signature_checked() {
    let dir = tempfile::tempdir().unwrap();
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let input = format!("{}.{}", b64(br#"{"alg":"HS256"}"#), b64(b"Payload"));
    let mac = jsonwebtoken::crypto::sign(
        input.as_bytes(),
        &jsonwebtoken::EncodingKey::from_secret(b"k"),
        Algorithm::HS256,
    )
    .unwrap();
    let key = write(&dir, "k", b"k");
    let r = jwt(
        &["-", "--json", "--secret-file", &key],
        &format!("{input}.{mac}"),
    );
    assert!(
        r.cause_ids().contains(&"token-malformed".to_owned()),
        "{}",
        r.stdout
    );
    assert_eq!(r.json()["signature"], "valid", "{}", r.stdout);
}

#[test]
fn an_hs256_token_against_an_rs256_only_key_set_is_an_alg_mismatch() {
    let Some(_) = openssl() else { return };
    let dir = tempfile::tempdir().unwrap();
    let pair = keypair(dir.path(), Algorithm::RS256, "rsa").unwrap();
    let set = json!({"keys": [pair.jwk("rsa-1")]});
    let path = write(&dir, "jwks.json", set.to_string().as_bytes());
    let token = hs256(b"k", &json!({"sub": "x", "exp": now() + 600}));
    let r = jwt(&["-", "--json", "--jwks", &path], &token);
    assert_eq!(r.cause_ids(), vec!["token-alg-mismatch"], "{}", r.stdout);
    assert!(r.evidence().contains("holds only"), "{}", r.evidence());
}
