"""List and set helpers: prefixed keys, raw members, never pickled (frappe-behaviour.md §3.4, §12.6)."""

from __future__ import annotations

import pytest
import redis
from frappe_cache import CacheError, RedisWrapper, request_scope
from hypothesis import given
from hypothesis import strategies as st


def test_push_returns_length(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    assert wrapper.lpush("l", "b") == 1
    assert wrapper.lpush("l", "a") == 2
    assert wrapper.rpush("l", "c") == 3
    assert raw.lrange(b"testsite|l", 0, -1) == [b"a", b"b", b"c"]


def test_members_are_raw(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.rpush("l", "text")
    wrapper.rpush("l", "ünï")
    wrapper.rpush("l", b"\xff\x00bytes")
    wrapper.rpush("l", 42)
    wrapper.rpush("l", 1.5)
    assert raw.lrange(b"testsite|l", 0, -1) == [b"text", "ünï".encode(), b"\xff\x00bytes", b"42", b"1.5"]
    wrapper.sadd("s", "text", 7, b"\x80\x05raw")
    assert raw.smembers(b"testsite|s") == {b"text", b"7", b"\x80\x05raw"}


def test_pop(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    for v in ("a", "b", "c"):
        wrapper.rpush("l", v)
    assert wrapper.lpop("l") == b"a"
    assert wrapper.rpop("l") == b"c"
    assert wrapper.lpop("l") == b"b"
    assert wrapper.lpop("l") is None
    assert wrapper.rpop("l") is None
    assert raw.exists(b"testsite|l") == 0


def test_llen_lrange_ltrim(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    assert wrapper.llen("l") == 0
    assert wrapper.lrange("l", 0, -1) == []
    for i in range(10):
        wrapper.rpush("l", i)
    assert wrapper.llen("l") == 10
    assert wrapper.lrange("l", 0, 2) == [b"0", b"1", b"2"]
    assert wrapper.lrange("l", -2, -1) == [b"8", b"9"]
    assert wrapper.ltrim("l", 0, 4) is True
    assert wrapper.llen("l") == 5
    assert raw.lrange(b"testsite|l", 0, -1) == [b"0", b"1", b"2", b"3", b"4"]


def test_raw_worker_writes_read_back(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    raw.rpush(b"testsite|l", b"from-python", "ü")
    assert wrapper.lrange("l", 0, -1) == [b"from-python", "ü".encode()]
    raw.sadd(b"testsite|s", b"m")
    assert wrapper.smembers("s") == {b"m"}


def test_sadd_srem_return_none(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    assert wrapper.sadd("s", "a", "b", "c") is None
    assert wrapper.sadd("s", "a") is None
    assert raw.scard(b"testsite|s") == 3
    assert wrapper.srem("s", "a", "b") is None
    assert wrapper.srem("s", "missing") is None
    assert raw.smembers(b"testsite|s") == {b"c"}


def test_sismember(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    """The integer 1 or 0, as redis-py (RESP2, Frappe's pin) returns it."""
    wrapper.sadd("s", "a", 1)
    assert wrapper.sismember("s", "a") == 1 and type(wrapper.sismember("s", "a")) is int
    assert wrapper.sismember("s", b"a") == 1
    assert wrapper.sismember("s", 1) == 1
    assert wrapper.sismember("s", "1") == 1
    assert wrapper.sismember("s", "b") == 0
    assert wrapper.sismember("missing", "a") == 0
    resp2 = redis.Redis(**{**raw.connection_pool.connection_kwargs, "protocol": 2})
    assert resp2.sismember("testsite|s", "a") == wrapper.sismember("s", "a")


def test_spop(wrapper: RedisWrapper) -> None:
    wrapper.sadd("s", "a", "b")
    popped = {wrapper.spop("s"), wrapper.spop("s")}
    assert popped == {b"a", b"b"}
    assert wrapper.spop("s") is None


def test_srandmember(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    members = {f"m{i}".encode() for i in range(10)}
    wrapper.sadd("s", *members)
    one = wrapper.srandmember("s")
    assert type(one) is bytes and one in members
    assert wrapper.srandmember("missing") is None
    assert raw.scard(b"testsite|s") == 10, "srandmember does not remove"


def test_srandmember_count_is_honoured(wrapper: RedisWrapper) -> None:
    # Frappe ignores `count` (a bug); we honour it as SRANDMEMBER does.
    members = {f"m{i}".encode() for i in range(10)}
    wrapper.sadd("s", *members)
    three = wrapper.srandmember("s", 3)
    assert isinstance(three, list) and len(three) == 3
    assert len(set(three)) == 3 and set(three) <= members
    assert set(wrapper.srandmember("s", 50)) == members, "count above the size gives every member"
    repeated = wrapper.srandmember("s", -25)
    assert len(repeated) == 25 and set(repeated) <= members, "a negative count may repeat"
    assert wrapper.srandmember("missing", 3) == []


def test_smembers(wrapper: RedisWrapper) -> None:
    assert wrapper.smembers("s") == set()
    wrapper.sadd("s", "a", b"b", 3)
    out = wrapper.smembers("s")
    assert out == {b"a", b"b", b"3"}
    assert type(out) is set


def test_lists_sets_use_scope_site_and_bypass_local_cache(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with request_scope("othersite"):
        wrapper.rpush("l", "x")
        wrapper.sadd("s", "y")
        raw.rpush(b"othersite|l", b"z")
        assert wrapper.lrange("l", 0, -1) == [b"x", b"z"], "list reads are never cached locally"
        assert wrapper.llen("l") == 2
    assert sorted(raw.keys()) == [b"othersite|l", b"othersite|s"]


def test_redis_error_reply_is_cache_error(wrapper: RedisWrapper) -> None:
    wrapper.set_value("str", 1)
    with pytest.raises(CacheError, match="WRONGTYPE") as info:
        wrapper.lpush("str", "x")
    assert not isinstance(info.value, ConnectionError)


@given(member=st.floats() | st.integers() | st.text() | st.binary())
def test_prop_member_wire_form(wrapper: RedisWrapper, raw: redis.Redis, member) -> None:
    if isinstance(member, float):
        wire = repr(member).encode()
    elif isinstance(member, int):
        wire = str(member).encode()
    elif isinstance(member, str):
        wire = member.encode("utf-8", "surrogatepass")
    else:
        wire = member
    raw.delete(b"testsite|pl", b"testsite|ps")
    try:
        wrapper.rpush("pl", member)
    except (UnicodeEncodeError, TypeError, ValueError):
        # a str with lone surrogates has no UTF-8 form; redis-py refuses it too
        assert isinstance(member, str)
        return
    assert raw.lrange(b"testsite|pl", 0, -1) == [wire]
    wrapper.sadd("ps", member)
    assert wrapper.sismember("ps", member) == 1
    assert raw.smembers(b"testsite|ps") == {wire}


# Byte strings of every size from empty to several reads' worth, so the replies' item boundaries
# fall anywhere relative to the shared connection's reads.
_items = st.lists(
    st.one_of(
        st.binary(max_size=64),
        st.integers(0, 300_000).map(lambda n: bytes([n % 251]) * n),
        st.sampled_from([b"", b"\r\n", b"$-1\r\n", b"*1\r\n:1\r\n", b"-ERR x\r\n"]),
    ),
    max_size=40,
)


@given(items=_items)
def test_prop_replies_of_any_shape_read_back(wrapper: RedisWrapper, raw: redis.Redis, items) -> None:
    # lrange and smembers replies are arrays of bulk strings, written here by plain redis-py and
    # read back through the wrapper's own RESP reader: any sizes, any bytes (RESP framing too).
    raw.delete(b"testsite|wl", b"testsite|ws")
    if items:
        raw.rpush(b"testsite|wl", *items)
        raw.sadd(b"testsite|ws", *items)
    assert wrapper.lrange("wl", 0, -1) == items
    assert wrapper.smembers("ws") == set(items)
    assert wrapper.llen("wl") == len(items)
