"""Our ``ClientCache`` and Frappe v16's own, as two worker processes on one Redis would run them.

Frappe's ``ClientCache`` is loaded from a Frappe source tree at test time (never copied here):
the same lookup as the differential test (``FRAPPE_REDIS_WRAPPER``, ``FRAPPE_SOURCE`` or the
real-Frappe kit's checkout); without one the module is skipped and says so. Its ``frappe.cache``
is Frappe's own ``RedisWrapper`` on redis-py, as in a pure-Python v16 worker.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import frappe_cache
import pytest
from frappe_cache import ClientCache, RedisWrapper, site_cache
from test_frappe_differential import DB, SOURCE, Env, env  # noqa: F401  (env: the fixture)

pytestmark = pytest.mark.skipif(
    SOURCE is None,
    reason="Frappe's redis_wrapper.py is not here: set FRAPPE_REDIS_WRAPPER (the file) or FRAPPE_SOURCE "
    "(a Frappe checkout), or run `make real-frappe` once",
)


def eventually(condition: Callable[[], Any], timeout: float = 1.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not true within {timeout}s"
        time.sleep(0.005)


@pytest.fixture
def pair(env: Env) -> Iterator[tuple[Any, ClientCache, list[tuple[Any, Any]]]]:  # noqa: F811
    """(Frappe's ClientCache, ours, the controller-cache clears Frappe's handler made)."""
    frappe = env.frappe
    env.reset("theirs")
    frappe.local.site = "site1.local"
    cleared: list[tuple[Any, Any]] = []
    manager = ModuleType("frappe.cache_manager")
    manager.clear_controller_cache = lambda doctype=None, *, site=None: cleared.append((doctype, site))  # type: ignore[attr-defined]
    sys.modules["frappe.cache_manager"] = manager
    frappe.cache = env.theirs
    frappe.conf = frappe._dict(db_name=DB, redis_cache=env.raw_url)
    theirs = sys.modules["frappe.utils.redis_wrapper"].ClientCache()
    assert theirs.healthy
    ours = ClientCache(RedisWrapper.from_url(env.raw_url, site=DB))
    assert ours.healthy, ours.unhealthy_reason
    try:
        yield theirs, ours, cleared
    finally:
        theirs.invalidator_thread.stop()
        theirs.invalidator_thread.join(timeout=5)
        sys.modules.pop("frappe.cache_manager", None)
        frappe.cache = None


def test_the_same_keys_and_bytes(pair):
    theirs, ours, _ = pair
    ours.set_value("hooks", {"app": ["frappe"]})
    assert theirs.get_value("hooks") == {"app": ["frappe"]}
    theirs.set_value("meta", ["a", 1])
    assert ours.get_value("meta") == ["a", 1]


def test_their_writes_invalidate_ours_and_ours_theirs(pair):
    theirs, ours, _ = pair
    ours.set_value("k", 1)
    assert theirs.get_value("k") == 1 and ours.get_value("k") == 1
    theirs.set_value("k", 2)
    eventually(lambda: ours.get_value("k") == 2)
    ours.set_value("k", 3)
    eventually(lambda: theirs.get_value("k") == 3)
    theirs.delete_value("k")
    eventually(lambda: ours.get_value("k") is None)
    ours.set_value("k", 4)
    assert theirs.get_value("k") == 4
    ours.delete_value("k")
    eventually(lambda: theirs.get_value("k") is None)


def test_persistent_cache_messages_go_both_ways(pair):
    theirs, ours, cleared = pair
    ours.erase_persistent_caches(doctype="ToDo")
    eventually(lambda: ("ToDo", "site1.local") in cleared)
    calls = []

    @site_cache
    def settings() -> int:
        calls.append(1)
        return len(calls)

    with frappe_cache.request_scope(DB):
        assert settings() == settings() == 1
        theirs.erase_persistent_caches()  # doctype None: every @site_cache goes
        eventually(lambda: settings() == 2)
    assert json.dumps({"doctype": None, "site": "site1.local"})  # the payload both sides read
