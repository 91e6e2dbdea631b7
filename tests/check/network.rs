//! `why401 check` with curl's connection options, each against the real component: nginx
//! serving certificates that openssl makes in the test, nginx's own access log for what
//! reached it, squid with basic auth for a proxy's 407, Apache mod_auth_digest with users made
//! by htdigest, and the OpenID Provider oidc-provider run with Node.js.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

use crate::support::loopback;
use crate::support::servers;

use std::collections::HashSet;
use std::io::Write as _;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use loopback::cause_ids;
use serde_json::Value;
use servers::{Apache, Nginx, OidcProvider, find_binary, free_port};

/// Runs `why401 check ARGS --json` with a clean proxy and certificate environment plus `env`.
fn check(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> (Value, String) {
    let mut cmd = assert_cmd::Command::cargo_bin("why401").unwrap();
    cmd.arg("check")
        .args(args)
        .args(["--json", "--timeout", "8"]);
    for v in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
    ] {
        cmd.env_remove(v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(s) = stdin {
        cmd.write_stdin(s);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (json, stdout)
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn fact<'a>(j: &'a Value, probe: &str, name: &str) -> &'a Value {
    &j["probes"][probe]["facts"][name]
}

fn evidence(j: &Value, probe: &str) -> String {
    j["probes"][probe]["evidence"].to_string()
}

/// A server process the test started, stopped when the test ends.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_port(port: u16, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(
            &SocketAddr::from(([127, 0, 0, 1], port)),
            Duration::from_millis(100),
        )
        .is_ok()
        {
            return;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "{what} exited before listening"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on 127.0.0.1:{port}");
}

// ---------------------------------------------------------------- certificates (openssl)

/// A test CA, a second CA nobody trusts, and certificates made by the real openssl.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Option<Self> {
        find_binary(&["openssl"])?;
        let pki = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        for ca in ["ca", "rogue"] {
            pki.openssl(&[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                &format!("{ca}.key"),
                "-out",
                &format!("{ca}.pem"),
                "-days",
                "30",
                "-subj",
                &format!("/CN=why401 test {ca}"),
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ]);
        }
        std::fs::write(pki.path("index.txt"), "").unwrap();
        std::fs::write(pki.path("serial"), "1000\n").unwrap();
        std::fs::write(
            pki.path("ca.cnf"),
            format!(
                "[ca]\ndefault_ca = d\n[d]\ndatabase = {0}/index.txt\nnew_certs_dir = {0}\nserial = {0}/serial\n\
                 default_md = sha256\npolicy = any\nunique_subject = no\n[any]\ncommonName = supplied\n",
                pki.dir.path().display()
            ),
        )
        .unwrap();
        Some(pki)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn openssl(&self, args: &[&str]) {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A server certificate for `host` signed by `ca`, valid from `dates` when given
    /// (`YYYYMMDDHHMMSSZ` pairs), else for 30 days from now. Returns (cert, key).
    fn leaf(
        &self,
        name: &str,
        host: &str,
        ca: &str,
        dates: Option<(&str, &str)>,
    ) -> (String, String) {
        let ext = format!("{name}.ext");
        std::fs::write(
            self.path(&ext),
            format!("subjectAltName=DNS:{host}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"),
        )
        .unwrap();
        let (key, csr, crt) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
        );
        self.openssl(&[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &csr,
            "-subj",
            &format!("/CN={host}"),
        ]);
        let (ca_pem, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
        match dates {
            Some((start, end)) => self.openssl(&[
                "ca",
                "-batch",
                "-config",
                "ca.cnf",
                "-cert",
                &ca_pem,
                "-keyfile",
                &ca_key,
                "-in",
                &csr,
                "-out",
                &crt,
                "-startdate",
                start,
                "-enddate",
                end,
                "-extfile",
                &ext,
                "-notext",
            ]),
            None => self.openssl(&[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                &ca_pem,
                "-CAkey",
                &ca_key,
                "-set_serial",
                &format!("{}", 2000 + name.len()),
                "-out",
                &crt,
                "-days",
                "30",
                "-extfile",
                &ext,
            ]),
        }
        (
            self.path(&crt).display().to_string(),
            self.path(&key).display().to_string(),
        )
    }

    /// A self-signed certificate for `host`.
    fn self_signed(&self, name: &str, host: &str) -> (String, String) {
        let (key, crt) = (format!("{name}.key"), format!("{name}.pem"));
        self.openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &crt,
            "-days",
            "30",
            "-subj",
            &format!("/CN={host}"),
            "-addext",
            &format!("subjectAltName=DNS:{host}"),
        ]);
        (
            self.path(&crt).display().to_string(),
            self.path(&key).display().to_string(),
        )
    }
}

/// nginx `server` blocks serving TLS on free ports, one per (cert, key); returns the ports.
fn tls_servers(certs: &[(String, String)]) -> (String, Vec<u16>) {
    let mut extra = String::from(
        "log_format hosts '$server_port \"$http_host\" \"$request\" $status \"$http_user_agent\" $server_protocol';\n",
    );
    let mut ports = Vec::new();
    for (crt, key) in certs {
        let p = free_port();
        extra.push_str(&format!(
            "server {{ listen 127.0.0.1:{p} ssl http2; server_name _; ssl_certificate {crt}; ssl_certificate_key {key};\n\
             access_log {{dir}}/hosts.log hosts; location / {{ return 200 \"tls ok\\n\"; }} }}\n"
        ));
        ports.push(p);
    }
    (extra, ports)
}

