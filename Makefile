# One or two cargo lines per target. `make test` is what CI (.ci/run) runs.
CARGO ?= cargo

.PHONY: run mock test lint fmt build bench

## run: start the mock on :8080 with a manual clock and show a sale end to end with curl
run: build
	bash scripts/demo.sh

## mock: start the mock on 127.0.0.1:8080 (Ctrl-C stops it)
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

## bench: release build, then ours vs a bare axum baseline (ratios; see ../shared/bench/README.md)
bench:
	$(CARGO) build --release -p mock-server --bin gptom-mock
	../shared/bench/peers.sh --quick --ours 'target/release/gptom-mock --port 18099 --seed 1' --ours-url http://127.0.0.1:18099
