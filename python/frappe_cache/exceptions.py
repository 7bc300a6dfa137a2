"""The frappe-cache exception hierarchy.

Every error the package raises on purpose is a ``CacheError``. Each class also derives from the
standard-library exception that existing ``except`` clauses in Frappe apps already catch, so
``except ConnectionError`` or ``except ValueError`` keeps working unchanged.
"""

from __future__ import annotations

__all__ = [
    "CacheError",
    "CacheConnectionError",
    "CacheTimeoutError",
    "SerializationError",
    "ScopeError",
]


class CacheError(Exception):
    """Base class of every frappe-cache error; also raised for Redis error replies."""


class CacheConnectionError(CacheError, ConnectionError):
    """Redis could not be reached, or the connection broke mid-command."""


class CacheTimeoutError(CacheConnectionError, TimeoutError):
    """Redis did not answer within ``socket_timeout`` (or connect within ``socket_connect_timeout``)."""


class SerializationError(CacheError, ValueError):
    """A value could not be pickled for Redis, or (with ``strict=True``) stored bytes did not unpickle."""


class ScopeError(CacheError, RuntimeError):
    """A key needs a site (or a user) and neither the request scope nor the wrapper provides one."""
