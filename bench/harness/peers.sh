#!/usr/bin/env bash
# peers.sh - a bare axum reference server ("baseline") and peer mock servers,
# side by side with our own server, in one bounded run.
#
#   bench/harness/peers.sh --quick --ours 'target/release/gptom-mock --port 18099' --ours-url http://127.0.0.1:18099
#   bench/harness/peers.sh --ours ... --ours-url ...          # baseline + ours + all peers, 2 rounds
#   bench/harness/peers.sh --install-only                     # fetch/build everything, measure nothing
#
# Every server is pinned to CPU 0 (--server-cpu), the load generator (wrk, 1 thread)
# to CPU 1 (--client-cpu); same connections / warm-up / duration for everyone.
# A round runs every selected server once, back to back (baseline, ours, peers...),
# so ratios are taken per round (same time window) and their median is printed.
# Servers are started in their own process group and stopped by that PID only.
# Only 127.0.0.1 is ever contacted. Installs and builds go to $GPTOM_BENCH_CACHE
# (default ${XDG_CACHE_HOME:-$HOME/.cache}/gptom-bench), never into this folder.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CALLER_PWD="$PWD"
ORIG_ARGS=("$@")

REPS=2
DUR=10
WARM=2
CONNS=32
SERVER_CPU=0
CLIENT_CPU=1
BUDGET=600
ONLY=""
SKIP=""
INSTALL=1
INSTALL_ONLY=0
OUT=""
OURS_CMD=""
OURS_URL=""
OURS_TOKEN=""
OURS_NAME="ours"
OURS_GET_PATH=""
OURS_READY_PATH="/v1/tasks/abc"
OURS_USER="jan.novak@example.com"
OURS_PASSWORD="ABCDEFGHIJKL"
OURS_TID="999888"
OURS_API_KEY="333W212J3"
OURS_TOKEN_BASIC="atom:ashfuf4e5fa"
JSON_OUT=""
QUICK=0
CACHE="${GPTOM_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gptom-bench}"

usage() {
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  cat <<EOF
Options:
  --reps N            rounds (default $REPS); medians over rounds
  --duration S        measured seconds per scenario (default $DUR)
  --warmup S          discarded warm-up seconds before each measurement (default $WARM)
  --conns N           concurrent connections (default $CONNS)
  --server-cpu N      CPU for servers (default $SERVER_CPU)
  --client-cpu N      CPU for wrk and this script (default $CLIENT_CPU)
  --budget S          wall-clock budget for the whole run incl. installs (default $BUDGET);
                      a server whose run would not fit is reported as skipped
  --only LIST         comma list of: baseline,ours,prism,mockoon,mountebank,wiremock,httpmock,json-server
  --skip LIST         same names, to leave out
  --ours CMD          command that starts our server (run by bash -c, from the caller's cwd)
  --ours-url URL      its base URL, e.g. http://127.0.0.1:18099
  --ours-name NAME    label in the table (default ours)
  --ours-token TOK    bearer token to use; default: POST URL/cloud/oauth/token with basic auth
                      $OURS_TOKEN_BASIC and a password grant for the user/tid below
  --ours-user U       login (default $OURS_USER)
  --ours-password P   password (default $OURS_PASSWORD)
  --ours-tid T        terminal id, also the task's Tid (default $OURS_TID)
  --ours-api-key K    the task's apiKey (default $OURS_API_KEY)
  --quick             baseline and ours only (or --only), 1 round (or --reps), 1 s warm-up + 5 s
  --json FILE         also write the summary as JSON
  --ours-get-path P   GET path to load; default: POST a task first and GET its taskId
  --ours-ready-path P path polled (any status < 500) to time start-up (default $OURS_READY_PATH)
  --no-install        do not install anything; servers that are missing are skipped
  --install-only      install what is missing, then exit
  --out DIR           scratch/results folder (default: a new temporary bench-peers.* folder)
Cache: $CACHE (set GPTOM_BENCH_CACHE to move it)
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --reps) REPS=$2; REPS_SET=1; shift 2 ;;
    --duration) DUR=$2; shift 2 ;;
    --warmup) WARM=$2; shift 2 ;;
    --conns) CONNS=$2; shift 2 ;;
    --server-cpu) SERVER_CPU=$2; shift 2 ;;
    --client-cpu) CLIENT_CPU=$2; shift 2 ;;
    --budget) BUDGET=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --skip) SKIP=$2; shift 2 ;;
    --ours) OURS_CMD=$2; shift 2 ;;
    --ours-url) OURS_URL=${2%/}; shift 2 ;;
    --ours-name) OURS_NAME=$2; shift 2 ;;
    --ours-token) OURS_TOKEN=$2; shift 2 ;;
    --ours-get-path) OURS_GET_PATH=$2; shift 2 ;;
    --ours-ready-path) OURS_READY_PATH=$2; shift 2 ;;
    --ours-user) OURS_USER=$2; shift 2 ;;
    --ours-password) OURS_PASSWORD=$2; shift 2 ;;
    --ours-tid) OURS_TID=$2; shift 2 ;;
    --ours-api-key) OURS_API_KEY=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --json) JSON_OUT=$2; shift 2 ;;
    --no-install) INSTALL=0; shift ;;
    --install-only) INSTALL_ONLY=1; shift ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done
