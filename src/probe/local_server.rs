//! The `local_server` probe: which web server on this machine answers the address, and
//! the configuration it was started with, so the owner is not asked for a path the machine
//! can tell. Reads `/proc` only (the listening socket's inode, the processes holding it,
//! their command lines); no request is sent.

use std::path::{Path, PathBuf};

use futures::FutureExt;

use super::{ArgSpec, FactType, ProbeArgs, ProbeContext, ProbeKind, ProbeReport, Verdict, fact};

pub const KIND: ProbeKind = ProbeKind {
    name: "local_server",
    doc: "The nginx or Apache on this machine that listens on the address's port, and the configuration file it runs with (from /proc).",
    args: &[ArgSpec::new(
        "url",
        true,
        false,
        "the address; only a loopback host is looked up",
    )],
    facts: &[
        fact(
            "found",
            FactType::Bool,
            "a server process listens on the port",
        ),
        fact(
            "software",
            FactType::Str,
            "nginx, apache or the program's name",
        ),
        fact("pid", FactType::Int, "the listening process"),
        fact(
            "config",
            FactType::Str,
            "the configuration file it runs with",
        ),
        fact(
            "nginx_conf",
            FactType::Str,
            "the nginx configuration, when nginx listens",
        ),
        fact(
            "apache_conf",
            FactType::Str,
            "the Apache configuration, when Apache listens",
        ),
    ],
    run,
};

fn run(id: String, args: ProbeArgs, _ctx: ProbeContext) -> super::ProbeFuture {
    async move {
        let url = args.get("url").cloned().unwrap_or_default();
        tokio::task::spawn_blocking(move || look(&id, &url))
            .await
            .unwrap_or_else(|e| ProbeReport::failed("local_server", "local_server", e.to_string()))
    }
    .boxed()
}

/// The lookup, off the async threads.
fn look(id: &str, url: &str) -> ProbeReport {
    let mut report = ProbeReport::new(id, "local_server");
    report.verdict = Verdict::Info;
    let Some(port) = loopback_port(url) else {
        report.fact("found", false);
        report.summary = "not a loopback address: the server is not looked up here".into();
        return report;
    };
    let Some(server) = listener(port) else {
        report.fact("found", false);
        report.summary = format!("no process of this user listens on port {port}");
        return report;
    };
    report.fact("found", true);
    report.fact("pid", i64::from(server.pid));
    report.fact("software", server.software.as_str());
    report.summary = format!(
        "{} (pid {}) listens on port {port}",
        server.software, server.pid
    );
    if let Some(conf) = &server.config {
        let conf = conf.display().to_string();
        report.fact("config", conf.as_str());
        match server.software.as_str() {
            "nginx" => report.fact("nginx_conf", conf.as_str()),
            "apache" => report.fact("apache_conf", conf.as_str()),
            _ => {}
        }
        report.summary.push_str(&format!(", configuration {conf}"));
        report.evidence.push(report.summary.clone());
    }
    report
}

/// The configuration file of the nginx or Apache on this machine that listens on `url`'s
/// port, when the address is loopback and the file can be opened: `("nginx" | "apache", file)`.
pub fn config_for(url: &str) -> Option<(&'static str, PathBuf)> {
    let server = listener(loopback_port(url)?)?;
    let software = match server.software.as_str() {
        "nginx" => "nginx",
        "apache" => "apache",
        _ => return None,
    };
    let conf = server.config?;
    std::fs::File::open(&conf).ok()?;
    Some((software, conf))
}

/// The port of a URL whose host is this machine's loopback.
fn loopback_port(url: &str) -> Option<u16> {
    let u = url::Url::parse(url).ok()?;
    let local = match u.host()? {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(a) => a.is_loopback(),
        url::Host::Ipv6(a) => a.is_loopback(),
    };
    if local {
        u.port_or_known_default()
    } else {
        None
    }
}

/// A process listening on the port.
#[derive(Debug, PartialEq, Eq)]
struct Server {
    pid: u32,
    software: String,
    config: Option<PathBuf>,
}

/// The process that holds the listening socket of `port`, with its configuration.
fn listener(port: u16) -> Option<Server> {
    let inodes: Vec<u64> = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .flat_map(|t| listening_inodes(&t, port))
        .collect();
    if inodes.is_empty() {
        return None;
    }
    let pid = std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .find(|pid| holds_socket(*pid, &inodes))?;
    let args = cmdline(pid);
    let software = software(&args);
    // A worker's command line says only "worker process": the master knows the file.
    let args = if software == "nginx" && !args.iter().any(|a| a == "-c") {
        parent(pid)
            .map(cmdline)
            .filter(|a| !a.is_empty())
            .unwrap_or(args)
    } else {
        args
    };
    let config = config_of(&software, &args);
    Some(Server {
        pid,
        software,
        config,
    })
}

