"""The codec and interop with pure-Python Frappe workers (frappe-behaviour.md §3.2, §12.3-12.5).

The other side of the wire is plain redis-py + ``pickle``: what we write must ``pickle.loads``
to an equal value of the same type, and what ``pickle.dumps`` writes (protocol 4 for Frappe v15,
5 for v16, and any older protocol) must load through our wrapper.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import pickle
import socket
import threading
from decimal import Decimal
from fractions import Fraction
from uuid import UUID

import pytest
import redis
from frappe_cache import RedisWrapper, SerializationError, request_scope
from hypothesis import given
from hypothesis import strategies as st
from valuetypes import Color, Document, Frozen, Point, Slotted, _dict, assert_same

IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")

CORPUS: dict[str, object] = {
    "none": None,
    "true": True,
    "false": False,
    "zero": 0,
    "int": 42,
    "negative_int": -7,
    "big_int": 2**200 + 12345,
    "negative_big_int": -(3**150),
    "float": 3.14159,
    "negative_zero": -0.0,
    "inf": float("inf"),
    "neg_inf": float("-inf"),
    "nan": float("nan"),
    "str": "hello",
    "empty_str": "",
    "unicode": "héllo wörld ✓ 日本語 🎉",
    "bytes": b"\x00\x01\xffbinary",
    "empty_bytes": b"",
    "bytearray": bytearray(b"mutable\x00bytes"),
    "list": [1, "two", 3.0, None],
    "empty_list": [],
    "tuple": (1, "two", (3, 4)),
    "empty_tuple": (),
    "list_of_tuples": [(1, 2), (3, 4)],
    "tuple_of_lists": ([1], [2]),
    "set": {1, 2, 3},
    "str_set": {"a", "b"},
    "frozenset": frozenset({"x", "y"}),
    "dict": {"a": 1, "b": [1, 2], "c": {"d": None}},
    "dict_int_keys": {1: "one", 2: "two"},
    "dict_tuple_keys": {(1, 2): "pair", ("a",): "single"},
    "frappe_dict": _dict(name="Administrator", roles=["System Manager"], enabled=1),
    "nested_frappe_dict": _dict(inner=_dict(x=1), items=[_dict(y=2)]),
    "document": Document("User", name="Guest", enabled=True),
    "datetime_naive": dt.datetime(2024, 2, 29, 23, 59, 58, 123456),
    "datetime_utc": dt.datetime(2024, 1, 1, 12, 0, tzinfo=dt.timezone.utc),
    "datetime_ist": dt.datetime(2024, 6, 1, 9, 30, 15, tzinfo=IST),
    "date": dt.date(1999, 12, 31),
    "time": dt.time(13, 37, 0, 42),
    "time_tz": dt.time(8, 0, tzinfo=IST),
    "timedelta": dt.timedelta(days=-2, seconds=5, microseconds=7),
    "decimal": Decimal("12345.678901234567890123456789"),
    "decimal_neg_zero": Decimal("-0.00"),
    "fraction": Fraction(22, 7),
    "complex": complex(1.5, -2),
    "uuid": UUID("12345678-1234-5678-1234-567812345678"),
    "point": Point(1, [2, 3]),
    "slotted": Slotted("a", {"b": 1}),
    "dataclass": Frozen("x", ("t1", "t2")),
    "enum": Color.GREEN,
    "range": range(0, 10, 3),
    "nested": {"docs": [Document("ToDo", name="T1"), _dict(a=(1, {2, 3}))], "when": dt.date(2020, 1, 1)},
    "large_str": "x" * 200_000,
    "large_list": list(range(10_000)),
}
IDS = list(CORPUS)
VALUES = list(CORPUS.values())


def _same_or_nan(expected, actual) -> None:
    if isinstance(expected, range):
        assert type(actual) is range and actual == expected
    else:
        assert_same(expected, actual)


# -- our writes, read by plain pickle ---------------------------------------------------------
@pytest.mark.parametrize("value", VALUES, ids=IDS)
def test_set_value_loads_with_plain_pickle(wrapper: RedisWrapper, raw: redis.Redis, value) -> None:
    wrapper.set_value("k", value)
    stored = raw.get(b"testsite|k")
    assert stored is not None
    assert stored[:2] == b"\x80\x05", "v16 writes pickle protocol 5"
    _same_or_nan(value, pickle.loads(stored))


@pytest.mark.parametrize("value", VALUES, ids=IDS)
def test_wire_bytes_are_cpythons_pickle(wrapper: RedisWrapper, raw: redis.Redis, value) -> None:
    # The codec of record is CPython's pickler itself: byte-identical to pickle.dumps(v, 5).
    wrapper.set_value("k", value)
    assert raw.get(b"testsite|k") == pickle.dumps(value, protocol=5)


@pytest.mark.parametrize("value", VALUES, ids=IDS)
def test_hset_loads_with_plain_pickle(wrapper: RedisWrapper, raw: redis.Redis, value) -> None:
    wrapper.hset("h", "field", value)
    stored = raw.hget(b"testsite|h", b"field")
    assert stored[:2] == b"\x80\x05"
    _same_or_nan(value, pickle.loads(stored))


def test_none_is_stored_as_pickled_none(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set_value("k", None)
    assert raw.get(b"testsite|k") == b"\x80\x05N."
    assert raw.exists(b"testsite|k") == 1


# -- plain pickle writes, read by us -----------------------------------------------------------
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
@pytest.mark.parametrize("value", VALUES, ids=IDS)
def test_get_value_reads_any_protocol(wrapper: RedisWrapper, raw: redis.Redis, value, protocol) -> None:
    raw.set(b"testsite|k", pickle.dumps(value, protocol=protocol))
    _same_or_nan(value, wrapper.get_value("k"))
    with request_scope("testsite"):
        _same_or_nan(value, wrapper.get_value("k", use_local_cache=False))


@pytest.mark.parametrize("protocol", [4, 5])
@pytest.mark.parametrize("value", VALUES, ids=IDS)
def test_hget_hgetall_read_plain_pickle(wrapper: RedisWrapper, raw: redis.Redis, value, protocol) -> None:
    raw.hset(b"testsite|h", b"f", pickle.dumps(value, protocol=protocol))
    _same_or_nan(value, wrapper.hget("h", "f"))
    all_fields = wrapper.hgetall("h")
    assert list(all_fields) == [b"f"]
    _same_or_nan(value, all_fields[b"f"])


def test_user_and_shared_values_interop(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    wrapper.set_value("k", _dict(a=1), user="u@x.com")
    wrapper.set_value("global", (1, 2), shared=True)
    assert_same(_dict(a=1), pickle.loads(raw.get(b"testsite|user:u@x.com:k")))
    assert_same((1, 2), pickle.loads(raw.get(b"global")))
    raw.set(b"testsite|user:u@x.com:k2", pickle.dumps({3}, protocol=4))
    assert_same({3}, wrapper.get_value("k2", user="u@x.com"))


def test_identity_within_a_value_survives(wrapper: RedisWrapper) -> None:
    shared = [1, 2]
    wrapper.set_value("k", {"a": shared, "b": shared})
    out = wrapper.get_value("k")
    assert out["a"] is out["b"]


# -- property: round trip over builtin values -------------------------------------------------
hashable = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text() | st.binary(),
    lambda inner: st.tuples(inner, inner) | st.frozensets(inner, max_size=3),
    max_leaves=5,
)
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.binary()
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(dt.timezone.utc))
    | st.decimals(allow_nan=False),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(hashable, inner, max_size=4)
        | st.sets(hashable, max_size=4)
        | st.builds(_dict, st.dictionaries(st.text(), inner, max_size=3))
    ),
    max_leaves=20,
)


@given(value=values)
def test_prop_round_trip(wrapper: RedisWrapper, raw: redis.Redis, value) -> None:
    wrapper.set_value("prop", value)
    assert_same(value, pickle.loads(raw.get(b"testsite|prop")))
    assert_same(value, wrapper.get_value("prop"))


@given(value=values, protocol=st.integers(0, pickle.HIGHEST_PROTOCOL))
def test_prop_reads_plain_pickle(wrapper: RedisWrapper, raw: redis.Redis, value, protocol) -> None:
    raw.set(b"testsite|prop", pickle.dumps(value, protocol=protocol))
    assert_same(value, wrapper.get_value("prop"))


# -- unpicklable values ------------------------------------------------------------------------
def _unpicklables():
    sock = socket.socket()
    fh = open(__file__, encoding="utf-8")  # noqa: SIM115 - closed by the fixture below
    return [
        pytest.param(lambda: 1, "function", id="lambda"),
        pytest.param(threading.Lock(), "lock", id="lock"),
        pytest.param(sock, "socket", id="socket"),
        pytest.param(fh, "TextIOWrapper", id="file"),
        pytest.param(io.BytesIO(b"x").getbuffer(), "memoryview", id="memoryview"),
        pytest.param((x for x in ()), "generator", id="generator"),
    ]


UNPICKLABLE = _unpicklables()


def teardown_module() -> None:
    for param in UNPICKLABLE:
        value = param.values[0]
        if hasattr(value, "close"):
            value.close()
        elif isinstance(value, memoryview):
            value.release()


@pytest.mark.parametrize(("value", "type_name"), UNPICKLABLE)
def test_unpicklable_set_value(wrapper: RedisWrapper, raw: redis.Redis, value, type_name) -> None:
    with request_scope("testsite"):
        wrapper.set_value("k", "previous")
        before = raw.get(b"testsite|k")
        with pytest.raises(SerializationError) as info:
            wrapper.set_value("k", value)
        assert isinstance(info.value, ValueError)
        assert type_name.lower() in str(info.value).lower(), str(info.value)
        assert wrapper.get_value("k") == "previous", "the local cache was overwritten"
        assert raw.get(b"testsite|k") == before
        # a key that never existed stays absent everywhere
        with pytest.raises(SerializationError):
            wrapper.set_value("fresh", value)
        assert wrapper.get_value("fresh") is None
    assert raw.exists(b"testsite|fresh") == 0


@pytest.mark.parametrize(("value", "type_name"), UNPICKLABLE)
def test_unpicklable_hset(wrapper: RedisWrapper, raw: redis.Redis, value, type_name) -> None:
    with request_scope("testsite"):
        wrapper.hset("h", "f", "previous")
        with pytest.raises(SerializationError) as info:
            wrapper.hset("h", "f", value)
        assert type_name.lower() in str(info.value).lower(), str(info.value)
        assert wrapper.hget("h", "f") == "previous"
        with pytest.raises(SerializationError):
            wrapper.hset("h", "g", value)
        assert wrapper.hget("h", "g") is None
    assert raw.hkeys(b"testsite|h") == [b"f"]
    assert pickle.loads(raw.hget(b"testsite|h", b"f")) == "previous"


def test_unpicklable_nested(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with pytest.raises(SerializationError):
        wrapper.set_value("k", {"ok": 1, "bad": [threading.Lock()]})
    assert raw.dbsize() == 0


def test_unpicklable_from_generator(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with pytest.raises(SerializationError):
        wrapper.get_value("k", generator=threading.Lock)
    assert raw.dbsize() == 0


def test_exception_in_reduce_is_serialization_error(wrapper: RedisWrapper, raw) -> None:
    class Exploding:
        def __reduce__(self):
            raise RuntimeError("boom")

    with pytest.raises((SerializationError, RuntimeError)):
        wrapper.set_value("k", Exploding())
    assert raw.dbsize() == 0


# -- bytes in Redis that do not unpickle -------------------------------------------------------
GARBAGE = [
    pytest.param(b"not a pickle at all", id="text"),
    pytest.param(pickle.dumps({"a": list(range(50))}, protocol=5)[:-9], id="truncated"),
    pytest.param(b"\x80\x05\x95\xff\xff\xff\xff\x00\x00\x00\x00.", id="bad-frame"),
    pytest.param(b"cnonexistent_module_xyz\nThing\n.", id="missing-module"),
    pytest.param(b"", id="empty"),
]


def _warned(caplog: pytest.LogCaptureFixture) -> bool:
    return any(
        r.name.split(".")[0] == "frappe_cache" and r.levelno >= logging.WARNING for r in caplog.records
    )


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_is_a_logged_miss(wrapper: RedisWrapper, raw, caplog, garbage: bytes) -> None:
    raw.set(b"testsite|k", garbage)
    with caplog.at_level(logging.WARNING, logger="frappe_cache"):
        assert wrapper.get_value("k") is None
    assert _warned(caplog), caplog.records
    assert "testsite|k" in caplog.text

    caplog.clear()
    ran = []
    with caplog.at_level(logging.WARNING, logger="frappe_cache"):
        assert wrapper.get_value("k", generator=lambda: ran.append(1) or "fresh") == "fresh"
    assert ran == [1]
    assert _warned(caplog)
    # the generator's value replaced the garbage, as on any miss
    assert pickle.loads(raw.get(b"testsite|k")) == "fresh"


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_in_hash_is_a_logged_miss(wrapper: RedisWrapper, raw, caplog, garbage: bytes) -> None:
    raw.hset(b"testsite|h", mapping={b"bad": garbage, b"good": pickle.dumps(1)})
    with caplog.at_level(logging.WARNING, logger="frappe_cache"):
        assert wrapper.hget("h", "bad") is None
        assert wrapper.hget("h", "good") == 1
    assert _warned(caplog)


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_strict_raises(redis_server, raw, garbage: bytes) -> None:
    strict = RedisWrapper.from_url(redis_server.url, site="testsite", strict=True)
    raw.set(b"testsite|k", garbage)
    raw.hset(b"testsite|h", b"f", garbage)
    ran = []
    with pytest.raises(SerializationError):
        strict.get_value("k", generator=lambda: ran.append(1))
    assert ran == []
    with pytest.raises(SerializationError):
        strict.hget("h", "f")
    with pytest.raises(SerializationError):
        strict.hgetall("h")
    assert raw.get(b"testsite|k") == garbage  # left as it was


def test_garbage_miss_is_cached_negatively_in_scope(wrapper: RedisWrapper, raw, caplog) -> None:
    raw.set(b"testsite|k", b"garbage")
    with request_scope("testsite"):
        with caplog.at_level(logging.WARNING, logger="frappe_cache"):
            assert wrapper.get_value("k") is None
        raw.set(b"testsite|k", pickle.dumps("good"))
        # A miss is cached negatively within the scope, like a None (Frappe's LC semantics)...
        assert wrapper.get_value("k") is None
    # ...and a new scope reads the repaired value.
    with request_scope("testsite"):
        assert wrapper.get_value("k") == "good"


def test_nan_round_trip(wrapper: RedisWrapper) -> None:
    wrapper.set_value("k", [float("nan"), -0.0])
    out = wrapper.get_value("k")
    assert math.isnan(out[0]) and math.copysign(1, out[1]) == -1.0