#[test]
fn certificate_problems_are_named_and_trust_options_are_honoured() {
    let Some(pki) = Pki::new() else { return };
    let certs = vec![
        pki.leaf("good", "localhost", "ca", None),
        pki.leaf(
            "expired",
            "localhost",
            "ca",
            Some(("20200101000000Z", "20200201000000Z")),
        ),
        pki.leaf(
            "future",
            "localhost",
            "ca",
            Some(("20900101000000Z", "20910101000000Z")),
        ),
        pki.leaf("other", "other.test", "ca", None),
        pki.self_signed("selfsigned", "other.test"),
        pki.leaf("stranger", "localhost", "rogue", None),
    ];
    let (extra, ports) = tls_servers(&certs);
    let Some(nginx) = Nginx::start_with("location / { return 200; }", &extra) else {
        return;
    };
    let ca = pki.path("ca.pem").display().to_string();
    let url = |i: usize| format!("https://localhost:{}/", ports[i]);
    let expect = [
        (1, "expired", "expired on 2020-02-01"),
        (2, "not-yet-valid", "not valid before 2090-01-01"),
        (3, "name-mismatch", "issued for other.test, not localhost"),
        (4, "self-signed", "issued for other.test, not localhost"),
        (5, "unknown-issuer", "not in the trust store"),
    ];
    for (i, tls, words) in expect {
        let (j, _) = check(&[&url(i), "--cacert", &ca], &[], None);
        assert_eq!(fact(&j, "http", "error.tls"), tls, "case {i}: {j}");
        let message = fact(&j, "http", "error.message").to_string();
        assert!(message.contains(words), "case {i}: {message}");
        assert_eq!(cause_ids(&j)[0], "server-unreachable", "case {i}");
        assert!(
            evidence(&j, "http").contains("TLS trust: --cacert"),
            "case {i}"
        );
    }
    // The trusted one answers, and nginx logs the request.
    let (j, _) = check(&[&url(0), "--cacert", &ca], &[], None);
    assert_eq!(j["status"], 200, "{j}");
    let log = std::fs::read_to_string(nginx.path("hosts.log")).unwrap();
    assert!(
        log.contains(&format!(
            "{} \"localhost:{}\" \"GET / HTTP/",
            ports[0], ports[0]
        )),
        "{log}"
    );
    // HTTP/2 when the server offers it, HTTP/1.1 when asked, HTTP/2 only when asked.
    assert_eq!(fact(&j, "http", "version"), "HTTP/2.0", "{j}");
    let (j, _) = check(&[&url(0), "--cacert", &ca, "--http1.1"], &[], None);
    assert_eq!(fact(&j, "http", "version"), "HTTP/1.1", "{j}");
    let (j, _) = check(
        &[&url(0), "--cacert", &ca, "--http2", "-d", "a=1&b=2"],
        &[],
        None,
    );
    assert_eq!(fact(&j, "http", "version"), "HTTP/2.0", "{j}");
    assert_eq!(j["method"], "POST", "{j}");
    let log = std::fs::read_to_string(nginx.path("hosts.log")).unwrap();
    assert!(
        log.contains("\"GET / HTTP/1.1\" 200") && log.contains("HTTP/1.1\n"),
        "{log}"
    );
    assert!(log.contains("\"POST / HTTP/2.0\" 200"), "{log}");
    // SSL_CERT_FILE and SSL_CERT_DIR stand in for --cacert; without any, the built-in roots.
    let (j, _) = check(&[&url(0)], &[("SSL_CERT_FILE", &ca)], None);
    assert_eq!(j["status"], 200, "{j}");
    assert!(evidence(&j, "network").contains("SSL_CERT_FILE="), "{j}");
    let trusted = pki.path("trusted");
    std::fs::create_dir(&trusted).unwrap();
    std::fs::copy(pki.path("ca.pem"), trusted.join("ca.pem")).unwrap();
    let (j, _) = check(
        &[&url(0)],
        &[("SSL_CERT_DIR", &trusted.display().to_string())],
        None,
    );
    assert_eq!(j["status"], 200, "{j}");
    let (j, _) = check(&[&url(0)], &[], None);
    assert_eq!(fact(&j, "http", "error.tls"), "unknown-issuer", "{j}");
    // --insecure goes on, and says what it let through, in the output and in the ticket.
    let ticket = pki.path("ticket.md");
    let ticket_path = ticket.display().to_string();
    let (j, text) = check(&[&url(4), "-k", "--report", &ticket_path], &[], None);
    assert_eq!(j["status"], 200, "{j}");
    assert!(evidence(&j, "network").contains("--insecure"), "{text}");
    assert!(
        evidence(&j, "http").contains("--insecure let through: certificate problem (self-signed)"),
        "{text}"
    );
    let md = std::fs::read_to_string(&ticket).unwrap();
    assert!(md.contains("--insecure"), "{md}");
    // A missing --cacert file is a clear usage error, before any request.
    let out = assert_cmd::Command::cargo_bin("why401")
        .unwrap()
        .args(["check", &url(0), "--cacert", "/nonexistent/ca.pem"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--cacert /nonexistent/ca.pem"));
}

// ---------------------------------------------------------------- --resolve, --connect-to

#[test]
fn resolve_and_connect_to_send_the_request_where_curl_would() {
    let Some(nginx) = Nginx::start_with(
        "access_log {dir}/hosts.log hosts; location / { return 200 \"ok\\n\"; }",
        "log_format hosts '$server_port \"$http_host\" \"$request\" $status \"$http_user_agent\"';",
    ) else {
        return;
    };
    let p = nginx.port;
    let ticket = nginx.path("ticket.json").display().to_string();
    let (j, _) = check(
        &[
            &format!("http://site.test:{p}/one"),
            "--resolve",
            &format!("site.test:{p}:127.0.0.1"),
            "--report",
            &ticket,
            "--format",
            "json",
        ],
        &[],
        None,
    );
    assert_eq!(j["status"], 200, "{j}");
    assert_eq!(fact(&j, "http", "remote_addr"), &format!("127.0.0.1:{p}"));
    assert!(evidence(&j, "network").contains(&format!("--resolve site.test:{p}:127.0.0.1")));
    let t: Value = serde_json::from_str(&std::fs::read_to_string(&ticket).unwrap()).unwrap();
    assert_eq!(
        t["target"]["resolved_address"],
        format!("127.0.0.1:{p}"),
        "{t}"
    );
    let (j, _) = check(
        &[
            "http://www.test:81/two",
            "--connect-to",
            &format!("www.test:81:127.0.0.1:{p}"),
        ],
        &[],
        None,
    );
    assert_eq!(j["status"], 200, "{j}");
    assert_eq!(fact(&j, "http", "remote_addr"), &format!("127.0.0.1:{p}"));
    let log = std::fs::read_to_string(nginx.path("hosts.log")).unwrap();
    assert!(
        log.contains(&format!("{p} \"site.test:{p}\" \"GET /one HTTP/1.1\" 200")),
        "{log}"
    );
    assert!(
        log.contains(&format!("{p} \"www.test:81\" \"GET /two HTTP/1.1\" 200")),
        "{log}"
    );
    // Every line came from why401 (its marker is in the User-Agent).
    assert!(log.lines().all(|l| l.contains("why401/")), "{log}");
    let out = assert_cmd::Command::cargo_bin("why401")
        .unwrap()
        .args([
            "check",
            "http://a.test/",
            "--resolve",
            "a.test:http:1.2.3.4",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a port number"));
}

/// `--resolve HOST:PORT:ADDR` holds for that port alone (curl's meaning): a request to
/// another port of the same host goes where the system resolver says. curl itself is asked
/// the same, and both must agree.
#[test]
fn resolve_applies_to_its_own_port_only() {
    let Some(nginx) = Nginx::start("location / { return 200 \"ok\\n\"; }") else {
        return;
    };
    let p = nginx.port;
    let url = format!("http://localhost:{p}/");
    // Nothing listens on 127.0.0.9: a request sent there is refused.
    let other = format!("localhost:{}:127.0.0.9", free_port());
    let same = format!("localhost:{p}:127.0.0.9");
    let curl_status = |entry: &str| -> Option<String> {
        let curl = find_binary(&["curl"])?;
        let out = Command::new(curl)
            .args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "--resolve",
                entry,
            ])
            .arg(&url)
            .output()
            .unwrap();
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (j, _) = check(&[&url, "--resolve", &other], &[], None);
    assert_eq!(j["status"], 200, "{j}");
    assert_eq!(fact(&j, "http", "remote_addr"), &format!("127.0.0.1:{p}"));
    assert!(!evidence(&j, "network").contains("--resolve"), "{j}");
    let (j, _) = check(&[&url, "--resolve", &same], &[], None);
    assert_ne!(j["status"], 200, "{j}");
    assert!(
        evidence(&j, "network").contains(&format!("--resolve {same}")),
        "{j}"
    );
    if let (Some(other_code), Some(same_code)) = (curl_status(&other), curl_status(&same)) {
        assert_eq!((other_code.as_str(), same_code.as_str()), ("200", "000"));
    }
}

// ---------------------------------------------------------------- proxies (squid)

/// A running squid that asks for basic auth (its basic_ncsa_auth helper and an htpasswd file).
struct Squid {
    port: u16,
    dir: tempfile::TempDir,
    _child: Reaped,
}

impl Squid {
    fn start(user: &str, password: &str) -> Option<Self> {
        Self::start_as(user, password, false)
    }

    /// With `digest`, squid asks for Digest (its digest_file_auth helper, a plain user file).
    fn start_as(user: &str, password: &str, digest: bool) -> Option<Self> {
        let bin = find_binary(&["/usr/sbin/squid", "squid"])?;
        let helper = if digest {
            find_binary(&["/usr/lib/squid/digest_file_auth"])?
        } else {
            find_binary(&["/usr/lib/squid/basic_ncsa_auth"])?
        };
        let dir = tempfile::tempdir().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        let users = dir.path().join("users");
        if digest {
            std::fs::write(&users, format!("{user}:{password}\n")).unwrap();
        } else {
            servers::htpasswd(&users, "-B", user, password)?;
        }
        let scheme = if digest { "digest" } else { "basic" };
        let port = free_port();
        let d = dir.path().display();
        std::fs::write(
            dir.path().join("squid.conf"),
            format!(
                "http_port 127.0.0.1:{port}\npid_filename {d}/squid.pid\ncache_log {d}/cache.log\n\
                 access_log stdio:{d}/access.log\ncache deny all\ncoredump_dir {d}\nshutdown_lifetime 0 seconds\n\
                 auth_param {scheme} program {} {}\nauth_param {scheme} realm why401-test-proxy\n\
                 acl authed proxy_auth REQUIRED\nhttp_access allow authed\nhttp_access deny all\n",
                helper.display(),
                users.display()
            ),
        )
        .unwrap();
        let mut child = Command::new(bin)
            .args(["-N", "-f"])
            .arg(dir.path().join("squid.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_port(port, &mut child, "squid");
        Some(Self {
            port,
            dir,
            _child: Reaped(child),
        })
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default()
    }
}

#[test]
fn a_proxys_407_is_told_apart_from_the_sites_401() {
    let Some(squid) = Squid::start("alice", "proxy-pass-4711") else {
        return;
    };
    let Some(site) =
        Nginx::start("location / { auth_basic \"site\"; auth_basic_user_file {dir}/users; }")
    else {
        return;
    };
    servers::htpasswd(&site.path("users"), "-B", "bob", "site-pass").expect("htpasswd");
    let url = site.url("/private");
    // Through the proxy with no proxy credentials: the proxy's 407, not the site's 401.
    let (j, _) = check(&[&url, "-x", &squid.url()], &[], None);
    assert_eq!(j["status"], 407, "{j}");
    assert_eq!(cause_ids(&j)[0], "proxy-auth-required", "{j}");
    assert_eq!(fact(&j, "network", "proxy.status"), 407);
    assert_eq!(
        fact(&j, "network", "proxy.schemes"),
        &serde_json::json!(["basic"])
    );
    assert!(
        evidence(&j, "network").contains("Basic realm=\\\"why401-test-proxy\\\""),
        "{j}"
    );
    assert!(
        site.access_log().is_empty(),
        "the site saw: {}",
        site.access_log()
    );
    // With the proxy's credentials the site's own 401 comes through.
    let (j, text) = check(
        &[&url, "-x", &squid.url(), "--proxy-user", "alice"],
        &[("WHY401_PROXY_PASSWORD", "proxy-pass-4711")],
        None,
    );
    assert_eq!(j["status"], 401, "{j}");
    assert!(
        !cause_ids(&j).contains(&"proxy-auth-required".to_owned()),
        "{j}"
    );
    assert_eq!(j["challenges"][0]["params"]["realm"], "site");
    assert!(!text.contains("proxy-pass-4711"));
    assert!(
        site.access_log().contains("GET /private"),
        "{}",
        site.access_log()
    );
    assert!(
        squid.access_log().contains(" alice "),
        "{}",
        squid.access_log()
    );
    // A side request (the key set named by --jwks, on plain http; the site answers it 401)
    // goes through the proxy as alice too: it is sent once, with the proxy user's Basic value.
    std::fs::write(site.path("www/jwks.json"), r#"{"keys":[]}"#).unwrap();
    let token = crate::support::jwt::hs256(b"k", &serde_json::json!({"sub": "x"}));
    let jwks = site.url("/jwks.json");
    let bearer = format!("Authorization: Bearer {token}");
    let (j, _) = check(
        &[
            &url,
            "-x",
            &squid.url(),
            "--proxy-user",
            "alice",
            "-H",
            &bearer,
            "--jwks",
            &jwks,
        ],
        &[("WHY401_PROXY_PASSWORD", "proxy-pass-4711")],
        None,
    );
    assert_eq!(j["status"], 401, "{j}");
    let log = squid.access_log();
    assert!(
        log.lines().any(|l| l.contains("/jwks.json alice ")),
        "{log}"
    );
    // From the environment: HTTPS_PROXY for an https URL (a CONNECT), unless NO_PROXY exempts it.
    let target = "https://127.0.0.1:9/";
    let (j, _) = check(&[target], &[("HTTPS_PROXY", &squid.url())], None);
    assert_eq!(fact(&j, "network", "proxy.source"), "HTTPS_PROXY", "{j}");
    assert_eq!(fact(&j, "network", "proxy.status"), 407);
    assert_eq!(fact(&j, "http", "error.class"), "proxy-auth");
    assert_eq!(cause_ids(&j)[0], "proxy-auth-required", "{j}");
    assert!(
        squid.access_log().contains("CONNECT 127.0.0.1:9"),
        "{}",
        squid.access_log()
    );
    let (j, _) = check(
        &[target],
        &[
            ("HTTPS_PROXY", &squid.url()),
            ("NO_PROXY", "localhost,127.0.0.1"),
        ],
        None,
    );
    let summary = j["probes"]["network"]["summary"].as_str().unwrap();
    assert!(
        summary.contains("direct") && summary.contains("NO_PROXY entry '127.0.0.1'"),
        "{summary}"
    );
}

// ---------------------------------------------------------------- Digest (Apache)

/// Relays to `to`, holding back by 1.5 s every Digest answer whose nonce the server did not
/// hand out with `stale=true`: with `AuthDigestNonceLifetime 1` Apache finds each first
/// answer's nonce expired, and the retry with the fresh nonce goes straight through.
fn slow_relay(to: u16) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let fresh: Arc<Mutex<HashSet<String>>> = Arc::default();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let server = TcpStream::connect(("127.0.0.1", to)).unwrap();
            let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (f1, f2) = (fresh.clone(), fresh.clone());
            std::thread::spawn(move || {
                pump(client, server, |chunk| {
                    let text = String::from_utf8_lossy(chunk);
                    if text.contains("Authorization: Digest")
                        || text.contains("authorization: Digest")
                    {
                        let seen = nonce_in(&text).is_some_and(|n| f1.lock().unwrap().contains(&n));
                        if !seen {
                            std::thread::sleep(Duration::from_millis(1500));
                        }
                    }
                });
            });
            std::thread::spawn(move || {
                pump(s2, c2, |chunk| {
                    let text = String::from_utf8_lossy(chunk);
                    if text.contains("stale=true")
                        && let Some(n) = nonce_in(&text)
                    {
                        f2.lock().unwrap().insert(n);
                    }
                });
            });
        }
    });
    port
}

fn nonce_in(text: &str) -> Option<String> {
    let start = text.find("nonce=\"")? + 7;
    Some(text[start..].split('"').next()?.to_owned())
}

fn pump(mut from: TcpStream, mut to: TcpStream, look: impl Fn(&[u8])) {
    use std::io::Read as _;
    let mut buf = [0u8; 16384];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 {
            break;
        }
        look(&buf[..n]);
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Write);
}

/// `htdigest -c FILE REALM USER`, the password typed twice on its standard input.
fn htdigest(file: &Path, realm: &str, user: &str, password: &str) -> Option<()> {
    let bin = find_binary(&["/usr/bin/htdigest", "htdigest"])?;
    let setsid = find_binary(&["/usr/bin/setsid", "setsid"])?;
    // Without a terminal (setsid) htdigest reads the password from standard input.
    let mut child = Command::new(setsid)
        .arg(bin)
        .arg("-c")
        .arg(file)
        .args([realm, user])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n{password}\n").as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "htdigest failed");
    Some(())
}

/// Apache asking for Digest (realm "private area") on each `/NAME/` of `locations`, `Mufasa`
/// with password "Circle of Life" made by the real htdigest. `/stale/` gets nonces that live
/// one second.
fn apache_digest(locations: &[&str]) -> Option<Apache> {
    // One process (-X) serves one connection at a time: no connection may wait on keep-alive.
    // auth.log: each request's path, status and the scheme word of its Authorization.
    let mut conf = "KeepAlive Off\nLogFormat \"%U %>s %{Authorization}i\" auth\n\
                    CustomLog {dir}/auth.log auth\n"
        .to_owned();
    for path in locations {
        let extra = if *path == "stale" {
            "AuthDigestNonceLifetime 1"
        } else {
            ""
        };
        conf += &format!(
            "<Location \"/{path}/\">\n  AuthType Digest\n  AuthName \"private area\"\n  AuthDigestProvider file\n  \
             AuthUserFile \"{{dir}}/digest\"\n  {extra}\n  Require valid-user\n</Location>\n"
        );
    }
    let apache = Apache::start(&conf)?;
    htdigest(
        &apache.path("digest"),
        "private area",
        "Mufasa",
        "Circle of Life",
    )?;
    for path in locations {
        apache.write(&format!("www/{path}/index.html"), "in\n");
    }
    Some(apache)
}

/// Apache's `auth.log` (see [`apache_digest`]): path, status, Authorization per request.
fn auth_log(apache: &Apache) -> String {
    std::fs::read_to_string(apache.path("auth.log")).unwrap_or_default()
}

#[test]
fn digest_credentials_are_answered_and_failures_told_apart() {
    let Some(apache) = apache_digest(&["private", "stale"]) else {
        return;
    };
    let with_user = |url: &str| {
        vec![
            url.to_owned(),
            "-u".into(),
            "Mufasa".into(),
            "--password-stdin".into(),
        ]
    };
    // The right password: Apache accepts the MD5 answer and logs the user.
    let url = apache.url("/private/");
    let (j, text) = check(&strs(&with_user(&url)), &[], Some("Circle of Life\n"));
    assert_eq!(j["status"], 200, "{j}");
    assert_eq!(fact(&j, "http", "digest.outcome"), "accepted");
    assert_eq!(fact(&j, "http", "digest.algorithm"), "MD5");
    assert_eq!(fact(&j, "http", "digest.qop"), "auth");
    assert!(!text.contains("Circle of Life"));
    assert!(
        apache.access_log().contains("Mufasa ["),
        "{}",
        apache.access_log()
    );
    // A wrong password: rejected with a fresh nonce, which Apache calls a password mismatch.
    let (j, _) = check(&strs(&with_user(&url)), &[], Some("Circle of Death\n"));
    assert_eq!(j["status"], 401, "{j}");
    assert_eq!(fact(&j, "http", "digest.outcome"), "rejected");
    assert_eq!(fact(&j, "http", "digest.stale_retry"), false);
    assert_eq!(cause_ids(&j)[0], "bad-credentials", "{j}");
    // The answer went in Digest, as Apache asked: no "sent Basic, the server offers Digest".
    assert!(
        !cause_ids(&j).contains(&"wrong-auth-scheme".to_owned()),
        "{j}"
    );
    assert!(
        apache.error_log().contains("password mismatch"),
        "{}",
        apache.error_log()
    );
    // A nonce that went stale on the way: the first request goes without the password, the
    // first Digest answer is called stale and its retry with the fresh nonce gets in. The
    // retry is not counted as another send (the server found the answer valid).
    let relay = slow_relay(apache.port);
    let url = format!("http://127.0.0.1:{relay}/stale/");
    let before = auth_log(&apache).lines().count();
    let (j, _) = check(&strs(&with_user(&url)), &[], Some("Circle of Life\n"));
    assert_eq!(j["status"], 200, "{j}");
    assert_eq!(fact(&j, "http", "digest.outcome"), "accepted", "{j}");
    assert_eq!(fact(&j, "http", "digest.stale_retry"), true);
    assert_eq!(j["password_sends"]["count"], 1, "{j}");
    assert_eq!(j["password_sends"]["stale_retries"], 1, "{j}");
    assert!(
        apache.error_log().contains("nonce expired"),
        "{}",
        apache.error_log()
    );
    // By Apache's own log: two requests of this run carried credentials, both Digest (the
    // stale answer refused with 401, the retry let in), and the site root, which asked for
    // nothing, never got the password in Basic.
    let log = auth_log(&apache);
    let credentialed: Vec<String> = log
        .lines()
        .skip(before)
        .filter(|l| !l.ends_with(" -"))
        .map(|l| l.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .collect();
    // (Apache logs the 200's path after its internal redirect to index.html.)
    assert_eq!(
        credentialed,
        ["/stale/ 401 Digest", "/stale/index.html 200 Digest"],
        "{log}"
    );
    // No request of the whole test sent Basic to this Digest site.
    assert!(!log.contains("Basic"), "{log}");
}

/// A proxy that wants Digest is named by its own challenge (a 407, not the site's 401); through
/// a proxy that lets the request by, the site's Digest challenge is answered with the person's
/// credentials: real squid in front of real Apache mod_auth_digest (users made by htdigest).
#[test]
fn digest_through_a_proxy() {
    let Some(digest_proxy) = Squid::start_as("alice", "proxy-pass-4711", true) else {
        return;
    };
    let Some(squid) = Squid::start("alice", "proxy-pass-4711") else {
        return;
    };
    let Some(apache) = apache_digest(&["private"]) else {
        return;
    };
    let url = apache.url("/private/");
    // squid's own Digest challenge: a 407, parsed as the proxy's, and the site never asked.
    let (j, _) = check(&[&url, "-x", &digest_proxy.url()], &[], None);
    assert_eq!(j["status"], 407, "{j}");
    assert_eq!(cause_ids(&j)[0], "proxy-auth-required", "{j}");
    assert_eq!(
        fact(&j, "network", "proxy.schemes"),
        &serde_json::json!(["digest"])
    );
    assert!(
        evidence(&j, "network").contains("Digest realm=\\\"why401-test-proxy\\\""),
        "{j}"
    );
    assert!(apache.access_log().is_empty(), "{}", apache.access_log());
    // With --proxy-user, the Digest proxy's own challenge is answered in Digest, and then the
    // site's: squid logs the proxy user, Apache the site's user.
    let through_digest = [
        url.as_str(),
        "-x",
        &digest_proxy.url(),
        "--proxy-user",
        "alice",
        "-u",
        "Mufasa",
        "--password-stdin",
    ];
    let env = [("WHY401_PROXY_PASSWORD", "proxy-pass-4711")];
    let (j, text) = check(&through_digest, &env, Some("Circle of Life\n"));
    assert_eq!(j["status"], 200, "{j}");
    assert_eq!(fact(&j, "http", "digest.outcome"), "accepted", "{j}");
    assert!(
        !cause_ids(&j).contains(&"proxy-auth-required".to_owned()),
        "{j}"
    );
    assert_ne!(fact(&j, "network", "proxy.status"), 407, "{j}");
    assert!(!text.contains("proxy-pass-4711"));
    let log = digest_proxy.access_log();
    assert!(
        log.lines()
            .any(|l| l.contains(" alice ") && l.contains("/private/")),
        "{log}"
    );
    assert!(
        apache.access_log().contains("Mufasa ["),
        "{}",
        apache.access_log()
    );
    // The Digest proxy never got the proxy password in Basic (squid would log its base64).
    let cache_log = std::fs::read_to_string(digest_proxy.dir.path().join("cache.log")).unwrap();
    assert!(!cache_log.contains("Basic"), "{cache_log}");
    // Through the Basic proxy with its credentials: Apache's Digest 401 is answered and let in.
    let args = [
        url.as_str(),
        "-x",
        &squid.url(),
        "--proxy-user",
        "alice",
        "-u",
        "Mufasa",
        "--password-stdin",
    ];
    let (j, text) = check(&args, &env, Some("Circle of Life\n"));
    assert_eq!(j["status"], 200, "{j}");
    assert_eq!(fact(&j, "http", "digest.outcome"), "accepted");
    assert!(!text.contains("Circle of Life") && !text.contains("proxy-pass-4711"));
    assert!(
        apache.access_log().contains("Mufasa ["),
        "{}",
        apache.access_log()
    );
    assert!(
        squid.access_log().contains(" alice "),
        "{}",
        squid.access_log()
    );
    // A wrong site password through the same proxy is the site's refusal, not the proxy's.
    let (j, _) = check(&args, &env, Some("Circle of Death\n"));
    assert_eq!(j["status"], 401, "{j}");
    assert_eq!(fact(&j, "http", "digest.outcome"), "rejected");
    let ids = cause_ids(&j);
    assert_eq!(ids[0], "bad-credentials", "{j}");
    assert!(!ids.contains(&"proxy-auth-required".to_owned()), "{j}");
}

/// squid's access log once it holds a line with `needle` (a CONNECT is logged when its tunnel
/// closes), within 10 s.
fn squid_logged(squid: &Squid, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = squid.access_log();
        if log.contains(needle) || Instant::now() > deadline {
            return log;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// https through a proxy that asks for Digest: the CONNECT tunnel carries the proxy user's
/// Digest answer, as curl's --proxy-digest sends it. Real squid with digest_file_auth in front
/// of real nginx serving a certificate the test made (its own CA given with --cacert).
#[test]
fn a_digest_proxy_opens_an_https_tunnel() {
    let Some(pki) = Pki::new() else { return };
    let Some(squid) = Squid::start_as("alice", "proxy-pass-4711", true) else {
        return;
    };
    let (crt, key) = pki.leaf("site", "localhost", "ca", None);
    let port = free_port();
    let extra = format!(
        "log_format site '\"$request\" $status \"$remote_user\"';\n\
         server {{ listen 127.0.0.1:{port} ssl; server_name _; ssl_certificate {crt}; ssl_certificate_key {key};\n\
         access_log {{dir}}/site.log site; root {{dir}}/www; location / {{ auth_basic \"site\"; auth_basic_user_file {{dir}}/users; }} }}\n"
    );
    let Some(site) = Nginx::start_with("location / { return 200; }", &extra) else {
        return;
    };
    servers::htpasswd(&site.path("users"), "-B", "bob", "site-pass").expect("htpasswd");
    std::fs::write(site.path("www/private"), "in\n").unwrap();
    let site_log = || std::fs::read_to_string(site.path("site.log")).unwrap_or_default();
    let url = format!("https://localhost:{port}/private");
    let ca = pki.path("ca.pem").display().to_string();
    let args = [
        url.as_str(),
        "--cacert",
        &ca,
        "-x",
        &squid.url(),
        "--proxy-user",
        "alice",
    ];
    // The right proxy password: squid lets the tunnel through for alice, the site's own 401
    // comes back and is the one diagnosed.
    let (j, text) = check(&args, &[("WHY401_PROXY_PASSWORD", "proxy-pass-4711")], None);
    assert_eq!(j["status"], 401, "{j}");
    assert_eq!(j["challenges"][0]["params"]["realm"], "site", "{j}");
    assert!(
        !cause_ids(&j).contains(&"proxy-auth-required".to_owned()),
        "{j}"
    );
    assert!(!text.contains("proxy-pass-4711"));
    assert!(
        site_log().contains("\"GET /private HTTP/1.1\" 401"),
        "{}",
        site_log()
    );
    let needle = format!("CONNECT localhost:{port} alice ");
    let log = squid_logged(&squid, &needle);
    assert!(log.contains(&needle), "{log}");
    // With the site's password too, through the same tunnel: let in, as bob.
    let mut with_user = args.to_vec();
    with_user.extend(["-u", "bob", "--password-stdin"]);
    let (j, text) = check(
        &with_user,
        &[("WHY401_PROXY_PASSWORD", "proxy-pass-4711")],
        Some("site-pass\n"),
    );
    assert_eq!(j["status"], 200, "{j}");
    assert!(!text.contains("proxy-pass-4711") && !text.contains("site-pass"));
    assert!(site_log().contains("200 \"bob\""), "{}", site_log());
    // A wrong proxy password: the proxy's refusal (407), not the site's 401, and the request
    // never reached the site.
    let before = site_log();
    let (j, text) = check(&args, &[("WHY401_PROXY_PASSWORD", "wrong-4711")], None);
    assert_eq!(fact(&j, "http", "error.class"), "proxy-auth", "{j}");
    assert_eq!(cause_ids(&j)[0], "proxy-auth-required", "{j}");
    assert_eq!(fact(&j, "network", "proxy.status"), 407, "{j}");
    assert!(
        fact(&j, "http", "error.message")
            .to_string()
            .contains("with 407 to the Digest answer of --proxy-user"),
        "{j}"
    );
    assert!(!text.contains("wrong-4711"));
    assert_eq!(site_log(), before);
    // The Digest proxy never saw the password in Basic (squid logs a Basic value it does not
    // take, in the clear).
    let cache_log = std::fs::read_to_string(squid.dir.path().join("cache.log")).unwrap();
    assert!(!cache_log.contains("Basic"), "{cache_log}");
    // A proxy that asks for Basic alone gets Basic on the tunnel, once it has asked.
    let Some(basic) = Squid::start("alice", "proxy-pass-4711") else {
        return;
    };
    let mut through_basic = args.to_vec();
    let basic_url = basic.url();
    through_basic[4] = &basic_url;
    let (j, _) = check(
        &through_basic,
        &[("WHY401_PROXY_PASSWORD", "proxy-pass-4711")],
        None,
    );
    assert_eq!(j["status"], 401, "{j}");
    assert_eq!(j["challenges"][0]["params"]["realm"], "site", "{j}");
    let log = squid_logged(&basic, &needle);
    assert!(log.contains(&needle), "{log}");
}

// ---------------------------------------------------------------- a fresh token (oidc-provider)

#[test]
fn a_fresh_token_is_fetched_retried_and_its_refusals_named() {
    let Some(p) = OidcProvider::start() else {
        return;
    };
    let api = format!("http://127.0.0.1:{}/reports", p.api);
    let issuer = format!("http://127.0.0.1:{}", p.op);
    let token_endpoint = format!("{issuer}/token");
    let stale = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(stale.path(), "an-old-token-the-provider-never-issued\n").unwrap();
    let stale_path = stale.path().display().to_string();
    let secret = ("WHY401_CLIENT_SECRET", "reporting-secret-0123456789");
    // The endpoint found by discovery; the fresh token is accepted where the old one was not.
    let (j, text) = check(
        &[
            &api,
            "--bearer-file",
            &stale_path,
            "--client-credentials",
            "reporting",
            "--issuer",
            &issuer,
            "--scope",
            "read",
        ],
        &[secret],
        None,
    );
    assert_eq!(j["status"], 401, "{j}");
    assert_eq!(fact(&j, "fresh_token", "token.obtained"), true, "{j}");
    assert_eq!(fact(&j, "fresh_token", "token.endpoint"), &token_endpoint);
    assert_eq!(fact(&j, "fresh_token", "retry.status"), 200);
    assert_eq!(fact(&j, "fresh_token", "fixed"), true);
    assert!(
        j["probes"]["fresh_token"]["summary"]
            .as_str()
            .unwrap()
            .contains("a fresh token fixes it")
    );
    assert!(!text.contains("reporting-secret-0123456789"));
    // invalid_client: a wrong secret, the token endpoint given.
    let (j, text) = check(
        &[
            &api,
            "--client-credentials",
            "reporting",
            "--token-endpoint",
            &token_endpoint,
        ],
        &[("WHY401_CLIENT_SECRET", "not-the-secret")],
        None,
    );
    assert_eq!(
        fact(&j, "fresh_token", "token.error"),
        "invalid_client",
        "{j}"
    );
    assert!(
        cause_ids(&j).contains(&"oauth-client-rejected".to_owned()),
        "{j}"
    );
    assert!(!text.contains("not-the-secret"));
    // invalid_scope: a scope this client may not have.
    let (j, _) = check(
        &[
            &api,
            "--client-credentials",
            "reporting",
            "--token-endpoint",
            &token_endpoint,
            "--scope",
            "openid",
        ],
        &[secret],
        None,
    );
    assert_eq!(
        fact(&j, "fresh_token", "token.error"),
        "invalid_scope",
        "{j}"
    );
    assert!(
        cause_ids(&j).contains(&"oauth-scope-rejected".to_owned()),
        "{j}"
    );
    // A client registered without the client credentials grant.
    let (j, _) = check(
        &[
            &api,
            "--client-credentials",
            "web-only",
            "--token-endpoint",
            &token_endpoint,
        ],
        &[("WHY401_CLIENT_SECRET", "web-only-secret-0123456789")],
        None,
    );
    assert!(
        cause_ids(&j).contains(&"oauth-grant-not-allowed".to_owned()),
        "{j}"
    );
}

/// Answers one 401 with `challenge` per connection and keeps every Authorization it gets.
fn digest_capture(challenge: String) -> (u16, Arc<Mutex<Vec<String>>>) {
    use std::io::{BufRead as _, BufReader};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let keep = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut out = stream;
            loop {
                let mut auth = None;
                let mut line = String::new();
                let mut any = false;
                while reader.read_line(&mut line).unwrap_or(0) > 0 {
                    any = true;
                    if line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Authorization: ") {
                        auth = Some(v.trim().to_owned());
                    }
                    line.clear();
                }
                if !any {
                    break;
                }
                let answer = match auth {
                    Some(a) => {
                        keep.lock().unwrap().push(a);
                        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_owned()
                    }
                    None => format!(
                        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: {challenge}\r\nContent-Length: 0\r\n\r\n"
                    ),
                };
                if out.write_all(answer.as_bytes()).is_err() {
                    break;
                }
            }
        }
    });
    (port, seen)
}

