"""Connections: URLs, auth, laziness, the connection-error policy, restarts, timeouts, threads, the GIL.

Frappe's policy (frappe-behaviour.md §3.6) decides which methods swallow connection errors; the
rest raise ``CacheConnectionError``, which is also a builtin ``ConnectionError``.
"""

from __future__ import annotations

import os
import pickle
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from frappe_cache import (
    CacheConnectionError,
    CacheError,
    CacheResponseError,
    CacheTimeoutError,
    RedisWrapper,
    request_scope,
)
from frappe_cache.testing import RedisServer
from support import dead_url


# -- URLs ------------------------------------------------------------------------------------
def test_db_index(redis_server: RedisServer, raw: redis.Redis) -> None:
    cache = RedisWrapper.from_url(f"{redis_server.url}/2", site="testsite")
    cache.set_value("k", "in db 2")
    db2 = redis.Redis.from_url(f"{redis_server.url}/2")
    assert pickle.loads(db2.get(b"testsite|k")) == "in db 2"
    assert raw.get(b"testsite|k") is None, "nothing in db 0"
    assert cache.get_keys("k") == [b"testsite|k"]
    cache.delete_keys("k")
    assert db2.dbsize() == 0


def test_url_property(redis_server: RedisServer) -> None:
    cache = RedisWrapper.from_url(redis_server.url, site="s")
    assert cache.url.startswith(f"redis://127.0.0.1:{redis_server.port}")


def test_repr_is_python_not_rust(redis_server: RedisServer) -> None:
    text = repr(RedisWrapper.from_url(redis_server.url, site="mysite"))
    assert "mysite" in text and str(redis_server.port) in text
    assert "Some(" not in text and "None)" not in text, f"Rust Debug formatting leaks into {text}"


@pytest.fixture(scope="module")
def auth_server():
    with RedisServer(args=["--requirepass", "sekret"]) as server:
        admin = redis.Redis(port=server.port, password="sekret")
        admin.acl_setuser("alice", enabled=True, passwords=["+alicepw"], keys=["*"], commands=["+@all"])
        admin.acl_setuser("bob", enabled=True, passwords=["+p@ss:w/rd"], keys=["*"], commands=["+@all"])
        admin.close()
        yield server


def _admin(server: RedisServer) -> redis.Redis:
    return redis.Redis(port=server.port, password="sekret")


@pytest.mark.parametrize(
    "credentials",
    [":sekret", "default:sekret", "alice:alicepw", "bob:p%40ss%3Aw%2Frd"],
    ids=["password-only", "default-user", "acl-user", "percent-encoded"],
)
def test_username_password(auth_server: RedisServer, credentials: str) -> None:
    url = f"redis://{credentials}@127.0.0.1:{auth_server.port}/0"
    cache = RedisWrapper.from_url(url, site="authsite")
    assert cache.connected() is True
    cache.set_value("k", credentials)
    assert cache.get_value("k") == credentials
    assert pickle.loads(_admin(auth_server).get(b"authsite|k")) == credentials
    password = credentials.split(":", 1)[1]
    assert password not in cache.url, "the password must be masked"
    assert password not in repr(cache)


def test_acl_user_identity(auth_server: RedisServer) -> None:
    cache = RedisWrapper.from_url(f"redis://alice:alicepw@127.0.0.1:{auth_server.port}", site="s")
    cache.set_value("whoami", 1)
    clients = _admin(auth_server).client_list()
    assert any(c["user"] == "alice" for c in clients)


def test_wrong_password(auth_server: RedisServer) -> None:
    cache = RedisWrapper.from_url(f"redis://alice:wrong@127.0.0.1:{auth_server.port}", site="wrongpw")
    assert cache.connected() is False
    # swallowed, as redis-py's AuthenticationError is a ConnectionError
    assert cache.set_value("k", 1) is None
    assert cache.get_value("k", generator=lambda: "gen") == "gen"
    with pytest.raises(CacheConnectionError):
        cache.hgetall("h")
    assert _admin(auth_server).exists(b"wrongpw|k") == 0


