//! Real nginx and Apache servers for tests: started on a free loopback port with a config
//! written to a temp dir, stopped on drop. Where the binary is missing the test is skipped
//! with a printed reason, except under `CI=true`, where that is a failure.
//!
//! A test uses it as `use crate::support::servers;`.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::missing_panics_doc
)]

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Finds a server binary, or decides the test is skipped (panics under CI=true).
pub fn find_binary(candidates: &[&str]) -> Option<PathBuf> {
    for c in candidates {
        let p = Path::new(c);
        if p.is_file() {
            return Some(p.to_path_buf());
        }
        if let Ok(path) = std::env::var("PATH") {
            for dir in std::env::split_paths(&path) {
                let full = dir.join(c);
                if full.is_file() {
                    return Some(full);
                }
            }
        }
    }
    let reason = format!("none of {candidates:?} is installed");
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {reason}: .ci/run must install it"
    );
    eprintln!("skipped: {reason}");
    None
}

/// A free port on 127.0.0.1 (bound, then released for the server to take).
///
/// The port is below the kernel's ephemeral range: a server that starts slowly (Node.js) is
/// handed a port that no in-test server binding port 0, and no outgoing connection, can take
/// in the meantime.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|r| r.split_whitespace().next()?.parse::<u32>().ok())
        .unwrap_or(32_768);
    let (start, end) = (10_000u32, low.max(10_001));
    let span = end - start;
    let seed = std::process::id().wrapping_mul(7919)
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
    for _ in 0..200 {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = start + seed.wrapping_add(n.wrapping_mul(104_729)) % span;
        let Ok(port) = u16::try_from(port) else {
            continue;
        };
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

fn wait_for_port(port: u16, child: &mut Child, what: &str, log: &Path) {
    wait_for_port_within(port, child, what, log, 10);
}

fn wait_for_port_within(port: u16, child: &mut Child, what: &str, log: &Path, secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{what} exited with {status} before listening:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let log = std::fs::read_to_string(log).unwrap_or_default();
    panic!("{what} did not listen on 127.0.0.1:{port} within {secs} s:\n{log}");
}

/// Makes the temp dir traversable by an unprivileged server user (tests may run as root).
fn open_up(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
    }
}

/// A running nginx.
pub struct Nginx {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Child,
    /// The `TZ` nginx runs in (its logs' wall clock), when set.
    tz: Option<String>,
}

impl Nginx {
    /// Starts nginx with `server_body` inside `server { listen 127.0.0.1:PORT; ... }`.
    /// `{dir}` in the body is replaced by the temp dir (for user files, roots).
    pub fn start(server_body: &str) -> Option<Self> {
        Self::start_with(server_body, "")
    }

    /// Like [`Nginx::start`], with extra directives at `http {}` level.
    pub fn start_with(server_body: &str, http_extra: &str) -> Option<Self> {
        Self::start_in_zone(None, server_body, http_extra)
    }

    /// Like [`Nginx::start_with`], with nginx in the zone `tz` (a POSIX `TZ` value such as
    /// `IST-5:30`, which needs no zone database): nginx keeps `TZ` from its environment and
    /// writes both logs in that wall clock.
    pub fn start_in_zone(tz: Option<&str>, server_body: &str, http_extra: &str) -> Option<Self> {
        let bin = find_binary(&["/usr/sbin/nginx", "nginx"])?;
        let dir = tempfile::tempdir().expect("temp dir");
        open_up(dir.path());
        let port = free_port();
        let child = spawn_nginx(&bin, dir.path(), port, server_body, http_extra, tz);
        Some(Self {
            port,
            dir,
            child,
            tz: tz.map(str::to_owned),
        })
    }

