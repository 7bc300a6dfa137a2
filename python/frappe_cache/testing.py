"""A private, throw-away ``redis-server`` for tests and demos (standard library only).

::

    from frappe_cache.testing import RedisServer

    with RedisServer() as server:            # free loopback port, no persistence, own temp dir
        cache = RedisWrapper.from_url(server.url, site="demo")
        ...
        server.pause()                       # SIGSTOP: the server stops answering
        server.resume()                      # SIGCONT
        server.restart()                     # a fresh process (empty data) on the same port

The server binds ``127.0.0.1`` only, never saves to disk (``--save ""``, ``--appendonly no``),
works in its own temporary directory and is stopped by pid: by ``stop()``, on leaving the
``with`` block, or at interpreter exit, whichever comes first.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from types import TracebackType

__all__ = ["RedisServer"]

_INSTALL_HINT = (
    "redis-server was not found on PATH; install it: apt-get install redis-server, or run `make test`"
)


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _answers_ping(port: int, timeout: float = 0.5) -> bool:
    """True when something on ``127.0.0.1:port`` replies to a RESP ``PING``.

    Any reply counts, including ``-NOAUTH`` from a server started with ``--requirepass``.
    """
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            reply = s.recv(64)
    except OSError:
        return False
    return reply.startswith((b"+PONG", b"-NOAUTH", b"-ERR", b"-LOADING"))


class RedisServer:
    """A ``redis-server`` child process on a free loopback port.

    ``unixsocket=True`` also listens on a Unix socket inside the server's temp dir (see
    ``unix_url``). ``args`` are extra command-line arguments (strings or paths), e.g.
    ``["--requirepass", "s3cret"]``; ``port`` pins the TCP port instead of picking a free one.
    The constructor starts the server and returns once it answers ``PING``; it raises
    ``RuntimeError`` when ``redis-server`` is missing or does not come up within
    ``startup_timeout`` seconds.
    """

    host = "127.0.0.1"

    def __init__(
        self,
        *,
        unixsocket: bool = False,
        args: Sequence[str | os.PathLike[str]] = (),
        port: int | None = None,
        startup_timeout: float = 10.0,
    ) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise RuntimeError(_INSTALL_HINT)
        self._executable = executable
        self._args = [os.fspath(a) for a in args]
        self._startup_timeout = startup_timeout
        self._dir = tempfile.mkdtemp(prefix="frappe-cache-redis-")
        self._socket_path = os.path.join(self._dir, "redis.sock") if unixsocket else None
        self._proc: subprocess.Popen[bytes] | None = None
        self._port = port if port is not None else _free_port()
        atexit.register(self._cleanup)
        # Another process may grab a port chosen by _free_port() before redis binds it: retry with
        # a new one (only when the caller did not ask for a specific port).
        for attempt in range(5):
            try:
                self._start()
                return
            except RuntimeError:
                if port is not None or attempt == 4:
                    self._cleanup()
                    raise
                self._port = _free_port()

    # -- addresses -----------------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The TCP port (on ``127.0.0.1``); it stays the same across ``restart()``."""
        return self._port

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:{port}`` (no credentials, database 0)."""
        return f"redis://{self.host}:{self._port}"

    @property
    def unix_url(self) -> str | None:
        """``unix://{path}`` when started with ``unixsocket=True``, else ``None``."""
        return f"unix://{self._socket_path}" if self._socket_path else None

    @property
    def unix_socket_path(self) -> str | None:
        """The Unix socket's file path, or ``None``."""
        return self._socket_path

    @property
    def pid(self) -> int | None:
        """The pid of the running server process, or ``None`` after ``stop()``/``kill()``."""
        if self._proc is None or self._proc.poll() is not None:
            return None
        return self._proc.pid

    # -- lifecycle -----------------------------------------------------------------------------
    def _start(self) -> None:
        cmd = [
            self._executable,
            "--port", str(self._port),
            "--bind", self.host,
            "--save", "",
            "--appendonly", "no",
            "--dir", self._dir,
            "--daemonize", "no",
            "--logfile", os.path.join(self._dir, "redis.log"),
        ]  # fmt: skip
        if self._socket_path:
            cmd += ["--unixsocket", self._socket_path, "--unixsocketperm", "700"]
        cmd += self._args
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                break
            if _answers_ping(self._port) and (self._socket_path is None or os.path.exists(self._socket_path)):
                return
            time.sleep(0.02)
        rc = self._proc.poll()
        self._signal_and_reap()
        raise RuntimeError(
            f"redis-server on port {self._port} did not come up "
            f"({'exited with ' + str(rc) if rc is not None else 'no PING reply'}); "
            f"log tail:\n{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 20) -> str:
        try:
            with open(os.path.join(self._dir, "redis.log"), encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def _signal_and_reap(self, grace: float = 5.0) -> None:
        """SIGTERM (waking a paused process), then SIGKILL after ``grace`` seconds; reap it."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.kill(proc.pid, signal.SIGTERM)
            os.kill(proc.pid, signal.SIGCONT)  # a stopped process handles SIGTERM only once woken
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL if it lingers). Idempotent."""
        self._signal_and_reap()

    def kill(self) -> None:
        """Kill the server abruptly (SIGKILL), as a crash would; clients see reset connections."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections stay open but nothing is answered."""
        if self.pid is None:
            raise RuntimeError("redis-server is not running")
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        """Unfreeze a paused server (SIGCONT)."""
        if self.pid is not None:
            os.kill(self.pid, signal.SIGCONT)

    def restart(self) -> None:
        """Stop the server if it runs, then start a fresh, empty one on the same port."""
        self.stop()
        if self._socket_path and os.path.exists(self._socket_path):
            os.unlink(self._socket_path)
        self._start()

    def _cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)
        atexit.unregister(self._cleanup)

    def close(self) -> None:
        """Stop the server and remove its temporary directory."""
        self._cleanup()

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = f"pid={self.pid}" if self.pid is not None else "stopped"
        return f"<RedisServer {self.url} {state}>"