def test_missing_password(auth_server: RedisServer) -> None:
    cache = RedisWrapper.from_url(f"redis://127.0.0.1:{auth_server.port}", site="authsite")
    assert cache.connected() is False
    with pytest.raises(CacheError):
        cache.smembers("s")


def test_unix_socket(server_factory) -> None:
    server = server_factory(unixsocket=True)
    cache = RedisWrapper.from_url(server.unix_url, site="sock")
    cache.set_value("k", {"via": "unix"})
    assert cache.get_value("k") == {"via": "unix"}
    tcp = redis.Redis.from_url(server.url)
    assert pickle.loads(tcp.get(b"sock|k")) == {"via": "unix"}

    cache3 = RedisWrapper.from_url(f"{server.unix_url}?db=3", site="sock")
    cache3.set_value("k3", 3)
    assert pickle.loads(redis.Redis.from_url(f"{server.url}/3").get(b"sock|k3")) == 3
    assert tcp.get(b"sock|k3") is None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://x", ("scheme", "http")),
        ("redis://host:notaport", ("port",)),
        ("redis://127.0.0.1:99999", ("port",)),
        ("redis://127.0.0.1:6379/notadb", ("db", "database")),
        ("", ("empty", "url", "scheme")),
        ("127.0.0.1:6379", ("scheme", "url")),
        ("unix://", ("path", "socket", "url")),
    ],
    ids=["http", "port-text", "port-range", "db-text", "empty", "no-scheme", "unix-no-path"],
)
def test_malformed_url(url: str, words: tuple[str, ...]) -> None:
    with pytest.raises(ValueError) as info:
        RedisWrapper.from_url(url, site="s")
    message = str(info.value).lower()
    assert any(w in message for w in words), f"{message!r} does not name the problem ({words})"


def test_unknown_option() -> None:
    with pytest.raises(TypeError):
        RedisWrapper.from_url("redis://127.0.0.1:6379", site="s", bogus=1)
    with pytest.raises(TypeError):
        RedisWrapper.from_url("redis://127.0.0.1:6379", "s")  # site is keyword-only


@pytest.mark.parametrize(
    "options",
    [{"socket_timeout": -1}, {"socket_connect_timeout": -0.5}, {"max_connections": 0}],
    ids=["socket_timeout", "socket_connect_timeout", "max_connections"],
)
def test_bad_option_values(options: dict) -> None:
    with pytest.raises(ValueError):
        RedisWrapper.from_url("redis://127.0.0.1:6379", site="s", **options)


def test_no_timeouts_allowed(redis_server: RedisServer, raw) -> None:
    cache = RedisWrapper.from_url(
        redis_server.url, site="s", socket_timeout=None, socket_connect_timeout=None, max_connections=1
    )
    cache.set_value("k", 1)
    assert cache.get_value("k") == 1


