"""The frappe-cache exception hierarchy.

Every error the package raises on purpose is a ``CacheError``. Each class also derives from the
standard-library exception and the redis-py exception that existing ``except`` clauses already
catch, so ``except ConnectionError``, ``except redis.exceptions.ResponseError`` (Frappe's and
apps' code is written against redis-py) or ``except ValueError`` keep working unchanged.

Error replies are classed as redis-py classes them: ``NOAUTH``, ``WRONGPASS``, ``LOADING`` and
``ERR max number of clients reached`` are connection errors (Frappe's policy swallows them like a
refused connection); ``READONLY``, ``NOPERM``, ``OOM``, ``NOSCRIPT`` and ``EXECABORT`` are
``CacheResponseError`` subclasses that are also redis-py's ``ReadOnlyError``, ``NoPermissionError``
and so on; any other error reply (``WRONGTYPE``, ``ERR ...``) is a plain ``CacheResponseError``.
"""

from __future__ import annotations

from redis import exceptions as _redis

__all__ = [
    "CacheAuthenticationError",
    "CacheBusyLoadingError",
    "CacheConnectionError",
    "CacheDataError",
    "CacheError",
    "CacheExecAbortError",
    "CacheNoPermissionError",
    "CacheNoScriptError",
    "CacheOutOfMemoryError",
    "CacheReadOnlyError",
    "CacheResponseError",
    "CacheTimeoutError",
    "ScopeError",
    "SerializationError",
]


class CacheError(Exception):
    """Base class of every frappe-cache error."""


class CacheConnectionError(CacheError, ConnectionError, _redis.ConnectionError):
    """Redis could not be reached, or the connection broke mid-command.

    Also ``ConnectionError`` and ``redis.exceptions.ConnectionError``: where Frappe swallows a
    connection error, this is swallowed too.
    """


class CacheAuthenticationError(CacheConnectionError, _redis.AuthenticationError):
    """Redis refused the credentials (``NOAUTH``, ``WRONGPASS``): fix the URL's user/password."""


class CacheBusyLoadingError(CacheConnectionError, _redis.BusyLoadingError):
    """Redis is loading its dataset (``LOADING``) and answers nothing else yet."""


class CacheTimeoutError(CacheError, TimeoutError, _redis.TimeoutError):
    """Redis did not answer within ``socket_timeout`` (or connect within ``socket_connect_timeout``).

    Like redis-py's ``TimeoutError``, it is not a connection error: Frappe's policy never swallows
    it.
    """


class CacheResponseError(CacheError, _redis.ResponseError):
    """Redis answered a command with an error reply (``WRONGTYPE ...``, ``ERR ...``)."""


class CacheReadOnlyError(CacheResponseError, _redis.ReadOnlyError):
    """``READONLY``: the server is a replica; writes need the master."""


class CacheNoPermissionError(CacheResponseError, _redis.NoPermissionError):
    """``NOPERM``: the ACL user may not run this command or touch this key."""


class CacheOutOfMemoryError(CacheResponseError, _redis.OutOfMemoryError):
    """``OOM``: Redis is at ``maxmemory`` and its policy refuses writes."""


class CacheNoScriptError(CacheResponseError, _redis.NoScriptError):
    """``NOSCRIPT``: the script is not loaded (redis-py's ``Script`` loads it and retries)."""


class CacheExecAbortError(CacheResponseError, _redis.ExecAbortError):
    """``EXECABORT``: a transaction was discarded because a queued command was refused."""


class CacheDataError(CacheError, TypeError, _redis.DataError):
    """An argument Redis cannot take (a ``None``, a ``bool``, a list where a key or value goes).

    Also ``TypeError`` and redis-py's ``DataError`` (what redis-py raises for the same input).
    """


class SerializationError(CacheError, ValueError):
    """A value could not be pickled for Redis, or (with ``strict=True``) stored bytes did not unpickle."""


class ScopeError(CacheError, RuntimeError):
    """A key needs a site (or a user) and neither the request scope nor the wrapper provides one."""
