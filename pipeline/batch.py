"""Bulk runs: parallel, resumable, observable, and on a Dask cluster.

    run(paths, out_dir, workers=..., timeout=..., max_memory_mb=..., force=..., dask=...)

`run` orchestrates three stages over one durable state (`<out>/state/ogi-state.sqlite`):

1. plan: the inputs are walked once, in a stable order, and listed in the state (table
   `files`). The output folder itself is never read as input; folders that cannot be read and
   symbolic links to folders are listed with the reason they were not read.
2. dispatch: each file is looked at with `stat` only (what is not a regular file, e.g. a FIFO,
   a device, a symlink to /dev/zero, is listed `failed` with the reason and never opened);
   its SHA-256 comes from the hash cache (path, size, mtime) or from a worker (`hash` job, so a
   file that blocks costs only the time limit). A result is kept per content and reading
   options, and per file-name extension (a name never decides another name's result); one
   already in the state is reused (`force` re-parses), one in flight is awaited. The rest are
   parsed by killable worker processes (`pipeline.worker`), locally or as Dask tasks, with a
   time and a memory limit per file; each result is committed as soon as it arrives (SQLite
   in WAL mode: a run killed at any moment loses at most the files in flight). A one-file run
   forks a single worker instead of starting a pool of new interpreters.
3. build: the output files are rebuilt from the state, streaming, in input order, and
   published as one unit (`pipeline.writers`). Until then the output folder keeps the previous
   complete set.

Memory stays flat: paths, results and rows live in the state database, never in lists.
"""
from __future__ import annotations

import functools
import logging
import os
import sqlite3
import stat as stat_
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from collections.abc import Iterator

from . import __version__
from . import schema
from .schema import display_path, report_row
from .worker import Worker, failed_result, unpack_parts

STATE_DIR = "state"
STATE_DB = "ogi-state.sqlite"
STATE_SCHEMA = "2"  # bumped when the tables below change: an older state is rebuilt
LOG_FILE = "ogi.log"
SKIP_NAMES = {".DS_Store", "Thumbs.db"}

log = logging.getLogger("ogi")


class UsageError(Exception):
    """A bad argument (no such path, an invalid option): exit status 2."""


class OutputLocked(Exception):
    """Another run holds the output folder: exit status 3."""


# ------------------------------------------------------------------ inputs
_KIND = [(stat_.S_ISFIFO, "a named pipe (FIFO)"), (stat_.S_ISCHR, "a character device"),
         (stat_.S_ISBLK, "a block device"), (stat_.S_ISSOCK, "a socket"), (stat_.S_ISDIR, "a folder")]


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    return next((name for test, name in _KIND if test(mode)), "not a regular file")


def walk_inputs(paths: list[str], exclude: str | None = None) -> Iterator[tuple[str, str]]:
    """(path, reason not read) for every file under the given paths, recursively, in a stable
    order; hidden files skipped; a folder that cannot be read, or a symbolic link to a folder,
    comes with the reason it was not read; `exclude` (the output folder) is left out."""
    for p in paths:
        if not os.path.lexists(p):
            raise UsageError(f"no such file or folder: {display_path(p)}")
    excluded = os.path.realpath(exclude) if exclude else None

    def is_excluded(path: str) -> bool:
        if excluded is None:
            return False
        real = os.path.realpath(path)
        if real == excluded or real.startswith(excluded + os.sep):
            log.warning("%s: not read: it is inside the output folder", display_path(path))
            return True
        return False

    for p in paths:
        if not os.path.isdir(p):
            if not is_excluded(p):
                yield p, ""
            continue
        if is_excluded(p):
            continue
        errors: list[OSError] = []
        for root, dirs, files in os.walk(p, onerror=errors.append):
            while errors:
                e = errors.pop(0)
                yield e.filename, f"folder not read: {e.strerror or e}"
            keep = []
            for d in sorted(dirs):
                full = os.path.join(root, d)
                if d.startswith(".") or is_excluded(full):
                    continue
                if os.path.islink(full):
                    yield full, "folder not read: a symbolic link to a folder (not followed; give its target to read it)"
                    continue
                keep.append(d)
            dirs[:] = keep
            for f in sorted(files):
                if not f.startswith(".") and f not in SKIP_NAMES and not f.endswith(".expected.json"):
                    yield os.path.join(root, f), ""
        while errors:  # the top folder itself
            e = errors.pop(0)
            yield e.filename, f"folder not read: {e.strerror or e}"


