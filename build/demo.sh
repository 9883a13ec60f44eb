#!/usr/bin/env bash
# Demo: create demo keys, sign a trust list, issue a code and verify it, end to end, with the
# same command-line tools an issuer and a technician use.
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh
source .venv/bin/activate

demo=demo-data
rm -rf "$demo"
echo "== 1. Create the key hierarchy of a demo issuer (Shaanxi, 610000) =="
python -m healthcode keys create --dir "$demo/keys" --issuer 610000 --issuer-name 陕西省 --issuer-name-en Shaanxi
echo
echo "== 2. Sign the trust list with the root key =="
python -m healthcode trust-list sign --keys "$demo/keys" --out "$demo/trust-list.cose"
echo
echo "== 3. Issue a green app code for 张三丰 (printed as QR text and saved as a PNG) =="
code=$(python -m healthcode issue --keys "$demo/keys" --colour green --kind app \
  --name 张三丰 --id-number 11010519491231002X --png "$demo/code.png")
echo "$code"
echo "(QR image: $demo/code.png)"
echo
echo "== 4. Verify it offline against the trust list, as a kiosk does =="
python -m healthcode verify --trust "$demo/trust-list.cose" --root "$demo/keys/root.pub" "$code"
echo
echo "== 5. A forged copy (one character changed) is refused =="
forged="${code:0:40}$( [ "${code:40:1}" = "A" ] && echo B || echo A )${code:41}"
python -m healthcode verify --trust "$demo/trust-list.cose" --root "$demo/keys/root.pub" "$forged" || true
