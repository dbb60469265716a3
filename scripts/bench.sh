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
