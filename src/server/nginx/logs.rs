//! Where nginx writes the logs of a server: `error_log` and `access_log` as the server block,
//! the `http` block or the main level set them (the innermost wins, as nginx inherits them).

use std::path::PathBuf;

use super::{Config, Directive};

/// The log files of one server, when they are files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFiles {
    pub error: Option<PathBuf>,
    pub access: Option<PathBuf>,
}

/// The logs of the server a request for `host` on `port` lands in.
pub fn log_files(config: &Config, host: Option<&str>, port: Option<u16>) -> LogFiles {
    let server = config.server_for_port(host, port);
    let levels: Vec<&[Directive]> = [
        server.map(Directive::body),
        Some(config.http()),
        Some(config.root.as_slice()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let first = |name: &str| {
        levels
            .iter()
            .find_map(|l| l.iter().find(|d| d.name == name))
            .and_then(|d| d.arg(0))
    };
    LogFiles {
        error: first("error_log").and_then(|p| file(config, p)),
        access: first("access_log")
            .filter(|p| *p != "off")
            .and_then(|p| file(config, p)),
    }
}

/// A log destination as a file path (relative ones from the prefix); none for stderr,
/// syslog or memory.
fn file(config: &Config, value: &str) -> Option<PathBuf> {
    if value == "stderr" || value.starts_with("syslog:") || value.starts_with("memory:") {
        return None;
    }
    let p = PathBuf::from(value);
    Some(if p.is_relative() {
        config.prefix.join(p)
    } else {
        p
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config(text: &str) -> Config {
        Config::parse_str(
            text,
            Path::new("/etc/nginx/nginx.conf"),
            Path::new("/etc/nginx"),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_innermost_level_names_the_logs() {
        let c = config(
            "error_log /var/log/nginx/error.log info;\nhttp {\n access_log logs/access.log combined;\n server { listen 80; }\n server { listen 8080; error_log /srv/b/error.log; access_log off; }\n}\n",
        );
        assert_eq!(
            log_files(&c, None, Some(80)),
            LogFiles {
                error: Some("/var/log/nginx/error.log".into()),
                access: Some("/etc/nginx/logs/access.log".into()),
            }
        );
        assert_eq!(
            log_files(&c, None, Some(8080)),
            LogFiles {
                error: Some("/srv/b/error.log".into()),
                access: None,
            }
        );
    }

    #[test]
    fn logs_that_are_not_files_are_left_out() {
        let c = config(
            "error_log stderr;\nhttp { access_log syslog:server=unix:/dev/log; server { } }\n",
        );
        assert_eq!(log_files(&c, None, None), LogFiles::default());
    }
}
