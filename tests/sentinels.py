"""A real Sentinel set-up on loopback for the tests: 1 master, 1 replica, 3 sentinels.

Every process is a ``redis-server`` child on a free port, stopped by pid (the data servers by
``frappe_cache.testing.RedisServer``, the sentinels here). Timings are shortened so that a
failover takes about a second: ``down-after-milliseconds 1000``, ``failover-timeout 6000``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import redis
from frappe_cache.testing import RedisServer, _answers_ping, _free_port

SERVICE = "mymaster"


def _tls_args(pki: Path, port: int) -> list[str]:
    """A TLS port beside the plain one (kept for the fixtures' readiness checks), replication and
    sentinel links over TLS."""
    return [
        "--tls-port", str(port),
        "--tls-cert-file", str(pki / "server.crt"), "--tls-key-file", str(pki / "server.key"),
        "--tls-ca-cert-file", str(pki / "ca.crt"), "--tls-auth-clients", "optional",
        "--tls-replication", "yes",
    ]  # fmt: skip


class SentinelProcess:
    """``redis-server sentinel.conf --sentinel`` on a free loopback port (and a TLS port with
    ``pki``)."""

    def __init__(self, master_port: int, *, requirepass: str | None = None, pki: Path | None = None) -> None:
        self.dir = tempfile.mkdtemp(prefix="frappe-cache-sentinel-")
        self.port = _free_port()
        self.tls_port = _free_port() if pki else None
        self.requirepass = requirepass
        conf = os.path.join(self.dir, "sentinel.conf")
        lines = [
            f"port {self.port}",
            "bind 127.0.0.1",
            "daemonize no",
            f"dir {self.dir}",
            f"logfile {os.path.join(self.dir, 'sentinel.log')}",
            f"sentinel monitor {SERVICE} 127.0.0.1 {master_port} 2",
            f"sentinel down-after-milliseconds {SERVICE} 1000",
            f"sentinel failover-timeout {SERVICE} 6000",
            f"sentinel parallel-syncs {SERVICE} 1",
        ]
        if requirepass:
            lines.append(f"requirepass {requirepass}")
        if pki and self.tls_port:
            args = _tls_args(pki, self.tls_port)
            lines += [f"{name[2:]} {value}" for name, value in zip(args[::2], args[1::2], strict=True)]
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        executable = shutil.which("redis-server")
        assert executable, "redis-server is not installed"
        self.proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            [executable, conf, "--sentinel"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not _answers_ping(self.port):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"sentinel on port {self.port} did not come up")
            time.sleep(0.02)

    def client(self) -> redis.Redis:
        return redis.Redis(
            "127.0.0.1", self.port, password=self.requirepass, decode_responses=True, socket_timeout=5
        )

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class SentinelGroup:
    """A master with one replica, watched by three sentinels (quorum 2)."""

    def __init__(
        self,
        *,
        sentinel_password: str | None = None,
        master_password: str | None = None,
        pki: Path | None = None,
    ) -> None:
        """With ``pki`` (``support.make_pki``), every server and sentinel also listens with TLS,
        and the sentinels monitor and name the masters' TLS ports."""
        auth = ["--requirepass", master_password, "--masterauth", master_password] if master_password else []
        tls_ports = [_free_port(), _free_port()] if pki else []
        tls = [_tls_args(pki, port) for port in tls_ports] if pki else [[], []]
        self.servers = [RedisServer(args=[*auth, *tls[0]])]
        # Replication (and Sentinel's monitoring) goes to the TLS port when there is one.
        master = str(tls_ports[0] if pki else self.servers[0].port)
        self.servers.append(RedisServer(args=[*auth, *tls[1], "--replicaof", "127.0.0.1", master]))
        self.master_password = master_password
        self.pki = pki
        self.tls_ports = dict(zip(tls_ports, self.servers, strict=False))
        self.sentinels: list[SentinelProcess] = []
        try:
            for _ in range(3):
                self.sentinels.append(SentinelProcess(int(master), requirepass=sentinel_password, pki=pki))
            if master_password:
                for s in self.sentinels:
                    s.client().execute_command("SENTINEL", "SET", SERVICE, "auth-pass", master_password)
            self.wait_ready()
        except BaseException:
            self.close()
            raise

    @property
    def addresses(self) -> list[tuple[str, int]]:
        return [("127.0.0.1", s.port) for s in self.sentinels]

    def master_port(self) -> int:
        """The master's port as the first sentinel names it."""
        host, port = (
            self.sentinels[0].client().execute_command("SENTINEL", "get-master-addr-by-name", SERVICE)
        )
        return int(port)

    @property
    def tls_addresses(self) -> list[tuple[str, int]]:
        return [("127.0.0.1", s.tls_port) for s in self.sentinels if s.tls_port]

    def server(self, port: int) -> RedisServer:
        return self.tls_ports.get(port) or next(s for s in self.servers if s.port == port)

    def node(self, port: int) -> redis.Redis:
        """A plain redis-py client on the server behind ``port`` (its plain port)."""
        return redis.Redis(
            "127.0.0.1", self.server(port).port, password=self.master_password, socket_timeout=5
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Until every sentinel knows the other two, names the same master, and sees a healthy
        replica of it (what a failover needs)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self._ready():
                    return
            except (redis.exceptions.RedisError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the sentinel group did not settle")
            time.sleep(0.1)

    def _ready(self) -> bool:
        master = self.master_port()
        for s in self.sentinels:
            c = s.client()
            if int(c.execute_command("SENTINEL", "get-master-addr-by-name", SERVICE)[1]) != master:
                return False
            if len(c.execute_command("SENTINEL", "sentinels", SERVICE)) < 2:
                return False
            replicas = c.execute_command("SENTINEL", "replicas", SERVICE)
            healthy = [
                r for r in replicas
                if "s_down" not in _field(r, "flags")
                and "disconnected" not in _field(r, "flags")
                and _field(r, "master-link-status") == "ok"
            ]  # fmt: skip
            if not healthy:
                return False
        return self.node(master).execute_command("ROLE")[0] == b"master"

    def failover(self) -> tuple[int, int]:
        """``SENTINEL FAILOVER``; returns (old master port, new master port) once announced."""
        old = self.master_port()
        pubsub = self.sentinels[0].client().pubsub()
        pubsub.subscribe("+switch-master")
        self.sentinels[0].client().execute_command("SENTINEL", "FAILOVER", SERVICE)
        new = wait_switch(pubsub)
        pubsub.close()
        return old, new

    def close(self) -> None:
        for s in self.sentinels:
            s.stop()
        for server in self.servers:
            server.close()


def _field(flat: list[str], name: str) -> str:
    """A field of a flat name/value list as SENTINEL replicas returns it."""
    pairs = dict(zip(flat[::2], flat[1::2], strict=False))
    return pairs.get(name, "")


def wait_switch(pubsub: redis.client.PubSub, timeout: float = 30.0) -> int:
    """The new master's port from the next ``+switch-master`` of the service."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.1)
        if message and message["type"] == "message":
            name, _, _, _, port = message["data"].split()
            if name == SERVICE:
                return int(port)
    raise RuntimeError("no +switch-master announcement")
