"""``RedisWrapper``: Frappe's ``frappe.cache``, a ``redis.Redis`` whose Frappe methods are native.

Like Frappe's own wrapper, it is a subclass of redis-py's client, so every redis-py method works
on it with redis-py's arguments and return values. The Frappe methods (``get_value``, ``hset``,
...) and ``execute_command`` are the native class's: every command redis-py's methods build goes
out through the native connections (one shared, pipelined connection for the wrapper's own
commands; a pool for the rest), and its reply comes back through redis-py's response callbacks.
What needs a connection of its own for a long time (``pubsub()``, ``monitor()``, a pipeline that
``WATCH``es, and ``client_id()``, which Frappe's ``ClientCache`` pairs with ``pubsub()``) uses
redis-py's own connection pool on the same URL (on a Sentinel master: redis-py's own
``SentinelConnectionPool`` for the same service; on a cluster: the first node's URL).
"""

from __future__ import annotations

from typing import Any

import redis
from redis.client import Pipeline as _RedisPipeline
from redis.commands.search import Search as _Search

from frappe_cache import _native

__all__ = ["Pipeline", "RedisWrapper", "RediSearch"]

# redis-py 5+ negotiates the protocol and 8.x defaults to RESP3; Frappe's ClientCache subscriber
# needs RESP2 (4.x speaks nothing else and has no such option).
_RESP2: dict[str, Any] = {"protocol": 2} if int(redis.__version__.split(".")[0]) >= 5 else {}

# redis-py's option names, by value: its command methods pass them to execute_command.
_NEVER_DECODE = "NEVER_DECODE"
_EMPTY_RESPONSE = "EMPTY_RESPONSE"
_MISSING = object()


def _respond(callbacks: Any, command_name: Any, reply: Any, options: dict[str, Any]) -> Any:
    """What redis-py's ``parse_response`` makes of ``reply``: its callback for the command."""
    options.pop(_NEVER_DECODE, None)  # replies are never decoded here
    options.pop(_EMPTY_RESPONSE, None)
    options.pop("keys", None)
    if isinstance(reply, Exception):  # an error reply inside a pipeline's results
        return reply
    if command_name in callbacks:
        return callbacks[command_name](reply, **options)
    return reply


class RedisWrapper(_native.RedisWrapper, redis.Redis):
    """Frappe's ``frappe.cache``, natively. Build one with ``RedisWrapper.from_url(url, site=...)``."""

    def __init__(
        self,
        url: str | _native.SentinelMaster | _native.ClusterNodes,
        *,
        site: str | None = None,
        socket_connect_timeout: float | None = 5.0,
        socket_timeout: float | None = 5.0,
        max_connections: int = 64,
        strict: bool = False,
        ssl_ca_certs: str | None = None,
        ssl_certfile: str | None = None,
        ssl_keyfile: str | None = None,
    ) -> None:
        # The native half was built by __new__ from the same arguments. redis-py's half gets a
        # pool on the same URL for what holds a connection of its own (pub/sub, MONITOR, WATCH);
        # creating it does not connect. RESP2, as Frappe's ClientCache subscriber needs.
        tls = {
            name: value
            for name, value in (
                ("ssl_ca_certs", ssl_ca_certs),
                ("ssl_certfile", ssl_certfile),
                ("ssl_keyfile", ssl_keyfile),
            )
            if value is not None
        }
        if isinstance(url, _native.SentinelMaster):
            pool = _sentinel_pool(url, socket_connect_timeout, tls)
        elif isinstance(url, _native.ClusterNodes):
            # Pub/sub on any node reaches the whole cluster (PUBLISH is broadcast).
            pool = redis.ConnectionPool.from_url(
                url.urls[0], socket_connect_timeout=socket_connect_timeout, **_RESP2, **tls
            )
        else:
            pool = redis.ConnectionPool.from_url(
                url, socket_connect_timeout=socket_connect_timeout, **_RESP2, **tls
            )
        redis.Redis.__init__(self, connection_pool=pool)

    def __repr__(self) -> str:
        return _native.RedisWrapper.__repr__(self)

    # -- redis-py's command path, over the native connections ------------------------------------

    def execute_command(self, *args: Any, **options: Any) -> Any:
        """Send one command as given (no prefix, no pickling); the reply as redis-py returns it."""
        try:
            reply = self.execute_raw(*args)
        except redis.exceptions.ResponseError:
            if _EMPTY_RESPONSE in options:
                return options[_EMPTY_RESPONSE]
            raise
        return _respond(self.response_callbacks, args[0], reply, options)

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Pipeline:
        """redis-py's pipeline: queued commands go out in one round trip on ``execute()``."""
        return Pipeline(self, transaction, shard_hint)

    def client_id(self) -> int:
        """``CLIENT ID`` of a connection from redis-py's pool: the one ``pubsub()`` takes next.

        Frappe's ``ClientCache`` asks for the id, then subscribes through ``pubsub()``, and
        redirects tracking to that id: both must be one connection, as with redis-py.
        """
        return int(redis.Redis.execute_command(self, "CLIENT ID"))

    def close(self) -> None:
        """Close the native connections and redis-py's pool (the next command reconnects)."""
        self.close_connections()
        pool = getattr(self, "connection_pool", None)
        if pool is not None:
            pool.disconnect()

    def ft(self, index_name: str = "idx") -> RediSearch:
        """Frappe's RediSearch helper: the index name and suggestion keys are site-prefixed."""
        return RediSearch(client=self, index_name=self.make_key(index_name))


