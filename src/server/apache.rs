//! Apache httpd configuration and .htaccess files: parse with includes, collect the sections
//! that apply to a request in Apache's merge order, and work out the effective auth.

use std::path::{Path, PathBuf};

use super::{Directive, ParseError, source};

pub mod effective;
pub mod logs;
pub mod parse;

/// Where the directives came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A server configuration (httpd.conf, apache2.conf, a sites-available file).
    Server,
    /// An .htaccess file: it applies to its own directory.
    Htaccess,
}

/// A parsed Apache configuration or .htaccess file.
#[derive(Debug, Clone)]
pub struct Config {
    pub kind: Kind,
    pub main: PathBuf,
    pub server_root: PathBuf,
    /// Where the ServerRoot came from, for messages.
    pub server_root_from: &'static str,
    pub root: Vec<Directive>,
    pub files: Vec<PathBuf>,
    /// Conditional sections whose body Apache does not read (`<IfDefine X>` with X not
    /// defined, `<IfModule !mod_x.c>`): each with where and why.
    pub skipped: Vec<parse::Skipped>,
}

/// What the command line tells Apache that the files do not say.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `-d DIR`: where relative paths start (ServerRoot).
    pub server_root: Option<PathBuf>,
    /// `-D NAME`: names `<IfDefine>` tests.
    pub defines: Vec<String>,
}

/// The ServerRoot a distribution's apache2/httpd is built with, for an .htaccess read alone.
fn distribution_server_root() -> PathBuf {
    ["/etc/apache2", "/etc/httpd", "/usr/local/apache2"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_dir())
        .unwrap_or_else(|| PathBuf::from("/etc/apache2"))
}

impl Config {
    /// Loads a file with no command-line options (see [`Config::load_with`]).
    pub fn load(path: &Path, kind: Kind) -> Result<Self, ParseError> {
        Self::load_with(path, kind, &LoadOptions::default())
    }

    /// Loads a server configuration or an .htaccess. ServerRoot: `-d` if given, else the
    /// config's own ServerRoot, else the file's directory (or its parent for files in
    /// sites-*/conf.d/conf-*), as Debian lays it out; for an .htaccess the distribution's.
    pub fn load_with(path: &Path, kind: Kind, options: &LoadOptions) -> Result<Self, ParseError> {
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
        let mut server_root =
            if name.starts_with("sites-") || name.starts_with("conf") || name == "mods-enabled" {
                dir.parent().map_or(dir.clone(), Path::to_path_buf)
            } else {
                dir
            };
        let mut server_root_from = "guessed from the file's place";
        if kind == Kind::Htaccess {
            server_root = distribution_server_root();
            server_root_from = "the distribution's default; give --server-root if it differs";
        }
        if let Some(root) = &options.server_root {
            server_root.clone_from(root);
            server_root_from = "--server-root";
        } else if kind == Kind::Server {
            // A ServerRoot in the first lines decides where includes start.
            let head = source::read(path, None, &mut source::Budget::default())?;
            let text = String::from_utf8_lossy(&head);
            if let Some(root) = text.lines().find_map(|l| {
                let l = l.trim();
                l.get(..10)
                    .filter(|h| h.eq_ignore_ascii_case("serverroot"))
                    .map(|_| l[10..].trim().trim_matches('"').to_owned())
            }) {
                server_root = PathBuf::from(root);
                server_root_from = "ServerRoot";
            }
        }
        let mut tree = parse::TreeParser::new(server_root.clone());
        tree.defines.clone_from(&options.defines);
        let (root, files) = if kind == Kind::Htaccess {
            // .htaccess files cannot include others: parse the text alone.
            let bytes = source::read(path, None, &mut tree.budget)?;
            (tree.text(&bytes, path)?, vec![path.to_path_buf()])
        } else {
            let root = tree.file(path, None)?;
            (root, std::mem::take(&mut tree.files))
        };
        Ok(Self {
            kind,
            main: path.to_path_buf(),
            server_root,
            server_root_from,
            root,
            files,
            skipped: tree.skipped,
        })
    }

