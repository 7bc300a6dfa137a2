"""The README's quick start runs as written (against a private server instead of port 13000)."""

from __future__ import annotations

import re
from pathlib import Path

import frappe_cache
import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def test_quick_start_runs(redis_server, raw):
    code = re.search(r"## Quick start\n\n```python\n(.*?)```", README.read_text(), re.S)
    assert code is not None, "README has no quick start"
    try:
        exec(code.group(1).replace("redis://127.0.0.1:13000/0", redis_server.url), {})
    finally:
        frappe_cache.set_default_cache(None)
    assert raw.exists(b"_1a2b3c4d5e6f7a8b|todo::ToDo-0001")
    assert raw.hexists(b"_1a2b3c4d5e6f7a8b|bootinfo", b"a@b.com")
    assert raw.keys(b"_1a2b3c4d5e6f7a8b|*open_todos::*")


def test_benchmark_quotes_are_the_recorded_run():
    # bench/run.py writes its tables to bench/results/latest.md and quotes them in both READMEs;
    # a hand edit or a partial run must not leave a quote that the recorded run does not back.
    root = README.parent
    recorded = (root / "bench" / "results" / "latest.md").read_text()
    for readme in (README, root / "bench" / "README.md"):
        block = re.search(r"<!-- bench:start -->\n(.*?)<!-- bench:end -->", readme.read_text(), re.S)
        assert block is not None, f"{readme} has no benchmark quote"
        assert block.group(1) == recorded, f"{readme} quotes another run than bench/results/latest.md"


def test_real_frappe_quote_is_the_recorded_run():
    # `make real-frappe` writes bench/results/real-frappe.md and quotes it in the README.
    recorded = (README.parent / "bench" / "results" / "real-frappe.md").read_text()
    block = re.search(r"<!-- real-frappe:start -->\n(.*?)<!-- real-frappe:end -->", README.read_text(), re.S)
    assert block is not None, "README has no real-Frappe quote"
    assert block.group(1) == recorded, "README quotes another run than bench/results/real-frappe.md"


@pytest.mark.parametrize("name", ["reliability", "sentinel", "cluster"])
def test_fault_suite_quotes_are_the_recorded_runs(name: str):
    # `make reliability` writes bench/results/{reliability,sentinel,cluster}.md and quotes them in the README.
    recorded = (README.parent / "bench" / "results" / f"{name}.md").read_text()
    block = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", README.read_text(), re.S)
    assert block is not None, f"README has no {name} quote"
    assert block.group(1) == recorded, f"README quotes another run than bench/results/{name}.md"