    /// Stops nginx and starts it again on the same port with a new `server_body` (a fix
    /// applied to the configuration, then a restart).
    pub fn restart(&mut self, server_body: &str) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let bin = find_binary(&["/usr/sbin/nginx", "nginx"]).expect("nginx ran before");
        self.child = spawn_nginx(
            &bin,
            self.dir.path(),
            self.port,
            server_body,
            "",
            self.tz.as_deref(),
        );
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.path("access.log")).unwrap_or_default()
    }
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.path("error.log")).unwrap_or_default()
    }
}

/// Writes `nginx.conf` for `port` in `dir` and runs nginx on it until the port listens.
fn spawn_nginx(
    bin: &Path,
    dir: &Path,
    port: u16,
    server_body: &str,
    http_extra: &str,
    tz: Option<&str>,
) -> Child {
    let d = dir.display().to_string();
    let body = server_body.replace("{dir}", &d);
    let extra = http_extra.replace("{dir}", &d);
    let conf = format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log info;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log {d}/access.log combined;\n  client_body_temp_path {d}/tmp_body;\n  proxy_temp_path {d}/tmp_proxy;\n  \
             fastcgi_temp_path {d}/tmp_fcgi;\n  uwsgi_temp_path {d}/tmp_uwsgi;\n  scgi_temp_path {d}/tmp_scgi;\n  {extra}\n  \
             server {{\n    listen 127.0.0.1:{port};\n    server_name localhost;\n    root {d}/www;\n{body}\n  }}\n}}\n"
    );
    std::fs::create_dir_all(dir.join("www")).expect("www dir");
    std::fs::write(dir.join("nginx.conf"), conf).expect("write nginx.conf");
    let mut cmd = Command::new(bin);
    if let Some(tz) = tz {
        cmd.env("TZ", tz);
    }
    let mut child = cmd
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("stderr.log")).expect("stderr log"))
        .spawn()
        .expect("spawn nginx");
    wait_for_port(port, &mut child, "nginx", &dir.join("stderr.log"));
    child
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running Apache httpd (single process, `-X`).
pub struct Apache {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Child,
}

const APACHE_MODULES: &[&str] = &[
    "mpm_prefork",
    "authn_core",
    "authn_file",
    "authz_core",
    "authz_user",
    "authz_host",
    "authz_groupfile",
    "auth_basic",
    "auth_digest",
    "access_compat",
    "alias",
    "dir",
    "mime",
    "log_config",
    "unixd",
    "rewrite",
    "headers",
    "setenvif",
    "env",
];

impl Apache {
    /// Starts Apache with DocumentRoot `{dir}/www` (AllowOverride All, so .htaccess works) and
    /// `extra` appended to the server config. `{dir}` in `extra` is replaced by the temp dir.
    pub fn start(extra: &str) -> Option<Self> {
        Self::start_defined(extra, &[])
    }

