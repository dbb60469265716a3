#!/usr/bin/env bash
# Benchmarks (speed and memory targets live here, not in timed tests). The analysis bench needs
# no cloud SDK, so it builds without default features to keep the release build small.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --locked --no-default-features --bench analysis

# Agent soak: many cycles against a local GCP stand-in, resident memory per cycle (early vs late
# median and their ratio). Needs the GCP provider only. AIMSCOPE_SOAK=0 skips it.
if [ "${AIMSCOPE_SOAK:-1}" != 0 ]; then
  cargo build --release --locked --no-default-features --features gcp --bin aimscope
  python3 scripts/soak.py "${CARGO_TARGET_DIR:-target}/release/aimscope" --cycles "${AIMSCOPE_SOAK_CYCLES:-40}"
fi

# Scan benchmark: an emulated AWS organisation (moto) behind a proxy adding 40 ms to every call,
# default settings against the lower bound (scripts/bench_scan.py). AIMSCOPE_SCAN_BENCH=0
# skips it; AIMSCOPE_SCAN_BENCH_ARGS sizes it (default 20 accounts x 4 regions x 25 items).
if [ "${AIMSCOPE_SCAN_BENCH:-1}" != 0 ]; then
  # shellcheck source=scripts/venv.sh
  . scripts/venv.sh
  cargo build --release --locked --no-default-features --features aws --bin aimscope
  bin="${CARGO_TARGET_DIR:-target}/release/aimscope"
  # shellcheck disable=SC2086
  "$AIMSCOPE_TEST_PYTHON" scripts/bench_scan.py "$bin" --variant "per-scope-16=per_scope_concurrency = 16" \
    ${AIMSCOPE_SCAN_BENCH_ARGS:-}
  # Behind AWS-like rate limits: 10 requests/s per (account, region, service), burst 10.
  "$AIMSCOPE_TEST_PYTHON" scripts/bench_scan.py "$bin" --accounts 3 --regions 2 --items 10 --rate 10
fi
