"""A TCP proxy between a client and a real redis-server on loopback that misbehaves on request.

Every connection a client opens to ``proxy.url`` gets its own connection to Redis; bytes are
relayed both ways by two threads. The fault in force decides what happens to them:

- ``latency(seconds)``: every chunk is held that long, both ways;
- ``stall()``: nothing moves until ``normal()``;
- ``cut_next_reply()``: the next reply from Redis is thrown away and both sides are closed (the
  command ran, its reply never came); one-shot;
- ``reset()`` / ``half_close()``: open client connections get an RST, or a FIN (no more replies);
- ``drip(interval)``: replies reach the client one byte per ``interval``;
- ``replace_replies(data)``: instead of Redis' next reply, the client gets ``data`` (garbage,
  hostile headers); one-shot.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable

from frappe_cache.testing import _free_port


class FaultProxy:
    def __init__(self, upstream_port: int, host: str = "127.0.0.1") -> None:
        self.upstream = (host, upstream_port)
        self._lock = threading.Lock()
        self._mode = "normal"
        self._arg: object = None
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, _free_port()))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    # -- faults ----------------------------------------------------------------------------------
    def _set(self, mode: str, arg: object = None) -> None:
        with self._lock:
            self._mode, self._arg = mode, arg

    def normal(self) -> None:
        self._set("normal")

    def latency(self, seconds: float) -> None:
        self._set("latency", seconds)

    def stall(self) -> None:
        self._set("stall")

    def cut_next_reply(self) -> None:
        self._set("cut")

    def drip(self, interval: float) -> None:
        self._set("drip", interval)

    def replace_replies(self, data: bytes) -> None:
        self._set("replace", data)

    def reset(self) -> None:
        """An RST to every open client connection."""
        for client, upstream in self._take_pairs():
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            for s in (client, upstream):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def half_close(self) -> None:
        """A FIN to every open client connection: the client reads end-of-stream."""
        for client, _ in list(self._pairs):
            try:
                client.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    # -- plumbing --------------------------------------------------------------------------------
    def _take_pairs(self) -> list[tuple[socket.socket, socket.socket]]:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        return pairs

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _fault(self) -> tuple[str, object]:
        with self._lock:
            return self._mode, self._arg

    def _pump(self, src: socket.socket, dst: socket.socket, replies: bool) -> None:
        def close_both() -> None:
            # shutdown first: a close alone does not reach a socket another thread is blocked on
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                try:
                    s.close()
                except OSError:
                    pass

        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            while True:
                mode, arg = self._fault()
                if mode != "stall":
                    break
                time.sleep(0.01)
            try:
                if mode == "latency":
                    time.sleep(float(arg))  # type: ignore[arg-type]
                if replies and mode == "cut":
                    self.normal()
                    close_both()
                    return
                if replies and mode == "replace":
                    self.normal()
                    dst.sendall(arg)  # type: ignore[arg-type]
                    continue
                if replies and mode == "drip":
                    for i in range(len(data)):
                        dst.sendall(data[i : i + 1])
                        time.sleep(float(arg))  # type: ignore[arg-type]
                    continue
                dst.sendall(data)
            except OSError:
                close_both()
                return

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        for client, upstream in self._take_pairs():
            client.close()
            upstream.close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def timed(call: Callable[[], object]) -> tuple[float, object]:
    """``(seconds, outcome)``: the call's result, or the exception it raised."""
    start = time.monotonic()
    try:
        outcome: object = call()
    except BaseException as e:  # noqa: BLE001 - the outcome is what is measured
        outcome = e
    return time.monotonic() - start, outcome