/// A Digest challenge no client can answer (SHA-1, which RFC 7616 does not define) is told
/// apart from a wrong password: nothing is sent with the password, neither Digest nor Basic
/// (the site asked for Digest), and the evidence names the algorithm.
#[test]
fn an_unsupported_digest_algorithm_is_not_a_wrong_password() {
    let (port, seen) = digest_capture(
        r#"Digest realm="legacy", nonce="abc123", algorithm=SHA-1, qop="auth""#.into(),
    );
    let url = format!("http://127.0.0.1:{port}/legacy");
    let (j, text) = check(
        &[&url, "-u", "alice", "--password-stdin"],
        &[],
        Some("pw-unsent-4711\n"),
    );
    assert_eq!(j["status"], 401, "{j}");
    assert_eq!(fact(&j, "http", "digest.outcome"), "unsupported", "{j}");
    assert!(evidence(&j, "http").contains("SHA-1"), "{j}");
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );
    assert_eq!(j["password_sends"]["count"], 0, "{j}");
    // Nothing was sent: not a wrong password, nor Basic where Digest was asked.
    let ids = cause_ids(&j);
    assert_eq!(ids[0], "no-credentials-sent", "{j}");
    assert!(
        !ids.contains(&"bad-credentials".to_owned())
            && !ids.contains(&"wrong-auth-scheme".to_owned()),
        "{j}"
    );
    assert!(
        j["causes"][0]["evidence"].to_string().contains("SHA-1"),
        "{j}"
    );
    assert!(!text.contains("pw-unsent-4711"));
}

