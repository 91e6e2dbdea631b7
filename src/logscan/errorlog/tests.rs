use super::*;

fn auth(line: &str) -> (Reason, String, String, String) {
    match classify(line.as_bytes()) {
        ErrorLine::Auth(e) => (
            e.reason,
            String::from_utf8_lossy(e.client).into_owned(),
            String::from_utf8_lossy(e.user).into_owned(),
            String::from_utf8_lossy(e.path).into_owned(),
        ),
        other => panic!("not auth: {other:?} for {line}"),
    }
}

#[test]
fn nginx_messages_map_to_reasons() {
    let cases = [
        (
            r#"2026/11/23 00:28:15 [info] 12903#12903: *85 no user/password was provided for basic authentication, client: 127.0.0.1, server: lab.test, request: "GET /b/ HTTP/1.1", host: "127.0.0.1:18080""#,
            Reason::NoCredentials,
            "",
        ),
        (
            r#"2026/11/23 00:28:15 [error] 12903#12903: *78 user "nosuchuser" was not found in "/x/conf/htpasswd_all", client: 127.0.0.1, server: lab.test, request: "GET /b/ HTTP/1.1", host: "127.0.0.1:18080""#,
            Reason::UserNotFound,
            "nosuchuser",
        ),
        (
            r#"2014/04/01 22:20:38 [error] 30708#0: *3 user "scribendio": password mismatch, client: 10.0.2.2, server: , request: "GET /b/ HTTP/1.1", host: "localhost:8443""#,
            Reason::PasswordMismatch,
            "scribendio",
        ),
        (
            r#"2026/11/23 00:28:15 [crit] 12903#12903: *80 open() "/x/conf/htpasswd_noperm" failed (13: Permission denied), client: 127.0.0.1, server: lab.test, request: "GET /b/ HTTP/1.1", host: "h""#,
            Reason::UserFileUnreadable,
            "",
        ),
        (
            r#"2026/11/23 00:28:15 [error] 12903#12903: *79 open() "/x/conf/does_not_exist.htpasswd" failed (2: No such file or directory), client: 127.0.0.1, server: lab.test, request: "GET /b/ HTTP/1.1", host: "h""#,
            Reason::UserFileMissing,
            "",
        ),
    ];
    for (line, reason, user) in cases {
        let (r, client, u, path) = auth(line);
        assert_eq!((r, u.as_str()), (reason, user), "{line}");
        assert!(client == "127.0.0.1" || client == "10.0.2.2");
        assert_eq!(path, "/b/");
    }
    let static_missing = r#"2026/11/01 00:00:03 [error] 1#1: *461 open() "/var/www/html/wp-login.php" failed (2: No such file or directory), client: 1.2.3.4, server: x, request: "GET /wp-login.php HTTP/1.1", host: "x""#;
    assert_eq!(classify(static_missing.as_bytes()), ErrorLine::Other);
    assert_eq!(classify(b"\x00\x01 binary"), ErrorLine::Malformed);
}

