"""A per-character map of a text made of pieces, answered from the pieces: a few lookups a
report instead of a list entry a character (era A's stream, recovery's comparison form)."""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence


class PieceMap(Sequence):
    """A value for each character of a text made of pieces, each right after the one before or
    one separator after it: inside piece k, `first[k]` plus `step` a character; on the
    separator before piece k, `sep[k]`. Equal to the list of those values (what building it
    character by character makes), read by bisecting the starts."""

    def __init__(self, starts: list[int], stops: list[int], first: list[int], step: int, sep: list[int], n: int):
        self.starts, self.stops, self.first, self.step, self.sep, self.n = starts, stops, first, step, sep, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.n))]
        if i < 0:
            i += self.n
        if not 0 <= i < self.n:
            raise IndexError("stream index out of range")
        k = bisect_right(self.starts, i) - 1
        if i < self.stops[k]:
            return self.first[k] + self.step * (i - self.starts[k])
        return self.sep[k + 1]

    def first_at_least(self, value: int) -> int:
        """For a map that grows (step 1, each piece's and separator's values above the ones
        before): the first index whose value is `value` or more (`bisect_left` on the list)."""
        k = bisect_right(self.first, value) - 1
        if k < 0:
            return 0
        a = self.starts[k] + value - self.first[k]
        return a if a < self.stops[k] else self.stops[k]

    def __iter__(self):
        for k, (a, b) in enumerate(zip(self.starts, self.stops)):
            if k and a > self.stops[k - 1]:      # a separator before this piece
                yield self.sep[k]
            v = self.first[k]
            for _ in range(a, b):
                yield v
                v += self.step

    def __eq__(self, other) -> bool:
        if isinstance(other, (list, PieceMap)):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return repr(list(self))
