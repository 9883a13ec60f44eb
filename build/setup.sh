#!/usr/bin/env bash
# Prepare this machine for the project: Debian packages for the system libraries the kiosk
# loads, a virtual environment in .venv, and the project with every extra, editable.
# Safe to run again: it installs only what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# System libraries: zbar for the pyzbar QR decoder; PulseAudio's client library for Qt
# Multimedia (the kiosk's sounds); a Chinese font for the screens; Debian's chromium, in which
# tests/central/test_issuance_page.py drives the self-declaration page (through playwright);
# nginx, in front of central processes in the deployment test (tests/central/test_deployment.py).
APT_PACKAGES=(libzbar0 libpulse0 fonts-wqy-microhei chromium nginx)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi

# The dependencies come from requirements.lock only: every package pinned to the tested version
# and checked against its recorded hashes (pip's --require-hashes), then the project itself,
# editable, with no dependency resolution of its own. `make lock` regenerates the lock after a
# change to pyproject.toml's dependencies; `make audit` checks the pinned set for advisories.
# Reinstall only when pyproject.toml or the lock changed since the last install.
stamp=.venv/.installed-lock
if [ ! -f "$stamp" ] || ! cat pyproject.toml requirements.lock | cmp -s - "$stamp"; then
  echo "setup: installing the locked dependencies and the project into .venv"
  log=.venv/install.log
  if ! { .venv/bin/python -m pip install --require-hashes --no-deps -r requirements.lock \
         && .venv/bin/python -m pip install --no-deps --no-build-isolation -e .; } >"$log" 2>&1
  then
    tail -n 40 "$log"
    echo "setup: pip install failed; the whole log is in $log" >&2
    exit 1
  fi
  cat pyproject.toml requirements.lock >"$stamp"
fi
