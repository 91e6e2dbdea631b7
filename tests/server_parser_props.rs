//! Property tests: any input gives a tree or an error that points inside the input; nothing
//! panics. (The fuzz targets in fuzz/ push the same property much further.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use proptest::prelude::*;
use why401::server::{apache, nginx};

fn fragments() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "server",
        "location",
        " ",
        "\n",
        "{",
        "}",
        ";",
        "\"",
        "'",
        "\\",
        "#",
        "$",
        "${x}",
        "~",
        "=",
        "^~",
        "/a",
        "auth_basic",
        "off",
        "include",
        "*_by_lua_block",
        "--",
        "[[",
        "]]",
        "\r",
        "<Directory /a>",
        "</Directory>",
        "<Files",
        ">",
        "Require",
        "valid-user",
        "AuthType",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

fn inside(text: &str, line: usize, col: usize) -> bool {
    let lines = text.split('\n').count();
    line >= 1 && line <= lines + 1 && col >= 1 && col <= text.len() + 2
}

proptest! {
    #[test]
    fn nginx_parser_never_panics(text in fragments()) {
        let r = nginx::Config::parse_str(&text, Path::new("p.conf"), Path::new("/nonexistent-why401"));
        match r {
            Ok(c) => {
                let req = nginx::auth::Request { host: Some("a"), path: "/a/b", auth_header: Some("X_Y"), ..nginx::auth::Request::default() };
                let _ = nginx::auth::evaluate(&c, &req);
            }
            Err(e) => prop_assert!(inside(&text, e.pos.line, e.pos.col), "{e} for {text:?}"),
        }
    }

    #[test]
    fn apache_parser_never_panics(text in fragments()) {
        let r = apache::Config::parse_str(&text, Path::new("/nonexistent-why401/.htaccess"), apache::Kind::Htaccess);
        match r {
            Ok(c) => {
                let _ = apache::effective::evaluate(&c, &apache::effective::Request { path: "/a", ..apache::effective::Request::default() });
            }
            Err(e) => prop_assert!(inside(&text, e.pos.line, e.pos.col), "{e} for {text:?}"),
        }
    }

    #[test]
    fn htpasswd_parser_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let f = why401::server::htpasswd::UserFile::parse(&bytes);
        for e in &f.entries {
            let _ = e.verify("x");
        }
    }
}
