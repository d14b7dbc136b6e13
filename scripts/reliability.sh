#!/usr/bin/env bash
# `make reliability`: the slow reliability checks of issue 8, in release, each alone so RSS figures are its own:
# 1 000 idle connections, 1 000 000 tasks under the memory cap (the engine in-process, then the shipped binary over
# HTTP: needs wrk), the 1 000 000-GET soak, and the state-machine property test with more cases. Prints each figure; exits non-zero if any failed (after running them all).
set -uo pipefail
cd "$(dirname "$0")/.."
CASES=${PROPTEST_CASES:-5000}
run() {
  echo "== $1"
  local name=$1 log rc
  shift
  log=$(mktemp)
  "$@" >"$log" 2>&1
  rc=$?
  grep -E '^(1000 idle|memory:|binary memory:|soak:|SIGTERM:|test result|thread .* panicked|  left|  right)' "$log"
  rm -f "$log"
  [ "$rc" -eq 0 ] || FAILED="$FAILED $name"
}
FAILED=""
T=(cargo test -q --release -p mock-server --test reliability)
cargo build -q --release -p mock-server --tests --bins || exit 1
run idle-connections "${T[@]}" a_thousand_idle_connections -- --ignored --nocapture --test-threads=1
run memory "${T[@]}" a_million_tasks -- --ignored --nocapture --test-threads=1
run soak "${T[@]}" a_million_gets -- --ignored --nocapture --test-threads=1
run sigterm-drain "${T[@]}" sigterm_drains_in_flight -- --nocapture --test-threads=1
run binary-memory python3 scripts/bench.py --peak-rss 1000000
run state-machine env PROPTEST_CASES="$CASES" "${T[@]}" engine_matches_the_reference_model -- --nocapture
if [ -n "$FAILED" ]; then echo "FAILED:$FAILED"; exit 1; fi
echo "all reliability checks passed"
