# One or two cargo lines per target. `make test` is what CI (.ci/run) runs.
CARGO ?= cargo

.PHONY: test-browser docker docker-smoke run gateway-check demo mock test lint fmt build snapshots schema bench bench-peers bench-micro profile callgrind bench-suite reliability schemathesis

## run: the certification suite (scenarios/) against the embedded mock — the main job (a cold build shows cargo's progress)
run:
	$(CARGO) run -p conformance --bin gptom-conformance -- run $(ARGS)

## gateway-check: the suite against a stand-in gateway — a gptom-mock on default flags (realistic latency, real
## clock) whose admin API the runner does not have — in real time (~12 min); reports in target/gateway/
gateway-check:
	bash scripts/gateway-check.sh $(ARGS)

## demo: start the mock and walk one card sale through the Cloud API with curl
demo: build
	bash scripts/demo.sh

## mock: start the mock on 127.0.0.1:8080 (Ctrl-C stops it); flags via ARGS='--seed 7'
mock:
	$(CARGO) run -p mock-server --bin gptom-mock -- $(ARGS)

build:
	$(CARGO) build -q -p mock-server --bin gptom-mock

## docker: the image gptom-mock:latest (FROM scratch over the release binary built here; nothing pulled)
docker:
	bash scripts/docker-build.sh

## docker-smoke: build the image, run it, run the suite against it with --target, stop it (installs and starts
## Docker from Debian's packages if absent; not in CI)
docker-smoke:
	bash scripts/docker-smoke.sh

## test: lint, then every test of the workspace (the browser tests are `make test-browser`: they need Chromium), and
## each micro-benchmark once in criterion's test mode (so that `make bench-micro` cannot rot unnoticed)
test: lint
	$(CARGO) test --workspace --exclude browser-tests --locked
	$(CARGO) test -p mock-server --bench hot_paths --locked

## test-browser: the web console in headless Chromium (installs Debian's chromium and chromium-driver if absent)
test-browser:
	bash scripts/browser-deps.sh
	$(CARGO) test -p browser-tests --locked

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

fmt:
	$(CARGO) fmt --all

## snapshots: re-record the scenario transcripts (read `git diff scenarios/` before committing)
snapshots:
	$(CARGO) run -q -p conformance --bin gptom-conformance -- snapshots accept

## schema: regenerate scenarios/schema.json
schema:
	$(CARGO) run -q -p conformance --bin gptom-conformance -- schema > scenarios/schema.json

## bench: release build, baseline, our mock and httpmock (bench/harness, quick), suite wall time, memory per task,
## cost as the work grows; prints
## every issue-19 target as met / NOT MET and writes target/bench/summary.json
bench:
	$(CARGO) build -q --release -p mock-server --bin gptom-mock -p conformance --bin gptom-conformance
	python3 scripts/bench.py

## bench-peers: the same with every peer mock of the harness (WireMock, Prism, Mockoon, …), 2 rounds (~10 min)
bench-peers:
	$(CARGO) build -q --release -p mock-server --bin gptom-mock -p conformance --bin gptom-conformance
	python3 scripts/bench.py --peers

## bench-micro: criterion micro-benchmarks of the hot paths (token check, task status, JSON)
bench-micro:
	$(CARGO) bench -p mock-server --bench hot_paths

## profile: perf profile under load (release + line tables): GET by default, ARGS=post for task creation; data in target/bench/
profile:
	$(CARGO) build -q --profile profiling -p mock-server --bin gptom-mock
	bash scripts/profile.sh target/profiling/gptom-mock $(ARGS)

## callgrind: instructions one request costs (valgrind callgrind: stable where req/s is noisy); ARGS=post for task
## creation; CG_OPTS="--cache-sim=yes --branch-sim=yes" adds cache and branch misses; MOCK_OPTS passes flags to the
## mock (e.g. "--max-tasks 100": eviction counted); data in target/bench/
callgrind:
	$(CARGO) build -q --release -p mock-server --bin gptom-mock
	bash scripts/callgrind.sh target/release/gptom-mock $(ARGS)

## bench-suite: wall time of the whole certification suite against the embedded mock (release build)
bench-suite:
	$(CARGO) build -q --release -p conformance --bin gptom-conformance
	bash -c 'time target/release/gptom-conformance run > /dev/null'

## reliability: slow checks in release (1000 idle conns, 1M tasks vs memory cap, 1M-GET soak, 5000-case state machine)
reliability:
	bash scripts/reliability.sh

## schemathesis: every stateless phase + all checks against /openapi.json of a release mock (venv under target/)
schemathesis:
	bash scripts/schemathesis.sh