if [[ $QUICK == 1 ]]; then [[ -n ${REPS_SET:-} ]] || REPS=1; WARM=1; DUR=5; [[ -n $ONLY ]] || ONLY="baseline,ours"; fi
OURS_TOKEN_FORM="grant_type=password&username=${OURS_USER}&password=${OURS_PASSWORD}&tid=${OURS_TID}"
if [[ -n $OURS_CMD && -z $OURS_URL ]] || [[ -z $OURS_CMD && -n $OURS_URL ]]; then
  echo "--ours and --ours-url go together" >&2; exit 2
fi

# Keep this script (and its helpers) off the server's CPU.
if [[ -z ${BENCH_PINNED:-} ]] && command -v taskset >/dev/null; then
  export BENCH_PINNED=1
  exec taskset -c "$CLIENT_CPU" bash "$0" "${ORIG_ARGS[@]}"
fi

T_START=$(date +%s)
elapsed() { echo $(( $(date +%s) - T_START )); }
log() { printf '[%4ss] %s\n' "$(elapsed)" "$*" >&2; }

[[ -n $OUT ]] || OUT=$(mktemp -d -t bench-peers.XXXXXX)
mkdir -p "$OUT"
RESULTS="$OUT/results.tsv"
printf 'round\tserver\tscenario\tstatus\trps\tp50_ms\tp99_ms\tmax_ms\tnon2xx\tsockerr\trequests\tstartup_ms\tidle_rss_kb\tload_rss_kb\tsrv_cpu_pct\tcli_cpu_pct\tcheck\n' > "$RESULTS"

# shellcheck source=lib/procstat.sh
source "$HERE/lib/procstat.sh"

mkdir -p "$CACHE"
NODE_DIR="$CACHE/node"
NM="$NODE_DIR/node_modules"
BASELINE_TARGET="$CACHE/baseline-target"
BASELINE_BIN="$BASELINE_TARGET/release/bench-baseline"
HTTPMOCK_BIN="$CACHE/tools/cargo/bin/httpmock"
HTTPMOCK_VERSION="0.9.0"
WIREMOCK_JAR="$NM/wiremock/build/wiremock-standalone-3.13.2.jar"
PAYLOADS="$CACHE/payloads"
mkdir -p "$PAYLOADS"
# The task body: a valid SALE for the benchmark terminal (peers ignore it).
printf '{"apiKey":"%s","Tid":"%s","initiator":"bench","title":"bench sale","amount":1111,"transactionOperation":"SALE","transactionType":"CARD","currencyCode":"CZK"}' \
  "$OURS_API_KEY" "$OURS_TID" > "$PAYLOADS/create.json"
