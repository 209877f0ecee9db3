"""Label scores kept across processes, so that a fresh worker's first parse does not recompute them.

Why: a new parse process spends about 40 ms of its first report on exact fuzzy scoring of the
printed label texts against every template row (`pipeline.match`); the same texts recur across
reports and runs, and in one process an lru_cache already serves them after the first time.
`match._score_row` is a pure function of (printed labels, context labels, the row's label,
aliases and group) and of the code and data that compute it, so its results can be kept; so is
`match.score_header` of (printed header text, column label, aliases).

Exact by construction: the kept scores are used only by a process whose code and data are
those they were computed with. The key is a hash of every source and data file of `parsers/`
and `pipeline/` (`datafiles.code_digest`, as the batch state's parser fingerprint), the Python, rapidfuzz and regex
versions, and the OpenCC dictionaries label keys are simplified with; any change makes the
kept file foreign, and it is ignored and replaced. Stored like `pipeline.datafiles`' copies in
$OGI_CACHE_DIR (`label-scores.<python>.marshal`, at most `LIMIT` entries, written atomically;
concurrent writers can only lose each other's additions); OGI_CACHE_DIR empty turns it off.
"""
from __future__ import annotations

import sys
import time

from . import datafiles

NAME = "label-scores"
_FORMAT = 1
LIMIT = 50000         # entries kept (about 4 MB; a report adds some 1,500 the first time)
SAVE_EVERY = 30.0     # seconds: a long run saves what it added now and then, not after every report

_kept: dict | None = None       # scores read from the cache file (None: not read yet)
_added: dict = {}               # scores computed by this process and not yet saved
_state = {"key": "", "saved_at": 0.0, "collect": False}


def collect() -> None:
    """Keep the scores this process computes, for `save()` (a parse worker does; elsewhere, e.g.
    the library API, kept scores are read but new ones are not held)."""
    _state["collect"] = True


def code_key() -> str:
    """A hash of what label scores depend on: the code and data of the parser, the versions of
    Python and of the libraries it calls, and the OpenCC dictionaries."""
    import hashlib

    import regex

    from . import normalize as N
    h = hashlib.sha256(f"{sys.version}|{_package_init('rapidfuzz')}|{regex.__version__}|{datafiles.code_digest()}".encode())
    share = N.opencc_share_dir()
    h.update(f"{share}|{N.opencc_dicts_crc(share) if share else ''}".encode())
    return h.hexdigest()


def _package_init(name: str) -> str:
    """The text of a package's __init__.py (it states the version), read without importing the
    package: rapidfuzz is imported only when a score must be computed."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        return ""
    with open(spec.origin, encoding="utf-8", errors="replace") as f:
        return f.read()


def _load() -> dict:
    global _kept
    _kept = {}
    if datafiles.cache_dir():
        try:
            _state["key"] = code_key()
        except OSError:
            return _kept
        _kept = datafiles.read_derived(NAME, _state["key"], _FORMAT) or {}
    return _kept


def remembered(compute, labels: tuple, context: tuple, row):
    """`compute(labels, context, row)`, from the kept scores when they hold it (a miss is
    computed and kept for the next process)."""
    return kept((labels, context, row.label, row.aliases, row.group), compute, labels, context, row)


def remembered_header(compute, printed: str, label: str, aliases: tuple):
    """`compute(printed, label, aliases)` (a column header's score), kept like a row's: a
    fresh worker whose header texts are not all exact then needs no fuzzy scoring either. Its
    key ("header", …) has four parts, a row's five: the two never meet."""
    return kept(("header", printed, label, aliases), compute, printed, label, aliases)


def kept(key: tuple, compute, *args):
    """The score kept under `key` (strings and tuples of them), else `compute(*args)`, kept
    for the next process when this one collects."""
    scores = _load() if _kept is None else _kept
    got = scores.get(key)
    if got is None:
        got = compute(*args)
        if _state["collect"] and _state["key"] and len(_added) < LIMIT:
            _added[key] = got
    return got


def save(force: bool = False) -> None:
    """Add this process's new scores to the cache file (now if `force`, else at most every
    `SAVE_EVERY` seconds after the first save); any failure leaves the cache as it was."""
    if not _added or not _state["key"]:
        return
    now = time.monotonic()
    if not force and _state["saved_at"] and now - _state["saved_at"] < SAVE_EVERY:
        return
    key = _state["key"]
    scores = datafiles.read_derived(NAME, key, _FORMAT) or {}
    if len(scores) + len(_added) > LIMIT:
        scores = {}     # full: start again from what this process computed
    scores.update(_added)
    if datafiles.write_derived(NAME, key, _FORMAT, scores):
        _kept.update(_added)
        _added.clear()
    _state["saved_at"] = now    # a failed write is tried again later, not after every report
