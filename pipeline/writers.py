"""Writing a run's output files (the columns and rendering are `pipeline.schema`'s).

Given rows as the schema renders them, write one complete output set and publish it so that a
reader of the output folder sees either the previous set or the new one, never a mix, whenever
the run is killed (even by `kill -9` or a power cut):

    <out>/.generations/<id>/cells.csv, reports.csv, checks.csv, log.csv, wide/*.csv, run.json
    <out>/.current   -> .generations/<id>          (switched by one atomic rename)
    <out>/cells.csv  -> .current/cells.csv          (and likewise every other entry)

A run writes its set into a fresh generation folder (files created with the user's umask, like
any other tool's) and flushes it to disk; `publish` then points `.current` at it with a single
`rename(2)`, then removes the older generations (a file a reader still has open stays readable
until it is closed). `discard_unpublished` (at the start of every run) removes what a killed run
left half-written.
"""
from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timezone
from collections.abc import Iterable

from . import schema

GENERATIONS = ".generations"
CURRENT = ".current"
_TMP_PREFIX = ".tmp-"


class _CsvFile:
    """One CSV file of a generation, written with its header row (UTF-8, with a byte-order
    mark when `bom`). The file is written as bytes, so rows a worker rendered are copied
    as they come (no decoding and encoding again); rows given as lists are rendered as
    `csv.writer` renders them (`schema.csv_text`)."""

    def __init__(self, path: str, fields: list[str], bom: bool):
        self.path = path
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.f = open(path, "xb", buffering=1 << 20)
        self.f.write((b"\xef\xbb\xbf" if bom else b"") + schema.csv_text([fields]).encode())

    def write_lists(self, rows: Iterable[list]) -> None:
        self.f.write(schema.csv_text(rows).encode())

    def write_text(self, text: str | bytes) -> None:
        """Rows already rendered as CSV text (by `schema.render_parts`), or that text in UTF-8."""
        self.f.write(text.encode() if isinstance(text, str) else text)

    def flush(self) -> int:
        """Hand what is buffered to the OS; the file's descriptor (for `fsync_all`)."""
        self.f.flush()
        return self.f.fileno()

    def close_quietly(self) -> None:
        try:
            self.f.close()
        except OSError:
            pass


class OutputWriter:
    """Streams parsed reports into a new generation of cells.csv, reports.csv, checks.csv,
    log.csv and wide/*.csv (`wide`: their value columns by table, `schema.wide_layout()`);
    `close(run_info)` writes run.json and publishes the set."""

    def __init__(self, out_dir: str, bom: bool = True, wide: dict[str, list[str]] | None = None):
        self.out_dir = out_dir
        self.generation = _new_generation_name()
        self.dir = os.path.join(out_dir, GENERATIONS, self.generation)
        os.makedirs(self.dir)
        self.files = {
            "cells": _CsvFile(self.path("cells.csv"), schema.CELL_FIELDS, bom),
            "reports": _CsvFile(self.path("reports.csv"), schema.REPORT_FIELDS, bom),
            "checks": _CsvFile(self.path("checks.csv"), schema.CHECK_FIELDS, bom),
            "log": _CsvFile(self.path("log.csv"), schema.LOG_FIELDS, bom),
        }
        for t, columns in (wide or schema.wide_layout()).items():
            self.files[f"wide/{t}"] = _CsvFile(self.path("wide", f"{t}.csv"), schema.META_FIELDS + list(columns), bom)

    def path(self, *parts: str) -> str:
        """Where a file of this output set goes (for files besides the CSVs): it is published
        with the rest."""
        return os.path.join(self.dir, *parts)

    def add(self, parsed) -> None:
        """One `report.ParsedReport`, rendered here."""
        self.add_packed(parsed.report, schema.render_parts(parsed.cells, parsed.checks, parsed.log))

    def add_report(self, report: dict) -> None:
        """A reports.csv row alone (a failed file, or a further path of a file listed before)."""
        self.files["reports"].write_lists([schema.row_values(report, schema.REPORTS)])

    def add_packed(self, report: dict, parts: dict) -> None:
        """One report: its reports.csv row, and the CSV text of its other rows as
        `schema.render_parts` made it (in a worker, so the run's final build only copies text;
        text or its UTF-8 bytes)."""
        self.add_report(report)
        for name in ("cells", "checks", "log"):
            self.files[name].write_text(parts[name])
        for t, values in parts["wide"].items():
            self.files[f"wide/{t}"].write_lists([schema.wide_row(report, values)])

    def close(self, run_info: dict) -> None:
        """Flush every file, run.json and their folders to disk, then publish the set as one unit."""
        with open(self.path("run.json"), "x", encoding="utf-8") as fh:
            json.dump(run_info, fh, ensure_ascii=False, indent=2)
            fds = [f.flush() for f in self.files.values()]
            fh.flush()
            fsync_all([*fds, fh.fileno()], [os.path.join(self.dir, "wide"), self.dir])
        for f in self.files.values():
            f.close_quietly()
        publish(self.out_dir, self.generation)

    def abort(self) -> None:
        for f in self.files.values():
            f.close_quietly()
        shutil.rmtree(self.dir, ignore_errors=True)


