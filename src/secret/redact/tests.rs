use super::*;
use proptest::prelude::*;

const JWT_HS256: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlLWNhbmFyeS14eXo";

fn r() -> Redactor {
    Redactor::new()
}

#[test]
fn fingerprint_hides_the_secret_but_tells_equal_ones_apart() {
    let a = fingerprint("password", "hunter2-canary");
    assert!(!a.contains("hunter2"));
    assert_eq!(a, fingerprint("password", "hunter2-canary"));
    assert_ne!(a, fingerprint("password", "hunter3-canary"));
    assert!(a.starts_with("[password len=14 hmac="));
}

#[test]
fn authorization_keeps_its_scheme_and_loses_its_value() {
    let out = r().redact("Authorization: Basic YWxpY2U6czNjcmV0\nnext line");
    assert!(
        out.starts_with("Authorization: Basic [credentials len=16 hmac="),
        "{out}"
    );
    assert!(out.ends_with("]\nnext line"));
    let out = r().redact("proxy-authorization: Negotiate TlRMTVNTUAABAAAAB4IIog==");
    assert!(!out.contains("TlRMTVNT"), "{out}");
    let out = r().redact(r#"{"Authorization": "Token abc123secret", "x": 1}"#);
    assert!(!out.contains("abc123secret"), "{out}");
    assert!(out.contains("Token [credentials"), "{out}");
}

#[test]
fn prose_about_authorization_is_left_alone() {
    let text = "the proxy strips Authorization before the app; Basic authentication failed";
    assert_eq!(r().redact(text), text);
    let text = "WWW-Authenticate: Basic realm=\"admin\", charset=\"UTF-8\"";
    assert_eq!(r().redact(text), text);
    let text = "WWW-Authenticate: Bearer realm=\"api\", error=\"invalid_token\"";
    assert_eq!(r().redact(text), text);
}

#[test]
fn jwts_keep_header_and_claims_without_signature() {
    let out = r()
        .redact(&format!("Authorization: Bearer {JWT_HS256}"))
        .into_owned();
    assert!(
        out.contains(r#"header {"alg":"HS256","typ":"JWT"}"#),
        "{out}"
    );
    assert!(
        out.contains(r#"claims {"exp":1700000000,"sub":"alice"}"#),
        "{out}"
    );
    assert!(out.contains("signature removed"));
    assert!(!out.contains("c2lnbmF0dXJl"), "{out}");
    let out = r()
        .redact(&format!("GET /api?x=1 {JWT_HS256} in a log"))
        .into_owned();
    assert!(!out.contains("c2lnbmF0dXJl"), "{out}");
    assert!(out.contains("claims"));
}

#[test]
fn cookies_keep_names_and_attributes() {
    let out = r().redact("Cookie: session=abc123; theme=dark");
    assert!(out.starts_with("Cookie: session=[cookie len=6"), "{out}");
    assert!(out.contains("; theme=[cookie len=4"), "{out}");
    let out = r().redact("set-cookie: sid=deadbeef42; Path=/; HttpOnly; Secure");
    assert!(out.contains("sid=[cookie len=10"), "{out}");
    assert!(out.ends_with("; Path=/; HttpOnly; Secure"), "{out}");
}

/// A probe's summary after its name (`cookie: no cookie set`, as the check battery lists
/// its parts) is words for a person, not a cookie; a nameless cookie value is still hidden.
#[test]
fn a_sentence_after_cookie_is_not_a_cookie() {
    for line in [
        "cookie: no cookie set",
        "cookie: 2 cookie(s) set, none refused by browsers",
        "cookie: 1 cookie(s) set, 1 problem(s)",
    ] {
        assert_eq!(r().redact(line), line);
    }
    for (line, secret) in [
        ("Cookie: s3cr3tNamelessValue", "s3cr3tNamelessValue"),
        ("Cookie: sid=abc def ghi", "abc def ghi"),
        ("Cookie: a1b2 c3d4 e5f6", "a1b2 c3d4 e5f6"),
        ("cookie: sid=no cookie set", "no cookie set"),
    ] {
        let out = r().redact(line);
        assert!(!out.contains(secret), "{out}");
    }
}

#[test]
fn key_value_secrets_in_urls_bodies_and_logs() {
    for (text, secret) in [
        ("https://h/cb?code=xyz789&state=ok", "xyz789"),
        ("GET /api?api_key=K3Y-abc HTTP/1.1", "K3Y-abc"),
        (
            "grant_type=password&password=hunter2&client_secret=s3cr3t",
            "hunter2",
        ),
        (
            "grant_type=password&password=hunter2&client_secret=s3cr3t",
            "s3cr3t",
        ),
        (
            r#"{"access_token":"at-123","token_type":"Bearer"}"#,
            "at-123",
        ),
        ("https://bob:pa55word@example.test/x", "pa55word"),
        ("token = abcdef in config", "abcdef"),
    ] {
        let out = r().redact(text);
        assert!(!out.contains(secret), "{text} → {out}");
    }
    let out = r().redact(r#"{"access_token":"at-123","token_type":"Bearer"}"#);
    assert!(out.contains(r#""token_type":"Bearer""#), "{out}");
    assert!(
        r().redact("https://h/cb?code=xyz789&state=ok")
            .ends_with("&state=ok")
    );
}

#[test]
fn htpasswd_hashes_and_private_keys() {
    let file = "alice:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\nbob:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\ncarl:$2y$05$abcdefghijklmnopqrstuOabcdefghijklmnopqrstuvwxyz01234\ndan:rqXexS6ZhobKA\n";
    let out = r().redact(file);
    for hash in [
        "HqJZimcKQ",
        "W6ph5Mm5",
        "abcdefghijklmnopqrstuO",
        "rqXexS6ZhobKA",
    ] {
        assert!(!out.contains(hash), "{out}");
    }
    assert!(out.contains("alice:[password-hash"), "{out}");
    let pem = "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----\nafter";
    let out = r().redact(pem);
    assert!(!out.contains("MIIEpAIB"), "{out}");
    assert!(out.starts_with("key:\n[private-key len="), "{out}");
    assert!(out.ends_with("]\nafter"));
    let cut = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg";
    assert!(!r().redact(cut).contains("MIIEvQ"));
}

#[test]
fn typed_secrets_are_hidden_in_every_encoding() {
    let red = Redactor::new().with_secret("password", "p@ss w0rd/canary");
    for text in [
        "you typed p@ss w0rd/canary",
        "q=p%40ss+w0rd%2Fcanary",
        "q=p%40ss%20w0rd%2Fcanary",
        "b=cEBzcyB3MHJkL2NhbmFyeQ",
    ] {
        let out = red.redact(text);
        assert!(
            !out.contains("canary") && !out.contains("cEBzcyB3MHJkL2Nhbm"),
            "{out}"
        );
    }
    let out = red.redact("you typed p@ss w0rd/canary");
    assert_eq!(
        out,
        format!("you typed {}", fingerprint("password", "p@ss w0rd/canary"))
    );
}

#[test]
fn redacting_twice_changes_nothing_more_and_leaks_nothing() {
    let red = Redactor::new().with_secret("token", "tok-canary-1");
    let text = format!("Authorization: Bearer tok-canary-1\nCookie: a=b1234\n{JWT_HS256}");
    let once = red.redact(&text).into_owned();
    let twice = red.redact(&once).into_owned();
    assert!(!twice.contains("tok-canary-1"));
    assert!(
        twice.contains("Authorization: Bearer [token len=12"),
        "{twice}"
    );
}

#[test]
fn text_without_secrets_is_borrowed() {
    assert!(matches!(
        r().redact("GET / → 401 Unauthorized"),
        Cow::Borrowed(_)
    ));
}

fn canary() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{6,12}".prop_map(|s| format!("CANARY{s}"))
}

fn wrapping() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Authorization: Bearer {}".to_owned()),
        Just("Authorization: Basic {}".to_owned()),
        Just("Proxy-Authorization: {}".to_owned()),
        Just("Cookie: sid={}; x=1".to_owned()),
        Just("Set-Cookie: sid={}; Path=/".to_owned()),
        Just("https://h/p?access_token={}&x=1".to_owned()),
        Just("password={}".to_owned()),
        Just(r#"{"client_secret": "{}"}"#.to_owned()),
        Just("https://u:{}@h/".to_owned()),
        Just("{}".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// A typed secret never survives, whatever surrounds it and however it is wrapped.
    #[test]
    fn typed_canary_never_survives(
        c in canary(),
        before in "\\PC{0,40}",
        after in "\\PC{0,40}",
        wrap in wrapping(),
    ) {
        let red = Redactor::new().with_secret("password", &c);
        let text = format!("{before}{}{after}", wrap.replace("{}", &c));
        let out = red.redact(&text);
        prop_assert!(!out.contains(&c), "{} → {}", text, out);
        prop_assert!(!out.contains("CANARY"), "{} → {}", text, out);
    }

    /// Secrets nobody typed are still hidden when they have the shape of one.
    #[test]
    fn shaped_canary_never_survives(
        c in canary(),
        before in "[ a-z\n]{0,20}",
        after in "(\n[ a-z]{0,20})?",
        wrap in wrapping().prop_filter("shape-less", |w| w != "{}"),
    ) {
        let text = format!("{before}\n{}{after}", wrap.replace("{}", &c));
        let out = Redactor::new().redact(&text);
        prop_assert!(!out.contains(&c), "{} → {}", text, out);
    }

    /// Arbitrary text never makes the redactor panic, and text without secrets is unchanged.
    #[test]
    fn any_text_is_safe(text in "\\PC{0,200}") {
        let _ = Redactor::new().with_secret("k", "abcd").redact(&text);
    }
}

#[test]
fn placeholders_why401_writes_stay_readable() {
    for text in [
        "-H \"Authorization: Bearer $TOKEN\"",
        "-u 'alice:$PASSWORD'",
        "Authorization: Bearer ${WHY401_TOKEN}",
        "\"password\": \"<fill in: password>\"",
        "password=<fill in: password>",
        "-b \"sid=${WHY401_COOKIE_SID}\"",
    ] {
        assert_eq!(r().redact(text), text);
    }
}

#[test]
fn markdown_escaped_fingerprints_are_not_fingerprinted_again() {
    let text = r"Authorization: Bearer \[credentials len=26 hmac=a84d0836\]";
    assert_eq!(r().redact(text), text);
}

/// `check`'s "sent:" line names every credential on one line; shown again through a
/// redactor, the Cookie header's fingerprints were taken for cookies (`[cookie len=` named a
/// cookie whose value `20 hmac=…]` was fingerprinted once more).
#[test]
fn fingerprints_after_a_cookie_header_are_left_whole() {
    let text = "sent: Basic user 'alice' with password [password len=13 hmac=7351a352]; Cookie: [cookie len=20 hmac=4a7c007f]; X-Api-Key: [header len=14 hmac=2c0c72b5]";
    assert_eq!(r().redact(text), text);
    let ledger = "GET http://127.0.0.1:1/debug (Basic user 'alice' with password [password len=13 hmac=6be06251]; Cookie: [cookie len=21 hmac=f0169f92]; X-Api-Key: [header len=14 hmac=1b0437e7]) → 401";
    assert_eq!(r().redact(ledger), ledger);
    // The header after the cookies is still judged on its own.
    let next = r().redact("Cookie: a=[cookie len=3 hmac=f0169f92]; X-Api-Key: K4NARYkeyvalue1");
    assert!(!next.contains("K4NARY"), "{next}");
    let md = r"Cookie: \[cookie len=20 hmac=4a7c007f\]";
    assert_eq!(r().redact(md), md);
    // A secret glued to a look-alike is still hidden.
    let glued = r().redact("Cookie: sid=[cookie len=5 hmac=abcdef12]Zq9vK4NARYglued");
    assert!(!glued.contains("K4NARY"), "{glued}");
}

#[test]
fn generic_keys_with_short_values_are_not_secrets() {
    for text in ["status code=401", "sort by key=id", "\"code\": \"E42\""] {
        assert_eq!(r().redact(text), text);
    }
    assert!(
        !r().redact("cb?code=SplxlOBeZQQYbYS6WxSbIA")
            .contains("Splx")
    );
}
