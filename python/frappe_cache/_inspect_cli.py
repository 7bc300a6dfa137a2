"""``python -m frappe_cache inspect``: list a site's cache keys with a preview of each value.

Values are previewed by ``frappe_cache._native.inspect_pickle``, which decodes pickles **without
executing them**, so this is safe to point at a Redis you do not trust. Keys are found with
``SCAN`` (never ``KEYS``, which blocks a Redis shared by every site). It talks to Redis through
the package's own native client: the same URL parser, TLS and reply reader as the cache.

Exit status: 0 on success, 2 for bad arguments (including a malformed ``--url``), 1 when Redis
cannot be reached or answers with an error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from frappe_cache._native import RedisWrapper, glob_escape, inspect_pickle, mask_password
from frappe_cache.exceptions import (
    CacheAuthenticationError,
    CacheConnectionError,
    CacheError,
    CacheResponseError,
    CacheTimeoutError,
)

DEFAULT_URL = "redis://127.0.0.1:6379"


class UsageError(Exception):
    """Bad command-line input: exit status 2."""


class RedisUnavailable(Exception):
    """Redis could not be reached, or refused us: exit status 1."""


class ReplyError(Exception):
    """An error reply (``-ERR ...``) to a command outside a pipeline."""


# ------------------------------------------------------------------------------------------------
# Connection


class Connection:
    """The package's own client (its URL parser, TLS and RESP reader), with this command's error
    vocabulary: a bad URL or TLS option is a ``UsageError``, anything Redis does is
    ``RedisUnavailable``, an error reply inside a pipeline comes back as an exception object."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float,
        ca_certs: str | None = None,
        certfile: str | None = None,
        keyfile: str | None = None,
    ) -> None:
        self.display = mask_password(url)
        self._timeout = timeout
        try:
            self._client = RedisWrapper(
                url,
                socket_connect_timeout=timeout,
                socket_timeout=timeout,
                max_connections=1,
                ssl_ca_certs=ca_certs,
                ssl_certfile=certfile,
                ssl_keyfile=keyfile,
            )
        except ValueError as e:
            what = "--url" if str(e).startswith("invalid Redis URL") else "TLS option"
            raise UsageError(f"bad {what}: {e}") from None
        try:
            self._client.execute_raw("PING")
        except (CacheResponseError, CacheAuthenticationError) as e:
            raise RedisUnavailable(f"Redis at {self.display} refused us: {e}") from None
        except CacheError as e:
            raise self._unavailable(e) from None

    def close(self) -> None:
        self._client.close_connections()

    def call(self, *args: object) -> Reply:
        """One command; an error reply raises ``ReplyError``."""
        try:
            return self._client.execute_raw(*args)
        except CacheResponseError as e:
            raise ReplyError(str(e)) from None
        except CacheError as e:
            raise self._unavailable(e) from None

    def pipeline(self, commands: Sequence[Sequence[object]]) -> list[Reply]:
        """All commands in one round trip; error replies come back as ``CacheResponseError``."""
        try:
            return self._client.execute_pipeline([tuple(c) for c in commands])
        except CacheResponseError as e:
            raise ReplyError(str(e)) from None
        except CacheError as e:
            raise self._unavailable(e) from None

    def _unavailable(self, error: CacheError) -> RedisUnavailable:
        if isinstance(error, CacheTimeoutError):
            return RedisUnavailable(
                f"Redis at {self.display} did not answer within {self._timeout:g} s (--timeout)"
            )
        if isinstance(error, CacheConnectionError):
            return RedisUnavailable(f"cannot reach Redis at {self.display}: {error}")
        return RedisUnavailable(f"Redis at {self.display}: {error}")


Reply = Any  # bytes | int | list | None, or CacheResponseError inside a pipeline


# ------------------------------------------------------------------------------------------------
# Listing


@dataclass
class Row:
    key: bytes
    type: str
    ttl: int | None = None  # seconds; None: no expiry
    size: int | None = None  # bytes for strings, element count otherwise
    kind: str = ""
    preview: str = ""
    elements: list[tuple[str, str, str]] = field(default_factory=list)  # (field or index, kind, preview)


SIZE_UNITS = {
    "string": "B",
    "hash": "fields",
    "list": "items",
    "set": "members",
    "zset": "members",
    "stream": "entries",
}
SIZE_COMMANDS = {
    "string": "STRLEN",
    "hash": "HLEN",
    "list": "LLEN",
    "set": "SCARD",
    "zset": "ZCARD",
    "stream": "XLEN",
}


def scan_keys(conn: Connection, match: bytes, limit: int) -> tuple[list[bytes], bool]:
    """Up to ``limit`` keys matching ``match`` (0: no limit), sorted, and whether more matched."""
    keys: set[bytes] = set()
    cursor = b"0"
    while True:
        cursor, batch = conn.call("SCAN", cursor, "MATCH", match, "COUNT", 1000)
        keys.update(batch)
        if limit and len(keys) >= limit:
            more = len(keys) > limit or cursor != b"0"
            return sorted(keys)[:limit], more
        if cursor == b"0":
            return sorted(keys), False


