"""``ClientCache`` (issue 10): Frappe v16's client cache, natively, against real redis-server processes.

The other side is plain redis-py + ``pickle`` (what a pure-Python Frappe worker writes), or a
second ``ClientCache`` standing for another process. Freshness is checked the hard way: killed
listener and tracked connections, a restarted and a frozen server, and a checker that compares
every read with a version counter another client writes.
"""

from __future__ import annotations

import json
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import frappe_cache
import pytest
import redis
from frappe_cache import CacheStatistics, ClientCache, RedisWrapper, request_scope, site_cache
from frappe_cache.testing import RedisServer
from support import CommandCounter, client_ids, version_checker

SITE = "ccsite"


def wait_for(condition: Callable[[], Any], timeout: float = 5.0, step: float = 0.002) -> float:
    """Seconds until ``condition()`` is true; fails past ``timeout``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            pytest.fail(f"not true within {timeout}s: {condition}")
        time.sleep(step)
    return time.monotonic() - start


def tracked_ids(raw: redis.Redis) -> list[int]:
    return client_ids(raw, "tracked")


def listener_ids(raw: redis.Redis) -> list[int]:
    return client_ids(raw, "listener")


@pytest.fixture
def cc(wrapper: RedisWrapper) -> Iterator[ClientCache]:
    cache = ClientCache(wrapper)
    assert cache.healthy, cache.unhealthy_reason
    yield cache


@pytest.fixture
def scope() -> Iterator[None]:
    with request_scope("testsite"):
        yield


# -- Frappe's surface ----------------------------------------------------------------------------


def test_values_are_frappe_caches_keys_and_pickles(cc, wrapper, raw):
    cc.set_value("hooks", {"app": ["frappe"]})
    assert pickle.loads(raw.get(b"testsite|hooks")) == {"app": ["frappe"]}
    assert raw.ttl(b"testsite|hooks") == -1  # no expiry in Redis, as Frappe's set_value
    raw.set(b"testsite|meta", pickle.dumps(["written", "by", "a", "peer"]))
    assert cc.get_value("meta") == ["written", "by", "a", "peer"]
    assert wrapper.get_value("hooks") == {"app": ["frappe"]}


def test_a_hit_sends_nothing_and_is_counted(cc, raw):
    raw.set(b"testsite|k", pickle.dumps(1))
    cc.reset_statistics()
    assert cc.get_value("k") == 1
    counter = CommandCounter(raw, "get")
    for _ in range(50):
        assert cc.get_value("k") == 1
    assert counter.delta("get") == 0
    stats = cc.statistics
    assert isinstance(stats, CacheStatistics)
    assert (stats.hits, stats.misses, stats.used, stats.capacity, stats.healthy) == (50, 1, 1, 1024, True)
    assert stats.hit_ratio == round(50 / 51, 2)
    assert stats.utilization == round(1 / 1024, 2)
    cc.reset_statistics()
    assert (cc.statistics.hits, cc.statistics.misses, cc.statistics.hit_ratio) == (0, 0, None)


def test_the_same_object_is_returned_on_every_hit(cc):
    value = {"a": [1, 2]}
    cc.set_value("obj", value)
    assert cc.get_value("obj") is value
    assert cc.get_value("obj") is cc.get_value("obj")


def test_a_write_is_served_locally_without_a_round_trip(cc, raw):
    """NOLOOP: our own write does not invalidate our copy (Frappe's test_..._noloop)."""
    cc.set_value("k", "v1")
    counter = CommandCounter(raw, "get")
    assert cc.get_value("k") == "v1"
    assert counter.delta("get") == 0


def test_misses_are_not_cached_and_a_stored_none_is_a_miss(cc, raw):
    counter = CommandCounter(raw, "get")
    assert cc.get_value("absent") is None
    assert cc.get_value("absent") is None
    assert counter.delta("get") == 2
    raw.set(b"testsite|none", pickle.dumps(None))
    assert cc.get_value("none") is None
    assert cc.statistics.used == 0


def test_a_generator_fills_a_miss_with_get_set_get(cc, raw):
    counter = CommandCounter(raw, "get", "set")
    assert cc.get_value("gen", generator=lambda: {"made": 1}) == {"made": 1}
    assert (counter.delta("get"), counter.delta("set")) == (2, 1)  # Frappe's test_generator: 3
    counter = CommandCounter(raw, "get")
    assert cc.get_value("gen", generator=lambda: pytest.fail("called on a hit")) == {"made": 1}
    assert counter.delta("get") == 0
    assert pickle.loads(raw.get(b"testsite|gen")) == {"made": 1}


def test_shared_keys_are_unprefixed_and_invalidated_too(cc, raw):
    cc.set_value("global", 1, shared=True)
    assert pickle.loads(raw.get(b"global")) == 1
    assert cc.get_value("global", shared=True) == 1
    raw.set(b"global", pickle.dumps(2))
    # Frappe's keeps str-keyed shared entries until their TTL (invalidations carry bytes).
    wait_for(lambda: cc.get_value("global", shared=True) == 2, timeout=1)


def test_delete_value_and_delete_keys(cc, raw):
    for k in ("defaults::a", "defaults::b", "hooks"):
        cc.set_value(k, k)
    cc.delete_value("hooks")
    assert raw.get(b"testsite|hooks") is None and b"testsite|hooks" not in cc.cache
    cc.delete_value(["defaults::a"])
    cc.set_value("defaults::a", 1)
    cc.delete_keys("defaults::")
    assert raw.keys("testsite|defaults::*") == []
    assert cc.cache == {}
    assert cc.get_value("defaults::b") is None


def test_clear_cache_empties_this_process_only(cc, raw):
    cc.set_value("k", 1)
    cc.clear_cache()
    assert cc.statistics.used == 0
    assert pickle.loads(raw.get(b"testsite|k")) == 1


def test_maxsize_evicts_the_oldest_insertion(wrapper):
    cc = ClientCache(wrapper, maxsize=2)
    for k in ("a", "b", "c"):
        cc.set_value(k, k)
    assert list(cc.cache) == [b"testsite|b", b"testsite|c"]
    assert ClientCache(wrapper, maxsize=0).maxsize == 1024  # Frappe: falsy means the default


def test_entries_expire_after_the_local_ttl(wrapper, raw):
    cc = ClientCache(wrapper, ttl=0.2)
    cc.set_value("k", 1)
    counter = CommandCounter(raw, "get")
    assert cc.get_value("k") == 1
    assert counter.delta("get") == 0
    time.sleep(0.25)
    assert cc.get_value("k") == 1
    assert counter.delta("get") == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"ttl": 0}, ValueError, "ttl must be a positive number of seconds"),
        ({"ttl": None}, ValueError, "always expire"),
        ({"maxsize": -1}, ValueError, "maxsize must be a positive"),
    ],
)
def test_bad_settings_are_refused_clearly(wrapper, kwargs, error, words):
    with pytest.raises(error, match=words):
        ClientCache(wrapper, **kwargs)


