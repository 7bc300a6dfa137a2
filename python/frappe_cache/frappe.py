"""Drop-in for a Frappe bench: ``install()`` puts frappe-cache behind ``frappe.cache``.

Two lines in a Frappe app's package ``__init__.py`` (bench imports every app's ``commands``
module, hence its package, before any bench command runs)::

    from frappe_cache.frappe import install
    install()

Importing this module does not import Frappe; ``install()`` imports it and patches the loaded
``frappe`` package, once per process (calling it again does nothing). It follows Frappe's own
lifecycle instead of wrapping Frappe's functions:

- ``frappe.cache`` is a frappe-cache ``RedisWrapper`` built from the site config key
  ``redis_cache`` (``frappe.utils.redis_wrapper.setup_cache`` returns it, so Frappe's own lazy,
  locked set-up builds it, and v16 builds its ``ClientCache`` on top of it). A Frappe wrapper that
  already exists is replaced at once (inside a request) or when Frappe next loads a site config.
- ``frappe.local.cache`` *is* the request-local cache: whenever Frappe (``init``, ``set_user``,
  ``clear_cache``) or an app assigns it, the assigned dict becomes a ``LocalCache`` holding the
  same items, which the wrapper reads and fills; reads, writes, ``in``, ``pop``, ``del``,
  ``clear`` on it act on the one store. Its site prefix is ``frappe.local.conf.db_name``, read
  when the cache or the config is assigned; ``user=True`` asks ``frappe.local.session`` on every
  call, as Frappe's ``make_key`` does. Releasing ``frappe.local`` (``frappe.destroy``, the end of
  a request) drops it.
- ``frappe.utils.caching.redis_cache`` and ``site_cache`` are ours, and emptying
  ``frappe.utils.caching._SITE_CACHE`` (the global clear, a clear of doctype "DocType", v16's
  ``clear_persistent_cache`` message) also empties our ``@site_cache`` functions.
  ``request_cache`` stays Frappe's: its store is ``frappe.local.request_cache``, which Frappe
  resets on its own schedule. Functions decorated before ``install()`` ran keep Frappe's
  decorators, running on the new ``frappe.cache``.

``status()`` and ``check()`` tell whether a process runs the drop-in; once installed they are
also ``frappe.utils.redis_wrapper.frappe_cache_status`` / ``frappe_cache_check``, callable over
HTTP (System Managers), with ``bench execute`` and as a job (see the README).

A bench whose config enables Redis Sentinel (``redis_cache_sentinel_enabled``) gets a wrapper
from ``RedisWrapper.from_sentinel``, read from the same keys as Frappe's ``setup_cache``:
``redis_cache_sentinels`` (``["host:port", ...]``), ``redis_cache_master_service``,
``redis_cache_master_username``/``_password`` and ``redis_cache_sentinel_username``/``_password``.
A bench whose config has ``redis_cache_cluster_nodes`` (our key, a list of node URLs: Frappe
itself has no cluster support) gets ``RedisWrapper.from_cluster`` on them.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import frappe_cache
from frappe_cache import _native
from frappe_cache.caching import clear_site_caches
from frappe_cache.client_cache import ClientCache
from frappe_cache.wrapper import RedisWrapper

__all__ = ["check", "install", "installed", "status"]

# Set on the ``frappe`` module once it is patched: install() is once per loaded Frappe.
_INSTALLED = "__frappe_cache_installed__"

_install_lock = threading.RLock()
# Guards replacing a Frappe-built frappe.cache (Frappe's own set-up has its own lock).
_replace_lock = threading.Lock()
# How install() found the process: before any request or job (bench commands, gunicorn's
# --preload master, whose forked workers inherit it), or inside one. None: not installed.
_installed_when: str | None = None


def installed() -> bool:
    """True when the loaded ``frappe`` module has been patched by ``install()``."""
    frappe = sys.modules.get("frappe")
    return bool(frappe is not None and getattr(frappe, _INSTALLED, False))


def install() -> None:
    """Make ``frappe.cache``, ``frappe.local.cache`` and ``@redis_cache`` frappe-cache's (idempotent).

    Call it from a Frappe app's package ``__init__.py``. It takes effect at once: inside an
    initialised request or job it replaces ``frappe.cache`` and adopts ``frappe.local.cache``
    right away; otherwise as Frappe creates them.
    """
    import frappe

    with _install_lock:
        if getattr(frappe, _INSTALLED, False):
            return
        _watch_local(frappe)
        _patch_setup_cache(frappe)
        _patch_client_cache(frappe)
        _native.set_user_resolver(lambda: _session_user(frappe))
        # The decorators use whatever frappe.cache is at each call (Frappe rebuilds it at will).
        frappe_cache.set_default_cache(lambda: _ours_or_none(frappe.cache))
        _patch_decorators(frappe)
        _whitelist(frappe)
        setattr(frappe, _INSTALLED, True)
        _warn_if_greenlets()

    global _installed_when
    conf = _conf(frappe)
    _installed_when = "inside a request or job" if conf is not None else "before any request or job"
    if conf is not None:  # inside a request or job: take effect now
        _ensure_ours(frappe, conf)
        frappe.local.cache = getattr(frappe.local, "cache", None) or {}


def _ours_or_none(cache: Any) -> RedisWrapper | None:
    return cache if isinstance(cache, RedisWrapper) else None


def _warn_if_greenlets() -> None:
    """The request cache is per OS thread; ``frappe.local`` is per greenlet under gevent."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("threading"):
        warnings.warn(
            "frappe-cache keeps one request-local cache per OS thread, but this process runs "
            "gevent greenlets: concurrent requests on one thread would share it. Use sync or "
            "gthread workers with frappe-cache.",
            RuntimeWarning,
            stacklevel=3,
        )


