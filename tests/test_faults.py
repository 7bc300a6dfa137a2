"""Reliability under faults (issue 9): never hang, never panic, bound every call, fork safely,
write at most once. Real redis-server processes, killed, paused and restarted by pid, and a
fault proxy (``faultproxy.py``) that cuts, resets, half-closes, drips and sends garbage.

Each finding of the fault review is a test here. The figures the README quotes are measured by
these tests; ``make reliability`` runs them with ``FRAPPE_CACHE_RECORD=1``, which writes them to
``bench/results/reliability.md`` and quotes that in the README.
"""

from __future__ import annotations

import os
import pickle
import signal
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from faultproxy import FaultProxy, timed
from frappe_cache import (
    CacheConnectionError,
    CacheResponseError,
    CacheTimeoutError,
    RedisWrapper,
    request_scope,
)
from frappe_cache.exceptions import CacheAuthenticationError
from frappe_cache.testing import RedisServer
from support import recorder

SITE = "faultsite"
# Running totals behind figures that several tests add to.
TOTALS: dict[str, list] = {}


FIGURES, _record = recorder(
    "reliability",
    "tests/test_faults.py",
    ".",
    "fault",
)


def figure(name: str, target: str, measured: str) -> None:
    FIGURES[name] = f"| {name} | {target} | {measured} |"


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@pytest.fixture
def server() -> Iterator[RedisServer]:
    with RedisServer() as s:
        try:
            yield s
        finally:
            s.resume()


@pytest.fixture
def proxy(server: RedisServer) -> Iterator[FaultProxy]:
    with FaultProxy(server.port) as p:
        yield p


def raw_for(server: RedisServer) -> redis.Redis:
    return redis.Redis.from_url(server.url)


# -- 1, 5: hostile and malformed replies: named errors, within the deadline, bounded memory -------

