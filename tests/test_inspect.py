"""``python -m frappe_cache inspect`` and ``_native.inspect_pickle``: previews that never unpickle.

Values are written the way Frappe writes them, with plain redis-py and ``pickle.dumps`` (protocol
5 for v16, 4 for v15), and the command runs in a subprocess, as an operator would run it.
"""

from __future__ import annotations

import datetime
import decimal
import json
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import redis
from frappe_cache._native import inspect_pickle
from frappe_cache.testing import RedisServer, _free_port
from hypothesis import given
from hypothesis import strategies as st
from support import make_pki

SITE = "inspect_site"


def run_inspect(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "frappe_cache", "inspect", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )


def inspect_json(url: str, *args: str) -> dict[str, dict]:
    """The command's ``--json`` records, by key."""
    done = run_inspect("--url", url, "--json", *args)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    return {r["key"]: r for r in records}


class AttrDict(dict):
    """Like ``frappe._dict``: a dict subclass whose ``__getstate__`` returns itself."""

    __getattr__ = dict.get

    def __getstate__(self):
        return self

    def __setstate__(self, state):
        self.update(state)


class Doc:
    """Like a Frappe ``Document``: a plain class pickled with its ``__dict__``."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


class RunsShell:
    """Unpickling this would run a shell command that creates ``marker``."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class RunsEval:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (eval, (f"open({str(self.marker)!r}, 'w').close()",))


