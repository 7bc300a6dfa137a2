"""Drop-in for a Frappe bench: ``install()`` puts frappe-cache behind ``frappe.cache``.

Two lines in a Frappe app (its ``hooks.py`` or its package ``__init__.py``)::

    from frappe_cache.frappe import install
    install()

Importing this module does not import Frappe; ``install()`` imports it and patches the loaded
``frappe`` package, once per process (calling it again does nothing). From then on:

- ``frappe.cache`` is a frappe-cache ``RedisWrapper`` built from the site config key
  ``redis_cache``, once per process, lazily (creating it does not connect, so ``frappe.init``
  works while Redis is down). ``frappe.setup_redis_cache_connection`` and
  ``frappe.utils.redis_wrapper.setup_cache`` return it, so Frappe's own lazy init does too. On
  Frappe v16, ``frappe.client_cache`` stays Frappe's own ``ClientCache``, built around Frappe's
  redis-py wrapper (its invalidation thread needs redis-py's pub/sub).
- ``frappe.init`` (every request and job) opens this thread's request scope with the site's
  ``db_name`` and the session user; ``frappe.set_user``, ``frappe.connect`` and
  ``frappe.auth.LoginManager.make_session`` (where an HTTP request's session user is set)
  re-open it for the new user, as Frappe resets ``frappe.local.cache`` there;
  ``frappe.destroy`` closes it. ``frappe.local.cache`` still exists as a dict for code that reads
  or assigns it, but the request-local cache that the wrapper uses lives in the scope; assigning
  ``frappe.local.cache = {}`` (as apps and tests do to drop it) resets the scope too.
- ``frappe.clear_cache`` also resets the request scope (Frappe empties ``frappe.local.cache`` in
  the global branch and ``frappe.local.request_cache`` in every branch), and everything that
  empties ``frappe.utils.caching._SITE_CACHE`` (the global clear, a clear of doctype
  "DocType", the v16 ``clear_persistent_cache`` broadcast) empties our ``@site_cache`` too.
- ``set_default_cache(frappe.cache)``, and ``frappe.utils.caching.redis_cache``, ``site_cache``
  and ``request_cache`` are ours. A module that ran ``from frappe.utils.caching import
  redis_cache`` before ``install()`` holds Frappe's decorator, so functions decorated before
  ``install()`` keep Frappe's decorators; install as early as possible.

Redis Sentinel (``redis_cache_sentinel_enabled``) is not supported: when the bench's config
enables it, ``install()`` warns and changes nothing; a site that enables it on its own makes
``frappe.init`` raise ``ValueError`` (as a malformed ``redis_cache`` URL does in Frappe).
"""

from __future__ import annotations

import functools
import sys
import threading
import warnings
import weakref
from collections import defaultdict
from collections.abc import Callable
from typing import Any, cast

import frappe_cache
from frappe_cache.wrapper import RedisWrapper

__all__ = ["install", "installed", "sync_request_scope"]

# Set on the ``frappe`` module once it is patched: install() is once per loaded Frappe.
_INSTALLED = "__frappe_cache_installed__"
# Set on every function this module wraps, pointing at the original.
_ORIGINAL = "__frappe_cache_original__"

_install_lock = threading.RLock()
# Guards building frappe.cache (re-entrant: Frappe's setup may call our setup_cache).
_setup_lock = threading.RLock()
# While set on this thread, the patched setup_cache returns Frappe's own wrapper (v16: Frappe
# builds its ClientCache around it).
_frappe_setup = threading.local()
# Every function decorated through frappe.utils.caching.site_cache after install().
_site_cached: weakref.WeakSet[Any] = weakref.WeakSet()


def installed() -> bool:
    """True when the loaded ``frappe`` module has been patched by ``install()``."""
    frappe = sys.modules.get("frappe")
    return bool(frappe is not None and getattr(frappe, _INSTALLED, False))


