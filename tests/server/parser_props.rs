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

/// One nginx directive of a generated location: its text, whether it sits inside an `if`.
#[derive(Debug, Clone)]
struct Item {
    text: &'static str,
    in_if: bool,
}

const NGINX_ITEMS: &[&str] = &[
    "auth_basic \"r\";",
    "auth_basic_user_file /h;",
    "allow 127.0.0.1;",
    "deny all;",
    "satisfy any;",
    "return 200;",
    "auth_request /auth;",
    "auth_jwt \"api\";",
    "access_by_lua_block { ngx.exit(403) }",
    "gzip on;",
    "add_header X-A 1;",
];

/// Directives that decide access or answer before it, but that no rule of why401 models.
const NOT_MODELLED: &[&str] = &["auth_jwt", "access_by_lua_block"];
/// Directives that matter inside an `if` (whose condition is never evaluated).
const MATTERS_IN_IF: &[&str] = &[
    "auth_basic",
    "auth_basic_user_file",
    "allow",
    "deny",
    "satisfy",
    "return",
    "auth_request",
];

fn items() -> impl Strategy<Value = Vec<Item>> {
    prop::collection::vec(
        (prop::sample::select(NGINX_ITEMS), any::<bool>())
            .prop_map(|(text, in_if)| Item { text, in_if }),
        0..6,
    )
}

/// A placed directive: its line, text, the line of its `if`, and its location's index.
type Placed = (usize, &'static str, Option<usize>, Option<usize>);

/// Writes `server { items; location /lN/ { items; } ... }` one directive per line and
/// returns the text and, per directive, its line and the line of its `if` (if any).
fn nginx_text(server: &[Item], locations: &[Vec<Item>]) -> (String, Vec<Placed>) {
    let mut text = String::from("server {\n");
    let mut placed = Vec::new();
    let mut line = 1;
    let mut emit = |text: &mut String, line: &mut usize, item: &Item, loc: Option<usize>| {
        if item.in_if {
            text.push_str("if ($arg_x) {\n");
            *line += 1;
            let if_line = *line;
            text.push_str(item.text);
            text.push('\n');
            *line += 1;
            placed.push((*line, item.text, Some(if_line), loc));
            text.push_str("}\n");
            *line += 1;
        } else {
            text.push_str(item.text);
            text.push('\n');
            *line += 1;
            placed.push((*line, item.text, None, loc));
        }
    };
    for item in server {
        emit(&mut text, &mut line, item, None);
    }
    for (n, body) in locations.iter().enumerate() {
        text.push_str(&format!("location /l{n}/ {{\n"));
        line += 1;
        for item in body {
            emit(&mut text, &mut line, item, Some(n));
        }
        text.push_str("}\n");
        line += 1;
    }
    text.push_str("}\n");
    (text, placed)
}

/// Apache: a directive, or a conditional section around more of them.
#[derive(Debug, Clone)]
enum Node {
    Directive,
    Section {
        define: bool,
        negated: bool,
        name: u8,
        body: Vec<Node>,
    },
}

fn nodes() -> impl Strategy<Value = Vec<Node>> {
    let leaf = Just(Node::Directive);
    let tree = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            Just(Node::Directive),
            (
                any::<bool>(),
                any::<bool>(),
                0u8..3,
                prop::collection::vec(inner, 0..4)
            )
                .prop_map(|(define, negated, name, body)| Node::Section {
                    define,
                    negated,
                    name,
                    body
                }),
        ]
    });
    prop::collection::vec(tree, 0..6)
}

