"""Redis Sentinel: ``RedisWrapper.from_sentinel`` against 1 master, 1 replica and 3 sentinels.

Every process is a real ``redis-server`` on loopback (``tests/sentinels.py``). The failover
tests run 8 threads of mixed load through ``SENTINEL FAILOVER`` and through a master SIGKILL;
``make reliability`` runs them with ``FRAPPE_CACHE_RECORD=1``, which writes their figures to
``bench/results/sentinel.md`` and quotes that in the README.
"""

from __future__ import annotations

import gc
import os
import pickle
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from frappe_cache import CacheConnectionError, ClientCache, RedisWrapper
from frappe_cache._native import SentinelMaster
from sentinels import SERVICE, SentinelGroup, wait_switch
from support import make_pki, recorder

SITE = "sentinelsite"


FIGURES, _record = recorder(
    "sentinel",
    "tests/test_sentinel.py",
    ": 1 master, 1 replica, 3 sentinels (quorum 2, down-after-milliseconds 1000) on loopback.",
    "event",
)


@pytest.fixture(scope="module")
def group() -> Iterator[SentinelGroup]:
    g = SentinelGroup()
    yield g
    g.close()


@pytest.fixture
def cache(group: SentinelGroup) -> Iterator[RedisWrapper]:
    group.wait_ready()
    group.node(group.master_port()).flushall()
    w = RedisWrapper.from_sentinel(group.addresses, SERVICE, site=SITE, socket_timeout=2)
    yield w
    w.close()


# -- the master, as Frappe's set-up names it ---------------------------------------------------


def test_values_reach_the_master_as_the_bytes_a_python_worker_reads(
    group: SentinelGroup, cache: RedisWrapper
) -> None:
    cache.set_value("doc", {"name": "x", "n": 1})
    cache.hset("h", "f", [1, 2])
    master = group.node(group.master_port())
    assert pickle.loads(master.get(f"{SITE}|doc")) == {"name": "x", "n": 1}
    assert pickle.loads(master.hget(f"{SITE}|h", "f")) == [1, 2]
    # A pure-Python worker on Frappe's own Sentinel set-up (redis-py's master_for) reads them.
    python_worker = redis.sentinel.Sentinel(group.addresses).master_for(SERVICE)
    assert pickle.loads(python_worker.get(f"{SITE}|doc")) == {"name": "x", "n": 1}
    python_worker.set(f"{SITE}|from-python", pickle.dumps({"ok": True}))
    assert cache.get_value("from-python") == {"ok": True}


@pytest.mark.parametrize(
    "sentinels",
    [
        "host:port strings",  # Frappe's redis_cache_sentinels
        "(host, 'port') tuples",  # what Frappe's setup_cache makes of them
        "(host, port) tuples",  # redis-py's Sentinel
    ],
)
def test_sentinels_are_read_in_frappe_and_redis_py_spellings(group: SentinelGroup, sentinels: str) -> None:
    spelled = {
        "host:port strings": [f"{h}:{p}" for h, p in group.addresses],
        "(host, 'port') tuples": [(h, str(p)) for h, p in group.addresses],
        "(host, port) tuples": group.addresses,
    }[sentinels]
    w = RedisWrapper.from_sentinel(spelled, SERVICE, site=SITE)
    w.set_value("spelling", sentinels)
    assert pickle.loads(group.node(group.master_port()).get(f"{SITE}|spelling")) == sentinels
    assert w.sentinel_master.sentinels == group.addresses
    assert w.url.startswith("redis+sentinel://127.0.0.1:")
    assert repr(w).startswith("RedisWrapper.from_sentinel(")


def test_pubsub_and_client_id_use_redis_pys_sentinel_pool_on_the_same_master(
    group: SentinelGroup, cache: RedisWrapper
) -> None:
    pubsub = cache.pubsub()
    pubsub.subscribe("chan")
    assert pubsub.get_message(timeout=2)["type"] == "subscribe"
    group.node(group.master_port()).publish("chan", "hello")
    message = pubsub.get_message(timeout=2)
    assert message is not None and message["data"] == b"hello"
    pubsub.close()
    assert isinstance(cache.client_id(), int)