def dotted(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# ------------------------------------------------------------------------------------------------
# The command against a real redis-server


def test_lists_a_sites_keys_with_type_ttl_size_and_preview(redis_server: RedisServer, raw: redis.Redis):
    plain = {"name": "TD-0001", "count": 3, "tags": ["a", "b"], "ok": True, "none": None}
    values = {
        "plain_v16": (plain, 5),
        "plain_v15": (plain, 4),
        "attrdict": (AttrDict(name="x", roles=["System Manager"]), 5),
        "document": (Doc(doctype="ToDo", modified=datetime.datetime(2024, 1, 15, 10, 30)), 5),
        "decimal_v15": ([decimal.Decimal("1.50"), datetime.date(2024, 2, 29)], 4),
        "a_set": ({"only"}, 5),
    }
    for key, (value, protocol) in values.items():
        raw.set(f"{SITE}|{key}", pickle.dumps(value, protocol=protocol))
    raw.expire(f"{SITE}|plain_v16", 300)
    raw.set("other_site|plain_v16", pickle.dumps(plain, protocol=5))
    raw.set("no_site_key", pickle.dumps(1, protocol=5))

    records = inspect_json(redis_server.url, "--site", SITE, "--width", "500")

    assert set(records) == {f"{SITE}|{key}" for key in values}
    for key, (value, protocol) in values.items():
        record = records[f"{SITE}|{key}"]
        assert record["type"] == "string"
        assert record["size"] == len(pickle.dumps(value, protocol=protocol))
    assert 295 <= records[f"{SITE}|plain_v16"]["ttl"] <= 300
    assert records[f"{SITE}|plain_v15"]["ttl"] is None

    assert records[f"{SITE}|plain_v16"]["kind"] == "dict"
    assert records[f"{SITE}|plain_v16"]["preview"] == repr(plain)
    assert records[f"{SITE}|plain_v15"]["preview"] == repr(plain)
    assert records[f"{SITE}|attrdict"]["kind"] == dotted(AttrDict)
    assert (
        records[f"{SITE}|attrdict"]["preview"]
        == f"{dotted(AttrDict)}({{'name': 'x', 'roles': ['System Manager']}})"
    )
    assert records[f"{SITE}|document"]["kind"] == dotted(Doc)
    assert records[f"{SITE}|document"]["preview"] == (
        f"{dotted(Doc)}(doctype='ToDo', modified=datetime.datetime(2024, 1, 15, 10, 30))"
    )
    assert records[f"{SITE}|decimal_v15"]["preview"] == "[Decimal('1.50'), datetime.date(2024, 2, 29)]"
    assert (records[f"{SITE}|a_set"]["kind"], records[f"{SITE}|a_set"]["preview"]) == ("set", "{'only'}")


def test_without_site_every_key_is_listed(redis_server: RedisServer, raw: redis.Redis):
    raw.set("a|x", pickle.dumps(1))
    raw.set("b|y", pickle.dumps(2))
    raw.set("plain", b"not pickled")
    records = inspect_json(redis_server.url)
    assert set(records) == {"a|x", "b|y", "plain"}
    assert (records["plain"]["kind"], records["plain"]["preview"]) == (
        "opaque",
        "not a pickle: b'not pickled'",
    )


def test_table_output_is_aligned(redis_server: RedisServer, raw: redis.Redis):
    raw.set(f"{SITE}|short", pickle.dumps("hi", protocol=5), ex=1000)
    raw.set(f"{SITE}|a_much_longer_key_name", pickle.dumps([1, 2, 3], protocol=5))
    raw.hset(f"{SITE}|hash", mapping={"f1": pickle.dumps({"x": 1}), "f2": pickle.dumps(None)})

    done = run_inspect("--url", redis_server.url, "--site", SITE)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = lines[0]
    assert header.split() == ["KEY", "TYPE", "TTL", "SIZE", "KIND", "PREVIEW"]
    by_key = {line.split()[0]: line for line in lines[1:-1] if line.startswith(SITE)}
    kind, ttl, size = by_key[f"{SITE}|short"].split()[1:4]
    assert (kind, size) == ("string", str(len(pickle.dumps("hi", protocol=5))))
    assert ttl.endswith("s") and 990 <= int(ttl[:-1]) <= 1000, ttl  # a slow start costs a second
    assert by_key[f"{SITE}|a_much_longer_key_name"].split()[2] == "none"
    assert by_key[f"{SITE}|a_much_longer_key_name"].endswith("list  [1, 2, 3]")
    assert by_key[f"{SITE}|hash"].split()[1:5] == ["hash", "none", "2", "fields"]
    # Every column starts where its header does, on key rows and on the hash's field rows alike.
    starts = [header.index(c) for c in ("TYPE", "TTL", "SIZE", "KIND")]
    for line in lines[1:-1]:
        cells = starts if line.startswith(SITE) else starts[-1:]
        cells = [at for at in cells if at < len(line)]  # a hash's own row has no KIND
        assert cells and all(line[at - 2 : at] == "  " and line[at] != " " for at in cells), line
    kind_at = header.index("KIND")
    fields = sorted(line[kind_at:].split(None, 1) for line in lines if line.startswith("  f"))
    assert fields == [["None", "None"], ["dict", "{'x': 1}"]]
    assert lines[-1] == f"3 keys matching '{SITE}|*' in {redis_server.url}"


def test_nothing_in_a_malicious_pickle_runs_or_is_imported(
    redis_server: RedisServer, raw: redis.Redis, tmp_path: Path
):
    shell_marker, eval_marker, import_marker = tmp_path / "shell", tmp_path / "eval", tmp_path / "imported"
    # A module whose import has a side effect: unpickling an instance of its class would import it.
    (tmp_path / "booby_trap.py").write_text(
        textwrap.dedent(f"""
            open({str(import_marker)!r}, "w").close()

            class Trap:
                pass
        """)
    )
    sys.path.insert(0, str(tmp_path))
    try:
        import booby_trap

        trap = pickle.dumps(booby_trap.Trap(), protocol=5)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("booby_trap", None)
    import_marker.unlink()
    raw.set(f"{SITE}|shell", pickle.dumps(RunsShell(shell_marker), protocol=5))
    raw.set(f"{SITE}|eval", pickle.dumps(RunsEval(eval_marker), protocol=4))
    raw.set(f"{SITE}|trap", trap)
    raw.hset(f"{SITE}|hash", "evil", pickle.dumps(RunsShell(shell_marker), protocol=5))

    # The subprocess could import booby_trap, were anything to try: it is on its PYTHONPATH.
    done = run_inspect(
        "--url",
        redis_server.url,
        "--site",
        SITE,
        "--json",
        "--width",
        "300",
        env={"PYTHONPATH": str(tmp_path)},
    )

    assert done.returncode == 0, done.stderr
    records = {r["key"]: r for r in map(json.loads, done.stdout.splitlines())}
    assert not shell_marker.exists() and not eval_marker.exists() and not import_marker.exists()
    # What would have run is shown, not run.
    system = os.system.__module__  # "posix"
    assert records[f"{SITE}|shell"]["kind"] == f"{system}.system"
    assert records[f"{SITE}|shell"]["preview"] == f"{system}.system('touch {shell_marker}')"
    assert records[f"{SITE}|eval"]["kind"] == "builtins.eval"
    assert str(eval_marker) in records[f"{SITE}|eval"]["preview"]
    assert (records[f"{SITE}|trap"]["kind"], records[f"{SITE}|trap"]["preview"]) == (
        "booby_trap.Trap",
        "booby_trap.Trap()",
    )
    assert records[f"{SITE}|hash"]["elements"][0]["kind"] == f"{system}.system"


def test_undecodable_values_are_opaque_with_a_reason(redis_server: RedisServer, raw: redis.Redis):
    good = pickle.dumps({"k": "v"}, protocol=5)
    raw.set(f"{SITE}|truncated", good[:-3])
    raw.set(f"{SITE}|counter", b"42")
    raw.set(f"{SITE}|empty", b"")
    raw.set(f"{SITE}|future", b"\x80\x09N.")
    records = inspect_json(redis_server.url, "--site", SITE)
    assert {k: r["kind"] for k, r in records.items()} == dict.fromkeys(records, "opaque")
    assert records[f"{SITE}|truncated"]["preview"].startswith("truncated")
    assert records[f"{SITE}|counter"]["preview"] == "not a pickle: b'42'"
    assert records[f"{SITE}|empty"]["preview"] == "empty value"
    assert records[f"{SITE}|future"]["preview"].startswith("unsupported pickle protocol 9")


def test_hash_list_and_set_elements_are_previewed(redis_server: RedisServer, raw: redis.Redis):
    raw.hset(f"{SITE}|meta", mapping={f"field{i}": pickle.dumps({"i": i}, protocol=5) for i in range(10)})
    raw.rpush(f"{SITE}|queue", *(pickle.dumps(f"job{i}", protocol=5) for i in range(5)))
    raw.sadd(f"{SITE}|members", pickle.dumps("only", protocol=4))
    raw.zadd(f"{SITE}|scores", {"a": 1.0, "b": 2.0})

    records = inspect_json(redis_server.url, "--site", SITE, "--elements", "2")

    meta = records[f"{SITE}|meta"]
    assert (meta["type"], meta["size"], len(meta["elements"])) == ("hash", 10, 2)
    for element in meta["elements"]:
        i = int(element["field"].removeprefix("field"))
        assert (element["kind"], element["preview"]) == ("dict", f"{{'i': {i}}}")
    queue = records[f"{SITE}|queue"]
    assert (queue["type"], queue["size"]) == ("list", 5)
    assert queue["elements"] == [
        {"index": 0, "kind": "str", "preview": "'job0'"},
        {"index": 1, "kind": "str", "preview": "'job1'"},
    ]
    assert records[f"{SITE}|members"]["elements"] == [{"kind": "str", "preview": "'only'"}]
    assert (records[f"{SITE}|scores"]["type"], records[f"{SITE}|scores"]["size"]) == ("zset", 2)

    none = inspect_json(redis_server.url, "--site", SITE, "--elements", "0")
    assert "elements" not in none[f"{SITE}|meta"]


def test_pattern_limit_width_and_max_bytes(redis_server: RedisServer, raw: redis.Redis):
    for i in range(30):
        raw.set(f"{SITE}|document_cache::ToDo::{i:02}", pickle.dumps("x" * 200, protocol=5))
    raw.set(f"{SITE}|other", pickle.dumps(1, protocol=5))
    raw.set(f"{SITE}|big", pickle.dumps(b"y" * 5000, protocol=5))

    assert (
        len(inspect_json(redis_server.url, "--site", SITE, "--pattern", "document_cache::*", "--limit", "0"))
        == 30
    )

    limited = run_inspect(
        "--url", redis_server.url, "--site", SITE, "--pattern", "document_cache::*", "--limit", "7", "--json"
    )
    assert limited.returncode == 0
    assert len(limited.stdout.splitlines()) == 7
    assert "stopped at --limit 7" in limited.stderr

    records = inspect_json(
        redis_server.url, "--site", SITE, "--pattern", "[ob]*", "--width", "12", "--max-bytes", "1000"
    )
    assert set(records) == {f"{SITE}|other", f"{SITE}|big"}
    assert records[f"{SITE}|other"]["preview"] == "1"
    assert records[f"{SITE}|big"]["kind"] == "skipped"
    assert "5" in records[f"{SITE}|big"]["preview"]
    cut = inspect_json(
        redis_server.url, "--site", SITE, "--pattern", "document_cache::ToDo::00", "--width", "12"
    )
    assert cut[f"{SITE}|document_cache::ToDo::00"]["preview"] == "'xxxxxxxxxx…"


def test_glob_characters_in_the_site_name_match_literally(redis_server: RedisServer, raw: redis.Redis):
    raw.set("we*ird|k", pickle.dumps(1))
    raw.set("weXird|k", pickle.dumps(2))
    assert set(inspect_json(redis_server.url, "--site", "we*ird")) == {"we*ird|k"}


def test_never_sends_keys(server_factory):
    server = server_factory(args=["--rename-command", "KEYS", ""])
    client = redis.Redis.from_url(server.url)
    client.set(f"{SITE}|k", pickle.dumps("v", protocol=5))
    client.close()
    assert set(inspect_json(server.url, "--site", SITE)) == {f"{SITE}|k"}


def test_password_database_and_unix_socket(server_factory):
    server = server_factory(unixsocket=True, args=["--requirepass", "s3cret"])
    client = redis.Redis.from_url(f"redis://:s3cret@127.0.0.1:{server.port}/3")
    client.set(f"{SITE}|in_db3", pickle.dumps("three", protocol=5))
    client.close()
    path = server.unix_socket_path
    for url in (
        f"redis://:s3cret@127.0.0.1:{server.port}/3",
        f"redis://default:s3cret@127.0.0.1:{server.port}?db=3",
        f"unix://:s3cret@{path}?db=3",
        f"unix://{path}?db=3&password=s3cret",
    ):
        assert inspect_json(url, "--site", SITE)[f"{SITE}|in_db3"]["preview"] == "'three'", url
    assert inspect_json(f"redis://:s3cret@127.0.0.1:{server.port}/0", "--site", SITE) == {}

    wrong = run_inspect("--url", f"redis://:nope@127.0.0.1:{server.port}")
    assert wrong.returncode == 1
    assert "refused us" in wrong.stderr and "nope" not in wrong.stderr
    missing = run_inspect("--url", f"redis://127.0.0.1:{server.port}")
    assert missing.returncode == 1 and "refused us: Authentication required" in missing.stderr


def test_url_defaults_to_redis_url_env(redis_server: RedisServer, raw: redis.Redis):
    raw.set(f"{SITE}|k", pickle.dumps(1, protocol=5))
    done = run_inspect("--site", SITE, "--json", env={"REDIS_URL": redis_server.url})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["key"] == f"{SITE}|k"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:6379", "scheme must be redis://"),
        ("redis://127.0.0.1:port", "bad --url"),
        ("redis://127.0.0.1:6379/zero", "database must be a number"),
        ("unix://", "needs the socket's path"),
        ("redis://:hunter2@/0", "no host"),
    ],
)
def test_a_bad_url_exits_2(url: str, message: str):
    done = run_inspect("--url", url)
    assert done.returncode == 2
    assert message in done.stderr
    assert "hunter2" not in done.stderr
    assert done.stdout == ""


