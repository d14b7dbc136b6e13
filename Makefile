# One or two cargo lines per target. `make test` is what CI (.ci/run) runs.
CARGO ?= cargo

.PHONY: run demo mock test lint fmt build snapshots schema bench

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
	../shared/bench/peers.sh --quick --ours 'target/release/gptom-mock --port 18099 --seed 1' --ours-url http://127.0.0.1:18099
