#!/usr/bin/env bash
# The product, end to end on one machine: the central service on SQLite, a checkpoint registered
# there, a kiosk enrolled with its one-time code, then the kiosk in demo mode (virtual camera
# with demo codes, the thermometer and ID-reader simulators). With a display the kiosk opens a
# window (close it to end the demo); without one it runs offscreen for DEMO_SECONDS (default 40),
# prints each decision and saves a picture of every result screen in demo-data/screens.
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh
source .venv/bin/activate

demo=demo-data
port="${DEMO_PORT:-8765}"
rm -rf "$demo"
mkdir -p "$demo/central" "$demo/kiosk"
root=$(pwd)

echo "== 1. The signed health code, by hand: keys, a trust list, a code, verified offline =="
python -m healthcode keys create --dir "$demo/keys" --issuer 610000 --issuer-name 陕西省 --issuer-name-en Shaanxi
python -m healthcode trust-list sign --keys "$demo/keys" --out "$demo/trust-list.cose"
code=$(python -m healthcode issue --keys "$demo/keys" --colour green --kind app \
  --name 张三丰 --id-number 11010519491231002X --png "$demo/code.png")
echo "$code"
python -m healthcode verify --trust "$demo/trust-list.cose" --root "$demo/keys/root.pub" "$code" \
  > "$demo/verified.json"
head -n 8 "$demo/verified.json"

echo
echo "== 2. The central service: keys, database, first administrator =="
base="http://127.0.0.1:$port"
(cd "$demo/central" && python -m central init --url "$base") | tee "$demo/central/init.txt"
# The demo's SMS codes go to the server's log (CENTRAL_SMS_PROVIDER=log: development only).
(cd "$demo/central" && CENTRAL_SMS_PROVIDER=log exec python -m central serve --host 127.0.0.1 \
  --port "$port") \
  > "$demo/central/serve.log" 2>&1 &
central_pid=$!
trap 'kill $central_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/openapi.json" >/dev/null 2>&1 && break
  python - <<'PY'
import time; time.sleep(0.2)
PY
done
curl -fsS "$base/openapi.json" >/dev/null || { cat "$demo/central/serve.log"; exit 1; }
# The first administrator's password, set here with the one-time token `central init` printed,
# so the administration pages can be opened with a login that works.
token=$(sed -n 's/.*setup?token=\([^ ]*\).*/\1/p' "$demo/central/init.txt" | head -n 1)
password="demo-$(python -c 'import secrets; print(secrets.token_hex(4))')"
curl -fsS -X POST "$base/api/v1/auth/setup" -H 'content-type: application/json' \
  -d "{\"token\": \"$token\", \"password\": \"$password\"}" >/dev/null
echo "central is serving on $base (log: $demo/central/serve.log)"
echo "administration pages: $base/admin  (user admin, password $password)"

echo
echo "== 3. A checkpoint and its one-time enrollment code =="
checkpoint=$(cd "$demo/central" && python -m central checkpoint add --name 东门 \
  --type residential_compound --region 610113 --address 西安市雁塔区科技路1号 | tail -n 1)
enrollment=$(cd "$demo/central" && python -m central checkpoint code "$checkpoint" | head -n 1)
echo "checkpoint $checkpoint, enrollment code $enrollment"

echo
echo "== 4. The kiosk enrols with the code (its own keys; trust list, policy, binding keys) =="
python -m kiosk enroll "$base" "$enrollment" --data-dir "$demo/kiosk"

echo
echo "== 4b. A bus among the checkpoints: a public-transport kiosk on board (no thermometer) =="
bus=$(cd "$demo/central" && python -m central checkpoint add --name "5路公交 陕A·D1234" \
  --type transit_vehicle --region 610113 --address "西安市雁塔区 5路公交线路" | tail -n 1)
bus_code=$(cd "$demo/central" && python -m central checkpoint code "$bus" | head -n 1)
python -m kiosk enroll "$base" "$bus_code" --data-dir "$demo/bus-kiosk"
echo "bus kiosk enrolled in $demo/bus-kiosk (run it: python -m kiosk --demo --data-dir $demo/bus-kiosk)"

echo
echo "== 5. The kiosk in demo mode: codes signed by central's issuer key, checked offline =="
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  python -m kiosk --demo --windowed --data-dir "$demo/kiosk" --central-keys "$root/$demo/central/keys"
else
  python -m kiosk --demo --data-dir "$demo/kiosk" --central-keys "$root/$demo/central/keys" \
    --seconds "${DEMO_SECONDS:-40}" --screenshots "$demo/screens"
  echo "(no display: pictures of the result screens are in $demo/screens)"
fi

echo
echo "== 6. A pharmacy kiosk and a fever-clinic kiosk (issue 25): each scan opens its form =="
# Demo mode fills each form as staff would (a box of fever medicine; a clinic registration) and
# saves it; the kiosk uploads it at once and central's colour rules and county report take it.
for scene in pharmacy:仁心大药房 clinic:县医院发热门诊; do
  kind=${scene%%:*}; name=${scene#*:}
  point=$(cd "$demo/central" && python -m central checkpoint add --name "$name" \
    --type "$kind" --region 610113 --address 西安市雁塔区科技路2号 | tail -n 1)
  code=$(cd "$demo/central" && python -m central checkpoint code "$point" | head -n 1)
  python -m kiosk enroll "$base" "$code" --data-dir "$demo/$kind" >/dev/null
  QT_QPA_PLATFORM=offscreen python -m kiosk --demo --data-dir "$demo/$kind" \
    --central-keys "$root/$demo/central/keys" --seconds "${DEMO_SCENE_SECONDS:-20}" \
    --screenshots "$demo/screens-$kind" >/dev/null
  echo "$name ($kind): its forms are in $demo/screens-$kind"
done
python - "$demo/central/central.db" <<'PY'
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT kind, COUNT(*) FROM scene_records GROUP BY kind ORDER BY kind").fetchall()
print("central received:", ", ".join(f"{kind} {count}" for kind, count in rows) or "nothing yet")
PY

# With someone there to look (a display or a terminal), central keeps serving until Ctrl-C so the
# administration pages can be opened; run by a script (CI, a pipe), the demo ends here.
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || { [ -t 0 ] && [ -t 1 ]; }; then
  echo
  echo "== central keeps serving: $base/admin  (user admin, password $password); Ctrl-C stops it =="
  wait "$central_pid" || true
fi
