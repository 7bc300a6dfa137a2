"""Redis Cluster: ``RedisWrapper.from_cluster`` against 3 masters and 3 replicas on loopback.

Every node is a real ``redis-server --cluster-enabled yes`` (``tests/clusters.py``); redis-py's
own ``RedisCluster`` client is the independent reader. The resharding, mass-delete and failover
tests record their figures with ``FRAPPE_CACHE_RECORD=1`` (``make reliability``) in
``bench/results/cluster.md``, which the README quotes.
"""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import frappe_cache
import pytest
from clusters import Cluster
from frappe_cache import CacheResponseError, ClientCache, RedisWrapper
from frappe_cache._native import ClusterNodes
from support import CommandCounter, make_pki, recorder

SITE = "clustersite"


FIGURES, _record = recorder(
    "cluster",
    "tests/test_cluster.py",
    ": 3 masters, 3 replicas (cluster-node-timeout 1000) on loopback.",
    "event",
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    c = Cluster()
    yield c
    c.close()


@pytest.fixture
def cache(cluster: Cluster) -> Iterator[RedisWrapper]:
    cluster.wait_ok()
    cluster.flush()
    w = RedisWrapper.from_cluster(cluster.urls[:2], site=SITE, socket_timeout=3)
    yield w
    w.close()


def test_values_are_frappes_bytes_under_frappes_keys_on_every_master(
    cluster: Cluster, cache: RedisWrapper
) -> None:
    for i in range(300):
        cache.set_value(f"doc:{i}", {"i": i})
    reader = cluster.client()
    assert all(pickle.loads(reader.get(f"{SITE}|doc:{i}")) == {"i": i} for i in range(300))
    # No hash tags: one site's keys spread over every master.
    per_master = [cluster.node(p).dbsize() for p in cluster.masters()]
    assert len(per_master) == 3 and all(n > 50 for n in per_master), per_master
    reader.set(f"{SITE}|from-python", pickle.dumps([1, 2]))
    assert cache.get_value("from-python") == [1, 2]


def test_frappe_methods_and_decorators_work_on_a_cluster(cluster: Cluster, cache: RedisWrapper) -> None:
    cache.hset("bootinfo", "Administrator", {"x": 1})
    assert cache.hget("bootinfo", "Administrator") == {"x": 1}
    assert cache.hgetall("bootinfo") == {b"Administrator": {"x": 1}}
    cache.set_value("user-scoped", 5, user="a@b.c")
    assert cache.get_value("user-scoped", user="a@b.c", use_local_cache=False) == 5
    cache.sadd("members", "a", "b")
    assert cache.smembers("members") == {b"a", b"b"}
    calls = []

    @frappe_cache.redis_cache(cache=cache)
    def square(x: int) -> int:
        calls.append(x)
        return x * x

    assert [square(i) for i in range(20)] + [square(i) for i in range(20)] == [i * i for i in range(20)] * 2
    assert calls == list(range(20))


def test_multi_key_commands_are_split_by_slot(cluster: Cluster, cache: RedisWrapper) -> None:
    keys = [f"multi:{i}" for i in range(50)]
    for k in keys:
        cache.set_value(k, k)
    assert cache.exists(*keys) == 50
    assert [pickle.loads(v) for v in cache.mget([f"{SITE}|{k}" for k in keys])] == keys
    cache.delete_value(keys[:30])
    assert cache.exists(*keys) == 20
    assert cluster.client().exists(*[f"{SITE}|{k}" for k in keys]) == 20
    assert cache.unlink(*[f"{SITE}|{k}" for k in keys]) == 20
    assert cache.mset({f"m{i}": i for i in range(20)}) is True
    assert [int(v) for v in cache.mget([f"m{i}" for i in range(20)])] == list(range(20))


def test_get_keys_and_delete_keys_scan_every_master(cluster: Cluster, cache: RedisWrapper) -> None:
    for i in range(500):
        cache.set_value(f"scan:{i}", i)
    cache.set_value("other", 1)
    found = cache.get_keys("scan:")
    assert len(found) == 500
    cache.delete_keys("scan:")
    assert cache.get_keys("scan:") == []
    assert cache.get_value("other", use_local_cache=False) == 1
    assert sum(cluster.node(p).dbsize() for p in cluster.masters()) == 1


def test_pipelines_group_by_master_and_transactions_keep_to_one_slot(
    cluster: Cluster, cache: RedisWrapper
) -> None:
    pipe = cache.pipeline(transaction=False)
    for i in range(30):
        pipe.set(f"p:{i}", i)
    pipe.mget([f"p:{i}" for i in range(30)])
    pipe.delete(*[f"p:{i}" for i in range(10)])
    replies = pipe.execute()
    assert replies[:30] == [True] * 30
    assert [int(v) for v in replies[30]] == list(range(30))
    assert replies[31] == 10
    # One slot (a hash tag): a transaction runs.
    pipe = cache.pipeline(transaction=True)
    pipe.set("{t}a", 1).incr("{t}b").get("{t}a")
    assert pipe.execute() == [True, 1, b"1"]
    # Keys of several slots: refused, saying what to do instead; nothing ran.
    pipe = cache.pipeline(transaction=True)
    pipe.set("tx-a", 1).set("tx-b", 2)
    with pytest.raises(CacheResponseError, match="one hash slot"):
        pipe.execute()
    assert cache.exists("tx-a", "tx-b") == 0


def test_pubsub_reaches_across_the_cluster(cluster: Cluster, cache: RedisWrapper) -> None:
    pubsub = cache.pubsub()
    pubsub.subscribe("events")
    assert pubsub.get_message(timeout=2)["type"] == "subscribe"
    other = cluster.masters()[-1]
    cluster.node(other).publish("events", "hi")
    message = pubsub.get_message(timeout=2)
    assert message is not None and message["data"] == b"hi"
    pubsub.close()


@pytest.mark.parametrize(
    ("nodes", "words"),
    [
        ([], "the list is empty"),
        (["redis://127.0.0.1:7000/1"], "only database 0"),
        (["unix:///tmp/redis.sock"], "not a TCP address"),
        (["redis://127.0.0.1:7000", "rediss://127.0.0.1:7001"], "some URLs are rediss://"),
        (["http://x"], "invalid Redis URL"),
        (42, "expected a list of redis://"),
    ],
)
def test_bad_cluster_nodes_are_refused_with_what_to_fix(nodes, words) -> None:
    with pytest.raises(ValueError, match=words):
        RedisWrapper.from_cluster(nodes)
    with pytest.raises(ValueError, match=words):
        ClusterNodes(nodes)


def test_an_unreachable_cluster_is_a_connection_error_frappe_swallows() -> None:
    from frappe_cache import CacheConnectionError
    from frappe_cache.testing import _free_port

    w = RedisWrapper.from_cluster(
        [f"redis://127.0.0.1:{_free_port()}"], site=SITE, socket_connect_timeout=0.5
    )
    with pytest.raises(CacheConnectionError, match="no node answered CLUSTER SLOTS"):
        w.execute_command("GET", "k")
    assert w.get_value("k") is None


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
def test_a_cluster_over_tls(tmp_path: Path) -> None:
    pki = make_pki(tmp_path, "server")
    tls_cluster = Cluster(replicas_each=0, pki=pki)
    try:
        w = RedisWrapper.from_cluster(tls_cluster.urls[:1], site=SITE, ssl_ca_certs=str(pki / "ca.crt"))
        assert w.url.startswith("rediss+cluster://")
        for i in range(100):
            w.set_value(f"tls:{i}", i)
        assert [w.get_value(f"tls:{i}", use_local_cache=False) for i in range(100)] == list(range(100))
        assert len(w.get_keys("tls:")) == 100
        # Every master got a share, over TLS.
        assert all(tls_cluster.node(p).dbsize() > 10 for p in tls_cluster.masters())
    finally:
        tls_cluster.close()


# -- topology changes under load -----------------------------------------------------------------


class Load:
    """8 threads of mixed commands (GET/SET, Frappe's set_value/get_value, a multi-key EXISTS, a
    pipeline over several slots), each on keys of its own; every exception and every wrong value
    is recorded."""

    def __init__(self, cache: RedisWrapper, threads: int = 8) -> None:
        self.cache = cache
        self.stop = threading.Event()
        self.wrong: list[str] = []
        self.failures: list[tuple[float, float, str]] = []
        self.ops = 0
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(threads)]

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()

    def run(self, me: int) -> None:
        # Every value each key was ever given: a failover may lose the latest (Redis replicates
        # asynchronously), so an older one is not wrong; one never written there is.
        given: dict[str, set] = {}
        n = 0
        while not self.stop.is_set():
            n += 1
            key = f"load:{me}:{n % 200}"
            mine = given.setdefault(key, set())
            start = time.monotonic()
            try:
                if n % 4 == 0:
                    mine.add(n)
                    self.cache.set(key, n)
                elif n % 4 == 1:
                    got = self.cache.get(key)
                    value = got if got is None else (int(got) if got.isdigit() else pickle.loads(got))
                    if value is not None and value not in mine:
                        self.wrong.append(f"{key}: {got!r}")
                elif n % 4 == 2:
                    mine.add((me, n))
                    self.cache.set_value(key, (me, n))
                    got = self.cache.get_value(key, use_local_cache=False)
                    if got is not None and got not in mine:
                        self.wrong.append(f"{key}: {got!r}")
                    mine.add(n)
                    self.cache.set(key, n)  # back to an int for the GET branch
                elif n % 8 == 3:
                    self.cache.exists(*(f"load:{me}:{i}" for i in range(10)))
                else:
                    # A pipeline over several slots: grouped by master, redirections followed.
                    keys = [f"load:{me}:{(n + i) % 200}" for i in range(5)]
                    pipe = self.cache.pipeline(transaction=False)
                    for k in keys:
                        given.setdefault(k, set()).add(n)
                        pipe.set(k, n)
                    pipe.mget(keys)
                    replies = pipe.execute()
                    if replies[:5] != [True] * 5 or any(v is not None and int(v) != n for v in replies[5]):
                        self.wrong.append(f"pipeline {keys}: {replies!r}")
            except Exception as e:  # noqa: BLE001 - every failure is recorded and judged
                self.failures.append((start, time.monotonic(), f"{type(e).__name__}: {e}"))
            self.ops += 1


