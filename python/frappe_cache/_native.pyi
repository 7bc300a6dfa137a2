"""Type stub for the native module ``frappe_cache._native`` (written by hand)."""

from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from types import TracebackType
from typing import Any, TypeVar, final

from typing_extensions import disjoint_base

_T = TypeVar("_T")
_Key = Any  # any object: formatted as Frappe's f"{key}" (bytes kept as they are)
_User = Any  # a name, True for the session user, or anything falsy for none
_Flag = Any  # read by truthiness, as Frappe reads it
_Field = str | bytes | int | float
_Member = str | bytes | int | float

__all__ = [
    "ClientCache",
    "LocalCache",
    "RedisCached",
    "RedisWrapper",
    "RequestCached",
    "RequestScope",
    "SentinelMaster",
    "ClusterNodes",
    "SiteCached",
    "_after_fork_in_child",
    "arg_digest",
    "get_default_cache",
    "set_default_cache",
    "__version__",
    "FASTCALL",
    "begin_request",
    "current_site",
    "current_user",
    "end_request",
    "glob_escape",
    "inspect_pickle",
    "mask_password",
    "local_cache",
    "adopt_local_cache",
    "request_scope",
    "set_scope_site",
    "set_user_resolver",
]

__version__: str
# True when built with the `fastcall` cargo feature (the default): raw CPython entry points.
FASTCALL: bool

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
        url: str | SentinelMaster | ClusterNodes,
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

    @classmethod
    def from_sentinel(
        cls,
        sentinels: Iterable[tuple[str, int | str] | list[Any] | str],
        service_name: str | None,
        *,
        db: int = 0,
        username: str | None = None,
        password: str | None = None,
        sentinel_username: str | None = None,
        sentinel_password: str | None = None,
        ssl: bool = False,
        site: str | None = None,
        socket_connect_timeout: float | None = 5.0,
        socket_timeout: float | None = 5.0,
        max_connections: int = 64,
        strict: bool = False,
        ssl_ca_certs: str | None = None,
        ssl_certfile: str | None = None,
        ssl_keyfile: str | None = None,
    ) -> RedisWrapper:
        """Build a wrapper on the master Redis Sentinel names for ``service_name`` (does not connect).

        ``sentinels`` are ``(host, port)`` pairs or ``"host:port"`` strings (Frappe's
        ``redis_cache_sentinels``). ``username``/``password``/``db`` are the master's,
        ``sentinel_username``/``sentinel_password`` the sentinels'; ``ssl=True`` speaks TLS to
        both. The master is asked for when first needed and whenever it fails, checked with
        ``ROLE`` on every new connection, and followed on ``+switch-master`` announcements. Other
        options are ``from_url``'s; bad ones raise ``ValueError``.
        """

    @classmethod
    def from_cluster(
        cls,
        nodes: Iterable[str] | str,
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
        """Build a wrapper on a Redis Cluster (does not connect).

        ``nodes`` are ``redis://`` or ``rediss://`` URLs of some of its nodes (database 0; any
        one tells the rest). Keys are Frappe's, unchanged; each command goes to the master of
        its key's slot, multi-key commands are split by slot, ``get_keys``/``delete_keys`` scan
        every master. Other options are ``from_url``'s; bad ones raise ``ValueError``.
        """

    @property
    def sentinel_master(self) -> SentinelMaster | None:
        """The Sentinel set-up given to ``from_sentinel`` (``None`` for ``from_url``)."""

    @property
    def site(self) -> str | None:
        """The fallback site given to ``from_url``."""

    @property
    def url(self) -> str:
        """The URL this wrapper connects to, with any password masked."""

    def __call__(self) -> RedisWrapper:
        """Return ``self``, so the pre-v15 spelling ``frappe.cache().get_value(...)`` works."""

    def close_connections(self) -> None:
        """Close the idle native connections; the wrapper reconnects on its next command."""

    def make_key(self, key: _Key, user: _User = None, shared: _Flag = False) -> Any:
        """``{site}|{key}``, ``{site}|user:{user}:{key}``, or ``key`` unchanged when ``shared``."""

    def connected(self) -> bool:
        """PING the server: ``True``, or ``False`` when it cannot be reached."""

    # -- strings -------------------------------------------------------------------------------
    def set_value(
        self,
        key: _Key,
        val: Any,
        user: _User = None,
        expires_in_sec: int | timedelta | None = None,
        shared: _Flag = False,
    ) -> None: ...
    def get_value(
        self,
        key: _Key,
        generator: Callable[[], Any] | None = None,
        user: _User = None,
        expires: _Flag = False,
        shared: _Flag = False,
        *,
        use_local_cache: _Flag = True,
    ) -> Any: ...
    def expire_key(
        self, key: _Key, time: int | timedelta, *, user: _User = None, shared: _Flag = False
    ) -> bool | None: ...
    def exists(self, *names: _Key, user: _User = None, shared: _Flag = None) -> int | bool: ...
    def get_keys(self, key: str) -> list[bytes]:
        """Every key of the current site that starts with ``key`` (glob characters are honoured).

        Uses SCAN in batches, never KEYS.
        """
    def delete_keys(self, key: str) -> None:
        """Delete every key that ``get_keys(key)`` lists: SCAN and UNLINK in batches."""
    def delete_value(
        self,
        keys: _Key | Iterable[_Key] | None,
        user: _User = None,
        make_keys: _Flag = True,
        shared: _Flag = False,
    ) -> None: ...
    def delete_key(
        self,
        keys: _Key | Iterable[_Key] | None,
        user: _User = None,
        make_keys: _Flag = True,
        shared: _Flag = False,
    ) -> None:
        """Alias of ``delete_value``."""
    def get_all(self, key: str) -> dict[str, Any]:
        """Every key that starts with ``key``, unprefixed, mapped to its value."""

    # -- hashes --------------------------------------------------------------------------------
    def hset(self, name: _Key, key: _Field | None, value: Any, shared: _Flag = False) -> None: ...
    def hget(
        self,
        name: _Key,
        key: _Field | None,
        generator: Callable[[], Any] | None = None,
        shared: _Flag = False,
    ) -> Any: ...
    def hgetall(self, name: _Key, shared: _Flag = False) -> dict[bytes, Any]: ...
    def hexists(self, name: _Key, key: _Field | None, shared: _Flag = False) -> bool: ...
    def hkeys(self, name: _Key, shared: _Flag = False) -> list[bytes]: ...
    def hdel(
        self,
        name: _Key,
        keys: _Field | list[_Field] | tuple[_Field, ...],
        shared: _Flag = False,
        pipeline: Any = None,
    ) -> None:
        """Remove fields; with ``pipeline`` (anything with ``hdel(name, *fields)``), queue it there."""
    def hdel_names(self, names: Iterable[_Key], key: _Field) -> None: ...
    def hdel_keys(self, name_starts_with: str, key: _Field) -> None: ...

    # -- raw commands (keys and values as given, as redis-py sends them) ---------------------------
    def execute_raw(self, *args: str | bytes | int | float) -> Any:
        """Send one command as given and return the reply before redis-py's callbacks
        (``execute_command`` applies them)."""
    def execute_pipeline(self, commands: Iterable[tuple[str | bytes | int | float, ...]]) -> list[Any]:
        """Send the commands in one round trip; an error reply comes back as an unraised exception
        in its place."""

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
    def sismember(self, name: _Key, value: _Member) -> int: ...
    def spop(self, name: _Key) -> bytes | None: ...
    def srandmember(self, name: _Key, count: int | None = None) -> bytes | list[bytes] | None: ...
    def smembers(self, name: _Key) -> set[bytes]: ...

@final
class ClusterNodes:
    """Some nodes of a Redis Cluster, as URLs (see ``RedisWrapper.from_cluster``)."""

    def __new__(cls, nodes: Iterable[str] | str) -> ClusterNodes: ...
    @property
    def urls(self) -> list[str]: ...
    @property
    def url(self) -> str:
        """``redis+cluster://host:port,...``, for messages (no passwords)."""

@final
class SentinelMaster:
    """Where Redis Sentinel is and which master to ask it for (see ``RedisWrapper.from_sentinel``)."""

    def __new__(
        cls,
        sentinels: Iterable[tuple[str, int | str] | list[Any] | str],
        service_name: str | None,
        *,
        db: int = 0,
        username: str | None = None,
        password: str | None = None,
        sentinel_username: str | None = None,
        sentinel_password: str | None = None,
        ssl: bool = False,
    ) -> SentinelMaster: ...
    @property
    def sentinels(self) -> list[tuple[str, int]]: ...
    @property
    def service_name(self) -> str: ...
    @property
    def db(self) -> int: ...
    @property
    def username(self) -> str | None: ...
    @property
    def password(self) -> str | None: ...
    @property
    def sentinel_username(self) -> str | None: ...
    @property
    def sentinel_password(self) -> str | None: ...
    @property
    def ssl(self) -> bool: ...
    @property
    def url(self) -> str:
        """``redis+sentinel://host:port,.../service/db``, for messages (no passwords)."""

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
    """The user ``user=True`` means in this thread's open request scope, or ``None``."""

def local_cache() -> LocalCache | None:
    """This thread's request-local cache (``frappe.local.cache`` under the drop-in), or ``None``."""

def adopt_local_cache(cache: Any, site: str) -> LocalCache:
    """Make ``cache`` this thread's request-local cache (a ``LocalCache`` as it is, a dict as a new
    one holding its items), with ``site`` as its key prefix; returns the one in use."""

def set_scope_site(site: str) -> None:
    """Change the key prefix of this thread's request-local cache (no-op without one)."""

def set_user_resolver(resolver: Callable[[], Any] | None) -> None:
    """The function ``user=True`` asks in scopes opened without a user (``None``: none)."""

@final
class LocalCache:
    """One request's local cache, a mutable mapping (``frappe.local.cache`` under the drop-in).

    Keys are what Frappe's ``make_key`` returns (bytes for prefixed keys, shared keys as given);
    a hash is a dict ``{field: value}`` under its name. ``keys()``, ``values()`` and ``items()``
    return lists; iteration order is unspecified.
    """

    def __new__(cls, site: str, user: str | None = None, items: Any = None) -> LocalCache: ...
    @property
    def site(self) -> str: ...
    @property
    def user(self) -> str | None: ...
    def __getitem__(self, key: Any, /) -> Any: ...
    def __setitem__(self, key: Any, value: Any, /) -> None: ...
    def __delitem__(self, key: Any, /) -> None: ...
    def __contains__(self, key: Any, /) -> bool: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Any]: ...
    def get(self, key: Any, default: Any = None) -> Any: ...
    def setdefault(self, key: Any, default: Any = None) -> Any: ...
    def pop(self, key: Any, *default: Any) -> Any: ...
    def popitem(self) -> tuple[Any, Any]: ...
    def clear(self) -> None: ...
    def update(self, other: Any = None, **kwargs: Any) -> None: ...
    def keys(self) -> list[Any]: ...
    def values(self) -> list[Any]: ...
    def items(self) -> list[tuple[Any, Any]]: ...
    def copy(self) -> dict[Any, Any]: ...

