"""``ClientCache``: Frappe v16's ``frappe.client_cache``, with its store and listener in Rust.

A per-process cache of hot keys (hooks, meta, defaults, settings documents) that Redis keeps
fresh: every read that fills it is tracked by Redis (``CLIENT TRACKING``), and any other client's
write to such a key is reported to this process within milliseconds and drops the entry. Keys
and pickled bytes are ``frappe.cache``'s, so it shares one Redis with pure-Python Frappe workers
(their ``ClientCache`` included) in both directions.

It never serves an entry it cannot vouch for: a reply older than an invalidation is not stored,
and losing the invalidation link (a Redis restart, a killed connection, a failover, a link that
stops answering PING) empties the cache; while the link is down, reads go to Redis as
``frappe.cache`` does, and caching resumes by itself once the link is back. Entries expire after
``ttl`` seconds in any case; at most ``maxsize`` are kept (oldest in, first out).

``erase_persistent_caches()`` publishes Frappe's ``clear_persistent_cache`` message; each
process's listener honours it (ours and Frappe's alike) by clearing ``@site_cache`` functions and,
in a Frappe process, the site's controller caches.
"""

from __future__ import annotations

import json
import sys
from collections import namedtuple
from typing import Any

from frappe_cache import _native
from frappe_cache.caching import clear_site_caches

__all__ = ["CacheStatistics", "ClientCache"]

# Frappe's own namedtuple, field for field.
CacheStatistics = namedtuple(
    "CacheStatistics", ["hits", "misses", "capacity", "used", "utilization", "hit_ratio", "healthy"]
)


def _clear_persistent(payload: bytes) -> None:
    """The ``clear_persistent_cache`` handler: ``{"doctype": ..., "site": ...}`` as JSON."""
    message = json.loads(payload)
    doctype = message.get("doctype") if isinstance(message, dict) else None
    site = message.get("site") if isinstance(message, dict) else None
    cache_manager = sys.modules.get("frappe.cache_manager")  # loaded: a Frappe process
    if cache_manager is not None:
        cache_manager.clear_controller_cache(doctype, site=site)
    if doctype:
        return
    caching = sys.modules.get("frappe.utils.caching")
    site_cache = getattr(caching, "_SITE_CACHE", None)
    if site_cache is not None:
        site_cache.clear()  # Frappe's own @site_cache functions
    clear_site_caches()


class ClientCache(_native.ClientCache):
    """``ClientCache(cache, *, maxsize=1024, ttl=600)``: Frappe v16's client cache over ``cache``.

    ``get_value(key, *, shared=False, generator=None)``, ``set_value(key, val, *, shared=False)``,
    ``delete_value(key, *, shared=False)``, ``delete_keys(pattern)``, ``clear_cache()``,
    ``erase_persistent_caches(*, doctype=None)``, ``statistics``, ``reset_statistics()`` and
    ``healthy`` behave as Frappe's; ``unhealthy_reason`` says why it is not caching.
    """

    def __new__(cls, cache: Any, *, maxsize: int | None = 1024, ttl: float | None = 600) -> ClientCache:
        return super().__new__(cls, cache, maxsize=maxsize, ttl=ttl, on_persistent_clear=_clear_persistent)

    @property
    def statistics(self) -> CacheStatistics:
        hits, misses, capacity, used, healthy = self._statistics()
        return CacheStatistics(
            hits=hits,
            misses=misses,
            capacity=capacity,
            used=used,
            utilization=round(used / capacity, 2),
            hit_ratio=round(hits / (hits + misses), 2) if hits else None,
            healthy=healthy,
        )

    @property
    def invalidator_thread(self) -> _ListenerThread | None:
        """The invalidation listener, as Frappe's attribute of that name exposes it (``native_id``,
        ``is_alive()``); ``None`` when it is not running in this process."""
        native_id = self.listener_native_id
        return None if native_id is None else _ListenerThread(native_id, self)

    @property
    def cache(self) -> dict[bytes, Any]:
        """A copy of the entries, ``{key: value}`` (Frappe's attribute of the same name)."""
        return self._entries()  # type: ignore[no-any-return]

    def erase_persistent_caches(self, *, doctype: str | None = None, site: str | None = None) -> None:
        """Ask every process on this Redis to drop its in-process caches (``@site_cache``, and in
        Frappe the controllers of ``doctype``, or all of them). A connection error is ignored.
        """
        if site is None:
            site = _current_site_name()
        try:
            self.redis.publish("clear_persistent_cache", json.dumps({"doctype": doctype, "site": site}))
        except ConnectionError:
            pass  # as Frappe: nothing listens when Redis is down

    def __repr__(self) -> str:
        state = "healthy" if self.healthy else f"not caching: {self.unhealthy_reason}"
        return f"<ClientCache over {self.redis!r}, maxsize={self.maxsize}, ttl={self.ttl:g}s, {state}>"


class _ListenerThread:
    """What tools ask of Frappe's ``invalidator_thread``: its native id and whether it runs."""

    name = "frappe-cache-invalidations"

    def __init__(self, native_id: int, owner: ClientCache) -> None:
        self.native_id = native_id
        self._owner = owner

    def is_alive(self) -> bool:
        return self._owner.listener_native_id == self.native_id


def _current_site_name() -> str | None:
    """``frappe.local.site`` in a Frappe process (the payload names sites, not db_names)."""
    frappe = sys.modules.get("frappe")
    if frappe is not None:
        try:
            return getattr(frappe.local, "site", None)
        except RuntimeError:
            return None
    return _native.current_site()
