"""Stand-in for v16's ``frappe/utils/local.py``: Frappe's own context-local object.

v16 does not use werkzeug's ``Local`` for ``frappe.local``: its ``Local`` keeps one dict per
context in a ``ContextVar`` (``__slots__ = ()``, attribute reads through ``__getattribute__``),
and ``release_local(local)`` replaces that dict with an empty one; nothing is called on the
object itself. Written from the behaviour, for the adapter's tests.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from werkzeug.local import LocalProxy as _WerkzeugLocalProxy

_values: ContextVar[dict[str, Any]] = ContextVar("standin_frappe_local")


class Local:
    __slots__ = ()

    def __getattribute__(self, name: str) -> Any:
        values = _values.get(None)
        if values is not None and name in values:
            return values[name]
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        values = _values.get(None)
        if values is None:
            values = {}
            _values.set(values)
        values[name] = value

    def __delattr__(self, name: str) -> None:
        values = _values.get(None)
        if values is not None and name in values:
            del values[name]
            return
        raise AttributeError(name)

    def __call__(self, name: str) -> Any:
        def current() -> Any:
            values = _values.get(None)
            if values is not None and name in values:
                return values[name]
            raise RuntimeError("object is not bound")

        return _WerkzeugLocalProxy(current)


def release_local(local: Any) -> None:
    if isinstance(local, Local):
        _values.set({})