cp "$HERE/peers/payloads/task.json" "$PAYLOADS/task.json" 2>/dev/null || true
# Peers do not verify the token; any bearer value works (Prism checks presence).
PEER_TOKEN="eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.peer-token-not-verified"

ALL_SERVERS=(baseline ours prism mockoon mountebank wiremock httpmock json-server)
selected() {
  local s=$1
  [[ $s == ours && -z $OURS_CMD ]] && return 1
  if [[ -n $ONLY ]]; then [[ ",$ONLY," == *",$s,"* ]] || return 1; fi
  if [[ -n $SKIP ]]; then [[ ",$SKIP," == *",$s,"* ]] && return 1; fi
  return 0
}

# ---------------------------------------------------------------- installs
with_timeout() { local t=$1; shift; timeout --kill-after=10 "$t" "$@"; }
install_all() {
  if ! command -v wrk >/dev/null; then
    log "installing wrk (apt-get)"
    { with_timeout 180 apt-get update && with_timeout 180 apt-get install -y wrk; } >"$OUT/install-wrk.log" 2>&1 \
      || log "wrk install failed, see $OUT/install-wrk.log"
  fi
  if selected baseline || [[ $INSTALL_ONLY == 1 ]]; then
    if [[ ! -x $BASELINE_BIN || -n $(find "$HERE/baseline/src" "$HERE/baseline/Cargo.toml" -newer "$BASELINE_BIN" 2>/dev/null) ]]; then
      log "building baseline (cargo build --release)"
      rm -rf "$CACHE/baseline-src" && mkdir -p "$CACHE/baseline-src" && cp -r "$HERE/baseline/." "$CACHE/baseline-src/"
      if CARGO_TARGET_DIR="$BASELINE_TARGET" with_timeout 420 cargo build --release --quiet --manifest-path "$CACHE/baseline-src/Cargo.toml" >"$OUT/install-baseline.log" 2>&1; then
        touch "$BASELINE_BIN"   # cargo leaves it untouched when nothing changed
      else
        log "baseline build failed, see $OUT/install-baseline.log"
      fi
    fi
  fi
  local need_node=0 s
  for s in prism mockoon mountebank wiremock json-server; do selected "$s" && need_node=1; done
  [[ $INSTALL_ONLY == 1 ]] && need_node=1
  if [[ $need_node == 1 && ! -d $NM/@stoplight/prism-cli ]]; then
    log "installing node peers (npm ci)"
    mkdir -p "$NODE_DIR" && cp "$HERE/peers/node/package.json" "$HERE/peers/node/package-lock.json" "$NODE_DIR/"
    ( cd "$NODE_DIR" && { with_timeout 400 npm ci --no-audit --no-fund || with_timeout 400 npm install --no-audit --no-fund; } ) \
      >"$OUT/install-node.log" 2>&1 || log "npm install failed, see $OUT/install-node.log"
  fi
  if { selected wiremock || [[ $INSTALL_ONLY == 1 ]]; } && ! command -v java >/dev/null; then
    log "installing a Java runtime for WireMock (apt-get)"
    { with_timeout 180 apt-get update && with_timeout 300 apt-get install -y default-jre-headless; } >"$OUT/install-java.log" 2>&1 \
      || log "java install failed, see $OUT/install-java.log"
  fi
  if { selected httpmock || [[ $INSTALL_ONLY == 1 ]]; } && [[ ! -x $HTTPMOCK_BIN ]]; then
    log "installing httpmock $HTTPMOCK_VERSION standalone (cargo install, a few minutes)"
    with_timeout 600 cargo install "httpmock@$HTTPMOCK_VERSION" --features standalone --locked \
      --root "$CACHE/tools/cargo" >"$OUT/install-httpmock.log" 2>&1 \
      || log "httpmock install failed, see $OUT/install-httpmock.log"
  fi
}
[[ $INSTALL == 1 ]] && install_all
if [[ $INSTALL_ONLY == 1 ]]; then log "install done"; exit 0; fi
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }

