"""Frappe's ``test_caching.py`` behaviours (frappe-behaviour.md §7.1), reproduced against our
decorators and wrapper through the Frappe stand-in with ``install()`` done, plus issue 3's own
guarantees: stable keys across processes, kwargs order, cached None, unhashable arguments,
user-scoped and shared ``clear_cache``, round trips counted by Redis (``INFO commandstats``),
stampede protection in threads and, with ``lock=True``, across processes, and ``cache_info()``.

Each "request" below is a ``frappe.init(force=True)`` ... ``frappe.destroy()`` pair (``job``), as
a job or an HTTP request is in Frappe; T-6/T-7 call the functions directly in such requests
instead of over HTTP, and the TTLs of T-7/T-8 are shortened from 4 s to 1-2 s.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import frappe_cache
import frappe_cache.frappe as dropin
import pytest
import redis
from frappe_cache.testing import RedisServer
from frappe_standin import harness
from frappe_standin.harness import DB1, DB2, SITE1, SITE2, job

MODULE = __name__


@pytest.fixture
def frappe(redis_server: RedisServer, raw: redis.Redis) -> Iterator[ModuleType]:
    """The stand-in ``frappe`` with ``install()`` done; no request open."""
    frappe = harness.load(redis_server.url)
    try:
        dropin.install()
        yield frappe
    finally:
        harness.unload()


@pytest.fixture
def req(frappe: ModuleType) -> Iterator[ModuleType]:
    """Inside one request on site1 as Administrator (``frappe.init`` + ``frappe.connect``)."""
    with job(frappe):
        yield frappe


def caching() -> ModuleType:
    """``frappe.utils.caching`` as an app sees it after ``install()``."""
    import frappe.utils.caching

    return frappe.utils.caching


class Counter:
    """How many times a decorated function's body ran (thread-safe)."""

    def __init__(self) -> None:
        self.n = 0
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            self.n += 1


def commands(raw: redis.Redis) -> dict[str, int]:
    """Calls per command since the server started (``INFO commandstats``), ``info`` excluded."""
    stats = raw.info("commandstats")
    return {
        k.removeprefix("cmdstat_"): int(v["calls"])
        for k, v in stats.items()
        if k.startswith("cmdstat_") and k != "cmdstat_info"
    }


class RoundTrips:
    """The commands the server executed between ``__init__`` and ``delta()``."""

    def __init__(self, raw: redis.Redis) -> None:
        self.raw = raw
        self.before = commands(raw)

    def delta(self) -> dict[str, int]:
        after = commands(self.raw)
        return {k: v - self.before.get(k, 0) for k, v in after.items() if v != self.before.get(k, 0)}


# -- §7.1: @request_cache (T-1 .. T-5) ---------------------------------------------------------
def test_t1_request_cache_memo(req: ModuleType) -> None:
    runs = Counter()

    @caching().request_cache
    def calculate(a, b):
        runs()
        return {"sum": a + b}

    results = [calculate(10, 20) for _ in range(5)]
    assert runs.n == 1
    assert all(r is results[0] for r in results)


def test_t2_t3_int_float_conflation_and_new_args(req: ModuleType) -> None:
    runs = Counter()

    @caching().request_cache
    def area(a, b):
        runs()
        return a * b

    area(120, 23)
    area(120.0, 23)  # T-2: 120 == 120.0 and hash alike: the same entry (v16)
    assert runs.n == 1
    for _ in range(10):  # T-3
        area(120, 13)
    assert runs.n == 2


def test_t4_hashable_args(req: ModuleType) -> None:
    class Document:  # hashable by identity, as Frappe's Document is
        pass

    doc = Document()
    for arg in (range(10), doc, True, None):
        runs = Counter()

        @caching().request_cache
        def fn(x, runs=runs):
            runs()
            return x

        assert fn(arg) is arg and fn(arg) is arg
        assert runs.n == 1, arg


def test_t5_unhashable_args_call_through(req: ModuleType) -> None:
    frappe = req
    for arg in ([1, 2], {"a": 1}, frappe._dict(a=1)):
        runs = Counter()

        @caching().request_cache
        def fn(x, runs=runs):
            runs()
            return x

        assert fn(arg) == arg and fn(arg) == arg
        assert runs.n == 2, arg


