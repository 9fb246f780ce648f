#!/usr/bin/env bash
# Set up mineplan on a fresh Debian/Ubuntu machine.
#
#   bash scripts/setup.sh          # app: a CJK font, .venv with mineplan
#   bash scripts/setup.sh --test   # also Chromium (browser tests), Ghostscript, PostgreSQL +
#                                  # PostGIS (store tests), LibreOffice Writer (report
#                                  # conversion test) and the test tools (the [test] extra:
#                                  # pytest, Playwright, pypdfium2 for the PDFium PDF tests …)
#
# System packages come from Debian (fonts-noto-cjk: SIL OFL; chromium for the
# Playwright tests — Playwright never downloads a browser here). Python packages
# go into .venv beside this checkout. Safe to run again: it only adds what is missing.
# It stops with pip's full output when pip fails, and waits for apt/dpkg when they are busy.
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
  have_pkg poppler-utils || missing+=(poppler-utils)  # pdffonts, pdftoppm read our PDFs
  have_pkg ghostscript || missing+=(ghostscript)  # the PDF tests render with Ghostscript too
  # the PostGIS store tests run against a throwaway local cluster (scripts/test.sh)
  have_pkg postgresql-15 || missing+=(postgresql-15)
  have_pkg postgresql-15-postgis-3 || missing+=(postgresql-15-postgis-3)
  # QGIS 3.22 LTR's Python API: a test opens the store's layers in QGIS itself
  have_pkg python3-qgis || missing+=(python3-qgis)
  command -v node >/dev/null 2>&1 || missing+=(nodejs)  # runs the map's JS in a test
  # LibreOffice Writer without GUI (about 80 MB download, a minute to install): a test
  # converts the pre-grant report DOCX to PDF as a reviewer's office suite would
  have_pkg libreoffice-writer-nogui || missing+=(libreoffice-writer-nogui)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  # When another apt or dpkg (unattended-upgrades, a second set-up) holds a lock, wait
  # for it instead of failing: dpkg's lock through DPkg::Lock::Timeout, the package
  # lists' and archives' locks (which that option does not cover) by trying again,
  # up to 10 minutes in all. Any other failure stops the set-up with apt's message.
  apt_get() {
    local err tries=0
    err=$(mktemp)
    until $SUDO env DEBIAN_FRONTEND=noninteractive \
        apt-get -o DPkg::Lock::Timeout=600 "$@" 2>"$err"; do
      if ! grep -qiE "could not get lock|unable to (acquire|lock)" "$err" || [ "$tries" -ge 60 ]; then
        echo "setup: apt-get $* failed:" >&2
        cat "$err" >&2
        rm -f "$err"
        exit 1
      fi
      tries=$((tries + 1))
      echo "setup: apt is busy (another package manager holds its lock); waiting"
      sleep 10
    done
    rm -f "$err"
  }
  apt_get update -qq
  apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
fi
# pip's own chatter is kept out of the way, but a failure stops the set-up and shows
# everything pip said.
pip_install() {
  local log
  log=$(mktemp)
  if ! .venv/bin/python -m pip install -q "$@" >"$log" 2>&1; then
    echo "setup: pip install $* failed:" >&2
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
}
pip_install --upgrade pip
extra=""
[ "$want_test" = 1 ] && extra="[test]"
echo "setup: installing mineplan${extra} into .venv"
pip_install -e ".${extra}"
# The figures' CJK font: Noto Sans CJK (OFL, from Debian) with its CFF outlines converted
# to TrueType once, so every PDF printer and Ghostscript renders it (mineplan.figures.fonts).
# Skipped when already made; about a minute of CPU the first time.
echo "setup: making the figures' TrueType CJK font (once)"
.venv/bin/python -m mineplan.figures make-font
# fails loudly if the install did not work
.venv/bin/mineplan --version
.venv/bin/python -c "import mineplan.cli, mineplan.build, mineplan.web.webmap"
echo "setup: done"
