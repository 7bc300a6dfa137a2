"""The raw redis-py methods on ``RedisWrapper`` and its ``pipeline()`` (issue 3 §2; §8.5).

Most tests run the same calls twice on one server, once through the wrapper and once through a
plain redis-py client, and compare the results and the whole keyspace afterwards (read with
redis-py): equal keyspaces mean the wrapper sent the keys unprefixed and the values unpickled.
"""

from __future__ import annotations

import datetime
import pickle
import time
from collections.abc import Callable
from typing import Any

import pytest
import redis
from frappe_cache import CacheConnectionError, CacheError, CacheTimeoutError, RedisWrapper
from frappe_cache.testing import RedisServer
from frappe_cache.wrapper import Pipeline
from support import CommandCounter, dead_url

Scenario = Callable[[Any], Any]


def keyspace(raw: redis.Redis) -> dict[bytes, tuple[bytes, Any, bool]]:
    """Every key of db 0: its type, its value as redis-py reads it, and whether it has a TTL."""
    read = {
        b"string": raw.get,
        b"list": lambda k: raw.lrange(k, 0, -1),
        b"hash": raw.hgetall,
        b"set": raw.smembers,
    }
    return {k: (raw.type(k), read[raw.type(k)](k), raw.ttl(k) > 0) for k in sorted(raw.keys())}


def twin(wrapper: RedisWrapper, raw: redis.Redis, scenario: Scenario, setup: Scenario | None = None) -> Any:
    """Run ``scenario`` from the same starting state on the wrapper, on ``raw`` (redis-py's default
    protocol, RESP3 since 8.0) and on a RESP2 redis-py client (7.x's default, Frappe's wire): all
    three must agree exactly, on the results and on the keyspace left behind."""
    where = raw.connection_pool.connection_kwargs
    resp2 = redis.Redis(host=where["host"], port=where["port"], protocol=2)
    seen = []
    for client in (wrapper, raw, resp2):
        raw.flushall()
        if setup is not None:
            setup(raw)
        seen.append((scenario(client), keyspace(raw)))
    resp2.close()
    assert seen[0] == seen[2], "frappe-cache and redis-py (RESP2) disagree"
    assert seen[0] == seen[1], "frappe-cache and redis-py (default protocol) disagree"
    return seen[0][0]


def reads(raw: redis.Redis) -> int:
    """Socket reads the server has processed: one per round trip of a small request."""
    return int(raw.info("stats")["total_reads_processed"])


def native_reply(wrapper: RedisWrapper, *args: Any) -> Any:
    """The native primitive's raw reply, before redis-py's callbacks."""
    return wrapper.execute_raw(*args)