#[test]
fn apache_messages_map_to_reasons() {
    let cases = [
        (
            r#"[Mon Nov 23 00:28:54.281428 2026] [auth_basic:error] [pid 13474:tid 13474] [client 127.0.0.1:40352] AH01617: user B_alice: authentication failure for "/basic/": Password Mismatch"#,
            Reason::PasswordMismatch,
            "127.0.0.1",
            "B_alice",
            "/basic/",
        ),
        (
            "[Mon Nov 23 00:28:54.322802 2026] [auth_basic:error] [pid 13474:tid 13474] [client 127.0.0.1:40394] AH01618: user nosuchuser not found: /basic/",
            Reason::UserNotFound,
            "127.0.0.1",
            "nosuchuser",
            "/basic/",
        ),
        (
            "[Mon Nov 23 00:28:54.472988 2026] [auth_basic:error] [pid 13474:tid 13474] [client 2001:db8::1:5678] AH01618: user  not found: /basic/",
            Reason::EmptyUser,
            "2001:db8::1",
            "",
            "/basic/",
        ),
        (
            "[Mon Nov 23 00:28:54.462472 2026] [auth_basic:error] [pid 13474:tid 13474] [client [2606:4700::1]:51548] AH01614: client used wrong authentication scheme: /basic/",
            Reason::WrongScheme,
            "2606:4700::1",
            "",
            "/basic/",
        ),
        (
            "[Mon Nov 23 00:28:54.331208 2026] [authn_file:error] [pid 13474:tid 13474] (2)No such file or directory: [client 127.0.0.1:40410] AH01620: Could not open password file: /x/conf/does_not_exist",
            Reason::UserFileMissing,
            "127.0.0.1",
            "",
            "",
        ),
        (
            r#"[Wed Jul 17 22:18:52 2013] [error] [client 127.0.0.1] user username: authentication failure for "/basic/file": Password Mismatch"#,
            Reason::PasswordMismatch,
            "127.0.0.1",
            "username",
            "/basic/file",
        ),
        (
            "[Mon Nov 18 22:39:33 2013] [error] [client 91.49.82.139] user gg not found: /, referer: http://sj.hopto.org/management.html",
            Reason::UserNotFound,
            "91.49.82.139",
            "gg",
            "/",
        ),
        (
            "[Wed Jul 17 23:50:37 2013] [error] [client 127.0.0.1] Digest: user username: password mismatch: /digest/cant_get_me.html",
            Reason::PasswordMismatch,
            "127.0.0.1",
            "username",
            "/digest/cant_get_me.html",
        ),
        (
            "Feb 15 16:23:00 srv httpd[22034]: [Sun Feb 15 16:23:00.1 2026] [authz_core:error] [pid 22034] [client 10.0.0.1:1] AH01631: user B_alice: authorization failure for \"/wrongreq/\": ",
            Reason::RequireNotMet,
            "10.0.0.1",
            "B_alice",
            "/wrongreq/",
        ),
    ];
    for (line, reason, client, user, path) in cases {
        let got = auth(line);
        assert_eq!(
            got,
            (reason, client.to_owned(), user.to_owned(), path.to_owned()),
            "{line}"
        );
    }
    let other = "[Sun Nov 01 00:00:03.356637 2026] [cgi:error] [pid 5:tid 1] [client 1.2.3.4:5] AH01215: stderr from x";
    assert_eq!(classify(other.as_bytes()), ErrorLine::Other);
}