def _new_generation_name() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ") + f"-{os.getpid()}"


def _symlink_atomic(target: str, link: str) -> None:
    """Make `link` a symbolic link to `target`, replacing what was there in one rename."""
    tmp = os.path.join(os.path.dirname(link), f"{_TMP_PREFIX}{os.getpid()}-{os.path.basename(link)}")
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    os.symlink(target, tmp)
    if os.path.isdir(link) and not os.path.islink(link):  # a folder of the old layout (wide/)
        aside = os.path.join(os.path.dirname(link), f"{_TMP_PREFIX}old-{os.path.basename(link)}")
        shutil.rmtree(aside, ignore_errors=True)
        os.rename(link, aside)
        os.replace(tmp, link)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        os.replace(tmp, link)


def publish(out_dir: str, generation: str) -> None:
    """Point the output folder at a complete generation: one atomic switch of `.current`; the
    public names (cells.csv, wide, ...) are links through `.current`, made once."""
    _symlink_atomic(os.path.join(GENERATIONS, generation), os.path.join(out_dir, CURRENT))
    _fsync_dir(out_dir)
    for name in sorted(os.listdir(os.path.join(out_dir, GENERATIONS, generation))):
        link = os.path.join(out_dir, name)
        target = os.path.join(CURRENT, name)
        if not (os.path.islink(link) and os.readlink(link) == target):
            _symlink_atomic(target, link)
    _fsync_dir(out_dir)
    _remove_generations(out_dir, keep={generation})


def _generations(out_dir: str) -> list[str]:
    try:
        return os.listdir(os.path.join(out_dir, GENERATIONS))
    except FileNotFoundError:
        return []


def current_generation(out_dir: str) -> str:
    """The published generation's name, '' when none."""
    try:
        return os.path.basename(os.readlink(os.path.join(out_dir, CURRENT)))
    except OSError:
        return ""


def _remove_generations(out_dir: str, keep: set[str]) -> None:
    for g in _generations(out_dir):
        if g not in keep:
            shutil.rmtree(os.path.join(out_dir, GENERATIONS, g), ignore_errors=True)


def discard_unpublished(out_dir: str) -> None:
    """Remove what a run killed before publishing left behind: generations newer than the
    published one, temporary links, and the temporary files of older versions of the tool."""
    cur = current_generation(out_dir)
    for g in _generations(out_dir):
        if g > cur:
            shutil.rmtree(os.path.join(out_dir, GENERATIONS, g), ignore_errors=True)
    for d in (out_dir, os.path.join(out_dir, "wide")):
        if os.path.isdir(d) and not os.path.islink(d):
            for name in os.listdir(d):
                if name.startswith(_TMP_PREFIX) or name == ".commit.json":
                    p = os.path.join(d, name)
                    if os.path.isdir(p) and not os.path.islink(p):
                        shutil.rmtree(p, ignore_errors=True)
                    else:
                        try:
                            os.unlink(p)
                        except FileNotFoundError:
                            pass


def fsync_all(fds: list[int], folders: list[str]) -> None:
    """Flush the open files `fds` and the folders' entries to disk, all at once (one thread
    each): the file system commits concurrent flushes together, where one after the other each
    waits for its own disk write (about 2–8 ms each on this machine's ext4). Raises the first
    error of a file's flush; a folder that cannot be flushed is skipped, as `_fsync_dir` does."""
    import threading

    errors: list[OSError] = []

    def flush(fd: int) -> None:
        try:
            os.fsync(fd)
        except OSError as e:
            errors.append(e)

    threads = [threading.Thread(target=flush, args=(fd,)) for fd in fds]
    threads += [threading.Thread(target=_fsync_dir, args=(d,)) for d in folders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
