"""The decorators used directly (without Frappe): binding, async, bad input, edge cases."""

from __future__ import annotations

import asyncio
import pickle
import threading
import time

import frappe_cache
import pytest
import redis
from frappe_cache import (
    RedisWrapper,
    ScopeError,
    SerializationError,
    redis_cache,
    request_cache,
    request_scope,
    site_cache,
)

from tests.conftest import SITE
from tests.support import CommandCounter


class Shop:
    """A plain class: compared by identity, so each instance is its own entry (as with Frappe's
    ``hash()``)."""

    def __init__(self, rate: int) -> None:
        self.rate = rate

    @redis_cache(ttl=60)
    def price(self, qty: int) -> int:
        """The price."""
        return self.rate * qty


class Rate:
    """Module level, with value equality: equal instances are one entry, in every process."""

    def __init__(self, rate: int) -> None:
        self.rate = rate

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rate) and other.rate == self.rate

    def __hash__(self) -> int:
        return hash(self.rate)

    @redis_cache(ttl=60)
    def price(self, qty: int) -> int:
        return self.rate * qty


def test_metadata_is_kept_and_methods_bind(default_cache):
    assert Shop.price.__name__ == "price" and Shop.price.__doc__ == "The price."
    assert Shop.price.__wrapped__.__qualname__ == "Shop.price"
    Shop.price.clear_cache()
    shop = Shop(3)
    assert shop.price(2) == 6
    assert Shop(5).price(2) == 10, "self is part of the key"
    before = Shop.price.cache_info()
    assert shop.price(2) == 6 and Shop.price.cache_info().hits == before.hits + 1, "same instance: a hit"
    other = Shop(3)
    assert other.price(2) == 6 and Shop.price.cache_info().misses == before.misses + 1, (
        "another instance with the same state is another entry: Python calls them unequal"
    )
    Shop.price.clear_cache()


def test_value_objects_share_entries(default_cache):
    Rate.price.clear_cache()
    assert Rate(3).price(2) == 6
    before = Rate.price.cache_info()
    assert Rate(3).price(2) == 6, "an equal instance hits"
    assert Rate.price.cache_info().hits == before.hits + 1
    Rate.price.clear_cache()


def test_async_functions_are_cached(default_cache, raw: redis.Redis):
    runs = []

    @redis_cache
    async def fetch(name: str) -> dict:
        runs.append(name)
        await asyncio.sleep(0)
        return {"name": name}

    assert asyncio.run(fetch("a")) == {"name": "a"}
    assert asyncio.run(fetch("a")) == {"name": "a"}
    assert runs == ["a"]
    [key] = raw.keys(f"{SITE}|*fetch::*")
    assert pickle.loads(raw.get(key)) == {"name": "a"}
    assert raw.ttl(key) > 3500
    fetch.clear_cache()
    assert raw.keys(f"{SITE}|*fetch::*") == []
    assert fetch.cache_info().misses == 1


class _Unstable:
    """Value equality over a lock: no pickle, so no stable form."""

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Unstable)

    __hash__ = None  # type: ignore[assignment]


def test_undigestable_arguments_call_through_with_a_warning(default_cache, raw: redis.Redis):
    runs = []

    @redis_cache
    def locked(arg) -> int:
        runs.append(1)
        return 1

    arg = _Unstable()
    with pytest.warns(RuntimeWarning, match="no stable form"):
        assert locked(arg) == 1
    with pytest.warns(RuntimeWarning):
        assert locked(arg) == 1
    assert len(runs) == 2
    assert raw.dbsize() == 0


def test_identity_arguments_are_cached_per_object(default_cache, raw: redis.Redis):
    runs = []

    @redis_cache
    def locked(lock) -> int:
        runs.append(1)
        return 1

    lock = threading.Lock()
    assert locked(lock) == 1 and locked(lock) == 1 and len(runs) == 1
    assert locked(threading.Lock()) == 1 and len(runs) == 2


def test_a_cache_argument_overrides_the_default(redis_server, raw: redis.Redis):
    frappe_cache.set_default_cache(None)
    other = RedisWrapper.from_url(redis_server.url + "/3", site="elsewhere")

    @redis_cache(cache=other)
    def answer() -> int:
        return 42

    assert answer() == 42
    assert redis.Redis.from_url(redis_server.url + "/3").keys("elsewhere|*answer::*")