def _text(data: bytes) -> str:
    text = data.decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def describe(
    conn: Connection, keys: list[bytes], *, elements: int, width: int, max_bytes: int, batch: int = 200
) -> Iterator[Row]:
    """TYPE, TTL, size and previews of ``keys``, pipelined ``batch`` keys at a time."""
    for start in range(0, len(keys), batch):
        chunk = keys[start : start + batch]
        replies = conn.pipeline([c for k in chunk for c in (("TYPE", k), ("TTL", k))])
        rows = []
        for i, key in enumerate(chunk):
            kind, ttl = replies[2 * i], replies[2 * i + 1]
            if isinstance(kind, Exception) or kind == b"none":
                continue  # gone since SCAN
            rows.append(
                Row(key=key, type=kind.decode(), ttl=ttl if isinstance(ttl, int) and ttl >= 0 else None)
            )

        sized = [r for r in rows if r.type in SIZE_COMMANDS]
        for row, size in zip(
            sized, conn.pipeline([(SIZE_COMMANDS[r.type], r.key) for r in sized]), strict=True
        ):
            row.size = size if isinstance(size, int) else None

        fetch: list[tuple[Row, tuple[object, ...]]] = []
        for row in rows:
            if row.type == "string":
                if row.size is not None and row.size > max_bytes:
                    row.kind, row.preview = "skipped", f"{row.size} bytes: more than --max-bytes {max_bytes}"
                else:
                    fetch.append((row, ("GET", row.key)))
            elif row.type == "hash" and elements:
                fetch.append((row, ("HSCAN", row.key, 0, "COUNT", elements)))
            elif row.type == "list" and elements:
                fetch.append((row, ("LRANGE", row.key, 0, elements - 1)))
            elif row.type == "set" and elements:
                fetch.append((row, ("SSCAN", row.key, 0, "COUNT", elements)))
        for (row, command), reply in zip(fetch, conn.pipeline([c for _, c in fetch]), strict=True):
            if isinstance(reply, Exception):
                row.kind, row.preview = "error", str(reply)
            elif row.type == "string":
                row.kind, row.preview = ("gone", "") if reply is None else inspect_pickle(reply, width)
            else:
                _fill_elements(conn, row, command, reply, elements, width, max_bytes)
        yield from rows


def _fill_elements(
    conn: Connection,
    row: Row,
    command: tuple[object, ...],
    reply: Reply,
    limit: int,
    width: int,
    max_bytes: int,
) -> None:
    """The first ``limit`` hash fields, list items or set members of ``row``, each previewed."""
    if row.type == "list":
        labelled = [(f"[{i}]", value) for i, value in enumerate(reply)]
    else:
        # HSCAN/SSCAN: continue the scan while it returns fewer than asked (it may return none).
        cursor, found = reply
        while len(found) < limit * (2 if row.type == "hash" else 1) and cursor != b"0":
            cursor, more = conn.call(command[0], row.key, cursor, "COUNT", limit)
            found = found + more
        if row.type == "hash":
            labelled = [(_text(found[i]), found[i + 1]) for i in range(0, len(found), 2)]
        else:
            labelled = [("", member) for member in found]
    for label, value in labelled[:limit]:
        kind, text = (
            inspect_pickle(value, width) if len(value) <= max_bytes else ("skipped", f"{len(value)} bytes")
        )
        row.elements.append((label, kind, text))


# ------------------------------------------------------------------------------------------------
# Output


def as_json(row: Row) -> str:
    record: dict[str, Any] = {
        "key": _text(row.key),
        "type": row.type,
        "ttl": row.ttl,
        "size": row.size,
    }
    if row.type == "string":
        record["kind"], record["preview"] = row.kind, row.preview
    if row.elements:
        elements: list[dict[str, Any]] = []
        for i, (label, kind, text) in enumerate(row.elements):
            element: dict[str, Any] = {"field": label} if row.type == "hash" else {}
            if row.type == "list":
                element["index"] = i
            elements.append({**element, "kind": kind, "preview": text})
        record["elements"] = elements
    return json.dumps(record, ensure_ascii=False)


def table(rows: list[Row], out: TextIO) -> None:
    """An aligned table; the elements of hashes, lists and sets on indented lines below their key."""
    lines: list[tuple[str, str, str, str, str, str]] = [("KEY", "TYPE", "TTL", "SIZE", "KIND", "PREVIEW")]
    for row in rows:
        size = "-" if row.size is None else f"{row.size} {SIZE_UNITS.get(row.type, '')}".strip()
        ttl = "none" if row.ttl is None else f"{row.ttl}s"
        lines.append((_text(row.key), row.type, ttl, size, row.kind, row.preview))
        for label, kind, text in row.elements:
            lines.append((f"  {label}" if label else "  -", "", "", "", kind, text))
    widths = [max(len(line[i]) for line in lines) for i in range(5)]
    for line in lines:
        cells = [cell.ljust(w) for cell, w in zip(line[:5], widths, strict=True)] + [line[5]]
        out.write("  ".join(cells).rstrip() + "\n")