def _sentinel_pool(master: _native.SentinelMaster, connect_timeout: float | None, tls: dict[str, Any]) -> Any:
    """redis-py's pool on the master of ``master.service_name``, as Frappe's own set-up builds it."""
    from redis.sentinel import Sentinel

    def only_set(**kwargs: Any) -> dict[str, Any]:
        return {name: value for name, value in kwargs.items() if value is not None}

    ssl = {"ssl": True, **tls} if master.ssl else {}
    sentinel = Sentinel(
        master.sentinels,
        sentinel_kwargs={
            **only_set(username=master.sentinel_username, password=master.sentinel_password),
            "socket_connect_timeout": connect_timeout,
            **ssl,
        },
        socket_connect_timeout=connect_timeout,
        db=master.db,
        **only_set(username=master.username, password=master.password),
        **ssl,
        **_RESP2,
    )
    return sentinel.master_for(master.service_name).connection_pool


class Pipeline(_RedisPipeline):
    """redis-py's ``Pipeline`` whose ``execute()`` goes out on the wrapper's native connections.

    Every redis-py command method is here and queues its command. A pipeline that ``WATCH``es
    keys (or runs scripts) keeps redis-py's own behaviour on redis-py's pool: WATCH needs one
    connection across several round trips.
    """

    def __init__(self, wrapper: RedisWrapper, transaction: bool, shard_hint: Any) -> None:
        super().__init__(wrapper.connection_pool, wrapper.response_callbacks, transaction, shard_hint)
        self._wrapper = wrapper

    def execute(self, raise_on_error: bool = True) -> list[Any]:
        stack = self.command_stack
        if self.watching or self.scripts or getattr(self, "connection", None) is not None:
            return super().execute(raise_on_error)
        if not stack:
            return []
        try:
            if self.transaction or self.explicit_transaction:
                return self._run_transaction(stack, raise_on_error)
            return self._run_pipeline(stack, raise_on_error)
        finally:
            self.reset()

    def _run_pipeline(self, stack: list[Any], raise_on_error: bool) -> list[Any]:
        replies = self._wrapper.execute_pipeline([args for args, _ in stack])
        results = [
            _respond(self.response_callbacks, args[0], reply, dict(options))
            for (args, options), reply in zip(stack, replies, strict=True)
        ]
        if raise_on_error:
            self.raise_first_error(stack, results)
        return results

    def _run_transaction(self, stack: list[Any], raise_on_error: bool) -> list[Any]:
        commands = [("MULTI",), *(args for args, _ in stack), ("EXEC",)]
        replies = self._wrapper.execute_pipeline(commands)
        queued, outcome = replies[1:-1], replies[-1]
        if isinstance(outcome, redis.exceptions.ExecAbortError):
            # A command was refused while queueing: raise its error, as redis-py does.
            for number, ((args, _), reply) in enumerate(zip(stack, queued, strict=True), start=1):
                if isinstance(reply, Exception):
                    self.annotate_exception(reply, number, args)
                    raise reply
            raise outcome
        if isinstance(outcome, Exception):
            raise outcome
        if outcome is None:
            raise redis.exceptions.WatchError("Watched variable changed.")
        if len(outcome) != len(stack):
            raise redis.exceptions.ResponseError("Wrong number of response items from pipeline execution")
        results = [
            _respond(self.response_callbacks, args[0], reply, dict(options))
            for (args, options), reply in zip(stack, outcome, strict=True)
        ]
        if raise_on_error:
            self.raise_first_error(stack, results)
        return results


class RediSearch(_Search):
    """redis-py's RediSearch client with Frappe's site prefix on suggestion-dictionary keys."""

    client: RedisWrapper

    def sugadd(self, key: Any, *suggestions: Any, **kwargs: Any) -> Any:
        return super().sugadd(self.client.make_key(key), *suggestions, **kwargs)

    def suglen(self, key: Any) -> Any:
        return super().suglen(self.client.make_key(key))

    def sugdel(self, key: Any, string: Any) -> Any:
        return super().sugdel(self.client.make_key(key), string)

    def sugget(self, key: Any, *args: Any, **kwargs: Any) -> Any:
        return super().sugget(self.client.make_key(key), *args, **kwargs)
