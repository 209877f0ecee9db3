"""Bulk runs: parallel, resumable, observable, and on a Dask cluster.

    run(paths, out_dir, workers=..., timeout=..., max_memory_mb=..., force=..., dask=...)

How a run goes:

1. The inputs are walked once and listed in the state database (`<out>/state/ogi-state.sqlite`,
   table `files`), in the stable order of `walk_inputs`.
2. Each file is hashed (SHA-256; cached by path, size and mtime so a resumed run does not
   re-read unchanged files). A file whose hash already has a result in the state is skipped
   (`force` re-parses); a hash seen earlier in the same run is parsed once and listed again.
3. The rest are parsed by killable worker processes (`pipeline.worker`), locally or as Dask
   tasks, with a time and a memory limit per file; each result is committed to the state as
   soon as it arrives (SQLite in WAL mode: a run killed at any moment loses at most the files
   in flight).
4. At the end the output CSVs of shared/reference/output-contract.md are rebuilt from the
   state, streaming, in input order, and published as one unit (`writers.OutputWriter.close`).
   Until then the output folder keeps the previous complete version.

Memory stays flat: paths, results and rows live in the state database, never in lists.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import os
import sqlite3
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from typing import Iterator, Optional

from . import __version__
from .report import ParsedReport, sha256_file
from .worker import Worker, failed_result, unpack_parts
from .writers import OutputWriter, recover

STATE_DIR = "state"
STATE_DB = "ogi-state.sqlite"
LOG_FILE = "ogi.log"
SKIP_NAMES = {".DS_Store", "Thumbs.db"}

log = logging.getLogger("ogi")


# ------------------------------------------------------------------ inputs
def walk_inputs(paths: list[str]) -> Iterator[str]:
    """Files under the given paths, recursively, in a stable order; hidden files skipped."""
    for p in paths:
        if not os.path.exists(p):
            raise SystemExit(f"ogi: no such file or folder: {p}")
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if not f.startswith(".") and f not in SKIP_NAMES and not f.endswith(".expected.json"):
                        yield os.path.join(root, f)
        else:
            yield p


# ------------------------------------------------------------------ state
@functools.lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """The tool version and a hash of the code and data that turn a file into rows."""
    h = hashlib.sha256(__version__.encode())
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for pkg in ("parsers", "pipeline"):
        base = os.path.join(root, pkg)
        for dirpath, dirs, files in sorted(os.walk(base)):
            dirs.sort()
            for f in sorted(files):
                if f.endswith((".py", ".toml", ".json")):
                    with open(os.path.join(dirpath, f), "rb") as fh:
                        h.update(f.encode() + fh.read())
    return f"{__version__}+{h.hexdigest()[:16]}"



class State:
    """The run's durable state: hashes, this run's file list, and one result per SHA-256."""

    def __init__(self, out_dir: str):
        d = os.path.join(out_dir, STATE_DIR)
        os.makedirs(d, exist_ok=True)
        self.path = os.path.join(d, STATE_DB)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS results (
                sha TEXT PRIMARY KEY, status TEXT, report TEXT, parts BLOB, run TEXT);
            CREATE TABLE IF NOT EXISTS hashes (
                path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, sha TEXT);
            CREATE TABLE IF NOT EXISTS files (
                seq INTEGER PRIMARY KEY, path TEXT, sha TEXT, first INTEGER, error TEXT);
            CREATE INDEX IF NOT EXISTS files_sha ON files(sha);
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
        """)
        # results made by another version of the parser are stale: a new release or a fix
        # re-parses everything rather than mixing old and new readings in one dataset
        row = self.db.execute("SELECT value FROM meta WHERE key = 'parser'").fetchone()
        self.stale = row is not None and row[0] != parser_fingerprint()
        if row is None or self.stale:
            self.db.execute("DELETE FROM results")
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('parser', ?)", (parser_fingerprint(),))
        self._in_tx = False
        self._last_commit = time.monotonic()

    # transactions: grouped for speed, committed at least every 0.2 s and at the end
    def begin(self) -> None:
        if not self._in_tx:
            self.db.execute("BEGIN")
            self._in_tx = True

    def commit(self, force: bool = False) -> None:
        if self._in_tx and (force or time.monotonic() - self._last_commit >= 0.2):
            self.db.execute("COMMIT")
            self._in_tx = False
            self._last_commit = time.monotonic()

    def close(self) -> None:
        self.commit(force=True)
        self.db.close()

    # file list of this run
    def list_files(self, paths: list[str]) -> int:
        self.db.execute("DELETE FROM files")
        self.begin()
        n = 0
        for n, p in enumerate(walk_inputs(paths), 1):
            self.db.execute("INSERT INTO files(seq, path) VALUES (?, ?)", (n, p))
        self.commit(force=True)
        return n

    def iter_files(self, chunk: int = 2000) -> Iterator[tuple[int, str]]:
        last = 0
        while True:
            rows = self.db.execute("SELECT seq, path FROM files WHERE seq > ? ORDER BY seq LIMIT ?",
                                   (last, chunk)).fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    def hash_file(self, path: str) -> str:
        st = os.stat(path)
        row = self.db.execute("SELECT size, mtime_ns, sha FROM hashes WHERE path = ?", (path,)).fetchone()
        if row and row[0] == st.st_size and row[1] == st.st_mtime_ns:
            return row[2]
        sha = sha256_file(path)
        self.begin()
        self.db.execute("INSERT OR REPLACE INTO hashes VALUES (?, ?, ?, ?)", (path, st.st_size, st.st_mtime_ns, sha))
        return sha

    def set_file(self, seq: int, sha: Optional[str], error: str = "") -> None:
        first = 0
        if sha:
            first = 0 if self.db.execute("SELECT 1 FROM files WHERE sha = ? LIMIT 1", (sha,)).fetchone() else 1
        self.begin()
        self.db.execute("UPDATE files SET sha = ?, first = ?, error = ? WHERE seq = ?", (sha, first, error, seq))

    def result_status(self, sha: str, run_id: str, force: bool = False,
                      retry_failed: bool = False) -> tuple[Optional[str], bool]:
        """(recorded status of this hash, recorded by this run?); status None when it must be
        parsed (again)."""
        row = self.db.execute("SELECT status, run FROM results WHERE sha = ?", (sha,)).fetchone()
        if row is None:
            return None, False
        this_run = row[1] == run_id
        if force and not this_run:
            return None, False
        if retry_failed and row[0] == "failed" and not this_run:
            return None, False
        return row[0], this_run

    def put_result(self, res: dict, run_id: str) -> None:
        import json
        rep = dict(res["report"])
        rep.pop("source_path", None)
        self.begin()
        self.db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)",
                        (res["sha"], rep["status"], json.dumps(rep, ensure_ascii=False), res["blob"], run_id))
        self.commit()

    def iter_outputs(self, chunk: int = 500) -> Iterator[tuple]:
        """(path, sha, first, error, report_json, parts) for this run's files, in input order."""
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT f.seq, f.path, f.sha, f.first, f.error, r.report, "
                "CASE WHEN f.first = 1 THEN r.parts END "
                "FROM files f LEFT JOIN results r ON r.sha = f.sha WHERE f.seq > ? ORDER BY f.seq LIMIT ?",
                (last, chunk)).fetchall()
            if not rows:
                return
            for r in rows:
                yield r[1:]
            last = rows[-1][0]


