"""The hand-written fast entry points of get_value / hget (src/hot.rs) against the general path."""

from __future__ import annotations

import inspect

import pytest
from frappe_cache import RedisWrapper, request_scope

from tests.conftest import SITE


class Key(str):
    """A str subclass: not taken by the fast path, same key on the general one."""


def test_fast_and_general_paths_agree(wrapper: RedisWrapper):
    with request_scope(SITE):
        value = {"a": 1}
        wrapper.set_value("k", value)
        wrapper.hset("h", "f", value)
        assert wrapper.get_value("k") is value  # fast: one positional str
        assert wrapper.get_value(b"k") is value  # fast: bytes
        assert wrapper.get_value(Key("k")) is value  # general: str subclass
        assert wrapper.get_value("k", None) is value  # general: two positionals
        assert wrapper.get_value(key="k") is value  # general: keywords
        assert wrapper.get_value("k", use_local_cache=False) == value
        assert wrapper.hget("h", "f") is value
        assert wrapper.hget(b"h", "f") is value  # fast: bytes name, same prefixed key
        assert wrapper.hget("h", Key("f")) is value  # general: str subclass, equal field
        # the request cache keeps a hash as Frappe does, a dict by field: b"f" is another
        # field there, read from Redis (a fresh unpickled copy)
        assert wrapper.hget("h", b"f") == value and wrapper.hget("h", b"f") is not value
        assert wrapper.hget(name="h", key="f") is value
        assert wrapper.hget("h", "") is None and wrapper.hget("h", b"") is None
        assert wrapper.hget("h", 0) is None


def test_misses_and_errors_take_the_general_path(wrapper: RedisWrapper, raw):
    with request_scope(SITE):
        assert wrapper.get_value("absent") is None
        runs = []
        assert wrapper.get_value("absent2", lambda: runs.append(1) or 5) == 5
        assert wrapper.get_value("absent2") == 5 and runs == [1]
        assert wrapper.get_value(1.5) is None  # general path: formatted, as Frappe's f-string
        with pytest.raises(UnicodeEncodeError):
            wrapper.get_value(b"\\ud800".decode("unicode_escape"))
        with pytest.raises(TypeError):
            wrapper.get_value()
        with pytest.raises(TypeError):
            wrapper.hget("h")
    assert wrapper.get_value("k") is None, "no scope: nothing local, a GET"


def test_signatures_are_frappes():
    assert str(inspect.signature(RedisWrapper.get_value)) == (
        "(self, /, key, generator=None, user=None, expires=False, shared=False, *, use_local_cache=True)"
    )
    assert str(inspect.signature(RedisWrapper.hget)) == "(self, /, name, key, generator=None, shared=False)"


def test_fastcall_build_flag_matches_what_is_installed():
    """`FASTCALL` tells the truth: with it, get_value/hget are our METH_FASTCALL descriptors and
    the decorator classes answer vectorcall; without it (`make test-no-fastcall`), PyO3's own."""
    from frappe_cache import _native

    have_vectorcall = 1 << 11  # Py_TPFLAGS_HAVE_VECTORCALL
    fast = [
        # ours spell the positional-only self; PyO3's text_signature does not
        _native.RedisWrapper.get_value.__text_signature__.startswith("($self, /,"),
        bool(_native.RedisCached.__flags__ & have_vectorcall),
        bool(_native.RequestCached.__flags__ & have_vectorcall),
    ]
    assert fast == [_native.FASTCALL] * 3