def install() -> None:
    """Make ``frappe.cache`` and Frappe's caching decorators frappe-cache's (idempotent).

    Call it from a Frappe app's ``hooks.py`` or ``__init__.py``. It takes effect at once:
    inside an initialised request or job it replaces ``frappe.cache`` and opens the request
    scope right away; otherwise at the next ``frappe.init``.
    """
    import frappe

    with _install_lock:
        if getattr(frappe, _INSTALLED, False):
            return
        if _bench_uses_sentinel(frappe):
            warnings.warn(
                _sentinel_message() + "; frappe.cache stays Frappe's own", RuntimeWarning, stacklevel=2
            )
            return
        _patch_setup(frappe)
        _patch_lifecycle(frappe)
        _patch_decorators(frappe)
        setattr(frappe, _INSTALLED, True)
        _warn_if_greenlets()

    if isinstance(frappe.cache, RedisWrapper):
        frappe_cache.set_default_cache(frappe.cache)
    if _conf(frappe) is not None:  # inside a request or job: take effect now
        _ensure_cache(frappe)
        _sync(frappe)


def _warn_if_greenlets() -> None:
    """The request scope is per OS thread; ``frappe.local`` is per greenlet under gevent."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("threading"):
        warnings.warn(
            "frappe-cache keeps one request scope per OS thread, but this process runs gevent "
            "greenlets: concurrent requests on one thread would share a request-local cache and "
            "a session user. Use sync or gthread workers with frappe-cache.",
            RuntimeWarning,
            stacklevel=3,
        )


def _bench_uses_sentinel(frappe: Any) -> bool:
    conf = _conf(frappe)
    if conf is None:
        try:
            conf = frappe.get_site_config()
        except Exception:  # no sites directory here: decided at the first frappe.init instead
            conf = None
    return bool(conf and conf.get("redis_cache_sentinel_enabled"))


def sync_request_scope() -> None:
    """(Re)open this thread's request scope if its site or user differ from Frappe's.

    ``install()`` calls this at every point where Frappe sets the site or the session user;
    code that swaps ``frappe.local.session`` by hand can call it too.
    """
    frappe = sys.modules.get("frappe")
    if frappe is not None:
        _sync(frappe)


def _sync(frappe: Any) -> None:
    site, user = _site_and_user(frappe)
    if site is None:
        frappe_cache.end_request()
    elif frappe_cache.current_site() != site or frappe_cache.current_user() != user:
        frappe_cache.begin_request(site, user)


# -- building frappe.cache ----------------------------------------------------------------------


def _conf(frappe: Any) -> Any:
    """This request's merged site config (``frappe.local.conf``), or ``None`` outside one."""
    try:
        return getattr(frappe.local, "conf", None)
    except RuntimeError:  # a Local proxy with nothing bound
        return None


def _site_and_user(frappe: Any) -> tuple[str | None, str | None]:
    conf = _conf(frappe)
    db_name = conf.get("db_name") if conf is not None else None
    session = getattr(frappe.local, "session", None)
    user = None
    if session is not None:
        user = session.get("user") if isinstance(session, dict) else getattr(session, "user", None)
    return (str(db_name) if db_name else None), (str(user) if user else None)


def _sentinel_message() -> str:
    return (
        "frappe-cache does not support Redis Sentinel (redis_cache_sentinel_enabled is set): "
        "remove frappe_cache.frappe.install() from this bench's apps or disable Sentinel"
    )


def _build_cache(conf: Any) -> RedisWrapper:
    """Our wrapper from ``conf.redis_cache`` (does not connect)."""
    conf = conf or {}
    if conf.get("redis_cache_sentinel_enabled"):
        raise ValueError(_sentinel_message())
    url = conf.get("redis_cache")
    if not url:
        # Frappe fails here too (redis-py cannot parse a missing URL), inside frappe.init.
        raise ValueError("redis_cache is not set in common_site_config.json or site_config.json")
    # site=None: keys take their site from the request scope only. One wrapper serves every site
    # of the process, so a fallback site would put one site's prefix on keys made outside a request.
    return cast(RedisWrapper, RedisWrapper.from_url(str(url)))


def _frappe_needs_client_cache(frappe: Any) -> bool:
    """v16: ``frappe.client_cache`` exists as a global and has not been built yet."""
    return hasattr(frappe, "client_cache") and frappe.client_cache is None


def _run_frappe_setup(frappe_setup: Callable[[], None]) -> None:
    """Frappe's own ``setup_redis_cache_connection``, with Frappe's own ``setup_cache``."""
    _frappe_setup.active = True
    try:
        frappe_setup()
    finally:
        _frappe_setup.active = False


