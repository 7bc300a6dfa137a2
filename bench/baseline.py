"""The baseline: Frappe v16's pure-Python cache layer, rebuilt from its described behaviour.

This is what frappe-cache replaces, reproduced closely enough that its per-call cost matches
Frappe's: a ``redis.Redis`` subclass (redis-py + hiredis, as Frappe pins them) whose methods read
the site's ``db_name`` and the request-local dict through a werkzeug ``Local`` on every call, as
``frappe.local.conf`` and ``frappe.local.cache`` are read, and that pickles with protocol 5.
It is written from ``shared/frappe-behaviour.md`` (§1.3, §2, §3.2-3.3, §5.4), not copied from
Frappe. Only the parts the benchmarks exercise are here, but those follow Frappe's semantics
including its quirks (``None`` cached in the local dict, ``KEYS`` in ``get_keys``, three round trips
on a ``redis_cache`` miss).

::

    import baseline
    cache = baseline.setup_cache("redis://127.0.0.1:6379")   # frappe.cache
    baseline.init("_1a2b3c4d")                               # frappe.init(site, force=True)
    cache.set_value("k", {"a": 1})
    cache.get_value("k")                                     # served from frappe.local.cache
"""

from __future__ import annotations

import pickle
import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, NamedTuple

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from werkzeug.local import Local, release_local

__all__ = [
    "BaselineClientCache",
    "BaselineWrapper",
    "_dict",
    "cache",
    "destroy",
    "init",
    "local",
    "redis_cache",
    "setup_cache",
]

PICKLE_PROTOCOL = 5

#: Stands in for ``frappe.local``: a werkzeug ``Local`` (context-var backed, per thread).
local = Local()

#: Stands in for ``frappe.cache``, the process-global wrapper (set by ``setup_cache``).
cache: BaselineWrapper | None = None


class _dict(dict):  # noqa: N801 - Frappe's spelling
    """``frappe._dict``: a dict whose missing attributes read as ``None``."""

    __getattr__ = dict.get
    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__

    def __getstate__(self) -> dict:
        return self

    def __setstate__(self, state: dict) -> None:
        self.update(state)


def init(site: str, user: str = "Administrator") -> None:
    """The part of ``frappe.init(site, force=True)`` the cache sees: new conf, session, local cache."""
    local.conf = _dict(db_name=site)
    local.session = _dict(user=user)
    local.cache = {}


def destroy() -> None:
    """``frappe.destroy()``: release everything held on the Local for this context."""
    release_local(local)


def setup_cache(url: str) -> BaselineWrapper:
    """``frappe.setup_redis_cache_connection``: build the process-global wrapper (does not connect)."""
    global cache
    cache = BaselineWrapper.from_url(url)
    return cache