def test_bad_option_types() -> None:
    with pytest.raises(TypeError):
        RedisWrapper.from_url("redis://127.0.0.1:6379", site=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        RedisWrapper.from_url("redis://127.0.0.1:6379", socket_timeout="1")  # type: ignore[arg-type]


def test_rediss_is_accepted_lazily(redis_server: RedisServer) -> None:
    # No TLS server here: creating the wrapper works, talking plain Redis over TLS fails cleanly.
    cache = RedisWrapper.from_url(
        f"rediss://127.0.0.1:{redis_server.port}", site="s", socket_timeout=1, socket_connect_timeout=1
    )
    start = time.monotonic()
    assert cache.connected() is False
    assert time.monotonic() - start < 5


# -- a server that is not there ----------------------------------------------------------------
@pytest.fixture
def dead() -> RedisWrapper:
    start = time.monotonic()
    cache = RedisWrapper.from_url(dead_url(), site="testsite", socket_connect_timeout=1)
    assert time.monotonic() - start < 0.5, "from_url must not connect"
    return cache


def test_dead_swallowed(dead: RedisWrapper) -> None:
    start = time.monotonic()
    assert dead.connected() is False
    assert dead.set_value("k", 1) is None
    assert dead.set_value("k", 1, expires_in_sec=10) is None
    assert dead.get_value("k") is None
    assert dead.get_value("k", generator=lambda: "generated") == "generated"
    assert dead.exists("k") is False
    assert dead.expire_key("k", 10) is None
    assert dead.delete_value("k") is None
    assert dead.delete_value(["a", "b"]) is None
    assert dead.delete_key("k") is None
    assert dead.delete_keys("k") is None
    assert isinstance(dead.get_keys("k"), list)
    assert dead.hset("h", "f", 1) is None
    assert dead.hget("h", "f") is None
    assert dead.hget("h", "f", generator=lambda: "g") == "g"
    assert dead.hexists("h", "f") is False
    assert dead.hkeys("h") == []
    assert dead.hdel("h", "f") is None
    assert dead.hdel("h", ["f", "g"]) is None
    assert dead.hdel_names(["h"], "f") is None
    assert dead.hdel_keys("h", "f") is None
    assert time.monotonic() - start < 10


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.hgetall("h"),
        lambda c: c.lpush("l", "x"),
        lambda c: c.rpush("l", "x"),
        lambda c: c.lpop("l"),
        lambda c: c.rpop("l"),
        lambda c: c.llen("l"),
        lambda c: c.lrange("l", 0, -1),
        lambda c: c.ltrim("l", 0, 1),
        lambda c: c.sadd("s", "x"),
        lambda c: c.srem("s", "x"),
        lambda c: c.sismember("s", "x"),
        lambda c: c.spop("s"),
        lambda c: c.srandmember("s"),
        lambda c: c.srandmember("s", 2),
        lambda c: c.smembers("s"),
    ],
    ids=[
        "hgetall", "lpush", "rpush", "lpop", "rpop", "llen", "lrange", "ltrim", "sadd", "srem",
        "sismember", "spop", "srandmember", "srandmember-count", "smembers",
    ],
)  # fmt: skip
def test_dead_raises(dead: RedisWrapper, call) -> None:
    with pytest.raises(CacheConnectionError) as info:
        call(dead)
    assert isinstance(info.value, ConnectionError)
    assert isinstance(info.value, CacheError)
    assert not isinstance(info.value, CacheTimeoutError), "a refused connection is not a timeout"


def test_dead_get_keys_falls_back_to_local_cache(dead: RedisWrapper) -> None:
    with request_scope("testsite"):
        dead.set_value("p1", 1)
        dead.set_value("p2", 2)
        dead.set_value("q", 3)
        dead.hset("ph", "f", 4)
        assert sorted(dead.get_keys("p")) == [b"testsite|p1", b"testsite|p2", b"testsite|ph"]
        dead.delete_keys("p")
        assert dead.get_keys("p") == []
        assert dead.get_value("p1") is None
        assert dead.get_value("q") == 3


def test_dead_site_isolation_holds(dead: RedisWrapper) -> None:
    with request_scope("testsite"):
        dead.set_value("k", 1)
    with request_scope("testsite"):
        assert dead.get_value("k") is None


# -- restarts ---------------------------------------------------------------------------------
def test_reconnects_after_restart(fresh_server: RedisServer) -> None:
    cache = RedisWrapper.from_url(fresh_server.url, site="testsite", socket_connect_timeout=1)
    cache.set_value("a", 1)
    assert cache.get_value("a") == 1
    fresh_server.kill()
    assert cache.get_value("a") is None
    with pytest.raises(CacheConnectionError):
        cache.hgetall("h")
    assert cache.connected() is False
    fresh_server.restart()
    assert cache.llen("l") == 0
    cache.set_value("b", 2)
    assert cache.get_value("b") == 2
    assert cache.connected() is True
    raw = redis.Redis.from_url(fresh_server.url)
    assert pickle.loads(raw.get(b"testsite|b")) == 2


def test_stale_pooled_connections_after_restart(fresh_server: RedisServer) -> None:
    # Several pooled connections, the server restarts behind them: the very next commands (ones
    # that raise on connection errors) must succeed, without an error surfacing first.
    cache = RedisWrapper.from_url(fresh_server.url, site="testsite", socket_connect_timeout=1)
    cache.set_value("k", "v")

    def hammer(_: int) -> None:
        for _ in range(200):
            assert cache.get_value("k") == "v"

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(hammer, range(4)))
    fresh_server.restart()
    for i in range(8):
        assert cache.llen("l") == i
        assert cache.rpush("l", i) == i + 1
    assert cache.smembers("s") == set()


