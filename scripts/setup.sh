#!/usr/bin/env bash
# Set up mineplan on a fresh Debian/Ubuntu machine.
#
#   bash scripts/setup.sh          # app: a CJK font, .venv with mineplan
#   bash scripts/setup.sh --test   # also Chromium (browser tests) and the test tools
#
# System packages come from Debian (fonts-noto-cjk: SIL OFL; chromium for the
# Playwright tests — Playwright never downloads a browser here). Python packages
# go into .venv beside this checkout. Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

missing=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
have_pkg fonts-noto-cjk || missing+=(fonts-noto-cjk)
have_pkg fontconfig || missing+=(fontconfig)
if [ "$want_test" = 1 ]; then
  have_pkg chromium || missing+=(chromium)
  have_pkg poppler-utils || missing+=(poppler-utils)
  command -v node >/dev/null 2>&1 || missing+=(nodejs)  # runs the map's JS in a test
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING" || true
extra=""
[ "$want_test" = 1 ] && extra="[test]"
echo "setup: installing mineplan${extra} into .venv"
.venv/bin/python -m pip install -q -e ".${extra}" 2>&1 | grep -vE "^(WARNING|  )|^$" || true
.venv/bin/python -c "import mineplan.cli" # fails loudly if the install did not work
echo "setup: done"