#[test]
fn issue_classes_are_read() {
    let cases = [
        // Apache through syslog: the header's time, Apache's tags first.
        (
            "Feb 15 16:23:00 srv httpd[22034]: [auth_basic:error] [pid 22034] [client 10.0.0.1:1] AH01617: user bob: authentication failure for \"/a\": Password Mismatch",
            Reason::PasswordMismatch,
            "10.0.0.1",
            "bob",
        ),
        // A journal line forwarded inside another one.
        (
            r#"Jan  2 03:04:05 host nginx[1]: host nginx: 2025/01/02 03:04:05 [error] 7#7: *3 user "eve" was not found in "/etc/nginx/htpasswd", client: 192.0.2.9, server: x, request: "GET /a HTTP/1.1", host: "x""#,
            Reason::UserNotFound,
            "192.0.2.9",
            "eve",
        ),
        (
            "[Mon Nov 23 00:28:54.1 2026] [authz_owner:error] [pid 1] [client 192.0.2.1:2] AH01637: Authorization of user bob to access /home/x failed, reason: file owner alice does not match",
            Reason::OwnerMismatch,
            "192.0.2.1",
            "bob",
        ),
        (
            "[Wed Jul 17 22:18:52 2013] [error] [client 192.0.2.1] Authorization of user bob to access /home/x failed, reason: file owner alice does not match.",
            Reason::OwnerMismatch,
            "192.0.2.1",
            "bob",
        ),
        (
            "[Wed Jul 17 22:18:52 2013] [error] [client 192.0.2.1] Digest: user `bob' in realm `R' not found: /d/",
            Reason::UserNotFound,
            "192.0.2.1",
            "bob",
        ),
        (
            "[Mon Nov 23 00:28:54.1 2026] [auth_digest:error] [pid 1] [client 192.0.2.1:2] AH01788: realm mismatch - got `X' but expected `Y'",
            Reason::DigestProtocol,
            "192.0.2.1",
            "",
        ),
        // mod_auth_digest's nonce and algorithm errors (texts from mod_auth_digest.c).
        (
            "[Mon Nov 23 00:28:54.1 2026] [auth_digest:error] [pid 1] [client 192.0.2.1:2] AH01776: invalid nonce abc received - length is not 52",
            Reason::DigestProtocol,
            "192.0.2.1",
            "",
        ),
        (
            "[Mon Nov 23 00:28:54.1 2026] [auth_digest:error] [pid 1] [client 192.0.2.1:2] AH01777: invalid nonce dGVzdA== received - hash is not 0123abcd",
            Reason::DigestProtocol,
            "192.0.2.1",
            "",
        ),
        (
            "[Mon Nov 23 00:28:54.1 2026] [auth_digest:error] [pid 1] [client 192.0.2.1:2] AH01789: unknown algorithm `SHA-999' received: /d/",
            Reason::DigestProtocol,
            "192.0.2.1",
            "",
        ),
        (
            "[Mon Nov 23 00:28:54.1 2026] [auth_digest:error] [pid 1] [client 192.0.2.1:2] AH01793: invalid qop `x' received: /d/",
            Reason::DigestProtocol,
            "192.0.2.1",
            "",
        ),
        (
            "[Mon Nov 23 00:28:54.1 2026] [authnz_pam:error] [pid 1] [client 192.0.2.1:2] mod_authnz_pam: PAM authentication failed for user bob: Authentication failure",
            Reason::PamFailure,
            "192.0.2.1",
            "",
        ),
        // nginx's PAM module (ngx_http_auth_pam_module).
        (
            r#"2026/11/23 00:28:15 [error] 1#1: *7 PAM: user 'bob' - not authenticated: Authentication failure, client: 192.0.2.1, server: x, request: "GET / HTTP/1.1", host: "x""#,
            Reason::PamFailure,
            "192.0.2.1",
            "",
        ),
        (
            r#"2026/11/23 00:28:15 [crit] 1#1: *9 pread() "/etc/nginx/htpasswd" failed (21: Is a directory), client: 192.0.2.1, server: x, request: "GET / HTTP/1.1", host: "x""#,
            Reason::UserFileUnreadable,
            "192.0.2.1",
            "",
        ),
        (
            "[Mon Nov 23 00:28:54.1 2026] [auth_basic:error] [pid 1] [remote 192.0.2.1:35924] AH01618: user bob not found: /b/",
            Reason::UserNotFound,
            "192.0.2.1",
            "bob",
        ),
        // fail2ban's injection case: the rightmost context is nginx's.
        (
            r#"2014/04/03 22:20:40 [error] 30708#0: *3 user "test": password mismatch, client: 127.0.0.1, server: test, request: "GET / HTTP/1.1", host: "localhost:8443"": was not found in "/etc/nginx/.htpasswd", client: 192.0.2.2, server: , request: "GET / HTTP/1.1", host: "localhost:8443""#,
            Reason::UserNotFound,
            "192.0.2.2",
            r#"test": password mismatch, client: 127.0.0.1, server: test, request: "GET / HTTP/1.1", host: "localhost:8443""#,
        ),
    ];
    for (line, reason, client, user) in cases {
        let (r, c, u, _) = auth(line);
        assert_eq!(
            (r, c.as_str(), u.as_str()),
            (reason, client, user),
            "{line}"
        );
    }
}

proptest::proptest! {
    /// nginx writes `user "NAME"` with the name as the client sent it; whatever the name,
    /// the class and client come from nginx's own text.
    #[test]
    fn a_crafted_user_name_never_changes_class_or_client(
        parts in proptest::collection::vec(proptest::sample::select(vec![
            "a", "\"", ", client: 6.6.6.6", ", server: x", ": password mismatch",
            " was not found in \"/x\"", ", request: \"GET / HTTP/1.1\"", ", host: \"h\"",
            ", referrer: \"", " ", ":", "\\", "é",
        ]), 0..12),
        mismatch in proptest::prelude::any::<bool>(),
        referrer in proptest::prelude::any::<bool>(),
    ) {
        let name: String = parts.concat();
        let class = if mismatch {
            format!("user \"{name}\": password mismatch")
        } else {
            format!("user \"{name}\" was not found in \"/etc/nginx/htpasswd\"")
        };
        let tail = if referrer { ", referrer: \"https://r/\"" } else { "" };
        let line = format!(
            "2026/11/23 00:28:15 [error] 1#1: *5 {class}, client: 192.0.2.7, server: lab, request: \"GET /p HTTP/1.1\", host: \"lab\"{tail}"
        );
        let want = if mismatch { Reason::PasswordMismatch } else { Reason::UserNotFound };
        let (r, c, u, p) = auth(&line);
        proptest::prop_assert_eq!((r, c.as_str(), u.as_str(), p.as_str()), (want, "192.0.2.7", name.as_str(), "/p"));
    }
}