def test_close_then_reuse(redis_server: RedisServer, raw) -> None:
    cache = RedisWrapper.from_url(redis_server.url, site="testsite")
    cache.set_value("k", 1)
    assert cache.close() is None
    assert cache.get_value("k") == 1
    assert cache.llen("l") == 0


# -- timeouts ---------------------------------------------------------------------------------
def test_paused_server_times_out(fresh_server: RedisServer) -> None:
    cache = RedisWrapper.from_url(
        fresh_server.url, site="testsite", socket_timeout=0.5, socket_connect_timeout=0.5
    )
    cache.set_value("k", "v")
    cache.hset("h", "f", "hv")
    fresh_server.pause()
    try:
        start = time.monotonic()
        with pytest.raises(CacheTimeoutError) as info:
            cache.hgetall("h")
        assert time.monotonic() - start < 2.0
        assert isinstance(info.value, TimeoutError)
        assert isinstance(info.value, redis.exceptions.TimeoutError)
        # as in redis-py, a timeout is not a connection error: Frappe's policy never swallows it
        assert not isinstance(info.value, redis.exceptions.ConnectionError)

        # a brand-new wrapper (connection handshake against the frozen server) times out too
        other = RedisWrapper.from_url(
            fresh_server.url, site="testsite", socket_timeout=0.5, socket_connect_timeout=0.5
        )
        start = time.monotonic()
        with pytest.raises(CacheTimeoutError):
            other.smembers("s")
        assert time.monotonic() - start < 2.0

        # methods that swallow connection errors do not hang either
        for call in (lambda: cache.get_value("k", use_local_cache=False), lambda: cache.set_value("k", 2)):
            start = time.monotonic()
            try:
                call()
            except CacheTimeoutError:
                pass
            assert time.monotonic() - start < 2.0
    finally:
        fresh_server.resume()

    # The late replies to the timed-out commands must not be read as answers to new ones.
    time.sleep(0.2)
    for _ in range(3):
        assert cache.hgetall("h") == {b"f": "hv"}
        assert cache.get_value("k", use_local_cache=False) in ("v", 2)
        assert cache.llen("l") == 0
        assert cache.smembers("s") == set()


def test_timeouts_do_not_desync_connections(fresh_server: RedisServer) -> None:
    cache = RedisWrapper.from_url(
        fresh_server.url, site="testsite", socket_timeout=0.3, socket_connect_timeout=0.3
    )
    for i in range(5):
        cache.set_value(f"k{i}", f"v{i}")
    fresh_server.pause()
    try:
        for i in range(3):
            with pytest.raises(CacheTimeoutError):
                cache.lrange(f"list{i}", 0, -1)
    finally:
        fresh_server.resume()
    time.sleep(0.2)
    for _ in range(3):
        for i in range(5):
            assert cache.get_value(f"k{i}") == f"v{i}"


def test_frozen_server_wait_is_bounded_by_the_timeouts(fresh_server: RedisServer) -> None:
    # A frozen server still completes the TCP handshake (the kernel does), so a new connection
    # hangs in the Redis handshake. The whole wait must stay within one connect timeout plus one
    # read timeout; it must not be retried into a multiple of them.
    cache = RedisWrapper.from_url(
        fresh_server.url, site="testsite", socket_timeout=0.3, socket_connect_timeout=2.0
    )
    fresh_server.pause()
    try:
        start = time.monotonic()
        with pytest.raises(CacheTimeoutError):
            cache.llen("l")
        elapsed = time.monotonic() - start
    finally:
        fresh_server.resume()
    assert elapsed < 2.0 + 0.3 + 0.5, f"waited {elapsed:.2f}s for timeouts of 2.0s + 0.3s"


