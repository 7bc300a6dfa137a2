"""Small helpers shared by the test modules (no fixtures here: those live in conftest.py)."""

from __future__ import annotations

import socket

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
