//! How long redaction takes on what it sees: a 1 MiB access log, and rendering a ticket.
//! `cargo bench --bench redact`. The copy of the same text is the baseline.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use why401::probe::ProbeReport;
use why401::report::Redactor;
use why401::report::Ticket;
use why401::report::TicketFormat;
use why401::report::ticket::TargetSpec;

fn log_text() -> String {
    let mut out = String::new();
    let mut i = 0u32;
    while out.len() < 1024 * 1024 {
        i += 1;
        let line = match i % 10 {
            0 => format!(
                "127.0.0.1 - - [23/Nov/2026:01:02:03 +0000] \"GET /cb?code=abc{i}&state=x HTTP/1.1\" 401 0 \"-\" \"curl/8\"\n"
            ),
            1 => format!(
                "2026/11/23 01:02:03 [error] 7#7: *{i} user \"alice\": password mismatch, client: 127.0.0.1\n"
            ),
            2 => format!("Authorization: Bearer tok{i}abcdefghijklmnop\n"),
            _ => format!(
                "127.0.0.1 - alice [23/Nov/2026:01:02:03 +0000] \"GET /admin/page/{i} HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0\"\n"
            ),
        };
        out.push_str(&line);
    }
    out
}

fn bench(c: &mut Criterion) {
    let log = log_text();
    let redactor = Redactor::new().with_secret("password", "hunter2-secret");
    let mut g = c.benchmark_group("log_1mib");
    g.throughput(Throughput::Bytes(log.len() as u64));
    g.bench_function("copy (baseline)", |b| b.iter(|| black_box(log.clone())));
    g.bench_function("redact", |b| {
        b.iter(|| black_box(redactor.redact(black_box(&log)).len()));
    });
    g.finish();

    let mut r = ProbeReport::new("http", "http");
    r.fact("status", 401_i64);
    r.fact("final_url", "http://127.0.0.1:8080/admin");
    r.fact("responded", true);
    r.evidence = (0..20)
        .map(|i| format!("GET /admin/{i} → 401 Unauthorized"))
        .collect();
    let mut t = Ticket::from_reports(
        &TargetSpec::request("http://127.0.0.1:8080/admin", "GET"),
        &[r],
        vec![],
    );
    t.add_secret("password", "hunter2-secret");
    t.attach(
        "log",
        Some("access.log:1"),
        log.lines().take(200).map(str::to_owned).collect(),
    );
    let mut g = c.benchmark_group("ticket");
    for f in [TicketFormat::Md, TicketFormat::Text, TicketFormat::Json] {
        g.bench_function(format!("render {f:?}"), |b| {
            b.iter(|| black_box(t.render(f).len()));
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