def result_key(sha: str, path: str, fmt: str | None, template: str | None, ocr: str = "auto") -> str:
    """What a result depends on: the content, the reading options and the name's extension."""
    ext = os.path.splitext(path)[1].lower() if not fmt else ""
    return f"{sha}|{fmt or ''}|{template or ''}|{ext}" + ("" if ocr == "auto" else f"|ocr={ocr}")


# ------------------------------------------------------------------ state
@functools.lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """The tool version and a hash of the code and data that turn a file into rows."""
    from .datafiles import code_digest
    return f"{__version__}+{code_digest()[:16]}"


def _fs(path: str) -> bytes:
    return os.fsencode(path)


class State:
    """The run's durable state: hashes, this run's file list, and one result per result key.
    Paths are kept as the file system's bytes, so any file name round-trips."""

    def __init__(self, out_dir: str):
        d = os.path.join(out_dir, STATE_DIR)
        os.makedirs(d, exist_ok=True)
        self.path = os.path.join(d, STATE_DB)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None or row[0] != STATE_SCHEMA:
            self.db.executescript("DROP TABLE IF EXISTS results; DROP TABLE IF EXISTS hashes; "
                                  "DROP TABLE IF EXISTS files; DELETE FROM meta;")
            self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (STATE_SCHEMA,))
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS results (
                key TEXT PRIMARY KEY, sha TEXT, status TEXT, report TEXT, parts BLOB, run TEXT);
            CREATE TABLE IF NOT EXISTS hashes (
                path BLOB PRIMARY KEY, size INTEGER, mtime_ns INTEGER, sha TEXT);
            CREATE TABLE IF NOT EXISTS files (
                seq INTEGER PRIMARY KEY, path BLOB, sha TEXT, key TEXT, first INTEGER, error TEXT);
            CREATE INDEX IF NOT EXISTS files_sha ON files(sha);
        """)
        # results made by another version of the parser are stale: a new release or a fix
        # re-parses everything rather than mixing old and new readings in one dataset
        row = self.db.execute("SELECT value FROM meta WHERE key = 'parser'").fetchone()
        self.stale = row is not None and row[0] != parser_fingerprint()
        if row is None or self.stale:
            self.db.execute("DELETE FROM results")
            self.db.execute("DELETE FROM meta WHERE key IN ('wide', 'review')")
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('parser', ?)", (parser_fingerprint(),))
        self._in_tx = False
        self._last_commit = time.monotonic()
        # rows of `hashes` and `files` not written yet: written together (executemany) as the
        # transaction they belong to commits, so a file costs two statements, not four
        self._hashes: list[tuple] = []
        self._files: list[tuple] = []

    # transactions: grouped for speed, committed at least every 0.2 s and at the end
    def begin(self) -> None:
        if not self._in_tx:
            self.db.execute("BEGIN")
            self._in_tx = True

    def _write_pending(self) -> None:
        """Write the rows put_hash and set_file keep until their transaction commits."""
        if self._hashes:
            self.db.executemany("INSERT OR REPLACE INTO hashes VALUES (?, ?, ?, ?)", self._hashes)
            self._hashes = []
        if self._files:
            self.db.executemany("UPDATE files SET sha = ?, key = ?, error = ? WHERE seq = ?", self._files)
            self._files = []

    def commit(self, force: bool = False) -> None:
        if self._in_tx and (force or time.monotonic() - self._last_commit >= 0.2):
            self._write_pending()
            self.db.execute("COMMIT")
            self._in_tx = False
            self._last_commit = time.monotonic()

    def close(self) -> None:
        self.commit(force=True)
        self.db.close()

    # file list of this run
    def list_files(self, paths: list[str], exclude: str | None = None) -> int:
        self.db.execute("DELETE FROM files")
        self.begin()
        n = 0

        def rows():
            nonlocal n
            for n, (p, error) in enumerate(walk_inputs(paths, exclude), 1):
                yield n, _fs(p), error
        self.db.executemany("INSERT INTO files(seq, path, error) VALUES (?, ?, ?)", rows())
        self.commit(force=True)
        return n

    def iter_files(self, chunk: int = 2000) -> Iterator[tuple[int, str, str, tuple | None]]:
        """(seq, path, reason not read, cached hash) of this run's files, in input order; the
        cached hash is (size, mtime_ns, sha) as the hash cache holds it for the path (see
        `cached_hash`), read with the file list (no query a file)."""
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT f.seq, f.path, f.error, h.size, h.mtime_ns, h.sha FROM files f "
                "LEFT JOIN hashes h ON h.path = f.path WHERE f.seq > ? ORDER BY f.seq LIMIT ?",
                (last, chunk)).fetchall()
            if not rows:
                return
            for seq, p, error, size, mtime_ns, sha in rows:
                yield seq, os.fsdecode(p), error or "", None if sha is None else (size, mtime_ns, sha)
            last = rows[-1][0]

    @staticmethod
    def cached_hash(cached: tuple | None, st: os.stat_result) -> str | None:
        """The SHA-256 the hash cache holds (`iter_files`), when the file's size and mtime are
        still those it was hashed with."""
        if cached and cached[0] == st.st_size and cached[1] == st.st_mtime_ns:
            return cached[2]
        return None

    def put_hash(self, path: str, size: int, mtime_ns: int, sha: str) -> None:
        self.begin()
        self._hashes.append((_fs(path), size, mtime_ns, sha))

    def set_file(self, seq: int, sha: str | None, key: str | None, error: str = "") -> None:
        self.begin()
        self._files.append((sha, key, error, seq))

    def result_status(self, key: str, run_id: str, force: bool = False,
                      retry_failed: bool = False) -> tuple[str | None, bool]:
        """(recorded status of this result key, recorded by this run?); status None when it must
        be parsed (again)."""
        row = self.db.execute("SELECT status, run FROM results WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None, False
        this_run = row[1] == run_id
        if force and not this_run:
            return None, False
        if retry_failed and row[0] == "failed" and not this_run:
            return None, False
        return row[0], this_run

    def put_result(self, key: str, res: dict, run_id: str) -> None:
        import json
        rep = dict(res["report"])
        rep.pop("source_path", None)
        self.begin()
        self.db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?)",
                        (key, res["sha"], rep["status"], json.dumps(rep, ensure_ascii=False), res["blob"], run_id))
        self.commit()

    def wide_layout(self, from_worker: dict | None) -> dict | None:
        """The wide files' columns: as a worker of this run reported them (kept for later runs
        of the same parser), else as kept; None when neither (the writer then asks the registry)."""
        import json
        if from_worker:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('wide', ?)", (json.dumps(from_worker),))
            return from_worker
        row = self.db.execute("SELECT value FROM meta WHERE key = 'wide'").fetchone()
        return json.loads(row[0]) if row else None

    def review_layouts(self, from_worker: dict) -> dict:
        """The review site's template layouts: as a worker of this run reported them (kept for
        later runs of the same parser), else as kept; empty when neither."""
        import json
        if from_worker:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('review', ?)", (json.dumps(from_worker),))
            return from_worker
        row = self.db.execute("SELECT value FROM meta WHERE key = 'review'").fetchone()
        return json.loads(row[0]) if row else {}

    def written_for(self, sha: str) -> bool:
        """Whether some file of this run with this content has its rows written."""
        self._write_pending()
        return self.db.execute("SELECT 1 FROM files WHERE sha = ? AND first = 1 LIMIT 1", (sha,)).fetchone() is not None

    def mark_first(self) -> None:
        """Each content's rows are written once: for the first file (input order) whose result
        was read (not failed); every other file with that content gets its reports.csv row only."""
        self.begin()
        self._write_pending()
        self.db.execute("""
            UPDATE files SET first = coalesce(seq = (
                SELECT min(f2.seq) FROM files f2 JOIN results r ON r.key = f2.key
                WHERE f2.sha = files.sha AND r.status != 'failed'), 0)""")
        self.commit(force=True)

    def iter_outputs(self, chunk: int = 500) -> Iterator[tuple]:
        """(seq, path, sha, first, error, report_json, parts) for this run's files, in input order."""
        self._write_pending()
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT f.seq, f.path, f.sha, f.first, f.error, r.report, "
                "CASE WHEN f.first = 1 THEN r.parts END "
                "FROM files f LEFT JOIN results r ON r.key = f.key WHERE f.seq > ? ORDER BY f.seq LIMIT ?",
                (last, chunk)).fetchall()
            if not rows:
                return
            for r in rows:
                yield (r[0], os.fsdecode(r[1])) + tuple(r[2:])
            last = rows[-1][0]

    def era_a_reports(self) -> dict[int, dict]:
        """seq -> report row (parsed) of this run's era-A reports whose rows are written: what X1
        indexes (pipeline.era_a.series), read without their rows (no second pass over the parts)."""
        import json
        self._write_pending()
        return {seq: json.loads(rep) for seq, rep in self.db.execute(
            "SELECT f.seq, r.report FROM files f JOIN results r ON r.key = f.key "
            "WHERE f.first = 1 AND instr(r.report, '\"era_a\"') > 0 ORDER BY f.seq")}