def test_it_needs_our_wrapper(raw):
    with pytest.raises(TypeError, match="needs a frappe_cache.RedisWrapper"):
        ClientCache(raw)


def test_an_unpicklable_value_leaves_everything_as_it_was(cc, raw):
    cc.set_value("k", "kept")
    with pytest.raises(frappe_cache.SerializationError):
        cc.set_value("k", threading.Lock())
    assert pickle.loads(raw.get(b"testsite|k")) == "kept"
    assert cc.get_value("k") == "kept"


def test_the_fast_path_and_the_general_path_agree(cc, scope):
    """Inside a request scope, a positional ``get_value(key)`` hit takes the fast entry point."""
    cc.set_value("k", [1])
    assert cc.get_value("k") == [1]
    assert cc.get_value(key="k") == [1]
    assert cc.get_value(b"k") == [1]
    assert cc.get_value("other-key") is None


# -- invalidation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.set(b"testsite|k", pickle.dumps("peer")),
        lambda r: r.delete(b"testsite|k"),
        lambda r: r.unlink(b"testsite|k"),
        lambda r: r.expire(b"testsite|k", 0),
        lambda r: r.flushall(),
        lambda r: r.flushdb(),
        lambda r: r.rename(b"testsite|k", b"testsite|moved"),
    ],
    ids=["set", "del", "unlink", "expire", "flushall", "flushdb", "rename"],
)
def test_a_peer_change_reaches_us(cc, raw, change):
    cc.set_value("k", "ours")
    assert cc.get_value("k") == "ours"
    change(raw)
    expected = pickle.loads(raw.get(b"testsite|k")) if raw.exists(b"testsite|k") else None
    took = wait_for(lambda: cc.get_value("k") == expected, timeout=1)
    assert took < 0.5  # ~0.3 ms at p99 here (make bench); slack for loaded CI and debug builds