HOSTILE = {
    "a reply starting with CRLF": b"\r\n+OK\r\n",
    "a bare CR": b"\r",
    "an unknown type byte": b"?what\r\n",
    "a 3 GB bulk header": b"$3000000000\r\n",
    "a 600 MB bulk header": b"$600000000\r\n",
    "a 2^31 array header": b"*2147483648\r\n",
    "a 16 MB line without CR": b"+" + b"x" * (16 << 20),
    "a bulk longer than announced": b"$3\r\nabcdef\r\n",
    "a malformed integer": b":12x\r\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_replies_are_named_errors_within_the_deadline(proxy: FaultProxy, name: str) -> None:
    cache = RedisWrapper.from_url(proxy.url, site=SITE, socket_timeout=0.5)
    cache.set_value("k", "v")
    before = rss_kib()
    proxy.replace_replies(HOSTILE[name])
    # LPUSH: not swallowed, and not idempotent, so not sent again on a new connection (an
    # idempotent command would be, and would succeed there: the proxy's fault is one-shot).
    took, outcome = timed(lambda: cache.lpush("l", "x"))
    grew = (rss_kib() - before) / 1024
    assert isinstance(outcome, CacheConnectionError), outcome
    assert "protocol error" in str(outcome) or "closed" in str(outcome), outcome
    assert took < 0.6, f"{took:.2f} s"
    assert grew < 10, f"RSS grew {grew:.1f} MB"
    proxy.normal()
    assert cache.get_value("k") == "v", "the next call works, on a new connection"
    seen = TOTALS.setdefault("hostile", [])
    seen.append((took, grew))
    figure(
        "hostile or malformed replies (CRLF first, 3 GB / 600 MB bulk, 2^31 array, 16 MB line, ...)",
        "a named error within the deadline, RSS growth < 10 MB, no panic",
        f"{len(seen)} kinds: all CacheConnectionError (protocol error); slowest "
        f"{max(t for t, _ in seen) * 1000:.1f} ms, largest RSS growth {max(g for _, g in seen):.1f} MB",
    )


def test_a_garbage_reply_leaves_no_connection_busy(proxy: FaultProxy) -> None:
    """The panic of the review left the shared connection "busy" for good: every later call hung."""
    cache = RedisWrapper.from_url(proxy.url, site=SITE, socket_timeout=0.5)
    cache.set_value("k", "v")
    proxy.replace_replies(b"\r\n")
    with pytest.raises(CacheConnectionError, match="protocol error"):
        cache.lpush("l", "x")
    for _ in range(20):
        took, value = timed(lambda: cache.get_value("k"))
        assert value == "v" and took < 0.5


# -- 2: fork safety --------------------------------------------------------------------------------


def test_forks_under_load_never_stick(server: RedisServer) -> None:
    cache = RedisWrapper.from_url(server.url, site=SITE, socket_timeout=2)
    cache.set_value("k", "v")
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            cache.get_value("k")
            cache.set_value("k", "v")
            cache.hset("h", "f", 1)
            cache.pipeline().get("x").set("y", 1).execute()

    threads = [threading.Thread(target=busy, daemon=True) for _ in range(4)]
    for t in threads:
        t.start()
    children, stuck, failed = [], 0, 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads running
        for _ in range(200):
            pid = os.fork()
            if pid == 0:
                signal.alarm(10)
                ok = cache.get_value("k") == "v" and cache.set_value("child", 1) is None
                ok = ok and cache.pipeline().get(f"{SITE}|k").execute()[0] is not None
                os._exit(0 if ok else 1)
            children.append(pid)
    stop.set()
    for t in threads:
        t.join()
    deadline = time.monotonic() + 30
    for pid in children:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                failed += os.waitstatus_to_exitcode(status) != 0
                break
            if time.monotonic() > deadline:
                stuck += 1
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                break
            time.sleep(0.01)
    assert stuck == 0 and failed == 0, f"{stuck} stuck, {failed} failed of {len(children)}"
    figure(
        "200 forks under 4 busy threads",
        "0 stuck children",
        f"{stuck} stuck, {failed} failed; each child read, wrote and ran a pipeline",
    )


# -- 3, 10: options and URLs that say what is wrong ----------------------------------------------


@pytest.mark.parametrize("timeout", [1e30, float("inf"), float("nan"), -1.0, 0.0])
def test_impossible_timeouts_are_refused(timeout: float) -> None:
    with pytest.raises(ValueError, match="socket_timeout"):
        RedisWrapper.from_url("redis://127.0.0.1:1", socket_timeout=timeout)


def test_huge_expiry_is_a_clear_error(server: RedisServer) -> None:
    cache = RedisWrapper.from_url(server.url, site=SITE)
    with pytest.raises(ValueError, match="too large"):
        cache.set_value("k", 1, expires_in_sec=2**63)


def test_databases_the_server_lacks_say_so(server: RedisServer) -> None:
    for db in (16, 99):
        cache = RedisWrapper.from_url(f"{server.url}/{db}", site=SITE)
        with pytest.raises(CacheResponseError, match="DB index is out of range"):
            cache.get_value("k")
    with pytest.raises(ValueError, match="negative"):
        RedisWrapper.from_url(f"{server.url}/-1")


def test_tls_against_a_plaintext_server_says_so(server: RedisServer) -> None:
    cache = RedisWrapper.from_url(f"rediss://127.0.0.1:{server.port}#insecure", site=SITE, socket_timeout=2)
    took, outcome = timed(lambda: cache.get_value("k"))
    assert isinstance(outcome, ValueError) and "plain RESP" in str(outcome), outcome
    assert took < 2.5, "found out when the handshake's deadline (2 s) ran out, plus a quick probe"


# -- 4: one deadline per call, Ctrl-C noticed -----------------------------------------------------


def test_a_paused_server_ends_every_call_within_the_timeout(server: RedisServer) -> None:
    cache = RedisWrapper.from_url(f"{server.url}/1", site=SITE, socket_timeout=0.5)
    cache.set_value("k", "v")
    cache.pipeline().set("a", 1).execute()
    server.pause()
    calls = {
        "get_value": lambda: cache.get_value("k", use_local_cache=False),
        "set_value": lambda: cache.set_value("k", "w"),
        "hgetall": lambda: cache.hgetall("h"),
        "pipeline of 20": lambda: _pipeline(cache, 20),
        "delete_keys": lambda: cache.delete_keys("x"),
        "execute_command": lambda: cache.execute_command("PING"),
    }
    worst = 0.0
    for name, call in calls.items():
        took, outcome = timed(call)
        assert isinstance(outcome, CacheTimeoutError), (name, outcome)
        assert took < 0.6, f"{name}: {took:.2f} s"
        worst = max(worst, took)
    # A new connection (handshake with SELECT, as the URL names db 1) against the frozen server.
    fresh = RedisWrapper.from_url(f"{server.url}/1", site=SITE, socket_timeout=0.5)
    took, outcome = timed(lambda: fresh.get_value("k"))
    assert isinstance(outcome, CacheTimeoutError) and took < 0.6, (took, outcome)
    worst = max(worst, took)
    # Two threads, the second queued behind the first: each ends by its own deadline.
    seen: list[float] = []

    def one() -> None:
        took, outcome = timed(lambda: cache.get_value("q", use_local_cache=False))
        assert isinstance(outcome, CacheTimeoutError)
        seen.append(took)

    first = threading.Thread(target=one)
    first.start()
    time.sleep(0.2)
    one()
    first.join()
    assert max(seen) < 0.6, seen
    worst = max([worst, *seen])
    server.resume()
    assert cache.get_value("k", use_local_cache=False) == "v"
    figure(
        "Redis paused (SIGSTOP), socket_timeout 0.5 s",
        "every call, pipelines included, ends within 0.6 s",
        f"slowest {worst:.3f} s (get/set/hgetall, a 20-command pipeline, delete_keys, a new "
        f"connection's handshake, a call queued behind another thread's)",
    )


def _pipeline(cache: RedisWrapper, n: int) -> object:
    p = cache.pipeline(transaction=False)
    for i in range(n):
        p.get(f"p{i}")
    return p.execute()


def test_a_drip_feeding_server_times_out(proxy: FaultProxy) -> None:
    cache = RedisWrapper.from_url(proxy.url, site=SITE, socket_timeout=0.5)
    cache.set_value("big", "x" * 200)
    proxy.drip(0.05)
    took, outcome = timed(lambda: cache.execute_command("GET", f"{SITE}|big"))
    assert isinstance(outcome, CacheTimeoutError), outcome
    assert took < 0.6, f"{took:.2f} s"
    figure(
        "a server that drips one byte every 50 ms",
        "the call times out within its socket_timeout (0.5 s)",
        f"{took:.3f} s, CacheTimeoutError",
    )


def test_ctrl_c_is_noticed_while_waiting(server: RedisServer) -> None:
    cache = RedisWrapper.from_url(server.url, site=SITE, socket_timeout=None)
    cache.set_value("k", "v")
    server.pause()
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        cache.get_value("k", use_local_cache=False)
    took = time.monotonic() - start - 0.3
    server.resume()
    assert took < 0.25, f"noticed {took * 1000:.0f} ms after the signal"
    assert cache.get_value("k", use_local_cache=False) == "v", "the connection recovers"
    figure(
        "Ctrl-C while a call waits on a frozen Redis (no timeout)",
        "noticed within ~100 ms, GIL released while waiting",
        f"KeyboardInterrupt {took * 1000:.0f} ms after SIGINT",
    )


# -- 6: error replies classed as redis-py classes them --------------------------------------------


def test_noauth_and_max_clients_degrade_like_connection_errors(server_factory) -> None:
    locked = server_factory(args=["--requirepass", "secret"])
    cache = RedisWrapper.from_url(locked.url, site=SITE)
    assert cache.get_value("k") is None, "NOAUTH is swallowed on reads, as Frappe swallows it"
    assert cache.set_value("k", 1) is None
    with pytest.raises(CacheAuthenticationError) as info:
        cache.hgetall("h")
    assert isinstance(info.value, redis.exceptions.AuthenticationError)
    assert isinstance(info.value, redis.exceptions.ConnectionError)
    full = server_factory(args=["--maxclients", "1"])
    holder = redis.Redis.from_url(full.url)
    holder.ping()
    other = RedisWrapper.from_url(full.url, site=SITE)
    assert other.get_value("k") is None
    with pytest.raises(CacheConnectionError, match="max number of clients"):
        other.hgetall("h")
    holder.close()


# -- 7: the request scope follows Redis -----------------------------------------------------------


def test_a_refused_write_leaves_no_value_in_the_request(server_factory) -> None:
    plain = server_factory()
    raw = redis.Redis.from_url(plain.url)
    cache = RedisWrapper.from_url(plain.url, site=SITE)
    raw.set(f"{SITE}|s", "a string, not a hash")
    raw.set(f"{SITE}|k", pickle.dumps("old"))
    with request_scope(SITE):
        with pytest.raises(CacheResponseError, match="invalid expire time"):
            cache.set_value("k", "new", expires_in_sec=2**62)
        assert cache.get_value("k") == "old", "the scope serves what Redis holds"
        with pytest.raises(CacheResponseError, match="WRONGTYPE"):
            cache.hset("s", "f", "new")
        with pytest.raises(CacheResponseError, match="WRONGTYPE"):
            cache.hget("s", "f")
    # OOM: maxmemory reached, noeviction
    full = server_factory(args=["--maxmemory", "1mb", "--maxmemory-policy", "noeviction"])
    fraw = redis.Redis.from_url(full.url)
    fraw.set(f"{SITE}|k", pickle.dumps("old"))
    try:
        for i in range(100):
            fraw.set(f"filler:{i}", b"x" * 100_000)
    except redis.exceptions.OutOfMemoryError:
        pass
    fcache = RedisWrapper.from_url(full.url, site=SITE)
    with request_scope(SITE):
        with pytest.raises(CacheResponseError, match="OOM|maxmemory") as info:
            fcache.set_value("k", "new")
        assert isinstance(info.value, redis.exceptions.OutOfMemoryError)
        assert fcache.get_value("k") == "old"
    # READONLY: a replica
    replica = server_factory(args=["--replicaof", "127.0.0.1", str(plain.port)])
    rcache = RedisWrapper.from_url(replica.url, site=SITE)
    deadline = time.monotonic() + 10
    while redis.Redis.from_url(replica.url).get(f"{SITE}|k") is None:
        assert time.monotonic() < deadline, "the replica never synced"
        time.sleep(0.05)
    with request_scope(SITE):
        with pytest.raises(CacheResponseError) as info:
            rcache.set_value("k", "new")
        assert isinstance(info.value, redis.exceptions.ReadOnlyError)
        assert rcache.get_value("k") == "old"
    # NOPERM: an ACL user that may only read
    raw.execute_command("ACL", "SETUSER", "reader", "on", ">pw", "~*", "+get", "+ping")
    reader = RedisWrapper.from_url(f"redis://reader:pw@127.0.0.1:{plain.port}", site=SITE)
    with request_scope(SITE):
        with pytest.raises(CacheResponseError) as info:
            reader.set_value("k", "new")
        assert isinstance(info.value, redis.exceptions.NoPermissionError)
        assert reader.get_value("k") == "old"


def test_a_write_during_an_outage_stays_in_the_request(server: RedisServer) -> None:
    """A connection error keeps Frappe's behaviour: the request goes on without Redis."""
    cache = RedisWrapper.from_url(server.url, site=SITE, socket_connect_timeout=0.5)
    server.stop()
    with request_scope(SITE):
        cache.set_value("k", "offline")
        assert cache.get_value("k") == "offline"


# -- 8: at most once -------------------------------------------------------------------------------

NON_IDEMPOTENT = {
    "lpush": (lambda c: c.lpush("l", "x"), lambda r: r.llen(f"{SITE}|l")),
    "rpush": (lambda c: c.rpush("l", "x"), lambda r: r.llen(f"{SITE}|l")),
    "incr": (lambda c: c.incr("n"), lambda r: int(r.get("n") or 0)),
    "incrby": (lambda c: c.incrby("n", 1), lambda r: int(r.get("n") or 0)),
    "lpop": (lambda c: c.lpop("q"), lambda r: -r.llen(f"{SITE}|q")),
    "pipeline with an incr": (lambda c: c.pipeline().incr("n").execute(), lambda r: int(r.get("n") or 0)),
}


@pytest.mark.parametrize("name", sorted(NON_IDEMPOTENT))
def test_a_command_cut_before_its_reply_runs_once(server: RedisServer, proxy: FaultProxy, name: str) -> None:
    call, count = NON_IDEMPOTENT[name]
    raw = raw_for(server)
    raw.rpush(f"{SITE}|q", *range(40))
    cache = RedisWrapper.from_url(proxy.url, site=SITE)
    call(cache)  # warm: the connection has served
    doubled = 0
    for _ in range(10):
        before = count(raw)
        proxy.cut_next_reply()
        took, outcome = timed(lambda: call(cache))
        assert isinstance(outcome, CacheConnectionError), outcome
        doubled += count(raw) - before - 1
    assert doubled == 0
    names = TOTALS.setdefault("once", [])
    names.append(name)
    figure(
        "a non-idempotent command whose reply is cut (10 trials each)",
        "0 double applications",
        f"0 double applications over {len(names) * 10} trials ({', '.join(names)}); each raised "
        f"CacheConnectionError",
    )


def test_an_idempotent_command_cut_before_its_reply_is_sent_again(
    server: RedisServer, proxy: FaultProxy
) -> None:
    raw = raw_for(server)
    raw.set(f"{SITE}|k", pickle.dumps("v"))
    cache = RedisWrapper.from_url(proxy.url, site=SITE)
    assert cache.get_value("k") == "v"
    for _ in range(5):
        proxy.cut_next_reply()
        assert cache.get_value("k", use_local_cache=False) == "v"
        proxy.cut_next_reply()
        assert cache.hgetall("none") == {}


def test_a_connection_the_server_closed_while_idle_is_not_written_to(server: RedisServer) -> None:
    """After a restart, the idle connection is found dead before a command goes out on it: even a
    non-idempotent command then runs (once) instead of failing."""
    cache = RedisWrapper.from_url(server.url, site=SITE)
    assert cache.lpush("l", "a") == 1
    server.restart()
    time.sleep(0.2)
    assert cache.lpush("l", "b") == 1, "the restarted server has an empty list: one push"
    assert cache.llen("l") == 1


# -- 9: no self-connect ----------------------------------------------------------------------------


def test_no_connection_to_itself(tmp_path: Path) -> None:
    low, high = (int(x) for x in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    port = next(p for p in range(high - 1, low, -1) if _port_is_free(p))
    cache = RedisWrapper.from_url(f"redis://127.0.0.1:{port}", site=SITE, socket_connect_timeout=0.2)
    end = time.monotonic() + 3
    attempts = 0
    while time.monotonic() < end:
        attempts += 1
        assert cache.connected() is False
        with pytest.raises(CacheConnectionError):
            cache.hgetall("h")
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as redis-server binds
        s.bind(("127.0.0.1", port))  # nothing holds the port
    figure(
        "reconnecting for 3 s to a free port in the ephemeral range",
        "never connected to itself; the port stays bindable",
        f"{attempts} attempts, connected() never True, the port bound afterwards",
    )


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


# -- a Redis killed and restarted under load --------------------------------------------------------


def test_killed_and_restarted_under_eight_threads(server: RedisServer) -> None:
    raw = raw_for(server)
    expected = {f"k{i}": {"n": i} for i in range(20)}

    def seed() -> None:
        for k, v in expected.items():
            raw.set(f"{SITE}|{k}".encode(), pickle.dumps(v))
        raw.hset(f"{SITE}|h", mapping={k: pickle.dumps(v) for k, v in expected.items()})

    seed()
    cache = RedisWrapper.from_url(server.url, site=SITE, socket_timeout=1, socket_connect_timeout=0.5)
    stop = threading.Event()
    restarted_at: list[float] = []
    wrong: list[object] = []
    errors: list[BaseException] = []
    first_after: dict[int, float] = {}

    def reader(n: int) -> None:
        i = 0
        while not stop.is_set():
            key = f"k{i % 20}"
            try:
                value = cache.get_value(key) if i % 2 else cache.hget("h", key)
            except BaseException as e:  # noqa: BLE001 - counted
                errors.append(e)
                continue
            finally:
                i += 1
            if value is not None and value != expected[key]:
                wrong.append(value)
            if value is not None and restarted_at and n not in first_after:
                first_after[n] = time.monotonic() - restarted_at[0]

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    server.kill()
    time.sleep(0.5)
    server.restart()
    restarted_at.append(time.monotonic())
    raw = raw_for(server)
    seed()
    deadline = time.monotonic() + 5
    while len(first_after) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    for t in threads:
        t.join()
    assert not wrong, wrong[:3]
    assert not errors, errors[:3]
    assert len(first_after) == 8 and max(first_after.values()) < 1.0, first_after
    figure(
        "Redis SIGKILLed and restarted under 8 threads (get_value / hget)",
        "0 wrong values, 0 exceptions from read paths, first success within 1 s of the restart",
        f"0 wrong values, 0 exceptions; first success {max(first_after.values()) * 1000:.0f} ms "
        f"after the restart (slowest thread)",
    )
