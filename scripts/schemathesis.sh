#!/usr/bin/env bash
# `make schemathesis`: API schema check. Installs schemathesis from PyPI into a venv under the target dir, starts a
# release gptom-mock (port 0, manual clock, seed 1, instant latency), logs in for a bearer token, runs every
# stateless phase (examples, coverage, fuzzing) with all checks against /openapi.json, stops the mock.
# scripts/schemathesis.toml allows, per operation, the documented answers to rules JSON Schema cannot state;
# scripts/schemathesis_hooks.py removes each fault rule the run adds once its own request has been checked.
# Env: MAX_EXAMPLES (default 100), SCHEMATHESIS_VERSION (default 4.*), SCHEMATHESIS_ARGS (extra flags).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}
VENV=$TARGET/schemathesis-venv
if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q "schemathesis==${SCHEMATHESIS_VERSION:-4.*}"
fi
cargo build -q --release -p mock-server --bin gptom-mock
LOG=$(mktemp)
"$TARGET/release/gptom-mock" --port 0 --clock manual --seed 1 --latency instant >"$LOG" 2>&1 &
MOCK=$!
trap 'kill -TERM $MOCK 2>/dev/null || true; wait $MOCK 2>/dev/null || true; rm -f "$LOG"' EXIT
BASE=""
for _ in $(seq 100); do # the first stdout line names the address; wait for it (≤ 10 s)
  BASE=$(grep -o 'http://[0-9.:]*' "$LOG" | head -1 || true)
  [ -n "$BASE" ] && break
  sleep 0.1
done
[ -n "$BASE" ] || { cat "$LOG"; echo "gptom-mock did not start" >&2; exit 1; }
TOKEN=$(curl -sf -u atom:ashfuf4e5fa \
  -d 'grant_type=password&username=jan.novak@example.com&password=ABCDEFGHIJKL&tid=999888' \
  "$BASE/cloud/oauth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
echo "schemathesis $("$VENV/bin/schemathesis" --version | tail -1) against $BASE/openapi.json"
# Two passes: the admin API moves the mock clock (a token then expires and every GP tom call would only meet
# 401), so the GP tom and device-channel operations are checked first, the admin API after them.
run_pass() {
  # shellcheck disable=SC2086
  SCHEMATHESIS_HOOKS=scripts/schemathesis_hooks.py \
    "$VENV/bin/schemathesis" --config-file scripts/schemathesis.toml run "$BASE/openapi.json" \
    --url "$BASE" \
    --checks all \
    --phases examples,coverage,fuzzing \
    --max-examples "${MAX_EXAMPLES:-100}" \
    --seed 1 \
    --header "Authorization: Bearer $TOKEN" \
    "$@" ${SCHEMATHESIS_ARGS:-}
}
rc=0
echo "== pass 1: GP tom and device-channel operations"
run_pass --exclude-path-regex '^/__admin/' || rc=1
echo "== pass 2: the admin API"
run_pass --include-path-regex '^/__admin/' || rc=1
exit $rc