def test_our_writes_reach_another_process(wrapper, redis_server, raw):
    ours = ClientCache(wrapper)
    theirs = ClientCache(RedisWrapper.from_url(redis_server.url, site="testsite"))
    ours.set_value("k", 1)
    assert theirs.get_value("k") == 1
    ours.set_value("k", 2)
    wait_for(lambda: theirs.get_value("k") == 2, timeout=1)
    ours.delete_value("k")
    wait_for(lambda: theirs.get_value("k") is None, timeout=1)
    wrapper.set_value("k", 3)  # frappe.cache, another connection of the same process
    wait_for(lambda: ours.get_value("k") == 3 and theirs.get_value("k") == 3, timeout=1)


def test_a_reply_older_than_an_invalidation_is_never_stored(cc, raw):
    """Writers race readers on one key; whatever interleaving, the cache settles on Redis's value."""
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            raw.set(b"testsite|race", pickle.dumps(n))

    t = threading.Thread(target=writer)
    t.start()
    try:
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            cc.get_value("race")
    finally:
        stop.set()
        t.join()
    final = pickle.loads(raw.get(b"testsite|race"))
    wait_for(lambda: cc.get_value("race") == final, timeout=1)


# -- losing the invalidation path ----------------------------------------------------------------


@pytest.fixture
def alone(fresh_server: RedisServer) -> tuple[ClientCache, redis.Redis]:
    """A cache on a server of its own (no other cache's connections in CLIENT LIST)."""
    cc = ClientCache(RedisWrapper.from_url(fresh_server.url, site="testsite"))
    return cc, redis.Redis.from_url(fresh_server.url)


def test_a_killed_listener_flushes_and_the_cache_recovers(alone):
    cc, raw = alone
    cc.set_value("k", "before")
    (listener,) = listener_ids(raw)
    raw.client_kill_filter(_id=listener)
    wait_for(lambda: cc.statistics.used == 0, timeout=1)
    wait_for(lambda: cc.healthy, timeout=3)
    assert listener_ids(raw) != [listener]
    cc.set_value("k", "after")
    assert tracked_ids(raw)  # re-tracked, redirected to the new listener
    (tracked,) = [c for c in raw.client_list() if "t" in c["flags"]]
    assert int(tracked["redir"]) in listener_ids(raw)
    raw.set(b"testsite|k", pickle.dumps("peer"))
    wait_for(lambda: cc.get_value("k") == "peer", timeout=1)


def test_a_killed_tracked_connection_flushes(alone):
    cc, raw = alone
    cc.set_value("k", "before")
    assert cc.get_value("k") == "before"
    (tracked,) = tracked_ids(raw)
    raw.client_kill_filter(_id=tracked)
    # Redis no longer tracks what that connection read: the entry must go.
    wait_for(lambda: cc.statistics.used == 0, timeout=1)
    raw.set(b"testsite|k", pickle.dumps("peer"))
    assert cc.get_value("k") == "peer"


