#!/usr/bin/env bash
# `make callgrind`: instructions one request costs, counted by valgrind's callgrind (stable on a noisy machine,
# where req/s moves ±10 % between runs).
#   scripts/callgrind.sh BINARY [get|post] [N]
# Starts the mock under callgrind (instrumentation off), makes a token and one sale, sends N/10 requests as a
# warm-up, turns counting on, sends N requests on one keep-alive connection, dumps, and prints the instructions
# per request and the functions that cost the most (inclusive and self). Data in target/bench/callgrind.*.
# CG_OPTS: more valgrind options (e.g. --cache-sim=yes); MOCK_OPTS: more mock flags (e.g. --max-tasks 100).
set -euo pipefail
BIN=${1:?usage: callgrind.sh BINARY [get|post] [N]}
SCEN=${2:-get}
N=${3:-2000}
OUT=target/bench
mkdir -p "$OUT"
for tool in valgrind callgrind_annotate callgrind_control python3; do
  command -v "$tool" >/dev/null || { echo "callgrind.sh: $tool is not installed (Debian: valgrind)" >&2; exit 1; }
done
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rm -f "$OUT"/callgrind.out.*
valgrind --tool=callgrind ${CG_OPTS:-} --instr-atstart=no --callgrind-out-file="$OUT/callgrind.out.%p" \
  "$BIN" --port "$PORT" --seed 1 --latency instant ${MOCK_OPTS:-} >/dev/null 2>"$OUT/callgrind.log" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
python3 - "$PORT" "$SCEN" "$N" "$SRV" <<'EOF'
import base64, http.client, json, subprocess, sys, time
port, scen, n, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
for _ in range(600):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("GET", "/__admin/health"); c.getresponse().read(); break
    except OSError:
        time.sleep(0.1)
basic = base64.b64encode(b"atom:ashfuf4e5fa").decode()
c.request("POST", "/cloud/oauth/token", "grant_type=password&username=jan.novak@example.com&password=ABCDEFGHIJKL&tid=999888",
          {"Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"})
tok = json.loads(c.getresponse().read())["access_token"]
sale = json.dumps({"apiKey": "333W212J3", "Tid": "999888", "initiator": "bench", "title": "bench sale", "amount": 1111,
                   "transactionOperation": "SALE", "transactionType": "CARD", "currencyCode": "CZK"})
h = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
c.request("POST", "/v1/tasks/TRANSACTION", sale, h)
task = json.loads(c.getresponse().read())["taskId"]
def one():
    if scen == "post":
        c.request("POST", "/v1/tasks/TRANSACTION", sale, h)
    else:
        c.request("GET", "/v1/tasks/" + task, headers={"Authorization": h["Authorization"]})
    r = c.getresponse(); r.read()
    assert r.status == 200, r.status
for _ in range(max(1, n // 10)):
    one()
subprocess.run(["callgrind_control", "-i", "on", pid], check=True, stdout=subprocess.DEVNULL)
for _ in range(n):
    one()
subprocess.run(["callgrind_control", "-d", pid], check=True, stdout=subprocess.DEVNULL)
EOF
kill $SRV; wait $SRV 2>/dev/null || true
DUMP=$(ls "$OUT"/callgrind.out.*.1) # the dump taken right after the N requests (the other: at exit)
TOTAL=$(callgrind_annotate "$DUMP" 2>/dev/null | awk '/PROGRAM TOTALS/ && !t {gsub(",","",$1); t=$1} END {print t}')
echo "$SCEN: $TOTAL instructions for $N requests: $((TOTAL / N)) per request ($DUMP)"
callgrind_annotate --inclusive=yes "$DUMP" 2>/dev/null | grep -E '^ *[0-9,]+ ' | head -45 | cut -c1-180 || true
echo "--- self"
callgrind_annotate "$DUMP" 2>/dev/null | grep -E '^ *[0-9,]+ ' | head -35 | cut -c1-180 || true
