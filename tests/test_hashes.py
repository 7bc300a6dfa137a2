"""Hash methods (frappe-behaviour.md §3.3, §12.5; Frappe tests T-17, T-18)."""

from __future__ import annotations

import pickle

import pytest
import redis
from frappe_cache import RedisWrapper, request_scope
from hypothesis import given
from hypothesis import strategies as st
from support import CommandCounter
from valuetypes import _dict


def fields(raw: redis.Redis, name: bytes) -> dict:
    return {f: pickle.loads(v) for f, v in raw.hgetall(name).items()}


def test_hset_hget(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    assert wrapper.hset("h", "f", _dict(a=1)) is None
    out = wrapper.hget("h", "f")
    assert out == {"a": 1} and type(out) is _dict
    assert fields(raw, b"testsite|h") == {b"f": {"a": 1}}
    assert raw.ttl(b"testsite|h") == -1, "hashes never expire"


def test_hget_missing(wrapper: RedisWrapper) -> None:
    assert wrapper.hget("h", "f") is None
    wrapper.hset("h", "g", 1)
    assert wrapper.hget("h", "f") is None


def test_hset_overwrites(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.hset("h", "f", 1)
    wrapper.hset("h", "f", 2)
    assert wrapper.hget("h", "f") == 2
    assert fields(raw, b"testsite|h") == {b"f": 2}


def test_hgetall(wrapper: RedisWrapper) -> None:
    wrapper.hset("h", "a", 1)
    wrapper.hset("h", b"b", [2])
    wrapper.hset("h", 3, None)
    assert wrapper.hgetall("h") == {b"a": 1, b"b": [2], b"3": None}
    assert wrapper.hgetall("missing") == {}


@pytest.mark.parametrize(
    ("field", "wire"),
    [
        ("name", b"name"),
        ("ünï", "ünï".encode()),
        (b"\xffraw", b"\xffraw"),
        (0, b"0"),
        (-42, b"-42"),
        (10**25, str(10**25).encode()),
        (1.5, b"1.5"),
        (1.0, b"1.0"),
        (0.1 + 0.2, b"0.30000000000000004"),
        (1e20, b"1e+20"),
        (1e-07, b"1e-07"),
        (-0.0, b"-0.0"),
    ],
    ids=lambda v: repr(v) if not isinstance(v, bytes) else None,
)
def test_field_types_on_the_wire(wrapper: RedisWrapper, raw: redis.Redis, field, wire: bytes) -> None:
    # str -> UTF-8, int -> decimal, float -> repr(), bytes unchanged (what redis-py sends)
    wrapper.hset("h", field, "v")
    assert raw.hkeys(b"testsite|h") == [wire]
    if field:  # Frappe's hget returns None for a falsy field: see test_hget_falsy_field
        assert wrapper.hget("h", field) == "v"
    assert wrapper.hget("h", wire) == "v"
    assert wrapper.hexists("h", field) is True
    assert wrapper.hgetall("h") == {wire: "v"}
    wrapper.hdel("h", field)
    assert raw.exists(b"testsite|h") == 0


@given(field=st.floats() | st.integers())
def test_prop_numeric_field_wire_form(wrapper: RedisWrapper, raw: redis.Redis, field) -> None:
    # int -> str(), float -> repr(), exactly as redis-py encodes them (Rust's float formatting differs)
    wire = (repr(field) if isinstance(field, float) else str(field)).encode()
    raw.delete(b"testsite|hp")
    wrapper.hset("hp", field, 1)
    assert raw.hkeys(b"testsite|hp") == [wire]
    assert wrapper.hexists("hp", field) is True
    wrapper.hdel("hp", field)
    assert raw.exists(b"testsite|hp") == 0


@pytest.mark.parametrize("field", [True, [1], {"a": 1}, object()], ids=["bool", "list", "dict", "object"])
def test_bad_field_type(wrapper: RedisWrapper, raw: redis.Redis, field) -> None:
    with pytest.raises(TypeError):
        wrapper.hset("h", field, 1)
    assert raw.dbsize() == 0


def test_none_field_is_noop(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    counter = CommandCounter(raw, "hset", "hget", "hexists")
    assert wrapper.hset("h", None, 1) is None
    assert wrapper.hget("h", None) is None
    assert wrapper.hget("h", None, generator=lambda: 1) is None
    assert wrapper.hexists("h", None) is False
    assert raw.dbsize() == 0
    assert counter.delta("hset") == counter.delta("hget") == counter.delta("hexists") == 0


@pytest.mark.parametrize("field", [0, 0.0, "", b""], ids=["0", "0.0", "empty-str", "empty-bytes"])
def test_hget_falsy_field(wrapper: RedisWrapper, raw: redis.Redis, field) -> None:
    # Frappe's hget starts with `if not key: return None`; hset and hexists only skip None.
    wrapper.hset("h", field, "v")
    assert raw.hlen(b"testsite|h") == 1
    assert wrapper.hexists("h", field) is True
    assert wrapper.hget("h", field) is None
    assert list(wrapper.hgetall("h").values()) == ["v"]


def test_hexists(wrapper: RedisWrapper) -> None:
    assert wrapper.hexists("h", "f") is False
    wrapper.hset("h", "f", None)
    assert wrapper.hexists("h", "f") is True
    assert wrapper.hexists("h", "g") is False


def test_hkeys(wrapper: RedisWrapper) -> None:
    assert wrapper.hkeys("h") == []
    for i in range(3):
        wrapper.hset("h", f"key_{i}", i)
    keys = wrapper.hkeys("h")
    assert sorted(keys) == [b"key_0", b"key_1", b"key_2"]
    assert all(type(k) is bytes for k in keys)


def test_hget_generator(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    calls = []

    def gen():
        calls.append(1)
        return {"computed": True}

    assert wrapper.hget("h", "f", generator=gen) == {"computed": True}
    assert calls == [1]
    assert fields(raw, b"testsite|h") == {b"f": {"computed": True}}
    assert wrapper.hget("h", "f", generator=gen) == {"computed": True}
    assert calls == [1]


def test_hget_stored_none_is_a_hit(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    # Unlike get_value, hget treats a stored pickle of None as found (Frappe §3.3): no generator.
    raw.hset(b"testsite|h", b"f", pickle.dumps(None, protocol=5))
    calls = []
    assert wrapper.hget("h", "f", generator=lambda: calls.append(1) or "gen") is None
    assert calls == []
    assert raw.hget(b"testsite|h", b"f") == pickle.dumps(None, protocol=5)


def test_hget_generator_shared(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    assert wrapper.hget("h", "f", generator=lambda: 5, shared=True) == 5
    assert fields(raw, b"h") == {b"f": 5}
    assert raw.exists(b"testsite|h") == 0


def test_shared_hash(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.hset("sh", "f", 1, shared=True)
    assert raw.keys() == [b"sh"]
    assert wrapper.hget("sh", "f", shared=True) == 1
    assert wrapper.hget("sh", "f") is None
    assert wrapper.hgetall("sh", shared=True) == {b"f": 1}
    assert wrapper.hkeys("sh", shared=True) == [b"f"]
    assert wrapper.hexists("sh", "f", shared=True) is True
    wrapper.hdel("sh", "f", shared=True)
    assert raw.dbsize() == 0


def test_hdel_one_and_many(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    for i in range(5):
        wrapper.hset("h", f"f{i}", i)
    assert wrapper.hdel("h", "f0") is None
    assert sorted(raw.hkeys(b"testsite|h")) == [b"f1", b"f2", b"f3", b"f4"]
    wrapper.hdel("h", ["f1", "f2"])
    assert sorted(raw.hkeys(b"testsite|h")) == [b"f3", b"f4"]
    wrapper.hdel("h", ("f3", b"f4", "missing"))
    assert raw.exists(b"testsite|h") == 0
    wrapper.hdel("h", "f0")  # a missing field or hash is fine
    wrapper.hdel("h", [])
    wrapper.hset("h", "p", 1)
    wrapper.hdel("h", "p", pipeline=None)
    wrapper.hdel(name="h", keys=["p"], shared=False, pipeline=None)
    assert raw.exists(b"testsite|h") == 0


def test_hdel_clears_local_cache(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with request_scope("testsite"):
        wrapper.hset("h", "a", 1)
        wrapper.hset("h", "b", 2)
        wrapper.hset("h", "c", 3)
        wrapper.hdel("h", "a")
        wrapper.hdel("h", ["b"])
        raw.hset(b"testsite|h", b"a", pickle.dumps("a-new"))
        raw.hset(b"testsite|h", b"b", pickle.dumps("b-new"))
        assert wrapper.hget("h", "a") == "a-new"
        assert wrapper.hget("h", "b") == "b-new"
        assert wrapper.hget("h", "c") == 3


def test_hdel_names(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    for name in ("h1", "h2", "h3"):
        wrapper.hset(name, "user1", name)
        wrapper.hset(name, "user2", name)
    with request_scope("testsite"):
        assert wrapper.hget("h1", "user1") == "h1"  # in the local cache now
        assert wrapper.hdel_names(["h1", "h2"], "user1") is None
        assert wrapper.hget("h1", "user1") is None
    assert raw.hkeys(b"testsite|h1") == [b"user2"]
    assert raw.hkeys(b"testsite|h2") == [b"user2"]
    assert sorted(raw.hkeys(b"testsite|h3")) == [b"user1", b"user2"]


def test_hdel_keys(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    # Frappe's hdel_keys raises TypeError as soon as a key matches; ours works.
    for name in ("perm:a", "perm:b", "other"):
        wrapper.hset(name, "u1", 1)
        wrapper.hset(name, "u2", 2)
    raw.hset(b"othersite|perm:a", b"u1", pickle.dumps(1))
    with request_scope("testsite"):
        assert wrapper.hget("perm:a", "u1") == 1
        assert wrapper.hdel_keys("perm:", "u1") is None
        assert wrapper.hget("perm:a", "u1") is None
    assert raw.hkeys(b"testsite|perm:a") == [b"u2"]
    assert raw.hkeys(b"testsite|perm:b") == [b"u2"]
    assert sorted(raw.hkeys(b"testsite|other")) == [b"u1", b"u2"]
    assert raw.hkeys(b"othersite|perm:a") == [b"u1"]


def test_hdel_keys_no_match(wrapper: RedisWrapper) -> None:
    wrapper.hdel_keys("nothing:", "u1")


def test_hash_values_interop_from_python_worker(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    raw.hset(b"testsite|h", mapping={b"a": pickle.dumps(_dict(x=1), protocol=4), b"b": pickle.dumps((1,))})
    assert wrapper.hgetall("h") == {b"a": {"x": 1}, b"b": (1,)}
    assert type(wrapper.hget("h", "a")) is _dict
    assert type(wrapper.hget("h", b"b")) is tuple


def test_frappe_t17(wrapper: RedisWrapper) -> None:
    for i in range(5):
        wrapper.set_value(f"test_del_{i}", i)
    assert len(wrapper.get_keys("test_del_")) == 5
    wrapper.delete_keys("test_del_")
    assert len(wrapper.get_keys("test_del_")) == 0


def test_frappe_t18(wrapper: RedisWrapper) -> None:
    """Frappe's own hash test, step by step (test_caching.py::test_redis_hash_operations)."""
    assert not wrapper.exists("test_hash")
    for i in range(5):
        wrapper.hset("test_hash", f"key_{i}", f"value_{i}")
    assert len(wrapper.hgetall("test_hash")) == 5
    for i in range(5):
        assert wrapper.hget("test_hash", f"key_{i}") == f"value_{i}"
    keys = wrapper.hkeys("test_hash")
    for i in range(5):
        assert f"key_{i}".encode() in keys
    wrapper.hdel("test_hash", "key_0")
    assert len(wrapper.hgetall("test_hash")) == 4
    wrapper.hdel("test_hash", ["key_1", "key_2"])
    assert len(wrapper.hgetall("test_hash")) == 2
    wrapper.delete_value("test_hash")
    assert not wrapper.exists("test_hash")


def test_frappe_t18_in_request_scope(wrapper: RedisWrapper) -> None:
    # The same sequence inside a request, where the local cache is live.
    with request_scope("testsite", user="Administrator"):
        test_frappe_t18(wrapper)
        for i in range(5):
            assert wrapper.hget("test_hash", f"key_{i}") is None


def test_delete_value_drops_cached_hash(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with request_scope("testsite"):
        wrapper.hset("h", "f", 1)
        wrapper.delete_value("h")
        assert wrapper.hget("h", "f") is None
    assert raw.dbsize() == 0