def test_flushall_empties_the_cache(cc, raw):
    for k in "abc":
        cc.set_value(k, k)
    raw.flushall()
    wait_for(lambda: cc.statistics.used == 0, timeout=1)


def test_a_restarted_server(fresh_server):
    wrapper = RedisWrapper.from_url(fresh_server.url, site="testsite", socket_timeout=1)
    raw = redis.Redis.from_url(fresh_server.url)
    cc = ClientCache(wrapper)
    cc.set_value("k", "before")
    fresh_server.kill()
    wait_for(lambda: not cc.healthy, timeout=2)
    assert cc.get_value("k") is None  # Redis is down: frappe.cache's answer, not a stale copy
    fresh_server.restart()
    raw.set(b"testsite|k", pickle.dumps("after"))
    took = wait_for(lambda: cc.healthy, timeout=5)
    assert took < 2.5
    assert cc.get_value("k") == "after"
    raw.set(b"testsite|k", pickle.dumps("again"))
    wait_for(lambda: cc.get_value("k") == "again", timeout=1)


def test_a_frozen_server_is_noticed_by_ping(fresh_server):
    wrapper = RedisWrapper.from_url(fresh_server.url, site="testsite", socket_timeout=0.5)
    cc = ClientCache(wrapper)
    cc.set_value("k", 1)
    fresh_server.pause()
    try:
        took = wait_for(lambda: cc.statistics.used == 0 and not cc.healthy, timeout=6)
    finally:
        fresh_server.resume()
    assert took < 4.5
    wait_for(lambda: cc.healthy, timeout=5)
    cc.set_value("k", 2)
    assert cc.get_value("k") == 2


def test_healthy_comes_back_after_a_long_outage(fresh_server):
    """Frappe's goes unhealthy for good after 10 listener errors; ours keeps trying."""
    wrapper = RedisWrapper.from_url(fresh_server.url, site="testsite", socket_connect_timeout=0.2)
    cc = ClientCache(wrapper)
    fresh_server.kill()
    wait_for(lambda: not cc.healthy, timeout=2)
    reason = (cc.unhealthy_reason or "").lower()  # why: the link's loss, or the failed reconnect
    assert any(word in reason for word in ("closed", "refused", "reset", "lost")), reason
    time.sleep(3)  # some 10 failed attempts
    fresh_server.restart()
    wait_for(lambda: cc.healthy, timeout=3)


def test_a_cache_created_while_redis_is_down_starts_later(server_factory):
    server = server_factory()
    url = server.url
    server.kill()
    cc = ClientCache(RedisWrapper.from_url(url, site="testsite", socket_connect_timeout=0.2))
    assert not cc.healthy
    assert cc.get_value("k") is None  # as frappe.cache: a connection error is a miss
    server.restart()
    wait_for(lambda: cc.healthy, timeout=3)
    cc.set_value("k", 1)
    assert cc.get_value("k") == 1


def test_no_read_is_stale_across_kills_and_a_restart(fresh_server):
    """A writer bumps a version; readers never see a version older than 1 s (issue 10's figure)."""
    wrapper = RedisWrapper.from_url(fresh_server.url, site="testsite", socket_timeout=1)
    cc = ClientCache(wrapper)
    stale = version_checker(lambda: cc.get_value("version"), fresh_server, b"testsite|version", 4.0)
    assert stale["reads"] > 1000 and stale["writes"] > 500
    assert stale["stale"] == 0, stale


# -- Frappe's persistent-cache message -----------------------------------------------------------


def test_erase_persistent_caches_publishes_frappes_message(cc, raw):
    pubsub = raw.pubsub()
    pubsub.subscribe("clear_persistent_cache")
    assert pubsub.get_message(timeout=1)["type"] == "subscribe"
    cc.erase_persistent_caches(doctype="ToDo", site="site1.local")
    message = pubsub.get_message(timeout=1)
    assert message["data"] == json.dumps({"doctype": "ToDo", "site": "site1.local"}).encode()
    pubsub.close()


