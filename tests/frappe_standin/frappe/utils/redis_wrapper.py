"""Stand-in for ``frappe/utils/redis_wrapper.py``: Frappe's pure-Python wrapper and ``setup_cache``.

The wrapper is a ``redis.Redis`` subclass with the few Frappe methods the stand-in's own
decorators use (pickled values, ``{db}|`` keys, ``frappe.local.cache`` in front); enough to be
the ``frappe.cache`` a bench has *before* ``frappe_cache.frappe.install()`` runs.
"""

from __future__ import annotations

import pickle
from typing import Any

import redis

import frappe


class RedisWrapper(redis.Redis):
    """Frappe's ``RedisWrapper``, reduced to ``make_key`` and the string methods."""

    def __call__(self) -> RedisWrapper:
        return self

    def make_key(self, key: Any, user: Any = None, shared: bool = False) -> Any:
        if shared:
            return key
        if user:
            if user is True:
                user = frappe.session.user
            key = f"user:{user}:{key}"
        return f"{frappe.conf.db_name}|{key}".encode()

    def set_value(
        self, key: Any, val: Any, user: Any = None, expires_in_sec: int | None = None, shared: bool = False
    ) -> None:
        k = self.make_key(key, user, shared)
        frappe.local.cache[k] = val
        try:
            self.set(k, pickle.dumps(val, protocol=5), ex=expires_in_sec)
        except redis.exceptions.ConnectionError:
            pass

    def get_value(
        self, key: Any, generator: Any = None, user: Any = None, expires: bool = False, shared: bool = False
    ) -> Any:
        k = self.make_key(key, user, shared)
        if k in frappe.local.cache:
            return frappe.local.cache[k]
        try:
            raw = self.get(k)
        except redis.exceptions.ConnectionError:
            raw = None
        val = pickle.loads(raw) if raw is not None else None
        if not expires:
            if val is None and generator:
                val = generator()
                self.set_value(key, val, user=user, shared=shared)
            else:
                frappe.local.cache[k] = val
        return val

    def exists(self, *names: Any, user: Any = None, shared: bool = False) -> Any:  # type: ignore[override]
        try:
            return super().exists(*(self.make_key(n, user, shared) for n in names))
        except redis.exceptions.ConnectionError:
            return False

    def get_keys(self, key: str) -> list[bytes]:
        return self.keys(self.make_key(key + "*"))

    def delete_keys(self, key: str) -> None:
        keys = self.get_keys(key)
        for k in keys:
            frappe.local.cache.pop(k, None)
        if keys:
            self.unlink(*keys)


def setup_cache() -> RedisWrapper:
    """Frappe's wrapper from ``conf.redis_cache`` (no connection yet: redis-py connects lazily)."""
    return RedisWrapper.from_url(frappe.conf.redis_cache)


class ClientCache:
    """Stand-in for v16's ``ClientCache``: only what the adapter must leave working.

    The real one takes ``frappe.cache`` at construction as its *invalidator* (it subscribes
    through it for Redis's invalidation messages) and keeps a long-lived local dict. The
    stand-in records the invalidator and keeps the dict.
    """

    def __init__(self, maxsize: int = 1024, ttl: int = 600) -> None:
        self.maxsize = maxsize or 1024
        self.local_ttl = ttl
        self.invalidator = frappe.cache
        self.cache: dict[Any, Any] = {}
        self.healthy = True

    def clear_cache(self) -> None:
        self.cache.clear()
