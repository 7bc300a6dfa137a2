"""rediss:// against a TLS-only redis-server with a throw-away CA (made with the openssl CLI)."""

from __future__ import annotations

import pickle
import shutil
import time

import pytest
from frappe_cache import CacheConnectionError, ClientCache, RedisWrapper
from frappe_cache.testing import RedisServer, _free_port
from support import make_pki

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"), "server", "client")


@pytest.fixture(scope="module")
def tls_port(pki):
    # The plain port stays open for the fixture's readiness PING; clients use the TLS port.
    port = _free_port()
    server = RedisServer(args=[
        "--tls-port", str(port),
        "--tls-cert-file", pki / "server.crt", "--tls-key-file", pki / "server.key",
        "--tls-ca-cert-file", pki / "ca.crt", "--tls-auth-clients", "optional",
    ])  # fmt: skip
    yield port
    server.close()


def test_rediss_round_trip_with_a_private_ca(pki, tls_port):
    import redis

    cache = RedisWrapper.from_url(
        f"rediss://localhost:{tls_port}/0", site="tls", ssl_ca_certs=str(pki / "ca.crt")
    )
    cache.set_value("k", {"over": "tls"})
    assert cache.get_value("k", use_local_cache=False) == {"over": "tls"}
    raw = redis.Redis(host="localhost", port=tls_port, ssl=True, ssl_ca_certs=str(pki / "ca.crt"))
    assert pickle.loads(raw.get(b"tls|k")) == {"over": "tls"}
    raw.close()


def test_rediss_with_a_client_certificate(pki, tls_port):
    cache = RedisWrapper.from_url(
        f"rediss://localhost:{tls_port}", site="tls", ssl_ca_certs=str(pki / "ca.crt"),
        ssl_certfile=str(pki / "client.crt"), ssl_keyfile=str(pki / "client.key"),
    )  # fmt: skip
    assert cache.connected()


def test_an_untrusted_server_certificate_is_a_connection_error(tls_port):
    cache = RedisWrapper.from_url(f"rediss://localhost:{tls_port}", site="tls")
    with pytest.raises(CacheConnectionError, match="certificate"):
        cache.hgetall("k")
    assert cache.connected() is False


def test_tls_options_are_checked_up_front(pki, tmp_path):
    with pytest.raises(ValueError, match="rediss://"):
        RedisWrapper.from_url("redis://localhost:1", ssl_ca_certs=str(pki / "ca.crt"))
    with pytest.raises(ValueError, match="cannot read ssl_ca_certs"):
        RedisWrapper.from_url("rediss://localhost:1", ssl_ca_certs=str(tmp_path / "missing.pem"))
    with pytest.raises(ValueError, match="both ssl_certfile and ssl_keyfile"):
        RedisWrapper.from_url("rediss://localhost:1", ssl_certfile=str(pki / "client.crt"))


def test_the_client_cache_over_tls(pki, tls_port):
    import redis

    cache = RedisWrapper.from_url(
        f"rediss://localhost:{tls_port}", site="tls", ssl_ca_certs=str(pki / "ca.crt")
    )
    cc = ClientCache(cache)
    assert cc.healthy, cc.unhealthy_reason
    cc.set_value("k", 1)
    raw = redis.Redis(host="localhost", port=tls_port, ssl=True, ssl_ca_certs=str(pki / "ca.crt"))
    raw.set(b"tls|k", pickle.dumps(2))
    deadline = time.monotonic() + 1
    while cc.get_value("k") != 2 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert cc.get_value("k") == 2
    raw.close()