@pytest.mark.parametrize(
    ("sentinels", "service", "words"),
    [
        ([], SERVICE, "the list is empty"),
        ("127.0.0.1:26379", SERVICE, "got one string"),
        (["127.0.0.1"], SERVICE, "has no :port"),
        ([("127.0.0.1", "port")], SERVICE, "is not a port number"),
        ([("127.0.0.1", 70000)], SERVICE, "is not a port number"),
        ([("127.0.0.1",)], SERVICE, "is not a pair"),
        ([42], SERVICE, "is not a pair"),
        ([("127.0.0.1", 26379)], None, "service_name is missing"),
        ([("127.0.0.1", 26379)], "", "service_name is missing"),
    ],
)
def test_bad_sentinel_settings_are_refused_with_what_to_fix(sentinels, service, words) -> None:
    with pytest.raises(ValueError, match=words):
        RedisWrapper.from_sentinel(sentinels, service)
    with pytest.raises(ValueError, match=words):
        SentinelMaster(sentinels, service)


def test_tls_files_need_ssl_true(group: SentinelGroup) -> None:
    with pytest.raises(ValueError, match="ssl=True"):
        RedisWrapper.from_sentinel(group.addresses, SERVICE, ssl_ca_certs="/nonexistent.pem")


def test_an_unknown_service_is_a_connection_error_that_names_it(group: SentinelGroup) -> None:
    w = RedisWrapper.from_sentinel(group.addresses, "nosuchmaster", site=SITE)
    with pytest.raises(CacheConnectionError, match=r"no sentinel named the master \"nosuchmaster\""):
        w.execute_command("PING")
    # Frappe's policy: connection problems are swallowed by the cache methods.
    assert w.get_value("k") is None
    assert w.connected() is False