# ---------------------------------------------------------------- server table
# port, start command (array via function), ready path, scenarios
server_port() {
  case $1 in
    baseline) echo 18080 ;; prism) echo 18081 ;; mockoon) echo 18082 ;; mountebank) echo 18083 ;;
    wiremock) echo 18084 ;; httpmock) echo 18085 ;; json-server) echo 18086 ;;
    ours) local hp=${OURS_URL#*://}; hp=${hp%%/*}; echo "${hp##*:}" ;;
  esac
}
server_url() { if [[ $1 == ours ]]; then echo "$OURS_URL"; else echo "http://127.0.0.1:$(server_port "$1")"; fi; }
server_scenarios() {
  case $1 in
    baseline) echo "static get post" ;;
    json-server) echo "get" ;;   # POST would persist to its JSON file on every request
    *) echo "get post" ;;
  esac
}
server_available() {
  case $1 in
    baseline) [[ -x $BASELINE_BIN ]] ;;
    ours) true ;;
    prism) [[ -f $NM/@stoplight/prism-cli/dist/index.js ]] && command -v node >/dev/null ;;
    mockoon) [[ -f $NM/@mockoon/cli/bin/run.js ]] && command -v node >/dev/null ;;
    mountebank) [[ -f $NM/@mbtest/mountebank/bin/mb ]] && command -v node >/dev/null ;;
    json-server) [[ -f $NM/json-server/lib/cli/bin.js ]] && command -v node >/dev/null ;;
    wiremock) [[ -f $WIREMOCK_JAR ]] && command -v java >/dev/null ;;
    httpmock) [[ -x $HTTPMOCK_BIN ]] ;;
  esac
}
# prints: workdir <TAB> ready-accept <TAB> ready-auth, then the command, one word per line
server_cmd() {
  local p; p=$(server_port "$1")
  case $1 in
    baseline) printf '%s\n' "$HERE" 200 "Bearer x" "$BASELINE_BIN" "$p" ;;
    ours) printf '%s\n' "$CALLER_PWD" any - bash -c "$OURS_CMD" ;;
    prism) printf '%s\n' "$NODE_DIR" 200 "Bearer $PEER_TOKEN" node "$NM/@stoplight/prism-cli/dist/index.js" mock \
             -h 127.0.0.1 -p "$p" -v warn "$HERE/peers/openapi.yaml" ;;
    mockoon) printf '%s\n' "$NODE_DIR" 200 "Bearer $PEER_TOKEN" node "$NM/@mockoon/cli/bin/run.js" start \
             --data "$HERE/peers/mockoon.json" --port "$p" --hostname 127.0.0.1 --disable-log-to-file --disable-admin-api ;;
    mountebank) printf '%s\n' "$NODE_DIR" 200 "Bearer $PEER_TOKEN" node "$NM/@mbtest/mountebank/bin/mb" start \
             --host 127.0.0.1 --port 18183 --localOnly --configfile "$HERE/peers/mountebank.json" --noParse \
             --nologfile --loglevel warn --pidfile "$OUT/mb.pid" ;;
    wiremock) printf '%s\n' "$OUT" 200 "Bearer $PEER_TOKEN" java -jar "$WIREMOCK_JAR" --port "$p" --bind-address 127.0.0.1 \
             --root-dir "$HERE/peers/wiremock" --disable-banner --no-request-journal --disable-request-logging ;;
    httpmock) printf '%s\n' "$OUT" 200 "Bearer $PEER_TOKEN" "$HTTPMOCK_BIN" --port "$p" \
             --mock-files-dir "$HERE/peers/httpmock" --disable-access-log ;;
    json-server) cp "$HERE/peers/json-server/db.json" "$OUT/json-server-db.json"
             printf '%s\n' "$NODE_DIR" 200 "Bearer $PEER_TOKEN" node "$NM/json-server/lib/cli/bin.js" "$OUT/json-server-db.json" \
             --routes "$HERE/peers/json-server/routes.json" --port "$p" --host 127.0.0.1 --quiet ;;
  esac
}
server_version() {
  local v
  case $1 in
    baseline) echo "axum $(grep -A1 '^name = "axum"$' "$CACHE/baseline-src/Cargo.lock" 2>/dev/null | sed -n 's/version = "\(.*\)"/\1/p')" ;;
    ours) echo "-" ;;
    prism) v=$(node -p "require('$NM/@stoplight/prism-cli/package.json').version" 2>/dev/null); echo "prism-cli $v" ;;
    mockoon) v=$(node -p "require('$NM/@mockoon/cli/package.json').version" 2>/dev/null); echo "mockoon-cli $v" ;;
    mountebank) v=$(node -p "require('$NM/@mbtest/mountebank/package.json').version" 2>/dev/null); echo "mountebank $v" ;;
    json-server) v=$(node -p "require('$NM/json-server/package.json').version" 2>/dev/null); echo "json-server $v" ;;
    wiremock) echo "wiremock $(basename "$WIREMOCK_JAR" .jar | sed 's/wiremock-standalone-//'), $(java -version 2>&1 | head -1)" ;;
    httpmock) echo "httpmock $HTTPMOCK_VERSION (standalone)" ;;
  esac
}