# ------------------------------------------------------------------ backends
class PoolBackend:
    """Our own pool of long-lived, killable worker processes (see pipeline.worker)."""

    def __init__(self, workers: int, timeout: float, max_memory_mb: Optional[int], stderr=None,
                 max_jobs: int = 0):
        self.workers = [Worker(timeout, max_memory_mb, stderr, max_jobs) for _ in range(workers)]
        for w in self.workers:
            w.start()
        self.capacity = 2 * workers  # a job waits for each worker, so none idles while the next file is hashed
        self.queue: list[dict] = []
        self.inflight = 0
        self.restarts = 0

    def submit(self, job: dict) -> None:
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
                if res["report"]["error"].startswith("worker crashed"):
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

    def close(self) -> None:
        for w in self.workers:
            w.stop()


_local = threading.local()


def dask_task(job: dict, timeout: float, max_memory_mb: Optional[int], max_jobs: int = 0) -> dict:
    """Runs on a Dask worker: the same killable child process as the local pool, one per thread."""
    w = getattr(_local, "worker", None)
    if w is None or (w.timeout, w.max_memory_mb, w.max_jobs) != (timeout, max_memory_mb, max_jobs):
        if w is not None:
            w.stop()
        w = _local.worker = Worker(timeout, max_memory_mb, max_jobs=max_jobs)
    return w.run(job)