# -- strings ----------------------------------------------------------------------------------
def test_set_get(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    def scenario(c: Any) -> list:
        return [
            c.set("k", "v"),
            c.get("k"),
            c.get("missing"),
            c.set(b"\xffbin", b"\x80\x05raw"),
            c.get(b"\xffbin"),
            c.set("n", 42),
            c.set("f", 1.5),
            c.set("ü", "ü"),
            [c.get(k) for k in ("n", "f", "ü")],
        ]

    assert twin(wrapper, raw, scenario) == [
        True, b"v", None, True, b"\x80\x05raw", True, True, True, [b"42", b"1.5", "ü".encode()]
    ]  # fmt: skip


def test_keys_unprefixed_values_raw(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set("k", "v")
    assert raw.get("k") == b"v" and raw.exists("testsite|k") == 0
    wrapper.set_value("k", "v")  # Frappe's method: prefixed and pickled, next to the raw key
    assert sorted(wrapper.keys()) == [b"k", b"testsite|k"]
    assert pickle.loads(wrapper.get("testsite|k")) == "v"
    assert wrapper.get("k") == b"v"


def test_set_nx_xx(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    def scenario(c: Any) -> list:
        return [
            c.set("k", "v", nx=True),
            c.set("k", "w", nx=True),
            c.set("k", "x", xx=True),
            c.set("z", "x", xx=True),
            c.get("k"),
        ]

    assert twin(wrapper, raw, scenario) == [True, None, True, None, b"x"]


def test_set_get_option(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    def scenario(c: Any) -> list:
        return [
            c.set("k", "v", get=True),
            c.set("k", "w", get=True),
            c.set("k", "x", nx=True, get=True),
            c.set("k", "y", xx=True, get=True, ex=100),
        ]

    assert twin(wrapper, raw, scenario) == [None, b"v", b"w", b"w"]


def _in_100s() -> datetime.datetime:
    return datetime.datetime.now() + datetime.timedelta(seconds=100)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("ex", lambda: 100),
        ("ex", lambda: datetime.timedelta(seconds=100)),
        ("ex", lambda: "100"),
        ("px", lambda: 100_000),
        ("px", lambda: datetime.timedelta(seconds=100)),
        ("exat", _in_100s),
        ("exat", lambda: int(_in_100s().timestamp())),
        ("pxat", _in_100s),
        ("pxat", lambda: int(_in_100s().timestamp() * 1000)),
    ],
    ids=lambda x: x if isinstance(x, str) else type(x()).__name__,
)
def test_set_expiry(wrapper: RedisWrapper, raw: redis.Redis, option: str, value: Callable[[], Any]) -> None:
    options = {option: value()}

    def scenario(c: Any) -> list:
        return [c.set("k", "v", **options), 90 < c.ttl("k") <= 100]

    assert twin(wrapper, raw, scenario) == [True, True]


def test_set_keepttl(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    def scenario(c: Any) -> list:
        return [c.set("k", "v", keepttl=True), c.ttl("k"), c.set("k", "w", keepttl=True), 90 < c.ttl("k")]

    assert twin(wrapper, raw, scenario, setup=lambda r: r.set("k", "old", ex=100)) == [True, 100, True, True]


@pytest.mark.parametrize(
    ("options", "error"),
    [
        # redis-py's own checks run (the methods are redis-py's): its DataError, as for Frappe
        ({"ex": 1.5}, redis.exceptions.DataError),
        ({"px": 1.5}, redis.exceptions.DataError),
        ({"ex": True}, TypeError),  # refused by our encoder: redis-py would send "True"
        ({"ex": 1, "px": 1000}, redis.exceptions.DataError),
        ({"ex": 1, "keepttl": True}, redis.exceptions.DataError),
        ({"nx": True, "xx": True}, redis.exceptions.DataError),
    ],
)
def test_set_bad_options(wrapper: RedisWrapper, raw: redis.Redis, options: dict, error: type) -> None:
    with pytest.raises(error):
        wrapper.set("k", "v", **options)
    with pytest.raises(redis.exceptions.DataError):
        raw.set("k", "v", **options)
    assert raw.exists("k") == 0


def test_bad_value_types(wrapper: RedisWrapper) -> None:
    for value in (True, None, [1], {"a": 1}):
        with pytest.raises(TypeError):
            wrapper.set("k", value)
    with pytest.raises(TypeError):
        wrapper.get(None)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # redis-py 8 deprecates setex
def test_setex(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    def scenario(c: Any) -> list:
        return [
            c.setex("k", 100, "v"),
            c.setex("t", datetime.timedelta(minutes=1), b"w"),
            90 < c.ttl("k") <= 100,
            50 < c.ttl("t") <= 60,
        ]

    assert twin(wrapper, raw, scenario) == [True, True, True, True]


@pytest.mark.parametrize("method", ["delete", "unlink"])
def test_delete_unlink(wrapper: RedisWrapper, raw: redis.Redis, method: str) -> None:
    def setup(r: redis.Redis) -> None:
        r.mset({"a": 1, "b": 2, "c": 3, "testsite|a": 4})

    def scenario(c: Any) -> list:
        delete = getattr(c, method)
        return [delete("a"), delete("b", "c", "missing"), delete("missing")]

    assert twin(wrapper, raw, scenario, setup) == [1, 2, 0]
    assert raw.get("testsite|a") == b"4", "the prefixed key is another key"


def test_delete_nothing_is_a_server_error(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with pytest.raises(redis.exceptions.ResponseError):
        raw.delete()
    with pytest.raises(CacheError, match="wrong number of arguments"):
        wrapper.delete()


def test_counters(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    def scenario(c: Any) -> list:
        return [c.incrby("n"), c.incrby("n", 5), c.incr("n"), c.incr("n", 10), c.decrby("n", 3), c.decr("n")]

    assert twin(wrapper, raw, scenario) == [1, 6, 7, 17, 14, 13]


def test_counter_on_text_is_an_error(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    raw.set("k", "text")
    with pytest.raises(CacheError, match="not an integer") as info:
        wrapper.incrby("k")
    assert not isinstance(info.value, ConnectionError)


def test_expire_ttl(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    def scenario(c: Any) -> list:
        return [
            c.ttl("k"),
            c.ttl("missing"),
            c.expire("missing", 10),
            c.expire("k", 100, xx=True),
            c.expire("k", 100, nx=True),
            c.expire("k", 50, nx=True),
            c.expire("k", 50, gt=True),
            c.expire("k", datetime.timedelta(seconds=200), gt=True),
            c.expire("k", 150, lt=True),
            140 < c.ttl("k") <= 150,
            c.expire("k", 10, xx=True, lt=True),
        ]

    expected = [-1, -2, False, False, True, False, False, True, True, True, True]
    assert twin(wrapper, raw, scenario, setup=lambda r: r.set("k", "v")) == expected


# -- keys -------------------------------------------------------------------------------------
def populate(r: redis.Redis) -> None:
    r.mset({f"user:{i}": i for i in range(30)} | {"other": 1, "testsite|user:x": 2})
    r.rpush("user:list", "a")


def test_keys(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    def scenario(c: Any) -> list:
        return [sorted(c.keys()), sorted(c.keys("user:1*")), c.keys("nothing*"), sorted(c.keys(b"*|*"))]

    out = twin(wrapper, raw, scenario, populate)
    assert len(out[0]) == 33 and out[3] == [b"testsite|user:x"]
    assert all(isinstance(k, bytes) for k in out[0])


def test_keys_really_sends_keys(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    counter = CommandCounter(raw, "keys", "scan")
    wrapper.keys()
    assert (counter.delta("keys"), counter.delta("scan")) == (1, 0)


@pytest.mark.parametrize(
    "options",
    [{}, {"match": "user:*"}, {"match": b"user:1*", "count": 2}, {"count": 5}, {"_type": "list"}],
    ids=repr,
)
def test_scan_iter(wrapper: RedisWrapper, raw: redis.Redis, options: dict) -> None:
    out = twin(wrapper, raw, lambda c: sorted(set(c.scan_iter(**options))), populate)
    assert out and all(isinstance(k, bytes) for k in out)


def test_scan_iter_is_lazy_and_uses_scan(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    populate(raw)
    expected = set(raw.keys())
    counter = CommandCounter(raw, "scan", "keys")
    keys = wrapper.scan_iter(count=2)
    assert counter.delta("scan") == 0, "nothing is sent before iteration starts"
    assert set(keys) == expected
    assert counter.delta("scan") > 1 and counter.delta("keys") == 0


def test_scan_iter_empty_db(wrapper: RedisWrapper) -> None:
    assert list(wrapper.scan_iter()) == []


# -- lists, pub/sub, server -------------------------------------------------------------------
def test_lindex(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    def scenario(c: Any) -> list:
        return [c.lindex("l", 0), c.lindex("l", -1), c.lindex("l", 5), c.lindex("missing", 0)]

    assert twin(wrapper, raw, scenario, lambda r: r.rpush("l", "a", b"\x80b")) == [b"a", b"\x80b", None, None]
    wrapper.lpush("l", "x")  # Frappe's own lpush stays prefixed
    assert wrapper.lindex("testsite|l", 0) == b"x"


def test_publish(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    assert wrapper.publish("chan", "nobody listens") == 0
    pubsub = raw.pubsub()
    pubsub.subscribe("chan")
    assert pubsub.get_message(timeout=2)["type"] == "subscribe"
    assert wrapper.publish("chan", b"\x80hi") == 1
    assert pubsub.get_message(timeout=2)["data"] == b"\x80hi"
    pubsub.close()


def test_ping(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    assert wrapper.ping() is True and raw.ping() is True


@pytest.mark.parametrize("method", ["flushdb", "flushall"])
@pytest.mark.parametrize("asynchronous", [False, True])
def test_flush(wrapper: RedisWrapper, raw: redis.Redis, method: str, asynchronous: bool) -> None:
    def scenario(c: Any) -> bool:
        return getattr(c, method)(asynchronous=asynchronous)

    assert twin(wrapper, raw, scenario, populate) is True
    assert raw.dbsize() == 0


def test_flushdb_keeps_other_dbs(redis_server: RedisServer, wrapper: RedisWrapper, raw: redis.Redis) -> None:
    db1 = redis.Redis.from_url(f"{redis_server.url}/1")
    db1.set("k", "v")
    raw.set("k", "v")
    assert wrapper.flushdb() is True
    assert (raw.dbsize(), db1.dbsize()) == (0, 1)
    assert wrapper.flushall() is True
    assert db1.dbsize() == 0


def test_client_id(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    cid = wrapper.client_id()
    assert type(cid) is int and cid != raw.client_id()
    assert str(cid) in {c["id"] for c in raw.client_list()}


# -- INFO -------------------------------------------------------------------------------------
def test_info_keyspace(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    raw.mset({"a": 1, "b": 2})
    info = wrapper.info("keyspace")
    assert info == raw.info("keyspace") == {"db0": {"keys": 2, "expires": 0, "avg_ttl": 0}}


@pytest.mark.parametrize("section", [None, "server", "memory", "stats", "all", "everything"])
def test_info_sections(wrapper: RedisWrapper, raw: redis.Redis, section: str | None) -> None:
    """Same fields, same value types as redis-py (the values themselves move between calls)."""
    raw.set("k", "v")

    def shape(info: dict) -> dict:
        return {k: type(v) for k, v in info.items()}

    ours, theirs = wrapper.info(section), raw.info(section)
    assert shape(ours) == shape(theirs)
    if "redis_version" in theirs:
        assert ours["redis_version"] == theirs["redis_version"]


def test_info_commandstats_and_several_sections(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set("k", "v")
    stats = wrapper.info("commandstats")
    assert stats["cmdstat_set"]["calls"] >= 1 and isinstance(stats["cmdstat_set"]["usec_per_call"], float)
    both = wrapper.info("memory", "keyspace")
    assert "used_memory" in both and both["db0"]["keys"] == 1


def test_execute_command_info_memory_as_frappe_calls_it(wrapper: RedisWrapper) -> None:
    memory = wrapper.execute_command("INFO", "MEMORY")
    assert isinstance(memory["used_memory"], int) and isinstance(memory["used_memory_human"], str)


# -- execute_command --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ("SET", "k", "v"),
        ("set", "new", "v"),
        ("SET", "k", "w", "NX"),
        ("SET", "k", "w", "GET"),  # redis-py returns False here (its SET callback wants get=True)
        ("GET", "k"),
        ("GET", "missing"),
        ("PING",),
        ("ECHO", "hi"),
        ("TYPE", "k"),  # a status reply: bytes, as redis-py returns it
        ("TYPE", "l"),
        ("EXPIRE", "k", 100),
        ("EXPIRE", "missing", 100),
        ("TTL", "k"),
        ("DEL", "k", "l"),
        ("INCRBY", "n", 3),
        ("KEYS", "*"),
        ("EXISTS", "k", "testsite|k"),
        ("LINDEX", "l", 0),
        ("LTRIM", "l", 0, 0),
        ("RENAME", "k", "k2"),
        ("SETNX", "k", "v"),
        ("SETEX", "k", 10, "v"),
        ("HSET", "h", "f", "v"),
        ("HEXISTS", "h", "f"),
        ("PUBLISH", "c", "m"),
        ("SCAN", 0),
        ("INFO", "keyspace"),
        ("FLUSHDB",),
        ("FLUSHALL", "ASYNC"),
    ],
    ids=lambda a: " ".join(map(str, a)),
)
def test_execute_command_like_redis_py(wrapper: RedisWrapper, raw: redis.Redis, args: tuple) -> None:
    def setup(r: redis.Redis) -> None:
        r.set("k", "v")
        r.rpush("l", "a", "b")

    twin(wrapper, raw, lambda c: c.execute_command(*args), setup)


def test_execute_command_replies(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    assert wrapper.execute_command("SET", "k", "v") is True
    assert wrapper.execute_command("PING") is True
    assert wrapper.execute_command("SET", "k", "w", "GET", get=True) == b"v"
    assert wrapper.execute_command("SET", "k", "w", "NX") is None
    assert wrapper.execute_command("TYPE", "k") == b"string"
    assert native_reply(wrapper, "TYPE", "k") == b"string", "status replies are bytes, as in redis-py"


def test_execute_command_multiword_name(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    cid = wrapper.execute_command("CLIENT ID")
    assert type(cid) is int and type(wrapper.execute_command("CLIENT", "ID")) is int
    assert type(raw.execute_command("CLIENT ID")) is int
    # redis-py's callback for the two-word name parses the reply; the same words apart are raw
    theirs = raw.execute_command("CONFIG GET", "maxmemory")
    assert wrapper.execute_command("CONFIG GET", "maxmemory") == theirs
    assert wrapper.execute_command("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"0"]


def test_execute_command_errors(wrapper: RedisWrapper) -> None:
    with pytest.raises(CacheError, match="unknown command"):
        wrapper.execute_command("NOSUCHCOMMAND")
    with pytest.raises(TypeError):
        wrapper.execute_command("SET", "k", True)
    with pytest.raises(TypeError):
        wrapper.execute_command("SET", "k", None)
    with pytest.raises(TypeError):
        wrapper.execute_command()


# -- pipeline ---------------------------------------------------------------------------------
def queue_everything(p: Any) -> Any:
    p.set("a", "1").get("a").set("b", b"\x80", ex=100, get=True).setex("c", 100, "v").incrby("n", 2)
    p.incr("n").decrby("n", 1).decr("n").expire("a", 100).ttl("a").ttl("missing").lindex("l", 0)
    p.keys("a*").publish("chan", "m").ping().client_id().delete("c").unlink("missing")
    p.hset("h", "f", "v").hset("h", mapping={"g": 1, b"\xff": 2.5}).hset("h", "k", "v", {"m": "n"})
    p.hdel("h", "f", "missing").info("keyspace").set("a", "x", nx=True).flushdb().set("z", 1)
    return p


@pytest.mark.parametrize("transaction", [True, False])
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_pipeline_like_redis_py(wrapper: RedisWrapper, raw: redis.Redis, transaction: bool) -> None:
    def scenario(c: Any) -> list:
        results = queue_everything(c.pipeline(transaction=transaction)).execute()
        cid = results.pop(15)
        assert type(cid) is int
        return results

    results = twin(wrapper, raw, scenario, lambda r: r.rpush("l", "x"))
    assert results[:4] == [True, b"1", None, True]


def test_pipeline_returns_itself(wrapper: RedisWrapper) -> None:
    p = wrapper.pipeline()
    assert isinstance(p, Pipeline)
    assert p.set("a", 1) is p and p.get("a").incr("n") is p
    assert len(p) == 3 and bool(wrapper.pipeline()) is True
    assert p.execute() == [True, b"1", 1]
    assert len(p) == 0 and p.execute() == [], "execute resets; the pipeline is reusable"


def test_pipeline_is_one_round_trip(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.ping()  # connect first: the handshake is not part of the count
    before = reads(raw)
    for i in range(5):
        wrapper.set(f"k{i}", i)
    assert reads(raw) - before == 5 + 1, "the probe counts one read per round trip (+1 for INFO)"

    for transaction in (True, False):
        p = wrapper.pipeline(transaction=transaction)
        for i in range(50):
            p.set(f"k{i}", i).get(f"k{i}")
        counter = CommandCounter(raw, "set", "get")
        before = reads(raw)
        assert p.execute() == [x for i in range(50) for x in (True, str(i).encode())]
        assert reads(raw) - before == 1 + 1
        assert (counter.delta("set"), counter.delta("get")) == (50, 50)


@pytest.mark.parametrize(("transaction", "wrapped"), [(True, 1), (False, 0)])
def test_pipeline_transaction(
    wrapper: RedisWrapper, raw: redis.Redis, transaction: bool, wrapped: int
) -> None:
    counter = CommandCounter(raw, "multi", "exec")
    wrapper.pipeline(transaction=transaction).set("a", 1).incr("a").execute()
    assert (counter.delta("multi"), counter.delta("exec")) == (wrapped, wrapped)
    assert wrapper.pipeline(shard_hint="ignored").set("x", 1).execute() == [True]


def test_empty_pipeline_sends_nothing(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.ping()
    counter = CommandCounter(raw, "multi", "exec")
    before = reads(raw)
    with wrapper.pipeline() as p:
        assert p.execute() == []
    assert reads(raw) - before == 1 and counter.delta("multi") == 0


@pytest.mark.parametrize("transaction", [True, False])
def test_pipeline_error_raises_after_the_rest_ran(
    wrapper: RedisWrapper, raw: redis.Redis, transaction: bool
) -> None:
    raw.set("text", "v")
    p = wrapper.pipeline(transaction=transaction).set("a", 1).incr("text").set("b", 2).incr("text")
    with pytest.raises(CacheError, match=r"Command # 2 \(INCRBY text 1\) of pipeline caused error") as info:
        p.execute()
    assert not isinstance(info.value, ConnectionError)
    assert raw.mget("a", "b") == [b"1", b"2"], "the other commands ran"
    assert len(p) == 0

    p.set("a", 3).incr("text").set("b", 4)
    results = p.execute(raise_on_error=False)
    assert results[0] is True and results[2] is True and isinstance(results[1], CacheError)
    assert "not an integer" in str(results[1])
    theirs = raw.pipeline(transaction=transaction).set("a", 3).incr("text").set("b", 4).execute(False)
    assert [type(r) for r in theirs] == [bool, redis.exceptions.ResponseError, bool]


def test_transaction_rejected_at_queue_time(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    """A command Redis refuses to queue aborts the whole MULTI/EXEC, as with redis-py."""
    p = wrapper.pipeline().set("a", 1).execute_command("SET", "only-a-key").set("b", 2)
    with pytest.raises(CacheError):
        p.execute()
    assert raw.exists("a", "b") == 0 and len(p) == 0
    with pytest.raises(redis.exceptions.ResponseError):
        raw.pipeline().set("a", 1).execute_command("SET", "only-a-key").set("b", 2).execute()
    assert raw.exists("a", "b") == 0


def test_pipeline_context_manager_resets(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with wrapper.pipeline() as p:
        p.set("a", 1).set("b", 2)
        assert p.execute() == [True, True]
        p.set("c", 3)
    assert len(p) == 0
    assert raw.exists("a", "b", "c") == 2, "leaving the block drops what was not executed"
    p.set("d", 4)
    p.reset()
    assert p.execute() == [] and raw.exists("d") == 0


def test_pipeline_hset_hdel_are_raw(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    p = wrapper.pipeline()
    p.hset("h", "f", "v").hset("h", mapping={"g": 1, "x": b"\x80"}).hdel("h", "x", "missing").hdel(
        "h", "none"
    )
    assert p.execute() == [1, 2, 1, 0]
    assert raw.hgetall("h") == {b"f": b"v", b"g": b"1"}
    with pytest.raises(redis.exceptions.DataError):
        p.hset("h")
    with pytest.raises(redis.exceptions.DataError):
        raw.pipeline().hset("h")


def test_frappe_hdel_queues_on_our_pipeline(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    """``hdel(name, keys, pipeline=p)`` queues a prefixed HDEL on ``p`` (Frappe's bulk invalidation)."""
    wrapper.hset("h", "a", 1)
    wrapper.hset("h", "b", 2)
    wrapper.hset("h", "c", 3)
    p = wrapper.pipeline()
    wrapper.hdel("h", ["a", "b"], pipeline=p)
    wrapper.hdel("h", "missing", pipeline=p)
    assert len(p) >= 1
    assert raw.hlen("testsite|h") == 3, "nothing sent before execute"
    p.execute()
    assert raw.hkeys("testsite|h") == [b"c"]


# -- connection errors ------------------------------------------------------------------------
@pytest.fixture
def dead() -> RedisWrapper:
    return RedisWrapper.from_url(dead_url(), site="testsite", socket_connect_timeout=1)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get("k"),
        lambda c: c.set("k", "v"),
        lambda c: c.ping(),
        lambda c: c.keys(),
        lambda c: list(c.scan_iter()),
        lambda c: c.info(),
        lambda c: c.execute_command("PING"),
        lambda c: c.pipeline().set("k", "v").execute(),
        lambda c: c.pipeline(transaction=False).set("k", "v").execute(),
    ],
)
def test_raw_methods_raise_connection_errors(dead: RedisWrapper, call: Scenario) -> None:
    with pytest.raises(CacheConnectionError):
        call(dead)
    with pytest.raises(redis.exceptions.ConnectionError):  # what Frappe catches
        call(dead)
    with pytest.raises(ConnectionError):
        call(dead)


def test_failed_pipeline_is_reset(dead: RedisWrapper) -> None:
    p = dead.pipeline().set("k", "v")
    with pytest.raises(redis.exceptions.ConnectionError):
        p.execute()
    assert len(p) == 0


def test_timeout_is_redis_py_timeout(fresh_server: RedisServer) -> None:
    cache = RedisWrapper.from_url(fresh_server.url, site="testsite", socket_timeout=0.3, max_connections=1)
    cache.set("a", "A")
    cache.set("b", "B")
    fresh_server.pause()
    start = time.monotonic()
    with pytest.raises(redis.exceptions.TimeoutError) as info:
        cache.get("a")
    assert isinstance(info.value, CacheTimeoutError) and time.monotonic() - start < 3
    with pytest.raises(redis.exceptions.TimeoutError):
        cache.pipeline().get("a").get("a").execute()
    fresh_server.resume()
    assert cache.get("b") == b"B", "no late reply to a timed-out command is read as this one's"
    assert cache.pipeline().get("b").get("a").execute() == [b"B", b"A"]
