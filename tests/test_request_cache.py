"""The request-local cache: ``frappe.local.cache`` semantics, in Rust (frappe-behaviour.md §1.3, §8.1)."""

from __future__ import annotations

import pickle
import threading

import frappe_cache
import pytest
import redis
import valuetypes
from frappe_cache import (
    RedisWrapper,
    RequestScope,
    begin_request,
    current_site,
    current_user,
    end_request,
    request_scope,
)
from support import CommandCounter
from valuetypes import Reentrant


def put(raw: redis.Redis, key: bytes, value) -> None:
    """Write a value the way a pure-Python Frappe worker does."""
    raw.set(key, pickle.dumps(value, protocol=5))


# -- identity and mutation -------------------------------------------------------------------
def test_identity_after_set(wrapper: RedisWrapper) -> None:
    with request_scope("testsite"):
        value = {"a": [1]}
        wrapper.set_value("k", value)
        assert wrapper.get_value("k") is value


def test_identity_after_redis_read(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    put(raw, b"testsite|k", {"a": 1})
    with request_scope("testsite"):
        first = wrapper.get_value("k")
        assert first == {"a": 1}
        assert wrapper.get_value("k") is first
        assert wrapper.get_value(b"k") is first, "str and bytes spellings are one key"


def test_mutations_visible_within_scope(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    put(raw, b"testsite|k", {"a": 1})
    with request_scope("testsite"):
        wrapper.get_value("k")["b"] = 2
        assert wrapper.get_value("k") == {"a": 1, "b": 2}
    assert pickle.loads(raw.get(b"testsite|k")) == {"a": 1}, "mutations are local, not written back"


def test_local_hits_send_no_commands(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    put(raw, b"testsite|k", "v")
    with request_scope("testsite"):
        counter = CommandCounter(raw, "get")
        for _ in range(10):
            assert wrapper.get_value("k") == "v"
        assert counter.delta("get") == 1


def test_set_value_then_get_sends_no_get(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with request_scope("testsite"):
        counter = CommandCounter(raw, "get", "set")
        wrapper.set_value("k", 1)
        assert wrapper.get_value("k") == 1
        assert counter.delta("set") == 1
        assert counter.delta("get") == 0


def test_user_keys_cached_separately(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with request_scope("testsite", user="u1"):
        wrapper.set_value("k", "site")
        wrapper.set_value("k", "mine", user=True)
        assert wrapper.get_value("k") == "site"
        assert wrapper.get_value("k", user=True) == "mine"
        assert wrapper.get_value("k", user="u1") == "mine"
        assert wrapper.get_value("k", user="u2") is None


# -- negative caching ------------------------------------------------------------------------
def test_none_cached_negatively(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with request_scope("testsite"):
        counter = CommandCounter(raw, "get")
        assert wrapper.get_value("k") is None
        put(raw, b"testsite|k", "appeared")
        calls = []
        assert wrapper.get_value("k") is None
        assert wrapper.get_value("k", generator=lambda: calls.append(1) or "gen") is None
        assert calls == [], "a cached None does not call the generator"
        assert counter.delta("get") == 1
    with request_scope("testsite"):
        assert wrapper.get_value("k") == "appeared"


def test_generated_value_cached(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with request_scope("testsite"):
        counter = CommandCounter(raw, "get", "set")
        value = wrapper.get_value("k", generator=lambda: ["generated"])
        assert wrapper.get_value("k") is value
        assert counter.delta("get") == 1 and counter.delta("set") == 1


# -- hashes ---------------------------------------------------------------------------------
def test_hash_fields_cached_per_hash(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    raw.hset(b"testsite|h", mapping={b"f1": pickle.dumps("one"), b"f2": pickle.dumps("two")})
    raw.hset(b"testsite|h2", b"f1", pickle.dumps("other hash"))
    with request_scope("testsite"):
        counter = CommandCounter(raw, "hget")
        first = wrapper.hget("h", "f1")
        assert first == "one"
        raw.hset(b"testsite|h", b"f1", pickle.dumps("changed"))
        raw.hset(b"testsite|h", b"f2", pickle.dumps("two-changed"))
        assert wrapper.hget("h", "f1") is first
        assert counter.delta("hget") == 1
        assert wrapper.hget("h", "f2") == "two-changed", "f2 was not cached yet"
        assert wrapper.hget("h2", "f1") == "other hash", "same field, other hash"
        assert counter.delta("hget") == 3


def test_hset_fills_local_cache(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with request_scope("testsite"):
        value = ["x"]
        wrapper.hset("h", "f", value)
        counter = CommandCounter(raw, "hget")
        assert wrapper.hget("h", "f") is value
        assert counter.delta("hget") == 0


def test_hget_miss_without_generator_not_cached(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    # Unlike get_value, hget does not cache a miss (Frappe §3.3).
    with request_scope("testsite"):
        assert wrapper.hget("h", "f") is None
        raw.hset(b"testsite|h", b"f", pickle.dumps(3))
        assert wrapper.hget("h", "f") == 3


def test_hgetall_bypasses_local_cache(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with request_scope("testsite"):
        wrapper.hset("h", "f", 1)
        raw.hset(b"testsite|h", b"f", pickle.dumps(2))
        assert wrapper.hgetall("h") == {b"f": 2}
        assert wrapper.hget("h", "f") == 1


def test_hash_fields_cached_by_field_object(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    """As in Frappe, the request cache keeps a hash as a dict keyed by the field as given: 1 and
    "1" are one field in Redis but two in the dict (Frappe's own quirk, kept for fidelity)."""
    with request_scope("testsite"):
        wrapper.hset("h", 1, "int")
        wrapper.hset("h", "1", "str")
        assert raw.hkeys(b"testsite|h") == [b"1"]
        assert wrapper.hget("h", "1") == "str"
        assert wrapper.hget("h", 1) == "int", "what this request wrote under the int field"
        assert frappe_cache.local_cache()[b"testsite|h"] == {1: "int", "1": "str"}
        assert wrapper.hget("h", b"1") == "str", "a field not seen yet in the request: Redis"


# -- Redis down: writes and deletes still update the local cache ----------------------------
def test_writes_update_local_cache_when_redis_is_down(fresh_server) -> None:
    cache = RedisWrapper.from_url(fresh_server.url, site="testsite", socket_connect_timeout=0.5)
    cache.set_value("warm", 1)  # a pooled connection exists before the crash
    fresh_server.kill()
    with request_scope("testsite", user="u"):
        value = {"offline": True}
        assert cache.set_value("k", value) is None
        assert cache.get_value("k") is value
        cache.set_value("k2", 2, user=True)
        assert cache.get_value("k2", user=True) == 2
        cache.set_value("s", "shared", shared=True)
        assert cache.get_value("s", shared=True) == "shared"

        cache.delete_value("k")
        assert cache.get_value("k", generator=lambda: "regenerated") == "regenerated"
        assert cache.get_value("k") == "regenerated"
        cache.delete_value("k")
        assert cache.get_value("k") is None

        cache.hset("h", "f", [1])
        assert cache.hget("h", "f") == [1]
        cache.hdel("h", "f")
        assert cache.hget("h", "f") is None
        assert cache.hget("h", "g", generator=lambda: "gen") == "gen"
        assert cache.hget("h", "g") == "gen"
        cache.hdel_names(["h"], "g")
        assert cache.hget("h", "g") is None

        assert cache.get_value("never-set") is None


def test_offline_generator_runs_once_per_scope(fresh_server) -> None:
    cache = RedisWrapper.from_url(fresh_server.url, site="testsite", socket_connect_timeout=0.5)
    fresh_server.kill()
    calls = []
    with request_scope("testsite"):
        for _ in range(3):
            assert cache.get_value("k", generator=lambda: calls.append(1) or "v") == "v"
    assert calls == [1]


# -- lifetime -------------------------------------------------------------------------------
def test_nothing_kept_after_end_request(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    put(raw, b"testsite|k", "v1")
    begin_request("testsite")
    assert wrapper.get_value("k") == "v1"
    wrapper.hset("h", "f", "h1")
    end_request()
    put(raw, b"testsite|k", "v2")
    raw.hset(b"testsite|h", b"f", pickle.dumps("h2"))
    begin_request("testsite")
    assert wrapper.get_value("k") == "v2"
    assert wrapper.hget("h", "f") == "h2"
    end_request()


def test_nothing_kept_after_request_scope(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with request_scope("testsite"):
        wrapper.set_value("k", "v1")
    put(raw, b"testsite|k", "v2")
    with request_scope("testsite"):
        assert wrapper.get_value("k") == "v2"


def test_no_caching_outside_a_scope(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    assert current_site() is None
    wrapper.set_value("k", {"v": 1})
    put(raw, b"testsite|k", {"v": 2})
    first = wrapper.get_value("k")
    assert first == {"v": 2}
    assert wrapper.get_value("k") is not first
    assert wrapper.get_value("missing") is None
    put(raw, b"testsite|missing", "now")
    assert wrapper.get_value("missing") == "now"
    wrapper.hset("h", "f", 1)
    raw.hset(b"testsite|h", b"f", pickle.dumps(2))
    assert wrapper.hget("h", "f") == 2
    counter = CommandCounter(raw, "get")
    wrapper.get_value("k")
    wrapper.get_value("k")
    assert counter.delta("get") == 2


def test_request_scope_object(wrapper: RedisWrapper) -> None:
    scope = request_scope("testsite", user="u")
    assert isinstance(scope, RequestScope)
    assert current_site() is None, "the scope opens on __enter__"
    with scope as entered:
        assert entered is scope
        assert current_site() == "testsite"
    assert current_site() is None


def test_current_site_and_user() -> None:
    assert current_site() is None and current_user() is None
    with request_scope("s1", user="jane@example.com"):
        assert current_site() == "s1"
        assert current_user() == "jane@example.com"
    with request_scope("s2"):
        assert current_site() == "s2"
        assert current_user() is None
    begin_request("s3", user="bob")
    assert (current_site(), current_user()) == ("s3", "bob")
    end_request()
    assert current_site() is None and current_user() is None


def test_scope_closed_on_exception(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with pytest.raises(ZeroDivisionError):
        with request_scope("testsite"):
            wrapper.set_value("k", 1)
            1 / 0  # noqa: B018
    assert current_site() is None
    put(raw, b"testsite|k", 2)
    assert wrapper.get_value("k") == 2


def test_nested_scope_restores_outer(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with request_scope("s1", user="u1"):
        outer = {"outer": True}
        wrapper.set_value("k", outer)
        with request_scope("s2", user="u2"):
            assert (current_site(), current_user()) == ("s2", "u2")
            assert wrapper.make_key("k") == b"s2|k"
            assert wrapper.get_value("k") is None
            inner = ["inner"]
            wrapper.set_value("k", inner)
            assert wrapper.get_value("k") is inner
        assert (current_site(), current_user()) == ("s1", "u1")
        assert wrapper.get_value("k") is outer, "the outer scope's local cache is back"
        with request_scope("s1"):
            put(raw, b"s1|k", "from redis")
            assert wrapper.get_value("k") == "from redis", "a nested scope starts empty"
        assert wrapper.get_value("k") is outer
    assert current_site() is None


def test_begin_request_twice_resets(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    begin_request("testsite", user="u1")
    wrapper.set_value("k", "v1")
    put(raw, b"testsite|k", "v2")
    assert wrapper.get_value("k") == "v1"
    begin_request("testsite", user="u2")
    assert current_user() == "u2"
    assert wrapper.get_value("k") == "v2"
    end_request()
    assert current_site() is None


def test_end_request_outside_scope_is_noop() -> None:
    end_request()
    end_request()
    assert current_site() is None


def test_begin_request_site_used_for_keys(redis_server, raw: redis.Redis) -> None:
    cache = RedisWrapper.from_url(redis_server.url)  # no fallback site
    begin_request("begun", user="x")
    cache.set_value("k", 1, user=True)
    end_request()
    assert raw.keys() == [b"begun|user:x:k"]


def test_wsgi_before_after_hooks(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    # A framework with before/after-request hooks (here a werkzeug app): one scope per request.
    from werkzeug.test import Client
    from werkzeug.wrappers import Request, Response

    @Request.application
    def app(request: Request) -> Response:
        begin_request("testsite", user=request.args.get("user"))
        try:
            counter = wrapper.get_value("counter", generator=lambda: {"n": 0})
            counter["n"] += 1  # a local mutation: visible in this request only
            again = wrapper.get_value("counter")
            return Response(f"{current_user()}:{again['n']}:{again is counter}")
        finally:
            end_request()

    client = Client(app)
    assert client.get("/?user=a").text == "a:1:True"
    assert client.get("/?user=b").text == "b:1:True"
    assert pickle.loads(raw.get(b"testsite|counter")) == {"n": 0}
    assert current_site() is None


# -- threads --------------------------------------------------------------------------------
def test_sixteen_threads_isolated(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    n = 16
    barrier = threading.Barrier(n, timeout=20)
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            site, user = f"site{i}", f"user{i}"
            assert current_site() is None, "a new thread starts outside any scope"
            with request_scope(site, user=user):
                barrier.wait()
                assert (current_site(), current_user()) == (site, user)
                assert wrapper.make_key("k") == f"{site}|k".encode()
                mine = {"thread": i}
                wrapper.set_value("k", mine)
                wrapper.set_value("u", i, user=True)
                # every thread writes the same shared Redis key: Redis keeps the last write,
                # but each thread's local cache keeps its own object
                wrapper.set_value("shared-k", i, shared=True)
                wrapper.hset("h", "f", i)
                barrier.wait()
                for _ in range(50):
                    assert wrapper.get_value("k") is mine
                    assert wrapper.get_value("u", user=True) == i
                    assert wrapper.get_value("shared-k", shared=True) == i
                    assert wrapper.hget("h", "f") == i
                    assert (current_site(), current_user()) == (site, user)
                barrier.wait()
                # other threads' sites are only visible through Redis, never their local cache
                other = (i + 1) % n
                assert wrapper.get_value(b"k", shared=False) is mine
                assert pickle.loads(raw.get(f"site{other}|k".encode())) == {"thread": other}
                barrier.wait()
            assert current_site() is None
            assert wrapper.get_value("shared-k", shared=True) in range(n)
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), "threads hung"
    if errors:
        raise errors[0]
    assert current_site() is None, "the main thread never had a scope"
    for i in range(n):
        assert pickle.loads(raw.get(f"site{i}|k".encode())) == {"thread": i}
        assert pickle.loads(raw.get(f"site{i}|user:user{i}:u".encode())) == i


def test_scope_in_main_thread_invisible_to_others(wrapper: RedisWrapper) -> None:
    seen = {}
    with request_scope("main-site", user="main"):

        def look() -> None:
            seen["site"] = current_site()
            seen["user"] = current_user()

        t = threading.Thread(target=look)
        t.start()
        t.join()
        assert current_site() == "main-site"
    assert seen == {"site": None, "user": None}


def test_end_request_in_thread_leaves_others(wrapper: RedisWrapper) -> None:
    with request_scope("main-site"):
        value = [1]
        wrapper.set_value("k", value)
        t = threading.Thread(target=lambda: (begin_request("x"), end_request()))
        t.start()
        t.join()
        assert current_site() == "main-site"
        assert wrapper.get_value("k") is value


# -- re-entrancy: unpickling and generators may call back into the cache ------------------------
def _run_in_thread(fn, timeout: float = 10.0):
    """Run ``fn`` in a thread so a deadlock fails the test instead of hanging the suite."""
    result: dict = {}

    def target() -> None:
        try:
            result["value"] = fn()
        except BaseException as e:  # noqa: BLE001
            result["error"] = e

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "deadlock: the cache was re-entered while holding a lock"
    if "error" in result:
        raise result["error"]
    return result.get("value")


@pytest.mark.parametrize("in_scope", [True, False], ids=["scope", "no-scope"])
def test_reentrant_unpickle(wrapper: RedisWrapper, raw: redis.Redis, in_scope: bool) -> None:
    valuetypes.REENTRANT_CACHE = wrapper
    put(raw, b"testsite|outer", Reentrant("inner"))
    put(raw, b"testsite|inner", {"inner": 1})

    def run():
        if in_scope:
            with request_scope("testsite"):
                out = wrapper.get_value("outer")
                assert wrapper.get_value("outer") is out
                assert wrapper.get_value("inner:seen") is True
                assert wrapper.hget("reentrant-hash", "f") == {"inner": 1}
                return out
        return wrapper.get_value("outer")

    try:
        out = _run_in_thread(run)
    finally:
        valuetypes.REENTRANT_CACHE = None
    assert isinstance(out, Reentrant)
    assert out.inner == {"inner": 1}
    assert pickle.loads(raw.get(b"testsite|inner:seen")) is True


def test_reentrant_generator(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    def gen():
        wrapper.set_value("side", "effect")
        assert wrapper.get_value("side") == "effect"
        return wrapper.get_value("dep", generator=lambda: "dep-value") + "!"

    def run():
        with request_scope("testsite"):
            assert wrapper.get_value("k", generator=gen) == "dep-value!"
            assert wrapper.hget("h", "f", generator=lambda: wrapper.get_value("k")) == "dep-value!"
            return wrapper.get_value("k")

    assert _run_in_thread(run) == "dep-value!"
    assert pickle.loads(raw.get(b"testsite|dep")) == "dep-value"
    assert pickle.loads(raw.get(b"testsite|side")) == "effect"


def test_scope_change_inside_generator(wrapper: RedisWrapper) -> None:
    # A generator that ends and reopens the request must not crash the cache.
    def gen():
        end_request()
        begin_request("testsite")
        return "v"

    def run():
        begin_request("testsite")
        try:
            return wrapper.get_value("k", generator=gen)
        finally:
            end_request()

    assert _run_in_thread(run) == "v"


def test_module_level_api_exported() -> None:
    for name in ("request_scope", "begin_request", "end_request", "current_site", "current_user"):
        assert callable(getattr(frappe_cache, name))