def test_no_cache_is_a_clear_error(raw: redis.Redis):
    frappe_cache.set_default_cache(None)

    @redis_cache
    def f() -> int:
        return 1

    with pytest.raises(ScopeError, match="set_default_cache"):
        f()


@pytest.mark.parametrize("ttl", [0, -5])
def test_bad_ttl_values(ttl):
    with pytest.raises(ValueError, match="positive"):
        redis_cache(ttl=ttl)(lambda: 1)


@pytest.mark.parametrize("ttl", [1.5, "60", True])
def test_bad_ttl_types(ttl):
    with pytest.raises(TypeError, match="ttl"):
        redis_cache(ttl=ttl)(lambda: 1)


def test_ttl_as_timedelta_like_frappe(default_cache, raw: redis.Redis):
    """Frappe hands ttl to set_value(expires_in_sec=), which takes a timedelta too."""
    from datetime import timedelta

    @redis_cache(ttl=timedelta(minutes=2))
    def f():
        return 1

    assert f.ttl == 120
    with request_scope(SITE):
        assert f() == 1
    (key,) = raw.keys("*f*")
    assert 110 < raw.ttl(key) <= 120


@pytest.mark.parametrize("ttl", [1e30, float("inf"), float("nan"), 0, -0.5])
def test_impossible_site_cache_ttls_are_refused(ttl):
    with pytest.raises(ValueError, match="ttl .*None for entries that never expire"):
        site_cache(ttl=ttl)(lambda: 1)


def test_bad_user_and_non_callables():
    with pytest.raises(TypeError):
        redis_cache()(42)
    with pytest.raises(TypeError, match="coroutines"):
        request_cache(asyncio.sleep)


def test_ttl_can_change_at_run_time(default_cache, raw: redis.Redis):
    @redis_cache(ttl=100)
    def f(x: int) -> int:
        return x

    f.ttl = 5
    f(1)
    [key] = raw.keys("*f::*")
    assert 0 < raw.ttl(key) <= 5
    f.ttl = None
    f(2)
    assert sorted(raw.ttl(k) for k in raw.keys("*f::*")) == [-1, raw.ttl(key)]
    with pytest.raises(ValueError):
        f.ttl = 0


def test_an_unpicklable_result_raises_and_stores_nothing(default_cache, raw: redis.Redis):
    @redis_cache
    def make_lock():
        return threading.Lock()

    with pytest.raises(SerializationError, match="lock"):
        make_lock()
    assert raw.dbsize() == 0


def test_recursion_with_the_same_arguments_does_not_deadlock(default_cache):
    depth = []

    @redis_cache
    def fact(n: int, again: bool = True) -> int:
        depth.append(n)
        if again and len(depth) < 3:
            fact(n, again=True)  # the same call, inside its own computation
        return 1 if n <= 1 else n * fact(n - 1, again=False)

    assert fact(4) == 24


def test_a_failing_computation_lets_the_waiters_compute(default_cache):
    calls = []
    gate = threading.Event()

    @redis_cache
    def flaky(x: int) -> int:
        calls.append(x)
        if len(calls) == 1:
            gate.wait(2)
            raise RuntimeError("first computation fails")
        return x

    results, errors = [], []

    def call() -> None:
        try:
            results.append(flaky(7))
        except RuntimeError as e:
            errors.append(e)

    first = threading.Thread(target=call)
    first.start()
    time.sleep(0.1)
    waiters = [threading.Thread(target=call) for _ in range(3)]
    for t in waiters:
        t.start()
    time.sleep(0.1)
    gate.set()
    for t in [first, *waiters]:
        t.join(5)
    assert len(errors) == 1 and results == [7, 7, 7]
    assert len(calls) >= 2


def test_request_cache_memoizes_per_request_only():
    runs = []

    @request_cache
    def f(x):
        runs.append(x)
        return [x]

    assert f(1) == [1] and f(1) == [1] and len(runs) == 2, "no scope: every call runs"
    with request_scope(SITE):
        first = f(1)
        assert f(1) is first and f(1.0) is first and f(True) is first
        assert f(x=1) is not first, "keyword calls are their own entries, as in Frappe"
        f([1])
        f([1])
        f.clear_cache()
        assert f(1) is not first
        assert f.cache_info().currsize == 1
    with request_scope(SITE):
        assert f(1) is not first


