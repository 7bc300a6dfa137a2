"""String methods (frappe-behaviour.md §3.1, §3.2, §3.5)."""

from __future__ import annotations

import pickle
from datetime import timedelta

import pytest
import redis
from frappe_cache import RedisWrapper, request_scope
from support import CommandCounter
from valuetypes import _dict


def stored(raw: redis.Redis, key: bytes):
    data = raw.get(key)
    assert data is not None, f"{key!r} is not in Redis"
    return pickle.loads(data)


# -- set_value / get_value ---------------------------------------------------------------------
def test_set_get(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    assert wrapper.set_value("k", {"a": 1}) is None
    assert wrapper.get_value("k") == {"a": 1}
    assert stored(raw, b"testsite|k") == {"a": 1}
    assert raw.ttl(b"testsite|k") == -1, "no expiry unless asked"


def test_get_missing(wrapper: RedisWrapper) -> None:
    assert wrapper.get_value("missing") is None


def test_set_overwrites(wrapper: RedisWrapper, raw) -> None:
    wrapper.set_value("k", 1, expires_in_sec=100)
    wrapper.set_value("k", 2)
    assert wrapper.get_value("k") == 2
    assert raw.ttl(b"testsite|k") == -1, "a plain SET clears the old TTL"


def test_user_and_shared_values(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set_value("k", "site")
    wrapper.set_value("k", "user", user="a@b.c")
    wrapper.set_value("k", "shared", shared=True)
    assert wrapper.get_value("k") == "site"
    assert wrapper.get_value("k", user="a@b.c") == "user"
    assert wrapper.get_value("k", shared=True) == "shared"
    assert sorted(raw.keys()) == [b"k", b"testsite|k", b"testsite|user:a@b.c:k"]


def test_int_and_bytes_keys(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set_value(5, "five")
    wrapper.set_value(b"raw", "bytes")
    assert wrapper.get_value(5) == "five"
    assert wrapper.get_value(b"raw") == "bytes"
    assert wrapper.get_value("raw") == "bytes", "b'raw' and 'raw' are the same key"
    assert sorted(raw.keys()) == [b"testsite|5", b"testsite|raw"]


def test_get_value_generator(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    calls = []

    def gen():
        calls.append(1)
        return [1, 2, 3]

    assert wrapper.get_value("k", generator=gen) == [1, 2, 3]
    assert calls == [1]
    assert stored(raw, b"testsite|k") == [1, 2, 3]
    assert raw.ttl(b"testsite|k") == -1
    assert wrapper.get_value("k", generator=gen) == [1, 2, 3]
    assert calls == [1], "a hit does not call the generator"


def test_generator_respects_user_and_shared(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.get_value("k", generator=lambda: "u", user="someone")
    wrapper.get_value("g", generator=lambda: "s", shared=True)
    assert stored(raw, b"testsite|user:someone:k") == "u"
    assert stored(raw, b"g") == "s"  # Frappe v15 dropped `shared` here; v16 keeps it
    assert raw.dbsize() == 2


def test_generator_returning_none_is_stored(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    assert wrapper.get_value("k", generator=lambda: None) is None
    assert raw.get(b"testsite|k") == b"\x80\x05N."


def test_generator_exception_propagates(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    def boom():
        raise KeyError("from generator")

    with pytest.raises(KeyError, match="from generator"):
        wrapper.get_value("k", generator=boom)
    assert raw.dbsize() == 0


def test_stored_none_reads_as_miss(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    # §3.2 step 4 / §12.3: a stored pickle of None is "absent" to get_value, so the generator runs
    raw.set(b"testsite|k", pickle.dumps(None, protocol=5))
    assert wrapper.get_value("k", generator=lambda: "generated") == "generated"
    assert stored(raw, b"testsite|k") == "generated"


def test_expires_true_ignores_generator(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    calls = []
    assert wrapper.get_value("k", generator=lambda: calls.append(1) or 1, expires=True) is None
    assert calls == []
    assert raw.dbsize() == 0


def test_expires_true_skips_local_cache_write(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with request_scope("testsite"):
        raw.set(b"testsite|k", pickle.dumps(1))
        assert wrapper.get_value("k", expires=True) == 1
        raw.set(b"testsite|k", pickle.dumps(2))
        assert wrapper.get_value("k", expires=True) == 2, "expires=True must not fill the local cache"
        # a normal read fills it...
        assert wrapper.get_value("k") == 2
        raw.set(b"testsite|k", pickle.dumps(3))
        # ...and expires=True still consults it first (Frappe's order)
        assert wrapper.get_value("k", expires=True) == 2


def test_use_local_cache_false(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with request_scope("testsite"):
        wrapper.set_value("k", "old")
        raw.set(b"testsite|k", pickle.dumps("new"))
        assert wrapper.get_value("k") == "old"
        assert wrapper.get_value("k", use_local_cache=False) == "new"
        # the fresh read refreshed the local cache (Frappe stores every non-expires read)
        raw.set(b"testsite|k", pickle.dumps("newer"))
        assert wrapper.get_value("k") == "new"


# -- expiry ---------------------------------------------------------------------------------
def test_expires_in_sec(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set_value("k", 1, expires_in_sec=100)
    assert 90 < raw.ttl(b"testsite|k") <= 100
    assert wrapper.get_value("k") == 1


def test_expires_in_sec_timedelta(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set_value("k", 1, expires_in_sec=timedelta(minutes=2))
    assert 110 < raw.ttl(b"testsite|k") <= 120


def test_expires_in_sec_user_shared(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set_value("k", 1, user="u", expires_in_sec=50)
    wrapper.set_value("s", 1, shared=True, expires_in_sec=60)
    assert 40 < raw.ttl(b"testsite|user:u:k") <= 50
    assert 50 < raw.ttl(b"s") <= 60


def test_expiring_value_in_scope_is_kept_locally(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    # v16 writes the local cache even when an expiry is given (PR #28813)
    with request_scope("testsite"):
        value = {"a": 1}
        wrapper.set_value("k", value, expires_in_sec=100)
        assert wrapper.get_value("k") is value


@pytest.mark.parametrize(
    ("ttl", "error"),
    [
        (0, ValueError),
        (-1, ValueError),
        (-100, ValueError),
        (timedelta(0), ValueError),
        (timedelta(seconds=-5), ValueError),
        (1.5, TypeError),
        (10.0, TypeError),
        (True, TypeError),
        (False, TypeError),
        ("10", TypeError),
    ],
    ids=["0", "-1", "-100", "td0", "td-5", "1.5", "10.0", "True", "False", "str"],
)
def test_bad_expires_in_sec(wrapper: RedisWrapper, raw: redis.Redis, ttl, error) -> None:
    with request_scope("testsite"):
        wrapper.set_value("k", "previous")
        with pytest.raises(error):
            wrapper.set_value("k", "new", expires_in_sec=ttl)
        assert wrapper.get_value("k") == "previous", "the local cache was written"
        with pytest.raises(error):
            wrapper.set_value("other", "new", expires_in_sec=ttl)
        assert wrapper.get_value("other") is None
    assert stored(raw, b"testsite|k") == "previous"
    assert raw.ttl(b"testsite|k") == -1
    assert raw.exists(b"testsite|other") == 0


def test_expire_key(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set_value("k", 1)
    assert wrapper.expire_key("k", 50) is True
    assert 40 < raw.ttl(b"testsite|k") <= 50
    assert wrapper.expire_key("k", timedelta(seconds=30)) is True
    assert 20 < raw.ttl(b"testsite|k") <= 30
    assert wrapper.expire_key("missing", 50) is False


def test_expire_key_user_shared(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set_value("k", 1, user="u")
    wrapper.set_value("s", 1, shared=True)
    assert wrapper.expire_key("k", 40, user="u") is True
    assert wrapper.expire_key("s", 45, shared=True) is True
    assert 30 < raw.ttl(b"testsite|user:u:k") <= 40
    assert 35 < raw.ttl(b"s") <= 45
    assert wrapper.expire_key("k", 40) is False, "the site key does not exist"


def test_expire_key_does_not_touch_local_cache(wrapper: RedisWrapper) -> None:
    with request_scope("testsite"):
        value = [1]
        wrapper.set_value("k", value)
        wrapper.expire_key("k", 100)
        assert wrapper.get_value("k") is value


# -- exists --------------------------------------------------------------------------------
def test_exists(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    assert wrapper.exists("a") == 0
    wrapper.set_value("a", 1)
    wrapper.set_value("b", None)  # a stored None exists
    assert wrapper.exists("a") == 1
    assert wrapper.exists("a", "b", "missing") == 2
    assert wrapper.exists("a", "a") == 2, "EXISTS counts repeats"
    assert type(wrapper.exists("a")) is int


def test_exists_user_and_shared(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set_value("k", 1, user="u@x")
    raw.set(b"plain", b"1")
    assert wrapper.exists("k", user="u@x") == 1
    assert wrapper.exists("k") == 0
    assert wrapper.exists("plain", shared=True) == 1
    assert wrapper.exists("plain") == 0


def test_exists_sees_keys_of_any_type(wrapper: RedisWrapper) -> None:
    wrapper.hset("h", "f", 1)
    wrapper.lpush("l", "x")
    assert wrapper.exists("h", "l") == 2


# -- get_keys / delete_keys ----------------------------------------------------------------
def test_get_keys(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    for i in range(5):
        wrapper.set_value(f"test_del_{i}", i)
    wrapper.set_value("other", 1)
    raw.set(b"othersite|test_del_9", b"x")
    wrapper.hset("test_del_hash", "f", 1)
    counter = CommandCounter(raw, "keys", "scan")
    keys = wrapper.get_keys("test_del_")
    assert all(type(k) is bytes for k in keys)
    assert sorted(keys) == sorted(
        [f"testsite|test_del_{i}".encode() for i in range(5)] + [b"testsite|test_del_hash"]
    )
    assert counter.delta("keys") == 0, "get_keys must not send KEYS"
    assert counter.delta("scan") >= 1


def test_get_keys_glob_and_scope(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    for i in range(5):
        wrapper.set_value(f"g{i}", i)
    assert sorted(wrapper.get_keys("g[13]")) == [b"testsite|g1", b"testsite|g3"]
    assert wrapper.get_keys("nomatch") == []
    with request_scope("othersite"):
        wrapper.set_value("g1", 1)
        assert wrapper.get_keys("g") == [b"othersite|g1"]
    assert len(wrapper.get_keys("")) == 5


def test_get_keys_user_keys_by_prefix(wrapper: RedisWrapper) -> None:
    wrapper.set_value("k", 1, user="u1")
    wrapper.set_value("k", 1, user="u2")
    assert sorted(wrapper.get_keys("user:")) == [b"testsite|user:u1:k", b"testsite|user:u2:k"]


def test_delete_keys(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    for i in range(5):
        wrapper.set_value(f"test_del_{i}", i)
    wrapper.set_value("keep", 1)
    raw.set(b"othersite|test_del_0", b"x")
    counter = CommandCounter(raw, "keys")
    assert wrapper.delete_keys("test_del_") is None
    assert wrapper.get_keys("test_del_") == []
    assert counter.delta("keys") == 0
    assert sorted(raw.keys()) == [b"othersite|test_del_0", b"testsite|keep"]


def test_delete_keys_clears_local_cache(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with request_scope("testsite"):
        wrapper.set_value("p1", 1)
        wrapper.set_value("p2", 2)
        wrapper.delete_keys("p")
        assert wrapper.get_value("p1") is None
        assert wrapper.get_value("p2") is None
    assert raw.dbsize() == 0


def test_delete_keys_many(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    n = 20_000
    pipe = raw.pipeline(transaction=False)
    for i in range(n):
        pipe.set(f"testsite|bulk:{i}".encode(), b"\x80\x05K\x01.")
    for i in range(100):
        pipe.set(f"testsite|keep:{i}".encode(), b"x")
        pipe.set(f"othersite|bulk:{i}".encode(), b"x")
    pipe.execute()

    counter = CommandCounter(raw, "keys", "unlink", "del", "scan")
    keys = wrapper.get_keys("bulk:")
    assert len(keys) == n
    assert len(set(keys)) == n, "SCAN duplicates must be removed"
    assert set(keys) == {f"testsite|bulk:{i}".encode() for i in range(n)}

    wrapper.delete_keys("bulk:")
    assert raw.dbsize() == 200
    assert wrapper.get_keys("bulk:") == []
    assert counter.delta("keys") == 0
    deletes = counter.delta("unlink") + counter.delta("del")
    assert 1 <= deletes <= 2_000, f"{deletes} delete commands: not batched"


# -- delete_value / delete_key -------------------------------------------------------------
def test_delete_value_single(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set_value("a", 1)
    wrapper.set_value("b", 2)
    counter = CommandCounter(raw, "unlink", "del")
    assert wrapper.delete_value("a") is None
    assert raw.keys() == [b"testsite|b"]
    assert counter.delta("unlink") == 1 and counter.delta("del") == 0, "v16 deletes with UNLINK"


@pytest.mark.parametrize("container", [list, tuple])
def test_delete_value_many(wrapper: RedisWrapper, raw: redis.Redis, container) -> None:
    for k in "abcd":
        wrapper.set_value(k, k)
    counter = CommandCounter(raw, "unlink")
    wrapper.delete_value(container(["a", "b", "c", "missing"]))
    assert raw.keys() == [b"testsite|d"]
    assert counter.delta("unlink") == 1, "one command for all keys"


def test_delete_value_other_iterables(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    for k in "abcde":
        wrapper.set_value(k, k)
    # The stub promises `Iterable[Key]`: sets, dict views and generators too.
    wrapper.delete_value({"a", "b"})
    wrapper.delete_value({"c": 1}.keys())
    wrapper.delete_value(k for k in ("d",))
    assert raw.keys() == [b"testsite|e"]


def test_delete_value_user_shared(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set_value("k", 1)
    wrapper.set_value("k", 1, user="u")
    wrapper.set_value("k", 1, shared=True)
    wrapper.delete_value("k", user="u")
    assert sorted(raw.keys()) == [b"k", b"testsite|k"]
    wrapper.delete_value(["k"], shared=True)
    assert raw.keys() == [b"testsite|k"]


def test_delete_value_int_and_bytes_keys(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set_value(1, 1)
    wrapper.set_value("b", 1)
    wrapper.delete_value([1, b"b"])
    assert raw.dbsize() == 0


def test_delete_value_make_keys_false(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set_value("a", 1)
    wrapper.set_value("b", 1)
    wrapper.delete_value([b"testsite|a", "testsite|b"], make_keys=False)
    assert raw.dbsize() == 0


def test_delete_value_make_keys_false_clears_local_cache(wrapper: RedisWrapper) -> None:
    with request_scope("testsite"):
        wrapper.set_value("a", 1)
        wrapper.delete_value(wrapper.get_keys("a"), make_keys=False)
        assert wrapper.get_value("a") is None


@pytest.mark.parametrize("keys", [None, [], (), ""], ids=["None", "list", "tuple", "str"])
def test_delete_value_falsy_is_noop(wrapper: RedisWrapper, raw: redis.Redis, keys) -> None:
    wrapper.set_value("a", 1)
    counter = CommandCounter(raw, "unlink", "del")
    assert wrapper.delete_value(keys) is None
    assert counter.delta("unlink") == counter.delta("del") == 0
    assert raw.dbsize() == 1


def test_delete_value_clears_local_cache(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with request_scope("testsite"):
        wrapper.set_value("k", 1)
        wrapper.delete_value("k")
        raw.set(b"testsite|k", pickle.dumps(2))
        assert wrapper.get_value("k") == 2


def test_delete_key_alias(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set_value("a", 1)
    wrapper.set_value("b", 1, user="u")
    wrapper.set_value("c", 1)
    wrapper.delete_key("a")
    wrapper.delete_key(["b"], user="u")
    wrapper.delete_key(keys=[b"testsite|c"], make_keys=False)
    assert raw.dbsize() == 0


# -- get_all -------------------------------------------------------------------------------
def test_get_all(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set_value("item:1", _dict(a=1))
    wrapper.set_value("item:2", [2])
    wrapper.set_value("other", 3)
    raw.set(b"othersite|item:3", pickle.dumps(3))
    result = wrapper.get_all("item:")
    assert result == {"item:1": {"a": 1}, "item:2": [2]}
    assert type(result["item:1"]) is _dict
    assert all(type(k) is str for k in result)
    assert wrapper.get_all("nomatch") == {}


def test_get_all_includes_stored_none(wrapper: RedisWrapper) -> None:
    wrapper.set_value("n:1", None)
    wrapper.set_value("n:2", 0)
    assert wrapper.get_all("n:") == {"n:1": None, "n:2": 0}


# -- misc ----------------------------------------------------------------------------------
def test_call_returns_self(wrapper: RedisWrapper) -> None:
    assert wrapper() is wrapper
    wrapper().set_value("k", 1)
    assert wrapper().get_value("k") == 1


def test_connected(wrapper: RedisWrapper) -> None:
    assert wrapper.connected() is True
