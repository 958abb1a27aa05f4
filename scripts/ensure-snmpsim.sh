#!/bin/sh
# Make the snmpsim venv used by the integration tests (tests/peers/snmpsim.py).
# snmpsim-command-responder drops privileges to `nobody` when started as
# root, so it needs a Python that `nobody` can read: a separate venv made from
# Debian's /usr/bin/python3 (not the project's .venv, whose interpreter may
# live under /root). Says what it installs; quick no-op when already done.
# Usage: scripts/ensure-snmpsim.sh [VENV_DIR]   (default .venv-snmpsim)
set -eu
VENV=${1:-.venv-snmpsim}
# snmpsim 1.2.2 imports pysmi without declaring it (only in its dev extra)
SNMPSIM_SPEC='snmpsim>=1.2.2,<1.3'
EXTRA_SPEC='pysmi>=2,<3'
PY=/usr/bin/python3
if "$VENV/bin/python" -c 'import snmpsim, pysnmp, pysmi' 2>/dev/null \
        && [ -x "$VENV/bin/snmpsim-command-responder" ]; then
    echo "snmpsim venv: present ($VENV, snmpsim $("$VENV/bin/python" -c 'import snmpsim; print(snmpsim.__version__)'))"
    exit 0
fi
if [ ! -x "$PY" ]; then
    echo "$PY is missing: apt-get install python3 python3-venv" >&2
    exit 1
fi
echo "creating the snmpsim venv $VENV from $PY and installing $SNMPSIM_SPEC $EXTRA_SPEC"
"$PY" -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check "$SNMPSIM_SPEC" "$EXTRA_SPEC"
# readable (and the tools executable) by `nobody`, whatever the umask was
chmod -R a+rX "$VENV"
echo "snmpsim venv ready: $("$VENV/bin/snmpsim-command-responder" --version 2>&1 | head -1)"
