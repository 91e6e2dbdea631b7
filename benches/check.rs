//! The battery against a loopback server that takes 200 ms per request: the probes run
//! concurrently, so the battery should take about as long as the slowest single probe.
//!
//! `cargo bench --bench check`; compare `battery` with the slowest `single/*`, in each group:
//! `check` (a user and password, Basic site), `check_digest` (the same, Digest site) and
//! `check_token` (a bearer token).
//!
//! Each single probe runs with a fresh context, as a probe run on its own does (its client
//! made anew, no scheme learned): with a password that is two round trips, the question
//! without it and the answer. The battery makes its own context too.
//!
//! Release build, 2-core machine shared with other builds (load ~4): `check` battery
//! 430.9 ms vs its slowest probes `single/cache` 428.1 ms and `single/http` 469.6 ms (the
//! latter measured while another build ran): 1.01x. Two round trips: the main request's
//! question and the site root without the password, side by side; then the main request's
//! Basic answer and the root with the password, side by side (the root goes once the main
//! request has taken its send, so the 2 password sends stay the main request's first).
//! Before: 621.6 ms, three round trips, the root's answer after the main exchange.
//! `check_token` battery 225.0 ms vs `single/http` 224.0 ms: 1.00x.
//! `check_digest` (the password against a Digest site), load ~6: battery 466.4 ms vs its
//! slowest probes `single/cache` 475.6 ms and `single/challenge` 437.0 ms: 0.98x (1.07x
//! against the challenge). Two round trips: the root's Digest answer goes beside the main
//! request's (a retry after a stale nonce is not counted against the 2 sends, so nothing
//! needs to wait for it). Before: 626.0 ms vs 418.1 ms, 1.50x, three round trips.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::any;
use criterion::{Criterion, criterion_group, criterion_main};
use why401::check::CheckRequest;
use why401::probe::{self, ProbeContext, ProbeRequest};

const LATENCY: Duration = Duration::from_millis(200);

fn slow_server(rt: &tokio::runtime::Runtime, challenge: &'static str) -> String {
    let app = Router::new().fallback(any(move || async move {
        tokio::time::sleep(LATENCY).await;
        (
            StatusCode::UNAUTHORIZED,
            [("www-authenticate", challenge)],
            "no",
        )
    }));
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/private/page")
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let url = slow_server(&rt, "Basic realm=\"bench\"");
    // The battery's own request type, as `check URL --timeout 10` builds it.
    let mut request = CheckRequest::new(url.parse().unwrap());
    request.timeout = Duration::from_secs(10);
    // With a password: its sends are rationed (2 by default, the main request first), so the
    // side request that repeats it at the site root waits for the main one's answer.
    let mut password = request.clone();
    // Given here rather than as --user, which would ask for the password on a terminal.
    password.credentials.user = Some("alice".into());
    password.credentials.password = Some("not-a-real-password".into());
    measure(c, &rt, "check", &password);
    // The same against a site that asks for Digest (every answer refused, never stale).
    let digest_url = slow_server(
        &rt,
        "Digest realm=\"bench\", nonce=\"bench-nonce\", qop=\"auth\", algorithm=MD5",
    );
    let mut digest = password.clone();
    digest.url = digest_url.parse().unwrap();
    measure(c, &rt, "check_digest", &digest);
    // With a token: nothing rationed, every request at once.
    let mut token = request;
    token.credentials.authorization = Some("Bearer not-a-real-token".into());
    measure(c, &rt, "check_token", &token);
}

/// Each kind of probe of the battery alone, then the battery.
fn measure(c: &mut Criterion, rt: &tokio::runtime::Runtime, name: &str, request: &CheckRequest) {
    let (requests, _) = why401::check::plan(request);
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(6));
    let mut kinds_seen: Vec<String> = Vec::new();
    for r in &requests {
        if kinds_seen.contains(&r.kind) {
            continue;
        }
        kinds_seen.push(r.kind.clone());
        let req: ProbeRequest = r.clone();
        // A fresh context each time, as a probe run on its own has: its client made anew
        // and no scheme learned from an earlier answer (as the battery, which makes its own).
        group.bench_function(format!("single/{}", r.kind), |b| {
            b.iter(|| {
                let ctx = ProbeContext::new(request.timeout).unwrap();
                rt.block_on(probe::run_one(req.clone(), ctx))
            });
        });
    }
    group.bench_function(format!("battery/{}_probes", requests.len()), |b| {
        b.iter(|| rt.block_on(why401::check::run(request)).unwrap());
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
