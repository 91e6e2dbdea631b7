//! The servers' own configuration tests (`nginx -t`, `apache2 -t`), run so that they touch
//! nothing of the installed server: pid, logs and run files go to a temp dir.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::sanitize::Outside;

/// What the server's own test said.
#[derive(Debug, Clone, Serialize)]
pub struct SelfTest {
    pub command: String,
    /// `None` when it was not run (binary missing, partial file); `reason` says why.
    pub ok: Option<bool>,
    /// What the server printed: it quotes the configuration, so it is a stranger's text.
    pub output: Outside,
    pub reason: Option<String>,
}

const LIMIT: Duration = Duration::from_secs(15);

fn find(candidates: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    candidates.iter().find_map(|c| {
        let p = Path::new(c);
        if p.is_absolute() {
            return p.is_file().then(|| p.to_path_buf());
        }
        std::env::split_paths(&path)
            .map(|d| d.join(c))
            .find(|f| f.is_file())
    })
}

fn skipped(command: &str, reason: impl Into<String>) -> SelfTest {
    SelfTest {
        command: command.to_owned(),
        ok: None,
        output: Outside::default(),
        reason: Some(reason.into()),
    }
}

fn run(mut cmd: Command, label: &str) -> SelfTest {
    let started = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return skipped(label, format!("could not start: {e}")),
    };
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return skipped(
                    label,
                    format!("gave no answer within {} s", LIMIT.as_secs()),
                );
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return skipped(label, format!("could not wait: {e}")),
        }
    }
    match child.wait_with_output() {
        Ok(out) => {
            let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
            text.push_str(&String::from_utf8_lossy(&out.stdout));
            SelfTest {
                command: label.to_owned(),
                ok: Some(out.status.success()),
                output: Outside::new(text.trim()),
                reason: None,
            }
        }
        Err(e) => skipped(label, format!("could not read its output: {e}")),
    }
}

/// `nginx -t` on a whole nginx.conf, with pid and error log kept in a temp dir.
pub fn nginx(conf: &Path, complete: bool, has_pid: bool) -> SelfTest {
    let label = format!("nginx -t -c {}", conf.display());
    if !complete {
        return skipped(
            &label,
            "a partial file (no http/events block): nginx -t needs the whole nginx.conf",
        );
    }
    let Some(bin) = find(&["/usr/sbin/nginx", "nginx"]) else {
        return skipped(&label, "nginx is not installed here");
    };
    let Some(tmp) = Scratch::new() else {
        return skipped(&label, "no temp dir");
    };
    let conf = std::fs::canonicalize(conf).unwrap_or_else(|_| conf.to_path_buf());
    let mut cmd = Command::new(bin);
    cmd.arg("-t")
        .arg("-q")
        .arg("-e")
        .arg("stderr")
        .arg("-c")
        .arg(&conf);
    if !has_pid {
        cmd.arg("-g")
            .arg(format!("pid {}/nginx.pid;", tmp.0.as_path().display()));
    }
    let mut result = run(cmd, &label);
    if result.ok == Some(true) && result.output.is_empty() {
        result.output = Outside::new("syntax is ok, test is successful");
    }
    result
}

/// `apache2 -t` on a whole server configuration, with run and log dirs in a temp dir.
pub fn apache(conf: &Path, server_root: &Path, complete: bool) -> SelfTest {
    let label = format!("apache2 -t -f {}", conf.display());
    if !complete {
        return skipped(
            &label,
            "a partial file (no LoadModule): apache2 -t needs the whole server configuration",
        );
    }
    let Some(bin) = find(&["/usr/sbin/apache2", "apache2", "httpd", "/usr/sbin/httpd"]) else {
        return skipped(&label, "Apache httpd is not installed here");
    };
    let Some(tmp) = Scratch::new() else {
        return skipped(&label, "no temp dir");
    };
    let conf = std::fs::canonicalize(conf).unwrap_or_else(|_| conf.to_path_buf());
    let mut cmd = Command::new(bin);
    cmd.arg("-t")
        .arg("-d")
        .arg(server_root)
        .arg("-f")
        .arg(&conf);
    for var in [
        "APACHE_RUN_DIR",
        "APACHE_LOCK_DIR",
        "APACHE_LOG_DIR",
        "APACHE_PID_FILE",
    ] {
        cmd.env(var, tmp.0.as_path());
    }
    cmd.env("APACHE_RUN_USER", "www-data")
        .env("APACHE_RUN_GROUP", "www-data");
    run(cmd, &label)
}

/// A private scratch dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Option<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir =
            std::env::temp_dir().join(format!("why401-selftest-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&dir).ok()?;
        Some(Self(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