# -- §7.1: @site_cache across requests (T-6, T-7) ---------------------------------------------
def test_t6_t7_site_cache_across_requests_and_ttl(frappe: ModuleType) -> None:
    side_effect = Counter()

    @caching().site_cache
    def no_ttl():
        side_effect()
        return "no ttl"

    @caching().site_cache(ttl=1)
    def with_ttl():
        side_effect()
        return "ttl"

    for _ in range(5):  # T-6: five "requests" to each
        with job(frappe):
            assert no_ttl() == "no ttl"
        with job(frappe):
            assert with_ttl() == "ttl"
    assert side_effect.n == 2
    time.sleep(1.2)  # T-7
    with job(frappe):
        assert with_ttl() == "ttl"
        assert no_ttl() == "no ttl"
    assert side_effect.n == 3


# -- §7.1: @redis_cache (T-8 .. T-12) ----------------------------------------------------------
def test_t8_redis_cache_ttl(req: ModuleType) -> None:
    frappe = req
    runs = Counter()

    @caching().redis_cache(ttl=1)
    def calculate(x):
        runs()
        return x * 2

    assert calculate(10) == 20
    assert calculate(10) == 20
    assert runs.n == 1
    assert calculate.ttl == 1
    time.sleep(2.1)  # Frappe: ttl=4, sleep 6
    frappe.local.cache = {}  # as Frappe's test does: the request keeps expiring entries
    assert calculate(10) == 20
    assert runs.n == 2
    calculate.clear_cache()
    assert calculate(10) == 20
    assert runs.n == 3


def test_t8_ttl_is_reread_on_every_call(req: ModuleType, raw: redis.Redis) -> None:
    @caching().redis_cache(ttl=100)
    def fn(x):
        return x

    fn(1)
    fn.ttl = 1000
    fn(2)
    ttls = sorted(raw.ttl(k) for k in raw.keys(f"{DB1}|*fn::*"))
    assert 90 <= ttls[0] <= 100 and 990 <= ttls[1] <= 1000


def test_t9_bare_redis_cache_and_clear(req: ModuleType, raw: redis.Redis) -> None:
    runs = Counter()

    @caching().redis_cache
    def calculate(x):
        runs()
        return x + 1

    assert calculate.ttl == 3600
    assert calculate(1) == 2 and calculate(1) == 2
    assert runs.n == 1
    (key,) = raw.keys(f"{DB1}|*calculate::*")
    assert 3500 < raw.ttl(key) <= 3600
    calculate.clear_cache()
    assert raw.keys(f"{DB1}|*calculate::*") == []
    assert calculate(1) == 2
    assert runs.n == 2


def test_t10_distinct_keys(frappe: ModuleType, raw: redis.Redis) -> None:
    runs = Counter()

    @caching().redis_cache
    def area(radius):
        runs()
        return 3.14 * radius * radius

    with job(frappe):
        area(10)
        area(20)
        assert runs.n == 2  # different positional args: separate entries
        area(10)
        assert runs.n == 2  # the same again: a hit
        area(radius=10)
        assert runs.n == 3  # a keyword call is a different entry, as in Frappe
        area(radius=10)
        assert runs.n == 3
    with job(frappe):  # a new request: every entry comes from Redis
        area(10), area(20), area(radius=10)
        assert runs.n == 3
    assert len(raw.keys(f"{DB1}|*area::*")) == 3


def test_t11_global_clear_cache_invalidates(req: ModuleType) -> None:
    frappe = req
    runs = Counter()

    @caching().redis_cache()
    def calculate(x):
        runs()
        return x

    calculate(1)
    calculate(1)
    frappe.clear_cache()
    calculate(1)
    assert runs.n == 2


def test_t12_user_scoped_results(req: ModuleType, raw: redis.Redis) -> None:
    frappe = req
    runs = Counter()

    @caching().redis_cache(user=True)
    def whoami():
        runs()
        return frappe.session.user

    frappe.set_user("a@example.com")
    assert whoami() == "a@example.com"
    frappe.set_user("b@example.com")
    assert whoami() == "b@example.com"
    frappe.set_user("a@example.com")
    assert whoami() == "a@example.com"
    frappe.set_user("b@example.com")
    assert whoami() == "b@example.com"
    assert runs.n == 2
    keys = sorted(raw.keys(f"{DB1}|user:*"))
    assert [k.split(b":")[1] for k in keys] == [b"a@example.com", b"b@example.com"]


