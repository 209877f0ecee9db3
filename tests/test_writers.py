"""pipeline.writers: the output set is flushed to disk as a whole before it is published, and a
failed flush publishes nothing."""
from __future__ import annotations

import os

import pytest

from pipeline import writers
from pipeline.writers import OutputWriter


def test_every_file_and_folder_is_flushed_before_publishing(tmp_path, monkeypatch):
    flushed, order = [], []
    real_fsync = os.fsync

    def fsync(fd):
        flushed.append(os.path.realpath(f"/proc/self/fd/{fd}"))
        real_fsync(fd)
    monkeypatch.setattr(os, "fsync", fsync)
    real_publish = writers.publish
    monkeypatch.setattr(writers, "publish", lambda *a: (order.append(list(flushed)), real_publish(*a)))
    w = OutputWriter(str(tmp_path))
    w.close({"files": 0})
    gen = os.path.realpath(w.dir)
    before = set(order[0])
    names = {os.path.relpath(p, gen) for p in before if p.startswith(gen)}
    assert {"cells.csv", "reports.csv", "checks.csv", "log.csv", "run.json", "wide", "."} <= names
    assert any(n.startswith("wide/") for n in names)
    assert (tmp_path / "cells.csv").read_text(encoding="utf-8-sig").startswith("report_id,")


def test_a_failed_flush_publishes_nothing(tmp_path, monkeypatch):
    real_fsync = os.fsync

    def fsync(fd):
        if os.path.realpath(f"/proc/self/fd/{fd}").endswith("checks.csv"):
            raise OSError(28, "No space left on device")
        real_fsync(fd)
    monkeypatch.setattr(os, "fsync", fsync)
    w = OutputWriter(str(tmp_path))
    with pytest.raises(OSError, match="No space"):
        w.close({"files": 0})
    assert not (tmp_path / writers.CURRENT).exists() and not (tmp_path / "cells.csv").exists()
