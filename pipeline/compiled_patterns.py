"""Compiled regular expressions kept across processes: a parse worker starts without recompiling them.

Why: `re` and `regex` turn a pattern into matcher code in Python (a parser, an optimiser); a
fresh parse process compiles some 140 patterns, about 40 ms of a one-file run's critical path
(its import and its first report), every run again. What the compilers hand to their C engines
(`_sre.compile`, `_regex.compile`) is plain data (the pattern, flags, a list of ints, group
tables), so it can be kept and handed over again, giving the very same pattern object.

Exact by construction: kept code is used only by a process whose compilers are those it came
from: the key is a hash of the Python version and of the source of `re`'s compiler and of the
`regex` package's (with its version); a pattern is kept only when it depends on nothing but its
text and flags (no named lists, no locale, not DEBUG). Stored in $OGI_CACHE_DIR
(`compiled-patterns.<python>.marshal`) through `pipeline.datafiles`; OGI_CACHE_DIR empty turns
it off. `install()` (in a worker, before it imports the parser) hooks the two compilers;
`save()` adds what this process compiled.
"""
from __future__ import annotations

import os
import sys

from . import datafiles

NAME = "compiled-patterns"
_FORMAT = 1
LIMIT = 1000          # patterns kept (the parser has some 150; a pattern built in another order each run adds one)

_kept: dict = {}
_added: dict = {}
_key = ""


class _Recorder:
    """Stands for a C engine module in its compiler: passes everything through and keeps the
    arguments of the last `compile` call."""

    def __init__(self, real):
        self.real = real
        self.args = None

    def __getattr__(self, name):
        return getattr(self.real, name)

    def compile(self, *args):
        self.args = args
        return self.real.compile(*args)


def code_key() -> str:
    """A hash of what compiled code depends on: Python, and the compilers' source."""
    import hashlib
    import re._compiler

    import regex
    import regex._main
    h = hashlib.sha256(f"{sys.version}|{regex.__version__}".encode())
    for mod in (re._compiler, re._parser, re._constants, regex._main, regex._regex_core):
        with open(mod.__file__, "rb") as f:
            h.update(f.read() + b"\0")
    return h.hexdigest()


def _plain(v):
    """The compiler's arguments with named int constants (re's opcodes) as plain ints, which
    marshal holds and the engine reads alike."""
    if type(v) in (list, tuple):
        return type(v)(_plain(x) for x in v)
    if isinstance(v, dict):
        return {_plain(k): _plain(x) for k, x in v.items()}
    if isinstance(v, int) and type(v) not in (int, bool):
        return int(v)
    return v


def _keep(key, args) -> None:
    import marshal
    if len(_added) + len(_kept) >= LIMIT:
        return
    args = _plain(args)
    try:
        marshal.dumps(args)
    except ValueError:
        return
    _added[key] = args


def _from_kept(engine: _Recorder, key, args):
    """The pattern object from kept arguments; None (compile it as usual) if the engine refuses
    them, and they are dropped."""
    try:
        return engine.real.compile(*args)
    except Exception:
        _kept.pop(key, None)
        return None


def _hook_re(re_compiler, kept: dict, lock) -> None:
    original, engine = re_compiler.compile, _Recorder(re_compiler._sre)
    re_compiler._sre = engine
    debug = re_compiler.SRE_FLAG_DEBUG

    def compile(p, flags=0):
        if not isinstance(p, (str, bytes)) or flags & debug:
            return original(p, flags)
        key = ("re", p, int(flags))
        args = kept.get(key)
        if args is not None:
            compiled = _from_kept(engine, key, args)
            if compiled is not None:
                return compiled
        with lock:   # the recorder holds one call's arguments: one compile at a time
            engine.args = None
            compiled = original(p, flags)
            if engine.args is not None:
                _keep(key, engine.args)
        return compiled
    re_compiler.compile = compile


def _hook_regex(main, kept: dict, lock) -> None:
    original, engine = main._compile, _Recorder(main._regex)
    main._regex = engine

    def _compile(pattern, flags, ignore_unused, kwargs, cache_it):
        if kwargs or not cache_it or not isinstance(pattern, str) or flags & (main.DEBUG | main.LOCALE):
            return original(pattern, flags, ignore_unused, kwargs, cache_it)
        version = main.DEFAULT_VERSION
        key = ("regex", pattern, int(flags), int(version))
        args = kept.get(key)
        cache_key = (pattern, str, flags, frozenset(), version, None)
        compiled = None
        if args is not None and cache_key not in main._cache:
            compiled = _from_kept(engine, key, args)
        if compiled is None:
            with lock:   # the recorder holds one call's arguments: one compile at a time
                engine.args = None
                compiled = original(pattern, flags, ignore_unused, kwargs, cache_it)
                if (args is None and engine.args is not None and main._locale_sensitive.get((str, pattern)) is False
                        and main._named_args.get((pattern, str, flags)) == frozenset()):
                    _keep(key, engine.args)
            return compiled
        # what `_compile` itself records, so that the next call of this pattern is a cache hit
        with main._cache_lock:
            main._cache[cache_key] = compiled
        main._named_args[(pattern, str, flags)] = frozenset()
        main._locale_sensitive[(str, pattern)] = False
        return compiled
    main._compile = _compile


def install() -> None:
    """Hook `re` and `regex` to use and collect kept code (once a process; nothing when caching
    is off or the key cannot be made)."""
    global _key, _kept
    if _key or not datafiles.cache_dir():
        return
    try:
        import re._compiler

        import regex._main
        key = code_key()
    except (ImportError, OSError, AttributeError):
        return
    import threading
    _key = key
    kept = datafiles.read_derived(NAME, key, _FORMAT)
    _kept = kept if isinstance(kept, dict) else {}
    lock = threading.RLock()
    _hook_re(re._compiler, _kept, lock)
    _hook_regex(regex._main, _kept, lock)


def save() -> None:
    """Add the patterns this process compiled to the cache file."""
    if not _added or not _key:
        return
    kept = datafiles.read_derived(NAME, _key, _FORMAT) or {}
    kept.update(_added)
    if len(kept) > LIMIT:
        kept = dict(_added)
    if datafiles.write_derived(NAME, _key, _FORMAT, kept):
        _kept.update(_added)
        _added.clear()
