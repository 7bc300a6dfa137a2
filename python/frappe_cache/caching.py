"""Frappe's caching decorators, natively: ``redis_cache``, ``request_cache``, ``site_cache``.

The call path, the keys, the per-request memo and the stampede protection are in Rust
(``_native.RedisCached`` / ``RequestCached`` / ``SiteCached``); this module gives them Frappe's
spelling (bare ``@redis_cache`` or ``@redis_cache(ttl=...)``), function metadata, and
``async def`` support.
"""

from __future__ import annotations

import functools
import inspect
import weakref
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar, overload

from frappe_cache import _native
from frappe_cache._native import get_default_cache, set_default_cache

__all__ = [
    "CacheInfo",
    "get_default_cache",
    "redis_cache",
    "request_cache",
    "set_default_cache",
    "site_cache",
]

F = TypeVar("F", bound=Callable[..., Any])


class CacheInfo(NamedTuple):
    """What ``fn.cache_info()`` returns (as ``functools.lru_cache``'s, with Frappe's sizes)."""

    hits: int
    misses: int
    maxsize: int | None
    currsize: int | None


class _AsyncRedisCached:
    """``@redis_cache`` on an ``async def``: look up natively, await the function, store natively.

    Concurrent misses are not coalesced here (waiting would block the event loop).
    """

    def __init__(self, native: _native.RedisCached, func: Callable[..., Any]) -> None:
        self._native = native
        functools.update_wrapper(self, func)

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        found, value = self._native._lookup(args, kwargs)
        if found:
            return value
        result = await self.__wrapped__(*args, **kwargs)
        if value is not None:
            self._native._store(value, result)
        return result

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        return self if obj is None else functools.partial(self.__call__, obj)

    def clear_cache(self) -> None:
        self._native.clear_cache()

    def cache_info(self) -> CacheInfo:
        return self._native.cache_info()

    @property
    def ttl(self) -> int | None:
        return self._native.ttl

    @ttl.setter
    def ttl(self, value: int | None) -> None:
        self._native.ttl = value


def _wrap(native: Any, func: Callable[..., Any]) -> Any:
    functools.update_wrapper(native, func)
    return native


@overload
def redis_cache(ttl: F) -> F: ...
@overload
def redis_cache(
    ttl: int | None = 3600,
    user: str | bool | None = None,
    shared: bool = False,
    *,
    cache: Any = None,
    lock: bool = False,
) -> Callable[[F], F]: ...
def redis_cache(
    ttl: Any = 3600,
    user: str | bool | None = None,
    shared: bool = False,
    *,
    cache: Any = None,
    lock: bool = False,
) -> Any:
    """Memoize a function's results in Redis, per site (and per user with ``user=``).

    ``@redis_cache`` or ``@redis_cache(ttl=3600, user=None, shared=False)`` as in Frappe;
    ``cache=`` picks a wrapper other than the default (``set_default_cache``), and ``lock=True``
    makes concurrent misses in *different processes* compute once (one process takes a short
    Redis lock, the others wait for its result). ``fn.clear_cache()`` removes every entry of the
    function for the current site, per-user and shared ones included; ``fn.cache_info()`` counts
    hits and misses; ``fn.ttl`` can be changed at run time.
    """
    if callable(ttl):  # bare @redis_cache
        return redis_cache()(ttl)

    def decorator(func: F) -> F:
        native = _native.RedisCached(func, ttl, user, shared, cache, lock)
        if inspect.iscoroutinefunction(func):
            return _AsyncRedisCached(native, func)  # type: ignore[return-value]
        return _wrap(native, func)  # type: ignore[no-any-return]

    return decorator


def request_cache(func: F) -> F:
    """Memoize a function for the current request scope only (Frappe's ``@request_cache``).

    Outside a request scope, or with unhashable arguments, the function is simply called.
    """
    if inspect.iscoroutinefunction(func):
        raise TypeError("@request_cache memoizes results, not coroutines: use it on a plain def")
    return _wrap(_native.RequestCached(func), func)  # type: ignore[no-any-return]


@overload
def site_cache(ttl: F) -> F: ...
@overload
def site_cache(ttl: float | None = None, maxsize: int | None = None) -> Callable[[F], F]: ...
def site_cache(ttl: Any = None, maxsize: int | None = None) -> Any:
    """Memoize a function in this process, per site, across requests (Frappe's ``@site_cache``).

    ``ttl`` (seconds) expires all of the function's entries at once, as Frappe does; with
    ``maxsize``, at most that many entries are kept, oldest out first (unbounded by default, as
    in Frappe). Without a request scope (no site) the function is simply called; unhashable
    arguments raise ``TypeError``, as in Frappe. ``fn.clear_cache()`` empties it.
    """
    if callable(ttl):  # bare @site_cache
        return site_cache()(ttl)

    def decorator(func: F) -> F:
        if inspect.iscoroutinefunction(func):
            raise TypeError("@site_cache memoizes results, not coroutines: use it on a plain def")
        fn = _wrap(_native.SiteCached(func, ttl, maxsize), func)
        _site_cached.add(fn)
        return fn  # type: ignore[no-any-return]

    return decorator


# Every @site_cache function alive, for clear_site_caches().
_site_cached: weakref.WeakSet[Any] = weakref.WeakSet()


def clear_site_caches() -> None:
    """Empty every ``@site_cache`` function of this process (Frappe's ``_SITE_CACHE.clear()``;
    what a ``clear_persistent_cache`` message without a doctype asks of every process)."""
    for fn in list(_site_cached):
        fn.clear_cache()
