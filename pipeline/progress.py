"""The progress display of a bulk run: a rich progress bar with counts by status and an ETA."""
from __future__ import annotations

import sys
from collections import Counter

STATUS_STYLE = {"ok": "green", "partial": "yellow", "not_a_report": "blue", "failed": "red"}


class Progress:
    def __init__(self, total: int, enabled: bool = True):
        self.total = total
        self.counts: Counter = Counter()
        self.enabled = enabled
        self._p = None

    def start(self) -> None:
        if not self.enabled:
            return
        try:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RP, TaskProgressColumn,
                                       TextColumn, TimeElapsedColumn, TimeRemainingColumn)
        except ImportError:  # rich not installed: run without a bar
            self.enabled = False
            return
        self._p = RP(TextColumn("parsing"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                     TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                     TextColumn("{task.fields[counts]}"), console=Console(file=sys.stderr),
                     transient=False, refresh_per_second=4)
        self._task = self._p.add_task("parse", total=self.total, counts="")
        self._p.start()

    def advance(self, status: str, n: int = 1) -> None:
        self.counts[status] += n
        if self._p is not None:
            self._p.update(self._task, advance=n, counts=self.describe(markup=True))

    def describe(self, markup: bool = False) -> str:
        parts = []
        for s in ("ok", "partial", "not_a_report", "failed"):
            if self.counts.get(s):
                parts.append(f"[{STATUS_STYLE[s]}]{s} {self.counts[s]}[/]" if markup else f"{s} {self.counts[s]}")
        return " ".join(parts)

    def stop(self) -> None:
        if self._p is not None:
            self._p.stop()
            self._p = None