def _conf(frappe: Any) -> Any:
    """This context's site config (``frappe.local.conf``), or ``None`` outside a request or job."""
    try:
        return getattr(frappe.local, "conf", None)
    except RuntimeError:  # a Local proxy with nothing bound
        return None


def _site(conf: Any) -> str:
    """The key prefix Frappe's ``make_key`` would use: ``f"{conf.get('db_name')}"``."""
    return f"{conf.get('db_name') if conf is not None else None}"


def _session_user(frappe: Any) -> Any:
    """``user=True``: ``frappe.local.session.get("user")``, as Frappe's ``make_key`` reads it."""
    session = getattr(frappe.local, "session", None)
    return session.get("user") if session is not None else None


# -- frappe.cache ---------------------------------------------------------------------------------


def _build_cache(conf: Any) -> RedisWrapper:
    """Our wrapper from ``conf.redis_cache``, or from the Sentinel keys (does not connect)."""
    # site=None: keys take their site from the request cache only. One wrapper serves every site
    # of the process, so a fallback site would put one site's prefix on another's keys.
    if conf is not None and conf.get("redis_cache_sentinel_enabled"):
        return RedisWrapper.from_sentinel(  # type: ignore[no-any-return]
            conf.get("redis_cache_sentinels") or [],
            conf.get("redis_cache_master_service"),
            username=conf.get("redis_cache_master_username"),
            password=conf.get("redis_cache_master_password"),
            sentinel_username=conf.get("redis_cache_sentinel_username"),
            sentinel_password=conf.get("redis_cache_sentinel_password"),
        )
    nodes = conf.get("redis_cache_cluster_nodes") if conf is not None else None
    if nodes:
        return RedisWrapper.from_cluster(nodes)  # type: ignore[no-any-return]
    url = conf.get("redis_cache") if conf is not None else None
    if not url:
        # Frappe fails here too (redis-py cannot parse a missing URL), inside frappe.init.
        raise ValueError("redis_cache is not set in common_site_config.json or site_config.json")
    return RedisWrapper.from_url(str(url))  # type: ignore[no-any-return]


