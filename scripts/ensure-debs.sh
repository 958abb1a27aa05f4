#!/bin/sh
# Install the Debian packages given as arguments, only those missing.
# Says what it installs; does nothing (quickly) when all are present.
set -eu
missing=""
for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done
if [ -z "$missing" ]; then
    echo "debian packages: all present ($*)"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages:$missing -- run as root or install them: apt-get install$missing" >&2
    exit 1
fi
echo "installing Debian packages:$missing"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
