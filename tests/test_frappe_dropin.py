"""``frappe_cache.frappe.install()`` against a stand-in shaped like Frappe's globals (issue 3 §2).

Frappe cannot be installed here; ``tests/frappe_standin/frappe`` mirrors what the adapter touches
(``frappe.local`` a werkzeug ``Local``, ``frappe.cache`` built lazily under a lock, ``init`` /
``connect`` / ``set_user`` / ``destroy`` / ``clear_cache``, ``frappe.utils.caching``,
``frappe.utils.redis_wrapper.setup_cache``, ``frappe.auth.LoginManager``). A plain redis-py
client (``raw``) plays the pure-Python Frappe worker sharing the same Redis.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import frappe_cache
import frappe_cache.frappe as dropin
import pytest
import redis
from frappe_cache import RedisWrapper
from frappe_cache.testing import RedisServer
from frappe_standin import harness
from frappe_standin.harness import DB1, DB2, SITE1, SITE2, http_request, job
from support import dead_url

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def standin(redis_server: RedisServer, raw: redis.Redis) -> Iterator[ModuleType]:
    """The stand-in ``frappe``, sites on the session server, *not* installed yet."""
    frappe = harness.load(redis_server.url)
    try:
        yield frappe
    finally:
        harness.unload()


@pytest.fixture
def frappe(standin: ModuleType) -> ModuleType:
    """The stand-in with ``install()`` done (as an app's hooks would, before any request)."""
    dropin.install()
    return standin


# -- importing and installing -----------------------------------------------------------------
def test_import_needs_no_frappe() -> None:
    """``import frappe_cache.frappe`` works where Frappe is not importable, and imports no Frappe;
    ``install()`` there fails with ModuleNotFoundError (it needs the real thing)."""
    script = (
        "import importlib.util, sys\n"
        "assert importlib.util.find_spec('frappe') is None, 'frappe is importable here'\n"
        "import frappe_cache.frappe as d\n"
        "assert 'frappe' not in sys.modules\n"
        "assert not d.installed()\n"
        "try:\n"
        "    d.install()\n"
        "except ModuleNotFoundError as e:\n"
        "    assert e.name == 'frappe', e\n"
        "else:\n"
        "    raise AssertionError('install() without frappe did not raise')\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd="/", timeout=60, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_install_makes_frappe_cache_ours(frappe: ModuleType) -> None:
    assert frappe.cache is None  # lazily, at the first init, as Frappe does
    with job(frappe):
        cache = frappe.cache
        assert isinstance(cache, RedisWrapper)
        assert frappe.cache == frappe.cache()  # T-21
        assert frappe.cache() is cache
        assert bool(cache)  # Frappe's init tests ``if not cache``
        assert frappe_cache.get_default_cache() is cache
        # Frappe's own lazy init paths return ours too
        frappe.setup_redis_cache_connection()
        assert frappe.cache is cache
        from frappe.utils.redis_wrapper import setup_cache

        assert isinstance(setup_cache(), RedisWrapper), "a factory, as Frappe's"
        assert frappe_cache.get_default_cache() is cache, "the decorators follow frappe.cache"
        # v16 builds its ClientCache right after: ours (issue 10), over frappe.cache
        assert isinstance(frappe.client_cache, dropin.FrappeClientCache)
        assert frappe.client_cache.healthy, frappe.client_cache.unhealthy_reason
        assert frappe.client_cache.redis is cache
        assert isinstance(cache, redis.Redis), "a redis.Redis, as Frappe's wrapper is"
    with job(frappe, SITE2):
        assert frappe.cache is cache  # one wrapper per process, for every site


def test_cache_is_built_once_under_concurrent_first_inits(
    frappe: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[RedisWrapper] = []
    real_build = dropin._build_cache

    def slow_build(conf):  # widen the race window
        time.sleep(0.05)
        wrapper = real_build(conf)
        built.append(wrapper)
        return wrapper

    monkeypatch.setattr(dropin, "_build_cache", slow_build)
    barrier = threading.Barrier(12)
    seen: list[object] = []
    errors: list[BaseException] = []

    def first_request() -> None:
        try:
            barrier.wait()
            with job(frappe, SITE1 if threading.get_ident() % 2 else SITE2):
                seen.append(frappe.cache)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first_request) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(built) == 1
    assert all(c is built[0] for c in seen)


def test_install_is_idempotent(frappe: ModuleType) -> None:
    from frappe.utils import caching, redis_wrapper

    patched = (type(frappe.local), frappe.release_local, redis_wrapper.setup_cache)
    decorators = (caching.redis_cache, caching.site_cache, caching.request_cache)
    dropin.install()
    dropin.install()
    assert dropin.installed()
    assert (type(frappe.local), frappe.release_local, redis_wrapper.setup_cache) == patched
    assert type(frappe.local).__mro__[2] is not type(frappe.local).__mro__[1], "watched once"
    assert not hasattr(frappe.release_local.__frappe_cache_original__, "__frappe_cache_original__")
    assert (caching.redis_cache, caching.site_cache, caching.request_cache) == decorators
    with job(frappe):
        assert frappe_cache.current_site() == DB1


def test_decorators_point_at_ours(frappe: ModuleType) -> None:
    from frappe.utils import caching

    assert caching.redis_cache is frappe_cache.redis_cache
    # request_cache stays Frappe's: its store is frappe.local.request_cache, which Frappe resets
    assert caching.request_cache is not frappe_cache.request_cache
    with job(frappe):

        @caching.site_cache
        def f(x):
            return x

        @caching.site_cache(ttl=60, maxsize=3)
        def g(x):
            return x

        @caching.redis_cache
        def h(x):
            return x

        for fn in (f, g, h):
            assert fn(1) == 1
            assert hasattr(fn, "cache_info") and not hasattr(fn, "__frappe_standin__")
        assert g.maxsize == 3 and g.ttl == 60
        assert f.maxsize is None, "unbounded by default, as Frappe's"


def test_install_mid_request_and_earlier_decorations(standin: ModuleType, raw: redis.Redis) -> None:
    """install() run from hooks loaded inside a request: frappe.cache is swapped at once and the
    scope opened; functions decorated before install() keep Frappe's decorators."""
    frappe = standin
    from frappe.utils.caching import redis_cache as frappes_redis_cache

    @frappes_redis_cache
    def before(x):
        return x

    frappe.init(SITE1, force=True)
    try:
        frappe.connect()
        assert type(frappe.cache).__module__ == "frappe.utils.redis_wrapper"  # Frappe's own
        assert frappe_cache.current_site() is None
        frappe.local.cache[b"before|k"] = "kept"
        dropin.install()
        assert isinstance(frappe.cache, RedisWrapper)
        assert (frappe_cache.current_site(), frappe_cache.current_user()) == (DB1, "Administrator")
        assert isinstance(frappe.local.cache, frappe_cache.LocalCache)
        assert frappe.local.cache[b"before|k"] == "kept", "the request's entries are adopted"
        from frappe.utils.caching import redis_cache

        @redis_cache
        def after(x):
            return x

        assert before.__frappe_standin__ and not hasattr(after, "__frappe_standin__")
        assert before(3) == 3 and after(3) == 3  # both work, on the same Redis
        frappe.cache.set_value("mid", {"x": 1})
        assert pickle.loads(raw.get(f"{DB1}|mid".encode())) == {"x": 1}
    finally:
        frappe.destroy()
    assert frappe_cache.current_site() is None


# -- the request scope follows Frappe's lifecycle --------------------------------------------
def test_init_opens_scope_with_db_name(frappe: ModuleType) -> None:
    frappe.init(SITE1, force=True)
    try:
        assert frappe_cache.current_site() == DB1
        assert frappe_cache.current_user() == "Guest"  # init's session, as Frappe's make_key sees it
        assert isinstance(frappe.local.cache, frappe_cache.LocalCache)
        assert frappe.local.cache is frappe_cache.local_cache()
        assert frappe.local.app_modules == {"frappe": ["core"]}, "init read the cache inside init"
        frappe.connect()  # jobs: the session user becomes Administrator
        assert frappe_cache.current_user() == "Administrator"
        assert frappe.cache.make_key("k") == f"{DB1}|k".encode()
        assert frappe.cache.make_key("k", user=True) == f"{DB1}|user:Administrator:k".encode()
    finally:
        frappe.destroy()
    assert frappe_cache.current_site() is None
    assert frappe_cache.current_user() is None


def test_init_without_force_keeps_the_scope(frappe: ModuleType) -> None:
    with job(frappe):
        value = {"n": 1}
        frappe.cache.set_value("k", value)
        assert frappe.cache.get_value("k") is value
        frappe.init(SITE1)  # already initialised: a no-op in Frappe, so the scope stays
        assert frappe.cache.get_value("k") is value
        frappe.init(SITE1, force=True)  # a new request on this thread: a fresh scope
        assert frappe_cache.current_site() == DB1
        again = frappe.cache.get_value("k")
        assert again == value and again is not value


def test_set_user_switches_user_and_resets(frappe: ModuleType) -> None:
    with job(frappe):
        value = ["x"]
        frappe.cache.set_value("k", value)
        assert frappe.cache.get_value("k") is value
        frappe.set_user("a@example.com")
        assert frappe_cache.current_user() == "a@example.com"
        assert frappe.session.user == "a@example.com"
        assert isinstance(frappe.local.cache, frappe_cache.LocalCache) and frappe.local.cache == {}
        fresh = frappe.cache.get_value("k")
        assert fresh == value and fresh is not value  # the request-local cache was reset
        assert frappe.cache.make_key("r", user=True) == f"{DB1}|user:a@example.com:r".encode()


def test_frappe_local_cache_is_the_request_cache(frappe: ModuleType, raw: redis.Redis) -> None:
    """Frappe's code, apps and the wrapper act on one store (issue 8 §3)."""
    with job(frappe, user="a@example.com"):
        value = {"v": 1}
        frappe.cache.set_value("k", value)
        key = f"{DB1}|k".encode()
        assert frappe.local.cache[key] is value and key in frappe.local.cache
        frappe.local.cache[key] = "an app's value"
        assert frappe.cache.get_value("k") == "an app's value"
        frappe.local.cache.pop(key)
        assert frappe.cache.get_value("k") == value, "popped: read from Redis again"
        del frappe.local.cache[key]
        frappe.local.cache.setdefault(b"ns", {})["x"] = 1
        assert frappe.local.cache[b"ns"] == {"x": 1} and len(frappe.local.cache) >= 1
        frappe.local.cache.clear()
        assert len(frappe.local.cache) == 0 and list(frappe.local.cache) == []
        raw.set(key, pickle.dumps("fresh"))
        assert frappe.cache.get_value("k") == "fresh"


def test_assigning_frappe_local_cache_resets_ours(frappe: ModuleType) -> None:
    """Apps and tests drop the request's cache with ``frappe.local.cache = {}``."""
    with job(frappe, user="a@example.com"):
        value = {"v": 1}
        frappe.cache.set_value("k", value)
        assert frappe.cache.get_value("k") is value
        frappe.local.cache = {}
        assert (frappe_cache.current_site(), frappe_cache.current_user()) == (DB1, "a@example.com")
        fresh = frappe.cache.get_value("k")
        assert fresh == value and fresh is not value
        frappe.local.other = 1  # other attributes do not touch it
        assert frappe.cache.get_value("k") is fresh
        assert frappe.local.other == 1
        frappe.local.cache = {f"{DB1}|k".encode(): "assigned"}
        assert frappe.cache.get_value("k") == "assigned", "an assigned dict's items are the cache"


def test_http_request_session_user(frappe: ModuleType) -> None:
    """An HTTP request's session user is set by LoginManager.make_session, not set_user: user=True
    reads the session on every call, as Frappe's make_key does, and the cache is not reset."""
    with http_request(frappe, user="web@example.com"):
        assert frappe.session.user == "web@example.com"
        assert (frappe_cache.current_site(), frappe_cache.current_user()) == (DB1, "web@example.com")
        frappe.cache.set_value("seen", 1)
        frappe.local.login_manager.login_as("other@example.com")
        assert frappe_cache.current_user() == "other@example.com"
        assert frappe.cache.make_key("r", user=True) == f"{DB1}|user:other@example.com:r".encode()
        assert frappe.local.cache[f"{DB1}|seen".encode()] == 1, "a new session does not reset it"
    with http_request(frappe, SITE2):
        assert (frappe_cache.current_site(), frappe_cache.current_user()) == (DB2, "Guest")
    assert frappe_cache.current_site() is None


def test_a_hand_made_session_is_seen_at_once(frappe: ModuleType) -> None:
    with job(frappe):
        frappe.local.session = frappe._dict(user="hand@example.com")
        assert frappe_cache.current_user() == "hand@example.com"
        frappe.local.session.user = "mutated@example.com"
        assert frappe.cache.make_key("k", user=True) == f"{DB1}|user:mutated@example.com:k".encode()


def test_job_start_opens_scope(frappe: ModuleType) -> None:
    from frappe.utils.background_jobs import execute_job

    seen = execute_job(
        SITE2,
        lambda: (frappe_cache.current_site(), frappe_cache.current_user()),
        user="job@example.com",
    )
    assert seen == (DB2, "job@example.com")
    assert frappe_cache.current_site() is None


def test_destroy_and_release_follow_frappe_local(frappe: ModuleType) -> None:
    """The request cache goes when ``frappe.local`` is released, and stays when it is not."""
    frappe.init(SITE1, force=True)
    frappe.connect()

    class Broken:
        def close(self):
            raise RuntimeError("db close failed")

    frappe.local.db = Broken()
    with pytest.raises(RuntimeError):
        frappe.destroy()  # Frappe's destroy fails before releasing frappe.local ...
    assert frappe.local.site == SITE1 and frappe_cache.current_site() == DB1  # ... and so do we
    frappe.local.db = None
    frappe.destroy()
    assert frappe_cache.current_site() is None
    frappe.init(SITE2, force=True)
    frappe.release_local(frappe.local)  # released directly: the same
    assert frappe_cache.current_site() is None


def test_clear_cache_global_branch(frappe: ModuleType, raw: redis.Redis) -> None:
    with job(frappe, SITE2):
        frappe.cache.set_value("k", "site2 keeps this")
    with job(frappe):
        value = {"v": 1}
        frappe.cache.set_value("k", value)
        frappe.cache.set_value("u", 1, user=True)
        frappe.cache.hset("h", "f", 1)
        assert frappe.cache.get_value("k") is value
        frappe.clear_cache()
        assert isinstance(frappe.local.cache, frappe_cache.LocalCache) and frappe.local.cache == {}
        assert frappe_cache.current_site() == DB1 and frappe_cache.current_user() == "Administrator"
        assert frappe.cache.get_value("k") is None
        assert frappe.cache.hget("h", "f") is None
        assert raw.keys(f"{DB1}|*") == []
    assert sorted(raw.keys(f"{DB2}|*")) == [f"{DB2}|app_modules".encode(), f"{DB2}|k".encode()]


def test_clear_cache_resets_request_and_site_caches(frappe: ModuleType) -> None:
    """Frappe clears ``local.request_cache`` on every clear_cache and ``_SITE_CACHE`` on the
    global one and for doctype "DocType" only."""
    from frappe.utils.caching import request_cache, site_cache

    runs = {"request": 0, "site": 0}

    @request_cache
    def per_request(x):
        runs["request"] += 1
        return x

    @site_cache
    def per_site(x):
        runs["site"] += 1
        return x

    with job(frappe):
        per_request(1), per_site(1)
        per_request(1), per_site(1)
        assert runs == {"request": 1, "site": 1}
        frappe.clear_cache(user="someone@example.com")
        per_request(1), per_site(1)
        assert runs == {"request": 2, "site": 1}
        frappe.clear_cache(doctype="ToDo")
        per_request(1), per_site(1)
        assert runs == {"request": 3, "site": 1}
        frappe.clear_cache(doctype="DocType")
        per_site(1)
        assert runs["site"] == 2
        frappe.clear_cache()
        per_site(1)
        assert runs["site"] == 3
        # v16's clear_persistent_cache handler empties _SITE_CACHE directly
        import frappe.utils.caching

        frappe.utils.caching._SITE_CACHE.clear()
        per_site(1)
        assert runs["site"] == 4


def test_redis_down_at_init_does_not_break_frappe(standin: ModuleType) -> None:
    frappe = standin
    frappe.SITES["down.local"] = {"db_name": "_down", "redis_cache": dead_url()}
    dropin.install()
    from frappe.utils.caching import redis_cache

    runs = []

    @redis_cache
    def compute(x):
        runs.append(x)
        return x * 2

    started = time.monotonic()
    with job(frappe, "down.local", user="a@example.com"):
        assert isinstance(frappe.cache, RedisWrapper)
        assert frappe_cache.current_site() == "_down"
        assert frappe.cache.connected() is False
        frappe.cache.set_value("k", "v")  # swallowed, kept for the request
        assert frappe.cache.get_value("k") == "v"
        assert compute(2) == 4 and compute(2) == 4
        frappe.clear_cache()
    assert time.monotonic() - started < 10


def test_missing_redis_cache_url_fails_like_frappe(standin: ModuleType) -> None:
    """Frappe fails inside ``init`` (redis-py cannot parse a missing URL); ours says what is missing."""
    standin.SITES["nourl.local"] = {"db_name": "_nourl"}
    dropin.install()
    with pytest.raises(ValueError, match="redis_cache"):
        standin.init("nourl.local", force=True)
    standin.destroy()


def test_client_cache_invalidations_reach_frappes_subscriber(standin: ModuleType, raw: redis.Redis) -> None:
    """With ``"frappe_cache_client_cache": 0`` Frappe keeps its own ClientCache, built over ours: it
    pairs ``frappe.cache.client_id()`` with ``frappe.cache.pubsub()``, and a key read on a tracked
    connection and then written elsewhere is reported to its handler."""
    standin.SITES[SITE1]["frappe_cache_client_cache"] = 0
    dropin.install()
    frappe = standin
    with job(frappe):
        client_cache = frappe.client_cache
        assert not isinstance(client_cache, dropin.FrappeClientCache)
        assert client_cache.invalidator is frappe.cache
        tracked = client_cache.tracked_connection()
        key = f"{DB1}|tracked".encode()
        raw.set(key, b"1")
        assert tracked.get(key) == b"1"  # now Redis tracks it for the subscriber
        frappe.cache.set_value("tracked", "changed")
        deadline = time.monotonic() + 5
        while key not in [k for batch in client_cache.invalidated if batch for k in batch]:
            assert time.monotonic() < deadline, client_cache.invalidated
            time.sleep(0.02)
        raw.flushall()
        deadline = time.monotonic() + 5
        while None not in client_cache.invalidated:
            assert time.monotonic() < deadline, client_cache.invalidated
            time.sleep(0.02)
        tracked.close()


def test_frappe_client_cache_is_ours_with_frappes_surface(frappe: ModuleType, raw: redis.Redis) -> None:
    """``frappe.client_cache`` under the drop-in: Frappe's constructor arguments, per-site keys
    from ``frappe.local.conf``, ``get_doc`` under ``get_cached_doc``'s key, and a peer's write
    invalidating it."""
    loads = []
    frappe.get_document_cache_key = lambda doctype, name: f"document_cache::{doctype}::{name}"
    frappe.get_doc = lambda doctype, name: loads.append(name) or {"doctype": doctype, "name": name}
    from frappe.utils.redis_wrapper import ClientCache

    with job(frappe):
        assert ClientCache(maxsize=2, ttl=1).maxsize == 2  # Frappe's own spelling builds ours
        cc = frappe.client_cache
        assert cc.get_doc("System Settings") == {"doctype": "System Settings", "name": "System Settings"}
        assert cc.get_doc("System Settings")["name"] == "System Settings"
        assert loads == ["System Settings"]
        assert raw.exists(f"{DB1}|document_cache::System Settings::System Settings".encode())
        cc.set_value("hooks", {"site": 1})
    with job(frappe, site=SITE2):
        assert frappe.client_cache.get_value("hooks") is None  # another site, another prefix
    with job(frappe):
        assert frappe.client_cache.get_value("hooks") == {"site": 1}
        raw.set(f"{DB1}|hooks".encode(), pickle.dumps({"site": "peer"}))
        deadline = time.monotonic() + 1
        while frappe.client_cache.get_value("hooks") != {"site": "peer"}:
            assert time.monotonic() < deadline
            time.sleep(0.005)
        assert dropin.status()["client_cache"].startswith(
            "frappe_cache.frappe.FrappeClientCache (healthy=True"
        )


def test_gevent_workers_are_warned_about(standin: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_monkey = ModuleType("gevent.monkey")
    fake_monkey.is_module_patched = lambda name: name == "threading"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "gevent.monkey", fake_monkey)
    with pytest.warns(RuntimeWarning, match="greenlets"):
        dropin.install()
    assert dropin.installed()


# -- sites, workers and errors ----------------------------------------------------------------
def test_two_sites_never_see_each_others_keys(frappe: ModuleType, raw: redis.Redis) -> None:
    from frappe.utils.caching import redis_cache, request_cache, site_cache

    runs: list[tuple[str, str]] = []

    @redis_cache
    def shared_name(x):
        runs.append(("redis", frappe_cache.current_site()))
        return f"{frappe_cache.current_site()}:{x}"

    @site_cache
    def per_site(x):
        runs.append(("site", frappe_cache.current_site()))
        return f"{frappe_cache.current_site()}:{x}"

    @request_cache
    def per_request(x):
        runs.append(("request", frappe_cache.current_site()))
        return f"{frappe_cache.current_site()}:{x}"

    for site, db in ((SITE1, DB1), (SITE2, DB2)):
        with job(frappe, site):
            frappe.cache.set_value("greeting", f"hello from {db}")
            frappe.cache.hset("bootinfo", "Administrator", db)
            assert shared_name(1) == f"{db}:1"
            assert per_site(1) == f"{db}:1"
            assert per_request(1) == f"{db}:1"
    for site, db in ((SITE1, DB1), (SITE2, DB2)):
        with job(frappe, site):
            assert frappe.cache.get_value("greeting") == f"hello from {db}"
            assert frappe.cache.hget("bootinfo", "Administrator") == db
            assert shared_name(1) == f"{db}:1" and per_site(1) == f"{db}:1"
            assert {k.split(b"|")[0] for k in frappe.cache.get_keys("")} == {db.encode()}
    # each computed once per site; the second request hits (Redis, the site cache)
    assert sorted(runs) == sorted((kind, db) for kind in ("redis", "site", "request") for db in (DB1, DB2))
    with job(frappe, SITE1):
        shared_name.clear_cache()
        frappe.cache.delete_keys("")
    with job(frappe, SITE2):
        assert frappe.cache.get_value("greeting") == f"hello from {DB2}"
        assert shared_name(1) == f"{DB2}:1"
    assert raw.keys(f"{DB1}|*") == []
    assert runs.count(("redis", DB2)) == 1


def test_two_sites_concurrently_on_threads(frappe: ModuleType) -> None:
    """Threads serving different sites at the same time (gthread workers)."""
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def serve(site: str, db: str, n: int) -> None:
        try:
            with job(frappe, site, user=f"user{n}@example.com"):
                barrier.wait()
                for i in range(50):
                    frappe.cache.set_value(f"k{i}", (db, n, i))
                    frappe.cache.set_value("mine", (db, n), user=True)
                barrier.wait()
                for i in range(50):
                    assert frappe.cache.get_value(f"k{i}")[0] == db
                    assert frappe.cache.get_value("mine", user=True) == (db, n)
                assert frappe_cache.current_site() == db
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=serve, args=((SITE1, DB1) if n % 2 else (SITE2, DB2)) + (n,))
        for n in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_interop_with_a_pure_python_worker(frappe: ModuleType, raw: redis.Redis) -> None:
    """A pure-Python worker (redis-py + pickle) and we read each other's entries."""
    from frappe.utils.caching import redis_cache

    runs: list[int] = []

    @redis_cache(ttl=600)
    def area(r):
        runs.append(r)
        return {"area": 3 * r * r}

    with job(frappe, user="a@example.com"):
        frappe.cache.set_value("ours", {"written": "by frappe-cache"}, expires_in_sec=300)
        frappe.cache.set_value("mine", [1, 2], user=True)
        frappe.cache.hset("bootinfo", "a@example.com", {"lang": "en"})
        assert area(2) == {"area": 12}
    # the Python worker reads ours
    blob = raw.get(f"{DB1}|ours".encode())
    assert blob[:2] == b"\x80\x05" and pickle.loads(blob) == {"written": "by frappe-cache"}
    assert 0 < raw.ttl(f"{DB1}|ours") <= 300
    assert pickle.loads(raw.get(f"{DB1}|user:a@example.com:mine".encode())) == [1, 2]
    assert pickle.loads(raw.hget(f"{DB1}|bootinfo", "a@example.com")) == {"lang": "en"}
    (key,) = raw.keys(f"{DB1}|*area::*")
    assert key.startswith(f"{DB1}|{__name__}.".encode())
    assert pickle.loads(raw.get(key)) == {"area": 12} and 0 < raw.ttl(key) <= 600
    # ... and writes that we read (v16 protocol 5, v15 protocol 4)
    raw.set(f"{DB1}|theirs5", pickle.dumps({"v": 16}, protocol=5))
    raw.set(f"{DB1}|theirs4", pickle.dumps({"v": 15}, protocol=4))
    raw.hset(f"{DB1}|bootinfo", "b@example.com", pickle.dumps({"lang": "de"}, protocol=5))
    raw.delete(key)  # e.g. the worker ran clear_cache
    with job(frappe, user="a@example.com"):
        assert frappe.cache.get_value("theirs5") == {"v": 16}
        assert frappe.cache.get_value("theirs4") == {"v": 15}
        assert frappe.cache.hget("bootinfo", "b@example.com") == {"lang": "de"}
        assert frappe.cache.get_value("ours") == {"written": "by frappe-cache"}
        assert area(2) == {"area": 12}
    assert runs == [2, 2]


def test_core_raw_commands_through_frappe_cache(frappe: ModuleType, raw: redis.Redis) -> None:
    """What core Frappe does with redis-py methods on ``frappe.cache`` (rate limiter, 2FA)."""
    with job(frappe):
        key = frappe.cache.make_key("rate-limit-counter-3600")
        assert frappe.cache.get(key) is None
        frappe.cache.setex(key, 3600, 0)
        assert frappe.cache.incrby(key, 5) == 5
        assert frappe.cache.get(key) == b"5"
        with frappe.cache.pipeline() as pipe:
            pipe.set("tmp_usr", "a@example.com", ex=60)
            pipe.set("tmp_pwd", "secret", ex=60)
            pipe.execute()
    assert raw.get(f"{DB1}|rate-limit-counter-3600") == b"5"
    assert raw.get("tmp_usr") == b"a@example.com" and 0 < raw.ttl("tmp_pwd") <= 60


def test_redis_py_handlers_catch_our_errors(standin: ModuleType, fresh_server: RedisServer) -> None:
    """Frappe's ``except redis.exceptions.ConnectionError`` / ``TimeoutError`` clauses keep working."""
    standin.SITES["down.local"] = {"db_name": "_down", "redis_cache": dead_url()}
    dropin.install()
    with job(standin, "down.local"):
        try:
            standin.cache.hgetall("bootinfo")  # Frappe lets this one raise
        except redis.exceptions.ConnectionError as exc:
            assert isinstance(exc, frappe_cache.CacheConnectionError)
        else:
            pytest.fail("no ConnectionError with Redis down")
        with pytest.raises(redis.exceptions.ConnectionError):
            standin.cache.lpush("queue", "x")
    slow = RedisWrapper.from_url(fresh_server.url, site="s", socket_timeout=0.3)
    assert slow.connected()
    fresh_server.pause()
    try:
        with pytest.raises(redis.exceptions.TimeoutError):
            slow.hgetall("h")
    finally:
        fresh_server.resume()


def test_standin_is_not_installed_frappe() -> None:
    """The stand-in is only importable while a test has it on sys.path."""
    assert "frappe" not in sys.modules
    assert str(harness.STANDIN_DIR) not in sys.path
    assert os.path.isdir(REPO / "tests" / "frappe_standin" / "frappe")