def _patch_setup_cache(frappe: Any) -> None:
    """Frappe's ``setup_redis_cache_connection`` builds ``frappe.cache`` with ``setup_cache``."""
    try:
        import frappe.utils.redis_wrapper as redis_wrapper
    except ImportError:
        return
    original = getattr(redis_wrapper, "setup_cache", None)

    def setup_cache() -> Any:
        return _build_cache(frappe.conf)

    if original is not None:
        setup_cache.__doc__ = original.__doc__
        setup_cache.__wrapped__ = original  # type: ignore[attr-defined]
    redis_wrapper.setup_cache = setup_cache


def _ensure_ours(frappe: Any, conf: Any) -> None:
    """Replace a ``frappe.cache`` that Frappe built before ``install()`` ran."""
    current = getattr(frappe, "cache", None)
    configured = (
        conf.get("redis_cache")
        or conf.get("redis_cache_sentinel_enabled")
        or conf.get("redis_cache_cluster_nodes")
    )
    if current is None or isinstance(current, RedisWrapper) or not configured:
        return
    with _replace_lock:
        if not isinstance(frappe.cache, RedisWrapper):
            frappe.cache = _build_cache(conf)
            frappes = getattr(frappe, "client_cache", None)
            if frappes is not None and _client_cache_wanted(conf):
                frappe.client_cache = FrappeClientCache()
                _stop_listener(frappes)


# -- frappe.client_cache (v16) -------------------------------------------------------------------


class FrappeClientCache(ClientCache):
    """``frappe.client_cache`` under the drop-in: our ``ClientCache`` over ``frappe.cache``, built
    with the arguments of Frappe's (``maxsize``, ``ttl``; ``monitor`` is unused there too), plus
    Frappe's ``get_doc``."""

    def __new__(
        cls, maxsize: int | None = 1024, ttl: float | None = 600, monitor: Any = None
    ) -> FrappeClientCache:
        import frappe

        return super().__new__(cls, frappe.cache, maxsize=maxsize, ttl=ttl)  # type: ignore[return-value]

    def get_doc(self, doctype: str, name: str | None = None) -> Any:
        """A document (a Single when ``name`` is omitted), cached under ``get_cached_doc``'s key."""
        import frappe

        name = name or doctype
        key = frappe.get_document_cache_key(doctype, name)
        return self.get_value(key, generator=lambda: frappe.get_doc(doctype, name))


def _stop_listener(client_cache: Any) -> None:
    """Stop the invalidation thread of a Frappe ``ClientCache`` that ours replaced."""
    thread = getattr(client_cache, "invalidator_thread", None)
    stop = getattr(thread, "stop", None)
    if callable(stop):
        with contextlib.suppress(Exception):
            stop()


def _client_cache_wanted(conf: Any) -> bool:
    """Ours unless the site config says ``"frappe_cache_client_cache": 0``."""
    return bool(conf is None or conf.get("frappe_cache_client_cache", 1))


def _patch_client_cache(frappe: Any) -> None:
    """v16's ``setup_redis_cache_connection`` builds ``frappe.client_cache`` with
    ``frappe.utils.redis_wrapper.ClientCache()`` right after ``frappe.cache``: it gets ours when
    ``frappe.cache`` is ours (else, or when the config opts out, Frappe's own)."""
    try:
        import frappe.utils.redis_wrapper as redis_wrapper
    except ImportError:
        return
    original = getattr(redis_wrapper, "ClientCache", None)
    if original is None or getattr(original, "__frappe_cache_original__", None) is not None:
        return  # v15 has no client cache

    def client_cache(maxsize: int | None = 1024, ttl: float | None = 600, monitor: Any = None) -> Any:
        if isinstance(getattr(frappe, "cache", None), RedisWrapper) and _client_cache_wanted(_conf(frappe)):
            return FrappeClientCache(maxsize=maxsize, ttl=ttl, monitor=monitor)
        return original(maxsize, ttl) if monitor is None else original(maxsize, ttl, monitor)

    client_cache.__doc__ = original.__doc__
    client_cache.__frappe_cache_original__ = original  # type: ignore[attr-defined]
    redis_wrapper.ClientCache = client_cache


# -- frappe.local: the request cache follows Frappe's own assignments ---------------------------