    pub fn parse_str(text: &str, name: &Path, kind: Kind) -> Result<Self, ParseError> {
        let dir = name.parent().unwrap_or(Path::new("/")).to_path_buf();
        let mut tree = parse::TreeParser::new(dir.clone());
        let root = tree.text(text.as_bytes(), name)?;
        Ok(Self {
            kind,
            main: name.to_path_buf(),
            server_root: dir,
            server_root_from: "the file's directory",
            root,
            files: vec![name.to_path_buf()],
            skipped: tree.skipped,
        })
    }

    /// The VirtualHost for `host` (ServerName, then ServerAlias with `*` wildcards), else the
    /// first VirtualHost, else none (the main server).
    pub fn vhost(&self, host: Option<&str>) -> Option<&Directive> {
        let vhosts: Vec<&Directive> = self
            .root
            .iter()
            .filter(|d| is(d, "VirtualHost") && d.block.is_some())
            .collect();
        if let Some(host) = host.map(str::to_ascii_lowercase) {
            let names = |v: &Directive| -> Vec<String> {
                v.body()
                    .iter()
                    .filter(|d| is(d, "ServerName") || is(d, "ServerAlias"))
                    .flat_map(|d| d.args.iter().map(|a| a.to_ascii_lowercase()))
                    .collect()
            };
            if let Some(v) = vhosts
                .iter()
                .find(|v| names(v).iter().any(|n| wildcard(n, &host)))
            {
                return Some(v);
            }
        }
        vhosts.first().copied()
    }

    /// A directive of the main server or the given vhost (the vhost's wins).
    pub(crate) fn server_directive<'a>(
        &'a self,
        vhost: Option<&'a Directive>,
        name: &str,
    ) -> Option<&'a Directive> {
        vhost
            .and_then(|v| v.body().iter().find(|d| is(d, name)))
            .or_else(|| self.root.iter().find(|d| is(d, name)))
    }
}

/// Case-insensitive directive name test (Apache's names are case-insensitive).
pub fn is(d: &Directive, name: &str) -> bool {
    d.name.eq_ignore_ascii_case(name)
}

/// Shell-style match with `*` and `?` (ServerAlias, Files).
pub(crate) fn wildcard(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        Config::parse_str(text, Path::new("/x/h.conf"), Kind::Server)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn sections_nest_and_errors_are_positioned() {
        let c = Config::parse_str(
            "# c\n<Directory \"/srv/www\">\n  AuthType Basic\n  AuthName \"My \\\"realm\\\"\"\n  <RequireAll>\n    Require valid-user\n  </RequireAll>\n</Directory>\nRequire \\\n  all granted\n",
            Path::new("/x/h.conf"),
            Kind::Server,
        )
        .unwrap();
        assert_eq!(c.root.len(), 2);
        let dir = &c.root[0];
        assert_eq!(dir.args, ["/srv/www"]);
        assert_eq!(dir.body()[1].args, ["My \"realm\""]);
        assert_eq!(dir.body()[2].body()[0].pos.line, 6);
        assert_eq!(c.root[1].args, ["all", "granted"]);
        assert_eq!(
            err("<Directory /a>\n  Require all granted\n"),
            "/x/h.conf:3:1: unexpected end of file: <Directory /a> opened at 2:1 is never closed"
                .replace("2:1", "1:1")
        );
        assert_eq!(
            err("<Files a>\n</Directory>"),
            "/x/h.conf:2:1: </Directory> closes <Files> opened at 1:1"
        );
        assert_eq!(
            err("  </Files>"),
            "/x/h.conf:1:3: </Files> without matching <Files> section"
        );
        assert_eq!(
            err("AuthName \"open"),
            "/x/h.conf:1:10: unterminated quoted string"
        );
        let c = Config::parse_str(
            "<IfModule mod_a.c>\nA 1\n<IfModule !mod_b.c>\nB 2\n</IfModule>\n</IfModule>\nC 3",
            Path::new("/x/h.conf"),
            Kind::Server,
        )
        .unwrap();
        let names: Vec<&str> = c.root.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["A", "C"]);
        assert_eq!(
            err("<Directory /a"),
            "/x/h.conf:1:1: <Directory /a is missing its closing '>'"
        );
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("*.example.com", "a.example.com"));
        assert!(!wildcard("*.example.com", "example.com"));
        assert!(wildcard("f?le*", "file.php"));
    }
}
