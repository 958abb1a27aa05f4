#!/bin/sh
# Make the fake-switches venv used by the integration tests (tests/peers/fakeswitch.py).
# fake-switches 1.5.0 pins old dependency versions in its metadata, so it is
# installed without them (--no-deps) and the few it needs at run time are
# installed next to it, in a venv of its own that never touches the project's.
# Says what it installs; quick no-op when already done.
# Usage: scripts/ensure-fake-switches.sh [VENV_DIR]   (default .venv-fakeswitches)
set -eu
VENV=${1:-.venv-fakeswitches}
SPEC='fake-switches==1.5.0'
RUNTIME_DEPS='tftpy netaddr lxml twisted[conch]'
PY=${PYTHON:-python3}
if [ -x "$VENV/bin/fake-switches" ] \
        && "$VENV/bin/python" -c 'import fake_switches, twisted.conch, tftpy, netaddr, lxml' \
            2>/dev/null; then
    echo "fake-switches venv: present ($VENV)"
    exit 0
fi
if [ ! -x "$VENV/bin/python" ]; then
    echo "creating the fake-switches venv $VENV with $PY"
    "$PY" -m venv "$VENV"
fi
echo "installing $SPEC (no deps) and $RUNTIME_DEPS into $VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check --no-deps "$SPEC"
# shellcheck disable=SC2086  # the list is meant to split into several requirements
"$VENV/bin/pip" install -q --disable-pip-version-check $RUNTIME_DEPS
"$VENV/bin/python" -c 'import fake_switches' || { echo "fake_switches does not import" >&2; exit 1; }
echo "fake-switches venv ready: $VENV/bin/fake-switches"