# ------------------------------------------------------------------ backends
class PoolBackend:
    """Our own pool of long-lived, killable worker processes (see pipeline.worker)."""

    def __init__(self, workers: int, timeout: float, max_memory_mb: int | None, stderr=None,
                 max_jobs: int = 0, fork: bool = False):
        self.workers = [Worker(timeout, max_memory_mb, stderr, max_jobs, fork=fork) for _ in range(workers)]
        self.started = False  # workers start with the first job: a run with nothing to parse starts none
        self.capacity = 2 * workers  # a job waits for each worker, so none idles while the next file is hashed
        self.queue: list[dict] = []
        self.inflight = 0
        self.restarts = 0

    def submit(self, job: dict) -> None:
        if not self.started:
            self.started = True
            for w in self.workers:
                w.start()
        self.queue.append(job)
        self.inflight += 1
        self._dispatch()

    def _dispatch(self) -> None:
        for w in self.workers:
            if not self.queue:
                return
            if w.idle:
                w.submit(self.queue.pop(0))

    def poll(self, timeout: float) -> list[dict]:
        import select
        now = time.monotonic()
        wait = min([timeout] + [max(0.0, w.deadline() - now) for w in self.workers])
        r, _, _ = select.select([w for w in self.workers if w.proc is not None], [], [], wait)
        out = []
        for w in r:
            res = w.collect()
            if res is not None:
                if res.get("error", "").startswith("worker crashed"):
                    self.restarts += 1
                out.append(res)
        now = time.monotonic()
        for w in self.workers:
            res = w.check(now)
            if res is not None:
                self.restarts += 1
                out.append(res)
        self.inflight -= len(out)
        self._dispatch()
        return out

    @property
    def wide_layout(self):
        """The wide files' columns as a worker reported them (None when no worker started)."""
        return next((w.wide for w in self.workers if w.wide), None)

    def release(self) -> None:
        """Tell the idle workers to end (they save what they keep while the outputs are built);
        `close()` reaps them."""
        for w in self.workers:
            w.finish()

    def close(self) -> None:
        for w in self.workers:
            w.stop()


