//! The verdicts the RFCs state, through `why401 jwt` as a user runs it: RFC 7515 appendix A,
//! RFC 7520 §4 and RFC 8037 appendix A (the vectors are the RFCs' own test data), then a token
//! signed with `openssl` for every JWS algorithm with keys generated in the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::jwt as common;

use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// Runs `why401 jwt - ARGS --json` on `token`; the JSON document and the exit code.
fn jwt(token: &str, args: &[&str]) -> (Value, i32) {
    let out = Command::cargo_bin("why401")
        .unwrap()
        .args(["jwt", "-", "--json"])
        .args(args)
        .write_stdin(token)
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let doc = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (doc, out.status.code().unwrap_or(-1))
}

fn ids(doc: &Value) -> Vec<String> {
    doc["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

fn state(doc: &Value) -> &str {
    doc["signature"]["state"]
        .as_str()
        .or_else(|| doc["signature"].as_str())
        .unwrap_or_else(|| panic!("no signature state: {doc}"))
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

/// The token with one character of its payload changed.
fn tampered(token: &str) -> String {
    let (head, rest) = token.split_once('.').unwrap();
    let mut payload: Vec<char> = rest.chars().collect();
    payload[2] = if payload[2] == 'A' { 'B' } else { 'A' };
    format!("{head}.{}", payload.into_iter().collect::<String>())
}

// RFC 7515 appendix A.1 (HS256), A.3 (ES256), A.4 (ES512) and A.5 (unsecured).
const A1_KEY: &str =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
const A1: &str = common::RFC7515_TOKEN;
const A3: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
const A3_PUB: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7
6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==
-----END PUBLIC KEY-----
";
const A4: &str = "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA.AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn";
const A4_PUB: &str = "-----BEGIN PUBLIC KEY-----
MIGbMBAGByqGSM49AgEGBSuBBAAjA4GGAAQB6SkFDxJPxrxVx9U5M2Xfne9KsMIs
sleY+TTrBOPGuuNwGlenkQ6dgb82MVno68sVXWNJ9L22zPipTFxZx6rBAaQANKZE
DjdnUNI3H9G9wsjztx0vTuXqNDLIFcyjFWD+XZOH7HdLVYOGMOXLv1qMvgqR3QBk
xpmaH25uZ/rd7eTIyPY=
-----END PUBLIC KEY-----
";
const A4_X: &str =
    "AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk";
const A4_Y: &str =
    "ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2";

// RFC 7520 §3 keys and §4.1-4.4 signatures over the §4 payload (which is not JSON).
const COOKBOOK_PAYLOAD: &str = "SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4";
const BILBO_HEADER_RS256: &str =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9";
const SIG_4_1: &str = "MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg";
const BILBO_HEADER_PS384: &str =
    "eyJhbGciOiJQUzM4NCIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9";
const SIG_4_2: &str = "cu22eBqkYDKgIlTpzDXGvaFfz6WGoz7fUDcfT0kkOy42miAh2qyBzk1xEsnk2IpN6-tPid6VrklHkqsGqDqHCdP6O8TTB5dDDItllVo6_1OLPpcbUrhiUSMxbbXUvdvWXzg-UD8biiReQFlfz28zGWVsdiNAUf8ZnyPEgVFn442ZdNqiVJRmBqrYRXe8P_ijQ7p8Vdz0TTrxUeT3lm8d9shnr2lfJT8ImUjvAA2Xez2Mlp8cBE5awDzT0qI0n6uiP1aCN_2_jLAeQTlqRHtfa64QQSUmFAAjVKPbByi7xho0uTOcbH510a6GYmJUAfmWjwZ6oD4ifKo8DYM-X72Eaw";
const BILBO_HEADER_ES512: &str =
    "eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9";
const SIG_4_3: &str = "AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluUIIUnC9qvbu9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPBu_u_sDDyYjnAMDxXPn7XrT0lw-kvAD890jl8e2puQens_IEKBpHABlsbEPX6sFY8OcGDqoRuBomu9xQ2";
const HS_HEADER_4_4: &str =
    "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9";
const SIG_4_4: &str = "s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0";
const MAC_KEY_3_5: &str = "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg";

fn cookbook_jwks() -> Value {
    json!({"keys": [
        {"kty": "RSA", "kid": "bilbo.baggins@hobbiton.example", "use": "sig",
         "n": "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw",
         "e": "AQAB"},
    ]})
}

fn cookbook_ec_jwks() -> Value {
    json!({"keys": [
        {"kty": "EC", "kid": "bilbo.baggins@hobbiton.example", "use": "sig", "crv": "P-521",
         "x": "AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt",
         "y": "AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1"},
    ]})
}

// RFC 8037 appendix A.2 (public key) and A.4/A.5 (the signed example).
const ED25519_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const A8037: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

/// One vector: the token, the key flag and file, and the verdict the RFC states.
struct Vector {
    name: &'static str,
    token: String,
    flag: &'static str,
    key: String,
    /// The payload is not JSON: a JWS but no JWT, malformed as a token.
    json_payload: bool,
    /// RFC 7515 A.1's claims carry exp 1300819380 (2011).
    expired: bool,
}

fn vectors(dir: &Path) -> Vec<Vector> {
    let b64 = |s: &str| URL_SAFE_NO_PAD.decode(s).unwrap();
    let jwks = |name: &str, v: &Value| write(dir, name, v.to_string().as_bytes());
    let p521 = json!({"keys": [{"kty": "EC", "crv": "P-521", "x": A4_X, "y": A4_Y}]});
    let ed = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": ED25519_X}]});
    let cookbook = |header: &str, sig: &str| format!("{header}.{COOKBOOK_PAYLOAD}.{sig}");
    vec![
        Vector {
            name: "RFC 7515 A.1 HS256",
            token: A1.into(),
            flag: "--secret-file",
            key: write(dir, "a1.key", &b64(A1_KEY)),
            json_payload: true,
            expired: true,
        },
        Vector {
            name: "RFC 7515 A.3 ES256",
            token: A3.into(),
            flag: "--public-key",
            key: write(dir, "a3.pem", A3_PUB.as_bytes()),
            json_payload: true,
            expired: true,
        },
        Vector {
            name: "RFC 7515 A.4 ES512 (PEM)",
            token: A4.into(),
            flag: "--public-key",
            key: write(dir, "a4.pem", A4_PUB.as_bytes()),
            json_payload: false,
            expired: false,
        },
        Vector {
            name: "RFC 7515 A.4 ES512 (JWK)",
            token: A4.into(),
            flag: "--jwks",
            key: jwks("a4.json", &p521),
            json_payload: false,
            expired: false,
        },
        Vector {
            name: "RFC 7520 4.1 RS256",
            token: cookbook(BILBO_HEADER_RS256, SIG_4_1),
            flag: "--jwks",
            key: jwks("rsa.json", &cookbook_jwks()),
            json_payload: false,
            expired: false,
        },
        Vector {
            name: "RFC 7520 4.2 PS384",
            token: cookbook(BILBO_HEADER_PS384, SIG_4_2),
            flag: "--jwks",
            key: jwks("rsa.json", &cookbook_jwks()),
            json_payload: false,
            expired: false,
        },
        Vector {
            name: "RFC 7520 4.3 ES512",
            token: cookbook(BILBO_HEADER_ES512, SIG_4_3),
            flag: "--jwks",
            key: jwks("ec.json", &cookbook_ec_jwks()),
            json_payload: false,
            expired: false,
        },
        Vector {
            name: "RFC 7520 4.4 HS256",
            token: cookbook(HS_HEADER_4_4, SIG_4_4),
            flag: "--secret-file",
            key: write(dir, "mac.key", &b64(MAC_KEY_3_5)),
            json_payload: false,
            expired: false,
        },
        Vector {
            name: "RFC 8037 A.4 Ed25519",
            token: A8037.into(),
            flag: "--jwks",
            key: jwks("ed.json", &ed),
            json_payload: false,
            expired: false,
        },
    ]
}

#[test]
fn rfc_vectors_get_the_verdict_the_rfc_states() {
    let dir = tempfile::tempdir().unwrap();
    for v in vectors(dir.path()) {
        let (doc, _) = jwt(&v.token, &[v.flag, &v.key]);
        assert_eq!(state(&doc), "valid", "{}: {doc}", v.name);
        let causes = ids(&doc);
        assert_eq!(
            causes.contains(&"token-malformed".to_owned()),
            !v.json_payload,
            "{}: a payload that is not JSON is a JWS, not a JWT: {causes:?}",
            v.name
        );
        assert_eq!(
            causes.contains(&"token-expired".to_owned()),
            v.expired,
            "{}: {causes:?}",
            v.name
        );
        assert!(
            !causes
                .iter()
                .any(|c| c == "token-signature-invalid" || c == "token-alg-mismatch"),
            "{}: {causes:?}",
            v.name
        );
        let (bad, code) = jwt(&tampered(&v.token), &[v.flag, &v.key]);
        assert_eq!(state(&bad), "invalid", "{} tampered: {bad}", v.name);
        assert!(
            ids(&bad).contains(&"token-signature-invalid".to_owned()),
            "{}",
            v.name
        );
        assert_eq!(code, 1, "{}", v.name);
    }
}

#[test]
fn rfc7515_a5_unsecured_is_alg_none() {
    let (doc, code) = jwt(common::RFC7519_UNSECURED, &[]);
    assert!(ids(&doc).contains(&"token-alg-none".to_owned()), "{doc}");
    assert_eq!(code, 1);
}

/// An ECDSA signature from openssl (DER) as JWS wants it: r and s, each `n` bytes.
fn der_to_raw(der: &[u8], n: usize) -> Vec<u8> {
    fn len(d: &[u8], at: &mut usize) -> usize {
        let first = d[*at];
        *at += 1;
        if first < 0x80 {
            return usize::from(first);
        }
        let count = usize::from(first & 0x7f);
        let mut l = 0;
        for _ in 0..count {
            l = (l << 8) | usize::from(d[*at]);
            *at += 1;
        }
        l
    }
    let mut at = 1;
    len(der, &mut at);
    let mut out = Vec::new();
    for _ in 0..2 {
        assert_eq!(der[at], 0x02);
        at += 1;
        let l = len(der, &mut at);
        let int = &der[at..at + l];
        at += l;
        let trimmed: Vec<u8> = int.iter().copied().skip_while(|b| *b == 0).collect();
        out.extend(std::iter::repeat_n(0u8, n - trimmed.len()));
        out.extend(trimmed);
    }
    out
}

/// Signs `input` with openssl as `alg` asks; the base64url signature.
fn openssl_sign(openssl: &Path, dir: &Path, alg: &str, key: &Path, input: &str) -> String {
    let data = dir.join(format!("{alg}.in"));
    std::fs::write(&data, input).unwrap();
    let bits = &alg[2..];
    let digest = format!("-sha{bits}");
    let mut cmd = Process::new(openssl);
    match &alg[..2] {
        "HS" => {
            let hex = hex::encode(std::fs::read(key).unwrap());
            cmd.args([
                "dgst",
                &digest,
                "-mac",
                "HMAC",
                "-macopt",
                &format!("hexkey:{hex}"),
                "-binary",
            ]);
        }
        "RS" | "ES" => {
            cmd.args(["dgst", &digest, "-binary", "-sign"]).arg(key);
        }
        "PS" => {
            cmd.args([
                "dgst",
                &digest,
                "-binary",
                "-sigopt",
                "rsa_padding_mode:pss",
                "-sigopt",
                "rsa_pss_saltlen:digest",
                "-sign",
            ])
            .arg(key);
        }
        _ => {
            cmd.args(["pkeyutl", "-sign", "-rawin", "-inkey"])
                .arg(key)
                .arg("-in");
        }
    }
    let out = cmd.arg(&data).output().unwrap();
    assert!(
        out.status.success(),
        "openssl {alg}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sig = match alg {
        "ES256" => der_to_raw(&out.stdout, 32),
        "ES384" => der_to_raw(&out.stdout, 48),
        "ES512" => der_to_raw(&out.stdout, 66),
        _ => out.stdout,
    };
    URL_SAFE_NO_PAD.encode(sig)
}

/// openssl genpkey arguments for each algorithm's key.
fn genpkey(alg: &str) -> Vec<&'static str> {
    match alg {
        "ES256" => vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "ES384" => vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
        "ES512" => vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
        "Ed25519" => vec!["-algorithm", "ED25519"],
        "Ed448" => vec!["-algorithm", "ED448"],
        _ => vec!["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    }
}

#[test]
fn every_jws_algorithm_signed_by_openssl_verifies_and_tampering_shows() {
    let Some(openssl) = common::openssl() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let claims = json!({"sub": "alice", "exp": common::now() + 3600});
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    for alg in [
        "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
        "ES384", "ES512", "Ed25519", "Ed448",
    ] {
        let header_alg = if alg.starts_with("Ed") { "EdDSA" } else { alg };
        let header = URL_SAFE_NO_PAD.encode(json!({"alg": header_alg, "typ": "JWT"}).to_string());
        let input = format!("{header}.{payload}");
        let private = dir.path().join(format!("{alg}.key"));
        let (flag, verify_key) = if alg.starts_with("HS") {
            std::fs::write(
                &private,
                format!(
                    "generated secret of sixty-four bytes for {alg} .........................."
                )
                .as_bytes(),
            )
            .unwrap();
            ("--secret-file", private.clone())
        } else {
            let ok = Process::new(&openssl)
                .arg("genpkey")
                .args(genpkey(alg))
                .arg("-out")
                .arg(&private)
                .output()
                .unwrap();
            assert!(
                ok.status.success(),
                "{alg}: {}",
                String::from_utf8_lossy(&ok.stderr)
            );
            let public = dir.path().join(format!("{alg}.pub"));
            let ok = Process::new(&openssl)
                .args(["pkey", "-pubout", "-in"])
                .arg(&private)
                .arg("-out")
                .arg(&public)
                .output()
                .unwrap();
            assert!(ok.status.success());
            ("--public-key", public)
        };
        let token = format!(
            "{input}.{}",
            openssl_sign(&openssl, dir.path(), alg, &private, &input)
        );
        let key = verify_key.display().to_string();
        let (doc, code) = jwt(&token, &[flag, &key]);
        if alg == "Ed448" {
            // No Ed448 verifier is built in: said so, never passed silently.
            assert_eq!(state(&doc), "unchecked", "{alg}: {doc}");
            let text = doc.to_string();
            assert!(
                text.contains("Ed448") && text.contains("cannot be checked here"),
                "{alg}: {doc}"
            );
            continue;
        }
        assert_eq!(state(&doc), "valid", "{alg}: {doc}");
        assert!(ids(&doc).is_empty(), "{alg}: {doc}");
        assert_eq!(code, 0, "{alg}");
        // The claims changed and still JSON: only the signature can tell.
        let forged = URL_SAFE_NO_PAD
            .encode(json!({"sub": "mallory", "exp": common::now() + 3600}).to_string());
        let sig = token.rsplit('.').next().unwrap();
        let (bad, _) = jwt(&format!("{header}.{forged}.{sig}"), &[flag, &key]);
        assert_eq!(state(&bad), "invalid", "{alg} tampered: {bad}");
        assert_eq!(ids(&bad), vec!["token-signature-invalid"], "{alg} tampered");
    }
}
