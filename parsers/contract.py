"""The reader contract: what a reader declares, and the one kind of input every reader takes.

A reader is a module of this package with an entry function `(source) -> Document`, where a
source is a path or the file's bytes. It declares itself with a `Reader` record (in
parsers.formats): the format it reads, how a file of that format is recognized from its first
bytes and its name, and where its code is, so that choosing a reader imports none of them. A
reader raises `ReadError` with a one-line reason for input it cannot read and imports nothing
from the pipeline.

The helpers here give every reader the same view of a source: its size, its first bytes, all
of its bytes (up to a limit), and a file on disk for the libraries that want one.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Optional, Union

Source = Union[str, os.PathLike, bytes, bytearray, memoryview]


@dataclass(frozen=True)
class Reader:
    """A reader's declaration.

    format:     the format name (the value of `--format` and of reports.csv `format`)
    module:     the submodule of `parsers` holding the entry function
    entry:      the entry function's name: (source, **options) -> Document
    extensions: file name endings that suggest the format when the content does not say
    sniff:      given a file's first bytes (up to HEAD_BYTES), return whether they are this
                format's own signature (content wins over the name)
    options:    keyword options the router passes to the entry for this format
    """
    format: str
    module: str
    entry: str = "read"
    extensions: tuple[str, ...] = ()
    sniff: Optional[Callable[[bytes], bool]] = None
    options: tuple[tuple[str, object], ...] = ()


HEAD_BYTES = 8192   # what sniffing may look at


def is_bytes(source: Source) -> bool:
    return isinstance(source, (bytes, bytearray, memoryview))


def source_size(source: Source) -> int:
    """Given a source, return its size in bytes."""
    return len(source) if is_bytes(source) else os.path.getsize(source)


def source_name(source: Source) -> str:
    """Given a source, return its file name ('' for bytes)."""
    return "" if is_bytes(source) else os.fspath(source)


def head(source: Source, n: int = HEAD_BYTES) -> bytes:
    """Given a source, return its first `n` bytes."""
    if is_bytes(source):
        return bytes(source[:n])
    with open(source, "rb") as f:
        return f.read(n)


def tail(source: Source, n: int) -> bytes:
    """Given a source, return its last `n` bytes (all of it when shorter)."""
    if is_bytes(source):
        return bytes(source[max(0, len(source) - n):])
    size = os.path.getsize(source)
    with open(source, "rb") as f:
        f.seek(max(0, size - n))
        return f.read()


def read_bytes(source: Source, limit: Optional[int] = None) -> bytes:
    """Given a source, return its bytes, at most `limit` of them."""
    if is_bytes(source):
        data = bytes(source)
        return data if limit is None else data[:limit]
    with open(source, "rb") as f:
        return f.read() if limit is None else f.read(limit)


def copy_to(source: Source, dest: str) -> None:
    """Write the source's bytes to the file `dest`."""
    if is_bytes(source):
        with open(dest, "wb") as f:
            f.write(source)
    else:
        import shutil      # lazily: only readers that need a file path copy one
        shutil.copyfile(source, dest)