_local = threading.local()


def dask_task(job: dict, timeout: float, max_memory_mb: int | None, max_jobs: int = 0) -> dict:
    """Runs on a Dask worker: the same killable child process as the local pool, one per thread."""
    w = getattr(_local, "worker", None)
    if w is None or (w.timeout, w.max_memory_mb, w.max_jobs) != (timeout, max_memory_mb, max_jobs):
        if w is not None:
            w.stop()
        w = _local.worker = Worker(timeout, max_memory_mb, max_jobs=max_jobs)
    return w.run(job)


class DaskBackend:
    """Tasks on a Dask cluster: an existing scheduler (`tcp://host:8786`) or a LocalCluster."""

    def __init__(self, address: str, workers: int, timeout: float, max_memory_mb: int | None,
                 max_jobs: int = 0):
        from dask.distributed import Client, LocalCluster
        self.cluster = None
        if address == "local":
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)
        else:
            self.client = Client(address)
        nthreads = sum(self.client.nthreads().values()) or workers
        self.capacity = 2 * nthreads  # keep every worker thread fed
        self.timeout, self.max_memory_mb, self.max_jobs = timeout, max_memory_mb, max_jobs
        self.futures: dict = {}  # future -> job
        self.restarts = 0

    @property
    def inflight(self) -> int:
        return len(self.futures)

    def submit(self, job: dict) -> None:
        f = self.client.submit(dask_task, job, self.timeout, self.max_memory_mb, self.max_jobs, pure=False)
        self.futures[f] = job

    def poll(self, timeout: float) -> list[dict]:
        from dask.distributed import wait
        if not self.futures:
            time.sleep(timeout)
            return []
        try:
            wait(list(self.futures), timeout=timeout, return_when="FIRST_COMPLETED")
        except Exception:  # dask raises TimeoutError when nothing finished in time
            pass
        out = []
        for f in [f for f in self.futures if f.done()]:
            job = self.futures.pop(f)
            try:
                out.append(f.result())
            except Exception as e:  # the Dask worker itself was lost (KilledWorker): costs only this file
                out.append(failed_result(job, " ".join(f"worker lost: {type(e).__name__}: {e}".split())[:300]))
        return out

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


