//! Access-log layouts besides combined/common: an nginx `log_format` compiled into literal
//! and field parts (matched with memmem, no regex), and JSON lines from nginx, Caddy or Traefik.

use anyhow::{Context, bail};
use memchr::memmem;
use serde_json::Value;

use super::access::AccessRecord;
use super::time;

pub mod haproxy;
pub mod nginx_conf;
pub(crate) mod w3c;

/// A field of a log_format that why401 reads; the others are skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Client,
    User,
    TimeLocal,
    TimeIso,
    Msec,
    Request,
    Method,
    Target,
    Status,
    UserAgent,
    Referer,
    /// `$connection`: the serial nginx's error log writes as `*N`.
    Connection,
    Skip,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(Vec<u8>),
    Var(Field),
}

/// A compiled nginx `log_format`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFormat {
    parts: Vec<Part>,
    pub source: String,
}

fn field(name: &str) -> Field {
    match name {
        "remote_addr" | "realip_remote_addr" | "http_x_real_ip" => Field::Client,
        "remote_user" => Field::User,
        "time_local" => Field::TimeLocal,
        "time_iso8601" => Field::TimeIso,
        "msec" => Field::Msec,
        "request" => Field::Request,
        "request_method" => Field::Method,
        "request_uri" | "uri" => Field::Target,
        "status" => Field::Status,
        "http_user_agent" => Field::UserAgent,
        "http_referer" => Field::Referer,
        "connection" => Field::Connection,
        _ => Field::Skip,
    }
}

impl LineFormat {
    /// Compiles `$remote_addr - $remote_user [$time_local] "$request" $status ...`.
    pub(crate) fn compile(source: &str) -> anyhow::Result<Self> {
        let mut parts = Vec::new();
        let mut lit = Vec::new();
        let b = source.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'$' {
                lit.push(b[i]);
                i += 1;
                continue;
            }
            let braced = b.get(i + 1) == Some(&b'{');
            let start = i + 1 + usize::from(braced);
            let mut end = start;
            while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                end += 1;
            }
            if end == start {
                bail!("log format: '$' at byte {i} is not followed by a variable name");
            }
            if !lit.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut lit)));
            }
            if matches!(parts.last(), Some(Part::Var(_))) {
                bail!(
                    "log format: variables ${} and the one before it have nothing between them, so the line cannot be split",
                    &source[start..end]
                );
            }
            parts.push(Part::Var(field(&source[start..end])));
            i = end + usize::from(braced);
        }
        if !lit.is_empty() {
            parts.push(Part::Literal(lit));
        }
        if !parts.contains(&Part::Var(Field::Status)) {
            bail!("log format has no $status, so 401s cannot be found: {source}");
        }
        Ok(Self {
            parts,
            source: source.to_owned(),
        })
    }

    /// True when the layout is nginx's `combined` (so the fast parser applies).
    pub(crate) fn is_combined(&self) -> bool {
        self.source.trim()
            == r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#
    }

    /// True when the layout has `$remote_user`.
    pub(crate) fn records_user(&self) -> bool {
        self.parts.contains(&Part::Var(Field::User))
    }

    /// Parses one line; the time comes back as seconds when the format has one.
    pub fn parse<'a>(&self, line: &'a [u8]) -> Option<(AccessRecord<'a>, Option<i64>)> {
        let mut rec = AccessRecord::default();
        let mut t = None;
        let mut pos = 0;
        let mut has_status = false;
        for (i, part) in self.parts.iter().enumerate() {
            match part {
                Part::Literal(l) => {
                    if !line.get(pos..)?.starts_with(l) {
                        return None;
                    }
                    pos += l.len();
                }
                Part::Var(f) => {
                    let end = match self.parts.get(i + 1) {
                        Some(Part::Literal(next)) => pos + memmem::find(&line[pos..], next)?,
                        _ => line.len(),
                    };
                    let v = &line[pos..end];
                    pos = end;
                    match f {
                        Field::Client => rec.client = v,
                        Field::User => rec.user = v,
                        Field::TimeLocal => t = time::parse_clf(v),
                        Field::TimeIso => t = time::parse_iso(std::str::from_utf8(v).ok()?),
                        Field::Msec => t = parse_epoch(v),
                        Field::Request => {
                            let (m, target) = split_request(v);
                            rec.method = m;
                            rec.target = target;
                        }
                        Field::Method => rec.method = v,
                        Field::Target => rec.target = v,
                        Field::Status => {
                            rec.status = std::str::from_utf8(v).ok()?.parse().ok()?;
                            has_status = true;
                        }
                        Field::UserAgent => rec.user_agent = v,
                        Field::Referer => rec.referer = v,
                        Field::Connection => {
                            rec.connection = std::str::from_utf8(v).ok()?.parse().ok()?;
                        }
                        Field::Skip => {}
                    }
                }
            }
        }
        (pos == line.len() && has_status).then_some((rec, t))
    }
}