# -- §7.1: wrapper API (T-17, T-18) ------------------------------------------------------------
def test_t17_get_keys_delete_keys(req: ModuleType) -> None:
    frappe = req
    for i in range(5):
        frappe.cache.set_value(f"test_del_{i}", i)
    assert len(frappe.cache.get_keys("test_del_")) == 5
    frappe.cache.delete_keys("test_del_")
    assert len(frappe.cache.get_keys("test_del_")) == 0


def test_t18_hash_api(req: ModuleType) -> None:
    cache = req.cache
    assert not cache.exists("test_hash")
    for i in range(5):
        cache.hset("test_hash", f"key_{i}", i)
    assert len(cache.hgetall("test_hash")) == 5
    for i in range(5):
        assert cache.hget("test_hash", f"key_{i}") == i
    assert {f"key_{i}".encode() for i in range(5)} <= set(cache.hkeys("test_hash"))
    cache.hdel("test_hash", "key_0")
    assert len(cache.hgetall("test_hash")) == 4
    cache.hdel("test_hash", ["key_1", "key_2"])
    assert len(cache.hgetall("test_hash")) == 2
    cache.delete_value("test_hash")
    assert not cache.exists("test_hash")


# -- keys ---------------------------------------------------------------------------------------
def test_key_format(frappe: ModuleType, raw: redis.Redis) -> None:
    @caching().redis_cache
    def area(r):
        return r

    @caching().redis_cache(user=True)
    def mine(r):
        return r

    @caching().redis_cache(shared=True)
    def everyone(r):
        return r

    with job(frappe, user="a@example.com"):
        area(1), mine(1), everyone(1)
    qualname = re.escape(f"{MODULE}.test_key_format.<locals>.")
    keys = {k.decode() for k in raw.keys()} - {f"{DB1}|app_modules"}  # written by init
    assert len(keys) == 3, keys
    assert any(re.fullmatch(rf"{DB1}\|{qualname}area::[0-9A-Za-z_\-]+", k) for k in keys), keys
    assert any(re.fullmatch(rf"{DB1}\|user:a@example\.com:{qualname}mine::[0-9A-Za-z_\-]+", k) for k in keys)
    assert any(re.fullmatch(rf"{qualname}everyone::[0-9A-Za-z_\-]+", k) for k in keys), keys


def _run(script: str, *argv: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=str(Path(__file__).parent),
    )


# A worker process: the stand-in on a bench whose site1 uses the given Redis, install(), one
# request calling ``compute`` with the arguments of CALLS; prints a JSON report.
WORKER = textwrap.dedent(
    """
    import json, sys, time
    sys.path.insert(0, {tests!r})
    from frappe_standin import harness
    frappe = harness.load({url!r})
    import frappe_cache.frappe
    frappe_cache.frappe.install()
    import redis
    from frappe.utils.caching import redis_cache

    raw = redis.Redis.from_url({url!r})

    @redis_cache(ttl=600, lock={lock!r})
    def compute(*args, **kwargs):
        raw.incr("computations")
        time.sleep({slow!r})
        return repr((args, sorted(kwargs.items())))

    CALLS = {calls}
    start_at = float(sys.argv[1])
    with harness.job(frappe):
        time.sleep(max(0.0, start_at - time.time()))
        started = time.time()
        results = [compute(*args, **kwargs) for args, kwargs in CALLS]
        finished = time.time()
    print(json.dumps({{"results": results, "started": started, "finished": finished}}))
    """
)

CALLS_WITH_STRINGS = """[
    (("Sales Invoice", "SINV-0001"), {}),
    (("Item", ("a", "b")), {}),
    ((frozenset({"x", "y", "z", "w"}),), {}),
    ((b"bytes", 1.5, None, True), {}),
    (({"k": "v", "n": [1, 2]},), {}),
    (("Customer",), {"fields": ("name", "title"), "as_dict": True}),
]"""


def test_keys_stable_across_processes_with_different_hash_seeds(
    frappe: ModuleType, redis_server: RedisServer, raw: redis.Redis
) -> None:
    tests = str(Path(__file__).parent)
    script = WORKER.format(tests=tests, url=redis_server.url, lock=False, slow=0.0, calls=CALLS_WITH_STRINGS)
    reports = []
    keys = []
    for seed in ("1", "2", "12345"):
        proc = _run(script, "0", env={"PYTHONHASHSEED": seed})
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        reports.append(json.loads(out))
        keys.append(sorted(raw.keys(f"{DB1}|*compute::*")))
    assert reports[0]["results"] == reports[1]["results"] == reports[2]["results"]
    assert keys[0] == keys[1] == keys[2] and len(keys[0]) == 6
    assert int(raw.get("computations")) == 6  # the 2nd and 3rd processes only hit


