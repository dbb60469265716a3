#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: sets up the pinned Python test tools in a
# private virtualenv (once), then runs every Rust test. Extra arguments go to cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${AIMSCOPE_VENV:-$HOME/.cache/aimscope/venv}"
# Reinstall whenever tests/requirements.txt changes (its hash is kept in the venv).
want=$(sha256sum tests/requirements.txt | cut -d' ' -f1)
if [ "$(cat "$venv/.requirements.sha256" 2>/dev/null)" != "$want" ] || ! "$venv/bin/python" -c 'import moto' 2>/dev/null; then
  echo "setting up test tools in $venv (tests/requirements.txt)" >&2
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
  echo "$want" > "$venv/.requirements.sha256"
fi
export AIMSCOPE_TEST_PYTHON="$venv/bin/python"

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
