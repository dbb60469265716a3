#!/usr/bin/env bash
# Benchmarks (speed and memory targets live here, not in timed tests). The analysis bench needs
# no cloud SDK, so it builds without default features to keep the release build small.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --locked --no-default-features --bench analysis
