"""Stand-in for ``frappe/utils/caching.py``: trivial Frappe-like decorators.

They follow frappe-behaviour.md §5 closely enough to be told apart from frappe-cache's (they keep
their state in ``frappe.local.request_cache``, ``_SITE_CACHE`` and, for ``redis_cache``, key
calls with Python's salted ``hash()``). ``frappe_cache.frappe.install()`` replaces them.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import frappe

_KWD_MARK = object()
# function -> {(site, argkey): value}
_SITE_CACHE: dict[Callable[..., Any], dict[Any, Any]] = {}


def _argkey(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return (args, _KWD_MARK, frozenset(kwargs.items())) if kwargs else args


def request_cache(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        memo = getattr(frappe.local, "request_cache", None)
        if memo is None:
            return func(*args, **kwargs)
        try:
            return memo[func][_argkey(args, kwargs)]
        except TypeError:
            return func(*args, **kwargs)
        except KeyError:
            value = memo[func][_argkey(args, kwargs)] = func(*args, **kwargs)
            return value

    wrapper.__frappe_standin__ = True  # type: ignore[attr-defined]
    return wrapper


def site_cache(ttl: Any = None, maxsize: int | None = None) -> Any:
    if callable(ttl):
        return site_cache()(ttl)

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            site = getattr(frappe.local, "site", None)
            if not site:
                return func(*args, **kwargs)
            if ttl and time.monotonic() >= wrapper.expiration:  # type: ignore[attr-defined]
                _SITE_CACHE.pop(func, None)
                wrapper.expiration = time.monotonic() + ttl  # type: ignore[attr-defined]
            entries = _SITE_CACHE.setdefault(func, {})
            key = (site, _argkey(args, kwargs))
            if key not in entries:
                if maxsize and len(entries) >= maxsize:
                    entries.pop(next(iter(entries)))
                entries[key] = func(*args, **kwargs)
            return entries[key]

        wrapper.expiration = time.monotonic() + (ttl or 0)  # type: ignore[attr-defined]
        wrapper.clear_cache = lambda: _SITE_CACHE.pop(func, None)  # type: ignore[attr-defined]
        wrapper.__frappe_standin__ = True  # type: ignore[attr-defined]
        return wrapper

    return decorator


def redis_cache(ttl: Any = 3600, user: Any = None, shared: bool = False) -> Any:
    if callable(ttl):
        return redis_cache()(ttl)

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        func_key = f"{func.__module__}.{func.__qualname__}"

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = f"{func_key}::{hash(_argkey(args, kwargs))}"
            value = frappe.cache.get_value(key, user=user, shared=shared)
            if value is not None or frappe.cache.exists(key, user=user, shared=shared):
                return value
            value = func(*args, **kwargs)
            frappe.cache.set_value(key, value, expires_in_sec=wrapper.ttl, user=user, shared=shared)  # type: ignore[attr-defined]
            return value

        wrapper.ttl = ttl  # type: ignore[attr-defined]
        wrapper.clear_cache = lambda: frappe.cache.delete_keys(func_key)  # type: ignore[attr-defined]
        wrapper.__frappe_standin__ = True  # type: ignore[attr-defined]
        return wrapper

    return decorator