# -- threads and the GIL ----------------------------------------------------------------------
def test_threads_share_one_wrapper(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    n_threads, n_keys = 8, 100
    pipe = raw.pipeline(transaction=False)
    for t in range(n_threads):
        for i in range(n_keys):
            pipe.set(f"testsite|t{t}:{i}".encode(), pickle.dumps({"t": t, "i": i, "pad": "x" * (i * 37)}))
    pipe.execute()
    barrier = threading.Barrier(n_threads)

    def work(t: int) -> int:
        barrier.wait()
        ok = 0
        for rnd in range(3):
            for i in range(n_keys):
                value = wrapper.get_value(f"t{t}:{i}")
                assert value == {"t": t, "i": i, "pad": "x" * (i * 37)}, (t, i, rnd)
                ok += 1
            wrapper.hset(f"th{t}", "round", rnd)
            assert wrapper.hget(f"th{t}", "round") == rnd
        return ok

    with ThreadPoolExecutor(n_threads) as pool:
        results = list(pool.map(work, range(n_threads)))
    assert results == [3 * n_keys] * n_threads


def test_gil_released_while_waiting(fresh_server: RedisServer) -> None:
    cache = RedisWrapper.from_url(fresh_server.url, site="testsite", socket_timeout=1.0)
    cache.set_value("warm", 1)
    counter = [0]
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            counter[0] += 1

    spinner = threading.Thread(target=spin)
    spinner.start()
    fresh_server.pause()
    try:
        before = counter[0]
        start = time.monotonic()
        with pytest.raises(CacheTimeoutError):
            cache.hgetall("h")
        elapsed = time.monotonic() - start
        progress = counter[0] - before
    finally:
        fresh_server.resume()
        stop.set()
        spinner.join()
    assert 0.8 < elapsed < 3.0
    assert progress > 100_000, f"the spinning thread advanced only {progress} times in {elapsed:.2f}s"


def test_round_trips_run_in_parallel(fresh_server: RedisServer) -> None:
    # Eight threads each wait 0.5 s on a frozen server: their commands share round trips on the
    # pipelined connection, so they time out together (one or two timeouts, not eight in a row,
    # as one mutexed connection would).
    cache = RedisWrapper.from_url(
        fresh_server.url, site="testsite", socket_timeout=0.5, socket_connect_timeout=0.5
    )
    cache.set_value("warm", 1)
    n = 8
    barrier = threading.Barrier(n)

    def blocked(_: int) -> str:
        barrier.wait()
        try:
            cache.smembers("s")
        except CacheTimeoutError:
            return "timeout"
        return "answered"

    fresh_server.pause()
    try:
        start = time.monotonic()
        with ThreadPoolExecutor(n) as pool:
            outcomes = list(pool.map(blocked, range(n)))
        elapsed = time.monotonic() - start
    finally:
        fresh_server.resume()
    assert outcomes == ["timeout"] * n
    assert elapsed < 2.5, f"{n} blocked round trips took {elapsed:.2f}s: not parallel"


def _server_stats(raw: redis.Redis) -> tuple[int, int]:
    info = raw.info("stats")
    return info["total_commands_processed"], info["total_reads_processed"]


def test_threads_share_one_pipelined_connection(fresh_server: RedisServer) -> None:
    # Many threads, one connection: every reply reaches the thread that asked (values differ in
    # size, so a mix-up could not go unnoticed), and commands from different threads share reads
    # on the server (batches), which one connection per thread never does.
    cache = RedisWrapper.from_url(fresh_server.url, site="testsite")
    raw = redis.Redis.from_url(fresh_server.url)
    n_threads, rounds = 8, 300
    expected = {t: {"t": t, "pad": "x" * (t * 700)} for t in range(n_threads)}
    for t, value in expected.items():
        cache.set_value(f"k{t}", value)
    barrier = threading.Barrier(n_threads)
    commands_before, reads_before = _server_stats(raw)

    def work(t: int) -> int:
        barrier.wait()
        for i in range(rounds):
            assert cache.get_value(f"k{t}", use_local_cache=False) == expected[t], (t, i)
            cache.hset(f"h{t}", "i", i)
            assert cache.hgetall(f"h{t}") == {b"i": i}, (t, i)
        return t

    with ThreadPoolExecutor(n_threads) as pool:
        assert sorted(pool.map(work, range(n_threads))) == list(range(n_threads))
    commands_after, reads_after = _server_stats(raw)
    commands = commands_after - commands_before - 1  # minus the INFO above
    reads = reads_after - reads_before
    assert commands >= n_threads * rounds * 3
    assert reads < 0.9 * commands, f"{reads} reads for {commands} commands: nothing was batched"
    ours = [c for c in raw.client_list() if int(c["id"]) != raw.client_id()]
    assert len(ours) == 1, f"expected one shared connection, found {len(ours)}"


def test_large_replies_between_small_ones(fresh_server: RedisServer) -> None:
    # Replies far larger than one read (a 6 MB value, a 20k-field hash) arrive in many pieces
    # and must come out whole, in order with the small replies of other threads around them.
    cache = RedisWrapper.from_url(fresh_server.url, site="testsite")
    big = os.urandom(6 * 1024 * 1024)
    fields = {f"f{i}": "v" * (i % 300) for i in range(20_000)}
    cache.set_value("big", big)
    raw = redis.Redis.from_url(fresh_server.url)
    raw.hset("testsite|wide", mapping={k: pickle.dumps(v) for k, v in fields.items()})
    cache.set_value("small", "s")
    stop = threading.Event()

    def small() -> int:
        n = 0
        while not stop.is_set():
            assert cache.get_value("small", use_local_cache=False) == "s"
            n += 1
        return n

    with ThreadPoolExecutor(3) as pool:
        smalls = [pool.submit(small) for _ in range(2)]
        try:
            for _ in range(3):
                assert cache.get_value("big", use_local_cache=False) == big
                got = cache.hgetall("wide")
                assert len(got) == len(fields)
                assert all(got[k.encode()] == v for k, v in fields.items())
        finally:
            stop.set()
        assert all(f.result() > 0 for f in smalls)


def test_unknown_db_is_a_clear_error(redis_server: RedisServer) -> None:
    """A db the server does not have is not a passing network fault: every call says so (redis-py
    calls it a connection error, so Frappe would turn it into silent misses)."""
    cache = RedisWrapper.from_url(f"{redis_server.url}/999", site="testsite")
    assert cache.connected() is False
    with pytest.raises(CacheResponseError, match="select"):
        cache.llen("l")
    with pytest.raises(CacheResponseError, match="DB index is out of range"):
        cache.get_value("k")


def test_error_replies_reach_their_own_thread(fresh_server: RedisServer) -> None:
    cache = RedisWrapper.from_url(fresh_server.url, site="testsite")
    cache.set_value("str", "a string")
    cache.set_value("k", "v")
    barrier = threading.Barrier(6)

    def wrong_type(_: int) -> int:
        barrier.wait()
        errors = 0
        for _ in range(200):
            with pytest.raises(CacheError, match="WRONGTYPE"):
                cache.llen("str")
            errors += 1
        return errors

    def right(_: int) -> int:
        barrier.wait()
        for _ in range(200):
            assert cache.get_value("k", use_local_cache=False) == "v"
            assert cache.llen("empty") == 0
        return 200

    with ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(wrong_type if i % 2 else right, i) for i in range(6)]
        assert [f.result() for f in futures] == [200] * 6


