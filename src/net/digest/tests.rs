//! The worked examples of RFC 7616 §3.9 and RFC 2617 §3.5, recomputed.

use super::*;

fn challenge(params: &[(&str, &str)]) -> DigestChallenge {
    DigestChallenge::from_params(params.iter().copied()).unwrap()
}

/// RFC 7616 §3.9.1: one request answered with SHA-256 and with MD5.
#[test]
fn rfc7616_3_9_1_md5_and_sha256() {
    let params = |alg: &'static str| {
        vec![
            ("realm", "http-auth@example.org"),
            ("qop", "auth, auth-int"),
            ("algorithm", alg),
            ("nonce", "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"),
            ("opaque", "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"),
        ]
    };
    let req = DigestRequest {
        method: "GET",
        uri: "/dir/index.html",
        body: b"",
    };
    let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    let md5 = answer(
        &challenge(&params("MD5")),
        "Mufasa",
        "Circle of Life",
        req,
        cnonce,
        1,
    );
    assert_eq!(md5.response, "8ca523f5e9506fed4657c9700eebdbec");
    let sha = answer(
        &challenge(&params("SHA-256")),
        "Mufasa",
        "Circle of Life",
        req,
        cnonce,
        1,
    );
    assert_eq!(
        sha.response,
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    );
    assert_eq!(
        sha.header,
        "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", \
         algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, \
         cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, \
         response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", \
         opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
    );
    // Both challenges offered: the stronger one is answered.
    let both = strongest([
        DigestChallenge::from_params(params("MD5")),
        DigestChallenge::from_params(params("SHA-256")),
    ])
    .unwrap();
    assert_eq!(both.algorithm, Algorithm::Sha256);
}

/// SHA-512/256 is FIPS 180-4's own function (its own initial values), not SHA-512 cut short:
/// the FIPS 180-4 example for "abc" (NIST's SHA512_256.pdf).
#[test]
fn sha512_256_is_the_fips_180_4_function() {
    assert_eq!(
        Algorithm::Sha512_256.hex(b"abc"),
        "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23"
    );
}

/// The challenge and request of RFC 7616 §3.9.2.
fn rfc7616_3_9_2() -> (DigestChallenge, DigestRequest<'static>) {
    let ch = challenge(&[
        ("realm", "api@example.org"),
        ("qop", "auth"),
        ("algorithm", "SHA-512-256"),
        ("nonce", "5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK"),
        ("opaque", "HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS"),
        ("charset", "UTF-8"),
        ("userhash", "true"),
    ]);
    let req = DigestRequest {
        method: "GET",
        uri: "/doe.json",
        body: b"",
    };
    (ch, req)
}

/// RFC 7616 §3.9.2: SHA-512-256 with a hashed user name that is not ASCII. The RFC prints
/// values computed with SHA-512 truncated to 256 bits (user hash 488869…, response ae66e6…),
/// not with the SHA-512/256 its §3.2 names; these are the example's inputs answered with the
/// real SHA-512/256, as OpenSSL (`openssl dgst -sha512-256`) and Python's
/// `hashlib.new('sha512_256')` compute it.
#[test]
fn rfc7616_3_9_2_sha512_256_userhash() {
    let (ch, req) = rfc7616_3_9_2();
    let a = answer(
        &ch,
        "J\u{e4}s\u{f8}n Doe",
        "Secret, or not?",
        req,
        "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v",
        1,
    );
    assert_eq!(
        a.response,
        "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5"
    );
    assert!(a.header.starts_with(
        "Digest username=\"793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b\""
    ));
    assert!(a.header.ends_with(", userhash=true"));
    // Without userhash the name goes as an RFC 8187 value, as the RFC's second form shows.
    let plain = DigestChallenge {
        userhash: false,
        ..ch
    };
    let b = answer(
        &plain,
        "J\u{e4}s\u{f8}n Doe",
        "Secret, or not?",
        req,
        "x",
        1,
    );
    assert!(
        b.header
            .starts_with("Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, ")
    );
}