def test_site_cache_keeps_sites_apart_and_evicts_oldest_first():
    runs = []

    @site_cache(maxsize=2)
    def f(x):
        runs.append(x)
        return x

    with request_scope("site-a"):
        f(1), f(2), f(1)
        assert runs == [1, 2]
        f(3)  # evicts f(1), the oldest
        f(1)
        assert runs == [1, 2, 3, 1]
    with request_scope("site-b"):
        f(3)
        assert runs[-1] == 3 and len(runs) == 5, "another site computes its own"
    assert f.cache_info().maxsize == 2 and f.cache_info().currsize == 2
    f.clear_cache()
    assert f.cache_info().currsize == 0


def test_site_cache_ttl_expires_all_entries_at_once():
    runs = []

    @site_cache(ttl=0.3)
    def f(x):
        runs.append(x)
        return x

    with request_scope("s"):
        f(1), f(2), f(1), f(2)
        assert runs == [1, 2]
        time.sleep(0.35)
        f(1), f(2)
        assert runs == [1, 2, 1, 2]


def test_a_hit_after_another_process_computed_costs_one_get(default_cache, raw: redis.Redis):
    @redis_cache
    def f(x):
        return {"x": x}

    f(1)  # as if another worker computed it
    counter = CommandCounter(raw, "get", "exists", "set")
    with request_scope(SITE):
        assert f(1) == {"x": 1}
        assert f(1) == {"x": 1}
    assert (counter.delta("get"), counter.delta("exists"), counter.delta("set")) == (1, 0, 0)


def test_memoised_results_follow_deletes_and_overwrites_in_the_request(default_cache, raw):
    runs = []

    @redis_cache
    def f(x):
        runs.append(x)
        return {"run": len(runs)}

    with request_scope(SITE):
        assert f(1) == {"run": 1} and f(1) == {"run": 1}
        [key] = raw.keys(f"{SITE}|*f::*")
        default_cache.delete_value(key, make_keys=False)
        assert f(1) == {"run": 2}, "deleted in this request: computed again"
        default_cache.set_value(key, "overwritten", shared=True)
        assert f(1) == "overwritten"
        default_cache.delete_keys("")
        assert f(1) == {"run": 3}
    assert len(runs) == 3


def test_tuple_arguments_do_not_collide_with_positional_ones(default_cache):
    @redis_cache
    def rc(*args):
        return ("rc", args)

    @request_cache
    def rq(*args):
        return ("rq", args)

    with request_scope(SITE):
        for f, tag in ((rc, "rc"), (rq, "rq")):
            assert f((1, 2)) == (tag, ((1, 2),))
            assert f(1, 2) == (tag, (1, 2))
            assert f((1,)) == (tag, ((1,),))
            assert f(1) == (tag, (1,))
            assert f() == (tag, ())


def test_vectorcall_and_tp_call_share_entries(default_cache):
    runs = []

    @redis_cache
    def rc(x, y=0):
        runs.append(("rc", x, y))
        return x + y

    @request_cache
    def rq(x, y=0):
        runs.append(("rq", x, y))
        return x + y

    with request_scope(SITE):
        for f in (rc, rq):
            assert f(1) == 1  # vectorcall
            assert f.__call__(1) == 1  # tp_call, one packed tuple
            assert f(1, y=2) == 3
            assert f.__call__(1, y=2) == 3
            assert f.__call__(*(1,), **{"y": 2}) == 3
    assert runs == [("rc", 1, 0), ("rc", 1, 2), ("rq", 1, 0), ("rq", 1, 2)]


@pytest.mark.parametrize("decorate", [redis_cache, request_cache, site_cache])
def test_decorated_closures_that_refer_to_themselves_are_collected(decorate):
    import gc
    import weakref

    def make():
        @decorate
        def f(n):
            return f  # the closure refers to the decorated object: a cycle

        return weakref.ref(f)

    ref = make()
    gc.collect()
    assert ref() is None
