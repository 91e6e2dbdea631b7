//! Flow loading and lint (target: under 5 ms for all shipped flows) and binary start to flows
//! loaded (target: under 20 ms; measured on the release binary when it has been built).

use std::hint::black_box;
use std::path::Path;
use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};

fn load_and_lint(c: &mut Criterion) {
    c.bench_function("load shipped flows", |b| {
        b.iter(|| black_box(why401::flow::FlowSet::load(None)));
    });
    c.bench_function("serde_yaml only, shipped flows", |b| {
        b.iter(|| {
            for (_, text) in why401::flow::load::SHIPPED {
                black_box(serde_yaml::from_str::<why401::flow::Flow>(text).ok());
            }
        });
    });
    c.bench_function("source maps only, shipped flows", |b| {
        b.iter(|| {
            for (_, text) in why401::flow::load::SHIPPED {
                black_box(why401::flow::source_map::SourceMap::build(text).ok());
            }
        });
    });
    let (set, _) = why401::flow::FlowSet::load(None);
    c.bench_function("lint shipped flows", |b| {
        b.iter(|| black_box(why401::flow::lint::lint(&set)));
    });
    c.bench_function("load + lint shipped flows", |b| {
        b.iter(|| {
            let (set, diags) = why401::flow::FlowSet::load(None);
            black_box((why401::flow::lint::lint(&set), diags))
        });
    });
}

fn startup(c: &mut Criterion) {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/why401");
    if !bin.is_file() {
        eprintln!(
            "skipping startup bench: build target/release/why401 first (cargo build --release)"
        );
        return;
    }
    c.bench_function("binary start to flows loaded (why401 flows list)", |b| {
        b.iter(|| {
            let out = Command::new(&bin).args(["flows", "list"]).output();
            black_box(out.is_ok_and(|o| o.status.success()))
        });
    });
}

criterion_group!(benches, load_and_lint, startup);
criterion_main!(benches);
