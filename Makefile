# frappe-cache: every target people and CI use. `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV ?= .venv
PY := $(VENV)/bin/python
# redis-py as Frappe v16 pins it (~=7.1); the benchmarks' baseline runs on the same.
PIP_PACKAGES := maturin pytest hypothesis "redis~=7.1.0" "hiredis~=3.3.0" werkzeug

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(PIP_PACKAGES)

.PHONY: install
install: $(PY) redis-server ## create .venv with the build and test tools, install redis-server if absent

.PHONY: redis-server
redis-server: ## install redis-server from Debian's packages when it is not on PATH
	@command -v redis-server >/dev/null || { \
	  echo "redis-server not found: installing it from Debian's packages"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }
	@# Debian starts a system-wide server on install; the project only ever uses its own.
	@-systemctl disable --now redis-server >/dev/null 2>&1; true

.PHONY: build-dev
build-dev: $(PY) ## build the extension (release profile) into .venv
	VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/maturin develop --release -q

.PHONY: test-rust
test-rust: ## cargo test for the pure-Rust modules
	PYO3_PYTHON=$(abspath $(PY)) cargo test -q

.PHONY: test-python
test-python: build-dev ## pytest against real redis-server processes
	$(PY) -m pytest -q

.PHONY: test-pythons
test-pythons: redis-server ## build for CPython 3.10, 3.12, 3.13 (pyenv) and run the smoke tests there (SUITE=full: everything)
	bash tools/test-pythons.sh

.PHONY: test-no-fastcall
test-no-fastcall: install ## the whole pytest suite on a build without src/fastcall/ (cargo --no-default-features), as after a PyO3 upgrade
	@# maturin develop puts the module in python/frappe_cache/: the default build is put back after.
	VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/maturin develop -q --no-default-features
	@status=0; \
	  $(PY) -c 'import frappe_cache._native as n; assert not n.FASTCALL, "built with fastcall"' && \
	  $(PY) -m pytest -q -p no:cacheprovider || status=$$?; \
	  $(MAKE) --no-print-directory build-dev; exit $$status

.PHONY: test
test: install ## install what is missing, build, run cargo test and pytest (3.11, with and without fastcall), smoke tests on 3.10/3.12/3.13
	$(MAKE) test-rust
	$(MAKE) test-python
	$(MAKE) test-no-fastcall
	$(MAKE) test-pythons

.PHONY: demo
demo: install build-dev ## build and run the demo (starts a private redis-server unless REDIS_URL is set)
	$(PY) demo/demo.py

.PHONY: bench
bench: build-dev ## comparative benchmarks -> bench/results/latest.{json,md,png} (BENCH_ARGS=--quick)
	$(PY) -m pip install -q matplotlib
	$(PY) bench/run.py $(BENCH_ARGS)

.PHONY: reliability
reliability: build-dev ## run the fault, Sentinel and Cluster suites and record their figures (bench/results/{reliability,sentinel,cluster}.md, quoted in the README)
	FRAPPE_CACHE_RECORD=1 $(PY) -m pytest -q -p no:cacheprovider tests/test_faults.py tests/test_sentinel.py tests/test_cluster.py

.PHONY: real-frappe
real-frappe: install ## Frappe's tests, gunicorn and an RQ job on a real Frappe 16 site, without/with the drop-in (needs FRAPPE_GIT, PYPIKA_GIT, GUNICORN_GIT; not in CI)
	bash tools/real-frappe.sh

.PHONY: lint
lint: build-dev ## rustfmt, clippy, ruff, and mypy's stubtest of the hand-written stub
	cargo fmt --check
	cargo clippy -q --all-targets -- -D warnings
	cargo clippy -q --all-targets --no-default-features -- -D warnings
	$(PY) -m pip install -q "mypy==2.4.1" "ruff==0.17.6"
	$(PY) -m ruff check python tests bench demo tools
	$(PY) -m ruff format --check python tests bench demo tools
	$(PY) -m mypy.stubtest frappe_cache._native --allowlist stubtest-allowlist.txt

.PHONY: format
format: $(PY) ## rewrite the sources the way `make lint` checks them (rustfmt, ruff format, ruff's fixes)
	cargo fmt
	$(PY) -m pip install -q "ruff==0.17.6"
	$(PY) -m ruff format python tests bench demo tools
	$(PY) -m ruff check --fix python tests bench demo tools

FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 30
FUZZ_TARGETS := resp pickle_walker
# The fuzz build links libpython (pyo3 without extension-module) from this interpreter, and
# loads that same one at run time. cargo fuzz's sanitizer flags are nightly-only options:
# RUSTC_BOOTSTRAP=1 lets the stable toolchain take them.
FUZZ_PYTHON ?= $(shell command -v python3)
FUZZ_ENV = RUSTC_BOOTSTRAP=1 PYO3_PYTHON=$(FUZZ_PYTHON) \
	LD_LIBRARY_PATH=$(shell $(FUZZ_PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')$${LD_LIBRARY_PATH:+:$$LD_LIBRARY_PATH}
# Each target in turn for $(1) seconds; new inputs go to fuzz/work/, the seeds in fuzz/corpus/
# stay as committed. A crash fails the run and leaves its input in fuzz/artifacts/.
define run_fuzzers
	@set -e; for target in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/work/$$target; \
	  echo "== fuzz $$target for $(1) s"; \
	  $(FUZZ_ENV) cargo fuzz run $$target fuzz/work/$$target fuzz/corpus/$$target -- \
	    -max_total_time=$(1) -print_final_stats=1; \
	done
endef

.PHONY: cargo-fuzz
cargo-fuzz: ## install cargo-fuzz when it is not on PATH
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

.PHONY: fuzz
fuzz: cargo-fuzz ## run each fuzz target for FUZZ_SECONDS (default 600), one after the other
	$(call run_fuzzers,$(FUZZ_SECONDS))

.PHONY: fuzz-smoke
fuzz-smoke: cargo-fuzz ## run each fuzz target for FUZZ_SMOKE_SECONDS (default 30), for CI
	$(call run_fuzzers,$(FUZZ_SMOKE_SECONDS))

.PHONY: clean
clean: ## remove build products and the virtualenv
	cargo clean
	rm -rf fuzz/target
	rm -rf $(VENV)
