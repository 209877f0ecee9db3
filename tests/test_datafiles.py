"""The derived copies of the registry's TOML files: the same data as parsing, never stale."""
from __future__ import annotations

import os
import tomllib

import pytest

from pipeline import datafiles
from pipeline.datafiles import DATA_DIR, load_toml

NAMES = sorted(f[:-5] for f in os.listdir(DATA_DIR) if f.endswith(".toml"))


def _parsed(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return tomllib.loads(f.read())


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("OGI_CACHE_DIR", str(folder))
    return folder


@pytest.mark.parametrize("name", NAMES)
def test_cached_equals_parsed(cache, name):
    want = _parsed(os.path.join(DATA_DIR, f"{name}.toml"))
    first = load_toml(name)                      # parsed, copy written
    assert list(cache.iterdir()), "no derived copy was written"
    second = load_toml(name)                     # read from the copy
    assert first == want and second == want
    assert list(second) == list(want)            # key order kept (templates are read in file order)
    assert second is not first                   # a fresh dict each call


def _write(folder, text: str) -> str:
    folder.mkdir(exist_ok=True)
    (folder / "t.toml").write_text(text, encoding="utf-8")
    return str(folder)


def test_changed_file_is_parsed_again(cache, tmp_path):
    data = _write(tmp_path / "data", 'a = 1\nb = "x"\n')
    assert load_toml("t", data) == {"a": 1, "b": "x"}
    assert load_toml("t", data) == {"a": 1, "b": "x"}
    _write(tmp_path / "data", 'a = 2\nb = "x"\n')          # same length, other bytes
    assert load_toml("t", data) == {"a": 2, "b": "x"}
    assert load_toml("t", data) == {"a": 2, "b": "x"}      # and the copy was rebuilt
    (path,) = cache.iterdir()
    assert datafiles._cached(str(path), b'a = 2\nb = "x"\n') == {"a": 2, "b": "x"}


def test_corrupt_or_foreign_copy_is_ignored(cache, tmp_path):
    data = _write(tmp_path / "data", "a = 1\n")
    load_toml("t", data)
    (path,) = cache.iterdir()
    path.write_bytes(b"not marshal at all")
    assert load_toml("t", data) == {"a": 1}
    import marshal
    path.write_bytes(marshal.dumps((datafiles._FORMAT, b"a = 9\n", {"a": 9})))   # made from other bytes
    assert load_toml("t", data) == {"a": 1}
    path.write_bytes(marshal.dumps((datafiles._FORMAT + 1, b"a = 1\n", {"a": 7})))  # another layout
    assert load_toml("t", data) == {"a": 1}


def test_unwritable_or_off_cache_still_parses(tmp_path, monkeypatch):
    data = _write(tmp_path / "data", "a = 1\n")
    monkeypatch.setenv("OGI_CACHE_DIR", "")
    assert load_toml("t", data) == {"a": 1}
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("OGI_CACHE_DIR", str(blocker / "sub"))     # a folder that cannot be made
    assert load_toml("t", data) == {"a": 1}
    assert load_toml("t", data) == {"a": 1}


def test_data_marshal_cannot_hold_is_not_cached(cache, tmp_path):
    data = _write(tmp_path / "data", "when = 2024-01-02\n")      # a date: marshal refuses it
    first = load_toml("t", data)
    assert str(first["when"]) == "2024-01-02"
    assert load_toml("t", data) == first
    assert not list(cache.glob("*.marshal"))


def test_crlf_file_reads_as_text_mode_would(cache, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "t.toml").write_bytes(b's = """a\r\nb"""\r\n')
    assert load_toml("t", str(folder)) == {"s": "a\nb"}
    assert load_toml("t", str(folder)) == {"s": "a\nb"}


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("OGI_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert datafiles.cache_dir() == os.path.join(str(tmp_path), "ogi-reports")