/// Writes the nodes; each directive `Dn` remembers the opening lines of its sections.
fn apache_text(
    nodes: &[Node],
    text: &mut String,
    open: &mut Vec<usize>,
    out: &mut Vec<(String, Vec<usize>)>,
) {
    for node in nodes {
        let line = text.matches('\n').count() + 1;
        match node {
            Node::Directive => {
                let name = format!("D{}", out.len());
                // Every other directive defines a name, so later sections depend on it.
                if out.len() % 3 == 1 {
                    text.push_str(&format!("Define N{}\n", out.len() % 2));
                    out.push(("Define".to_owned(), open.clone()));
                } else {
                    text.push_str(&format!("{name} x\n"));
                    out.push((name, open.clone()));
                }
            }
            Node::Section {
                define,
                negated,
                name,
                body,
            } => {
                let (kind, arg) = if *define {
                    ("IfDefine", format!("N{name}"))
                } else {
                    ("IfModule", format!("mod_m{name}.c"))
                };
                let bang = if *negated { "!" } else { "" };
                text.push_str(&format!("<{kind} {bang}{arg}>\n"));
                open.push(line);
                apache_text(body, text, open, out);
                open.pop();
                text.push_str(&format!("</{kind}>\n"));
            }
        }
    }
}

fn flatten<'a>(ds: &'a [why401::server::Directive], out: &mut Vec<&'a why401::server::Directive>) {
    for d in ds {
        out.push(d);
        flatten(d.body(), out);
    }
}

proptest! {
    /// Every directive the Apache parser meets is in the tree, or inside a conditional section
    /// reported as skipped (with its file:line): none disappears silently.
    #[test]
    fn apache_directives_are_read_or_reported_skipped(tree in nodes(), given in prop::collection::vec(0u8..3, 0..3)) {
        let mut text = String::new();
        let mut placed = Vec::new();
        apache_text(&tree, &mut text, &mut Vec::new(), &mut placed);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("httpd.conf");
        std::fs::write(&file, &text).unwrap();
        let options = apache::LoadOptions {
            server_root: Some(dir.path().to_path_buf()),
            defines: given.iter().map(|n| format!("N{n}")).collect(),
        };
        let c = apache::Config::load_with(&file, apache::Kind::Server, &options).unwrap();
        let mut all = Vec::new();
        flatten(&c.root, &mut all);
        let skipped: Vec<usize> = c.skipped.iter().map(|s| s.at.line).collect();
        for (name, sections) in placed.iter().filter(|(n, _)| n != "Define") {
            let read = all.iter().any(|d| &d.name == name);
            let reported = sections.iter().any(|l| skipped.contains(l));
            prop_assert!(read != reported, "{name}: read {read}, reported skipped {reported}\n{text}\nskipped {skipped:?}");
        }
    }

    /// Every directive on a request's way through nginx is evaluated, or reported as not
    /// evaluated at its own line (or its `if`'s): none is dropped silently.
    #[test]
    fn nginx_directives_are_evaluated_or_reported(server in items(), locations in prop::collection::vec(items(), 1..4), pick in 0usize..4) {
        let (text, placed) = nginx_text(&server, &locations);
        let c = nginx::Config::parse_str(&text, Path::new("p.conf"), Path::new("/nonexistent-why401")).unwrap();
        let loc = pick % locations.len();
        let path = format!("/l{loc}/x");
        let v = nginx::auth::evaluate(&c, &nginx::auth::Request { path: &path, ..nginx::auth::Request::default() });
        let reported: Vec<usize> = v.problems.iter().filter_map(|p| p.at.as_ref().map(|a| a.line)).collect();
        for (line, item, if_line, in_loc) in &placed {
            if in_loc.is_some_and(|l| l != loc) {
                continue; // another location: not on this request's way
            }
            let name = item.split_whitespace().next().unwrap_or_default();
            if let Some(if_line) = if_line.filter(|_| MATTERS_IN_IF.contains(&name)) {
                prop_assert!(reported.contains(&if_line), "{item} in the if at line {if_line} not reported\n{text}{:?}", v.problems);
            } else if if_line.is_none() && NOT_MODELLED.contains(&name) {
                prop_assert!(reported.contains(line), "{item} at line {line} not reported\n{text}{:?}", v.problems);
            }
        }
    }
}