def test_an_unreachable_redis_exits_1():
    done = run_inspect("--url", f"redis://127.0.0.1:{_free_port()}", "--timeout", "2")
    assert done.returncode == 1
    assert "cannot reach Redis at redis://127.0.0.1" in done.stderr
    gone = run_inspect("--url", "unix:///nonexistent/redis.sock")
    assert gone.returncode == 1 and "cannot reach Redis" in gone.stderr


def test_a_frozen_redis_times_out_with_exit_1(fresh_server: RedisServer):
    fresh_server.pause()
    done = run_inspect("--url", fresh_server.url, "--timeout", "0.5", timeout=30)
    assert done.returncode == 1
    assert "did not answer within 0.5 s" in done.stderr


def test_help_and_usage_errors():
    done = run_inspect("--help")
    assert done.returncode == 0
    for option in ("--url", "--site", "--pattern", "--limit", "--json", "WITHOUT executing"):
        assert option in done.stdout
    assert run_inspect("--limit", "-1").returncode == 2
    bare = subprocess.run([sys.executable, "-m", "frappe_cache"], capture_output=True, text=True)
    assert bare.returncode == 2 and "COMMAND" in bare.stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
def test_rediss_with_a_private_ca(tmp_path: Path):
    make_pki(tmp_path, "server")
    tls_port = _free_port()
    with RedisServer(args=[
        "--tls-port", str(tls_port), "--tls-cert-file", str(tmp_path / "server.crt"),
        "--tls-key-file", str(tmp_path / "server.key"), "--tls-ca-cert-file", str(tmp_path / "ca.crt"),
        "--tls-auth-clients", "no",
    ]) as server:  # fmt: skip
        client = redis.Redis.from_url(server.url)
        client.set(f"{SITE}|k", pickle.dumps("over tls", protocol=5))
        client.close()
        url = f"rediss://localhost:{tls_port}"
        assert inspect_json(url, "--site", SITE, "--ca-certs", str(tmp_path / "ca.crt"))[f"{SITE}|k"][
            "preview"
        ] == ("'over tls'")
        untrusted = run_inspect("--url", url)
        assert untrusted.returncode == 1 and "certificate" in untrusted.stderr
        assert run_inspect("--url", server.url, "--ca-certs", str(tmp_path / "ca.crt")).returncode == 2