fn parse_epoch(v: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(v).ok()?;
    let secs = s.split('.').next()?;
    secs.parse().ok()
}

fn split_request(req: &[u8]) -> (&[u8], &[u8]) {
    let mut it = req.splitn(3, |&c| c == b' ');
    match (it.next(), it.next()) {
        (Some(m), Some(t)) => (m, t),
        _ => (&[], req),
    }
}

/// Owned fields of the last JSON line, reused from line to line.
#[derive(Debug, Default)]
pub struct JsonScratch {
    client: String,
    user: String,
    method: String,
    target: String,
    agent: String,
    status: u16,
}

impl JsonScratch {
    pub fn record(&self) -> AccessRecord<'_> {
        AccessRecord {
            client: self.client.as_bytes(),
            user: self.user.as_bytes(),
            time: &[],
            method: self.method.as_bytes(),
            target: self.target.as_bytes(),
            status: self.status,
            referer: &[],
            user_agent: self.agent.as_bytes(),
            ..AccessRecord::default()
        }
    }
}

fn lookup<'v>(v: &'v Value, keys: &[&str]) -> Option<&'v Value> {
    keys.iter().find_map(|k| {
        let mut cur = v;
        for seg in k.split('.') {
            cur = match cur {
                Value::Object(m) => m.get(seg)?,
                Value::Array(a) => a.first()?,
                _ => return None,
            };
        }
        if let Value::Array(a) = cur {
            return a.first();
        }
        Some(cur)
    })
}

fn text(v: &Value, keys: &[&str], out: &mut String) {
    out.clear();
    match lookup(v, keys) {
        Some(Value::String(s)) => out.push_str(s),
        Some(Value::Number(n)) => out.push_str(&n.to_string()),
        _ => {}
    }
}

fn json_time(v: &Value) -> Option<i64> {
    match lookup(
        v,
        &[
            "time_iso8601",
            "time",
            "timestamp",
            "@timestamp",
            "StartUTC",
            "StartLocal",
            "ts",
            "msec",
            "time_local",
        ],
    )? {
        Value::Number(n) => n.as_f64().map(|f| {
            // Caddy writes seconds as a float; some loggers write milliseconds.
            if f > 1e11 {
                (f / 1000.0) as i64
            } else {
                f as i64
            }
        }),
        Value::String(s) => time::parse_iso(s)
            .or_else(|| time::parse_clf(s.as_bytes()))
            .or_else(|| parse_epoch(s.as_bytes())),
        _ => None,
    }
}

/// Parses one JSON access-log line into `scratch`; `Some(time)` when it is a request record.
pub fn parse_json(line: &[u8], scratch: &mut JsonScratch) -> Option<Option<i64>> {
    let v: Value = serde_json::from_slice(line).ok()?;
    let status = match lookup(
        &v,
        &[
            "status",
            "DownstreamStatus",
            "OriginStatus",
            "response.status",
        ],
    )? {
        Value::Number(n) => u16::try_from(n.as_u64()?).ok()?,
        Value::String(s) => s.parse().ok()?,
        _ => return None,
    };
    scratch.status = status;
    text(
        &v,
        &[
            "remote_addr",
            "client_ip",
            "request.client_ip",
            "request.remote_ip",
            "ClientHost",
            "remote_ip",
            "ip",
        ],
        &mut scratch.client,
    );
    text(
        &v,
        &["remote_user", "user_id", "ClientUsername", "user"],
        &mut scratch.user,
    );
    text(
        &v,
        &[
            "request_method",
            "method",
            "RequestMethod",
            "request.method",
        ],
        &mut scratch.method,
    );
    text(
        &v,
        &["request_uri", "uri", "RequestPath", "request.uri", "path"],
        &mut scratch.target,
    );
    if scratch.target.is_empty() {
        if let Some(Value::String(r)) = lookup(&v, &["request"]) {
            let (m, t) = split_request(r.as_bytes());
            scratch.method = String::from_utf8_lossy(m).into_owned();
            scratch.target = String::from_utf8_lossy(t).into_owned();
            if let Some(sp) = scratch.target.rfind(" HTTP/") {
                scratch.target.truncate(sp);
            }
        }
    }
    text(
        &v,
        &[
            "http_user_agent",
            "user_agent",
            "request_User-Agent",
            "request.headers.User-Agent",
        ],
        &mut scratch.agent,
    );
    Some(json_time(&v))
}