    /// Like [`Apache::start`], with `-D NAME` on the command line for each of `defines`.
    pub fn start_defined(extra: &str, defines: &[&str]) -> Option<Self> {
        let bin = find_binary(&["/usr/sbin/apache2", "apache2", "httpd"])?;
        let dir = tempfile::tempdir().expect("temp dir");
        open_up(dir.path());
        let d = dir.path().display().to_string();
        let port = free_port();
        let modules = Path::new("/usr/lib/apache2/modules");
        let mut conf = String::new();
        for m in APACHE_MODULES {
            let so = modules.join(format!("mod_{m}.so"));
            if so.is_file() {
                conf.push_str(&format!("LoadModule {m}_module {}\n", so.display()));
            }
        }
        let user = if is_root() {
            "User www-data\nGroup www-data\n"
        } else {
            ""
        };
        conf.push_str(&format!(
            "ServerRoot {d}\nServerName localhost\nListen 127.0.0.1:{port}\nPidFile {d}/httpd.pid\nMutex file:{d}\n{user}\
             ErrorLog {d}/error.log\nLogLevel info\n\
             LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b \\\"%{{Referer}}i\\\" \\\"%{{User-Agent}}i\\\"\" combined\n\
             CustomLog {d}/access.log combined\nTypesConfig /etc/mime.types\nDocumentRoot {d}/www\n\
             <Directory {d}/www>\n  AllowOverride All\n  Require all granted\n</Directory>\n{}\n",
            extra.replace("{dir}", &d)
        ));
        std::fs::create_dir_all(dir.path().join("www")).expect("www dir");
        open_up(&dir.path().join("www"));
        std::fs::write(dir.path().join("httpd.conf"), conf).expect("write httpd.conf");
        let mut child = Command::new(bin)
            .arg("-X")
            .args(defines.iter().flat_map(|d| ["-D", d]))
            .arg("-d")
            .arg(dir.path())
            .arg("-f")
            .arg(dir.path().join("httpd.conf"))
            .env("APACHE_RUN_DIR", dir.path())
            .env("APACHE_LOCK_DIR", dir.path())
            .env("APACHE_LOG_DIR", dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).expect("stderr log"))
            .spawn()
            .expect("spawn apache2");
        wait_for_port(port, &mut child, "apache2", &dir.path().join("stderr.log"));
        Some(Self { port, dir, child })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    /// Writes a file under the temp dir, readable by the server's user.
    pub fn write(&self, name: &str, body: &str) -> PathBuf {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
            open_up(parent);
        }
        let mut f = std::fs::File::create(&p).expect("create");
        f.write_all(body.as_bytes()).expect("write");
        p
    }
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.path("access.log")).unwrap_or_default()
    }
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.path("error.log")).unwrap_or_default()
    }
}

impl Drop for Apache {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs the real `htpasswd` to add USER with PASSWORD to FILE using the given flag
/// (-B bcrypt, -m apr1, -s SHA, -d crypt, -p plain, -2 SHA-256, -5 SHA-512). Creates the file.
pub fn htpasswd(file: &Path, flag: &str, user: &str, password: &str) -> Option<()> {
    let bin = find_binary(&["/usr/bin/htpasswd", "htpasswd"])?;
    let mut args = vec!["-b".to_owned(), flag.to_owned()];
    if !file.exists() {
        args.insert(0, "-c".to_owned());
    }
    let out = Command::new(bin)
        .args(&args)
        .arg(file)
        .arg(user)
        .arg(password)
        .output()
        .expect("run htpasswd");
    assert!(
        out.status.success(),
        "htpasswd {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(())
}

/// oidc-provider (tests/fixtures/oidc, an OpenID-certified provider run with Node.js) on one
/// port, and on another an API that takes only the access tokens it issued; stopped on drop.
/// Its clients: `reporting` / `reporting-secret-0123456789` (client credentials, scope
/// `read`) and `web-only` (no client credentials grant).
pub struct OidcProvider {
    pub op: u16,
    pub api: u16,
    child: Child,
}

impl OidcProvider {
    pub fn start() -> Option<Self> {
        let node = find_binary(&["node", "nodejs"])?;
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/oidc");
        if !fixture.join("node_modules/oidc-provider").is_dir() {
            let reason = "oidc-provider is not installed (npm ci --prefix tests/fixtures/oidc)";
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but {reason}"
            );
            eprintln!("skipped: {reason}");
            return None;
        }
        let log = tempfile::NamedTempFile::new().expect("log file");
        let (op, api) = (free_port(), free_port());
        let mut child = Command::new(node)
            .arg("server.js")
            .args([op.to_string(), api.to_string()])
            .current_dir(&fixture)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log.reopen().expect("log file"))
            .spawn()
            .expect("start node");
        // Node.js starts slowly on a loaded machine.
        wait_for_port_within(op, &mut child, "oidc-provider", log.path(), 30);
        wait_for_port_within(
            api,
            &mut child,
            "the API beside oidc-provider",
            log.path(),
            30,
        );
        Some(Self { op, api, child })
    }

    /// The issuer (and OpenID discovery base).
    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.op)
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
