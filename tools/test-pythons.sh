#!/usr/bin/env bash
# `make test-pythons`: build the extension for CPython 3.10, 3.12 and 3.13 (pyenv's) and run tests
# there. SUITE=smoke (CI's default) runs the import-and-smoke subset: the native entry points
# (hot paths, vectorcall decorators, the request cache as a mapping), keys and values against a
# real redis-server; SUITE=full runs the whole pytest suite. Each version gets its own venv
# (.venv-3.X) and a debug build: correctness, not speed, is checked here.
set -euo pipefail
cd "$(dirname "$0")/.."
SUITE=${SUITE:-smoke}
VERSIONS=${PYTHONS:-3.10 3.12 3.13}
SMOKE=(tests/test_hot_paths.py tests/test_local_cache.py tests/test_keys.py tests/test_values.py
       tests/test_strings.py tests/test_hashes.py tests/test_caching.py tests/test_frappe_dropin.py
       tests/test_client_cache.py)
failed=()
for v in $VERSIONS; do
  prefix=$(pyenv prefix "$v" 2>/dev/null || true)
  if [ -z "$prefix" ]; then
    full=$(pyenv versions --bare 2>/dev/null | grep -E "^${v//./\\.}(\.|$)" | tail -1 || true)
    [ -n "$full" ] && prefix=$(pyenv prefix "$full")
  fi
  if [ -z "$prefix" ] || [ ! -x "$prefix/bin/python3" ]; then
    msg="CPython $v is not installed (pyenv install $v)"
    if [ "${CI:-}" = true ]; then echo "test-pythons: $msg" >&2; exit 2; fi
    echo "test-pythons: skipping: $msg" >&2; continue
  fi
  venv=.venv-$v
  [ -x "$venv/bin/python" ] || {
    "$prefix/bin/python3" -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q maturin pytest hypothesis "redis~=7.1.0" "hiredis~=3.3.0" werkzeug
  }
  echo "== CPython $("$venv/bin/python" -c 'import platform; print(platform.python_version())'): build" >&2
  VIRTUAL_ENV=$PWD/$venv "$venv/bin/maturin" develop -q
  if [ "$SUITE" = full ]; then args=(); else args=("${SMOKE[@]}"); fi
  echo "== CPython $v: pytest ($SUITE)" >&2
  "$venv/bin/python" -m pytest -q -p no:cacheprovider "${args[@]}" || failed+=("$v")
done
if [ ${#failed[@]} -gt 0 ]; then echo "test-pythons: failed on ${failed[*]}" >&2; exit 1; fi