/// Socket inodes in LISTEN state (0A) on `port`, from a /proc/net/tcp table.
fn listening_inodes(table: &str, port: u16) -> Vec<u64> {
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let local = cols.get(1)?;
            let (_, hex_port) = local.rsplit_once(':')?;
            let listening = *cols.get(3)? == "0A";
            (listening && u16::from_str_radix(hex_port, 16).ok()? == port)
                .then(|| cols.get(9)?.parse().ok())
                .flatten()
        })
        .collect()
}

fn holds_socket(pid: u32, inodes: &[u64]) -> bool {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten().any(|fd| {
        std::fs::read_link(fd.path()).ok().is_some_and(|target| {
            let t = target.to_string_lossy();
            inodes.iter().any(|i| t == format!("socket:[{i}]"))
        })
    })
}

/// The words of a process's command line (nginx rewrites its own into one line).
fn cmdline(pid: u32) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| {
            String::from_utf8_lossy(&b)
                .split(['\0', ' '])
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name in parentheses: state, then the parent's pid.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

fn software(args: &[String]) -> String {
    let words = args.iter().take(4).map(|a| {
        Path::new(a.trim_end_matches(':'))
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default()
    });
    for w in words {
        if w == "nginx" {
            return "nginx".into();
        }
        if w == "apache2" || w == "httpd" {
            return "apache".into();
        }
    }
    args.first()
        .and_then(|a| Path::new(a).file_name())
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// The configuration a server runs with: its `-c` (nginx, relative to `-p`) or `-f`
/// (Apache, relative to `-d`), else the packaged default when it exists.
fn config_of(software: &str, args: &[String]) -> Option<PathBuf> {
    let after = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .map(PathBuf::from)
    };
    let (file, root, defaults): (_, _, &[&str]) = match software {
        "nginx" => (after("-c"), after("-p"), &["/etc/nginx/nginx.conf"]),
        "apache" => (
            after("-f"),
            after("-d"),
            &["/etc/apache2/apache2.conf", "/etc/httpd/conf/httpd.conf"],
        ),
        _ => return None,
    };
    match (file, root) {
        (Some(f), Some(r)) if f.is_relative() => Some(r.join(f)),
        (Some(f), _) => Some(f),
        (None, _) => defaults.iter().map(PathBuf::from).find(|p| p.is_file()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn listening_sockets_are_read_from_the_kernel_table() {
        // Lines as /proc/net/tcp writes them: port 0x1F90 = 8080 listening, 0x0050 = 80
        // established.
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0 100 0 0 10 0\n   1: 0100007F:0050 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 77 1 0 100 0 0 10 0\n";
        assert_eq!(listening_inodes(table, 8080), [4242]);
        assert!(listening_inodes(table, 80).is_empty());
    }

    #[test]
    fn the_configuration_comes_from_the_command_line() {
        let nginx = words("nginx: master process /usr/sbin/nginx -p /srv/site -c conf/nginx.conf");
        assert_eq!(software(&nginx), "nginx");
        assert_eq!(
            config_of("nginx", &nginx),
            Some(PathBuf::from("/srv/site/conf/nginx.conf"))
        );
        let apache = words("/usr/sbin/apache2 -X -d /tmp/a -f /tmp/a/httpd.conf");
        assert_eq!(software(&apache), "apache");
        assert_eq!(
            config_of("apache", &apache),
            Some(PathBuf::from("/tmp/a/httpd.conf"))
        );
        assert_eq!(
            software(&words("/usr/bin/python3 -m http.server")),
            "python3"
        );
    }

    #[test]
    fn only_loopback_addresses_are_looked_up() {
        assert_eq!(loopback_port("http://127.0.0.1:8080/a"), Some(8080));
        assert_eq!(loopback_port("http://localhost/"), Some(80));
        assert_eq!(loopback_port("https://[::1]/"), Some(443));
        assert_eq!(loopback_port("https://example.com/"), None);
    }

    /// A real listener of this process: found by its port, and named after this program.
    #[test]
    fn a_listener_of_this_process_is_found() {
        let Ok(sock) = std::net::TcpListener::bind("127.0.0.1:0") else {
            return;
        };
        let Ok(addr) = sock.local_addr() else { return };
        if !Path::new("/proc/net/tcp").exists() {
            return;
        }
        let found = listener(addr.port());
        assert_eq!(found.map(|s| s.pid), Some(std::process::id()));
    }
}
