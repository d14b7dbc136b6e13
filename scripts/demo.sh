#!/usr/bin/env bash
# `make run`: start gptom-mock with a manual clock, then walk one card sale through the Cloud API with curl:
# token → create task → advance the clock → poll → transaction detail. Stops the mock at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18080}
B=http://127.0.0.1:$PORT
target/debug/gptom-mock --port "$PORT" --seed 7 --clock manual > /tmp/gptom-demo.log 2>&1 &
MOCK=$!
trap 'kill $MOCK 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "$B/__admin/health" >/dev/null && break; sleep 0.1; done
head -1 /tmp/gptom-demo.log
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. token (password grant, terminal 999888)"
TOKEN=$(curl -s -u atom:ashfuf4e5fa -d 'grant_type=password&username=jan.novak@example.com&password=ABCDEFGHIJKL&tid=999888' "$B/cloud/oauth/token")
echo "$TOKEN"
AT=$(echo "$TOKEN" | json '["access_token"]')

step "2. create a SALE of 11.11 CZK (amount 1111 = approve)"
TASK=$(curl -s -H "Authorization: Bearer $AT" -H 'Content-Type: application/json' \
  -d '{"apiKey":"333W212J3","Tid":"999888","initiator":"Cash desk 1","title":"Invoice 1","transactionOperation":"SALE","transactionType":"CARD","amount":1111}' \
  "$B/v1/tasks/TRANSACTION")
echo "$TASK"
ID=$(echo "$TASK" | json '["taskId"]')

step "3. poll while the mock clock moves on (1 s per poll)"
for _ in 1 2 3 4 5; do
  curl -s -X POST -d '{"seconds":1}' "$B/__admin/clock/advance" >/dev/null
  STATUS=$(curl -s -H "Authorization: Bearer $AT" "$B/v1/tasks/$ID")
  echo "$STATUS" | json '["status"]'
done
echo "$STATUS"
TXN=$(echo "$STATUS" | json '["contextId"]')

step "4. transaction detail"
curl -s -H "Authorization: Bearer $AT" "$B/v1/transactions/$TXN"
echo