def _ensure_cache(frappe: Any, frappe_setup: Callable[[], None] | None = None) -> Any:
    """Make ``frappe.cache`` ours, once per process (double-checked under a lock)."""
    if isinstance(frappe.cache, RedisWrapper) and not _frappe_needs_client_cache(frappe):
        return frappe.cache
    with _setup_lock:
        if frappe_setup is not None and _frappe_needs_client_cache(frappe):
            # v16 builds ClientCache right after frappe.cache and hands it frappe.cache as the
            # invalidator it subscribes through (redis-py pub/sub): let Frappe build both with
            # its own wrapper; ours replaces frappe.cache just below.
            _run_frappe_setup(frappe_setup)
        if not isinstance(frappe.cache, RedisWrapper):
            conf = _conf(frappe)
            if conf is None and hasattr(frappe, "get_site_config"):  # outside a request
                conf = frappe.get_site_config()
            ours = _build_cache(conf)
            frappe.cache = ours
            frappe_cache.set_default_cache(ours)
    return frappe.cache


def _patch_setup(frappe: Any) -> None:
    original_connection = getattr(frappe, "setup_redis_cache_connection", None)

    def setup_redis_cache_connection() -> None:
        _ensure_cache(frappe, original_connection)

    _replace(frappe, "setup_redis_cache_connection", setup_redis_cache_connection, original_connection)

    try:
        import frappe.utils.redis_wrapper as redis_wrapper
    except ImportError:
        return
    original_setup_cache = getattr(redis_wrapper, "setup_cache", None)
    if original_setup_cache is None:
        return

    def setup_cache() -> Any:
        if getattr(_frappe_setup, "active", False):
            return original_setup_cache()
        return _ensure_cache(frappe)

    _replace(redis_wrapper, "setup_cache", setup_cache, original_setup_cache)


# -- request lifecycle --------------------------------------------------------------------------


def _replace(owner: Any, name: str, new: Callable[..., Any], original: Callable[..., Any] | None) -> None:
    if original is not None:
        functools.update_wrapper(new, original)
    setattr(new, _ORIGINAL, original)
    setattr(owner, name, new)


def _patch_lifecycle(frappe: Any) -> None:
    original_init = frappe.init

    def init(*args: Any, **kwargs: Any) -> None:
        before = getattr(frappe.local, "cache", None)
        original_init(*args, **kwargs)
        _ensure_cache(frappe)
        _patch_login_manager(frappe)
        if getattr(frappe.local, "cache", None) is not before or frappe_cache.current_site() is None:
            # init really (re)initialised this thread (a new request or job): a fresh scope
            site, user = _site_and_user(frappe)
            if site is None:
                frappe_cache.end_request()
            else:
                frappe_cache.begin_request(site, user)
        else:
            _sync(frappe)

    _replace(frappe, "init", init, original_init)

    original_set_user = frappe.set_user

    def set_user(*args: Any, **kwargs: Any) -> Any:
        result = original_set_user(*args, **kwargs)
        # Frappe's set_user resets frappe.local.cache: reset ours, for the new user.
        site, user = _site_and_user(frappe)
        if site is None:
            frappe_cache.end_request()
        else:
            frappe_cache.begin_request(site, user)
        return result

    _replace(frappe, "set_user", set_user, original_set_user)

    original_connect = getattr(frappe, "connect", None)
    if original_connect is not None:

        def connect(*args: Any, **kwargs: Any) -> Any:
            result = original_connect(*args, **kwargs)
            _sync(frappe)
            return result

        _replace(frappe, "connect", connect, original_connect)

    original_destroy = frappe.destroy

    def destroy(*args: Any, **kwargs: Any) -> Any:
        try:
            return original_destroy(*args, **kwargs)
        finally:
            frappe_cache.end_request()

    _replace(frappe, "destroy", destroy, original_destroy)

    original_clear_cache = getattr(frappe, "clear_cache", None)
    if original_clear_cache is not None:

        def clear_cache(*args: Any, **kwargs: Any) -> Any:
            try:
                return original_clear_cache(*args, **kwargs)
            finally:
                # Frappe empties frappe.local.cache (global branch) and local.request_cache
                # (every branch); both live in our request scope: reset it.
                site, user = _site_and_user(frappe)
                if site is not None and frappe_cache.current_site() is not None:
                    frappe_cache.begin_request(site, user)

        _replace(frappe, "clear_cache", clear_cache, original_clear_cache)

    _patch_login_manager(frappe)
    _watch_local_cache(frappe)