class DaskBackend:
    """Tasks on a Dask cluster: an existing scheduler (`tcp://host:8786`) or a LocalCluster."""

    def __init__(self, address: str, workers: int, timeout: float, max_memory_mb: Optional[int],
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
def run(paths: list[str], out_dir: str, *, workers: Optional[int] = None, timeout: float = 120.0,
        max_memory_mb: Optional[int] = 2048, fmt: Optional[str] = None, template: Optional[str] = None,
        bom: bool = True, force: bool = False, retry_failed: bool = False, dask: Optional[str] = None,
        quiet: bool = False, progress: bool = True, max_files_per_worker: int = 500) -> dict:
    """Parse every file under `paths` into `out_dir`; returns the run summary (run.json)."""
    workers = workers or os.cpu_count() or 1
    for p in paths:
        if not os.path.exists(p):
            raise SystemExit(f"ogi: no such file or folder: {p}")
    os.makedirs(out_dir, exist_ok=True)
    lock = _lock(out_dir)
    recover(out_dir)
    handler = _file_log(out_dir)
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    run_id = started.strftime("%Y%m%dT%H%M%S.%f") + f"-{os.getpid()}"
    state = State(out_dir)
    if state.stale:
        log.warning("the parser changed since the results in %s were made: every file is parsed again", out_dir)
    backend = None
    bar = None
    try:
        total = state.list_files(paths)
        log.info("run %s: %d files, workers=%s, dask=%s, timeout=%s, max_memory=%s MB, force=%s",
                 run_id, total, workers, dask, timeout, max_memory_mb, force)
        from .progress import Progress
        bar = Progress(total, enabled=progress and not quiet)
        bar.start()
        if dask:
            backend = DaskBackend(dask, workers, timeout, max_memory_mb, max_files_per_worker)
        else:
            errlog = open(os.path.join(out_dir, STATE_DIR, "worker-stderr.log"), "ab")
            backend = PoolBackend(workers, timeout, max_memory_mb, stderr=errlog, max_jobs=max_files_per_worker)
        waiting: Counter = Counter()  # sha in flight -> further paths waiting for it
        parsed = reused = duplicates = 0

        def handle(results: list[dict]) -> None:
            nonlocal parsed, duplicates
            for res in results:
                state.put_result(res, run_id)
                parsed += 1
                st = res["report"]["status"]
                if st == "failed":
                    log.warning("%s: failed: %s", res["report"]["source_path"], res["report"]["error"])
                bar.advance(st, 1 + waiting.pop(res["sha"], 0))

        for seq, path in state.iter_files():
            try:
                sha = state.hash_file(path)
            except OSError as e:
                state.set_file(seq, None, f"cannot read file: {e.strerror or e}")
                log.warning("%s: cannot read file: %s", path, e)
                bar.advance("failed")
                continue
            state.set_file(seq, sha)
            if sha in waiting:
                waiting[sha] += 1
                duplicates += 1
                continue
            st, this_run = state.result_status(sha, run_id, force, retry_failed)
            if st is not None:
                if this_run:
                    duplicates += 1
                else:
                    reused += 1
                bar.advance(st)
                continue
            waiting[sha] = 0
            while backend.inflight >= backend.capacity:
                handle(backend.poll(0.5))
            backend.submit({"path": path, "sha": sha, "fmt": fmt, "template": template})
            state.commit()
        while backend.inflight:
            handle(backend.poll(0.5))
        state.commit(force=True)
        backend.close()
        backend = None
        bar.stop()
        bar = None

        summary = _build_outputs(state, out_dir, bom, {
            "tool": "ogi-reports", "version": __version__, "command": "parse",
            "options": {"paths": paths, "out": out_dir, "format": fmt, "template": template, "bom": bom,
                        "workers": workers, "timeout": timeout, "max_memory_mb": max_memory_mb,
                        "force": force, "retry_failed": retry_failed, "dask": dask,
                        "max_files_per_worker": max_files_per_worker},
            "started": started.isoformat(timespec="seconds")}, t0, parsed, reused, duplicates)
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


def _build_outputs(state: State, out_dir: str, bom: bool, run_info: dict, t0: float,
                   parsed: int, reused: int, duplicates: int) -> dict:
    import json
    from .era_a import series as era_a_series
    writer = OutputWriter(out_dir, bom=bom)
    status: Counter = Counter()
    failed_checks = files = 0
    # era A: X1 looks at the previous and next year's report of the same agency in this run
    series = era_a_series.collect(json.loads(r[4]) for r in state.iter_outputs() if r[2] and r[4])
    try:
        for path, sha, first, error, report_json, parts in state.iter_outputs():
            files += 1
            if sha is None:
                rep = failed_result({"sha": "", "path": path, "fmt": run_info["options"]["format"]}, error)["report"]
                writer.add(ParsedReport(report=rep))
                status["failed"] += 1
                continue
            if report_json is None:
                raise RuntimeError(f"no result recorded for {path}")
            rep = json.loads(report_json)
            rep["source_path"] = path
            status[rep["status"]] += 1
            if first:
                failed_checks += int(rep.get("checks_failed") or 0)
                unpacked = unpack_parts(parts)
                era_a_series.amend(rep, unpacked, series, writer.fields())
                writer.add_packed(rep, unpacked)
            else:
                writer.add(ParsedReport(report=rep))
        run_info.update(finished=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                        seconds=round(time.perf_counter() - t0, 3), files=files, status=dict(status),
                        checks_failed=failed_checks, parsed=parsed, reused=reused,
                        duplicates=duplicates)
        writer.close(run_info)
    except BaseException:
        writer.abort()
        raise
    return run_info


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
        raise SystemExit(f"ogi: another run is using the output folder {out_dir}")
    return f


def _file_log(out_dir: str) -> logging.Handler:
    h = logging.FileHandler(os.path.join(out_dir, LOG_FILE), encoding="utf-8")
    h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    lg = logging.getLogger("ogi")
    lg.setLevel(logging.INFO)
    lg.propagate = False
    lg.addHandler(h)
    return h
