//! nginx configuration: parse a tree with includes, choose the server and location a request
//! lands in, and work out the auth that applies there.

use std::path::{Path, PathBuf};

use super::ParseError;

pub mod auth;
pub(crate) mod lexer;
pub mod location;
pub mod logs;
pub mod parse;

pub use super::Directive;

/// A parsed configuration tree.
#[derive(Debug, Clone)]
pub struct Config {
    pub main: PathBuf,
    /// Where relative `include` and `auth_basic_user_file` paths start (nginx's conf prefix).
    pub prefix: PathBuf,
    pub root: Vec<Directive>,
    /// Every file read, in order.
    pub files: Vec<PathBuf>,
}

impl Config {
    /// Loads `path` and everything it includes. Without `prefix`, the prefix is the file's
    /// directory, or its parent for files in `sites-*`, `conf.d` or `snippets` (Debian layout).
    pub fn load(path: &Path, prefix: Option<&Path>) -> Result<Self, ParseError> {
        let prefix = prefix.map_or_else(|| guess_prefix(path), Path::to_path_buf);
        let mut tree = parse::TreeParser::new(prefix.clone());
        let root = tree.file(path, None)?;
        Ok(Self {
            main: path.to_path_buf(),
            prefix,
            root,
            files: tree.files,
        })
    }

    /// Parses text as if it were the file `name` (includes resolve against `prefix`).
    pub fn parse_str(text: &str, name: &Path, prefix: &Path) -> Result<Self, ParseError> {
        let mut tree = parse::TreeParser::new(prefix.to_path_buf());
        let root = tree.text(text.as_bytes(), name)?;
        Ok(Self {
            main: name.to_path_buf(),
            prefix: prefix.to_path_buf(),
            root,
            files: vec![name.to_path_buf()],
        })
    }

    /// Whether this is a whole nginx.conf (with `http` or `events`), not a partial file.
    pub(crate) fn is_complete(&self) -> bool {
        self.root
            .iter()
            .any(|d| d.name == "http" || d.name == "events")
    }

    /// The `http` level: the `http` block, or the file's top when it has none (a partial file).
    pub fn http(&self) -> &[Directive] {
        self.root
            .iter()
            .find(|d| d.name == "http" && d.block.is_some())
            .map_or(self.root.as_slice(), Directive::body)
    }

    /// Every `server` block at the http level.
    pub fn servers(&self) -> Vec<&Directive> {
        self.http()
            .iter()
            .filter(|d| d.name == "server" && d.block.is_some())
            .collect()
    }

    /// The server a request for `host` lands in: by server_name (exact, leading wildcard,
    /// trailing wildcard, regex), else the `default_server`, else the first.
    pub fn server_for(&self, host: Option<&str>) -> Option<&Directive> {
        self.server_for_port(host, None)
    }

    /// Like [`Config::server_for`], among the servers that listen on `port` (when given and
    /// some server does): the connection's port picks the candidates before the name does.
    pub(crate) fn server_for_port(
        &self,
        host: Option<&str>,
        port: Option<u16>,
    ) -> Option<&Directive> {
        let all = self.servers();
        let on_port: Vec<&Directive> = all
            .iter()
            .copied()
            .filter(|s| port.is_none_or(|p| listens(s).iter().any(|(lp, _)| *lp == p)))
            .collect();
        let servers = if on_port.is_empty() { all } else { on_port };
        if let Some(host) = host.map(|h| h.trim_end_matches('.').to_ascii_lowercase()) {
            if let Some(s) = pick_by_name(&servers, &host) {
                return Some(s);
            }
        }
        servers
            .iter()
            .find(|s| {
                listens(s)
                    .iter()
                    .any(|(lp, default)| *default && port.is_none_or(|p| p == *lp))
            })
            .or_else(|| servers.first())
            .copied()
    }
}

/// The ports a server block listens on, each with whether it is the default server there.
/// No `listen` means port 80.
fn listens(server: &Directive) -> Vec<(u16, bool)> {
    let out: Vec<(u16, bool)> = server
        .body()
        .iter()
        .filter(|d| d.name == "listen")
        .filter_map(|d| {
            let addr = d.arg(0)?;
            if addr.starts_with("unix:") {
                return None;
            }
            let port = match addr.rsplit_once(':') {
                Some((_, p)) if !addr.ends_with(']') => p.parse().ok()?,
                _ => addr.parse().unwrap_or(80),
            };
            let default = d
                .args
                .iter()
                .any(|a| a == "default_server" || a == "default");
            Some((port, default))
        })
        .collect();
    if server.body().iter().any(|d| d.name == "listen") {
        out
    } else {
        vec![(80, false)]
    }
}

fn guess_prefix(path: &Path) -> PathBuf {
    let dir = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if matches!(
        name.as_str(),
        "sites-available" | "sites-enabled" | "conf.d" | "snippets" | "http.d" | "servers"
    ) {
        if let Some(parent) = dir.parent() {
            return parent.to_path_buf();
        }
    }
    dir
}

