"""Key building: exactly Frappe's ``make_key`` (frappe-behaviour.md §2, §12.2)."""

from __future__ import annotations

import pickle

import frappe_cache
import pytest
import redis
from frappe_cache import RedisWrapper, ScopeError, request_scope
from hypothesis import given
from hypothesis import strategies as st

# Text that can be encoded as UTF-8 (no lone surrogates), as every real site, user and key is.
utf8_text = st.text(st.characters(blacklist_categories=("Cs",)))
nonempty_utf8_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1)


# -- formats ---------------------------------------------------------------------------------
def test_site_key(wrapper: RedisWrapper) -> None:
    assert wrapper.make_key("greeting") == b"testsite|greeting"


def test_user_key(wrapper: RedisWrapper) -> None:
    assert wrapper.make_key("k", user="Administrator") == b"testsite|user:Administrator:k"


def test_user_inserted_verbatim(wrapper: RedisWrapper) -> None:
    user = "jane.doe+x@example.com: with space"
    assert wrapper.make_key("k", user=user) == f"testsite|user:{user}:k".encode()


def test_empty_user_means_no_user(wrapper: RedisWrapper) -> None:
    # Frappe tests `if user:`, so a falsy user gives the plain site key.
    assert wrapper.make_key("k", user="") == b"testsite|k"
    assert wrapper.make_key("k", user=None) == b"testsite|k"
    assert wrapper.make_key("k", user=False) == b"testsite|k"


def test_non_ascii(wrapper: RedisWrapper) -> None:
    assert wrapper.make_key("clé:ü", user="jürgen") == "testsite|user:jürgen:clé:ü".encode()


def test_int_key(wrapper: RedisWrapper) -> None:
    assert wrapper.make_key(5) == b"testsite|5"
    assert wrapper.make_key(-12) == b"testsite|-12"
    assert wrapper.make_key(10**30) == f"testsite|{10**30}".encode()
    assert wrapper.make_key(0, user="u") == b"testsite|user:u:0"


def test_bytes_key_is_prefixed_raw_not_mangled(wrapper: RedisWrapper) -> None:
    assert wrapper.make_key(b"doc::x") == b"testsite|doc::x"
    assert wrapper.make_key(b"k", user="u") == b"testsite|user:u:k"
    # non-UTF-8 bytes stay byte-exact
    assert wrapper.make_key(b"\xff\x00k") == b"testsite|\xff\x00k"


def test_shared_returned_unchanged(wrapper: RedisWrapper) -> None:
    s = wrapper.make_key("global:thing", shared=True)
    assert s == "global:thing" and type(s) is str
    b = wrapper.make_key(b"global:\xffthing", shared=True)
    assert b == b"global:\xffthing" and type(b) is bytes
    assert wrapper.make_key(7, shared=True) == 7
    # user is ignored for shared keys
    assert wrapper.make_key("k", user="u", shared=True) == "k"


def test_shared_needs_no_site(redis_server, raw: redis.Redis) -> None:
    cache = RedisWrapper.from_url(redis_server.url)
    assert cache.make_key("k", shared=True) == "k"
    cache.set_value("k", 1, shared=True)
    assert pickle.loads(raw.get(b"k")) == 1


# -- where the site and user come from -----------------------------------------------------
def test_user_true_uses_scope_user(wrapper: RedisWrapper) -> None:
    with request_scope("testsite", user="jane@example.com"):
        assert wrapper.make_key("k", user=True) == b"testsite|user:jane@example.com:k"


def test_user_true_without_scope_user_is_scope_error(wrapper: RedisWrapper, raw) -> None:
    with pytest.raises(ScopeError):
        wrapper.make_key("k", user=True)
    with request_scope("testsite"):
        with pytest.raises(ScopeError):
            wrapper.make_key("k", user=True)
        with pytest.raises(ScopeError):
            wrapper.set_value("k", 1, user=True)
    assert raw.dbsize() == 0


