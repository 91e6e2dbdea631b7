#!/usr/bin/env bash
# logs.sh - times `why401 logs` against rg, mawk and gawk on the same generated log, in the same
# run (shared/bench/baselines.sh), and checks every count against the generator's truth file.
#
# usage: benches/logs.sh [SIZE_MB] [RUNS]      (default 1024 MiB, 5 runs)
#   LOG=path/to/access.log benches/logs.sh     reuse a log made by gen_logs.py (with its truth file)
#   BEFORE=path/to/older/why401 benches/logs.sh   also time an older build (before/after, same run)
# Needs python3, ripgrep, mawk, gawk and /usr/bin/time. Builds the release binary if needed.
# The log is generated in $BENCH_DIR (default /tmp/why401-bench), never in the repository.
set -euo pipefail

SIZE_MB=${1:-1024}
RUNS=${2:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
[ -d "$SHARED" ] || SHARED=/work/shared/bench
BENCH_DIR=${BENCH_DIR:-/tmp/why401-bench}
mkdir -p "$BENCH_DIR"
LOG=${LOG:-$BENCH_DIR/access-${SIZE_MB}m.log}
if [ ! -f "$LOG" ] || [ ! -f "$LOG.truth.json" ]; then
  echo "generating $LOG ($SIZE_MB MiB, nginx-combined, seed 1)..." >&2
  python3 "$SHARED/gen_logs.py" --size-mb "$SIZE_MB" --out "$LOG" --format nginx-combined --seed 1 >&2
fi
BIN=$ROOT/target/release/why401
if [ ! -x "$BIN" ] || [ -n "$(find "$ROOT/src" -newer "$BIN" -name '*.rs' | head -1)" ]; then
  (cd "$ROOT" && cargo build --release --quiet)
fi

export WHY401="$BIN"
[ -z "${BEFORE:-}" ] || export BEFORE
# FULL=1 adds cat, wc, grep and goaccess (goaccess alone takes minutes per run).
# why401 exits 1 when it names causes (it does on this log), which is not a failure here.
AWK_BY_PATH='$9==401{c[$7]++} END{for(p in c) print c[p], p}'
"$SHARED/baselines.sh" "$LOG" "$RUNS" \
  "rg --no-mmap -c=rg --no-mmap -c '\" 401 ' \"\$LOG\"" \
  "gawk by-path (C locale)=LC_ALL=C gawk '$AWK_BY_PATH' \"\$LOG\"" \
  'why401 logs --json=$WHY401 logs --json "$LOG" || [ $? = 1 ]' \
  'why401 logs --json --threads 1=$WHY401 logs --json --threads 1 "$LOG" || [ $? = 1 ]' \
  ${BEFORE:+'before: why401 logs --json=$BEFORE logs --json "$LOG" || [ $? = 1 ]'}

# Every count against the truth (exact, not "close").
"$BIN" logs --json "$LOG" > "$BENCH_DIR/why401.json" || true
python3 - "$BENCH_DIR/why401.json" "$LOG.truth.json" <<'PY'
import json, sys
r, t = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
odd = t.get("odd_lines", {})
checks = [
    ("lines", r["access_lines"], t["total_lines"]),
    ("401s", r["status_401"], t["lines_401"]),
    ("malformed (truncated + binary)", r["malformed"], odd.get("truncated", 0) + odd.get("binary_garbage", 0)),
    ("records after NUL runs", r["nul_prefixed"], odd.get("nul_prefix", 0)),
    ("top 5 paths", [[p["path"], p["count"]] for p in r["top_paths"][:5]], t["top5_401_paths"]),
    ("top 5 clients", [[c["client"], c["count"]] for c in r["top_clients"][:5]], t["top5_401_ips"]),
]
checks.append(("top 5 minutes", [[b["start"], b["count"]] for b in r["busiest_minutes"]], t["top5_401_minutes"]))
bad = 0
print("\ncounts vs truth:")
for name, ours, truth in checks:
    ok = ours == truth
    bad += not ok
    print("  %-32s %s %s" % (name, "ok  " if ok else "DIFF", ours if ok else "%s (truth %s)" % (ours, truth)))
sys.exit(1 if bad else 0)
PY
