"""frappe-cache: the Frappe Framework's Redis cache layer (``frappe.cache``), in Rust.

Quick start::

    from frappe_cache import RedisWrapper, request_scope

    cache = RedisWrapper.from_url("redis://127.0.0.1:13000", site="_1a2b3c4d")
    with request_scope("_1a2b3c4d", user="Administrator"):
        cache.set_value("greeting", {"hello": "world"})
        cache.get_value("greeting")  # served from the request-local cache
"""

from __future__ import annotations

from frappe_cache._native import (
    RedisWrapper,
    RequestScope,
    __version__,
    begin_request,
    current_site,
    current_user,
    end_request,
    request_scope,
)
from frappe_cache.exceptions import (
    CacheConnectionError,
    CacheError,
    CacheTimeoutError,
    ScopeError,
    SerializationError,
)

__all__ = [
    "CacheConnectionError",
    "CacheError",
    "CacheTimeoutError",
    "RedisWrapper",
    "RequestScope",
    "ScopeError",
    "SerializationError",
    "__version__",
    "begin_request",
    "current_site",
    "current_user",
    "end_request",
    "request_scope",
]