def test_scope_site_overrides_wrapper_site(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with request_scope("othersite"):
        assert wrapper.make_key("k") == b"othersite|k"
        wrapper.set_value("k", "v")
    assert wrapper.make_key("k") == b"testsite|k"
    assert pickle.loads(raw.get(b"othersite|k")) == "v"
    assert raw.get(b"testsite|k") is None


def test_scope_site_used_by_wrapper_without_site(redis_server, raw: redis.Redis) -> None:
    cache = RedisWrapper.from_url(redis_server.url)
    assert cache.site is None
    with request_scope("scoped"):
        assert cache.make_key("k") == b"scoped|k"
        cache.set_value("k", 1)
    assert raw.keys() == [b"scoped|k"]


def test_wrapper_site_property(wrapper: RedisWrapper) -> None:
    assert wrapper.site == "testsite"


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.make_key("k"),
        lambda c: c.set_value("k", 1),
        lambda c: c.get_value("k"),
        lambda c: c.get_value("k", generator=lambda: 1),
        lambda c: c.hset("h", "f", 1),
        lambda c: c.hget("h", "f"),
        lambda c: c.delete_value("k"),
        lambda c: c.exists("k"),
        lambda c: c.get_keys("k"),
        lambda c: c.lpush("l", "x"),
        lambda c: c.sadd("s", "x"),
    ],
    ids=[
        "make_key", "set_value", "get_value", "get_value+generator", "hset", "hget",
        "delete_value", "exists", "get_keys", "lpush", "sadd",
    ],
)  # fmt: skip
def test_no_site_anywhere_is_scope_error_and_nothing_written(redis_server, raw, call) -> None:
    cache = RedisWrapper.from_url(redis_server.url)
    assert frappe_cache.current_site() is None
    with pytest.raises(ScopeError) as info:
        call(cache)
    assert isinstance(info.value, RuntimeError)
    assert isinstance(info.value, frappe_cache.CacheError)
    assert "site" in str(info.value).lower()
    assert raw.dbsize() == 0, raw.keys()


# -- any key type: formatted as Frappe's f-string formats it ---------------------------------
ODD_KEYS = [None, ["a"], ("a", 1), 1.5, True, False, {"a": 1}, 5, -7]
ODD_KEY_IDS = ["None", "list", "tuple", "float", "True", "False", "dict", "int", "negative"]


@pytest.mark.parametrize("key", ODD_KEYS, ids=ODD_KEY_IDS)
def test_make_key_formats_any_key(wrapper: RedisWrapper, key) -> None:
    assert wrapper.make_key(key) == f"testsite|{key}".encode()
    assert wrapper.make_key(key, user="u") == f"testsite|user:u:{key}".encode()


@pytest.mark.parametrize("key", ODD_KEYS, ids=ODD_KEY_IDS)
def test_set_get_any_key(wrapper: RedisWrapper, raw: redis.Redis, key) -> None:
    wrapper.set_value(key, 1)
    assert pickle.loads(raw.get(f"testsite|{key}".encode())) == 1
    assert wrapper.get_value(key) == 1


def test_key_format_uses_format_not_repr(wrapper: RedisWrapper) -> None:
    class Custom:
        def __format__(self, spec: str) -> str:
            return "formatted"

        def __str__(self) -> str:
            return "str"

    assert wrapper.make_key(Custom()) == b"testsite|formatted"


def test_unformattable_key_raises_its_error(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    class Broken:
        def __format__(self, spec: str) -> str:
            raise ValueError("no text for this key")

    with pytest.raises(ValueError, match="no text"):
        wrapper.set_value(Broken(), 1)
    assert raw.dbsize() == 0


@pytest.mark.parametrize("key", [None, ["a"], object(), True], ids=["None", "list", "object", "True"])
def test_shared_key_of_a_type_redis_cannot_take(wrapper: RedisWrapper, raw: redis.Redis, key) -> None:
    """A shared key goes to Redis as given, so it must be what redis-py can send."""
    with pytest.raises(redis.exceptions.DataError):
        wrapper.set_value(key, 1, shared=True)
    with pytest.raises(TypeError):
        wrapper.get_value(key, shared=True)
    assert raw.dbsize() == 0


class SubStr(str):
    pass


def test_str_subclass_key(wrapper: RedisWrapper) -> None:
    assert wrapper.make_key(SubStr("k")) == b"testsite|k"
    assert wrapper.make_key("k", user=SubStr("u")) == b"testsite|user:u:k"


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.make_key(10**5000),
        lambda c: c.make_key("k" * 1_000_000),
        lambda c: c.set_value("k\x00nul", 1),
        lambda c: c.set_value("k", 1, expires_in_sec=2**70),
        lambda c: c.expire_key("k", 2**70),
        lambda c: c.srandmember("s", 2**70),
        lambda c: c.srandmember("s", -(2**63)),
        lambda c: c.lrange("l", -(2**70), 2**70),
        lambda c: c.ltrim("l", 2**64, 0),
        lambda c: c.hset("h", 10**5000, 1),
        lambda c: c.hset("h", float("nan"), 1),
        lambda c: c.rpush("l", "\udc80"),
        lambda c: c.make_key("\udc80"),
    ],
    ids=[
        "huge-int-key", "1MB-key", "nul-in-key", "huge-ttl", "huge-expire", "huge-count",
        "min-count", "huge-range", "huge-trim", "huge-int-field", "nan-field", "surrogate-member",
        "surrogate-key",
    ],
)  # fmt: skip
def test_hostile_input_never_panics(wrapper: RedisWrapper, call) -> None:
    # A Rust panic surfaces as pyo3's PanicException, a BaseException: `except Exception` misses it.
    try:
        call(wrapper)
    except Exception:  # noqa: BLE001 - any ordinary error is fine, a panic is not
        pass
    assert wrapper.make_key("ok") == b"testsite|ok"


