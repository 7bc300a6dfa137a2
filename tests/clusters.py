"""A real Redis Cluster on loopback for the tests: 3 masters and 3 replicas.

Each node is a ``redis-server --cluster-enabled yes`` child on a free port (its own directory
for ``nodes.conf``), stopped by pid; ``redis-cli --cluster create`` joins them. The node timeout
is 1 s, so a master's failure is noticed and a replica promoted within about two seconds.
"""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis
from frappe_cache.testing import RedisServer

NODE_TIMEOUT_MS = 1000


def _node_port() -> int:
    """A free loopback port whose cluster bus port (10000 higher) is free too: Redis refuses a
    cluster port above 55535, and an ephemeral port from the kernel often is."""
    for _ in range(1000):
        port = random.randrange(20000, 45000)
        with socket.socket() as a, socket.socket() as b:
            try:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free pair of ports for a cluster node")


class Cluster:
    def __init__(self, masters: int = 3, replicas_each: int = 1, pki: Path | None = None) -> None:
        """With ``pki`` (``support.make_pki``) each node also has a TLS port, the cluster bus runs
        over TLS, and CLUSTER SLOTS names the TLS ports to TLS clients."""
        self.pki = pki
        self.tls_ports: dict[int, int] = {}
        args = [
            "--cluster-enabled", "yes",
            "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
            "--cluster-require-full-coverage", "no",
            "--cluster-allow-reads-when-down", "no",
        ]  # fmt: skip
        self.servers: list[RedisServer] = []
        try:
            for _ in range(masters * (1 + replicas_each)):
                tls: list[str] = []
                if pki:
                    tls_port = _node_port()
                    tls = [
                        "--tls-port", str(tls_port), "--tls-cluster", "yes", "--tls-replication", "yes",
                        "--tls-cert-file", str(pki / "server.crt"), "--tls-key-file", str(pki / "server.key"),
                        "--tls-ca-cert-file", str(pki / "ca.crt"), "--tls-auth-clients", "optional",
                    ]  # fmt: skip
                self.servers.append(RedisServer(args=[*args, *tls], port=_node_port()))
                if pki:
                    self.tls_ports[self.servers[-1].port] = tls_port
            cli = shutil.which("redis-cli")
            assert cli, "redis-cli is not installed (apt-get install redis-tools)"
            tls_cli = ["--tls", "--cacert", str(pki / "ca.crt")] if pki else []
            subprocess.run(
                [
                    cli,
                    *tls_cli,
                    "--cluster",
                    "create",
                    *(f"127.0.0.1:{self.tls_ports.get(s.port, s.port)}" for s in self.servers),
                    "--cluster-replicas",
                    str(replicas_each),
                    "--cluster-yes",
                ],  # fmt: skip
                check=True,
                capture_output=True,
                timeout=60,
            )
            self.wait_ok()
        except BaseException:
            self.close()
            raise

    @property
    def urls(self) -> list[str]:
        if self.pki:
            return [f"rediss://127.0.0.1:{self.tls_ports[s.port]}" for s in self.servers]
        return [f"redis://127.0.0.1:{s.port}" for s in self.servers]

    def node(self, port: int) -> redis.Redis:
        return redis.Redis("127.0.0.1", port, socket_timeout=5)

    def client(self) -> redis.RedisCluster:
        """redis-py's own cluster client, the independent reader of what we wrote."""
        return redis.RedisCluster("127.0.0.1", self.servers[0].port)

    def masters(self) -> list[int]:
        """Ports of the masters that serve slots, as a live node reports them."""
        for server in self.servers:
            if server.pid is None:
                continue
            try:
                slots = self.node(server.port).execute_command("CLUSTER", "SLOTS")
            except redis.exceptions.RedisError:
                continue
            return sorted({int(r[2][1]) for r in slots})
        raise RuntimeError("no cluster node answers")

    def server(self, port: int) -> RedisServer:
        return next(s for s in self.servers if s.port == port)

    def wait_ok(self, timeout: float = 30.0) -> None:
        """Until every live node reports cluster_state:ok and all 16384 slots assigned."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if all(self._ok(s.port) for s in self.servers if s.pid is not None):
                    return
            except (redis.exceptions.RedisError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the cluster did not reach cluster_state:ok")
            time.sleep(0.1)

    def wait_replicated(self, timeout: float = 30.0) -> None:
        """Until every live replica's link to its master is up (a replica that never finished its
        first sync refuses to fail over: "Disconnected from master for longer than allowed")."""
        deadline = time.monotonic() + timeout
        while True:
            links = []
            for server in self.servers:
                if server.pid is None:
                    continue
                try:
                    info = self.node(server.port).info("replication")
                except (redis.exceptions.RedisError, OSError):
                    links.append(False)
                    continue
                if info.get("role") == "slave":
                    links.append(info.get("master_link_status") == "up")
            if all(links):
                return
            if time.monotonic() > deadline:
                raise RuntimeError("the replicas did not finish syncing")
            time.sleep(0.1)

    def _ok(self, port: int) -> bool:
        info = self.node(port).execute_command("CLUSTER", "INFO").decode()
        fields = dict(line.split(":", 1) for line in info.split() if ":" in line)
        return fields.get("cluster_state") == "ok" and fields.get("cluster_slots_ok") == "16384"

    def flush(self) -> None:
        for port in self.masters():
            self.node(port).flushall()

    def close(self) -> None:
        for server in self.servers:
            server.close()
