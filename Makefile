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

.PHONY: test
test: install ## install what is missing, build, run cargo test and pytest (3.11), smoke tests on 3.10/3.12/3.13
	$(MAKE) test-rust
	$(MAKE) test-python
	$(MAKE) test-pythons

.PHONY: demo
demo: install build-dev ## build and run the demo (starts a private redis-server unless REDIS_URL is set)
	$(PY) demo/demo.py

.PHONY: bench
bench: build-dev ## comparative benchmarks -> bench/results/latest.{json,md,png} (BENCH_ARGS=--quick)
	$(PY) -m pip install -q matplotlib
	$(PY) bench/run.py $(BENCH_ARGS)

.PHONY: real-frappe
real-frappe: install ## Frappe's tests, gunicorn and an RQ job on a real Frappe 16 site, without/with the drop-in (needs FRAPPE_GIT, PYPIKA_GIT, GUNICORN_GIT; not in CI)
	bash tools/real-frappe.sh

.PHONY: lint
lint: build-dev ## rustfmt, clippy, ruff, and mypy's stubtest of the hand-written stub
	cargo fmt --check
	cargo clippy -q --all-targets -- -D warnings
	$(PY) -m pip install -q "mypy==2.4.1" "ruff==0.17.6"
	$(PY) -m ruff check python tests bench demo tools
	$(PY) -m ruff format --check python tests bench demo tools
	$(PY) -m mypy.stubtest frappe_cache._native --allowlist stubtest-allowlist.txt

.PHONY: clean
clean: ## remove build products and the virtualenv
	cargo clean
	rm -rf $(VENV)
