#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: sets up the pinned Python test tools in a
# private virtualenv (once), then runs every Rust test. Extra arguments go to cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${AIMSCOPE_VENV:-$HOME/.cache/aimscope/venv}"
if ! "$venv/bin/python" -c 'import moto, sys; sys.exit(moto.__version__ != "5.2.1")' 2>/dev/null; then
  echo "setting up test tools in $venv (moto[server]==5.2.1)" >&2
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
fi
export AIMSCOPE_TEST_PYTHON="$venv/bin/python"

cargo test --workspace --locked "$@"
