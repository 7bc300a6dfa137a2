"""A short tour of frappe-cache against a real Redis.

Uses $REDIS_URL when set; otherwise starts a private redis-server on a free loopback port and
stops it at the end. Run it with `make demo`.
"""

from __future__ import annotations

import datetime
import os
import pickle
import statistics
import sys
import time
from contextlib import ExitStack
from decimal import Decimal

import frappe_cache
import redis
from frappe_cache import ClientCache, RedisWrapper, redis_cache, request_scope, set_default_cache
from frappe_cache.testing import RedisServer

SITE = "_1a2b3c4d5e6f7a8b"  # a site's db_name, as in its site_config.json


class _dict(dict):
    """Stands in for frappe._dict: a dict subclass whose type must survive the round trip."""


def show(label: str, value: object) -> None:
    text = value if isinstance(value, Measured) else repr(value)
    print(f"  {label:<52} {text}")


class Measured(str):
    """A figure to print as is, not as a repr."""


def median_ns(fn, rounds: int = 7, number: int = 2000) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter_ns() - start) / number)
    return statistics.median(samples)


def main() -> int:
    with ExitStack() as stack:
        url = os.environ.get("REDIS_URL")
        if not url:
            server = stack.enter_context(RedisServer())
            url = server.url
            print(f"REDIS_URL is unset: started a private redis-server at {url} (pid {server.pid})")
        cache = RedisWrapper.from_url(url, site=SITE)
        raw = redis.Redis.from_url(url)  # what a pure-Python Frappe worker uses
        print(f"frappe-cache {frappe_cache.__version__}: {cache!r}\n")

        print("Keys and values, byte for byte what Frappe writes:")
        doc = _dict(
            name="ToDo-0001",
            status="Open",
            modified=datetime.datetime(2026, 11, 30, 9, 30),
            amount=Decimal("12.50"),
            tags={"urgent"},
        )
        cache.set_value("todo::ToDo-0001", doc, expires_in_sec=3600)
        stored = raw.get(f"{SITE}|todo::ToDo-0001")
        print("  set_value('todo::ToDo-0001', doc, expires_in_sec=3600):")
        show("  key in Redis", stored and f"{SITE}|todo::ToDo-0001")
        show("  pickle protocol of the stored bytes", stored[1])
        show("  pickle.loads by a pure-Python worker", pickle.loads(stored))
        show("  TTL", raw.ttl(f"{SITE}|todo::ToDo-0001"))
        raw.set(f"{SITE}|from_v15", pickle.dumps({"written": "by Frappe v15"}, protocol=4))
        show("get_value of a protocol-4 value from v15", cache.get_value("from_v15"))
        show("make_key('bootinfo', user='a@b.com')", cache.make_key("bootinfo", user="a@b.com"))
        show("make_key('assets_json', shared=True)", cache.make_key("assets_json", shared=True))

        print("\nHashes (field = user, as Frappe's user_cache_keys):")
        cache.hset("bootinfo", "a@b.com", {"lang": "en"})
        cache.hset("bootinfo", "c@d.com", {"lang": "de"})
        show("hgetall('bootinfo')", cache.hgetall("bootinfo"))
        cache.hdel_names(["bootinfo", "roles"], "a@b.com")
        show("after hdel_names(['bootinfo', 'roles'], 'a@b.com')", cache.hkeys("bootinfo"))

        print("\nThe request-local cache (frappe.local.cache, in Rust):")
        with request_scope(SITE, user="a@b.com"):
            first = cache.get_value("todo::ToDo-0001")
            show("two reads in one request: same object", first is cache.get_value("todo::ToDo-0001"))
            calls = []
            cache.get_value("missing", generator=lambda: calls.append(1) or "generated")
            cache.get_value("missing", generator=lambda: calls.append(1) or "generated")
            show("generator calls for two reads of a miss", len(calls))
            cache.set_value("recent", ["ToDo-0001"], user=True)
            show("user=True key", cache.make_key("recent", user=True))
        raw.set(f"{SITE}|todo::ToDo-0001", pickle.dumps("changed elsewhere", protocol=5))
        with request_scope(SITE):
            show("next request sees another worker's write", cache.get_value("todo::ToDo-0001"))

        print("\nDecorators (@redis_cache: stable keys, one GET per request at most):")
        set_default_cache(cache)
        computed = []

        @redis_cache(ttl=60)
        def report(owner: str) -> dict:
            computed.append(owner)
            return {"owner": owner, "open": 3}

        with request_scope(SITE):
            report("a@b.com")
            report("a@b.com")
        with request_scope(SITE):
            report("a@b.com")
        show("three calls in two requests: computations", len(computed))
        show("its key", raw.keys(f"{SITE}|*report::*")[0])
        show("cache_info()", report.cache_info())
        report.clear_cache()
        set_default_cache(None)

        print("\nThe client cache (frappe.client_cache: hot keys kept across requests, fresh by Redis):")
        hot = ClientCache(cache)
        hot.set_value("app_hooks", {"app_include_js": ["/assets/app.js"]})
        show("healthy (listener subscribed, reads tracked)", hot.healthy)
        with request_scope(SITE):
            show("get_value in a later request: no round trip", hot.get_value("app_hooks"))
        raw.set(f"{SITE}|app_hooks", pickle.dumps({"app_include_js": ["/assets/v2.js"]}, protocol=5))
        start = time.perf_counter()
        while (
            hot.get_value("app_hooks")["app_include_js"] != ["/assets/v2.js"]
            and time.perf_counter() - start < 1
        ):
            time.sleep(0.0001)
        waited = time.perf_counter() - start
        show("another worker's write, seen after", Measured(f"{waited * 1000:.2f} ms"))
        show("statistics", hot.statistics)

        print("\nTimings (median of interleaved rounds, this machine, 200-byte value):")
        value = {"name": "x" * 150, "n": 1}
        cache.set_value("bench", value)
        key = f"{SITE}|bench".encode()
        local = {key: value}
        with request_scope(SITE):
            cache.get_value("bench")
            hit = median_ns(lambda: cache.get_value("bench"), number=20000)
            hot.set_value("bench:hot", value)
            hot_hit = median_ns(lambda: hot.get_value("bench:hot"), number=20000)
            dict_ns = median_ns(lambda: local[key], number=20000)
        ours, theirs = [], []
        for _ in range(5):  # interleave so noise hits both sides alike
            ours.append(
                median_ns(lambda: cache.get_value("bench", use_local_cache=False), rounds=1, number=500)
            )
            theirs.append(median_ns(lambda: pickle.loads(raw.get(key)), rounds=1, number=500))
        ours_ns, theirs_ns = statistics.median(ours), statistics.median(theirs)
        show(
            "local hit (get_value in a request)",
            Measured(f"{hit:,.0f} ns = {hit / dict_ns:.1f}x a dict subscript"),
        )
        show(
            "client cache hit (ClientCache.get_value)",
            Measured(f"{hot_hit:,.0f} ns = {hot_hit / dict_ns:.1f}x a dict subscript"),
        )
        show("Redis read (get_value, local cache off)", Measured(f"{ours_ns / 1000:,.1f} us"))
        show("redis-py GET + pickle.loads", Measured(f"{theirs_ns / 1000:,.1f} us"))
        show("frappe-cache / redis-py", Measured(f"{ours_ns / theirs_ns:.2f}x"))
        cache.close()
    print("\nDone; the private redis-server (if any) is stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
