"""Classes shared by both sides of the wire in the tests.

Pickles name classes by module and qualified name, so these live in a module that both our
wrapper (through CPython's pickle) and the plain redis-py + ``pickle`` side can import: exactly
the situation of a Frappe app's classes shared by native and pure-Python workers.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from typing import Any


class _dict(dict):  # noqa: N801 - the spelling of frappe._dict
    """A dict with attribute access, like ``frappe._dict``."""

    __getattr__ = dict.get

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def __getstate__(self) -> dict:
        return self

    def __setstate__(self, state: dict) -> None:
        self.update(state)


class Point:
    """A plain custom class pickled through its ``__dict__``."""

    def __init__(self, x: Any, y: Any) -> None:
        self.x = x
        self.y = y

    def __eq__(self, other: object) -> bool:
        return type(other) is Point and (self.x, self.y) == (other.x, other.y)

    def __hash__(self) -> int:
        return hash((self.x, self.y))

    def __repr__(self) -> str:
        return f"Point({self.x!r}, {self.y!r})"


class Slotted:
    """A class with ``__slots__`` (no ``__dict__``)."""

    __slots__ = ("a", "b")

    def __init__(self, a: Any, b: Any) -> None:
        self.a = a
        self.b = b

    def __getstate__(self) -> tuple:  # explicit, so protocols 0 and 1 can pickle it too
        return (self.a, self.b)

    def __setstate__(self, state: tuple) -> None:
        self.a, self.b = state

    def __eq__(self, other: object) -> bool:
        return type(other) is Slotted and (self.a, self.b) == (other.a, other.b)

    def __repr__(self) -> str:
        return f"Slotted({self.a!r}, {self.b!r})"


@dataclasses.dataclass(frozen=True)
class Frozen:
    name: str
    tags: tuple = ()


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Document(_dict):
    """A dict subclass with extra instance state, loosely like a Frappe ``Document``."""

    def __init__(self, doctype: str, **fields: Any) -> None:
        super().__init__(fields)
        object.__setattr__(self, "doctype_name", doctype)

    def __reduce__(self):
        return (_rebuild_document, (self.doctype_name, dict(self)))

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is Document and other.doctype_name == self.doctype_name and dict(other) == dict(self)
        )

    __hash__ = None  # type: ignore[assignment]


def _rebuild_document(doctype: str, fields: dict) -> Document:
    return Document(doctype, **fields)


# -- re-entrancy: unpickling that calls back into the cache -------------------------------------
#: Set by a test to the wrapper that ``Reentrant`` should read from while it is being unpickled.
REENTRANT_CACHE: Any = None


class Reentrant:
    """Unpickling this object reads another key through ``REENTRANT_CACHE`` (and writes one)."""

    def __init__(self, other_key: str, inner: Any = None) -> None:
        self.other_key = other_key
        self.inner = inner

    def __reduce__(self):
        return (_rebuild_reentrant, (self.other_key,))


def _rebuild_reentrant(other_key: str) -> Reentrant:
    cache = REENTRANT_CACHE
    inner = cache.get_value(other_key)
    cache.set_value(other_key + ":seen", True)
    cache.hset("reentrant-hash", "f", inner)
    return Reentrant(other_key, inner)


# -- comparing values exactly ----------------------------------------------------------------
def assert_same(a: Any, b: Any, path: str = "value") -> None:
    """``a == b`` with the same type at every level (nan equals nan; -0.0 differs from 0.0)."""
    assert type(a) is type(b), f"{path}: type {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, float):
        if math.isnan(a):
            assert math.isnan(b), f"{path}: {a!r} != {b!r}"
        else:
            assert a == b and math.copysign(1, a) == math.copysign(1, b), f"{path}: {a!r} != {b!r}"
    elif isinstance(a, dict):
        assert len(a) == len(b), f"{path}: {len(a)} keys != {len(b)} keys"
        # Pair keys by equality, not by position or repr: a set's repr order can change in transit.
        b_keys = {k: k for k in b}
        for ka, va in a.items():
            assert ka in b_keys, f"{path}: key {ka!r} missing"
            assert_same(ka, b_keys[ka], f"{path} key")
            assert_same(va, b[ka], f"{path}[{ka!r}]")
        if hasattr(a, "__dict__") and not isinstance(a, Document):
            assert vars(a) == vars(b), f"{path}: instance attributes differ"
        if isinstance(a, Document):
            assert a == b, f"{path}: {a!r} != {b!r}"
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, (set, frozenset)):
        assert a == b, f"{path}: {a!r} != {b!r}"
        assert sorted(map(repr, map(type, a))) == sorted(map(repr, map(type, b)))
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"
        if hasattr(a, "tzinfo"):
            assert a.tzinfo == b.tzinfo, f"{path}: tzinfo {a.tzinfo!r} != {b.tzinfo!r}"