def test_user_read_by_truthiness(wrapper: RedisWrapper) -> None:
    """As Frappe: a falsy user is none, ``True`` the current user, anything else formatted."""
    assert wrapper.make_key("k", user=7) == b"testsite|user:7:k"  # type: ignore[arg-type]
    assert wrapper.make_key("k", user=1) == b"testsite|user:1:k", "1 is not True"  # type: ignore[arg-type]
    for falsy in (None, False, 0, ""):
        assert wrapper.make_key("k", user=falsy) == b"testsite|k"  # type: ignore[arg-type]


def test_flags_read_by_truthiness(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    assert wrapper.make_key("k", shared=1) == "k"
    assert wrapper.make_key("k", shared=None) == b"testsite|k"
    assert wrapper.make_key("k", shared="") == b"testsite|k"
    wrapper.set_value("s", 1, shared=[1])
    assert raw.exists("s")
    assert wrapper.exists("s", shared=1) == 1 and wrapper.exists("s") == 0


# -- properties ------------------------------------------------------------------------------
@given(site=nonempty_utf8_text, key=utf8_text)
def test_prop_site_key(redis_server, site: str, key: str) -> None:
    cache = RedisWrapper.from_url(redis_server.url, site=site)
    assert cache.make_key(key) == f"{site}|{key}".encode()


@given(site=nonempty_utf8_text, user=nonempty_utf8_text, key=utf8_text)
def test_prop_user_key(redis_server, site: str, user: str, key: str) -> None:
    cache = RedisWrapper.from_url(redis_server.url, site=site)
    assert cache.make_key(key, user=user) == f"{site}|user:{user}:{key}".encode()


@given(site=nonempty_utf8_text, user=nonempty_utf8_text, key=utf8_text | st.integers())
def test_prop_scope_site_and_user(redis_server, site: str, user: str, key) -> None:
    cache = RedisWrapper.from_url(redis_server.url, site="fallback")
    with request_scope(site, user=user):
        assert cache.make_key(key) == f"{site}|{key}".encode()
        assert cache.make_key(key, user=True) == f"{site}|user:{user}:{key}".encode()
    assert cache.make_key(key) == f"fallback|{key}".encode()


@given(site=nonempty_utf8_text, key=st.binary())
def test_prop_bytes_key(redis_server, site: str, key: bytes) -> None:
    cache = RedisWrapper.from_url(redis_server.url, site=site)
    assert cache.make_key(key) == site.encode() + b"|" + key
    assert cache.make_key(key, shared=True) == key


@given(key=utf8_text)
def test_prop_shared_str(wrapper: RedisWrapper, key: str) -> None:
    out = wrapper.make_key(key, shared=True)
    assert out == key and type(out) is str


@given(site=nonempty_utf8_text, key=utf8_text)
def test_prop_key_written_on_the_wire(wrapper: RedisWrapper, raw: redis.Redis, site, key) -> None:
    with request_scope(site):
        wrapper.set_value(key, [site, key])
    assert pickle.loads(raw.get(f"{site}|{key}".encode())) == [site, key]
