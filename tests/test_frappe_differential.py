"""Differential test: Frappe's own ``RedisWrapper`` and ours, on one Redis, same calls (issue 8 §5).

Frappe's ``frappe/utils/redis_wrapper.py`` is loaded from a Frappe source tree at test time (never
copied here), found from, in order: ``FRAPPE_REDIS_WRAPPER`` (the file), ``FRAPPE_SOURCE`` (a
checkout holding ``frappe/utils/redis_wrapper.py``), or the real-Frappe kit's work dir
``.real-frappe/apps/frappe`` that ``make real-frappe`` leaves behind. Without one, the test is
skipped and says so. Frappe's module gets the few globals it reads from the stand-in package
(``frappe.local``, ``frappe.conf``, ``cstr``); everything it does is its own code.

Every scenario runs twice from the same state (Redis flushed, an empty request cache, the same
``frappe.local.conf`` and session): once through Frappe's wrapper with ``frappe.local.cache`` a
plain dict, once through ours in drop-in mode (its request cache adopted as ``frappe.local.cache``,
``user=True`` resolved from the session). Compared: what each call returned (or the exception it
raised: ours must be an instance of Frappe's exception's class), every key left in Redis (type,
expiry, decoded value) and the request cache's contents.

A scenario may differ only if it is listed in ``DOCUMENTED`` with the README sentence that
explains the difference; a listed scenario that no longer differs fails too, so the list stays
true.
"""

from __future__ import annotations

import datetime
import decimal
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import frappe_cache
import pytest
import redis
from frappe_cache import RedisWrapper, _native
from frappe_cache.testing import RedisServer
from frappe_standin import harness
from support import frappe_redis_wrapper_source

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()
DB = "_difftest"
USER = "diff@example.com"


SOURCE = frappe_redis_wrapper_source()
pytestmark = pytest.mark.skipif(
    SOURCE is None,
    reason="Frappe's redis_wrapper.py is not here: set FRAPPE_REDIS_WRAPPER (the file) or FRAPPE_SOURCE "
    "(a Frappe checkout), or run `make real-frappe` once",
)


class Env:
    """The two wrappers on one server, and the stand-in ``frappe`` whose globals both read."""

    def __init__(self, frappe: ModuleType, theirs: Any, ours: RedisWrapper, raw: redis.Redis) -> None:
        self.frappe, self.theirs, self.ours, self.raw = frappe, theirs, ours, raw

    def reset(self, side: str) -> Any:
        """A fresh request for ``side``: Redis flushed, conf and session set, an empty cache."""
        self.raw.flushall()
        local = self.frappe.local
        local.conf = self.frappe._dict(db_name=DB, redis_cache=self.raw_url)
        local.session = self.frappe._dict(user=USER)
        if side == "theirs":
            frappe_cache.end_request()
            local.cache = {}
            return self.theirs
        local.cache = _native.adopt_local_cache({}, DB)
        _native.set_user_resolver(lambda: self.frappe.local.session.get("user"))
        return self.ours

    raw_url = ""


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    with RedisServer() as server:
        frappe = harness.load(server.url)
        try:
            assert SOURCE is not None
            module = harness.load_frappes_redis_wrapper(SOURCE)
            theirs = module.RedisWrapper.from_url(server.url)
            ours = RedisWrapper.from_url(server.url)
            _native.set_user_resolver(lambda: frappe.local.session.get("user"))
            raw = redis.Redis.from_url(server.url)
            e = Env(frappe, theirs, ours, raw)
            e.raw_url = server.url
            yield e
            raw.close()
        finally:
            _native.set_user_resolver(None)
            harness.unload()


# -- observing a side ----------------------------------------------------------------------------


def decode(value: bytes) -> Any:
    try:
        return ("pickle", pickle.loads(value))
    except Exception:
        return ("raw", value)


