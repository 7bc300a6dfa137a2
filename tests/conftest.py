"""Fixtures: real redis-server processes, a native wrapper, and a plain redis-py client.

The plain ``redis.Redis`` client (``raw``) plays the pure-Python Frappe worker sharing the same
Redis: it reads and writes the wire format directly, with ``pickle``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import frappe_cache
import pytest
import redis
from frappe_cache import RedisWrapper
from frappe_cache.testing import RedisServer
from hypothesis import HealthCheck, settings

SITE = "testsite"

settings.register_profile(
    "frappe-cache",
    # Property tests use the function-scoped wrapper/raw fixtures on purpose: the server is
    # flushed per test, not per example, and every example uses its own keys.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    deadline=None,
    max_examples=100,
)
settings.load_profile("frappe-cache")


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One private redis-server for the whole session (flushed before each test by ``raw``)."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def raw(redis_server: RedisServer) -> Iterator[redis.Redis]:
    """A plain redis-py client on the session server, db 0; FLUSHALL before the test."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def wrapper(redis_server: RedisServer, raw: redis.Redis) -> RedisWrapper:
    """``RedisWrapper.from_url(server.url, site="testsite")`` on a freshly flushed server."""
    return RedisWrapper.from_url(redis_server.url, site=SITE)


@pytest.fixture
def fresh_server() -> Iterator[RedisServer]:
    """A private server for one test, free to be killed, paused or restarted."""
    with RedisServer() as server:
        try:
            yield server
        finally:
            server.resume()  # a test that paused it and failed must not leave it frozen


@pytest.fixture
def server_factory() -> Iterator[Callable[..., RedisServer]]:
    """Start extra servers with custom arguments (``unixsocket=True``, ``args=[...]``)."""
    started: list[RedisServer] = []

    def start(**kwargs) -> RedisServer:
        server = RedisServer(**kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


@pytest.fixture
def default_cache(wrapper: RedisWrapper) -> Iterator[RedisWrapper]:
    """``wrapper`` as the decorators' default cache, for the test."""
    frappe_cache.set_default_cache(wrapper)
    yield wrapper
    frappe_cache.set_default_cache(None)


@pytest.fixture(autouse=True)
def _no_request_scope_leaks() -> Iterator[None]:
    """Every test starts and ends with no request scope open on the main thread, and no
    ``user=True`` resolver left behind by a drop-in test."""
    frappe_cache.end_request()
    yield
    frappe_cache.end_request()
    frappe_cache._native.set_user_resolver(None)