# ---------------------------------------------------------------- helpers
RUNNING_PG=""
SAMPLER_PID=""
cleanup() {
  [[ -n $SAMPLER_PID ]] && kill "$SAMPLER_PID" 2>/dev/null
  [[ -n $RUNNING_PG ]] && stop_server "$RUNNING_PG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop_server() {
  local pg=$1
  kill -TERM -- "-$pg" 2>/dev/null
  for _ in $(seq 1 50); do
    kill -0 -- "-$pg" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 -- "-$pg" 2>/dev/null && kill -KILL -- "-$pg" 2>/dev/null
  RUNNING_PG=""
}

port_busy() { ss -ltnH "sport = :$1" 2>/dev/null | grep -q .; }

# wrk output -> "rps p50_ms p99_ms max_ms non2xx sockerr requests"
# Note: wrk 4.x applies a coordinated-omission correction to its latency histogram, so after
# a server stall the percentiles include synthetic samples; the max is the real worst response.
parse_wrk() {
  awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /m$/) return v*60000; if (v ~ /s$/) return v*1000; return v }
    /^Requests\/sec:/ { rps = $2 }
    /requests in/ { req = $1 }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /^ +Latency +[0-9]/ { mx = ms($4) }
    /Non-2xx or 3xx responses:/ { n2 = $NF }
    /Socket errors:/ { gsub(/,/, ""); se = $4 + $6 + $8 + $10 }
    END { printf "%s %s %s %s %d %d %s\n", rps == "" ? "NA" : rps, p50 == "" ? "NA" : p50, p99 == "" ? "NA" : p99, mx == "" ? "NA" : mx, n2, se, req == "" ? 0 : req }
  ' "$1"
}

# run wrk pinned; $1=url $2=method $3=auth-header $4=seconds $5=outfile; prints client CPU seconds
run_wrk() {
  local url=$1 method=$2 auth=$3 secs=$4 out=$5
  local args=(-t1 "-c$CONNS" "-d${secs}s" --latency --timeout 5s)
  [[ $auth != - ]] && args+=(-H "Authorization: $auth")
  [[ $method == POST ]] && args+=(-s "$HERE/lib/post.lua")
  (
    export BENCH_BODY_FILE="$PAYLOADS/create.json"
    timeout --kill-after=5 $(( secs + 20 )) taskset -c "$CLIENT_CPU" wrk "${args[@]}" "$url" >"$out" 2>&1
    times > "$out.times"   # a redirect, not a pipe: a piped builtin would run in a fresh subshell
    tail -1 "$out.times" | awk '{ split($1,u,"m"); split($2,s,"m"); printf "%.3f\n", u[1]*60+u[2]+s[1]*60+s[2] }'
  )
}

