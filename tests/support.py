"""Small helpers shared by the test modules (no fixtures here: those live in conftest.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis


def calls(raw: redis.Redis, command: str) -> int:
    """How many times the server has executed ``command`` (from ``INFO commandstats``)."""
    stats = raw.info("commandstats")
    entry = stats.get(f"cmdstat_{command.lower()}")
    return int(entry["calls"]) if entry else 0


class CommandCounter:
    """Counts server-side command executions between ``start`` and ``delta``.

    Reading ``INFO`` is itself a command, so only count commands other than ``info``.
    """

    def __init__(self, raw: redis.Redis, *commands: str) -> None:
        self.raw = raw
        self.commands = commands
        self.before = {c: calls(raw, c) for c in commands}

    def delta(self, command: str) -> int:
        return calls(self.raw, command) - self.before[command]


def dead_url() -> str:
    """A ``redis://`` URL on a loopback port where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}"


def make_pki(directory: Path, *names: str) -> Path:
    """A throw-away CA (``ca.crt``/``ca.key``) and, for each of ``names``, a certificate for
    localhost/127.0.0.1 signed by it (``{name}.crt``/``{name}.key``), made with the openssl CLI.

    The extensions are the ones strict verifiers require (Python 3.13 verifies with
    ``VERIFY_X509_STRICT``): a CA with ``keyUsage``, leaves with their own.
    """

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
            "-days", "2", "-subj", "/CN=frappe-cache test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-addext", "subjectKeyIdentifier=hash")  # fmt: skip
    (directory / "leaf.cnf").write_text(
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth,clientAuth\n"
        "authorityKeyIdentifier=keyid\n"
    )
    for name in names:
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", "/CN=localhost")  # fmt: skip
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", f"{name}.crt", "-days", "2", "-extfile", "leaf.cnf")  # fmt: skip
    return directory


ROOT = Path(__file__).resolve().parent.parent


def record_figures(name: str, source: str, heading: str, first_column: str, figures: dict[str, str]) -> None:
    """With ``FRAPPE_CACHE_RECORD=1`` (``make reliability``): write ``figures`` (table rows, by
    sort key) to ``bench/results/{name}.md`` and quote it in the README between
    ``<!-- {name}:start -->`` and ``<!-- {name}:end -->``."""
    if os.environ.get("FRAPPE_CACHE_RECORD") != "1" or not figures:
        return
    lines = [
        f"Recorded {time.strftime('%Y-%m-%dT%H:%M:%S%z')} by `make reliability` ({source}){heading}",
        "",
        f"| {first_column} | target | measured |",
        "| --- | --- | --- |",
        *(figures[k] for k in sorted(figures)),
    ]
    text = "\n".join(lines) + "\n"
    (ROOT / "bench" / "results" / f"{name}.md").write_text(text)
    readme = ROOT / "README.md"
    body = readme.read_text()
    start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
    i, j = body.find(start), body.find(end)
    if i >= 0 and j > i:
        readme.write_text(body[: i + len(start)] + text + body[j:])


def recorder(name: str, source: str, heading: str, first_column: str = "event") -> tuple[dict[str, str], Any]:
    """A module's figures and the autouse fixture that records them after its last test::

    FIGURES, _record = recorder("cluster", "tests/test_cluster.py", ": 3 masters ...")
    """
    figures: dict[str, str] = {}

    @pytest.fixture(scope="module", autouse=True)
    def _record() -> Iterator[None]:
        yield
        record_figures(name, source, heading, first_column, figures)

    return figures, _record


def frappe_redis_wrapper_source() -> Path | None:
    """Frappe's ``frappe/utils/redis_wrapper.py`` from a Frappe source tree, if one is here:
    ``FRAPPE_REDIS_WRAPPER`` (the file), ``FRAPPE_SOURCE`` (a checkout), or the real-Frappe kit's
    work dir that ``make real-frappe`` leaves behind. Read at test (and bench) time, never copied."""
    candidates = []
    if os.environ.get("FRAPPE_REDIS_WRAPPER"):
        candidates.append(Path(os.environ["FRAPPE_REDIS_WRAPPER"]))
    if os.environ.get("FRAPPE_SOURCE"):
        candidates.append(Path(os.environ["FRAPPE_SOURCE"]) / "frappe" / "utils" / "redis_wrapper.py")
    candidates.append(ROOT / ".real-frappe" / "apps" / "frappe" / "frappe" / "utils" / "redis_wrapper.py")
    return next((p for p in candidates if p.is_file()), None)


def client_ids(raw: redis.Redis, kind: str) -> list[int]:
    """Ids of the connections a client cache keeps: ``"listener"`` (subscribed) or ``"tracked"``
    (tracking on: ``t`` in CLIENT LIST's flags)."""
    if kind == "listener":
        return [int(c["id"]) for c in raw.client_list() if int(c.get("sub", 0)) > 0]
    return [int(c["id"]) for c in raw.client_list() if "t" in c["flags"]]


def version_checker(read: Any, server: Any, key: bytes, seconds: float) -> dict[str, Any]:
    """Issue 10's freshness check. A plain redis-py client writes an increasing version to ``key``
    (pickled) while two threads ``read()`` it (through a client cache); meanwhile the listener's
    connection and the tracked one are killed (CLIENT KILL) and ``server`` is SIGKILLed and
    restarted. A read is stale when the version it returned had been overwritten more than 1 s
    before: ``{"reads", "stale", "worst_s", "writes"}``."""
    import pickle
    import threading

    raw = redis.Redis.from_url(server.url, socket_timeout=1)
    overwritten: dict[int, float] = {}  # version -> when the next one was written
    out: dict[str, Any] = {"reads": 0, "stale": 0, "worst_s": 0.0, "writes": 0}
    lock = threading.Lock()
    stop = threading.Event()

    def writer() -> None:
        version = 0
        while not stop.is_set():
            try:
                raw.set(key, pickle.dumps(version + 1))
            except redis.ConnectionError:
                time.sleep(0.01)
                continue
            version += 1
            with lock:
                overwritten[version - 1] = time.monotonic()
                out["writes"] += 1
            time.sleep(0.001)

    def reader() -> None:
        while not stop.is_set():
            time.sleep(0.0001)  # leave the writer the GIL: a read every ~0.1 ms per thread
            try:
                seen = read()
            except Exception:  # noqa: BLE001 - a failed read is not a stale one
                continue
            now = time.monotonic()
            with lock:
                out["reads"] += 1
                when = overwritten.get(seen) if seen is not None else None
                if when is not None:
                    out["worst_s"] = max(out["worst_s"], now - when)
                    out["stale"] += now - when > 1.0

    threads = [threading.Thread(target=t) for t in (writer, reader, reader)]
    for t in threads:
        t.start()
    step = seconds / 4
    try:
        time.sleep(step)
        for kind in ("listener", "tracked"):
            for client in client_ids(raw, kind):
                raw.client_kill_filter(_id=client)
            time.sleep(step)
        server.kill()
        time.sleep(0.2)
        server.restart()
        time.sleep(step)
    finally:
        stop.set()
        for t in threads:
            t.join()
        raw.close()
    return out
