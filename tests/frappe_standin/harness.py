"""Test helpers for the Frappe drop-in: load/unload the stand-in, sites, requests and jobs.

Imported by the test modules as ``frappe_standin.harness`` (``tests/`` is on ``sys.path`` under
pytest); the stand-in package itself (``frappe``) is importable only between ``load()`` and
``unload()``.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import frappe_cache

STANDIN_DIR = Path(__file__).resolve().parent

# Two sites on one bench (and one Redis): site name -> db_name (the key prefix).
SITE1, DB1 = "site1.local", "_site1db"
SITE2, DB2 = "site2.local", "_site2db"


def load(redis_url: str, **extra_sites: dict[str, object]) -> ModuleType:
    """Put the stand-in on ``sys.path``, import it, and configure the two sites on ``redis_url``."""
    unload()
    sys.path.insert(0, str(STANDIN_DIR))
    import frappe

    frappe.SITES.clear()
    frappe.SITES[SITE1] = {"db_name": DB1, "redis_cache": redis_url}
    frappe.SITES[SITE2] = {"db_name": DB2, "redis_cache": redis_url}
    frappe.SITES.update(extra_sites)
    return frappe


def load_frappes_redis_wrapper(source: Path) -> ModuleType:
    """Frappe's own ``frappe/utils/redis_wrapper.py`` (``source``, from a Frappe source tree),
    executed as ``frappe.utils.redis_wrapper`` on the loaded stand-in, which lends it the globals
    it reads (``frappe.local``, ``frappe.conf``, ``frappe.cache``) and ``cstr``."""
    import importlib.util

    import frappe.utils as utils

    utils.cstr = lambda s, encoding="utf-8": (  # type: ignore[attr-defined]
        s.decode(encoding) if isinstance(s, bytes) else "" if s is None else str(s)
    )
    spec = importlib.util.spec_from_file_location("frappe.utils.redis_wrapper", source)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["frappe.utils.redis_wrapper"] = module
    spec.loader.exec_module(module)
    utils.redis_wrapper = module  # type: ignore[attr-defined]
    return module


def unload() -> None:
    """Forget the stand-in: ``frappe*`` out of ``sys.modules``, its directory off ``sys.path``.

    Also drops this thread's request scope and the decorators' default cache, which a test's
    ``install()`` set.
    """
    frappe = sys.modules.get("frappe")
    if frappe is not None and hasattr(frappe, "local"):
        with contextlib.suppress(Exception):
            frappe.destroy()
        if getattr(frappe, "client_cache", None) is not None:
            with contextlib.suppress(Exception):
                frappe.client_cache.close()
    for name in list(sys.modules):
        if name == "frappe" or name.startswith("frappe."):
            del sys.modules[name]
    while str(STANDIN_DIR) in sys.path:
        sys.path.remove(str(STANDIN_DIR))
    frappe_cache.end_request()
    frappe_cache.set_default_cache(None)
    frappe_cache._native.set_user_resolver(None)


@contextlib.contextmanager
def job(frappe: ModuleType, site: str = SITE1, user: str | None = None) -> Iterator[ModuleType]:
    """One background job: ``init(force=True, is_job=True)``, ``connect()``, ``set_user``."""
    frappe.init(site, force=True, is_job=True)
    try:
        frappe.connect()
        if user:
            frappe.set_user(user)
        yield frappe
    finally:
        frappe.destroy()


@contextlib.contextmanager
def http_request(frappe: ModuleType, site: str = SITE1, user: str = "Guest") -> Iterator[ModuleType]:
    """One HTTP request: ``init(force=True)``, ``connect(set_admin_as_user=False)``, a session."""
    from frappe.auth import LoginManager

    frappe.init(site, force=True, is_request=True)
    try:
        frappe.connect(set_admin_as_user=False)
        frappe.local.login_manager = LoginManager(user)
        yield frappe
    finally:
        frappe.destroy()
