"""The raw redis-py methods core Frappe calls on ``frappe.cache``, over the native primitives.

Keys go out as given (no site prefix) and values as given (no pickling); replies come back as
redis-py returns them with ``decode_responses=False``: the argument names, defaults and return
conventions are redis-py's (``set`` -> ``True``, ``ping`` -> ``True``, ``info`` -> a dict, ...).
The native ``execute_command`` / ``execute_pipeline`` do the I/O; this module only builds
arguments and applies redis-py's per-command response callbacks (one table, ``_CALLBACKS``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from frappe_cache.wrapper import RedisWrapper

__all__ = ["Pipeline", "RedisCommands"]

_Key = str | bytes
_Value = str | bytes | int | float
_Expiry = int | datetime.timedelta
_AbsExpiry = int | datetime.datetime


def _text(reply: Any) -> Any:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def _set_reply(reply: Any, get: bool = False, **_: Any) -> Any:
    """``SET``: the old value with ``GET``; otherwise ``True``, or ``None`` when NX/XX prevented it."""
    return reply if get else reply and _text(reply) == "OK"


def _info_value(value: str) -> Any:
    """One ``INFO`` value: a number, a list (``a,b``), a dict (``k=v,...``) or the text itself."""
    if "=" in value:
        fields: dict[str, Any] = {}
        for item in filter(None, value.split(",")):
            name, eq, sub = item.rpartition("=")
            fields[name if eq else sub] = _info_value(sub) if eq else True
        return fields
    if "," in value:
        return [_info_value(v) for v in value.split(",") if v]
    try:
        return float(value) if "." in value else int(value)
    except ValueError:
        return value


def _parse_info(reply: Any, **_: Any) -> dict[str, Any]:
    """``INFO`` text as redis-py's dict: ``module`` lines gather in ``modules``, odd lines in ``__raw__``."""
    info: dict[str, Any] = {}
    for line in _text(reply).splitlines():
        if not line or line.startswith("#"):
            continue
        key, colon, value = line.partition(":")
        if not colon:
            info.setdefault("__raw__", []).append(line)
        elif key == "module":
            info.setdefault("modules", []).append(_info_value(value))
        else:
            if key == "cmdstat_host":  # the one field whose name has a colon ("host:")
                key, _, value = line.rpartition(":")
            info[key] = _info_value(value)
    return info


def _ok(reply: Any, **_: Any) -> bool:
    return _text(reply) == "OK"


def _bool(reply: Any, **_: Any) -> bool:
    return bool(reply)


# redis-py's response callbacks (RESP2), by command name as passed first to execute_command.
_CALLBACKS: dict[str, Callable[..., Any]] = {
    "SET": _set_reply,
    "INFO": _parse_info,
    "PING": lambda reply, **_: _text(reply) == "PONG",
    "SCAN": lambda reply, **_: (int(reply[0]), reply[1]),
    **dict.fromkeys(("FLUSHALL", "FLUSHDB", "LSET", "LTRIM", "MSET", "RENAME", "SELECT", "SWAPDB"), _ok),
    **dict.fromkeys(("EXPIRE", "EXPIREAT", "PEXPIRE", "PEXPIREAT", "PERSIST", "SETEX", "PSETEX"), _bool),
    **dict.fromkeys(("SETNX", "MSETNX", "RENAMENX", "HEXISTS", "HMSET", "SMOVE", "COPY", "MOVE"), _bool),
}