# ------------------------------------------------------------------------------------------------
# Command line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m frappe_cache",
        description="Tools for frappe-cache, the native drop-in for Frappe's Redis cache.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    inspect = commands.add_parser(
        "inspect",
        help="list cache keys with type, TTL, size and a safe preview of each value",
        description=(
            "List cache keys with their type, TTL, size and a preview of each value. Pickled values "
            "are decoded WITHOUT executing them (nothing is imported or called), so this is safe on "
            "a Redis you do not trust; what cannot be decoded shows as 'opaque' with the reason. "
            "Keys are found with SCAN, never KEYS."
        ),
        epilog=(
            "examples: python -m frappe_cache inspect --site _1a2b3c4d; "
            "python -m frappe_cache inspect --url redis://127.0.0.1:13000 --pattern 'doc*' --json"
        ),
    )
    inspect.add_argument(
        "--url",
        default=os.environ.get("REDIS_URL") or DEFAULT_URL,
        help=(
            "redis://[[user]:password@]host[:port][/db], rediss://... or unix:///path/redis.sock[?db=N] "
            f"(default: $REDIS_URL, else {DEFAULT_URL}; Frappe's is redis_cache in common_site_config.json)"
        ),
    )
    inspect.add_argument("--site", help="only this site's keys, '{site}|...' (Frappe's key prefix)")
    inspect.add_argument(
        "--pattern",
        default="*",
        metavar="GLOB",
        help="Redis glob for the key after the site prefix, or for the whole key without --site (default: *)",
    )
    inspect.add_argument(
        "--limit",
        type=_count,
        default=1000,
        metavar="N",
        help="list at most N keys, 0 for all (default: 1000)",
    )
    inspect.add_argument(
        "--elements",
        type=_count,
        default=3,
        metavar="N",
        help="preview the first N fields of a hash, items of a list, members of a set (default: 3)",
    )
    inspect.add_argument(
        "--width", type=_positive, default=80, metavar="CHARS", help="longest preview (default: 80)"
    )
    inspect.add_argument(
        "--max-bytes",
        type=_count,
        default=16 << 20,
        metavar="N",
        help="do not fetch values longer than this (default: 16 MiB)",
    )
    inspect.add_argument(
        "--timeout", type=float, default=5.0, metavar="SECONDS", help="connect and read timeout (default: 5)"
    )
    inspect.add_argument("--ca-certs", metavar="FILE", help="rediss://: CA bundle to verify the server with")
    inspect.add_argument("--certfile", metavar="FILE", help="rediss://: client certificate")
    inspect.add_argument("--keyfile", metavar="FILE", help="rediss://: client certificate's key")
    inspect.add_argument("--json", action="store_true", help="one JSON object per key instead of a table")
    return parser


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _is_tls(url: str) -> bool:
    return url.lower().startswith(("rediss://", "valkeys://"))


def inspect_command(args: argparse.Namespace, out: TextIO) -> int:
    if (args.ca_certs or args.certfile or args.keyfile) and not _is_tls(args.url):
        raise UsageError("--ca-certs, --certfile and --keyfile need a rediss:// URL")
    if bool(args.certfile) != bool(args.keyfile):
        raise UsageError("--certfile and --keyfile go together")
    if args.site:
        match = glob_escape(args.site) + b"|" + args.pattern.encode("utf-8", "surrogateescape")
    else:
        match = args.pattern.encode("utf-8", "surrogateescape")
    shown = _text(match)
    conn = Connection(
        args.url,
        timeout=args.timeout,
        ca_certs=args.ca_certs,
        certfile=args.certfile,
        keyfile=args.keyfile,
    )
    try:
        keys, more = scan_keys(conn, match, args.limit)
        rows = describe(conn, keys, elements=args.elements, width=args.width, max_bytes=args.max_bytes)
        if args.json:
            for row in rows:
                out.write(as_json(row) + "\n")
        else:
            listed = list(rows)
            table(listed, out)
            out.write(
                f"{len(listed)} key{'s' if len(listed) != 1 else ''} matching {shown!r} in {conn.display}\n"
            )
        if more:
            print(f"stopped at --limit {args.limit}: more keys match {shown!r}", file=sys.stderr)
    except ReplyError as e:
        raise RedisUnavailable(f"Redis at {conn.display} answered with an error: {e}") from None
    finally:
        conn.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return inspect_command(args, sys.stdout)
    except UsageError as e:
        parser.exit(2, f"{parser.prog} {args.command}: error: {e}\n")
    except RedisUnavailable as e:
        print(f"{parser.prog} {args.command}: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `... | head`: stop quietly, and keep Python from complaining while it flushes stdout.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
