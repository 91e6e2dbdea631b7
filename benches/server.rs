//! A 10,000-line nginx configuration tree with 200 included files, parsed and resolved
//! (server, location, effective auth) end to end. Target: under 50 ms.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use why401::server::nginx::{Config, auth};

/// Writes nginx.conf plus 200 site files of 50 lines each; returns the line count.
fn write_tree(dir: &Path) -> usize {
    std::fs::create_dir_all(dir.join("sites")).unwrap();
    let mut lines = 0;
    for i in 0..200 {
        let mut s = String::new();
        writeln!(s, "server {{\n    listen 80;\n    server_name site{i}.example.test www.site{i}.example.test;").unwrap();
        writeln!(
            s,
            "    root /srv/site{i}; # comment\n    proxy_set_header Host $host;"
        )
        .unwrap();
        for j in 0..9 {
            writeln!(
                s,
                "    location /area{j}/ {{\n        auth_basic \"Area {j}\";\n        auth_basic_user_file /etc/nginx/htpasswd{i};\n        proxy_pass http://127.0.0.1:{};\n    }}",
                8000 + j
            )
            .unwrap();
        }
        writeln!(s, "    location ~ \\.php$ {{ fastcgi_pass unix:/run/php.sock; }}\n    location = /health {{ return 200 'ok'; }}\n}}\n").unwrap();
        lines += s.lines().count();
        std::fs::write(dir.join(format!("sites/site{i:03}.conf")), s).unwrap();
    }
    let main =
        "user www-data;\nevents { worker_connections 64; }\nhttp {\n    include sites/*.conf;\n}\n";
    std::fs::write(dir.join("nginx.conf"), main).unwrap();
    lines + main.lines().count()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let lines = write_tree(dir.path());
    assert!(lines >= 10_000, "{lines} lines");
    let conf = dir.path().join("nginx.conf");
    let loaded = Config::load(&conf, None).unwrap();
    assert_eq!(loaded.files.len(), 201);
    c.bench_function("nginx: load 10k lines / 200 includes + resolve auth", |b| {
        b.iter(|| {
            let config = Config::load(&conf, None).unwrap();
            let req = auth::Request {
                host: Some("www.site150.example.test"),
                path: "/area7/x",
                ..auth::Request::default()
            };
            let v = auth::evaluate(&config, &req);
            assert_eq!(
                v.effective
                    .realm
                    .as_ref()
                    .map(why401::sanitize::Outside::raw),
                Some("Area 7")
            );
            v
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