def _node_ids(cluster: Cluster) -> dict[int, str]:
    return {p: cluster.node(p).execute_command("CLUSTER", "MYID").decode() for p in cluster.masters()}


def test_slots_migrated_under_load_surface_no_error(cluster: Cluster, cache: RedisWrapper) -> None:
    cli = shutil.which("redis-cli")
    assert cli
    ids = _node_ids(cluster)
    source, target = list(ids)[:2]
    with Load(cache) as load:
        time.sleep(0.5)
        started = time.monotonic()
        subprocess.run(
            [
                cli,
                "--cluster",
                "reshard",
                f"127.0.0.1:{source}",
                "--cluster-from",
                ids[source],
                "--cluster-to",
                ids[target],
                "--cluster-slots",
                "1000",
                "--cluster-yes",
                "--cluster-pipeline",
                "10",
            ],  # fmt: skip
            check=True,
            capture_output=True,
            timeout=120,
        )
        took = time.monotonic() - started
        time.sleep(0.5)
    cluster.wait_ok()
    moved = sum(1 for r in cluster.node(target).execute_command("CLUSTER", "SLOTS") if int(r[2][1]) == target)
    FIGURES["a reshard"] = (
        f"| 1000 slots migrated (`redis-cli --cluster reshard`) under 8 threads (GET/SET, "
        f"set_value/get_value, 10-key EXISTS, 6-command pipelines) | 0 errors surfaced, 0 wrong values | "
        f"{len(load.failures)} errors, {len(load.wrong)} wrong over {load.ops} calls; the "
        f"migration took {took:.1f} s |"
    )
    assert moved >= 1
    assert load.wrong == []
    assert load.failures == []
    assert load.ops > 1000