def test_kwargs_order_does_not_matter(frappe: ModuleType) -> None:
    runs = Counter()

    @caching().redis_cache
    def fn(a=0, b=0, c=0):
        runs()
        return (a, b, c)

    with job(frappe):
        assert fn(a=1, b=2, c=3) == (1, 2, 3)
        assert fn(c=3, a=1, b=2) == (1, 2, 3)
    with job(frappe):
        assert fn(b=2, c=3, a=1) == (1, 2, 3)
    assert runs.n == 1


def test_cached_none_is_a_hit(frappe: ModuleType, raw: redis.Redis) -> None:
    runs = Counter()

    @caching().redis_cache
    def nothing(x):
        runs()

    with job(frappe):
        assert nothing(1) is None
        assert nothing(1) is None
    with job(frappe):  # from Redis this time
        assert nothing(1) is None
    assert runs.n == 1
    assert len(raw.keys(f"{DB1}|*nothing::*")) == 1


def test_unhashable_args(frappe: ModuleType) -> None:
    """redis_cache digests lists and dicts; Frappe's request_cache calls through; site_cache
    raises TypeError, as Frappe's intends."""
    runs = {"redis": Counter(), "request": Counter(), "site": Counter()}

    @caching().redis_cache
    def in_redis(items, options):
        runs["redis"]()
        return len(items) + len(options)

    @caching().request_cache
    def in_request(items, options):
        runs["request"]()
        return len(items) + len(options)

    @caching().site_cache
    def in_site(items, options):
        runs["site"]()
        return len(items) + len(options)

    for _ in range(2):
        with job(frappe):
            for fn in (in_redis, in_request):
                assert fn([1, 2, 3], {"a": 1}) == 4
                assert fn([1, 2, 3], {"a": 1}) == 4
            with pytest.raises(TypeError, match="unhashable"):
                in_site([1, 2, 3], {"a": 1})
    assert runs["redis"].n == 1
    assert runs["request"].n == 4 and runs["site"].n == 0


def test_clear_cache_removes_user_scoped_and_shared_entries(frappe: ModuleType, raw: redis.Redis) -> None:
    frappe_mod = frappe
    runs = Counter()

    @caching().redis_cache(user=True)
    def per_user(x):
        runs()
        return (frappe_mod.session.user, x)

    @caching().redis_cache(shared=True)
    def everyone(x):
        runs()
        return x

    @caching().redis_cache
    def per_site(x):
        runs()
        return x

    for site in (SITE1, SITE2):
        for user in ("a@example.com", "b@example.com"):
            with job(frappe, site, user=user):
                per_user(1), everyone(1), per_site(1)
    assert len(raw.keys(f"{DB1}|user:*per_user::*")) == 2
    assert len(raw.keys("*everyone::*")) == 1
    with job(frappe, SITE1, user="a@example.com"):
        per_user.clear_cache()  # every user's entries, not only a@'s (Frappe misses these)
        everyone.clear_cache()
        per_site.clear_cache()
    assert raw.keys(f"{DB1}|*") == [f"{DB1}|app_modules".encode()]  # written by init
    assert raw.keys("*everyone::*") == []
    assert len(raw.keys(f"{DB2}|user:*per_user::*")) == 2  # the other site's stay
    assert len(raw.keys(f"{DB2}|*per_site::*")) == 1
    before = runs.n
    with job(frappe, SITE1, user="b@example.com"):
        assert per_user(1) == ("b@example.com", 1)
    with job(frappe, SITE2, user="b@example.com"):
        assert per_user(1) == ("b@example.com", 1)
    assert runs.n == before + 1