def mask_password(url: str) -> str:
    """``url`` with its password replaced by ``***``, for messages and logs."""

def glob_escape(text: str | bytes) -> bytes:
    """``text`` as a Redis glob that matches only itself."""

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
        user: _User = None,
        shared: _Flag = False,
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
        cls, func: Callable[..., Any], ttl: float | None = None, maxsize: int | None = None
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

def set_default_cache(cache: RedisWrapper | Callable[[], RedisWrapper | None] | None) -> None:
    """Set the wrapper the decorators use when given no ``cache=``: a wrapper, or a function
    returning the one in use at each call (the drop-in's returns ``frappe.cache``)."""

def get_default_cache() -> RedisWrapper | None:
    """The wrapper set by ``set_default_cache``, or ``None``."""

def arg_digest(args: tuple[Any, ...], kwargs: dict[str, Any] | None = None) -> str | None:
    """The stable, cross-process digest of a call's arguments (``None``: no stable form)."""

@disjoint_base
class ClientCache:
    """Frappe v16's ``ClientCache``, natively (see ``frappe_cache.client_cache``)."""

    def __new__(
        cls,
        cache: RedisWrapper,
        *,
        maxsize: int | None = 1024,
        ttl: float | None = 600.0,
        on_persistent_clear: Callable[[bytes], Any] | None = None,
    ) -> ClientCache: ...
    def get_value(
        self, key: Any, *, shared: _Flag = False, generator: Callable[[], Any] | None = None
    ) -> Any: ...
    def set_value(self, key: Any, val: Any, *, shared: _Flag = False) -> None: ...
    def delete_value(self, key: Any, *, shared: _Flag = False) -> None: ...
    def delete_keys(self, pattern: Any) -> None: ...
    def clear_cache(self) -> None: ...
    def reset_statistics(self) -> None: ...
    def _statistics(self) -> tuple[int, int, int, int, bool]: ...
    def _entries(self) -> dict[bytes, Any]: ...
    @property
    def healthy(self) -> bool: ...
    @property
    def unhealthy_reason(self) -> str | None: ...
    @property
    def listener_native_id(self) -> int | None: ...
    @property
    def redis(self) -> RedisWrapper: ...
    @property
    def maxsize(self) -> int: ...
    @property
    def ttl(self) -> float: ...
