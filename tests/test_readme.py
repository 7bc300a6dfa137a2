"""The README's quick start runs as written (against a private server instead of port 13000)."""

from __future__ import annotations

import re
from pathlib import Path

import frappe_cache

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
