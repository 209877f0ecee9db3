"""A killable parse worker: one child process, fed one file at a time through a pipe.

`Worker` owns a child Python process (started with `subprocess`, so it works from inside a
Dask worker too, whose daemonic processes may not fork multiprocessing children). The parent
sends a job, the child parses the file with `pipeline.report.parse_file` and sends back the
report row and its cells, checks and log lines (zlib-compressed JSON). The parent enforces the
time limit and the memory limit and notices a crash; in each case the child is killed or
reaped, the file is recorded `failed` with the reason, and a fresh child is started for the
next file. A crash thus costs only its file. A child is also replaced after `max_jobs` files, so
that memory the parser keeps between files (caches) cannot grow with the size of the run.

Test-only faults (active only when the environment variable OGI_TEST_FAULTS=1 is set in the
worker): a file whose name contains `__hang__` sleeps forever, `__crash__` exits the child
with os._exit(139), `__hog__` allocates memory until stopped, `__slow__` sleeps 0.5 s and is
then parsed as usual.
"""
from __future__ import annotations

import json
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import time
import zlib
from typing import Optional

_HDR = struct.Struct("!I")


# ------------------------------------------------------------------ framing
def _send(f, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    f.write(_HDR.pack(len(data)) + data)
    f.flush()


def _read_exact(f, n: int) -> Optional[bytes]:
    buf = b""
    while len(buf) < n:
        chunk = f.read(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def _recv(f):
    hdr = _read_exact(f, _HDR.size)
    if hdr is None:
        return None
    data = _read_exact(f, _HDR.unpack(hdr)[0])
    if data is None:
        return None
    return pickle.loads(data)


# ------------------------------------------------------------------ results
def pack_parts(cells: list, checks: list, log: list) -> bytes:
    """A report's rows rendered as CSV text (writers.render_parts), JSON, compressed: the
    worker does the formatting so the run's final build only copies text."""
    from .writers import render_parts
    return zlib.compress(json.dumps(render_parts(cells, checks, log), ensure_ascii=False,
                                    separators=(",", ":")).encode(), 1)


def unpack_parts(blob: bytes) -> dict:
    return json.loads(zlib.decompress(blob))


def failed_result(job: dict, error: str, seconds: float = 0.0) -> dict:
    """The result of a file that could not be parsed for a reason outside the parser."""
    sha = job["sha"]
    fmt = job.get("fmt") or ""
    if not fmt:
        try:
            import parsers
            fmt = parsers.detect_format(job["path"])
        except Exception:
            fmt = ""
    row = {"report_id": sha[:16], "source_path": job["path"], "sha256": sha, "format": fmt, "pages": "",
           "agency": "", "year": "", "template": "", "status": "failed", "tables_found": "", "cells": 0,
           "checks_failed": 0, "error": error, "seconds": f"{seconds:.3f}", "ambiguous_cells": 0,
           "warnings": ""}
    return {"sha": sha, "report": row, "blob": pack_parts([], [], [])}


# ------------------------------------------------------------------ child side
def _faults(path: str) -> None:
    if os.environ.get("OGI_TEST_FAULTS") != "1":
        return
    name = os.path.basename(path)
    if "__crash__" in name:
        os._exit(139)
    if "__hang__" in name:
        while True:
            time.sleep(0.2)
            if os.getppid() == 1:  # orphaned: the parent was killed
                os._exit(1)
    if "__slow__" in name:
        time.sleep(0.5)
    if "__hog__" in name:
        hog = []
        while True:
            hog.append(b"x" * (32 << 20))
            time.sleep(0.01)


def _set_pdeathsig() -> None:
    """Ask Linux to kill this child when its parent dies (kill -9 of the run)."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def child_main() -> None:
    cfg = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints from libraries go to stderr, never into the protocol
    inp = sys.stdin.buffer
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
    _set_pdeathsig()
    from .report import parse_file
    max_mb = cfg.get("max_memory_mb")
    if max_mb:
        # backstop for allocations faster than the parent's watchdog: address space of the
        # process now (imports done) plus the limit
        try:
            import resource
            import psutil
            vms = psutil.Process().memory_info().vms
            limit = vms + int(max_mb) * (1 << 20)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except Exception:
            pass
    _send(out, {"ready": os.getpid()})
    while True:
        job = _recv(inp)
        if job is None:
            return
        t0 = time.perf_counter()
        try:
            _faults(job["path"])
            p = parse_file(job["path"], job.get("fmt"), job.get("template"), sha256=job["sha"])
            if max_mb and p.report.get("error") == "out of memory while reading":
                p.report["error"] = f"memory limit {max_mb} MB exceeded"
            res = {"sha": job["sha"], "report": p.report, "blob": pack_parts(p.cells, p.checks, p.log)}
        except MemoryError:
            res = failed_result(job, f"memory limit {max_mb} MB exceeded" if max_mb else "out of memory",
                                time.perf_counter() - t0)
        except BaseException as e:  # never let one file end the worker
            res = failed_result(job, " ".join(f"internal error: {type(e).__name__}: {e}".split())[:300],
                                time.perf_counter() - t0)
        _send(out, res)


# ------------------------------------------------------------------ parent side
class Worker:
    """One child process. `start()`, then `submit(job)`; wait until `fileno()` is readable or
    a deadline passes, then `collect()` returns the result (or a failure result when the child
    crashed); `check()` kills a child over its time or memory limit and returns the failure."""

    def __init__(self, timeout: float, max_memory_mb: Optional[int], stderr=None, max_jobs: int = 0):
        self.timeout = timeout
        self.max_memory_mb = max_memory_mb
        self.max_jobs = max_jobs  # replace the child after this many files (0: never)
        self.jobs = 0
        self.stderr = stderr
        self.proc: Optional[subprocess.Popen] = None
        self.job: Optional[dict] = None
        self.started_at = 0.0
        self.ready = False
        self._ps = None
        self._next_mem_check = 0.0

    # -- lifecycle
    def start(self) -> None:
        cfg = json.dumps({"max_memory_mb": self.max_memory_mb})
        env = dict(os.environ)
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        if os.path.basename(root) not in ("site-packages", "dist-packages"):  # a source checkout
            env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.proc = subprocess.Popen([sys.executable, "-c", "from pipeline.worker import child_main; child_main()",
                                      cfg], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                     env=env)
        self.ready = False
        self.job = None
        self.jobs = 0
        self._ps = None
        self.started_at = time.monotonic()

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
        finally:
            for f in (self.proc.stdin, self.proc.stdout):
                try:
                    f.close()
                except Exception:
                    pass
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def fileno(self) -> int:
        return self.proc.stdout.fileno()

    @property
    def busy(self) -> bool:
        return self.job is not None

    @property
    def idle(self) -> bool:
        return self.ready and self.job is None

    # -- work
    def submit(self, job: dict) -> None:
        assert self.idle
        self.job = job
        self.started_at = time.monotonic()
        self._next_mem_check = self.started_at + 0.05
        try:
            _send(self.proc.stdin, job)
        except (BrokenPipeError, OSError):
            pass  # the child died; collect() reports it

    def collect(self) -> Optional[dict]:
        """Read what the child sent (call when fileno() is readable). Returns a result for the
        current job, or None (the child only said it is ready)."""
        msg = _recv(self.proc.stdout)
        if msg is None:  # EOF: the child died
            code = self.proc.wait()
            job, elapsed, was_ready = self.job, time.monotonic() - self.started_at, self.ready
            if job is None and not was_ready:
                self.stop()
                raise RuntimeError(f"a parse worker failed to start (exit code {code}); its error output is in "
                                   f"state/worker-stderr.log of the output folder")
            self.restart()
            if job is None:  # died while idle (e.g. killed from outside): nothing lost
                return None
            return failed_result(job, f"worker crashed: exit code {code}", elapsed)
        if "ready" in msg:
            self.ready = True
            return None
        self.job = None
        self.jobs += 1
        if self.max_jobs and self.jobs >= self.max_jobs:
            # a fresh process now and then keeps memory flat whatever the parser caches
            self.restart()
        return msg

    def deadline(self) -> float:
        """When check() must be called next (monotonic time)."""
        if not self.busy:
            return float("inf")
        d = self.started_at + self.timeout if self.timeout else float("inf")
        if self.max_memory_mb:
            d = min(d, self._next_mem_check)
        return d

    def check(self, now: Optional[float] = None) -> Optional[dict]:
        """Enforce the limits on the current job; a failure result when the child was killed."""
        if not self.busy:
            return None
        now = now or time.monotonic()
        job, elapsed = self.job, now - self.started_at
        if self.timeout and elapsed >= self.timeout:
            self.restart()
            return failed_result(job, f"timeout after {self.timeout:g} s", elapsed)
        if self.max_memory_mb and now >= self._next_mem_check:
            self._next_mem_check = now + 0.1
            try:
                import psutil
                if self._ps is None:
                    self._ps = psutil.Process(self.proc.pid)
                rss = self._ps.memory_info().rss
            except Exception:
                return None
            if rss > self.max_memory_mb * (1 << 20):
                self.restart()
                return failed_result(job, f"memory limit {self.max_memory_mb} MB exceeded", elapsed)
        return None

    def run(self, job: dict) -> dict:
        """Parse one file synchronously with the limits enforced (used inside Dask tasks)."""
        if self.proc is None or (self.job is None and self.proc.poll() is not None):
            self.restart()  # first use, or the idle child died (e.g. its parent thread ended)
        while not self.ready:
            select.select([self.fileno()], [], [])
            self.collect()
        self.submit(job)
        while True:
            wait = max(0.0, min(self.deadline() - time.monotonic(), 1.0))
            r, _, _ = select.select([self.fileno()], [], [], wait)
            if r:
                res = self.collect()
                if res is not None:
                    return res
            else:
                res = self.check()
                if res is not None:
                    return res


if __name__ == "__main__":
    child_main()
