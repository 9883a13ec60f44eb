#!/usr/bin/env bash
# Build the kiosk bundle (PyInstaller, one folder) into build/dist/kiosk, then run the bundled
# `kiosk --self-test --demo` offscreen with the simulated devices and a throwaway data folder.
# Fails when the build or any self-test check fails. Usage: bash build/build_bundle.sh [--no-test]
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/python ] || bash build/setup.sh
PY=.venv/bin/python
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "build_bundle: installing pyinstaller into .venv"
  "$PY" -m pip install -q 'pyinstaller>=6.10'
fi

started=$(date +%s)
# The assets the bundle carries must be there (they are built and committed; check anyway).
[ -f assets/i18n/kiosk_zh_CN.qm ] || { echo "build_bundle: assets/i18n/kiosk_zh_CN.qm missing" >&2; exit 1; }
ls assets/sounds/*.wav >/dev/null

log=build/work/pyinstaller.log
mkdir -p build/work
if ! "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
     --workpath build/work --distpath build/dist kiosk.spec >"$log" 2>&1; then
  tail -n 60 "$log"
  echo "build_bundle: PyInstaller failed; the whole log is in $log" >&2
  exit 1
fi
built=$(date +%s)
bundle=build/dist/kiosk
size=$(du -sm "$bundle" | cut -f1)
echo "build_bundle: $bundle built in $((built - started)) s, ${size} MB"

[ "${1:-}" = "--no-test" ] && exit 0

# The bundled self-test: offscreen, simulated devices, a data folder outside the bundle, and no
# way to fall back on the source tree or the virtual environment.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
before=$(find "$bundle" -type f | wc -l)
(
  cd "$scratch"
  env -i PATH=/usr/bin:/bin HOME="$scratch/home" QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 \
    "$OLDPWD/$bundle/kiosk" --self-test --demo --data-dir "$scratch/data"
) || { echo "build_bundle: the bundled self-test FAILED" >&2; exit 1; }
(
  cd "$scratch"
  env -i PATH=/usr/bin:/bin HOME="$scratch/home" QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 \
    "$OLDPWD/$bundle/kiosk" --diagnostics "$scratch/diagnostics.zip" --data-dir "$scratch/data" \
    >/dev/null
) || { echo "build_bundle: the bundled --diagnostics FAILED" >&2; exit 1; }
after=$(find "$bundle" -type f | wc -l)
if [ "$before" != "$after" ]; then
  echo "build_bundle: the bundle wrote into its own folder ($before -> $after files)" >&2
  exit 1
fi
echo "build_bundle: bundled self-test and diagnostics ok in $(( $(date +%s) - built )) s"