# ------------------------------------------------------------------------------------------------
# inspect_pickle directly

KINDS = {
    type(None): "None",
    bool: "bool",
    int: "int",
    float: "float",
    str: "str",
    bytes: "bytes",
    bytearray: "bytearray",
    list: "list",
    tuple: "tuple",
    dict: "dict",
    set: "set",
    frozenset: "frozenset",
}

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**600), max_value=2**600)
    | st.floats()
    # CPython escapes unassigned code points (Cn) too; the previewer, without Unicode tables, does not.
    | st.text(st.characters(exclude_categories=["Cs", "Cn"]))
    | st.binary()
)
hashables = st.recursive(
    scalars, lambda inner: st.tuples(inner, inner) | st.frozensets(inner, max_size=3), max_leaves=8
)
values = st.recursive(
    scalars | st.binary().map(bytearray),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(hashables, inner, max_size=4)
        | st.sets(hashables, max_size=4)
        | st.frozensets(hashables, max_size=4)
    ),
    max_leaves=20,
)


@given(value=values, protocol=st.integers(min_value=0, max_value=5))
def test_builtin_values_preview_as_their_repr(value, protocol):
    """For builtin values the preview is exactly ``repr`` (in every protocol), and the kind the type."""
    assert inspect_pickle(pickle.dumps(value, protocol=protocol), 10**6) == (KINDS[type(value)], repr(value))