# ------------------------------------------------------------------ run
@functools.lru_cache(maxsize=None)
def _kind_reason(kind: str) -> str:
    return f"not a regular file: {kind}; skipped"


class _Dispatch:
    """Stage 2 of a run: every listed file hashed and, unless its result is known, parsed."""

    def __init__(self, state: State, backend, bar, run_id: str, opts: dict):
        self.state, self.backend, self.bar, self.run_id, self.opts = state, backend, bar, run_id, opts
        self.waiting: Counter = Counter()  # result key in flight -> further files waiting for it
        self.layouts: dict = {}  # the review's template layouts, as a worker reported them
        self.parsed = self.reused = self.duplicates = 0

    def run(self) -> None:
        state, backend = self.state, self.backend
        for seq, path, error, cached in state.iter_files():
            if error:
                self._fail(seq, path, error)
                continue
            try:
                st = os.stat(path)
            except OSError as e:
                self._fail(seq, path, "cannot read file: " + (
                    "a broken symbolic link" if os.path.islink(path) else (e.strerror or str(e))))
                continue
            if not stat_.S_ISREG(st.st_mode):
                self._fail(seq, path, _kind_reason(file_kind(st.st_mode)))
                continue
            sha = state.cached_hash(cached, st)
            if sha is None:
                self._submit({"op": "hash", "path": path, "seq": seq})
            else:
                self._hashed(seq, path, sha)
            state.commit()
        if backend.inflight:
            _preload_build(self.opts.get("review", False))
        while backend.inflight:
            self._handle(backend.poll(0.5))
        state.commit(force=True)

    def _fail(self, seq: int, path: str, error: str) -> None:
        self.state.set_file(seq, None, None, error)
        log.warning("%s: %s", display_path(path), error)
        self.bar.advance("failed")

    def _submit(self, job: dict) -> None:
        while self.backend.inflight >= self.backend.capacity:
            self._handle(self.backend.poll(0.5))
        self.backend.submit(job)

    def _hashed(self, seq: int, path: str, sha: str) -> None:
        """A file's content is known: reuse, await or parse its result."""
        o = self.opts
        key = result_key(sha, path, o["fmt"], o["template"], o.get("ocr", "auto"))
        self.state.set_file(seq, sha, key)
        if key in self.waiting:
            self.waiting[key] += 1
            self.duplicates += 1
            return
        st, this_run = self.state.result_status(key, self.run_id, o["force"], o["retry_failed"])
        if st is not None:
            if this_run:
                self.duplicates += 1
            else:
                self.reused += 1
            self.bar.advance(st)
            return
        self.waiting[key] = 0
        self._submit({"op": "parse", "path": path, "seq": seq, "sha": sha, "key": key, "fmt": o["fmt"],
                      "template": o["template"], "ocr": o.get("ocr", "auto"), "review": o.get("review", False)})

    def _handle(self, results: list[dict]) -> None:
        for res in results:
            job = res["job"]
            if res["op"] == "hash":
                if "error" in res:
                    self._fail(job["seq"], job["path"], res["error"])
                else:
                    self.state.put_hash(job["path"], res["size"], res["mtime_ns"], res["sha"])
                    self._hashed(job["seq"], job["path"], res["sha"])
                continue
            self.state.put_result(job["key"], res, self.run_id)
            self.layouts = res.get("layouts") or self.layouts
            self.parsed += 1
            rep = res["report"]
            if rep["status"] == "failed":
                log.warning("%s: failed: %s", rep["source_path"], rep["error"])
            self.bar.advance(rep["status"], 1 + self.waiting.pop(job["key"], 0))


