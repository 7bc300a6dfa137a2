"""Type stub for the native module ``frappe_cache._native`` (written by hand)."""

from collections.abc import Callable, Iterable
from datetime import timedelta
from types import TracebackType
from typing import Any, TypeVar, final

from typing_extensions import disjoint_base

_T = TypeVar("_T")
_Key = str | bytes | int
_Field = str | bytes | int | float
_Member = str | bytes | int | float

__all__ = [
    "RedisCached",
    "RedisWrapper",
    "RequestCached",
    "RequestScope",
    "SiteCached",
    "_after_fork_in_child",
    "arg_digest",
    "get_default_cache",
    "set_default_cache",
    "__version__",
    "begin_request",
    "current_site",
    "current_user",
    "end_request",
    "inspect_pickle",
    "request_scope",
]

__version__: str

@disjoint_base
class RedisWrapper:
    """Frappe's ``frappe.cache``, natively: site-prefixed keys, pickled values, a request-local cache.

    One wrapper serves every thread of a process. It connects on first use and reconnects by
    itself after the server restarts. Its own commands from all threads share one connection,
    pipelined; ``execute_command``, pipelines and SCAN loops use a pool of up to
    ``max_connections`` connections.
    """

    def __new__(
        cls,
        url: str,
        *,
        site: str | None = None,
        socket_connect_timeout: float | None = 5.0,
        socket_timeout: float | None = 5.0,
        max_connections: int = 64,
        strict: bool = False,
        ssl_ca_certs: str | None = None,
        ssl_certfile: str | None = None,
        ssl_keyfile: str | None = None,
    ) -> RedisWrapper:
        """Same as ``from_url``."""

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        site: str | None = None,
        socket_connect_timeout: float | None = 5.0,
        socket_timeout: float | None = 5.0,
        max_connections: int = 64,
        strict: bool = False,
        ssl_ca_certs: str | None = None,
        ssl_certfile: str | None = None,
        ssl_keyfile: str | None = None,
    ) -> RedisWrapper:
        """Build a wrapper for a ``redis://``, ``rediss://`` or ``unix://`` URL (does not connect).

        ``site`` is the fallback key prefix (a site's ``db_name``) used outside a request scope.
        Timeouts are in seconds; ``None`` waits forever. ``strict=True`` raises
        ``SerializationError`` for stored bytes that do not unpickle instead of treating them as
        a miss. ``ssl_*`` (``rediss://`` only) name PEM files: the CA to trust instead of the
        system's, and a client certificate and key for mutual TLS. A malformed URL or option
        raises ``ValueError``.
        """

    @property
    def site(self) -> str | None:
        """The fallback site given to ``from_url``."""

    @property
    def url(self) -> str:
        """The URL this wrapper connects to, with any password masked."""

    def __call__(self) -> RedisWrapper:
        """Return ``self``, so the pre-v15 spelling ``frappe.cache().get_value(...)`` works."""

    def close(self) -> None:
        """Close every pooled connection; the wrapper reconnects on its next command."""

    def make_key(self, key: _Key, user: str | bool | None = None, shared: bool = False) -> bytes | _Key:
        """``{site}|{key}``, ``{site}|user:{user}:{key}``, or ``key`` unchanged when ``shared``."""

    def connected(self) -> bool:
        """PING the server: ``True``, or ``False`` when it cannot be reached."""

    # -- strings -------------------------------------------------------------------------------
    def set_value(
        self,
        key: _Key,
        val: Any,
        user: str | bool | None = None,
        expires_in_sec: int | timedelta | None = None,
        shared: bool = False,
    ) -> None: ...
    def get_value(
        self,
        key: _Key,
        generator: Callable[[], Any] | None = None,
        user: str | bool | None = None,
        expires: bool = False,
        shared: bool = False,
        *,
        use_local_cache: bool = True,
    ) -> Any: ...
    def expire_key(
        self, key: _Key, time: int | timedelta, *, user: str | bool | None = None, shared: bool = False
    ) -> bool | None: ...
    def exists(self, *names: _Key, user: str | bool | None = None, shared: bool = False) -> int | bool: ...
    def get_keys(self, key: str) -> list[bytes]:
        """Every key of the current site that starts with ``key`` (glob characters are honoured).

        Uses SCAN in batches, never KEYS.
        """
    def delete_keys(self, key: str) -> None:
        """Delete every key that ``get_keys(key)`` lists: SCAN and UNLINK in batches."""
    def delete_value(
        self,
        keys: _Key | Iterable[_Key] | None,
        user: str | bool | None = None,
        make_keys: bool = True,
        shared: bool = False,
    ) -> None: ...
    def delete_key(
        self,
        keys: _Key | Iterable[_Key] | None,
        user: str | bool | None = None,
        make_keys: bool = True,
        shared: bool = False,
    ) -> None:
        """Alias of ``delete_value``."""
    def get_all(self, key: str) -> dict[str, Any]:
        """Every key that starts with ``key``, unprefixed, mapped to its value."""

    # -- hashes --------------------------------------------------------------------------------
    def hset(self, name: _Key, key: _Field | None, value: Any, shared: bool = False) -> None: ...
    def hget(
        self,
        name: _Key,
        key: _Field | None,
        generator: Callable[[], Any] | None = None,
        shared: bool = False,
    ) -> Any: ...
    def hgetall(self, name: _Key, shared: bool = False) -> dict[bytes, Any]: ...
    def hexists(self, name: _Key, key: _Field | None, shared: bool = False) -> bool: ...
    def hkeys(self, name: _Key, shared: bool = False) -> list[bytes]: ...
    def hdel(
        self,
        name: _Key,
        keys: _Field | list[_Field] | tuple[_Field, ...],
        shared: bool = False,
        pipeline: Any = None,
    ) -> None:
        """Remove fields; with ``pipeline`` (anything with ``hdel(name, *fields)``), queue it there."""
    def hdel_names(self, names: Iterable[_Key], key: _Field) -> None: ...
    def hdel_keys(self, name_starts_with: str, key: _Field) -> None: ...

    # -- raw commands (keys and values as given, as redis-py sends them) ---------------------------
    def execute_command(self, *args: str | bytes | int | float) -> Any:
        """Send one command as given and return the raw reply (bytes, int, None, list, str)."""
    def execute_pipeline(
        self, commands: Iterable[tuple[str | bytes | int | float, ...]], transaction: bool = False
    ) -> list[Any]:
        """Send the commands in one round trip (MULTI/EXEC when ``transaction``); an error reply
        comes back as an unraised exception in its place."""

    # -- lists and sets (raw members, never pickled) -------------------------------------------
    def lpush(self, key: _Key, value: _Member) -> int: ...
    def rpush(self, key: _Key, value: _Member) -> int: ...
    def lpop(self, key: _Key) -> bytes | None: ...
    def rpop(self, key: _Key) -> bytes | None: ...
    def llen(self, key: _Key) -> int: ...
    def lrange(self, key: _Key, start: int, stop: int) -> list[bytes]: ...
    def ltrim(self, key: _Key, start: int, stop: int) -> bool: ...
    def sadd(self, name: _Key, *values: _Member) -> None: ...
    def srem(self, name: _Key, *values: _Member) -> None: ...
    def sismember(self, name: _Key, value: _Member) -> bool: ...
    def spop(self, name: _Key) -> bytes | None: ...
    def srandmember(self, name: _Key, count: int | None = None) -> bytes | list[bytes] | None: ...
    def smembers(self, name: _Key) -> set[bytes]: ...

