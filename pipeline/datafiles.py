"""The registry's data files (pipeline/data/*.toml), parsed once per install instead of once per process.

Why: every `ogi parse` worker reads four TOML files; importing tomllib and parsing them costs tens
of milliseconds of a start-up that should take little more. `load_toml(name)` keeps a derived copy
of the parsed file in marshal form (read in a fraction of a millisecond) in a cache folder the user
can write. The copy holds the exact bytes of the TOML file it was made from and is used only while
the file still holds those bytes, so an edited file is parsed again and the copy rebuilt: a stale
copy is never used. Where no cache folder can be written, the file is simply parsed each time.

The cache folder is $OGI_CACHE_DIR, else $XDG_CACHE_HOME/ogi-reports, else ~/.cache/ogi-reports;
OGI_CACHE_DIR set to an empty string turns the cache off.
"""
from __future__ import annotations

import marshal
import os
import sys

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
_FORMAT = 1      # raise when the layout of a cache file changes


def cache_dir() -> str:
    """The folder derived copies are kept in ("" when caching is off)."""
    if "OGI_CACHE_DIR" in os.environ:
        return os.environ["OGI_CACHE_DIR"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ogi-reports")


def _cache_path(folder: str, name: str) -> str:
    tag = f"py{sys.version_info[0]}{sys.version_info[1]}"        # marshal's format follows Python's
    return os.path.join(folder, f"{name}.{tag}.marshal")


def _cached(path: str, source: bytes, fmt: int = _FORMAT):
    """The data kept in `path` if it was made from exactly `source` (the bytes or the key it
    was derived from) in layout `fmt`, else None."""
    try:
        with open(path, "rb") as f:
            kept_fmt, kept, data = marshal.loads(f.read())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return data if kept_fmt == fmt and kept == source else None


def _store(path: str, source: bytes, data, fmt: int = _FORMAT) -> bool:
    """Write the derived copy atomically; any failure (read-only home, full disk, data marshal
    cannot hold) leaves things as they were (and returns False)."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        blob = marshal.dumps((fmt, source, data))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(blob)
        os.replace(tmp, path)
        return True
    except (OSError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False


def read_derived(name: str, key: str, fmt: int):
    """Data kept under `name` in the cache folder by `write_derived` with the same `key` and
    layout `fmt`; None when there is none, it was made from another key, or caching is off."""
    folder = cache_dir()
    return _cached(_cache_path(folder, name), key, fmt) if folder else None


def write_derived(name: str, key: str, fmt: int, data) -> bool:
    """Keep `data` (what marshal holds) under `name`, for processes that derive it from `key`."""
    folder = cache_dir()
    return _store(_cache_path(folder, name), key, data, fmt) if folder else False


_digest: list[str] = []      # this process's code_digest(), once made or adopted


def code_digest() -> str:
    """A SHA-256 (hex) of the path and bytes of every source and data file of `parsers/` and
    `pipeline/`: what our own code contributes to a parse result (the batch state's parser
    fingerprint) and to a kept label score. Read once a process (some 100 files, ~7 ms)."""
    if not _digest:
        _digest.append(_hash_code())
    return _digest[0]


def known_digest() -> str:
    """code_digest() if this process has made it already, else "" (nothing is read)."""
    return _digest[0] if _digest else ""


def adopt_digest(digest: str) -> None:
    """Take `digest` as this process's code_digest(): for a worker forked from the process that
    made it, whose files are the same ones, so it need not read them all again."""
    if digest and not _digest:
        _digest.append(digest)


def _hash_code() -> str:
    import hashlib

    h = hashlib.sha256()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for pkg in ("parsers", "pipeline"):
        for dirpath, dirs, files in sorted(os.walk(os.path.join(root, pkg))):
            dirs.sort()
            for f in sorted(files):
                if f.endswith((".py", ".toml", ".json", ".txt")):
                    with open(os.path.join(dirpath, f), "rb") as fh:
                        h.update(f"{os.path.relpath(dirpath, root)}/{f}\0".encode() + fh.read() + b"\0")
    return h.hexdigest()


def load_toml(name: str, data_dir: str = DATA_DIR) -> dict:
    """Given a data file's name without `.toml`, return its parsed content (a fresh dict on each
    call), from the derived copy when that was made from the file's current bytes."""
    with open(os.path.join(data_dir, f"{name}.toml"), "rb") as f:
        source = f.read()
    folder = cache_dir()
    path = _cache_path(folder, name) if folder else ""
    if path:
        data = _cached(path, source)
        if data is not None:
            return data
    import tomllib
    data = tomllib.loads(source.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n"))   # as text mode reads it
    if path:
        _store(path, source, data)
    return data