def test_the_message_clears_site_caches_in_every_process(alone, scope):
    cc, raw = alone  # a server of its own: no other cache's listener acts on these messages
    calls = []

    @site_cache
    def settings() -> int:
        calls.append(1)
        return len(calls)

    assert settings() == settings() == 1
    # As a pure-Python Frappe worker sends it.
    raw.publish("clear_persistent_cache", json.dumps({"doctype": None, "site": "site1.local"}))
    wait_for(lambda: settings() == 2, timeout=1)
    # A doctype's message leaves @site_cache alone (Frappe clears that doctype's controllers).
    raw.publish("clear_persistent_cache", json.dumps({"doctype": "ToDo", "site": "site1.local"}))
    time.sleep(0.05)
    assert settings() == 2


# -- transports and processes --------------------------------------------------------------------


def test_over_a_unix_socket(server_factory):
    server = server_factory(unixsocket=True)
    cc = ClientCache(RedisWrapper.from_url(server.unix_url, site="testsite"))
    assert cc.healthy, cc.unhealthy_reason
    raw = redis.Redis(unix_socket_path=server.unix_socket_path)
    cc.set_value("k", 1)
    raw.set(b"testsite|k", pickle.dumps(2))
    wait_for(lambda: cc.get_value("k") == 2, timeout=1)


# CPython 3.12+ warns on any fork() of a process with threads (here the listener's), as it
# would for Frappe's own listener thread: the child never uses what they held.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_has_its_own_cache_and_listener(cc, raw):
    cc.set_value("k", "parent")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            ok = cc.statistics.used == 0 and cc.healthy and cc.get_value("k") == "parent"
            raw.set(b"testsite|k", pickle.dumps("from the child"))
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write)
    assert os.read(read, 1) == b"1"
    os.close(read)
    os.waitpid(pid, 0)
    wait_for(lambda: cc.get_value("k") == "from the child", timeout=1)


def test_a_dropped_cache_stops_its_listener(fresh_server):
    raw = redis.Redis.from_url(fresh_server.url)
    cc = ClientCache(RedisWrapper.from_url(fresh_server.url, site="testsite"))
    assert len(listener_ids(raw)) == 1
    del cc
    wait_for(lambda: listener_ids(raw) == [], timeout=2)


def test_the_listener_thread_is_visible_and_idle(cc):
    """Frappe's test_perf watches ``client_cache.invalidator_thread.native_id``'s CPU use."""
    thread = cc.invalidator_thread
    assert thread is not None and thread.is_alive()
    stat = f"/proc/{os.getpid()}/task/{thread.native_id}/stat"
    if not os.path.exists(stat):
        pytest.skip("no /proc here")

    def cpu_ticks() -> int:
        fields = open(stat).read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    before = cpu_ticks()
    time.sleep(1.0)
    assert cpu_ticks() - before <= 2  # at most 2% of one CPU while idle


def test_a_server_that_refuses_tracking_turns_it_off_for_good(server_factory):
    """Redis 5, a proxy, an ACL without ``client|tracking``: reads and writes still work, as
    frappe.cache's; ``healthy`` says False and why, and the listener stops."""
    acl = ["default", "on", "nopass", "~*", "&*", "+@all", "-client|tracking"]
    server = server_factory(args=["--user", *acl])
    raw = redis.Redis.from_url(server.url)
    cc = ClientCache(RedisWrapper.from_url(server.url, site="testsite"))
    cc.set_value("k", 1)
    assert cc.get_value("k") == 1
    assert not cc.healthy
    assert "CLIENT TRACKING" in (cc.unhealthy_reason or ""), cc.unhealthy_reason
    raw.set(b"testsite|k", pickle.dumps(2))
    assert cc.get_value("k") == 2
    wait_for(lambda: listener_ids(raw) == [], timeout=2)
