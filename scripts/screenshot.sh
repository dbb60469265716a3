#!/usr/bin/env bash
# Regenerates the README's report screenshot (docs/report.png) from the report test: a real
# multi-cloud scan against moto and the Azure stand-in, its HTML report rendered by headless
# Chromium. Needs what scripts/test.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
keep="$(mktemp -d)"
AIMSCOPE_KEEP_REPORT="$keep" bash scripts/test.sh --test report scope_report_of_a_multi_cloud_scan
cp "$keep/scope.png" docs/report.png
echo "docs/report.png updated (the report, Markdown, PDF and inventory are in $keep)"