def _preload_build(review: bool) -> None:
    """Import what stage 3 needs while the workers parse the last files: a one-file run waits
    for its worker's import and parse anyway, so the build's imports cost it no time then."""
    from . import writers  # noqa: F401
    if review:
        from .review import site  # noqa: F401


def _build_outputs(state: State, out_dir: str, bom: bool, run_info: dict, wide: dict | None,
                   site=None) -> dict:
    """Stage 3 of a run: the output files from the state, in input order, published as one set;
    `site` (a pipeline.review.site.RunSite) is handed every row too, and put in place after."""
    import json

    from .writers import OutputWriter
    state.mark_first()
    writer = OutputWriter(out_dir, bom=bom, wide=wide)
    status: Counter = Counter()
    failed_checks = files = 0
    # era A: X1 looks at the previous and next year's report of the same agency in this run (its
    # code is imported only when the run holds an era-A report: the parent imports no parser)
    # (each of their rows is parsed once: the build takes it from here)
    era_a = state.era_a_reports()
    series = None
    if era_a:
        from .era_a import series as era_a_series
        series = era_a_series.collect(era_a.values())
    fields = {"cells": schema.CELL_FIELDS, "checks": schema.CHECK_FIELDS, "log": schema.LOG_FIELDS,
              "wide_stats": list((wide or schema.wide_layout()).get("stats", ()))}
    try:
        for seq, path, sha, first, error, report_json, parts in state.iter_outputs():
            files += 1
            if sha is None:
                rep = report_row("", path, run_info["options"]["format"] or "", error=error)
                writer.add_report(rep)
                status["failed"] += 1
                if site is not None:
                    site.add(schema.read_row(rep, schema.REPORTS))
                continue
            if report_json is None:
                raise RuntimeError(f"no result recorded for {display_path(path)}")
            rep = (era_a.pop(seq, None) if first and era_a else None) or json.loads(report_json)
            rep["source_path"] = display_path(path)
            status[rep["status"]] += 1
            if first:
                failed_checks += int(rep.get("checks_failed") or 0)
                unpacked = unpack_parts(parts)
                amended = False
                if series is not None and rep.get("era_a") and era_a_series.neighbours(rep, series):
                    unpacked.update((k, unpacked[k].decode()) for k in ("cells", "checks", "log"))
                    before = [unpacked[k] for k in ("cells", "checks", "log")]
                    era_a_series.amend(rep, unpacked, series, fields)
                    amended = before != [unpacked[k] for k in ("cells", "checks", "log")]
                writer.add_packed(rep, unpacked)
                if site is not None:
                    site.add(schema.read_row(rep, schema.REPORTS), unpacked, amended)
            else:
                writer.add_report(rep)
                if site is not None:
                    site.add(schema.read_row(rep, schema.REPORTS), rows_later=state.written_for(sha))
        run_info.update(finished=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                        seconds=round(time.perf_counter() - run_info.pop("_t0"), 3), files=files,
                        status=dict(status), checks_failed=failed_checks)
        # the state's last flush to disk (its close) runs beside the output files' own
        closing = threading.Thread(target=state.close)
        closing.start()
        try:
            writer.close(run_info)
        finally:
            closing.join()
    except BaseException:
        writer.abort()
        if site is not None:
            site.abort()
        raise
    return run_info