@given(value=values, max_len=st.integers(min_value=0, max_value=60))
def test_previews_are_cut_to_max_len(value, max_len):
    expected = repr(value)
    kind, text = inspect_pickle(pickle.dumps(value, protocol=5), max_len)
    assert len(text) <= max_len
    if len(expected) > max_len > 0:
        assert text == expected[: max_len - 1] + "…"
    else:
        assert text == expected[:max_len]


@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data):
    kind, text = inspect_pickle(data)
    assert isinstance(kind, str) and isinstance(text, str) and len(text) <= 120


@given(
    value=values,
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=4),
)
def test_corrupted_pickles_never_raise(value, flips):
    data = bytearray(pickle.dumps(value, protocol=5))
    for at, byte in flips:
        data[at % len(data)] = byte
    kind, text = inspect_pickle(bytes(data), 80)
    assert len(text) <= 80


def test_every_truncation_of_a_real_value_is_opaque():
    value = {
        "doc": Doc(name="x", when=datetime.datetime(2024, 1, 1)),
        "d": AttrDict(a={1, 2}),
        "n": decimal.Decimal("1"),
    }
    for protocol in (4, 5):
        data = pickle.dumps(value, protocol=protocol)
        assert inspect_pickle(data, 1000)[0] == "dict"
        for end in range(len(data)):
            assert inspect_pickle(data[:end])[0] == "opaque"


def test_protocol_4_and_5_preview_alike():
    corpus = [
        {"a": [1, 2.5, "x", b"y", None, True]},
        AttrDict(name="n", child=AttrDict()),
        Doc(
            doctype="User",
            creation=datetime.datetime(2023, 5, 1, 8, 0, 0, 5),
            amount=decimal.Decimal("-0.10"),
        ),
        datetime.timedelta(hours=5),
        {frozenset({1}), (1, 2)},
        bytearray(b"\x00"),
    ]
    for value in corpus:
        assert inspect_pickle(pickle.dumps(value, protocol=4)) == inspect_pickle(
            pickle.dumps(value, protocol=5)
        )


def test_deeply_nested_and_self_referencing_values():
    # 100 000 nested lists: more than CPython's pickle itself can write or read back.
    deep = b"\x80\x05" + b"(" * 100_000 + b"l" * 100_000 + b"."
    kind, text = inspect_pickle(deep, 40)
    assert kind == "list" and text.startswith("[[[[") and len(text) == 40
    loop: list = [1]
    loop.append(loop)
    assert inspect_pickle(pickle.dumps(loop, protocol=5)) == ("list", repr(loop))
    shared = [1]
    assert inspect_pickle(pickle.dumps([[shared, shared]] * 2)) == ("list", "[[[1], [1]], [[1], [1]]]")
