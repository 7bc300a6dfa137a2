"""Floors: the least any client can spend, measured in the same run as the contenders.

- ``RawClient``: GET/SET/PING from Python over one TCP_NODELAY socket with hand-written RESP and a
  minimal bulk-reply parser. No pool, no parser object, no retries: what a round trip costs a
  Python caller before any library is involved.
- ``redis_benchmark_get``: ``redis-benchmark -c 1 -P 1 -t set,get`` (the C client's own number for
  one connection, no pipelining); ``None`` when the tool is not installed.
- The dict subscript floor is measured by ``run.py`` directly (``d[k]`` under ``timeit``).
- ``pinger``: a separate process that PINGs in a loop and reports its worst latency, used to see
  how long a command blocks the server for everybody else.
"""

from __future__ import annotations

import csv
import io
import shutil
import socket
import subprocess
import time
from typing import Any

__all__ = ["RawClient", "pinger", "redis_benchmark_available", "redis_benchmark_get"]


class RawClient:
    """One blocking TCP_NODELAY socket speaking just enough RESP2 for GET, SET and PING."""

    def __init__(self, host: str, port: int, timeout: float | None = 5.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._recv = self.sock.recv
        self._sendall = self.sock.sendall
        self._sendmsg = self.sock.sendmsg

    def close(self) -> None:
        self.sock.close()

    def get(self, key: bytes) -> bytes | None:
        """``GET key``: the bulk string's bytes, or ``None`` for a nil reply."""
        self._sendall(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(key), key))
        data = self._recv(65536)
        end = data.find(b"\r\n")
        while end < 0:
            data += self._recv(65536)
            end = data.find(b"\r\n")
        if data[0] != 36:  # b"$"
            raise RuntimeError(f"unexpected reply to GET: {data[:80]!r}")
        size = int(data[1:end])
        if size < 0:
            return None
        need = end + 2 + size + 2
        if len(data) < need:
            parts = [data]
            have = len(data)
            while have < need:
                chunk = self._recv(max(65536, need - have))
                if not chunk:
                    raise ConnectionError("server closed the connection")
                parts.append(chunk)
                have += len(chunk)
            data = b"".join(parts)
        return data[end + 2 : end + 2 + size]

    def set(self, key: bytes, value: bytes) -> None:
        """``SET key value`` (the value is sent without copying it into the header)."""
        header = b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n" % (len(key), key, len(value))
        total = len(header) + len(value) + 2
        sent = self._sendmsg((header, value, b"\r\n"))
        if sent < total:  # a short write: send the rest the simple way
            self._sendall((header + value + b"\r\n")[sent:])
        reply = self._recv(64)
        if reply != b"+OK\r\n":
            raise RuntimeError(f"unexpected reply to SET: {reply[:80]!r}")

    def ping(self) -> None:
        self._sendall(b"*1\r\n$4\r\nPING\r\n")
        reply = self._recv(64)
        if reply != b"+PONG\r\n":
            raise RuntimeError(f"unexpected reply to PING: {reply[:80]!r}")


def redis_benchmark_available() -> bool:
    return shutil.which("redis-benchmark") is not None


def redis_benchmark_get(
    port: int, requests: int, data_size: int = 200, host: str = "127.0.0.1"
) -> dict | None:
    """Run ``redis-benchmark -c 1 -P 1 -n N -t set,get -d SIZE --csv``; return the GET row.

    The SET pass only stores the value that GET then reads. Returns ``None`` when redis-benchmark
    is absent, else ``{"us_per_op": 1e6/rps, "rps", "avg_us", "p50_us", "p99_us", "max_us"}``.
    """
    exe = shutil.which("redis-benchmark")
    if exe is None:
        return None
    cmd = [
        exe,
        "-h",
        host,
        "-p",
        str(port),
        "-c",
        "1",
        "-P",
        "1",
        "-n",
        str(requests),
        "-d",
        str(data_size),
        "-t",
        "set,get",
        "--csv",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=True).stdout
    for row in csv.DictReader(io.StringIO(out)):
        if row.get("test", "").upper() == "GET":
            rps = float(row["rps"])
            return {
                "us_per_op": 1e6 / rps,
                "rps": rps,
                "avg_us": float(row["avg_latency_ms"]) * 1000,
                "p50_us": float(row["p50_latency_ms"]) * 1000,
                "p99_us": float(row["p99_latency_ms"]) * 1000,
                "max_us": float(row["max_latency_ms"]) * 1000,
            }
    raise RuntimeError(f"no GET row in redis-benchmark output:\n{out}")


def pinger(port: int, ready: Any, stop: Any, results: Any, interval_s: float = 0.0002) -> None:
    """Process target: PING every ``interval_s`` until ``stop`` is set; put latency stats on ``results``.

    The short sleep between pings keeps this process from competing for a core with the server and
    the process under test (this machine may have only two), so what it records is the server's
    stall, not the scheduler's.
    """
    client = RawClient("127.0.0.1", port)
    client.ping()
    ready.set()
    clock = time.perf_counter_ns
    sleep = time.sleep
    worst = 0
    samples = []
    while not stop.is_set():
        t0 = clock()
        client.ping()
        dt = clock() - t0
        samples.append(dt)
        if dt > worst:
            worst = dt
        sleep(interval_s)
    client.close()
    samples.sort()
    n = len(samples)
    results.put(
        {
            "pings": n,
            "worst_ms": worst / 1e6,
            "p50_ms": samples[n // 2] / 1e6 if n else None,
            "p99_ms": samples[min(n - 1, int(n * 0.99))] / 1e6 if n else None,
        }
    )