def check_options(workers: int | None, timeout: float, max_memory_mb: int | None,
                  max_files_per_worker: int) -> None:
    """Raise UsageError for an option no run could honour."""
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise UsageError(f"--workers must be a whole number of at least 1, not {workers}")
    if timeout is None or not timeout >= 0 or timeout == float("inf"):
        raise UsageError(f"--timeout must be a number of seconds ≥ 0 (0: no limit), not {timeout}")
    if max_memory_mb is not None and (max_memory_mb < 0 or 0 < max_memory_mb < 64):
        raise UsageError(f"--max-memory must be 0 (no limit) or at least 64 MB, not {max_memory_mb}")
    if max_files_per_worker is None or max_files_per_worker < 0:
        raise UsageError(f"--max-files-per-worker must be ≥ 0 (0: never replace), not {max_files_per_worker}")


def _backend(total: int, out_dir: str, workers: int, timeout: float, max_memory_mb: int | None,
             dask: str | None, max_files_per_worker: int):
    if dask:
        return DaskBackend(dask, workers, timeout, max_memory_mb, max_files_per_worker)
    errlog = open(os.path.join(out_dir, STATE_DIR, "worker-stderr.log"), "ab")
    # workers are forks of this process (no new interpreter to start; each imports the parser
    # once); a one-file run forks a single worker
    return PoolBackend(max(1, min(workers, total)), timeout, max_memory_mb, stderr=errlog,
                       max_jobs=max_files_per_worker, fork=True)