class BaselineWrapper(redis.Redis):
    """Frappe v16's ``RedisWrapper`` semantics on top of redis-py."""

    def __call__(self) -> BaselineWrapper:
        return self

    def connected(self) -> bool:
        try:
            self.ping()
        except RedisConnectionError:
            return False
        return True

    # -- keys (§2) -----------------------------------------------------------------------------
    def make_key(self, key: Any, user: str | bool | None = None, shared: bool = False) -> Any:
        if shared:
            return key
        if user:
            if user is True:
                user = local.session.get("user")
            key = f"user:{user}:{key}"
        return f"{local.conf.get('db_name')}|{key}".encode()

    # -- strings (§3.2) ------------------------------------------------------------------------
    def set_value(
        self,
        key: Any,
        val: Any,
        user: str | bool | None = None,
        expires_in_sec: int | None = None,
        shared: bool = False,
    ) -> None:
        key = self.make_key(key, user, shared)
        local.cache[key] = val
        try:
            self.set(key, pickle.dumps(val, protocol=PICKLE_PROTOCOL), ex=expires_in_sec)
        except RedisConnectionError:
            pass

    def get_value(
        self,
        key: Any,
        generator: Callable[[], Any] | None = None,
        user: str | bool | None = None,
        expires: bool = False,
        shared: bool = False,
        *,
        use_local_cache: bool = True,
    ) -> Any:
        original_key = key
        key = self.make_key(key, user, shared)
        local_cache = local.cache
        if key in local_cache and use_local_cache:
            return local_cache[key]
        val = None
        try:
            val = self.get(key)
        except RedisConnectionError:
            pass
        if val is not None:
            val = pickle.loads(val)
        if not expires:
            if val is None and generator:
                val = generator()
                self.set_value(original_key, val, user=user, shared=shared)
            else:
                local_cache[key] = val
        return val

    def exists(self, *names: Any, user: str | bool | None = None, shared: bool = False) -> int | bool:
        names = tuple(self.make_key(n, user=user, shared=shared) for n in names)
        try:
            return super().exists(*names)
        except RedisConnectionError:
            return False

    def get_keys(self, key: str) -> list[bytes]:
        """``KEYS {db}|{key}*``: blocks the server for the whole keyspace walk, as Frappe's does."""
        try:
            return self.keys(self.make_key(key + "*"))
        except RedisConnectionError:
            return []  # (Frappe falls back to matching the local dict here; not benchmarked)

    def delete_keys(self, key: str) -> None:
        self.delete_value(self.get_keys(key), make_keys=False)

    def delete_value(
        self,
        keys: Any,
        user: str | bool | None = None,
        make_keys: bool = True,
        shared: bool = False,
    ) -> None:
        if not keys:
            return
        if not isinstance(keys, (list, tuple)):
            keys = (keys,)
        if make_keys:
            keys = [self.make_key(k, user=user, shared=shared) for k in keys]
        local_cache = local.cache
        for k in keys:
            local_cache.pop(k, None)
        try:
            self.unlink(*keys)
        except RedisConnectionError:
            pass

    delete_key = delete_value

    # -- hashes (§3.3) -------------------------------------------------------------------------
    def hset(self, name: Any, key: Any, value: Any, shared: bool = False, *args: Any, **kwargs: Any) -> None:
        if key is None:
            return
        _name = self.make_key(name, shared=shared)
        local.cache.setdefault(_name, {})[key] = value
        try:
            super().hset(_name, key, pickle.dumps(value, protocol=PICKLE_PROTOCOL), *args, **kwargs)
        except RedisConnectionError:
            pass

    def hget(
        self,
        name: Any,
        key: Any,
        generator: Callable[[], Any] | None = None,
        shared: bool = False,
    ) -> Any:
        _name = self.make_key(name, shared=shared)
        local_cache = local.cache
        if _name not in local_cache:
            local_cache[_name] = {}
        if not key:
            return None
        if key in local_cache[_name]:
            return local_cache[_name][key]
        value = None
        try:
            value = super().hget(_name, key)
        except RedisConnectionError:
            pass
        if value is not None:
            value = pickle.loads(value)
            local_cache[_name][key] = value
        elif generator:
            value = generator()
            self.hset(name, key, value, shared=shared)
        return value

    def hdel(self, name: Any, keys: Any, shared: bool = False, pipeline: Any = None) -> None:
        _name = self.make_key(name, shared=shared)
        name_cache = local.cache.get(_name)
        if not isinstance(keys, (list, tuple)):
            if name_cache is not None:
                name_cache.pop(keys, None)
            try:
                if pipeline is not None:
                    pipeline.hdel(_name, keys)
                else:
                    super().hdel(_name, keys)
            except RedisConnectionError:
                pass
            return
        pipe = pipeline if pipeline is not None else self.pipeline()
        for k in keys:
            if name_cache is not None:
                name_cache.pop(k, None)
            pipe.hdel(_name, k)
        if pipeline is None:
            try:
                pipe.execute()
            except RedisConnectionError:
                pass


# -- @redis_cache (§5.1, §5.4) -----------------------------------------------------------------
_KWD_MARK = object()


def _argkey(args: tuple, kwargs: dict) -> Any:
    if not kwargs:
        return args
    return (args, _KWD_MARK, frozenset(kwargs.items()))


def redis_cache(
    ttl: int | None | Callable = 3600, user: str | bool | None = None, shared: bool = False
) -> Callable:
    """Frappe v16's ``@redis_cache``: local dict/GET, ``EXISTS`` on a ``None``, compute + ``SET EX``.

    Usable bare (``@redis_cache``, ttl 3600) or with arguments. Keys use Python's salted ``hash()``
    of the arguments, as Frappe's do. ``func.ttl`` is re-read on every call.
    """

    def decorator(func: Callable) -> Callable:
        func_key = f"{func.__module__}.{func.__qualname__}"

        def clear_cache() -> None:
            cache.delete_keys(func_key)

        func.clear_cache = clear_cache
        func.ttl = ttl if not callable(ttl) else 3600

        @wraps(func)
        def redis_cache_wrapper(*args: Any, **kwargs: Any) -> Any:
            func_call_key = func_key + "::" + str(hash(_argkey(args, kwargs)))
            cached = cache.get_value(func_call_key, user=user, shared=shared)
            if cached is not None:
                return cached
            if cache.exists(func_call_key, user=user, shared=shared):
                return None  # the cached result is None
            val = func(*args, **kwargs)
            cache.set_value(
                func_call_key, val, expires_in_sec=getattr(func, "ttl", 3600), user=user, shared=shared
            )
            return val

        redis_cache_wrapper.clear_cache = clear_cache
        return redis_cache_wrapper

    if callable(ttl):
        return decorator(ttl)
    return decorator


