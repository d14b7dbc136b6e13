# One or two cargo lines per target. `make test` is what CI (.ci/run) runs.
CARGO ?= cargo

.PHONY: run demo mock test lint fmt build snapshots schema bench bench-suite reliability schemathesis

## run: the certification suite (scenarios/) against the embedded mock — the main job
run:
	$(CARGO) run -q -p conformance --bin gptom-conformance -- run $(ARGS)

## demo: start the mock and walk one card sale through the Cloud API with curl
demo: build
	bash scripts/demo.sh

## mock: start the mock on 127.0.0.1:8080 (Ctrl-C stops it); flags via ARGS='--seed 7'
mock:
	$(CARGO) run -q -p mock-server --bin gptom-mock -- $(ARGS)

build:
	$(CARGO) build -q -p mock-server --bin gptom-mock

## test: lint, then every test of the workspace
test: lint
	$(CARGO) test --workspace --locked

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

## bench: release build, then ours vs a bare axum baseline (ratios; see ../shared/bench/README.md)
bench:
	$(CARGO) build --release -p mock-server --bin gptom-mock
	../shared/bench/peers.sh --quick --ours 'target/release/gptom-mock --port 18099 --seed 1 --latency instant' --ours-url http://127.0.0.1:18099

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