def test_unreachable_sentinels_fail_fast_and_a_later_sentinel_answers(group: SentinelGroup) -> None:
    from frappe_cache.testing import _free_port

    dead = [("127.0.0.1", _free_port()), ("127.0.0.1", _free_port())]
    w = RedisWrapper.from_sentinel(dead, SERVICE, socket_connect_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(CacheConnectionError, match="no sentinel named the master"):
        w.execute_command("PING")
    assert time.monotonic() - started < 1.5
    # Dead sentinels first in the list: the live one after them is asked.
    w = RedisWrapper.from_sentinel([*dead, group.addresses[2]], SERVICE, site=SITE)
    w.set_value("after-dead-ones", 1)
    assert w.get_value("after-dead-ones", use_local_cache=False) == 1


def test_a_replica_named_as_master_is_never_written_to(group: SentinelGroup) -> None:
    """A sentinel naming a replica (stale, or lying) is caught by ROLE before any command."""
    import socket

    replica_port = next(s.port for s in group.servers if s.port != group.master_port())
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    asked = []

    def liar() -> None:
        # A fake sentinel: every get-master-addr-by-name is answered with the replica.
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                data = conn.recv(4096)
                asked.append(data)
                port = str(replica_port).encode()
                conn.sendall(b"*2\r\n$9\r\n127.0.0.1\r\n$%d\r\n%s\r\n" % (len(port), port))
                time.sleep(0.05)

    thread = threading.Thread(target=liar, daemon=True)
    thread.start()
    try:
        w = RedisWrapper.from_sentinel([listener.getsockname()], SERVICE, socket_timeout=1)
        with pytest.raises(CacheConnectionError, match="is a replica now"):
            w.execute_command("SET", "lied-to", "x")
        assert asked and b"get-master-addr-by-name" in asked[0]
        assert group.node(replica_port).get("lied-to") is None
    finally:
        listener.close()


def test_sentinel_and_master_passwords() -> None:
    g = SentinelGroup(sentinel_password="sentinel-secret", master_password="master-secret")
    try:
        w = RedisWrapper.from_sentinel(
            [f"{h}:{p}" for h, p in g.addresses],
            SERVICE,
            site=SITE,
            password="master-secret",
            sentinel_password="sentinel-secret",
        )
        w.set_value("authed", 1)
        assert pickle.loads(g.node(g.master_port()).get(f"{SITE}|authed")) == 1
        assert "secret" not in repr(w) and "secret" not in w.url
        wrong = RedisWrapper.from_sentinel(
            g.addresses, SERVICE, password="master-secret", sentinel_password="nope"
        )
        with pytest.raises(CacheConnectionError, match="no sentinel named the master"):
            wrong.execute_command("PING")
    finally:
        g.close()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
def test_sentinels_and_master_over_tls(tmp_path: Path) -> None:
    pki = make_pki(tmp_path, "server")
    g = SentinelGroup(pki=pki)
    try:
        w = RedisWrapper.from_sentinel(
            g.tls_addresses, SERVICE, site=SITE, ssl=True, ssl_ca_certs=str(pki / "ca.crt")
        )
        assert w.url.startswith("rediss+sentinel://")
        w.set_value("over-tls", {"tls": True})
        assert w.get_value("over-tls", use_local_cache=False) == {"tls": True}
        assert pickle.loads(g.node(g.master_port()).get(f"{SITE}|over-tls")) == {"tls": True}
        assert isinstance(w.client_id(), int)  # redis-py's Sentinel pool, over TLS too
        # Without the CA, the sentinels' certificate is refused: a connection error.
        untrusted = RedisWrapper.from_sentinel(g.tls_addresses, SERVICE, site=SITE, ssl=True)
        with pytest.raises(CacheConnectionError, match="certificate"):
            untrusted.execute_command("PING")
    finally:
        g.close()


def test_a_known_master_keeps_serving_while_every_sentinel_is_down() -> None:
    g = SentinelGroup()
    try:
        w = RedisWrapper.from_sentinel(g.addresses, SERVICE, site=SITE, socket_connect_timeout=0.5)
        w.set_value("before", 1)
        for s in g.sentinels:
            s.stop()
        # The master is known and answers ROLE as master: no sentinel is needed for that.
        w.close()  # new connections too, not only the open ones
        w.set_value("after", 2)
        assert w.get_value("after", use_local_cache=False) == 2
        assert pickle.loads(g.node(g.servers[0].port).get(f"{SITE}|after")) == 2
    finally:
        g.close()


def _watchers() -> int:
    """Threads of this process named like our sentinel watchers."""
    count = 0
    for task in Path("/proc/self/task").iterdir():
        try:
            if (task / "comm").read_text().startswith("frappe-cache se"):
                count += 1
        except OSError:
            pass
    return count


def test_one_watcher_per_sentinel_that_ends_with_its_wrapper(group: SentinelGroup) -> None:
    gc.collect()
    time.sleep(1.2)  # watchers of earlier tests' wrappers end within a pause
    before = _watchers()
    w = RedisWrapper.from_sentinel(group.addresses, SERVICE, site=SITE)
    w.set_value("watched", 1)
    assert _watchers() == before + 3
    del w
    gc.collect()
    deadline = time.monotonic() + 3
    while _watchers() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _watchers() == before


def test_a_forked_child_finds_the_master_itself(group: SentinelGroup, cache: RedisWrapper) -> None:
    cache.set_value("before-fork", 1)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit code
        try:
            ok = cache.get_value("before-fork", use_local_cache=False) == 1
            cache.set_value("from-child", 2)
            os._exit(0 if ok else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert cache.get_value("from-child", use_local_cache=False) == 2


# -- failover under load -------------------------------------------------------------------------


class Load:
    """8 threads of mixed commands, each on keys of its own, recording every write's outcome.

    Every write carries (thread, key, sequence number), so a read can tell a wrong value (not
    one this key was ever given, or from the future) from an old one.
    """

    THREADS = 8
    KEYS = 20

    def __init__(self, cache: RedisWrapper) -> None:
        self.cache = cache
        self.stop = threading.Event()
        self.wrong: list[str] = []
        self.failures: list[tuple[float, float, str]] = []  # (start, end, error)
        # Per key: every acknowledged write as (start, seq), and the highest seq attempted.
        self.acked: dict[str, list[tuple[float, int]]] = {}
        self.attempted: dict[str, int] = {}
        self.ops = 0
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(self.THREADS)]

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()

    def run(self, me: int) -> None:
        seq = 0
        n = 0
        while not self.stop.is_set():
            n += 1
            key = f"load:{me}:{n % self.KEYS}"
            start = time.monotonic()
            try:
                if n % 3 == 0:
                    seq += 1
                    self.attempted[key] = seq
                    self.cache.set(key, pickle.dumps((me, key, seq)))
                    self.acked.setdefault(key, []).append((start, seq))
                elif n % 3 == 1:
                    self.check(key, self.cache.get(key))
                else:
                    # Frappe's own paths (connection errors are swallowed there, as in Frappe).
                    self.cache.hset(f"h:{me}", key, seq)
                    got = self.cache.hget(f"h:{me}", key)
                    if got is not None and not isinstance(got, int):
                        self.wrong.append(f"hget {key}: {got!r}")
            except Exception as e:  # noqa: BLE001 - every failure is recorded and judged
                self.failures.append((start, time.monotonic(), f"{type(e).__name__}: {e}"))
            self.ops += 1

    def check(self, key: str, raw: bytes | None) -> None:
        if raw is None:
            return
        me, k, seq = pickle.loads(raw)
        if k != key or seq > self.attempted.get(key, 0):
            self.wrong.append(f"{key}: {(me, k, seq)}")

    def recovery_after(self, announced: float) -> float:
        """How long after ``announced`` the last failed call ended (0: none failed after it)."""
        late = [end - announced for start, end, _ in self.failures if end > announced]
        return max(late, default=0.0)

    def lost_after(self, announced: float, master: redis.Redis) -> tuple[int, int]:
        """Writes begun after ``announced`` and acknowledged, whose value the master does not
        have (nor a later one), once the load has stopped: (lost, checked)."""
        lost = checked = 0
        for key, writes in self.acked.items():
            after = [seq for start, seq in writes if start >= announced]
            if not after:
                continue
            checked += len(after)
            raw = master.get(key)
            have = pickle.loads(raw)[2] if raw is not None else 0
            lost += sum(1 for seq in after if seq > have)
        return lost, checked


def test_sentinel_failover_under_load(group: SentinelGroup, cache: RedisWrapper) -> None:
    """``SENTINEL FAILOVER`` while 8 threads read and write: no wrong value, writes succeed
    again right after the announcement, and none acknowledged after it is lost (the old master
    stays writable until Sentinel demotes it; we follow +switch-master, not errors)."""
    with Load(cache) as load:
        time.sleep(0.5)
        old, new = group.failover()
        announced = time.monotonic()
        time.sleep(3)
    # The load stopped while the old master still took writes; once Sentinel demotes it, it
    # holds the new master's data, so a write acknowledged by it after the switch is gone.
    deadline = time.monotonic() + 30
    while group.node(old).execute_command("ROLE")[0] != b"slave" and time.monotonic() < deadline:
        time.sleep(0.1)
    demoted = time.monotonic() - announced
    assert new != old
    assert load.wrong == []
    recovery = load.recovery_after(announced)
    group.node(new).execute_command("WAIT", 1, 2000)
    lost, checked = load.lost_after(announced, group.node(new))
    errors = sorted({e.split(":")[0] for _, _, e in load.failures})
    FIGURES["a SENTINEL FAILOVER"] = (
        f"| SENTINEL FAILOVER under 8 threads (get/set, hset/hget) | 0 wrong values; calls succeed "
        f"within 2 s of the announcement; 0 writes begun after it lost | {len(load.wrong)} wrong over "
        f"{load.ops} calls; last failure {recovery * 1000:.0f} ms after the announcement "
        f"({len(load.failures)} failed calls{': ' + ', '.join(errors) if errors else ''}); "
        f"{lost} of {checked} writes begun after it lost (the old master stayed writable "
        f"{demoted:.1f} s after it) |"
    )
    assert recovery < 2.0, load.failures[-5:]
    assert checked > 0
    assert lost == 0


def test_master_killed_under_load(group: SentinelGroup, cache: RedisWrapper) -> None:
    """SIGKILL of the master: calls fail while no master exists (Frappe's policy swallows them
    in its own methods), and succeed again within 2 s of the new master's announcement."""
    pubsub = group.sentinels[1].client().pubsub()
    pubsub.subscribe("+switch-master")
    old = group.master_port()
    with Load(cache) as load:
        time.sleep(0.5)
        killed = time.monotonic()
        group.server(old).kill()
        new = wait_switch(pubsub)
        announced = time.monotonic()
        time.sleep(3)
    pubsub.close()
    assert new != old
    assert load.wrong == []
    recovery = load.recovery_after(announced)
    errors = sorted({e.split(":")[0] for _, _, e in load.failures})
    FIGURES["b master SIGKILL"] = (
        f"| master SIGKILLed under 8 threads | 0 wrong values; calls succeed within 2 s of the "
        f"new master's announcement | {len(load.wrong)} wrong over {load.ops} calls; announced "
        f"{(announced - killed):.1f} s after the kill ({len(load.failures)} calls failed meanwhile: "
        f"{', '.join(errors) or 'none'}); last failure {recovery * 1000:.0f} ms after the announcement |"
    )
    assert recovery < 2.0, load.failures[-5:]
    # The killed master comes back empty, as a replica of the new one.
    server = group.server(old)
    server.restart()
    group.wait_ready()


# -- the drop-in -------------------------------------------------------------------------------


def test_install_builds_frappe_cache_from_frappes_sentinel_keys(group: SentinelGroup) -> None:
    import frappe_cache.frappe as dropin
    from frappe_standin import harness

    group.wait_ready()
    # Frappe ignores redis_cache when Sentinel is enabled: a URL nothing listens on proves it.
    frappe = harness.load("redis://127.0.0.1:9")
    try:
        frappe.COMMON_SITE_CONFIG.update(
            {
                "redis_cache_sentinel_enabled": 1,
                "redis_cache_sentinels": [f"{h}:{p}" for h, p in group.addresses],
                "redis_cache_master_service": SERVICE,
            }
        )
        dropin.install()
        with harness.job(frappe, harness.SITE1):
            assert isinstance(frappe.cache, RedisWrapper)
            assert frappe.cache.sentinel_master.service_name == SERVICE
            frappe.cache.set_value("via-install", 7)
            # v16 builds its ClientCache on frappe.cache (client_id(), pubsub()): it came up.
            assert frappe.client_cache is not None
            assert frappe.cache.get_value("via-install", use_local_cache=False) == 7
        master = group.node(group.master_port())
        assert pickle.loads(master.get(f"{harness.DB1}|via-install")) == 7
    finally:
        frappe.COMMON_SITE_CONFIG.clear()
        harness.unload()


def test_the_client_cache_follows_a_failover(group: SentinelGroup, cache: RedisWrapper) -> None:
    """Issue 10 on Sentinel: the listener and the tracked connection move to the new master; what
    was cached from the old one is dropped, and the new master's invalidations arrive."""
    cc = ClientCache(cache)
    assert cc.healthy, cc.unhealthy_reason
    cc.set_value("k", "before")
    assert cc.get_value("k") == "before"
    old, new = group.failover()
    deadline = time.monotonic() + 10
    while not (cc.healthy and cc.statistics.used == 0) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert cc.statistics.used == 0  # the old master's tracking is gone with it
    cc.set_value("k", "on the new master")
    assert cc.get_value("k") == "on the new master"
    group.node(new).set(f"{SITE}|k", pickle.dumps("peer"))
    deadline = time.monotonic() + 1
    while cc.get_value("k") != "peer" and time.monotonic() < deadline:
        time.sleep(0.005)
    assert cc.get_value("k") == "peer"
