#!/usr/bin/env bash
# Regenerates the README's report screenshot (docs/report.png): the demo test runs
# `aimscope demo` (the real collectors against the built-in estate) and headless Chromium
# renders its HTML report. Needs what scripts/test.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
keep="$(mktemp -d)"
AIMSCOPE_KEEP_REPORT="$keep" bash scripts/test.sh --test demo demo_scans_the_built_in_estate_and_writes_every_output
cp "$keep/report.png" docs/report.png
echo "docs/report.png updated from the demo's report"
