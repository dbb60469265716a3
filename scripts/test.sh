#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: sets up the pinned Python test tools in a
# private virtualenv (once), then runs every Rust test. Extra arguments go to cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/venv.sh
. scripts/venv.sh

# Headless Chromium renders the scope report in the tests: Debian's package, installed once.
if [ -z "${AIMSCOPE_TEST_CHROMIUM:-}" ]; then
  if ! command -v chromium >/dev/null 2>&1; then
    echo "installing Debian's chromium for the report rendering tests" >&2
    if [ "$(id -u)" = 0 ]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
    DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y --no-install-recommends chromium >/dev/null \
      || { "${apt_get[@]}" update >/dev/null && DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y --no-install-recommends chromium >/dev/null; }
  fi
  AIMSCOPE_TEST_CHROMIUM="$(command -v chromium)"
  export AIMSCOPE_TEST_CHROMIUM
fi

cargo test --workspace --locked "$@"