# curl one request; prints "status size" and writes body to $5
probe() {
  local method=$1 url=$2 auth=$3 body=$4 out=$5
  local args=(-s -o "$out" -w '%{http_code} %{size_download}' --max-time 5 -X "$method")
  [[ $auth != - ]] && args+=(-H "Authorization: $auth")
  [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data-binary "@$body")
  curl "${args[@]}" "$url" 2>/dev/null || echo "000 0"
}

json_field() { python3 -c 'import json,sys
try: print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))
except Exception: print("")' "$1" "$2"; }

est_run_secs() {
  local s=$1 n; n=$(wc -w <<<"$(server_scenarios "$s")")
  echo $(( n * (WARM + DUR + 2) + 8 ))
}

record() {
  local row=("$@"); [[ ${row[1]} == ours ]] && row[1]=$OURS_NAME
  printf '%s\n' "$(IFS=$'\t'; echo "${row[*]}")" >> "$RESULTS"
}

# ---------------------------------------------------------------- one server, one round
run_server() {
  local round=$1 s=$2
  local port url; port=$(server_port "$s"); url=$(server_url "$s")
  local scen
  if ! server_available "$s"; then
    for scen in $(server_scenarios "$s"); do record "$round" "$s" "$scen" "not-installed"; done
    return
  fi
  if [[ $s != ours ]] && port_busy "$port"; then
    log "$s: port $port busy, skipped"
    for scen in $(server_scenarios "$s"); do record "$round" "$s" "$scen" "port-busy"; done
    return
  fi
  local need; need=$(est_run_secs "$s")
  if (( $(elapsed) + need > BUDGET )); then
    log "$s: skipped, would exceed --budget $BUDGET s"
    for scen in $(server_scenarios "$s"); do record "$round" "$s" "$scen" "skipped-budget"; done
    return
  fi

  local spec; mapfile -t spec < <(server_cmd "$s")
  local wd=${spec[0]} accept=${spec[1]} rauth=${spec[2]} cmd=("${spec[@]:3}")
  local ready="$url/v1/tasks/abc"; [[ $s == ours ]] && ready="$url$OURS_READY_PATH"
  [[ $s == baseline ]] && ready="$url/healthz"
  local slog="$OUT/$s.r$round.log"
  local sw; sw=$(cd "$wd" && python3 "$HERE/lib/startwait.py" "$SERVER_CPU" "$slog" "$ready" "$accept" 60 "$rauth" -- "${cmd[@]}")
  local pg=${sw%% *} startup; startup=$(awk '{print $2}' <<<"$sw")
  RUNNING_PG=$pg
  if [[ $startup == -1 ]]; then
    log "$s: did not become ready ($sw), see $slog"
    stop_server "$pg"
    for scen in $(server_scenarios "$s"); do record "$round" "$s" "$scen" "start-failed"; done
    return
  fi
  sleep 1
  local idle_rss; idle_rss=$(pg_rss_kb "$pg")
  log "$s: ready in ${startup} ms, idle RSS $(( idle_rss / 1024 )) MiB (pid $pg)"

  # token and GET path
  local auth="Bearer $PEER_TOKEN" get_path="/v1/tasks/abc"
  if [[ $s == baseline || $s == ours ]]; then
    local tok=""
    if [[ $s == ours && -n $OURS_TOKEN ]]; then tok=$OURS_TOKEN
    else
      curl -s --max-time 5 -u "$OURS_TOKEN_BASIC" -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
        --data "$OURS_TOKEN_FORM" -o "$OUT/token.json" "$url/cloud/oauth/token" 2>/dev/null
      tok=$(json_field "$OUT/token.json" access_token)
    fi
    [[ -n $tok ]] && auth="Bearer $tok" || log "$s: no token obtained, using a dummy bearer"
    probe POST "$url/v1/tasks/TRANSACTION" "$auth" "$PAYLOADS/create.json" "$OUT/created.json" >/dev/null
    local tid; tid=$(json_field "$OUT/created.json" taskId)
    if [[ $s == ours && -n $OURS_GET_PATH ]]; then get_path=$OURS_GET_PATH
    elif [[ -n $tid ]]; then get_path="/v1/tasks/$tid"; fi
  fi

  for scen in $(server_scenarios "$s"); do
    local method=GET path=$get_path sauth=$auth body=""
    case $scen in
      static) path=/static; sauth=- ;;
      post) method=POST; path=/v1/tasks/TRANSACTION; body="$PAYLOADS/create.json" ;;
    esac
    local chk; chk=$(probe "$method" "$url$path" "$sauth" "$body" "$OUT/probe.out")
    local code=${chk%% *}
    if [[ $code != 2* ]]; then
      log "$s $scen: check failed ($method $path -> $chk)"
      record "$round" "$s" "$scen" "check-$code" "" "" "" "" "" "" "" "$startup" "$idle_rss" "" "" "" "${chk// /:}"
      continue
    fi
    run_wrk "$url$path" "$method" "$sauth" "$WARM" "$OUT/warm.txt" >/dev/null
    local rssmax="$OUT/rssmax"; echo 0 > "$rssmax"
    pg_rss_sampler "$pg" "$rssmax" & SAMPLER_PID=$!
    local c0; c0=$(pg_cpu_ticks "$pg")
    local wout="$OUT/$s.$scen.r$round.wrk.txt"
    local cli_s; cli_s=$(run_wrk "$url$path" "$method" "$sauth" "$DUR" "$wout")
    local c1; c1=$(pg_cpu_ticks "$pg")
    local load_rss; load_rss=$(pg_rss_kb "$pg")
    kill "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null; SAMPLER_PID=""
    (( $(cat "$rssmax") > load_rss )) && load_rss=$(cat "$rssmax")
    local hz; hz=$(getconf CLK_TCK)
    local srv_pct; srv_pct=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v d="$DUR" 'BEGIN{printf "%.0f", (b-a)/hz/d*100}')
    local cli_pct; cli_pct=$(awk -v c="$cli_s" -v d="$DUR" 'BEGIN{printf "%.0f", c/d*100}')
    read -r rps p50 p99 mx n2 se req < <(parse_wrk "$wout")
    log "$s $scen: $rps req/s, p50 $p50 ms, p99 $p99 ms, max $mx ms, errors $((n2 + se)), srv CPU $srv_pct%, wrk CPU $cli_pct%"
    record "$round" "$s" "$scen" ok "$rps" "$p50" "$p99" "$mx" "$n2" "$se" "$req" "$startup" "$idle_rss" "$load_rss" \
      "$srv_pct" "$cli_pct" "${chk// /:}"
  done
  stop_server "$pg"
}

