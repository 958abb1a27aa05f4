#!/bin/sh
# The test command: style, types, then every test. pytest's "no tests
# collected" (exit 5) is a failure here, never a silent pass.
set -u
VENV=${VENV:-.venv}
status=0
echo "== ruff"; "$VENV/bin/ruff" check . || status=1
echo "== mypy (strict)"; "$VENV/bin/mypy" || status=1
echo "== pytest"
"$VENV/bin/pytest" -q -p no:cacheprovider "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure" >&2
    rc=1
fi
[ "$rc" -ne 0 ] && status=$rc
exit $status
