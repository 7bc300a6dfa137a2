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
    """Stand-in for v16's ``ClientCache``: how it uses ``frappe.cache`` at construction.

    The real one takes ``frappe.cache`` as its *invalidator*: it asks it for ``client_id()``,
    subscribes through ``invalidator.pubsub()`` to ``__redis__:invalidate`` with a handler, runs
    ``run_in_thread``, and makes its own tracked connections send ``CLIENT TRACKING ON REDIRECT
    <that id>``. That only works if the id is the subscribed connection's, as redis-py's pool
    arranges. The stand-in does the same and records the invalidated keys.
    """

    def __init__(self, maxsize: int = 1024, ttl: int = 600) -> None:
        self.maxsize = maxsize or 1024
        self.local_ttl = ttl
        self.invalidator = frappe.cache
        self.cache: dict[Any, Any] = {}
        self.invalidated: list[Any] = []
        self.healthy = True
        self.invalidator_thread = None
        try:
            self.invalidator_id = self.invalidator.client_id()
        except redis.exceptions.ConnectionError:
            self.healthy = False
            return
        self._watcher = self.invalidator.pubsub()
        self._watcher.subscribe(**{"__redis__:invalidate": self._handle_invalidation})
        self.invalidator_thread = self._watcher.run_in_thread(sleep_time=0.05, daemon=True)

    def tracked_connection(self) -> redis.Redis:
        """A connection whose reads Redis tracks, redirecting invalidations to the subscriber."""
        client = redis.Redis.from_url(frappe.conf.redis_cache, protocol=2, single_connection_client=True)
        client.execute_command("CLIENT", "TRACKING", "ON", "REDIRECT", self.invalidator_id, "NOLOOP")
        return client

    def _handle_invalidation(self, message: dict[str, Any]) -> None:
        self.invalidated.append(message["data"])
        if message["data"] is None:
            self.cache.clear()
        else:
            for key in message["data"]:
                self.cache.pop(key, None)

    def clear_cache(self) -> None:
        self.cache.clear()

    def close(self) -> None:
        if self.invalidator_thread is not None:
            self.invalidator_thread.stop()
            self.invalidator_thread.join(timeout=5)