/// A server that calls every nonce stale, even the fresh one of its own retry: one retry,
/// then `digest-nonce-stale`, not a wrong password; two answers went out, the second a
/// stale retry that does not count against the limit.
#[test]
fn a_nonce_stale_again_after_the_retry_is_named() {
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse as _;
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    let handler = move |headers: HeaderMap| {
        let seen = seen.clone();
        async move {
            let answered = headers.contains_key("authorization");
            let n = seen.fetch_add(usize::from(answered), std::sync::atomic::Ordering::SeqCst);
            let stale = if answered { ", stale=true" } else { "" };
            (
                StatusCode::UNAUTHORIZED,
                [(
                    "www-authenticate",
                    format!(r#"Digest realm="r", nonce="nonce-{n}", qop="auth"{stale}"#),
                )],
                "",
            )
                .into_response()
        }
    };
    let url = loopback::serve(axum::Router::new().fallback(axum::routing::any(handler)));
    let (j, _) = check(
        &[&format!("{url}/"), "-u", "alice", "--password-stdin"],
        &[],
        Some("pw-4711\n"),
    );
    assert_eq!(fact(&j, "http", "digest.outcome"), "stale-again", "{j}");
    assert_eq!(fact(&j, "http", "digest.stale_retry"), true);
    assert_eq!(cause_ids(&j)[0], "digest-nonce-stale", "{j}");
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert_eq!(j["password_sends"]["count"], 1, "{j}");
    assert_eq!(j["password_sends"]["stale_retries"], 1, "{j}");
}

/// curl computes the same Digest answers (MD5-sess, SHA-256 with a hashed user name,
/// SHA-256-sess, and qop auth-int, whose empty body curl hashes with the challenge's
/// algorithm) as why401 does from curl's own cnonce and count. RFC 7616 §3.9.1 prints only
/// qop=auth answers (see `net::digest` tests); curl is the authority for auth-int. Apache
/// cannot be one: mod_auth_digest has neither auth-int nor SHA-2. Nor is curl one for
/// SHA-512-256 before 8.8: curl 7.88 answers such a challenge with SHA-256 (its response is
/// SHA-256's for the same inputs), so that algorithm is checked against FIPS 180-4 and
/// OpenSSL in `net::digest`'s tests instead.
#[test]
fn digest_answers_match_curls() {
    use why401::net::digest::{DigestChallenge, DigestRequest, answer};
    let Some(curl) = find_binary(&["curl"]) else {
        return;
    };
    for (alg, userhash, qop) in [
        ("MD5", false, "auth"),
        ("MD5-sess", false, "auth"),
        ("SHA-256", true, "auth"),
        ("SHA-256-sess", false, "auth"),
        ("MD5", false, "auth-int"),
        ("MD5-sess", false, "auth-int"),
        ("SHA-256", true, "auth-int"),
    ] {
        let challenge = format!(
            "Digest realm=\"why401 test\", qop=\"{qop}\", algorithm={alg}, \
             nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"{}",
            if userhash { ", userhash=true" } else { "" }
        );
        let (port, seen) = digest_capture(challenge.clone());
        let out = Command::new(&curl)
            .args([
                "-s",
                "-o",
                "/dev/null",
                "--digest",
                "-u",
                "Mufasa:Circle of Life",
            ])
            .arg(format!("http://127.0.0.1:{port}/dir/index.html?x=1"))
            .output()
            .unwrap();
        assert!(out.status.success(), "curl failed for {alg}");
        let sent = seen
            .lock()
            .unwrap()
            .first()
            .cloned()
            .expect("curl answered the challenge");
        let theirs = why401::probe::challenge::parse(&[sent.as_str()]);
        let p = |n: &str| theirs.challenges[0].param(n).unwrap_or_default().to_owned();
        let offered = why401::probe::challenge::parse(&[challenge.as_str()]);
        let ch = DigestChallenge::from_params(
            offered.challenges[0]
                .params
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str())),
        )
        .unwrap();
        let req = DigestRequest {
            method: "GET",
            uri: "/dir/index.html?x=1",
            body: b"",
        };
        let nc = u32::from_str_radix(&p("nc"), 16).unwrap();
        let ours = answer(&ch, "Mufasa", "Circle of Life", req, &p("cnonce"), nc);
        assert_eq!(p("qop"), qop, "{alg}: curl sent {sent}");
        assert_eq!(
            ours.response,
            p("response"),
            "{alg} {qop}: curl sent {sent}"
        );
        assert!(
            ours.header
                .contains(&format!("username=\"{}\"", p("username"))),
            "{alg}: {sent}"
        );
    }
}