# -- ClientCache (§4) ----------------------------------------------------------------------------
class _Entry(NamedTuple):
    value: Any
    expiry: float


_WAITING = _Entry(None, -1.0)  # the one placeholder every fetch shares (§4.3 step 4)


class _TrackingConnection(redis.Connection):
    """A pooled connection that turns tracking on, redirected to the subscriber, when it connects."""

    def __init__(self, *args: Any, redirect_to: int = 0, **kwargs: Any) -> None:
        self.redirect_to = redirect_to
        super().__init__(*args, **kwargs)

    def on_connect(self) -> None:
        super().on_connect()
        self.send_command("CLIENT", "TRACKING", "ON", "REDIRECT", self.redirect_to, "NOLOOP")
        self.read_response()


class BaselineClientCache:
    """Frappe v16's ``ClientCache`` on redis-py, rebuilt from ``frappe-behaviour.md`` §4: a dict of
    prefixed key -> (value, monotonic expiry), one shared placeholder, a lock around writes only,
    the subscriber on ``frappe.cache`` (``CLIENT ID`` then ``pubsub()``, which redis-py's pool
    hands the same connection), a second wrapper whose connections track with REDIRECT over RESP2,
    FIFO eviction of one entry when full, and a SET followed by a GET on every write."""

    def __init__(
        self, url: str, maxsize: int = 1024, ttl: float = 600, invalidator: BaselineWrapper | None = None
    ) -> None:
        self.maxsize = maxsize or 1024
        self.local_ttl = ttl
        self.lock = threading.RLock()
        self.cache: dict[Any, _Entry] = {}
        self.hits = self.misses = 0
        self.invalidator = invalidator or cache  # frappe.cache
        assert self.invalidator is not None, "setup_cache() first"
        self.invalidator_id = self.invalidator.client_id()
        pool = redis.ConnectionPool.from_url(
            url, connection_class=_TrackingConnection, redirect_to=self.invalidator_id, protocol=2
        )
        self.redis = BaselineWrapper(connection_pool=pool)
        self.healthy = True
        self._pubsub = self.invalidator.pubsub()
        self._pubsub.subscribe(**{"__redis__:invalidate": self._invalidated})
        self._closing = False
        self._thread = self._pubsub.run_in_thread(sleep_time=60, daemon=True, exception_handler=self._failed)

    def close(self) -> None:
        self._closing = True
        self._thread.stop()
        self._thread.join(timeout=5)
        self.redis.close()

    def _failed(self, error: BaseException, pubsub: Any, thread: Any) -> None:
        """Frappe's handler empties the cache on a connection error; closing ends the thread."""
        with self.lock:
            self.cache.clear()
        if self._closing:
            thread.stop()
            return
        if not isinstance(error, redis.ConnectionError):
            self.healthy = False
            raise error
        time.sleep(1)

    def get_value(self, key: Any, *, shared: bool = False, generator: Callable[[], Any] | None = None) -> Any:
        key = self.redis.make_key(key, shared=shared)
        entry = self.cache.get(key)
        if entry is not None and time.monotonic() < entry.expiry:
            self.hits += 1
            return entry.value
        self.misses += 1
        with self.lock:
            self.cache[key] = _WAITING
        value = self.redis.get_value(key, shared=True, use_local_cache=False)
        if value is None:
            if generator:
                value = generator()
                self.set_value(key, value, shared=True)
            return value
        self._make_room()
        with self.lock:
            if key in self.cache:  # no invalidation since the placeholder went in
                self.cache[key] = _Entry(value, time.monotonic() + self.local_ttl)
        return value

    def set_value(self, key: Any, val: Any, *, shared: bool = False) -> None:
        key = self.redis.make_key(key, shared=shared)
        self._make_room()
        self.redis.set_value(key, val, shared=True)
        with self.lock:
            self.cache[key] = _Entry(val, time.monotonic() + self.local_ttl)
        self.redis.get_value(key, shared=True, use_local_cache=False)  # so Redis tracks it for us

    def delete_value(self, key: Any, *, shared: bool = False) -> None:
        key = self.redis.make_key(key, shared=shared)
        self.redis.delete(key)
        with self.lock:
            self.cache.pop(key, None)

    def _make_room(self) -> None:
        if len(self.cache) >= self.maxsize:
            with self.lock:
                self.cache.pop(next(iter(self.cache)), None)

    def _invalidated(self, message: dict[str, Any]) -> None:
        with self.lock:
            if message["data"] is None:
                self.cache.clear()
            else:
                for key in message["data"]:
                    self.cache.pop(key, None)
