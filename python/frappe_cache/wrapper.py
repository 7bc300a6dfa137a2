"""``RedisWrapper``: the native Frappe method surface plus the raw redis-py methods core Frappe
calls on ``frappe.cache`` (``get``, ``set``, ``pipeline()``, ...).

The Frappe methods (``get_value``, ``hset``, ...) are the native class's own; the raw methods
are thin Python over the native ``execute_command`` / ``execute_pipeline``, which send keys as
given (no site prefix) and values as given (no pickling), as redis-py does.
"""

from __future__ import annotations

from frappe_cache import _native
from frappe_cache._commands import RedisCommands

__all__ = ["RedisWrapper"]


class RedisWrapper(RedisCommands, _native.RedisWrapper):
    """Frappe's ``frappe.cache``, natively. Build one with ``RedisWrapper.from_url(url, site=...)``."""

    __slots__ = ()
