#!/usr/bin/env bash
# Certifies a gateway the way a user does, against a stand-in that behaves like GP tom: a gptom-mock on its
# default flags (realistic latency, real clock) started with --admin-token, so the runner sees a remote target
# without the mock's admin API. Everything runs in real time (device timeouts included): a few minutes.
# Extra arguments go to `gptom-conformance run` (e.g. --tag cert-c, --admin-token to give it the API).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p mock-server --bin gptom-mock -p conformance --bin gptom-conformance
mkdir -p target/gateway
log=target/gateway/mock.log
target/release/gptom-mock --port 0 --admin-token "stand-in-$$" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
url=""
for _ in $(seq 200); do
  url=$(sed -n 's/^gptom-mock listening on \(http:[^ ]*\).*/\1/p' "$log")
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 3; }
  sleep 0.05
done
[ -n "$url" ] || { echo "the stand-in did not start: $log" >&2; exit 3; }
echo "stand-in gateway: gptom-mock at $url (default flags, --admin-token not given to the runner)"
start=$(date +%s)
set +e
target/release/gptom-conformance run --target "$url" \
  --report junit=target/gateway/report.xml --report html=target/gateway/report.html --report json=target/gateway/report.json "$@"
code=$?
set -e
echo "wall time: $(( $(date +%s) - start )) s; reports in target/gateway/"
exit "$code"