/// The wizard takes the same connection options, checked before it takes the terminal.
#[test]
fn the_wizard_takes_the_connection_options() {
    let usage_error = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("why401")
            .unwrap()
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let url = "https://example.test/";
    assert!(
        usage_error(&["--cacert", "/nonexistent/ca.pem", url])
            .contains("--cacert /nonexistent/ca.pem")
    );
    assert!(
        usage_error(&["--connect-to", "a.test:1:b.test", url]).contains("HOST1:PORT1:HOST2:PORT2")
    );
}

/// `-d @FILE` sends what curl sends for the same file (its line breaks removed, the form
/// content type, POST), by the record of a server that answers 401 only to that POST.
#[test]
fn data_from_a_file_is_sent_as_curl_sends_it() {
    use axum::http::{HeaderMap, Method, StatusCode};
    use axum::response::IntoResponse as _;
    type Seen = Arc<Mutex<Vec<(String, String, Vec<u8>)>>>;
    let Some(curl) = find_binary(&["curl"]) else {
        return;
    };
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let handler = move |method: Method, headers: HeaderMap, body: axum::body::Bytes| {
        let log = log.clone();
        async move {
            let kind = headers
                .get("content-type")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .unwrap_or_default();
            log.lock()
                .unwrap()
                .push((method.to_string(), kind, body.to_vec()));
            if method == Method::POST {
                (
                    StatusCode::UNAUTHORIZED,
                    [("www-authenticate", "Bearer realm=\"api\"")],
                    "",
                )
                    .into_response()
            } else {
                (StatusCode::OK, "ok").into_response()
            }
        }
    };
    let url = loopback::serve(axum::Router::new().fallback(axum::routing::any(handler)));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body.txt");
    std::fs::write(
        &file,
        "grant_type=password&\r\nuser=alice\nscope=read write\n",
    )
    .unwrap();
    let at_file = format!("@{}", file.display());
    let target = format!("{url}/token");
    let status = Command::new(&curl)
        .args(["-s", "-o", "/dev/null", "-d", &at_file, &target])
        .status()
        .unwrap();
    assert!(status.success());
    let by_curl = seen.lock().unwrap().pop().unwrap();
    let (j, _) = check(&[&target, "-d", &at_file], &[], None);
    assert_eq!(j["method"], "POST", "{j}");
    assert_eq!(j["status"], 401, "{j}");
    let ours = seen
        .lock()
        .unwrap()
        .iter()
        .find(|(m, _, b)| *m == "POST" && *b == by_curl.2)
        .cloned();
    let Some(ours) = ours else {
        panic!(
            "no request of why401 carried curl's body {:?}: {:?}",
            by_curl,
            seen.lock().unwrap()
        );
    };
    assert_eq!(by_curl.2, b"grant_type=password&user=alicescope=read write");
    assert_eq!(ours.1, by_curl.1, "content type");
    // A file that is not there: one line naming it, exit 2, nothing sent.
    let before = seen.lock().unwrap().len();
    let out = assert_cmd::Command::cargo_bin("why401")
        .unwrap()
        .args(["check", &target, "-d", "@/nonexistent/body.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/nonexistent/body.txt") && err.lines().count() == 1,
        "{err}"
    );
    assert_eq!(seen.lock().unwrap().len(), before);
}