def redis_state(raw: redis.Redis) -> dict[bytes, Any]:
    state: dict[bytes, Any] = {}
    for key in sorted(raw.keys()):
        kind = raw.type(key)
        expiring = raw.ttl(key) > 0
        if kind == b"string":
            value: Any = decode(raw.get(key))
        elif kind == b"hash":
            value = {f: decode(v) for f, v in sorted(raw.hgetall(key).items())}
        elif kind == b"list":
            value = raw.lrange(key, 0, -1)
        elif kind == b"set":
            value = sorted(raw.smembers(key))
        else:
            value = kind
        state[key] = (kind, expiring, value)
    return state


def local_state(frappe: ModuleType) -> dict[Any, Any]:
    return {k: v for k, v in dict(frappe.local.cache.items()).items() if k != f"{DB}|app_modules".encode()}


class Raised:
    """An exception as an outcome: equal to another when ours is one of Frappe's class."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def __repr__(self) -> str:
        return f"Raised({type(self.exc).__module__}.{type(self.exc).__qualname__}: {self.exc})"


def outcome(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except Exception as e:
        return Raised(e)


def same(theirs: Any, ours: Any) -> bool:
    if isinstance(theirs, Raised) or isinstance(ours, Raised):
        return (
            isinstance(theirs, Raised) and isinstance(ours, Raised) and isinstance(ours.exc, type(theirs.exc))
        )
    if isinstance(theirs, (list, tuple)) and isinstance(ours, (list, tuple)):
        return type(theirs) is type(ours) and len(theirs) == len(ours) and all(map(same, theirs, ours))
    try:
        return type(theirs) is type(ours) and bool(theirs == ours)
    except Exception:
        return False


def run(env: Env, scenario: Callable[[Any, Env], list[Any]], side: str) -> tuple[Any, Any, Any]:
    cache = env.reset(side)
    results = [outcome(lambda step=step: step()) for step in scenario(cache, env)]
    return results, redis_state(env.raw), local_state(env.frappe)


# -- scenarios -----------------------------------------------------------------------------------

KEYS = {
    "str": "k",
    "unicode": "ü-k",
    "empty": "",
    "int": 5,
    "float": 1.5,
    "none": None,
    "true": True,
    "tuple": ("t", 1),
    "bytes": b"bk",
}
VALUES = {
    "none": None,
    "zero": 0,
    "empty-str": "",
    "str": "v",
    "bytes": b"\x00\xff",
    "list": [1, "a"],
    "dict": {"a": 1},
    "set": {1, 2},
    "datetime": datetime.datetime(2026, 11, 30, 12, 0, 0),
    "decimal": decimal.Decimal("1.10"),
}
USERS = {"none": None, "true": True, "name": "u@example.com", "int": 7, "false": False, "empty": ""}
FLAGS = {"false": False, "true": True, "none": None, "one": 1, "zero": 0}
TTLS = {
    "none": None,
    "ten": 10,
    "delta": datetime.timedelta(seconds=10),
    "zero": 0,
    "negative": -1,
    "float": 1.5,
}

Scenario = Callable[[Any, Env], list[Callable[[], Any]]]
SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str) -> Callable[[Scenario], Scenario]:
    def register(fn: Scenario) -> Scenario:
        assert name not in SCENARIOS, name
        SCENARIOS[name] = fn
        return fn

    return register


def _add(name: str, fn: Scenario) -> None:
    scenario(name)(fn)


for kname, key in KEYS.items():
    for uname, user in USERS.items():
        _add(
            f"make_key[{kname},user={uname}]",
            lambda c, e, key=key, user=user: [lambda: c.make_key(key, user=user)],
        )
    for fname, flag in FLAGS.items():
        _add(
            f"set_get[{kname},shared={fname}]",
            lambda c, e, key=key, flag=flag: [
                lambda: c.set_value(key, {"x": 1}, shared=flag),
                lambda: c.get_value(key, shared=flag),
                lambda: c.exists(key, shared=flag),
                lambda: c.delete_value(key, shared=flag),
                lambda: c.get_value(key, shared=flag),
            ],
        )

for vname, value in VALUES.items():
    _add(
        f"value[{vname}]",
        lambda c, e, value=value: [
            lambda: c.set_value("k", value),
            lambda: c.get_value("k"),
            lambda: c.get_value("k", use_local_cache=False),
            lambda: c.hset("h", "f", value),
            lambda: c.hget("h", "f"),
            lambda: c.hgetall("h"),
        ],
    )

for uname, user in USERS.items():
    _add(
        f"user[{uname}]",
        lambda c, e, user=user: [
            lambda: c.set_value("k", 1, user=user),
            lambda: c.get_value("k", user=user),
            lambda: c.exists("k", user=user),
            lambda: c.expire_key("k", 100, user=user),
            lambda: c.delete_value("k", user=user),
        ],
    )

for tname, ttl in TTLS.items():
    _add(
        f"set_value[expires_in_sec={tname}]",
        lambda c, e, ttl=ttl: [lambda: c.set_value("k", "v", expires_in_sec=ttl), lambda: c.get_value("k")],
    )

for fname, flag in FLAGS.items():
    _add(
        f"get_value[expires={fname}]",
        lambda c, e, flag=flag: [
            lambda: e.raw.set(f"{DB}|k".encode(), pickle.dumps("v")),
            lambda: c.get_value("k", expires=flag),
            lambda: c.get_value("absent", generator=lambda: "gen", expires=flag),
        ],
    )
    _add(
        f"get_value[use_local_cache={fname}]",
        lambda c, e, flag=flag: [
            lambda: c.set_value("k", "first"),
            lambda: e.raw.set(f"{DB}|k".encode(), pickle.dumps("second")),
            lambda: c.get_value("k", use_local_cache=flag),
        ],
    )
    _add(
        f"delete_value[make_keys={fname}]",
        lambda c, e, flag=flag: [
            lambda: c.set_value("a", 1),
            lambda: c.delete_value([f"{DB}|a".encode(), "a"], make_keys=flag),
            lambda: c.get_value("a"),
        ],
    )


@scenario("get_value[generator]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [
        lambda: c.get_value("g", generator=lambda: {"made": 1}),
        lambda: c.get_value("g"),
        lambda: c.get_value("n", generator=lambda: None),
        lambda: c.get_value("n", generator=lambda: "second"),
        lambda: c.get_value("shared-g", generator=lambda: 3, shared=True),
        lambda: c.get_value("u-g", generator=lambda: 4, user=True),
    ]


@scenario("get_value[negative cache]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [
        lambda: c.get_value("k"),
        lambda: e.raw.set(f"{DB}|k".encode(), pickle.dumps("arrived")),
        lambda: c.get_value("k"),
        lambda: c.get_value("k", use_local_cache=False),
    ]


@scenario("get_value[stored None]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [
        lambda: e.raw.set(f"{DB}|k".encode(), pickle.dumps(None)),
        lambda: c.get_value("k", generator=lambda: "generated"),
        lambda: c.get_value("k"),
    ]


@scenario("get_value[protocol 2 and 4 pickles]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [
        lambda: e.raw.set(f"{DB}|p2".encode(), pickle.dumps({"a": (1, 2)}, protocol=2)),
        lambda: e.raw.set(f"{DB}|p4".encode(), pickle.dumps({"b": {1}}, protocol=4)),
        lambda: c.get_value("p2"),
        lambda: c.get_value("p4"),
    ]


@scenario("keys[get_keys, delete_keys]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [
        *[lambda i=i: c.set_value(f"test_del_{i}", i) for i in range(5)],
        lambda: c.set_value("other", 1),
        lambda: sorted(c.get_keys("test_del_")),
        lambda: c.delete_keys("test_del_"),
        lambda: c.get_keys("test_del_"),
        lambda: c.get_value("test_del_1"),
        lambda: c.get_value("other"),
    ]


@scenario("keys[get_keys with glob characters]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [
        lambda: c.set_value("a*b", 1),
        lambda: c.set_value("axb", 2),
        lambda: sorted(c.get_keys("a*")),
        lambda: sorted(c.get_keys("a?b")),
    ]


@scenario("get_all")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [lambda: c.set_value("ga_1", 1), lambda: c.set_value("ga_2", 2), lambda: c.get_all("ga_")]


@scenario("get_all[none]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [lambda: c.get_all("nothing_")]


@scenario("delete_value[collections]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [
        *[lambda n=n: c.set_value(n, n) for n in ("a", "b", "c", "d")],
        lambda: c.delete_value(["a", "b"]),
        lambda: c.delete_value(("c",)),
        lambda: c.delete_value(None),
        lambda: c.delete_value([]),
        lambda: [c.get_value(n) for n in ("a", "b", "c", "d")],
        lambda: c.delete_key("d"),
        lambda: c.get_value("d"),
    ]


@scenario("delete_value[a set]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [lambda: c.set_value("a", 1), lambda: c.delete_value({"a"}), lambda: c.get_value("a")]


@scenario("expire_key")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [
        lambda: c.set_value("k", 1),
        lambda: c.expire_key("k", 100),
        lambda: c.expire_key("missing", 100),
        lambda: c.expire_key("k", datetime.timedelta(seconds=50)),
        lambda: c.expire_key("k", 1.5),
    ]


@scenario("exists[several]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [
        lambda: c.set_value("a", 1),
        lambda: c.set_value("b", None),
        lambda: c.exists("a", "b", "c"),
        lambda: c.exists("a", "a"),
    ]


@scenario("exists[none]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [lambda: c.exists()]


# hashes
@scenario("hash[api T-18]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [
        lambda: c.exists("test_hash"),
        *[lambda i=i: c.hset("test_hash", f"key_{i}", i) for i in range(5)],
        lambda: c.hgetall("test_hash"),
        lambda: [c.hget("test_hash", f"key_{i}") for i in range(5)],
        lambda: sorted(c.hkeys("test_hash")),
        lambda: c.hdel("test_hash", "key_0"),
        lambda: len(c.hgetall("test_hash")),
        lambda: c.hdel("test_hash", ["key_1", "key_2"]),
        lambda: c.hgetall("test_hash"),
        lambda: c.hexists("test_hash", "key_3"),
        lambda: c.hexists("test_hash", "key_0"),
        lambda: c.delete_value("test_hash"),
        lambda: c.exists("test_hash"),
    ]


FIELDS = {
    "str": "f",
    "int": 1,
    "float": 2.5,
    "bytes": b"bf",
    "empty": "",
    "zero": 0,
    "none": None,
    "true": True,
}
for fname, field in FIELDS.items():
    _add(
        f"hash[field={fname}]",
        lambda c, e, field=field: [
            lambda: c.hset("h", field, "v"),
            lambda: c.hget("h", field),
            lambda: c.hexists("h", field),
            lambda: c.hgetall("h"),
            lambda: c.hdel("h", field),
            lambda: c.hkeys("h"),
        ],
    )

for fname, flag in FLAGS.items():
    _add(
        f"hash[shared={fname}]",
        lambda c, e, flag=flag: [
            lambda: c.hset("sh", "f", 1, shared=flag),
            lambda: c.hget("sh", "f", shared=flag),
            lambda: c.hexists("sh", "f", shared=flag),
            lambda: c.hdel("sh", "f", shared=flag),
        ],
    )


@scenario("hash[hget generator and miss]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [
        lambda: c.hget("h", "absent"),
        lambda: c.hget("h", "gen", generator=lambda: {"g": 1}),
        lambda: c.hget("h", "gen"),
        lambda: e.raw.hset(f"{DB}|h".encode(), "remote", pickle.dumps("r")),
        lambda: c.hget("h", "remote"),
        lambda: e.raw.hset(f"{DB}|h".encode(), "remote", pickle.dumps("changed")),
        lambda: c.hget("h", "remote"),
    ]


@scenario("hash[hdel_names, hdel_keys]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [
        lambda: c.hset("bootinfo", USER, 1),
        lambda: c.hset("roles", USER, 2),
        lambda: c.hset("roles", "other", 3),
        lambda: c.hdel_names(["bootinfo", "roles"], USER),
        lambda: c.hgetall("bootinfo"),
        lambda: c.hgetall("roles"),
        lambda: c.hget("roles", USER),
    ]


@scenario("hash[hdel on a pipeline]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    def go() -> Any:
        c.hset("h", "a", 1)
        c.hset("h", "b", 2)
        p = c.pipeline()
        c.hdel("h", "a", pipeline=p)
        c.hdel("h", ["b"], pipeline=p)
        return p.execute()

    return [go, lambda: c.hgetall("h")]


@scenario("hash[hdel_keys]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [lambda: c.hset("hk_1", "f", 1), lambda: c.hdel_keys("hk_", "f"), lambda: c.hgetall("hk_1")]


# lists and sets
@scenario("lists")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [
        lambda: c.lpush("l", "a"),
        lambda: c.rpush("l", b"b"),
        lambda: c.rpush("l", 3),
        lambda: c.llen("l"),
        lambda: c.lrange("l", 0, -1),
        lambda: c.ltrim("l", 0, 1),
        lambda: c.lpop("l"),
        lambda: c.rpop("l"),
        lambda: c.lpop("l"),
    ]


@scenario("sets")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [
        lambda: c.sadd("s", "a", "b", 1),
        lambda: c.sismember("s", "a"),
        lambda: c.sismember("s", "z"),
        lambda: sorted(c.smembers("s")),
        lambda: c.srem("s", "a", 1),
        lambda: c.srandmember("s"),
        lambda: c.spop("s"),
        lambda: c.spop("s"),
    ]


@scenario("sets[srandmember count]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [lambda: c.sadd("s", "a"), lambda: c.srandmember("s", 2)]


@scenario("bad values")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [
        lambda: c.set_value("k", lambda: 1),
        lambda: c.get_value("k"),
        lambda: c.hset("h", "f", lambda: 1),
        lambda: c.hget("h", "f"),
        lambda: c.lpush("l", None),
        lambda: c.sadd("s", [1]),
    ]


@scenario("wrong type")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [
        lambda: c.hset("h", "f", 1),
        lambda: c.lpush("h", "x"),
        lambda: c.set_value("s", 1),
        lambda: c.hget("s", "f"),
        lambda: c.hgetall("s"),
    ]


# raw redis-py methods
@scenario("raw[strings and counters]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [
        lambda: c.set("raw", "v"),
        lambda: c.get("raw"),
        lambda: c.set("raw", "w", nx=True),
        lambda: c.setex("ex", 100, "v"),
        lambda: c.incrby("n", 3),
        lambda: c.incrbyfloat("f", 1.5),
        lambda: c.expire("n", 100),
        lambda: c.ttl("n") > 0,
        lambda: c.exists("raw"),
        lambda: c.delete("raw", "missing"),
        lambda: c.keys("*"),
        lambda: c.ping(),
        lambda: c.lindex("nolist", 0),
        lambda: c.publish("chan", "msg"),
    ]


@scenario("raw[hashes and pipeline]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    def pipe() -> Any:
        p = c.pipeline()
        p.set("a", 1).incr("a").lpush("l", "x").hset("rh", "f", "v").get("a")
        return p.execute()

    return [
        pipe,
        lambda: c.execute_command("HGETALL", "rh"),
        lambda: c.execute_command("INCRBYFLOAT", "fl", "1.5"),
        lambda: c.execute_command("SISMEMBER", "nos", "x"),
        lambda: c.info("keyspace"),
        lambda: c.connected(),
    ]


@scenario("raw[pipeline error]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    def pipe() -> Any:
        p = c.pipeline(transaction=False)
        p.set("t", "text").incr("t").set("u", 1)
        return p.execute()

    return [pipe, lambda: c.get("u")]


@scenario("local cache[LC shared with other code]")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    local = e.frappe.local
    return [
        lambda: c.set_value("k", "v"),
        lambda: local.cache.__setitem__(f"{DB}|k".encode(), "written elsewhere"),
        lambda: c.get_value("k"),
        lambda: local.cache.pop(f"{DB}|k".encode()),
        lambda: c.get_value("k"),
        lambda: local.cache.clear(),
        lambda: c.hset("h", "f", 1),
        lambda: local.cache[f"{DB}|h".encode()],
        lambda: c.get_value("h"),
    ]


@scenario("call and connected")
def _(c: Any, e: Env) -> list[Callable[[], Any]]:
    return [lambda: c() is c, lambda: c.connected()]


# Scenarios where ours differs, each with the README sentence (under "Differences from Frappe")
# that explains it.
BYTES_KEYS = "Bytes keys are prefixed as they are"
PICKLE_FIRST = "an unpicklable value raises `SerializationError` and leaves both caches untouched"
TTL_CHECK = "`expires_in_sec` must be a positive `int` or"
ONE_UNLINK = "`delete_value` sends one `UNLINK` per 1000 keys"
ITERABLES = "with any iterable of keys (a set, a generator) deletes each of them"
GET_ALL = "`get_all(key)` works"
HDEL_KEYS = "`hdel_keys(prefix, field)` works"
SRANDMEMBER = "`srandmember(name, count)` honours `count`"
SCAN = "`get_keys` / `delete_keys` never send `KEYS`"
EXPIRE_FLOAT = "`expire_key` takes whole seconds"
EXISTS_EMPTY = "`exists()` with no names raises `TypeError`"
CONNECTED = "`connected()` returns `False` on a timeout too"
REFUSED_FIRST = "A call Redis or pickle would refuse (a shared key of a type Redis cannot take"

DOCUMENTED: dict[str, str] = {
    **{f"make_key[bytes,user={u}]": BYTES_KEYS for u in USERS},
    **{f"set_get[bytes,shared={f}]": BYTES_KEYS for f in ("false", "none", "zero")},
    "bad values": PICKLE_FIRST,
    "hash[field=true]": REFUSED_FIRST,
    "set_value[expires_in_sec=float]": REFUSED_FIRST,
    **{f"set_get[{k},shared={f}]": REFUSED_FIRST for k in ("none", "true", "tuple") for f in ("one", "true")},
    "set_value[expires_in_sec=zero]": TTL_CHECK,
    "set_value[expires_in_sec=negative]": TTL_CHECK,
    "delete_value[a set]": ITERABLES,
    "get_all": GET_ALL,
    "hash[hdel_keys]": HDEL_KEYS,
    "sets[srandmember count]": SRANDMEMBER,
    "expire_key": EXPIRE_FLOAT,
    "exists[none]": EXISTS_EMPTY,
}


def test_documented_differences_are_in_the_readme() -> None:
    section = README.split("## Differences from Frappe", 1)[1].split("\n## ", 1)[0]
    for reason in sorted(set(DOCUMENTED.values())):
        assert reason in section, f"README 'Differences from Frappe' does not say: {reason}"


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_same_as_frappe(env: Env, name: str) -> None:
    scenario_fn = SCENARIOS[name]
    theirs = run(env, scenario_fn, "theirs")
    ours = run(env, scenario_fn, "ours")
    labels = ("results", "Redis", "request cache")
    differences = [
        f"{label}: Frappe {t!r}\n{' ' * len(label)}  ours   {o!r}"
        for label, t, o in zip(labels, theirs, ours, strict=True)
        if not (same(t, o) if label == "results" else t == o)
    ]
    if name in DOCUMENTED:
        assert differences, f"{name} is listed as a difference ({DOCUMENTED[name]!r}) but now matches Frappe"
    else:
        assert not differences, f"{name}:\n" + "\n".join(differences)


# -- Redis unreachable, or refusing us: Frappe's connection-error policy ---------------------------

FAULT_CALLS: dict[str, Callable[[Any], Any]] = {
    "set_value": lambda c: c.set_value("k", 1),
    "set_value then get_value": lambda c: (c.set_value("k", {"a": 1}), c.get_value("k")),
    "get_value": lambda c: c.get_value("k"),
    "get_value generator": lambda c: (c.get_value("g", generator=lambda: 5), c.get_value("g")),
    "get_value expires": lambda c: c.get_value("k", expires=True),
    "delete_value": lambda c: (c.set_value("k", 1), c.delete_value("k"), c.get_value("k")),
    "exists": lambda c: c.exists("k"),
    "expire_key": lambda c: c.expire_key("k", 10),
    "hset then hget": lambda c: (c.hset("h", "f", 1), c.hget("h", "f")),
    "hget generator": lambda c: (c.hget("h", "g", generator=lambda: 2), c.hget("h", "g")),
    "hgetall": lambda c: c.hgetall("h"),
    "hexists": lambda c: c.hexists("h", "f"),
    "hkeys": lambda c: c.hkeys("h"),
    "hdel": lambda c: (c.hset("h", "f", 1), c.hdel("h", "f"), c.hget("h", "f")),
    "hdel list": lambda c: c.hdel("h", ["a", "b"]),
    "hdel_names": lambda c: c.hdel_names(["a", "b"], "f"),
    "get_keys": lambda c: (c.set_value("gk_1", 1), sorted(c.get_keys("gk_"))),
    "delete_keys": lambda c: (c.set_value("dk_1", 1), c.delete_keys("dk_"), c.get_value("dk_1")),
    "lpush": lambda c: c.lpush("l", "x"),
    "llen": lambda c: c.llen("l"),
    "sadd": lambda c: c.sadd("s", "x"),
    "smembers": lambda c: c.smembers("s"),
    "connected": lambda c: c.connected(),
    "raw get": lambda c: c.get("k"),
    "raw set": lambda c: c.set("k", "v"),
    "ping": lambda c: c.ping(),
    "pipeline": lambda c: c.pipeline().set("a", 1).execute(),
}


@pytest.fixture(scope="module", params=["down", "noauth"])
def faulty(request: pytest.FixtureRequest, env: Env) -> Iterator[tuple[str, Any, RedisWrapper]]:
    """Both wrappers on a Redis that is not there, or that wants a password they do not give."""
    if request.param == "down":
        from support import dead_url

        url = dead_url()
        yield (
            request.param,
            env.frappe.utils.redis_wrapper.RedisWrapper.from_url(url),
            RedisWrapper.from_url(url, socket_connect_timeout=1),
        )
        return
    with RedisServer(args=["--requirepass", "secret"]) as server:
        yield (
            request.param,
            env.frappe.utils.redis_wrapper.RedisWrapper.from_url(server.url),
            RedisWrapper.from_url(server.url),
        )


@pytest.mark.parametrize("call", sorted(FAULT_CALLS))
def test_same_as_frappe_when_redis_refuses(
    env: Env, faulty: tuple[str, Any, RedisWrapper], call: str
) -> None:
    fault, theirs_wrapper, ours_wrapper = faulty
    seen = []
    for side, wrapper in (("theirs", theirs_wrapper), ("ours", ours_wrapper)):
        env.reset(side)
        result = outcome(lambda wrapper=wrapper: FAULT_CALLS[call](wrapper))
        seen.append((result, local_state(env.frappe)))
    (theirs, theirs_local), (ours, ours_local) = seen
    assert same(theirs, ours), f"{fault} {call}: Frappe {theirs!r}, ours {ours!r}"
    assert theirs_local == ours_local, f"{fault} {call}: request cache {theirs_local!r} vs {ours_local!r}"
