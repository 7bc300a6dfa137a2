"""Redis commands per request on a real Frappe site served by gunicorn (for `make real-frappe`).

Logs in as Administrator, sends each endpoint warm-up requests from several threads at once (so
that every worker serves some and is warm), then
``--rounds`` requests, reading ``INFO commandstats`` of the site's cache Redis before and after
each one: the difference is what that request sent (the INFO calls themselves excluded). Nothing
else talks to that Redis meanwhile (no scheduler, no worker) but each process's client-cache
listener, whose once-a-second PING on its subscription is not a request's: PINGs are not counted
either. So the count is exact, and it does not depend on timing, unlike latency on a shared
machine.

With ``--probe``, it first asks ``frappe.utils.redis_wrapper.frappe_cache_status`` until every
worker has answered:
each says whether it runs the drop-in and since when.

    python tools/frappe_requests.py --url http://127.0.0.1:PORT --redis redis://127.0.0.1:PORT \
        --label with --out results.json [--probe --workers 2]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import statistics
import sys
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import redis

ENDPOINTS = [
    ("frappe.auth.get_logged_user", "/api/method/frappe.auth.get_logged_user"),
    (
        "frappe.client.get_list",
        "/api/method/frappe.client.get_list?"
        + urllib.parse.urlencode({"doctype": "ToDo", "fields": '["name"]', "limit_page_length": 5}),
    ),
    ("/api/resource/User/<name>", "/api/resource/User/Administrator"),
    ("/desk", "/desk"),
    ("getdoctype", "/api/method/frappe.desk.form.load.getdoctype?doctype=ToDo"),
    ("frappe.ping (guest-style)", "/api/method/ping"),
]


class Site:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.url + path, timeout=60) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def login(self) -> None:
        data = urllib.parse.urlencode({"usr": "Administrator", "pwd": "admin"}).encode()
        with self.opener.open(self.url + "/api/method/login", data=data, timeout=60) as r:
            if r.status != 200:
                raise SystemExit(f"login failed: HTTP {r.status}")


def commands(client: redis.Redis) -> dict[str, int]:
    stats = client.info("commandstats")
    # INFO is ours; PING is the client-cache listeners' liveness check, once a second per process.
    skip = {"cmdstat_info", "cmdstat_ping"}
    return {k.removeprefix("cmdstat_"): v["calls"] for k, v in stats.items() if k not in skip}


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    out = {k: after[k] - before.get(k, 0) for k in after}
    return {k: v for k, v in sorted(out.items()) if v}


def concurrently(site: Site, path: str, threads: int, each: int) -> list[bytes]:
    """``each`` requests from each of ``threads`` threads at once. A sync gunicorn worker serves
    one request at a time, so overlapping requests reach every worker; sequential ones may all
    go to the same one."""

    def run() -> list[bytes]:
        bodies = []
        for _ in range(each):
            status, body = site.get(path)
            if status != 200:
                raise SystemExit(f"{path}: HTTP {status}: {body[:300]!r}")
            bodies.append(body)
        return bodies

    with ThreadPoolExecutor(threads) as pool:
        return [body for bodies in pool.map(lambda _: run(), range(threads)) for body in bodies]


def probe(site: Site, workers: int) -> list[dict[str, Any]]:
    seen: dict[int, dict[str, Any]] = {}
    path = "/api/method/frappe.utils.redis_wrapper.frappe_cache_status"
    for _ in range(50):
        for body in concurrently(site, path, 2 * workers, 2):
            report = json.loads(body)["message"]
            seen.setdefault(report["pid"], report)
        if len(seen) == workers:
            break
    return list(seen.values())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--redis", required=True, help="the site's cache Redis (redis_cache)")
    ap.add_argument("--label", required=True)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--probe", action="store_true")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    client = redis.Redis.from_url(args.redis)
    site = Site(args.url)
    result: dict[str, Any] = {"label": args.label, "endpoints": {}}
    before = commands(client)
    site.login()
    result["login"] = delta(before, commands(client))
    if args.probe:
        result["workers"] = probe(site, args.workers)
    for name, path in ENDPOINTS:
        concurrently(site, path, 2 * args.workers, args.warmup)
        counts, breakdowns = [], []
        for _ in range(args.rounds):
            before = commands(client)
            status, body = site.get(path)
            after = commands(client)
            if status != 200:
                raise SystemExit(f"{name}: HTTP {status}: {body[:300]!r}")
            d = delta(before, after)
            counts.append(sum(d.values()))
            breakdowns.append(d)
        median = statistics.median(counts)
        typical = (
            next(b for c, b in zip(counts, breakdowns, strict=True) if c == median)
            if (median in counts)
            else breakdowns[0]
        )
        result["endpoints"][name] = {
            "path": path,
            "median": median,
            "min": min(counts),
            "max": max(counts),
            "typical": typical,
        }
        print(f"{args.label:8} {name:28} median {median:g} (min {min(counts)}, max {max(counts)}) {typical}")
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    sys.exit(0)


if __name__ == "__main__":
    main()