# -- round trips, counted by the server ---------------------------------------------------------
def test_round_trips(frappe: ModuleType, raw: redis.Redis) -> None:
    @caching().redis_cache
    def fn(x):
        return {"x": x}

    @caching().redis_cache(user=True)
    def mine(x):
        return {"x": x}

    with job(frappe, user="a@example.com"):
        assert frappe.cache.connected()  # the connection exists before counting
        trips = RoundTrips(raw)
        fn(1)
        assert trips.delta() == {"get": 1, "set": 1}, "a miss costs GET + SET"
        trips = RoundTrips(raw)
        fn(1)
        fn(1)
        assert trips.delta() == {}, "a hit already in this request costs nothing"
        trips = RoundTrips(raw)
        mine(1)
        assert trips.delta() == {"get": 1, "set": 1}
    with job(frappe, user="a@example.com"):
        trips = RoundTrips(raw)
        assert fn(1) == {"x": 1}
        assert trips.delta() == {"get": 1}, "a hit costs one GET"
        trips = RoundTrips(raw)
        fn(1)
        assert trips.delta() == {}
        trips = RoundTrips(raw)
        mine(1)
        mine(1)
        assert trips.delta() == {"get": 1}


def test_round_trips_cached_none(frappe: ModuleType, raw: redis.Redis) -> None:
    @caching().redis_cache
    def nothing(x):
        return None

    with job(frappe):
        assert frappe.cache.connected()
        nothing(1)
    with job(frappe):
        trips = RoundTrips(raw)
        nothing(1)
        nothing(1)
        assert trips.delta() == {"get": 1}, "a cached None is a hit: one GET"


# -- stampede protection ------------------------------------------------------------------------
def test_stampede_16_threads_compute_once(frappe: ModuleType) -> None:
    runs = Counter()

    @caching().redis_cache
    def slow(x):
        runs()
        time.sleep(0.3)
        return {"x": x}

    barrier = threading.Barrier(16)
    results: list[object] = []
    errors: list[BaseException] = []

    def request() -> None:
        try:
            with job(frappe):
                barrier.wait()
                results.append(slow(7))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=request) for _ in range(16)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    assert not errors, errors
    assert runs.n == 1
    assert results == [{"x": 7}] * 16
    assert elapsed < 3.0


def test_lock_true_computes_once_across_4_processes(
    frappe: ModuleType, redis_server: RedisServer, raw: redis.Redis
) -> None:
    tests = str(Path(__file__).parent)
    calls = '[(("cold",), {})]'
    script = WORKER.format(tests=tests, url=redis_server.url, lock=True, slow=0.5, calls=calls)
    start_at = time.time() + 4.0  # after every process has started and imported
    procs = [_run(script, str(start_at)) for _ in range(4)]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        reports.append(json.loads(out))
    # the four calls overlapped (else this would prove nothing) ...
    assert max(r["started"] for r in reports) < min(r["finished"] for r in reports)
    # ... and one process computed while the others waited for its result
    assert int(raw.get("computations")) == 1
    assert len({tuple(r["results"]) for r in reports}) == 1
    assert raw.keys("*lock*") == [] or all(raw.ttl(k) > 0 for k in raw.keys("*lock*"))


# -- cache_info ---------------------------------------------------------------------------------
def test_cache_info(frappe: ModuleType) -> None:
    @caching().redis_cache
    def in_redis(x):
        return x

    @caching().site_cache(maxsize=2)
    def in_site(x):
        return x

    with job(frappe):
        in_redis(1), in_redis(1), in_redis(2)
        in_site(1), in_site(2), in_site(3), in_site(3)
    with job(frappe):
        in_redis(1)  # from Redis: a hit
    info = in_redis.cache_info()
    assert (info.hits, info.misses) == (2, 2)
    info = in_site.cache_info()
    assert (info.hits, info.misses, info.maxsize, info.currsize) == (1, 3, 2, 2)
    in_site.clear_cache()
    assert in_site.cache_info().currsize == 0


def test_decorators_outside_a_request_call_through(frappe: ModuleType) -> None:
    """No request scope (no site): site_cache and request_cache simply call the function."""
    runs = Counter()

    @caching().site_cache
    def in_site(x):
        runs()
        return x

    @caching().request_cache
    def in_request(x):
        runs()
        return x

    assert frappe_cache.current_site() is None
    for fn in (in_site, in_request):
        assert fn(1) == 1 and fn(1) == 1
    assert runs.n == 4


def test_sites_do_not_share_decorated_results(frappe: ModuleType) -> None:
    runs = Counter()

    @caching().redis_cache
    def which(x):
        runs()
        return frappe_cache.current_site()

    with job(frappe, SITE1):
        assert which(1) == DB1
    with job(frappe, SITE2):
        assert which(1) == DB2
    with job(frappe, SITE1):
        assert which(1) == DB1
    assert runs.n == 2