/// Reads a log format from `--format`: a name, or an nginx log_format string.
pub(crate) fn from_flag(spec: &str) -> anyhow::Result<super::scan::AccessFormat> {
    use super::scan::AccessFormat;
    Ok(match spec.trim() {
        "combined" => AccessFormat::Combined,
        "common" | "clf" => AccessFormat::Common,
        "json" => AccessFormat::Json,
        other => {
            let f = LineFormat::compile(other).context("--format")?;
            if f.is_combined() {
                AccessFormat::Combined
            } else {
                AccessFormat::Custom(std::sync::Arc::new(f))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_log_format_lines_parse() {
        let f = LineFormat::compile(
            r#"$remote_addr [$time_iso8601] "$request" $status $request_time "$http_user_agent" "$http_x_forwarded_for""#,
        )
        .unwrap();
        let line = br#"10.0.0.9 [2026-11-01T00:00:05+00:00] "GET /admin?x=1 HTTP/1.1" 401 0.002 "curl/8" "-""#;
        let (r, t) = f.parse(line).unwrap();
        assert_eq!(
            (r.client, r.method, r.target, r.status),
            (&b"10.0.0.9"[..], &b"GET"[..], &b"/admin?x=1"[..], 401)
        );
        assert_eq!(r.user_agent, b"curl/8");
        assert_eq!(t, time::parse_iso("2026-11-01T00:00:05Z"));
        assert!(f.parse(&line[..40]).is_none());
        assert!(LineFormat::compile("$remote_addr $request").is_err());
        assert!(LineFormat::compile("$status$request").is_err());
    }

    #[test]
    fn json_lines_of_three_servers_parse() {
        let mut s = JsonScratch::default();
        let nginx = br#"{"time_iso8601":"2026-11-01T00:00:05+00:00","remote_addr":"1.2.3.4","remote_user":"","request":"GET /a HTTP/1.1","status":"401","http_user_agent":"curl/8"}"#;
        assert!(parse_json(nginx, &mut s).unwrap().is_some());
        assert_eq!(
            (s.status, s.target.as_str(), s.client.as_str()),
            (401, "/a", "1.2.3.4")
        );
        let caddy = br#"{"level":"info","ts":1793491205.5,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"5.6.7.8","method":"GET","uri":"/b","headers":{"User-Agent":["Mozilla"]}},"status":401}"#;
        assert!(parse_json(caddy, &mut s).is_some());
        assert_eq!(
            (
                s.status,
                s.target.as_str(),
                s.client.as_str(),
                s.agent.as_str()
            ),
            (401, "/b", "5.6.7.8", "Mozilla")
        );
        let traefik = br#"{"ClientHost":"9.9.9.9","RequestMethod":"POST","RequestPath":"/c","DownstreamStatus":401,"StartUTC":"2026-11-01T00:00:05.1Z","request_User-Agent":"why401/0.1.0 probe/abc"}"#;
        assert!(parse_json(traefik, &mut s).unwrap().is_some());
        assert_eq!(
            (s.method.as_str(), s.agent.as_str()),
            ("POST", "why401/0.1.0 probe/abc")
        );
        assert!(parse_json(b"{\"msg\":\"no status\"}", &mut s).is_none());
        assert!(parse_json(b"not json", &mut s).is_none());
    }
}
