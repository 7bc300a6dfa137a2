"""The frappe-cache exception hierarchy.

Every error the package raises on purpose is a ``CacheError``. Each class also derives from the
standard-library exception that existing ``except`` clauses in Frappe apps already catch, so
``except ConnectionError`` or ``except ValueError`` keeps working unchanged.
"""

from __future__ import annotations

try:  # Frappe code catches redis-py's classes; when redis-py is installed, ours are those too.
    from redis import exceptions as _redis_exceptions
except ImportError:  # pragma: no cover - exercised in environments without redis-py
    _redis_exceptions = None

_connection_bases: tuple[type, ...] = (ConnectionError,)
_timeout_bases: tuple[type, ...] = (TimeoutError,)
if _redis_exceptions is not None:
    _connection_bases += (_redis_exceptions.ConnectionError,)
    _timeout_bases += (_redis_exceptions.TimeoutError,)

__all__ = [
    "CacheError",
    "CacheConnectionError",
    "CacheTimeoutError",
    "SerializationError",
    "ScopeError",
]


class CacheError(Exception):
    """Base class of every frappe-cache error; also raised for Redis error replies."""


class CacheConnectionError(CacheError, *_connection_bases):
    """Redis could not be reached, or the connection broke mid-command.

    Also a ``redis.exceptions.ConnectionError`` when redis-py is installed.
    """


class CacheTimeoutError(CacheConnectionError, *_timeout_bases):
    """Redis did not answer within ``socket_timeout`` (or connect within ``socket_connect_timeout``).

    Also a ``redis.exceptions.TimeoutError`` when redis-py is installed.
    """


class SerializationError(CacheError, ValueError):
    """A value could not be pickled for Redis, or (with ``strict=True``) stored bytes did not unpickle."""


class ScopeError(CacheError, RuntimeError):
    """A key needs a site (or a user) and neither the request scope nor the wrapper provides one."""