# ---------------------------------------------------------------- main
SERVERS=()
for s in "${ALL_SERVERS[@]}"; do selected "$s" && SERVERS+=("$s"); done
log "servers: ${SERVERS[*]}; rounds $REPS; ${CONNS} conns; ${WARM}s warm-up + ${DUR}s; server CPU $SERVER_CPU, wrk CPU $CLIENT_CPU; out $OUT"
{
  echo "# versions"
  echo "wrk: $(wrk --version 2>&1 | head -1)"
  for s in "${SERVERS[@]}"; do
    [[ $s == ours ]] && { echo "$OURS_NAME: $OURS_CMD"; continue; }
    server_available "$s" && echo "$s: $(server_version "$s")"
  done
} > "$OUT/versions.txt"

for round in $(seq 1 "$REPS"); do
  for s in "${SERVERS[@]}"; do run_server "$round" "$s"; done
done

echo
echo "## peers.sh results: $REPS round(s), $CONNS connections, ${WARM}s warm-up + ${DUR}s, server on CPU $SERVER_CPU, wrk (1 thread) on CPU $CLIENT_CPU"
echo "x(b) = req/s / baseline GET /v1/tasks/{id} (JWT + map + serde) in the same round; x(same) = / baseline row of the same scenario"
echo
python3 "$HERE/lib/summarize.py" "$RESULTS" ${JSON_OUT:+--json "$JSON_OUT"}
echo
cat "$OUT/versions.txt"
echo "raw results: $RESULTS (total $(elapsed) s)"
