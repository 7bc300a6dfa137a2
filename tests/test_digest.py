"""The argument digest behind @redis_cache keys: stable across processes, Python-equality-like."""

from __future__ import annotations

import datetime
import decimal
import os
import subprocess
import sys
import threading

from frappe_cache._native import arg_digest
from hypothesis import given
from hypothesis import strategies as st

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.binary()
    | st.datetimes()
    | st.decimals(allow_nan=False, allow_infinity=False)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
        | st.frozensets(st.integers() | st.text(max_size=5), max_size=4)
    ),
    max_leaves=12,
)


@given(st.lists(values, max_size=4), st.dictionaries(st.text(max_size=6), values, max_size=3))
def test_same_arguments_same_digest(args, kwargs):
    first = arg_digest(tuple(args), kwargs)
    assert first is not None and len(first) == 32
    assert arg_digest(tuple(args), dict(reversed(list(kwargs.items())))) == first


@given(st.dictionaries(st.text(max_size=6), st.integers(), min_size=2, max_size=6))
def test_dict_and_set_order_do_not_matter(d):
    reordered = dict(sorted(d.items(), reverse=True))
    assert arg_digest((d,)) == arg_digest((reordered,))
    assert arg_digest((set(d),)) == arg_digest((frozenset(reversed(list(d))),))


@given(st.integers(min_value=-(2**52), max_value=2**52))
def test_integral_floats_and_bools_equal_their_int(n):
    assert arg_digest((n,)) == arg_digest((float(n),))
    assert arg_digest((True,)) == arg_digest((1,))


@given(st.lists(scalars, min_size=1, max_size=3), st.lists(scalars, min_size=1, max_size=3))
def test_arguments_that_differ_in_python_differ_in_the_digest(a, b):
    if a != b:
        assert arg_digest(tuple(a)) != arg_digest(tuple(b))


def test_positional_and_keyword_calls_are_distinct():
    assert arg_digest((10,)) != arg_digest((), {"radius": 10})
    assert arg_digest((1, 2)) != arg_digest(([1, 2],))
    assert arg_digest(((1, 2),)) != arg_digest(([1, 2],))
    assert arg_digest(("1",)) != arg_digest((1,))
    assert arg_digest((b"x",)) != arg_digest(("x",))


class Holder:
    """Value equality over something that cannot be pickled: no stable form."""

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Holder)

    __hash__ = None  # type: ignore[assignment]


def test_objects_digest_by_state_and_unpicklable_ones_have_none():
    assert arg_digest((datetime.date(2026, 1, 2),)) != arg_digest((datetime.date(2026, 1, 3),))
    assert arg_digest((decimal.Decimal("1.50"),)) == arg_digest((decimal.Decimal("1.50"),))
    assert arg_digest((range(3),)) == arg_digest((range(3),))
    assert arg_digest((Holder(),)) is None


def test_objects_compared_by_identity_digest_by_identity():
    """As Python (and Frappe's ``hash()``) tell them apart: one object, one digest."""
    lock, fn = threading.Lock(), lambda: 1
    assert arg_digest((lock,)) == arg_digest((lock,)) != arg_digest((threading.Lock(),))
    assert arg_digest(([fn],)) == arg_digest(([fn],)) != arg_digest(([lambda: 1],))
    code = (
        "import threading; from frappe_cache._native import arg_digest\n"
        "keep = threading.Lock(); print(arg_digest((keep,)))"
    )
    seen = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout for _ in range(2)
    }
    assert len(seen) == 2, "another process never produces the same identity"


CORPUS = (
    "[('ToDo', 'x'), ('é', b'\\x00', 2**80, -1.5), ({'b': {1, 2}, 'a': [None, True]},),"
    " (datetime.datetime(2026, 11, 30, 9, 30),)]"
)


def test_digests_are_the_same_in_every_process():
    code = (
        "import datetime; from frappe_cache._native import arg_digest\n"
        f"for args in {CORPUS}: print(arg_digest(args, {{'k': 'v', 'z': ('a',)}}))"
    )
    outputs = set()
    for seed in ("0", "1", "12345", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert len(outputs.pop().split()) == 4
