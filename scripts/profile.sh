#!/usr/bin/env bash
# `make profile`: perf profile of our mock under wrk load, to find what a request costs.
#   scripts/profile.sh BINARY [get|post] [SECONDS]
# The server runs on CPU 0, wrk on CPU 1 (as in bench/harness). Writes target/bench/perf.data and prints the
# hottest symbols; `perf report -i target/bench/perf.data` browses it. Needs perf (Debian: linux-perf) and wrk.
set -euo pipefail
BIN=${1:?usage: profile.sh BINARY [get|post] [SECONDS]}
SCEN=${2:-get}
SECS=${3:-5}
OUT=target/bench
mkdir -p "$OUT"
for tool in perf wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "profile.sh: $tool is not installed" >&2; exit 1; }
done
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
taskset -c 0 "$BIN" --port "$PORT" --seed 1 --latency instant >/dev/null 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "$BASE/__admin/health" >/dev/null && break; sleep 0.05; done
TOK=$(curl -fs -u atom:ashfuf4e5fa \
  -d 'grant_type=password&username=jan.novak@example.com&password=ABCDEFGHIJKL&tid=999888' \
  "$BASE/cloud/oauth/token" | python3 -c 'import sys, json; print(json.load(sys.stdin)["access_token"])')
BODY='{"apiKey":"333W212J3","Tid":"999888","initiator":"bench","title":"bench sale","amount":1111,"transactionOperation":"SALE","transactionType":"CARD","currencyCode":"CZK"}'
ID=$(curl -fs -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' -d "$BODY" \
  "$BASE/v1/tasks/TRANSACTION" | python3 -c 'import sys, json; print(json.load(sys.stdin)["taskId"])')
LUA=$(mktemp --suffix .lua)
trap 'kill $SRV 2>/dev/null || true; rm -f "$LUA"' EXIT
if [ "$SCEN" = post ]; then
  printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' "'$BODY'" > "$LUA"
  URL=$BASE/v1/tasks/TRANSACTION
else
  echo '' > "$LUA"
  URL=$BASE/v1/tasks/$ID
fi
perf record -F 999 --call-graph dwarf,16384 -p "$SRV" -o "$OUT/perf.data" -- sleep "$SECS" >/dev/null 2>&1 &
PERF=$!
taskset -c 1 wrk -t1 -c32 -d"${SECS}s" -s "$LUA" -H "Authorization: Bearer $TOK" "$URL" | grep -E 'Requests/sec|Latency'
wait $PERF
perf report -i "$OUT/perf.data" --no-children --sort symbol --stdio -g none 2>/dev/null \
  | grep '%' | sed 's/  */ /g' | cut -c1-140 | head -40