/// RFC 7616 §3.9.2 exactly as published: its user hash (488869…) and response (ae66e6…) are
/// what the RFC's own construction gives when every H() is SHA-512 cut to its first 256 bits
/// (RFC errata 4897 reports the example), so with that function our answer is the RFC's
/// Authorization field, parameter for parameter; with the SHA-512/256 of FIPS 180-4 that
/// §3.2 names, the values differ, and those (above) match Python's
/// `hashlib.new('sha512_256')` and OpenSSL.
#[test]
fn rfc7616_3_9_2_published_field_is_reproduced() {
    let (ch, req) = rfc7616_3_9_2();
    let sha512_cut = |d: &[u8]| hex::encode(&sha2::Sha512::digest(d)[..32]);
    let a = answer_with(
        &sha512_cut,
        &ch,
        "J\u{e4}s\u{f8}n Doe",
        "Secret, or not?",
        req,
        "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v",
        1,
    );
    // RFC 7616 page 20, the field's lines joined.
    let published = [
        "Digest username=\"488869477bf257147b804c45308cd62ac4e25eb717b12b298c79e62dcea254ec\"",
        "realm=\"api@example.org\"",
        "uri=\"/doe.json\"",
        "algorithm=SHA-512-256",
        "nonce=\"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK\"",
        "nc=00000001",
        "cnonce=\"NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v\"",
        "qop=auth",
        "response=\"ae66e67d6b427bd3f120414a82e4acff38e8ecd9101d6c861229025f607a79dd\"",
        "opaque=\"HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS\"",
        "userhash=true",
    ]
    .join(", ");
    assert_eq!(a.header, published);
    let real = answer(
        &ch,
        "J\u{e4}s\u{f8}n Doe",
        "Secret, or not?",
        req,
        "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v",
        1,
    );
    assert_ne!(real.response, a.response);
}

/// A second SHA-512/256 vector, outside the RFC: `-sess`, qop auth-int with a body and a
/// count of 2, the expected response computed with Python's `hashlib.new('sha512_256')`
/// following RFC 7616 §3.4.2-§3.4.3 step by step.
#[test]
fn sha512_256_sess_auth_int_matches_python_hashlib() {
    let ch = challenge(&[
        ("realm", "http-auth@example.org"),
        ("qop", "auth-int"),
        ("algorithm", "SHA-512-256-sess"),
        ("nonce", "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"),
    ]);
    let req = DigestRequest {
        method: "POST",
        uri: "/dir/index.html",
        body: b"a=1",
    };
    let a = answer(
        &ch,
        "Mufasa",
        "Circle of Life",
        req,
        "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        2,
    );
    assert_eq!(
        a.response,
        "426239450b051a44fc76f1709f6200c2069968fc3458f99b38f85f1fecf3a520"
    );
    assert!(
        a.header.contains("algorithm=SHA-512-256-sess"),
        "{}",
        a.header
    );
    assert!(a.header.contains("nc=00000002, "), "{}", a.header);
    assert!(a.header.contains("qop=auth-int"), "{}", a.header);
}

/// RFC 2617 §3.5 (MD5, qop=auth), which RFC 7616 keeps compatible.
#[test]
fn rfc2617_3_5_md5() {
    let ch = challenge(&[
        ("realm", "testrealm@host.com"),
        ("qop", "auth,auth-int"),
        ("nonce", "dcd98b7102dd2f0e8b11d0f600bfb0c093"),
        ("opaque", "5ccc069c403ebaf9f0171e9517f40e41"),
    ]);
    let req = DigestRequest {
        method: "GET",
        uri: "/dir/index.html",
        body: b"",
    };
    let a = answer(&ch, "Mufasa", "Circle Of Life", req, "0a4f113b", 1);
    assert_eq!(a.response, "6629fae49393a05397450978507c4ef1");
}

#[test]
fn challenges_that_cannot_be_answered_say_why() {
    let e = DigestChallenge::from_params([("realm", "r"), ("nonce", "n"), ("algorithm", "SHA-1")]);
    assert_eq!(e, Err(DigestError::UnsupportedAlgorithm("SHA-1".into())));
    let e = DigestChallenge::from_params([("realm", "r")]);
    assert_eq!(e, Err(DigestError::NoNonce));
    let e = DigestChallenge::from_params([("realm", "r"), ("nonce", "n"), ("qop", "auth-conf")]);
    assert_eq!(e, Err(DigestError::UnsupportedQop("auth-conf".into())));
    let only = strongest([
        DigestChallenge::from_params([("realm", "r"), ("nonce", "n"), ("algorithm", "SHA-1")]),
        DigestChallenge::from_params([("realm", "r"), ("nonce", "n"), ("algorithm", "md5-SESS")]),
    ])
    .unwrap();
    assert_eq!((only.algorithm, only.session), (Algorithm::Md5, true));
    assert_eq!(only.algorithm_name(), "MD5-sess");
    let stale = challenge(&[("realm", "r"), ("nonce", "n"), ("stale", "TRUE")]);
    assert!(stale.stale);
    assert_eq!(stale.qop, Qop::Legacy);
}