/// One nginx entry whose user name holds a newline, as nginx writes it (`%V`, raw).
const SPLIT_ENTRY: &str = "2026/11/23 00:28:15 [error] 12903#12903: *78 user \"ev\nil\" was not found in \"/x/htpasswd\", client: 192.0.2.7, server: lab.test, request: \"GET /b/ HTTP/1.1\", host: \"h\"";
const NEXT_ENTRY: &str = "2026/11/23 00:28:16 [info] 12903#12903: *79 no user/password was provided for basic authentication, client: 127.0.0.1, server: lab.test, request: \"GET /b/ HTTP/1.1\", host: \"h\"";

#[test]
fn an_entry_over_two_lines_is_read_whole() {
    let buf = format!("{SPLIT_ENTRY}\n{NEXT_ENTRY}\n");
    let first = buf.find('\n').unwrap();
    assert_eq!(classify(&buf.as_bytes()[..first]), ErrorLine::Open);
    // The second piece alone is no entry.
    let rest = &buf[first + 1..];
    let second = &rest[..rest.find('\n').unwrap()];
    assert_eq!(classify(second.as_bytes()), ErrorLine::Malformed);
    let (end, extra) = continued_entry(buf.as_bytes(), first).unwrap();
    assert_eq!((end, extra), (SPLIT_ENTRY.len(), 1));
    let (reason, client, user, _) = auth(&buf[..end]);
    assert_eq!(
        (reason, client.as_str(), user.as_str()),
        (Reason::UserNotFound, "192.0.2.7", "ev\nil")
    );
}

#[test]
fn an_entry_cut_short_never_swallows_the_next() {
    // nginx cut the entry (2048 bytes) before its fixed end: the next line is an entry.
    let cut = &SPLIT_ENTRY[..SPLIT_ENTRY.find("il\"").unwrap()];
    let buf = format!("{cut}\n{NEXT_ENTRY}\n");
    assert_eq!(continued_entry(buf.as_bytes(), cut.len()), None);
}

#[test]
fn a_chunk_never_ends_inside_an_open_entry() {
    let first_half = &SPLIT_ENTRY[..=SPLIT_ENTRY.find('\n').unwrap()];
    let buf = format!("{NEXT_ENTRY}\n{first_half}");
    assert_eq!(open_tail(buf.as_bytes()), Some(NEXT_ENTRY.len() + 1));
    let whole = format!("{NEXT_ENTRY}\n{SPLIT_ENTRY}\n");
    assert_eq!(open_tail(whole.as_bytes()), None);
    assert_eq!(open_tail(format!("{NEXT_ENTRY}\n").as_bytes()), None);
}

/// Lines given one at a time (as `--follow` reads them) give the entries a chunk gives.
#[test]
fn lines_one_at_a_time_join_as_a_chunk_does() {
    let cut = &SPLIT_ENTRY[..SPLIT_ENTRY.find("il\"").unwrap()];
    let log = format!("{NEXT_ENTRY}\n{SPLIT_ENTRY}\n{cut}\n{NEXT_ENTRY}\n{SPLIT_ENTRY}\n");
    let mut joiner = Joiner::default();
    let mut entries = Vec::new();
    for line in log.lines() {
        joiner.push(line.as_bytes().to_vec(), &mut entries);
    }
    let entries: Vec<String> = entries
        .into_iter()
        .map(|e| String::from_utf8(e).unwrap())
        .collect();
    // The entry cut short is passed on as it is (an open entry, no event), never joined to
    // the entry after it.
    assert_eq!(
        entries,
        [NEXT_ENTRY, SPLIT_ENTRY, cut, NEXT_ENTRY, SPLIT_ENTRY]
    );
    assert_eq!(auth(&entries[1]).0, Reason::UserNotFound);
}