def _split_name(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """``("CLIENT ID",)`` -> ``("CLIENT", "ID")``: redis-py accepts multi-word command names."""
    if args and isinstance(args[0], (str, bytes)) and len(parts := args[0].split()) > 1:
        return (*parts, *args[1:])
    return args


def _parse(args: tuple[Any, ...], reply: Any, options: Mapping[str, Any]) -> Any:
    """Apply redis-py's callback for ``args[0]``, if it has one."""
    if isinstance(reply, Exception):  # an error reply inside a pipeline's results
        return reply
    callback = _CALLBACKS.get(str(_text(args[0])).upper())
    if callback is not None:
        return callback(reply, **options)
    return reply


def _expiry(unit: str, value: Any) -> list[Any]:
    """``EX``/``PX`` and an int from an int or a ``timedelta`` (``EX`` also takes a digit string)."""
    if isinstance(value, datetime.timedelta):
        seconds = value.total_seconds()
        return [unit, int(seconds * 1000 if unit == "PX" else seconds)]
    if isinstance(value, int) and not isinstance(value, bool):
        return [unit, value]
    if unit == "EX" and isinstance(value, str) and value.isdigit():
        return [unit, int(value)]
    raise TypeError(f"{unit.lower()} must be datetime.timedelta or int, not {type(value).__name__}")


def _seconds(time: _Expiry) -> _Expiry:
    return int(time.total_seconds()) if isinstance(time, datetime.timedelta) else time


class _KeyCommands:
    """Commands shared by the client and its pipeline: each ends in ``self.execute_command``.

    On a ``Pipeline`` every method queues its command and returns the pipeline instead.
    """

    __slots__ = ()

    if TYPE_CHECKING:

        def execute_command(self, *args: Any, **options: Any) -> Any: ...

    def get(self, name: _Key) -> bytes | None:
        return self.execute_command("GET", name)

    def set(
        self,
        name: _Key,
        value: _Value,
        ex: _Expiry | None = None,
        px: _Expiry | None = None,
        nx: bool = False,
        xx: bool = False,
        keepttl: bool = False,
        get: bool = False,
        exat: _AbsExpiry | None = None,
        pxat: _AbsExpiry | None = None,
    ) -> bool | bytes | None:
        """``SET``: ``True``, or ``None`` when ``nx``/``xx`` prevented it; with ``get``, the old value."""
        if sum(x is not None for x in (ex, px, exat, pxat)) + bool(keepttl) > 1:
            raise ValueError("ex, px, exat, pxat and keepttl are mutually exclusive")
        if nx and xx:
            raise ValueError("nx and xx are mutually exclusive")
        args: list[Any] = [name, value]
        if nx or xx:
            args.append("NX" if nx else "XX")
        if get:
            args.append("GET")
        if ex is not None:
            args += _expiry("EX", ex)
        elif px is not None:
            args += _expiry("PX", px)
        elif exat is not None:
            args += ["EXAT", int(exat.timestamp()) if isinstance(exat, datetime.datetime) else exat]
        elif pxat is not None:
            args += ["PXAT", int(pxat.timestamp() * 1000) if isinstance(pxat, datetime.datetime) else pxat]
        if keepttl:
            args.append("KEEPTTL")
        return self.execute_command("SET", *args, **({"get": True} if get else {}))

    def setex(self, name: _Key, time: _Expiry, value: _Value) -> bool:
        return self.execute_command("SETEX", name, _seconds(time), value)

    def delete(self, *names: _Key) -> int:
        return self.execute_command("DEL", *names)

    def unlink(self, *names: _Key) -> int:
        return self.execute_command("UNLINK", *names)

    def incrby(self, name: _Key, amount: int = 1) -> int:
        return self.execute_command("INCRBY", name, amount)

    incr = incrby

    def decrby(self, name: _Key, amount: int = 1) -> int:
        return self.execute_command("DECRBY", name, amount)

    decr = decrby

    def expire(
        self,
        name: _Key,
        time: _Expiry,
        nx: bool = False,
        xx: bool = False,
        gt: bool = False,
        lt: bool = False,
    ) -> bool:
        flags = [flag for flag, on in (("NX", nx), ("XX", xx), ("GT", gt), ("LT", lt)) if on]
        return self.execute_command("EXPIRE", name, _seconds(time), *flags)

    def ttl(self, name: _Key) -> int:
        return self.execute_command("TTL", name)

    def keys(self, pattern: _Key = "*") -> list[bytes]:
        """``KEYS pattern``, unprefixed and blocking like redis-py's; ``get_keys`` is the SCAN-based,
        site-prefixed one that does not block the server."""
        return self.execute_command("KEYS", pattern)

    def publish(self, channel: _Key, message: _Value) -> int:
        return self.execute_command("PUBLISH", channel, message)

    def ping(self) -> bool:
        return self.execute_command("PING")

    def flushdb(self, asynchronous: bool = False) -> bool:
        return self.execute_command("FLUSHDB", *(["ASYNC"] if asynchronous else []))

    def flushall(self, asynchronous: bool = False) -> bool:
        return self.execute_command("FLUSHALL", *(["ASYNC"] if asynchronous else []))

    def client_id(self) -> int:
        """The id of the pooled connection that ran the command."""
        return self.execute_command("CLIENT", "ID")

    def lindex(self, name: _Key, index: int) -> bytes | None:
        return self.execute_command("LINDEX", name, index)

    def info(self, section: str | None = None, *args: str) -> dict[str, Any]:
        """``INFO [section ...]`` parsed like redis-py: numbers as int/float, ``db0`` as a dict."""
        return self.execute_command("INFO", *([] if section is None else [section, *args]))


class RedisCommands(_KeyCommands):
    """Mixin for ``RedisWrapper``: the raw redis-py methods over the native ``execute_command``."""

    __slots__ = ()

    def execute_command(self, *args: Any, **options: Any) -> Any:
        """Send one command as given; the reply goes through redis-py's callback for that command."""
        reply = super().execute_command(*_split_name(args))
        return _parse(args, reply, options)

    def scan_iter(
        self, match: _Key | None = None, count: int | None = None, _type: str | None = None
    ) -> Iterator[bytes]:
        """Every key ``SCAN`` returns (a key may repeat, as with redis-py)."""
        options = [("MATCH", match), ("COUNT", count), ("TYPE", _type)]
        extra = [x for name, value in options if value is not None for x in (name, value)]
        cursor = 0
        while True:
            cursor, keys = self.execute_command("SCAN", cursor, *extra)
            yield from keys
            if cursor == 0:
                return

    def pipeline(self, transaction: bool = True, shard_hint: str | None = None) -> Pipeline:
        """Queue commands and send them in one round trip with ``execute()`` (MULTI/EXEC by default)."""
        return Pipeline(cast("RedisWrapper", self), transaction)


class Pipeline(_KeyCommands):
    """redis-py's ``Pipeline``: methods queue and return the pipeline, ``execute()`` sends them all."""

    __slots__ = ("_client", "_commands", "transaction")

    def __init__(self, client: RedisWrapper, transaction: bool = True) -> None:
        self._client = client
        self.transaction = transaction
        self._commands: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def execute_command(self, *args: Any, **options: Any) -> Pipeline:
        self._commands.append((args, options))
        return self

    def hset(
        self,
        name: _Key,
        key: _Value | None = None,
        value: _Value | None = None,
        mapping: Mapping[_Value, _Value] | None = None,
    ) -> Pipeline:
        """Raw ``HSET`` (no prefix, no pickling), like redis-py's and unlike the wrapper's own ``hset``."""
        pairs = ([(key, value)] if key is not None else []) + list((mapping or {}).items())
        if not pairs:
            raise ValueError("hset needs a key and value, or a mapping")
        return self.execute_command("HSET", name, *(x for pair in pairs for x in pair))

    def hdel(self, name: _Key, *keys: _Value) -> Pipeline:
        """Raw ``HDEL`` (no prefix), like redis-py's; the wrapper's ``hdel(..., pipeline=p)`` queues here."""
        return self.execute_command("HDEL", name, *keys)

    def execute(self, raise_on_error: bool = True) -> list[Any]:
        """Send every queued command in one round trip and reset; an empty pipeline sends nothing.

        An error reply raises the first error (a ``CacheError``, after the others ran) or, with
        ``raise_on_error=False``, stands in the result list as an exception instance.
        """
        commands, self._commands = self._commands, []
        if not commands:
            return []
        replies = self._client.execute_pipeline(
            [_split_name(args) for args, _ in commands], transaction=self.transaction
        )
        results = [
            _parse(args, reply, options) for (args, options), reply in zip(commands, replies, strict=True)
        ]
        if raise_on_error:
            for number, ((args, _), result) in enumerate(zip(commands, results, strict=True), start=1):
                if isinstance(result, Exception):
                    command = " ".join(str(_text(a)) for a in args)
                    result.args = (f"Command # {number} ({command}) of pipeline caused error: {result}",)
                    raise result
        return results

    def reset(self) -> None:
        """Drop every queued command."""
        self._commands = []

    def __len__(self) -> int:
        return len(self._commands)

    def __bool__(self) -> bool:  # an empty pipeline is still a pipeline (``if pipeline:``)
        return True

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.reset()