def test_blocking_command_does_not_hold_up_other_threads(fresh_server: RedisServer) -> None:
    cache = RedisWrapper.from_url(fresh_server.url, site="testsite")
    cache.set_value("k", "v")
    blocked = threading.Thread(target=lambda: cache.execute_command("BLPOP", "testsite|q", 3))
    blocked.start()
    try:
        time.sleep(0.1)  # BLPOP is now waiting in Redis
        start = time.monotonic()
        for _ in range(50):
            assert cache.get_value("k", use_local_cache=False) == "v"
        elapsed = time.monotonic() - start
    finally:
        redis.Redis.from_url(fresh_server.url).rpush("testsite|q", "go")
        blocked.join()
    assert elapsed < 1.0, f"50 GETs took {elapsed:.2f}s behind a BLPOP"


def test_server_killed_under_threads(fresh_server: RedisServer) -> None:
    # The server dies while threads have commands queued and in flight: each call answers
    # correctly or fails with a connection error (swallowed where Frappe swallows it), none
    # hangs or gets another thread's reply, and all recover once the server is back.
    cache = RedisWrapper.from_url(
        fresh_server.url, site="testsite", socket_timeout=1.0, socket_connect_timeout=0.5
    )
    for t in range(6):
        cache.set_value(f"k{t}", t)
    stop = threading.Event()
    outcomes: dict[str, int] = {"ok": 0, "connection": 0, "swallowed": 0}
    lock = threading.Lock()

    def hammer(t: int) -> None:
        while not stop.is_set():
            try:
                got = cache.llen(f"l{t}")
                value = cache.get_value(f"k{t}", use_local_cache=False)
            except CacheConnectionError:
                with lock:
                    outcomes["connection"] += 1
                continue
            assert got == 0
            assert value in (t, None), f"thread {t} got {value!r}"
            with lock:
                outcomes["ok" if value == t else "swallowed"] += 1

    threads = [threading.Thread(target=hammer, args=(t,)) for t in range(6)]
    for th in threads:
        th.start()
    time.sleep(0.3)
    fresh_server.kill()
    time.sleep(0.3)
    fresh_server.restart()
    for t in range(6):
        cache.set_value(f"k{t}", t)
    time.sleep(0.3)
    stop.set()
    start = time.monotonic()
    for th in threads:
        th.join(timeout=5)
    assert not any(th.is_alive() for th in threads), "a thread hung"
    assert time.monotonic() - start < 5
    assert outcomes["ok"] > 0 and outcomes["connection"] + outcomes["swallowed"] > 0, outcomes
    for t in range(6):
        assert cache.get_value(f"k{t}", use_local_cache=False) == t
        assert cache.llen(f"l{t}") == 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_forked_child_does_not_share_connections(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    # RQ forks work-horses from a worker whose wrapper already holds pooled connections
    # (frappe-behaviour.md §8.3): parent and child must not talk over the same socket.
    for i in range(50):
        wrapper.set_value(f"p{i}", i)
    assert wrapper.get_value("p0") == 0
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        code = 0
        try:
            for _ in range(40):
                for i in range(50):
                    if wrapper.get_value(f"p{i}") != i:
                        code = 1
            wrapper.set_value("child-wrote", os.getpid())
        except BaseException:  # noqa: BLE001
            code = 2
        os._exit(code)
    mismatches = 0
    for _ in range(40):
        for i in range(50):
            if wrapper.get_value(f"p{i}") != i:
                mismatches += 1
    _, status = os.waitpid(pid, 0)
    assert mismatches == 0, f"{mismatches} wrong replies in the parent"
    assert os.waitstatus_to_exitcode(status) == 0, "the child read wrong replies or crashed"
    assert pickle.loads(raw.get(b"testsite|child-wrote")) == pid


@pytest.mark.parametrize(
    "url",
    [
        "redis://:{pw}@127.0.0.1:{port}?db=3",
        "redis://127.0.0.1:{port}/0?db=3&password={pw}",
        "unix://:{pw}@{path}?db=3",
        "unix://{path}?db=3&password={pw}",
    ],
)
def test_urls_mean_what_they_mean_to_redis_py(server_factory, url: str):
    """Frappe's pure-Python workers read the same URL with redis-py: both must land in the same
    database, or a rolling upgrade splits the cache in two."""
    server = server_factory(unixsocket=True, args=["--requirepass", "s3cret"])
    url = url.format(pw="s3cret", port=server.port, path=server.unix_socket_path)
    theirs = redis.Redis.from_url(url)
    theirs.set("testsite|k", pickle.dumps("from redis-py", protocol=5))
    ours = RedisWrapper.from_url(url, site="testsite")
    assert ours.get_value("k") == "from redis-py"
    assert theirs.connection_pool.connection_kwargs["db"] == 3
    theirs.close()
