"""A stand-in for ``frappe/__init__.py``: the globals and lifecycle functions the cache layer uses.

Written from ``frappe-behaviour.md`` (§1, §3.7, §6.2), not copied from Frappe. What it mirrors:

- ``local`` is v16's own context-local ``Local`` (``frappe.utils.local``), released with
  ``release_local(local)``; ``conf`` and ``session`` are proxies to ``local.conf`` and
  ``local.session``.
- ``cache`` / ``client_cache`` are process globals, ``None`` until ``init()`` calls
  ``setup_redis_cache_connection()``, which builds them under a module lock with a re-check
  (v16's double-checked init) through ``frappe.utils.redis_wrapper.setup_cache()``.
- ``init(site, force=False)`` is a no-op on an initialised ``local`` unless forced; otherwise it
  resets the request state in v16's order: the site's merged config in ``local.conf`` first,
  then ``local.request_cache``, ``local.cache = {}``, a Guest ``session``; then it builds the
  cache if needed and, like v16's ``setup_module_map``, *reads the cache before returning*.
- ``connect()`` (``init(site)`` first when a site is given) makes the session user
  Administrator through ``set_user`` unless ``set_admin_as_user=False``, as HTTP requests do.
- ``set_user(user)`` writes the session user and resets ``local.cache``.
- ``destroy()`` releases the whole ``Local``.
- ``clear_cache(user=None, doctype=None)``: the v16 branches, reduced to what they do to Redis and
  to the in-process caches.

Tests configure sites in ``SITES`` (site name -> ``site_config.json`` contents) and the bench-wide
``COMMON_SITE_CONFIG``.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

from frappe.utils.local import Local, release_local

# site name -> that site's site_config.json (db_name, redis_cache, ...); set by the tests
SITES: dict[str, dict[str, Any]] = {}
# common_site_config.json
COMMON_SITE_CONFIG: dict[str, Any] = {}


class _dict(dict):
    """``frappe._dict``: a dict with attribute access (missing attributes read as None)."""

    __getattr__ = dict.get  # type: ignore[assignment]
    __setattr__ = dict.__setitem__  # type: ignore[assignment]
    __delattr__ = dict.__delitem__  # type: ignore[assignment]

    def __getstate__(self) -> dict[str, Any]:
        return dict(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.update(state)

    def copy(self) -> _dict:
        return _dict(self)


local = Local()
conf: _dict = local("conf")
session: _dict = local("session")
flags: _dict = local("flags")

# Process globals: one cache for every site and thread of the process (§1.1).
cache: Any = None
client_cache: Any = None
_redis_init_lock = threading.Lock()


def get_site_config(site: str | None = None) -> _dict:
    """``common_site_config.json`` overlaid with the site's ``site_config.json``."""
    merged = _dict(COMMON_SITE_CONFIG)
    if site:
        if site not in SITES:
            raise RuntimeError(f"stand-in frappe: unknown site {site!r} (add it to frappe.SITES)")
        merged.update(SITES[site])
    return merged


def setup_redis_cache_connection() -> None:
    """Build ``cache`` and ``client_cache`` once per process (v16: a lock and a re-check)."""
    global cache, client_cache
    with _redis_init_lock:
        if not cache or not client_cache:
            from frappe.utils.redis_wrapper import ClientCache, setup_cache

            cache = setup_cache()
            client_cache = ClientCache()


def init(
    site: str,
    sites_path: str = ".",
    new_site: bool = False,
    force: bool = False,
    *,
    is_request: bool = False,
    is_job: bool = False,
) -> None:
    """Set up ``local`` for one request or job on ``site`` (v16's signature)."""
    if getattr(local, "initialised", None) and not force:
        return
    local.error_log = []
    local.message_log = []
    local.flags = _dict()
    local.site = site
    local.sites_path = sites_path
    local.conf = get_site_config(site)
    local.user = None
    local.user_perms = None
    local.role_permissions = {}
    local.new_doc_templates = {}
    local.request_cache = defaultdict(dict)
    local.cache = {}
    local.form_dict = _dict()
    local.session = _dict(user="Guest", data=_dict())
    local.db = None
    if not cache or not client_cache:
        setup_redis_cache_connection()
    setup_module_map()
    local.initialised = True


def setup_module_map() -> None:
    """v16 reads the cache inside ``init`` (``cache.get_value("app_modules")``), before it returns."""
    local.app_modules = cache.get_value("app_modules", generator=lambda: {"frappe": ["core"]})


class _StandInDB:
    """Where Frappe opens the site's database; the stand-in only remembers the name."""

    def __init__(self, name: str | None) -> None:
        self.name = name
        self.open = True

    def close(self) -> None:
        self.open = False


def connect(site: str | None = None, db_name: str | None = None, set_admin_as_user: bool = True) -> None:
    """Open the site's database; the session user becomes Administrator unless told otherwise."""
    if site:
        init(site)
    local.db = _StandInDB(db_name or local.conf.db_name)
    if set_admin_as_user:
        set_user("Administrator")


def set_user(username: str) -> None:
    """Make ``username`` the session user; like Frappe, it resets the request-local cache."""
    local.session.user = username
    local.session.sid = username
    local.cache = {}
    local.form_dict = _dict()
    local.session.data = _dict()
    local.role_permissions = {}
    local.new_doc_templates = {}
    local.user_perms = None


def destroy() -> None:
    """End the request or job: close the database and release everything on ``local``."""
    db = getattr(local, "db", None)
    if db:
        db.close()
    release_local(local)


# hashes whose field is a user (a few of v16's user_cache_keys)
user_cache_keys = ("bootinfo", "user_recent", "roles", "user_doc", "lang", "defaults", "home_page")


def clear_cache(user: str | None = None, doctype: str | None = None) -> None:
    """v16's ``frappe.clear_cache``, reduced to what it does to Redis and in-process caches.

    The global branch deletes every ``{db}|*`` key (real Frappe spares the hook
    ``persistent_cache_keys`` patterns) and resets ``local.cache``.
    """
    import frappe.utils.caching

    if doctype:
        cache.delete_keys(f"document_cache::{doctype}::")
    elif user:
        cache.hdel_names(user_cache_keys, user)
        cache.delete_keys("user:" + user)
    else:
        cache.delete_keys("")
        local.cache = {}
        local.new_doc_templates = {}

    if (not doctype and not user) or doctype == "DocType":
        frappe.utils.caching._SITE_CACHE.clear()
        client_cache.clear_cache()

    local.role_permissions = {}
    if hasattr(local, "request_cache"):
        local.request_cache.clear()
