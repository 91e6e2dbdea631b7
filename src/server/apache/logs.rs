//! Where Apache writes the logs of a virtual host: `ErrorLog` and `CustomLog` of the vhost
//! the request lands in, else of the main server (a vhost without its own inherits them).

use std::path::{Path, PathBuf};

use super::Config;
use crate::server::nginx::logs::LogFiles;

/// The logs of the vhost for `host` (see [`Config::vhost`]).
pub fn log_files(config: &Config, host: Option<&str>) -> LogFiles {
    let vhost = config.vhost(host);
    let first = |name: &str| {
        config
            .server_directive(vhost, name)
            .and_then(|d| d.arg(0))
            .and_then(|p| file(&config.server_root, p))
    };
    LogFiles {
        error: first("ErrorLog"),
        access: first("CustomLog"),
    }
}

/// A log destination as a file: none for a pipe (`|rotatelogs ...`), syslog, or a path whose
/// `${VAR}` this process cannot expand (Debian's `${APACHE_LOG_DIR}` comes from envvars,
/// which the server's own environment holds, not ours: better no path than a wrong one).
fn file(server_root: &Path, value: &str) -> Option<PathBuf> {
    if value.starts_with('|') || value.starts_with("syslog") {
        return None;
    }
    let value = expand(value)?;
    let p = PathBuf::from(value);
    Some(if p.is_relative() {
        server_root.join(p)
    } else {
        p
    })
}

/// `${NAME}` replaced from the environment; none when a name is not set.
fn expand(value: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}')? + start;
        out.push_str(&std::env::var(&rest[start + 2..end]).ok()?);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::apache::Kind;

    fn config(text: &str) -> Config {
        Config::parse_str(text, Path::new("/etc/apache2/apache2.conf"), Kind::Server).unwrap()
    }

    #[test]
    fn the_vhost_for_the_host_wins_and_relative_paths_start_at_server_root() {
        let c = config(
            "ErrorLog logs/error_log\nCustomLog logs/access_log combined\n\
             <VirtualHost *:80>\nServerName shop.example\nErrorLog /var/log/shop/error.log\n</VirtualHost>\n\
             <VirtualHost *:80>\nServerName blog.example\n</VirtualHost>\n",
        );
        let shop = log_files(&c, Some("shop.example"));
        assert_eq!(shop.error, Some(PathBuf::from("/var/log/shop/error.log")));
        // No CustomLog of its own: the main server's, as Apache inherits it.
        assert_eq!(
            shop.access,
            Some(PathBuf::from("/etc/apache2/logs/access_log"))
        );
        let blog = log_files(&c, Some("blog.example"));
        assert_eq!(
            blog.error,
            Some(PathBuf::from("/etc/apache2/logs/error_log"))
        );
    }

    #[test]
    fn pipes_syslog_and_unknown_variables_give_no_file() {
        let c = config(
            "ErrorLog syslog:local7\nCustomLog \"|/usr/bin/rotatelogs /var/log/a 86400\" common\n",
        );
        assert_eq!(log_files(&c, None), LogFiles::default());
        let c = config("ErrorLog ${WHY401_NO_SUCH_VARIABLE}/error.log\n");
        assert_eq!(log_files(&c, None).error, None);
    }
}