def run(paths: list[str], out_dir: str, *, workers: int | None = None, timeout: float = 120.0,
        max_memory_mb: int | None = 2048, fmt: str | None = None, template: str | None = None,
        ocr: str = "auto", bom: bool = True, force: bool = False, retry_failed: bool = False, dask: str | None = None,
        quiet: bool = False, progress: bool = True, max_files_per_worker: int = 2000,
        review: bool = False, review_all: bool = False) -> dict:
    """Parse every file under `paths` into `out_dir` (plan, dispatch, build); returns the run
    summary (run.json; with `review`, the review site is written too, see pipeline.review, and its
    figures are under the summary's key `review`). Raises UsageError for bad arguments,
    OutputLocked when another run holds `out_dir`."""
    check_options(workers, timeout, max_memory_mb, max_files_per_worker)
    workers = workers or os.cpu_count() or 1
    for p in paths:
        if not os.path.lexists(p):
            raise UsageError(f"no such file or folder: {display_path(p)}")
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise UsageError(f"the output folder {display_path(out_dir)} is a file")
    os.makedirs(out_dir, exist_ok=True)
    lock = _lock(out_dir)
    from .writers import discard_unpublished
    discard_unpublished(out_dir)
    handler = _file_log(out_dir)
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    run_id = started.strftime("%Y%m%dT%H%M%S.%f") + f"-{os.getpid()}"
    state = State(out_dir)
    if state.stale:
        log.warning("the parser changed since the results in %s were made: every file is parsed again", out_dir)
    backend = bar = None
    try:
        total = state.list_files(paths, exclude=out_dir)  # 1. plan
        log.info("run %s: %d files, workers=%s, dask=%s, timeout=%s, max_memory=%s MB, force=%s",
                 run_id, total, workers, dask, timeout, max_memory_mb, force)
        backend = _backend(total, out_dir, workers, timeout, max_memory_mb, dask, max_files_per_worker)
        from .progress import Progress
        bar = Progress(total, enabled=progress and not quiet and total > 1)
        bar.start()
        opts = {"fmt": fmt, "template": template, "ocr": ocr, "force": force, "retry_failed": retry_failed,
                "review": review}
        stage = _Dispatch(state, backend, bar, run_id, opts)  # 2. dispatch
        stage.run()
        wide = state.wide_layout(getattr(backend, "wide_layout", None))
        if isinstance(backend, PoolBackend):
            backend.release()   # the workers end while the outputs are built; reaped at the end
        else:
            backend.close()
            backend = None
        bar.stop()
        bar = None
        site = None
        if review:
            from .review.site import RunSite
            site = RunSite(out_dir, review_all, state.review_layouts(stage.layouts))
        summary = _build_outputs(state, out_dir, bom, {  # 3. build
            "tool": "ogi-reports", "version": __version__, "command": "parse",
            "options": {"paths": [display_path(p) for p in paths], "out": display_path(out_dir), "format": fmt,
                        "template": template, "ocr": ocr, "bom": bom, "workers": workers, "timeout": timeout,
                        "max_memory_mb": max_memory_mb, "force": force, "retry_failed": retry_failed,
                        "dask": dask, "max_files_per_worker": max_files_per_worker},
            "started": started.isoformat(timespec="seconds"), "_t0": t0, "parsed": stage.parsed,
            "reused": stage.reused, "duplicates": stage.duplicates}, wide, site)
        if site is not None:
            summary = dict(summary, review=site.close())
        log.info("run %s finished: %s", run_id, summary["status"])
        return summary
    except BaseException:
        log.warning("run %s interrupted; the state keeps every finished file, run again to complete", run_id)
        raise
    finally:
        if bar is not None:
            bar.stop()
        if backend is not None:
            backend.close()
        state.close()
        lock.close()
        logging.getLogger("ogi").removeHandler(handler)
        handler.close()


def _lock(out_dir: str):
    """An exclusive lock on the output folder for the length of the run (released by the OS
    when the process dies)."""
    import fcntl
    os.makedirs(os.path.join(out_dir, STATE_DIR), exist_ok=True)
    f = open(os.path.join(out_dir, STATE_DIR, "lock"), "w")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        raise OutputLocked(f"another run is using the output folder {display_path(out_dir)}")
    return f


def _file_log(out_dir: str) -> logging.Handler:
    h = logging.FileHandler(os.path.join(out_dir, LOG_FILE), encoding="utf-8", errors="backslashreplace")
    h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    lg = logging.getLogger("ogi")
    lg.setLevel(logging.INFO)
    lg.propagate = False
    lg.addHandler(h)
    return h
