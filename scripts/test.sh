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

cargo test --workspace --locked "$@"
