"""Fuzzy label matching against the template registry, one clear entry point: `score_row`.

Labels are compared in their normalized form (normalize.label_key). The score is the best of
a full ratio and a length-penalized partial ratio (labels cut by line breaks or cells), with a
bonus when the printed numbering (（一）, 1., 三、) agrees with the template's and a malus when it
contradicts it. Scores are 0–100 and are kept with every match.
"""
from __future__ import annotations

from functools import lru_cache

import regex

from . import label_scores
from . import normalize as N
from .templates import Row

_INNER_NUMBERING = regex.compile(r"(?<=\S)([(（][一二三四五六七八九十]+[)）]|(?<![\d.])\d{1,2}\s*[.、．](?!\d))")

STRONG = 85.0      # accepted without comment
WEAK = 62.0        # accepted only where the row sequence agrees; logged


@lru_cache(maxsize=200000)
def _similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    from rapidfuzz import fuzz   # imported at the first label no kept score holds (label_scores)

    full = fuzz.ratio(a, b)
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 4:
        cover = len(short) / len(long_)
        part = fuzz.partial_ratio(short, long_) * (0.80 + 0.18 * cover)
        full = max(full, part)
    return full


def similarity_bound(la: int, lb: int) -> float:
    """The most `_similarity` can give two label keys of lengths la and lb, from the lengths
    alone (the ratio shares at most the shorter key; the partial ratio is scaled by the cover):
    a candidate whose bound is below a bar needs no fuzzy comparison."""
    if not la or not lb:
        return 0.0
    short, long_ = min(la, lb), max(la, lb)
    bound = 200.0 * short / (la + lb)
    if short >= 4:
        bound = max(bound, 100.0 * (0.80 + 0.18 * short / long_))
    return bound


@lru_cache(maxsize=4096)
def label_forms(row: Row) -> tuple[str, ...]:
    return tuple(N.label_key(x) for x in (row.label, *row.aliases))


@lru_cache(maxsize=200000)
def score_text(printed: str, row: Row) -> float:
    """How well one printed label text matches a template row (0–100)."""
    key = N.label_key(printed)
    if not key:
        return 0.0
    best = max(_similarity(key, f) for f in label_forms(row))
    got, want = N.numbering(printed), N.numbering(row.label)
    if got and want:
        best += 6 if got == want else -12
    return max(0.0, min(100.0, best))


def score_row(labels: list[str], context: list[str], row: Row) -> float:
    """Best score over the printed label cells, alone and joined with their group labels."""
    return _score_row(tuple(labels), tuple(context), row)


@lru_cache(maxsize=200000)
def _score_row(labels: tuple[str, ...], context: tuple[str, ...], row: Row) -> float:
    return label_scores.remembered(_compute_score_row, labels, context, row)   # kept across processes


def _compute_score_row(labels: tuple[str, ...], context: tuple[str, ...], row: Row) -> float:
    if not labels:
        return 0.0
    candidates = [labels[-1], "".join(labels)]
    if len(labels) > 1:
        candidates.append("".join(labels[-2:]))
    # a group label run into the item label ("（三）不予公开1.属于国家秘密"): try the tail too
    tail = _INNER_NUMBERING.split(N.clean(labels[-1]).replace(" ", ""))
    if len(tail) > 1:
        marks = _INNER_NUMBERING.findall(N.clean(labels[-1]).replace(" ", ""))
        candidates.append(marks[-1] + tail[-1])
    best = max(score_text(c, row) for c in candidates)
    # a group label that agrees with the row's group lends a little confidence
    groups = [g for g in [*context, *labels[:-1]] if g.strip()]
    if row.group and groups and best >= 50:
        g = max(_similarity(N.label_key(x), N.label_key(row.group)) for x in groups)
        if g >= 80:
            best = min(100.0, best + 3)
    return best


@lru_cache(maxsize=65536)
def score_header(printed: str, label: str, aliases: tuple[str, ...] = ()) -> float:
    """How well a printed column header matches a column's label or aliases (0–100)."""
    return label_scores.remembered_header(_compute_score_header, printed, label, aliases)   # kept across processes


def _compute_score_header(printed: str, label: str, aliases: tuple[str, ...]) -> float:
    key = N.label_key(printed)
    return max(_similarity(key, N.label_key(x)) for x in (label, *aliases)) if key else 0.0