def _watch_local(frappe: Any) -> None:
    """Follow ``frappe.local``'s life: the request cache is created, re-sited and dropped with it.

    ``frappe.local``'s class becomes a subclass (same slots, same object) whose ``__setattr__``
    notices two assignments:

    - ``local.cache = {...}``: the value becomes this thread's ``LocalCache``, prefixed with the
      site in ``local.conf`` (Frappe assigns ``conf`` first in ``init``);
    - ``local.conf = ...``: the current request cache takes the new site, and a ``frappe.cache``
      built by Frappe before ``install()`` is replaced.

    Releasing the context (``frappe.release_local``, which ``frappe.destroy`` calls; werkzeug's
    ``__release_local__`` on Frappe versions whose ``Local`` is werkzeug's) drops the cache.
    """
    local = frappe.local
    base = type(local)
    if getattr(base, "__frappe_cache_watch__", False):
        return
    base_setattr: Callable[[Any, str, Any], None] = base.__setattr__

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if name == "cache":
            conf = getattr(self, "conf", None)
            value = _native.adopt_local_cache({} if value is None else value, _site(conf))
        base_setattr(self, name, value)
        if name == "conf" and value is not None:
            _native.set_scope_site(_site(value))
            _ensure_ours(frappe, value)

    namespace: dict[str, Any] = {
        "__slots__": (),
        "__setattr__": __setattr__,
        "__frappe_cache_watch__": True,
        "__module__": base.__module__,
    }
    base_release = getattr(base, "__release_local__", None)
    if base_release is not None:

        def __release_local__(self: Any) -> None:
            try:
                base_release(self)
            finally:
                _native.end_request()

        namespace["__release_local__"] = __release_local__

    watched = type(base.__name__, (base,), namespace)
    # Local.__setattr__ would store "__class__" as a context-local attribute.
    object.__setattr__(local, "__class__", watched)

    original_release = getattr(frappe, "release_local", None)
    if original_release is not None and not hasattr(original_release, "__frappe_cache_original__"):

        def release_local(local: Any) -> None:
            try:
                original_release(local)
            finally:
                if local is frappe.local:
                    _native.end_request()

        release_local.__doc__ = original_release.__doc__
        release_local.__frappe_cache_original__ = original_release  # type: ignore[attr-defined]
        frappe.release_local = release_local


# -- decorators ---------------------------------------------------------------------------------


class _SiteCacheRegistry(defaultdict):  # type: ignore[type-arg]
    """Replaces ``frappe.utils.caching._SITE_CACHE``: clearing it clears our ``@site_cache`` too.

    Frappe's global ``clear_cache``, its clear of doctype "DocType" and v16's
    ``clear_persistent_cache`` handler all call ``frappe.utils.caching._SITE_CACHE.clear()``.
    """

    def clear(self) -> None:
        super().clear()
        clear_site_caches()


def _patch_decorators(frappe: Any) -> None:
    from frappe_cache import caching

    try:
        import frappe.utils.caching as frappe_caching
    except ImportError:
        return

    ours = {"redis_cache": caching.redis_cache, "site_cache": caching.site_cache}
    for name, decorator in ours.items():
        frappes = getattr(frappe_caching, name, None)
        setattr(frappe_caching, name, decorator)
        # a name Frappe re-exports on the package (``frappe.site_cache``) follows
        if frappes is not None and getattr(frappe, name, None) is frappes:
            setattr(frappe, name, decorator)
    existing = getattr(frappe_caching, "_SITE_CACHE", None)
    if isinstance(existing, dict) and not isinstance(existing, _SiteCacheRegistry):
        factory = existing.default_factory if isinstance(existing, defaultdict) else None
        frappe_caching._SITE_CACHE = _SiteCacheRegistry(factory, existing)


# -- is it active here? --------------------------------------------------------------------------


