"""frappe-cache: the Frappe Framework's Redis cache layer (``frappe.cache``), in Rust.

Quick start::

    from frappe_cache import RedisWrapper, request_scope

    cache = RedisWrapper.from_url("redis://127.0.0.1:13000", site="_1a2b3c4d")
    with request_scope("_1a2b3c4d", user="Administrator"):
        cache.set_value("greeting", {"hello": "world"})
        cache.get_value("greeting")  # served from the request-local cache
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

from frappe_cache import _native
from frappe_cache._native import (
    LocalCache,
    RequestScope,
    __version__,
    begin_request,
    current_site,
    current_user,
    end_request,
    local_cache,
    request_scope,
)
from frappe_cache.caching import (
    get_default_cache,
    redis_cache,
    request_cache,
    set_default_cache,
    site_cache,
)
from frappe_cache.client_cache import CacheStatistics, ClientCache
from frappe_cache.exceptions import (
    CacheConnectionError,
    CacheError,
    CacheResponseError,
    CacheTimeoutError,
    ScopeError,
    SerializationError,
)
from frappe_cache.wrapper import RedisWrapper

# Connections belong to the process that opened them: a forked child (RQ's work-horse,
# multiprocessing) opens its own.
os.register_at_fork(after_in_child=_native._after_fork_in_child)

# frappe.local.cache is one of these under the drop-in: code that checks for a mapping finds one.
MutableMapping.register(LocalCache)

__all__ = [
    "CacheConnectionError",
    "CacheStatistics",
    "ClientCache",
    "CacheError",
    "CacheResponseError",
    "CacheTimeoutError",
    "LocalCache",
    "RedisWrapper",
    "RequestScope",
    "ScopeError",
    "SerializationError",
    "__version__",
    "begin_request",
    "current_site",
    "current_user",
    "end_request",
    "get_default_cache",
    "local_cache",
    "redis_cache",
    "request_cache",
    "request_scope",
    "set_default_cache",
    "site_cache",
]