def _watch_local_cache(frappe: Any) -> None:
    """Make ``frappe.local.cache = {}`` reset our request-local cache, as it resets Frappe's.

    Core code does it in ``init``, ``set_user`` and ``clear_cache`` (wrapped above anyway), and
    apps and tests do it to drop what the request has cached. ``frappe.local`` is a werkzeug
    ``Local``: its class becomes a subclass (same slots, same object) whose ``__setattr__``
    notices the assignment.
    """
    local = frappe.local
    base = type(local)
    if getattr(base, "__frappe_cache_watch__", False):
        return
    base_setattr: Any = base.__setattr__

    def __setattr__(self: Any, name: str, value: Any) -> None:
        base_setattr(self, name, value)
        if name == "cache":
            site = frappe_cache.current_site()
            if site is not None:
                frappe_cache.begin_request(site, frappe_cache.current_user())

    watched = type(
        base.__name__,
        (base,),
        {
            "__slots__": (),
            "__setattr__": __setattr__,
            "__frappe_cache_watch__": True,
            "__module__": base.__module__,
        },
    )
    try:  # Local.__setattr__ would store "__class__" as a context-local attribute
        object.__setattr__(local, "__class__", watched)
    except TypeError:  # not the werkzeug Local we know: the wrapped functions still reset it
        pass


def _patch_login_manager(frappe: Any) -> None:
    """Wrap ``LoginManager.make_session`` once ``frappe.auth`` is loaded (web workers load it).

    An HTTP request's session user is set there, by assigning ``frappe.local.session``, not
    through ``frappe.set_user``.
    """
    auth = sys.modules.get("frappe.auth")
    manager = getattr(auth, "LoginManager", None)
    original = getattr(manager, "make_session", None)
    if original is None or hasattr(original, _ORIGINAL):
        return

    def make_session(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        _sync(frappe)
        return result

    _replace(manager, "make_session", make_session, original)


# -- decorators ---------------------------------------------------------------------------------


class _SiteCacheRegistry(defaultdict):  # type: ignore[type-arg]
    """Replaces ``frappe.utils.caching._SITE_CACHE``: clearing it clears our ``@site_cache`` too.

    Frappe's global ``clear_cache``, its clear of doctype "DocType" and v16's
    ``clear_persistent_cache`` handler all call ``frappe.utils.caching._SITE_CACHE.clear()``.
    """

    def clear(self) -> None:
        super().clear()
        for fn in list(_site_cached):
            fn.clear_cache()


def _patch_decorators(frappe: Any) -> None:
    from frappe_cache import caching

    try:
        import frappe.utils.caching as frappe_caching
    except ImportError:
        return

    def site_cache(ttl: Any = None, maxsize: int | None = 128) -> Any:
        if callable(ttl):  # bare @site_cache
            fn = caching.site_cache(ttl)
            _site_cached.add(fn)
            return fn
        decorate = caching.site_cache(ttl=ttl, maxsize=maxsize)

        def decorator(func: Callable[..., Any]) -> Any:
            fn = decorate(func)
            _site_cached.add(fn)
            return fn

        return decorator

    functools.update_wrapper(site_cache, caching.site_cache)
    ours = {
        "redis_cache": caching.redis_cache,
        "request_cache": caching.request_cache,
        "site_cache": site_cache,
    }
    for name, decorator in ours.items():
        frappes = getattr(frappe_caching, name, None)
        setattr(frappe_caching, name, decorator)
        # a name Frappe re-exports on the package (``frappe.request_cache``) follows
        if frappes is not None and getattr(frappe, name, None) is frappes:
            setattr(frappe, name, decorator)
    existing = getattr(frappe_caching, "_SITE_CACHE", None)
    if isinstance(existing, dict) and not isinstance(existing, _SiteCacheRegistry):
        factory = existing.default_factory if isinstance(existing, defaultdict) else None
        frappe_caching._SITE_CACHE = _SiteCacheRegistry(factory, existing)