def status() -> dict[str, Any]:
    """Whether this process runs the drop-in, and how: one dict, cheap, no Redis round trip.

    Over HTTP (System Managers only):
    ``GET /api/method/frappe.utils.redis_wrapper.frappe_cache_status``; each gunicorn worker
    answers for itself (``pid``).
    """
    import frappe

    _only_system_managers(frappe)
    cache = getattr(frappe, "cache", None)
    return {
        "installed": installed(),
        "installed_when": _installed_when,
        "pid": os.getpid(),
        "frappe_cache": f"{type(cache).__module__}.{type(cache).__qualname__}",
        "local_cache": type(getattr(frappe.local, "cache", None)).__qualname__,
        "redis_cache_decorator": f"{_decorator_module(frappe)}",
        "client_cache": _describe_client_cache(frappe),
        "url": getattr(cache, "url", None) if isinstance(cache, RedisWrapper) else None,
        "site": frappe_cache.current_site(),
        "user": frappe_cache.current_user(),
    }


def check(in_worker: Any = False) -> dict[str, Any]:
    """``status()``, plus a value written and read back through ``frappe.cache`` and two calls of
    a ``@redis_cache`` function (the second must be a hit). Printed as one JSON line too.

    ``bench --site SITE execute frappe.utils.redis_wrapper.frappe_cache_check`` runs it in the
    bench command's process; with ``--kwargs '{"in_worker": 1}'`` it enqueues itself instead, and
    the RQ worker that runs it prints the line in its log.
    """
    import frappe

    if in_worker:
        job = frappe.enqueue("frappe.utils.redis_wrapper.frappe_cache_check")
        return {"enqueued": getattr(job, "id", None)}
    report = status()
    key = f"frappe_cache.check:{report['pid']}"
    frappe.cache.set_value(key, report["pid"], expires_in_sec=60)
    # read back from Redis, not from the request cache
    report["get_value_round_trip"] = frappe.cache.get_value(key, use_local_cache=False) == report["pid"]
    frappe.cache.delete_value(key)
    token = f"{report['pid']}:{time.time()}"
    first = _check_redis_cache(token)
    report["redis_cache_hit"] = _check_redis_cache(token) == first and first["token"] == token
    report["ok"] = bool(report["installed"] and report["get_value_round_trip"] and report["redis_cache_hit"])
    print(f"frappe_cache.check {json.dumps(report, sort_keys=True)}", flush=True)
    return report


@frappe_cache.redis_cache(ttl=60)
def _check_redis_cache(token: str) -> dict[str, Any]:
    return {"token": token, "computed_at": time.time()}


def _describe_client_cache(frappe: Any) -> str | None:
    client_cache = getattr(frappe, "client_cache", None)
    if client_cache is None:
        return None
    kind = f"{type(client_cache).__module__}.{type(client_cache).__qualname__}"
    return f"{kind} (healthy={getattr(client_cache, 'healthy', None)})"


def _decorator_module(frappe: Any) -> str:
    caching = sys.modules.get("frappe.utils.caching")
    decorator = getattr(caching, "redis_cache", None)
    return f"{getattr(decorator, '__module__', None)}.{getattr(decorator, '__qualname__', None)}"


def _only_system_managers(frappe: Any) -> None:
    if getattr(frappe.local, "request", None) is not None:
        frappe.only_for("System Manager")


def _whitelist(frappe: Any) -> None:
    """Expose ``status`` and ``check`` where Frappe lets them be called.

    Frappe runs a dotted method (``/api/method/...``, ``bench execute``, a string given to
    ``frappe.enqueue``) only from an installed app's modules, which this package is not: they are
    published as ``frappe.utils.redis_wrapper.frappe_cache_status`` / ``frappe_cache_check``,
    whitelisted (``status`` for GET, ``check`` for GET and POST; both for System Managers).
    """
    whitelist = getattr(frappe, "whitelist", None)
    try:
        import frappe.utils.redis_wrapper as redis_wrapper
    except ImportError:
        return
    for name, fn, methods in (("frappe_cache_status", status, ["GET"]), ("frappe_cache_check", check, None)):
        if whitelist is not None:
            fn = whitelist(methods=methods)(fn)  # Frappe whitelists the function it returns
        setattr(redis_wrapper, name, fn)