PROBE = r"""
import json, socket, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
samples = []
end = time.monotonic() + seconds
while time.monotonic() < end:
    t = time.monotonic()
    s.sendall(b"*1\r\n$4\r\nPING\r\n")
    s.recv(16)
    samples.append((t, time.monotonic() - t))
print(json.dumps(samples))
"""


def _probe(ports: list[int], seconds: float) -> list[subprocess.Popen[str]]:
    """A process per master that PINGs it for ``seconds``; each reports (start, wait) pairs."""
    return [
        subprocess.Popen(
            [sys.executable, "-c", PROBE, str(p), str(seconds)], stdout=subprocess.PIPE, text=True
        )
        for p in ports
    ]


def _samples(probes: list[subprocess.Popen[str]]) -> list[tuple[float, float]]:
    return [(t, w * 1000) for p in probes for t, w in json.loads(p.communicate(timeout=60)[0])]


def _stats(samples: list[tuple[float, float]], start: float, end: float) -> tuple[float, float, int]:
    """(slowest PING, 99.9th percentile, in ms; count) of the PINGs sent between start and end."""
    waits = sorted(w for t, w in samples if start <= t <= end)
    return waits[-1], waits[int(len(waits) * 0.999)], len(waits)


def test_delete_keys_of_100k_keys_in_steps(cluster: Cluster, cache: RedisWrapper) -> None:
    for start in range(0, 100_000, 2000):
        pipe = cache.pipeline(transaction=False)
        for i in range(start, start + 2000):
            pipe.set(f"{SITE}|bulk:{i}", b"x")
        pipe.execute()
    cache.set_value("bulk", "not matched: bulk:* needs the colon")
    masters = cluster.masters()
    assert sum(cluster.node(p).dbsize() for p in masters) == 100_001
    counters = [CommandCounter(cluster.node(p), "scan", "unlink", "keys") for p in masters]
    for p in masters:  # every command that runs 5 ms or longer is logged by the server itself
        cluster.node(p).config_set("slowlog-log-slower-than", 5000)
        cluster.node(p).slowlog_reset()
    # The probes run before (this machine's own noise) and during the delete.
    probes = _probe(masters, 3.0)
    time.sleep(1.0)
    started = time.monotonic()
    cache.delete_keys("bulk:")
    took = time.monotonic() - started
    samples = _samples(probes)
    busy_max, busy_p999, busy_n = _stats(samples, started, started + took)
    idle_max, idle_p999, _ = _stats(samples, started - 0.8, started)
    slow = [entry for p in masters for entry in cluster.node(p).slowlog_get(128)]
    for p in masters:
        cluster.node(p).config_set("slowlog-log-slower-than", 10000)
    assert sum(cluster.node(p).dbsize() for p in masters) == 1
    assert cache.get_value("bulk", use_local_cache=False) == "not matched: bulk:* needs the colon"
    FIGURES["b delete_keys"] = (
        f"| delete_keys over 100k keys on 3 masters, another client PINGing each master | no "
        f"other client waits more than 5 ms | took {took:.2f} s; {len(slow)} commands ran 5 ms or "
        f"longer (SLOWLOG); {busy_n} PINGs during it: 99.9th percentile {busy_p999:.2f} ms, "
        f"slowest {busy_max:.2f} ms (the 0.8 s before it: {idle_p999:.2f} ms, {idle_max:.2f} ms) |"
    )
    # Times are figures, not pass/fail (a loaded host stretches them): the checks are that every
    # key of the pattern went, on every master, in steps (SCAN and UNLINK, never KEYS).
    for counter in counters:
        assert counter.delta("keys") == 0
        assert counter.delta("scan") >= 10 and counter.delta("unlink") >= 10


