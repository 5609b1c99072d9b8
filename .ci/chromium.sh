#!/usr/bin/env sh
# The browser tests (tests/browser) drive Debian's Chromium at /usr/bin/chromium, which a
# fresh machine lacks: install it (as root, or with sudo), or say in one line what to run.
set -eu
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "make test needs Debian's chromium for the browser tests: run 'sudo apt-get install chromium' once, then make test again" >&2
    exit 1
fi
echo "Installing Debian's chromium for the browser tests (once)..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
[ -x /usr/bin/chromium ] || { echo "apt-get did not install /usr/bin/chromium" >&2; exit 1; }