/// Match rank of one server_name against a host: lower is better (nginx's order).
fn name_rank(name: &str, host: &str) -> Option<(u8, usize)> {
    if let Some(re) = name.strip_prefix('~') {
        // Caseless only when the pattern has an uppercase letter (nginx lowercases the host).
        let caseless = re.chars().any(|c| c.is_ascii_uppercase());
        let ok = crate::server::pcre::Pcre::new(re, caseless, false)
            .is_ok_and(|r| r.is_match(host) == Some(true));
        return ok.then_some((3, 0));
    }
    let name = name.to_ascii_lowercase();
    if name == host {
        return Some((0, 0));
    }
    if let Some(suffix) = name.strip_prefix("*.") {
        let ok = host.len() > suffix.len() + 1 && host.ends_with(&format!(".{suffix}"));
        return ok.then_some((1, usize::MAX - name.len()));
    }
    if let Some(suffix) = name.strip_prefix('.') {
        let ok = host == suffix || host.ends_with(&format!(".{suffix}"));
        return ok.then_some((1, usize::MAX - name.len()));
    }
    if let Some(prefix) = name.strip_suffix(".*") {
        let ok = host.starts_with(&format!("{prefix}."));
        return ok.then_some((2, usize::MAX - name.len()));
    }
    None
}

fn pick_by_name<'a>(servers: &[&'a Directive], host: &str) -> Option<&'a Directive> {
    let mut best: Option<((u8, usize), usize, &Directive)> = None;
    for (i, s) in servers.iter().enumerate() {
        for d in s.body().iter().filter(|d| d.name == "server_name") {
            for name in &d.args {
                if let Some(rank) = name_rank(name, host) {
                    let better = best.as_ref().is_none_or(|(r, j, _)| (rank, i) < (*r, *j));
                    if better {
                        best = Some((rank, i, s));
                    }
                }
            }
        }
    }
    best.map(|(_, _, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(text: &str) -> Config {
        Config::parse_str(text, Path::new("t.conf"), Path::new("/nonexistent")).unwrap()
    }

    #[test]
    fn server_names_follow_nginx_precedence() {
        let c = conf(
            "server { server_name ~^www\\d+\\.example\\.com$; }\n\
             server { listen 80 default_server; server_name _; }\n\
             server { server_name *.example.com; }\n\
             server { server_name www.example.com; }\n\
             server { server_name www.*; }",
        );
        let line = |h: &str| c.server_for(Some(h)).unwrap().pos.line;
        assert_eq!(line("www.example.com"), 4);
        assert_eq!(line("a.example.com"), 3);
        assert_eq!(line("www.other.org"), 5);
        assert_eq!(line("www1.example.com"), 3);
        assert_eq!(line("nowhere.test"), 2);
        assert_eq!(c.server_for(None).unwrap().pos.line, 2);
    }

    #[test]
    fn the_port_picks_the_candidates_before_the_name() {
        let c = conf(
            "server { listen 80; server_name example.com; return 301 https://$host$request_uri; }\n\
             server { listen 443 ssl; server_name example.com; }\n\
             server { listen 127.0.0.1:8080 default_server; server_name other; }\n\
             server { listen [::]:8443; server_name v6; }",
        );
        let line = |h: &str, p: Option<u16>| c.server_for_port(Some(h), p).unwrap().pos.line;
        assert_eq!(line("example.com", None), 1);
        assert_eq!(line("example.com", Some(80)), 1);
        assert_eq!(line("example.com", Some(443)), 2);
        assert_eq!(line("example.com", Some(8080)), 3);
        assert_eq!(line("x", Some(8443)), 4);
    }

    #[test]
    fn parse_errors_name_file_line_and_column() {
        let e = |t: &str| {
            Config::parse_str(t, Path::new("x.conf"), Path::new("/n"))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            e("server {\n  listen 80;\n"),
            "x.conf:3:1: unexpected end of file, expecting \"}\" (the \"server\" block opened at 1:1 is never closed)"
        );
        assert_eq!(
            e("server { }\n}"),
            "x.conf:2:1: unexpected \"}\": no block is open here (unbalanced braces)"
        );
        assert_eq!(
            e("location /a { proxy_pass http://x\n}"),
            "x.conf:2:1: unexpected \"}\": directive \"proxy_pass\" is not terminated by \";\""
        );
        assert!(e("auth_basic \"x;\n").starts_with("x.conf:1:12: unterminated quoted string"));
        assert_eq!(
            e("  ;"),
            "x.conf:1:3: unexpected \";\": no directive name before it"
        );
    }

    #[test]
    fn includes_resolve_against_the_prefix_and_report_loops_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("conf.d/sub")).unwrap();
        std::fs::write(
            d.join("nginx.conf"),
            "http { include conf.d/*.conf; include none/*.conf; }",
        )
        .unwrap();
        std::fs::write(d.join("conf.d/a.conf"), "server { server_name a; }").unwrap();
        std::fs::write(
            d.join("conf.d/b.conf"),
            "server { include conf.d/sub/x.inc; }",
        )
        .unwrap();
        std::fs::write(d.join("conf.d/sub/x.inc"), "server_name b;").unwrap();
        let c = Config::load(&d.join("nginx.conf"), None).unwrap();
        assert_eq!(c.servers().len(), 2);
        assert_eq!(c.files.len(), 4);
        std::fs::write(d.join("conf.d/sub/x.inc"), "include conf.d/b.conf;").unwrap();
        let err = Config::load(&d.join("nginx.conf"), None).unwrap_err();
        assert!(err.message.starts_with("include loop:"), "{err}");
        assert_eq!(err.pos.file.raw(), d.join("conf.d/sub/x.inc"));
        std::fs::write(d.join("conf.d/sub/x.inc"), "\n  include missing.conf;").unwrap();
        let err = Config::load(&d.join("nginx.conf"), None).unwrap_err();
        assert_eq!((err.pos.line, err.pos.col), (2, 3));
        assert!(
            err.message.contains("missing.conf\": no such file"),
            "{err}"
        );
    }
}
