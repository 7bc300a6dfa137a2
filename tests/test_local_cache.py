"""``LocalCache``: the request-local cache as a Python mapping (``frappe.local.cache``).

Under the drop-in, Frappe's code, apps and the wrapper all act on this one store; these tests
check that every mapping operation and the wrapper see the same entries.
"""

from __future__ import annotations

import gc
import pickle
import threading
import weakref
from collections.abc import MutableMapping

import frappe_cache
import pytest
import redis
from frappe_cache import (
    LocalCache,
    RedisWrapper,
    _native,
    begin_request,
    end_request,
    local_cache,
    request_scope,
)


def test_it_is_a_mutable_mapping() -> None:
    cache = LocalCache("site")
    assert isinstance(cache, MutableMapping)
    cache[b"site|a"] = 1
    cache["shared"] = 2
    cache[("tuple", 1)] = 3
    cache[5] = 4
    assert len(cache) == 4
    assert sorted(map(repr, cache)) == sorted(map(repr, [b"site|a", "shared", ("tuple", 1), 5]))
    assert cache == {b"site|a": 1, "shared": 2, ("tuple", 1): 3, 5: 4}
    assert cache.copy() == dict(cache.items())
    assert b"site|a" in cache and "site|a" not in cache, "str and bytes keys stay distinct"
    assert cache.get("missing", "dflt") == "dflt" and cache.get("missing") is None
    assert cache.setdefault("shared", 9) == 2 and cache.setdefault("new", 9) == 9
    assert cache.pop(5) == 4 and cache.pop(5, "gone") == "gone"
    with pytest.raises(KeyError):
        cache.pop(5)
    with pytest.raises(KeyError):
        cache[b"site|missing"]
    del cache[("tuple", 1)]
    with pytest.raises(KeyError):
        del cache[("tuple", 1)]
    cache.update({b"x": 1}, y=2)
    assert cache[b"x"] == 1 and cache["y"] == 2
    key, value = cache.popitem()
    assert key not in cache
    cache.clear()
    assert len(cache) == 0 and not cache and dict(cache) == {}
    with pytest.raises(KeyError):
        cache.popitem()
    with pytest.raises(TypeError):
        cache[["unhashable"]] = 1
    with pytest.raises(TypeError):
        ["unhashable"] in cache  # noqa: B015
    assert "LocalCache(" in repr(LocalCache("s", items={"k": 1}))


def test_equal_values_of_other_key_types_follow_python_equality() -> None:
    cache = LocalCache("site")
    cache[1] = "one"
    assert cache[1.0] == "one" and cache[True] == "one"


def test_wrapper_and_mapping_see_one_store(wrapper: RedisWrapper, raw: redis.Redis) -> None:
    with request_scope("testsite"):
        store = local_cache()
        assert isinstance(store, LocalCache) and store.site == "testsite"
        value = {"v": 1}
        wrapper.set_value("k", value)
        assert store[b"testsite|k"] is value, "the wrapper's write is in the mapping"
        store[b"testsite|k"] = "written by the app"
        assert wrapper.get_value("k") == "written by the app", "the app's write is what get_value sees"
        del store[b"testsite|k"]
        raw.set(b"testsite|k", pickle.dumps("from redis"))
        assert wrapper.get_value("k") == "from redis", "a deleted entry is read again"
        store.clear()
        raw.set(b"testsite|k", pickle.dumps("after clear"))
        assert wrapper.get_value("k") == "after clear"
        wrapper.hset("h", "f", 1)
        assert store[b"testsite|h"] == {"f": 1}
        store[b"testsite|h"]["f"] = 2
        assert wrapper.hget("h", "f") == 2, "a hash is the dict Frappe keeps: edits show"
        wrapper.get_value("shared-key", shared=True)
        assert "shared-key" in store, "a shared key is held as given, as Frappe's make_key returns it"


def test_clear_resets_redis_cache_memo(default_cache, raw: redis.Redis) -> None:
    runs = []

    @frappe_cache.redis_cache(ttl=100)
    def compute(x: int) -> int:
        runs.append(x)
        return x * 2

    with request_scope("testsite"):
        assert compute(2) == 4 and compute(2) == 4 and runs == [2]
        raw.flushall()
        assert compute(2) == 4 and runs == [2], "served by this request's memo"
        local_cache().clear()
        assert compute(2) == 4 and runs == [2, 2], "the memo went with the request cache"


def test_begin_request_makes_a_new_store() -> None:
    begin_request("s")
    first = local_cache()
    first["k"] = 1
    begin_request("s")
    second = local_cache()
    assert second is not first and "k" not in second
    assert first["k"] == 1, "a store kept elsewhere keeps its items, as a dict would"
    end_request()
    assert local_cache() is None


def test_adopting_a_dict_and_a_store() -> None:
    try:
        adopted = _native.adopt_local_cache({b"db|k": "v", "ns": {}}, "db")
        assert local_cache() is adopted and adopted[b"db|k"] == "v" and adopted.site == "db"
        again = _native.adopt_local_cache(adopted, "other")
        assert again is adopted and adopted.site == "other" and local_cache() is adopted
        _native.set_scope_site("third")
        assert frappe_cache.current_site() == "third"
    finally:
        end_request()


def test_stores_are_per_thread(wrapper: RedisWrapper) -> None:
    begin_request("testsite")
    try:
        local_cache()["main"] = 1
        seen = {}

        def other() -> None:
            seen["before"] = local_cache()
            begin_request("testsite")
            local_cache()["other"] = 2
            seen["keys"] = list(local_cache())
            end_request()

        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert seen == {"before": None, "keys": ["other"]}
        assert list(local_cache()) == ["main"]
    finally:
        end_request()


def test_a_store_is_usable_from_another_thread() -> None:
    """Like a dict, a store handed to another thread works there (the GIL serialises access)."""
    cache = LocalCache("s")
    errors = []

    def writer(n: int) -> None:
        try:
            for i in range(2000):
                cache[f"{n}:{i}"] = i
                cache.get(f"{n}:{i - 1}")
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(cache) == 8000


class _Reentrant:
    """Touches the store from ``__eq__``: runs while a dict lookup is under way."""

    def __init__(self, cache: LocalCache) -> None:
        self.cache = cache

    def __hash__(self) -> int:
        return 1

    def __eq__(self, other: object) -> bool:
        self.cache["touched"] = True
        return other is self


def test_reentrant_key_equality_does_not_break_the_store() -> None:
    cache = LocalCache("s")
    a, b = _Reentrant(cache), _Reentrant(cache)
    cache[a] = 1
    cache[b] = 2  # same hash: a's __eq__ runs and writes to the store
    assert cache[a] == 1 and cache[b] == 2 and cache["touched"] is True


def test_values_are_released_with_the_store() -> None:
    class Value:
        pass

    value = Value()
    ref = weakref.ref(value)
    begin_request("s")
    local_cache()["k"] = value
    del value
    end_request()
    gc.collect()
    assert ref() is None


def test_a_cycle_through_the_store_is_collected() -> None:
    class Holder:
        pass

    cache = LocalCache("s")
    holder = Holder()
    holder.cache = cache
    cache["holder"] = holder
    ref = weakref.ref(holder)
    del cache, holder
    gc.collect()
    assert ref() is None
