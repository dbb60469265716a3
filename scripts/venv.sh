# Sourced by test.sh and bench.sh: the pinned Python test tools (tests/requirements.txt) in a
# private virtualenv, set up once; exports AIMSCOPE_TEST_PYTHON.
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