def test_a_master_killed_under_load_recovers_after_promotion(cluster: Cluster, cache: RedisWrapper) -> None:
    cluster.wait_replicated()
    victim = cluster.masters()[0]
    with Load(cache) as load:
        time.sleep(0.5)
        killed = time.monotonic()
        cluster.server(victim).kill()
        deadline = time.monotonic() + 30
        while victim in cluster.masters() and time.monotonic() < deadline:
            time.sleep(0.02)
        promoted = time.monotonic()
        cluster.wait_ok()
        time.sleep(3)
    recovery = max((end - promoted for _, end, _ in load.failures if end > promoted), default=0.0)
    errors = sorted({e.split(":")[0] for _, _, e in load.failures})
    FIGURES["c master SIGKILL"] = (
        f"| a master SIGKILLed under 8 threads | 0 wrong values; calls succeed within 2 s of the "
        f"replica's promotion | {len(load.wrong)} wrong over {load.ops} calls; promoted "
        f"{promoted - killed:.1f} s after the kill ({len(load.failures)} calls failed meanwhile: "
        f"{', '.join(errors) or 'none'}); last failure {recovery * 1000:.0f} ms after the promotion |"
    )
    assert victim not in cluster.masters()
    assert load.wrong == []
    assert recovery < 2.0, load.failures[-5:]
    cluster.server(victim).restart()
    cluster.wait_ok()


# -- the drop-in -------------------------------------------------------------------------------


def test_install_builds_frappe_cache_from_redis_cache_cluster_nodes(cluster: Cluster) -> None:
    import frappe_cache.frappe as dropin
    from frappe_standin import harness

    cluster.wait_ok()
    frappe = harness.load("redis://127.0.0.1:9")
    try:
        frappe.COMMON_SITE_CONFIG["redis_cache_cluster_nodes"] = cluster.urls[:1]
        dropin.install()
        with harness.job(frappe, harness.SITE1):
            assert isinstance(frappe.cache, RedisWrapper)
            assert frappe.cache.url.startswith("redis+cluster://")
            frappe.cache.set_value("via-install", 7)
        assert pickle.loads(cluster.client().get(f"{harness.DB1}|via-install")) == 7
    finally:
        frappe.COMMON_SITE_CONFIG.clear()
        harness.unload()


def test_the_client_cache_passes_through_on_a_cluster(cluster: Cluster, cache: RedisWrapper) -> None:
    """Tracking is per node and a REDIRECT must stay on one: on a cluster the client cache does
    not cache, says why, and behaves as frappe.cache."""
    cc = ClientCache(cache)
    assert not cc.healthy
    assert "Cluster" in (cc.unhealthy_reason or "")
    cc.set_value("k", {"a": 1})
    assert cc.get_value("k") == {"a": 1}
    assert cc.statistics.used == 0
    cluster.client().set(f"{SITE}|k", pickle.dumps("peer"))
    assert cc.get_value("k") == "peer"
