# The user interface of the project. `make run` and `make test` install everything they need on a fresh
# Debian bookworm machine (scripts/install-deps.sh), so each is the only command a newcomer types.
SHELL := /bin/bash
.DEFAULT_GOAL := help

JOBS ?= $(shell nproc)
ASAN_DIR := build/asan
REL_DIR := build/release
GATEWAY_ASAN := $(ASAN_DIR)/src/app/openclaw-gateway
GATEWAY_REL := $(REL_DIR)/src/app/openclaw-gateway
PYTEST := /usr/bin/python3 -m pytest
BENCH_ENV := GW_BINARY=$(abspath $(GATEWAY_REL)) REF_BINARY=$(abspath $(REL_DIR)/bench/gw_reference_server) \
	FAKE_BINARY=$(abspath $(REL_DIR)/bench/gw_fake_upstream) PROBE_BINARY=$(abspath $(REL_DIR)/bench/gw_chat_probe)
ARGS ?=
FUZZ_SECONDS ?= 60

# ASan: leaks are checked at exit; abort on the first error so a test sees a non-zero status.
export ASAN_OPTIONS ?= abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=0
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1

.PHONY: help deps build build-asan run test test-unit test-integration test-e2e bench bench-chat fuzz format lint clean

help:
	@echo "make run     install deps, build (release) and start the gateway on 127.0.0.1:3000 (ARGS=... passed on)"
	@echo "make test    install deps, build once with ASan+UBSan, run unit, integration and e2e tests"
	@echo "make bench   release build + benchmarks (wrk vs a minimal Beast server, cold start, RSS, chat vs OpenClaw)"
	@echo "make bench-chat  release build + only the chat-completion benchmarks (fake upstream, OpenClaw peer)"
	@echo "make fuzz    clang libFuzzer build + every fuzz target for FUZZ_SECONDS (default 60) each"
	@echo "make build   release build only;  make format / make lint;  make clean"

deps:
	@bash scripts/install-deps.sh

build: deps
	cmake --preset release
	cmake --build --preset release -j $(JOBS)

build-asan: deps
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)

run: build
	$(GATEWAY_REL) serve $(ARGS)

test: build-asan
	$(MAKE) --no-print-directory test-unit test-integration test-e2e

test-unit:
	ctest --preset unit

test-integration:
	bash tests/scripts/run-integration.sh

test-e2e:
	bash tests/e2e/node/install.sh
	bash bench/openclaw_peer.sh install  # the stock openclaw CLI and Control UI (interop tests)
	GW_BINARY=$(abspath $(GATEWAY_ASAN)) GW_E2E_REQUIRE=1 $(PYTEST) -q tests/e2e

bench: build
	for b in metrics crypto crypto_jwt edge; do $(REL_DIR)/bench/gw_$${b}_bench --benchmark_min_time=0.1 || exit 1; done
	$(BENCH_ENV) bash bench/run.sh

bench-chat: build
	$(BENCH_ENV) BENCH_ONLY=chat bash bench/run.sh

# libFuzzer targets (fuzz/README.md), built with clang 14 in build/fuzz. `make test` replays their
# corpora once (ctest label fuzz, part of unit).
fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz -j $(JOBS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh build/fuzz

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

lint:
	bash scripts/lint.sh

clean:
	rm -rf build