@final
class RequestScope:
    """Context manager returned by ``request_scope``; restores the enclosing scope on exit."""

    def __enter__(self) -> RequestScope: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

def request_scope(site: str, user: str | None = None) -> RequestScope:
    """Open a request-local cache for this thread for the duration of a ``with`` block."""

def begin_request(site: str, user: str | None = None) -> None:
    """Open (or reset) this thread's request-local cache, as ``frappe.init`` does."""

def end_request() -> None:
    """Drop this thread's request-local cache, as ``frappe.destroy`` does; a no-op outside one."""

def current_site() -> str | None:
    """The site of this thread's open request scope, or ``None``."""

def current_user() -> str | None:
    """The user of this thread's open request scope, or ``None``."""

def inspect_pickle(data: bytes, max_len: int = 120) -> tuple[str, str]:
    """Decode a pickle **without executing it**: ``(kind, preview)``.

    ``kind`` is the type or class name of the value, or ``"opaque"`` when it cannot be decoded.
    """

@final
class RedisCached:
    """The native ``@redis_cache`` wrapper of one function (see ``frappe_cache.caching``)."""

    ttl: int | None
    def __new__(
        cls,
        func: Callable[..., Any],
        ttl: int | None = None,
        user: str | bool | None = None,
        shared: bool = False,
        cache: RedisWrapper | None = None,
        lock: bool = False,
    ) -> RedisCached: ...
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...
    def __get__(self, obj: Any, owner: Any = None, /) -> Any: ...
    def _lookup(self, args: tuple[Any, ...], kwargs: dict[str, Any] | None) -> tuple[bool, Any]: ...
    def _store(self, key: bytes, value: Any) -> None: ...
    def clear_cache(self) -> None: ...
    def cache_info(self) -> Any: ...
    @property
    def lock(self) -> bool: ...

@final
class RequestCached:
    """The native ``@request_cache`` wrapper of one function."""

    def __new__(cls, func: Callable[..., Any]) -> RequestCached: ...
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...
    def __get__(self, obj: Any, owner: Any = None, /) -> Any: ...
    def clear_cache(self) -> None: ...
    def cache_info(self) -> Any: ...

@final
class SiteCached:
    """The native ``@site_cache`` wrapper of one function."""

    def __new__(
        cls, func: Callable[..., Any], ttl: float | None = None, maxsize: int | None = 128
    ) -> SiteCached: ...
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...
    def __get__(self, obj: Any, owner: Any = None, /) -> Any: ...
    def clear_cache(self) -> None: ...
    def cache_info(self) -> Any: ...
    @property
    def ttl(self) -> float | None: ...
    @property
    def maxsize(self) -> int | None: ...

def _after_fork_in_child() -> None:
    """Called in a forked child: every pool opens fresh connections from then on."""

def set_default_cache(cache: RedisWrapper | None) -> None:
    """Set the wrapper the decorators use when given no ``cache=``."""

def get_default_cache() -> RedisWrapper | None:
    """The wrapper set by ``set_default_cache``, or ``None``."""

def arg_digest(args: tuple[Any, ...], kwargs: dict[str, Any] | None = None) -> str | None:
    """The stable, cross-process digest of a call's arguments (``None``: no stable form)."""
