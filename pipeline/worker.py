"""Transport to a killable parse worker: one child process, fed one job at a time through a pipe.

`Worker` owns a child Python process (started with `subprocess`, so it works from inside a
Dask worker too, whose daemonic processes may not fork multiprocessing children; or forked
from this process, for a one-file run). The child imports the parser once and stays. The
parent sends a job: `hash` (the child reads the file and returns its SHA-256, so a file that
blocks or is slow to read costs only the time limit) or `parse` (the child runs
`pipeline.report.parse_file` and returns the report row and its cells, checks and log lines,
rendered by `pipeline.schema`, as zlib-compressed JSON). The parent enforces the time limit
and the memory limit (the child's own memory: `over_limit`) and notices a crash; in each case
the child is killed or reaped, the file is recorded `failed` with the reason, and a fresh child
is started for the next file. A crash thus costs only its file. A child is also replaced after `max_jobs` files, so
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
import sys
import time
import zlib

_HDR = struct.Struct("!I")


# ------------------------------------------------------------------ framing
def _send(f, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    f.write(_HDR.pack(len(data)) + data)
    f.flush()


def _read_exact(f, n: int) -> bytes | None:
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
_TEXTS = ("cells", "checks", "log")   # CSV text; then the wide rows, the review entry (JSON) and its payload
_HDR5 = struct.Struct("!IIIII")


def pack_parts(report: dict, cells: list, checks: list, log: list, review: bool = True) -> bytes:
    """A report's rows rendered as CSV text (as schema.render_parts does), its wide rows and,
    with `review`, its review-site entry (pipeline.review.entry), compressed: the worker does the
    formatting so the run's final build only copies text."""
    from .schema import CELLS, CHECKS, LOG, csv_text, render_rows, wide_values

    rows = {"cells": render_rows(cells, CELLS), "checks": render_rows(checks, CHECKS), "log": render_rows(log, LOG)}
    parts = {k: csv_text(rows[k]) for k in _TEXTS}
    parts["wide"] = wide_values(cells)
    if review:
        from .review.entry import rendered_entry
        parts["review"] = rendered_entry(report, rows)
    return _pack(parts)


def _pack(parts: dict) -> bytes:
    """The three texts as UTF-8 behind their lengths (no JSON escaping either way), then JSON,
    compressed; a full review page's data file, gzipped already (`Entry.page`), follows the
    compressed stream as it is, and holds the page's data and source view (not kept twice)."""
    entry = parts.get("review")
    meta = {"wide": parts["wide"]}
    payload = page = b""
    if entry is not None:
        meta.update(summary=entry.summary, wants=entry.wants, full=entry.full is not None)
        if entry.full is None:
            payload = entry.clean.encode()
        elif entry.page:   # the page holds the full data (see Entry.full)
            page = entry.page
            meta["full_len"] = len(entry.full.encode())
            payload = b"\0"
        else:
            payload = (entry.full + "\0" + (entry.source or "")).encode()
    sections = [parts[k].encode() for k in _TEXTS] + [payload,
                                                      json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode()]
    return zlib.compress(_HDR5.pack(*map(len, sections)) + b"".join(sections), 1) + page


def unpack_parts(blob: bytes) -> dict:
    """pack_parts' rows back: {"cells", "checks", "log": CSV text in UTF-8 (bytes, as the output
    files take it), "wide": {table: values}, "review": the review entry (a
    pipeline.review.entry.Entry) or None}."""
    z = zlib.decompressobj()
    data = z.decompress(blob)
    at, sections = _HDR5.size, []
    for n in _HDR5.unpack_from(data):
        sections.append(data[at:at + n])
        at += n
    out = {k: sections[i] for i, k in enumerate(_TEXTS)}
    meta = json.loads(sections[4])
    out["wide"] = meta["wide"]
    out["review"] = None
    if "summary" in meta:
        from .review.entry import Entry
        payload = sections[3].decode()
        if meta["full"]:   # the page's data and its source view (NUL never occurs in JSON text)
            full, source = payload.split("\0")
            out["review"] = Entry(meta["summary"], full=full or None, wants=meta["wants"], source=source or None,
                                  page=z.unused_data or None, full_len=meta.get("full_len", 0))
        else:
            out["review"] = Entry(meta["summary"], clean=payload)
    return out


_EMPTY_PARTS = _pack({"cells": "", "checks": "", "log": "", "wide": {}})


def guess_format(path: str) -> str:
    """The format a failed file would have been read as ('' when unknown)."""
    try:
        import parsers
        return parsers.detect_format(path)
    except Exception:
        return ""


def failed_result(job: dict, error: str, seconds: float = 0.0) -> dict:
    """The result of a job that ended for a reason outside the parser (time or memory limit,
    a crash, a lost worker)."""
    from .schema import report_row
    sha = job.get("sha") or ""
    fmt = job.get("fmt") or (guess_format(job["path"]) if job.get("op", "parse") == "parse" else "")
    row = report_row(sha, job["path"], fmt, error=error, seconds=seconds)
    return {"op": job.get("op", "parse"), "job": job, "sha": sha, "error": error, "report": row,
            "blob": _EMPTY_PARTS}


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


def _limit_memory(max_mb) -> None:
    """Backstop for allocations faster than the parent's watchdog: the address space of the
    process now (imports done) plus the limit."""
    if not max_mb:
        return
    try:
        import resource
        limit = memory_of(os.getpid(), "vms") + int(max_mb) * (1 << 20)
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    except Exception:
        pass


def memory_of(pid: int, kind: str = "rss") -> int | None:
    """A process's resident (rss) or virtual (vms) size in bytes; None when it is gone. Read
    from /proc on Linux (psutil, slow to import, elsewhere)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            vms, rss = f.read().split()[:2]
        return int(rss if kind == "rss" else vms) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        pass
    try:
        import psutil
        info = psutil.Process(pid).memory_info()
        return info.rss if kind == "rss" else info.vms
    except Exception:
        return None


_PRIVATE = (b"Private_Clean:", b"Private_Dirty:")


def private_memory_of(pid: int) -> int | None:
    """The memory a process holds of its own, in bytes: its private pages (Private_Clean +
    Private_Dirty of /proc/PID/smaps_rollup, Linux 4.14+), not the pages a forked worker still
    shares with the process it was forked from (its resident size counts those too); None
    where that cannot be read. The kernel walks the process's pages for it, so it is asked
    only once the resident size is over a limit."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            lines = f.read().split(b"\n")
        return sum(int(line.split()[1]) for line in lines if line.startswith(_PRIVATE)) * 1024
    except (OSError, ValueError, IndexError):
        return None


def over_limit(pid: int, limit: int) -> bool | None:
    """Whether a process holds more than `limit` bytes of its own memory (None: it is gone): its
    resident size when that is within the limit (cheap, and never less than its private memory),
    else its private memory where the system tells it."""
    rss = memory_of(pid)
    if rss is None:
        return None
    if rss <= limit:
        return False
    own = private_memory_of(pid)
    return (rss if own is None else own) > limit


def hash_file(path: str) -> dict:
    """SHA-256 of a file, with the size and mtime it had (for the parent's hash cache)."""
    import hashlib
    h = hashlib.sha256()
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return {"sha": h.hexdigest(), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


_LAYOUTS_SENT: list = []


def _do_job(job: dict, parse_file, max_mb) -> dict:
    t0 = time.perf_counter()
    op = job.get("op", "parse")
    try:
        if op == "hash":
            return {"op": "hash", "job": job, **hash_file(job["path"])}
        _faults(job["path"])
        p = parse_file(job["path"], job.get("fmt"), job.get("template"), sha256=job["sha"], ocr=job.get("ocr"))
        if max_mb and p.report.get("error") == "out of memory while reading":
            p.report["error"] = f"memory limit {max_mb} MB exceeded"
        blob = pack_parts(p.report, p.cells, p.checks, p.log, job.get("review", False))
        res = {"op": "parse", "job": job, "sha": job["sha"], "report": p.report, "blob": blob}
        if job.get("review") and not _LAYOUTS_SENT:  # the review's template layouts, once a process
            from .review.entry import template_layouts
            _LAYOUTS_SENT.append(1)
            res["layouts"] = template_layouts()
        return res
    except MemoryError:
        return failed_result(job, f"memory limit {max_mb} MB exceeded" if max_mb else "out of memory",
                             time.perf_counter() - t0)
    except OSError as e:
        return failed_result(job, f"cannot read file: {e.strerror or e}", time.perf_counter() - t0)
    except BaseException as e:  # never let one file end the worker
        return failed_result(job, " ".join(f"internal error: {type(e).__name__}: {e}".split())[:300],
                             time.perf_counter() - t0)


def serve(inp, out, cfg: dict | None) -> None:
    """The child's loop: import the parser once, say ready, then answer jobs until EOF. A
    worker forked before the run knew its limits (`cfg` None) gets them in a `config` message
    before its first job."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _set_pdeathsig()
    from . import label_scores
    label_scores.collect()         # the label scores it computes are kept for the next process
    from .report import parse_file
    from .schema import wide_layout
    max_mb = (cfg or {}).get("max_memory_mb")
    _limit_memory(max_mb)
    _send(out, {"ready": os.getpid(), "wide": wide_layout()})
    while True:
        job = _recv(inp)
        if job is None:
            label_scores.save(force=True)
            return
        if job.get("op") == "config":   # a worker started early learns its limits and its log
            if job.get("stderr"):
                _stderr_to(job["stderr"])
            max_mb = job.get("max_memory_mb")
            _limit_memory(max_mb)
            continue
        _send(out, _do_job(job, parse_file, max_mb))
        if job.get("op") == "parse":   # after the result: what it derived, kept for later processes
            label_scores.save()


def child_main() -> None:
    """Entry point of a worker started as its own Python process."""
    cfg = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints from libraries go to stderr, never into the protocol
    serve(sys.stdin.buffer, out, cfg)


def _stderr_to(path: str) -> None:
    """Send this process's error output (and stray prints) to the log file at `path`."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    except OSError:
        return
    sys.stderr.flush()
    os.dup2(fd, 2)
    os.dup2(fd, 1)
    os.close(fd)


_EARLY: list = []   # [_ForkedChild] started by `start_early`, not yet taken by a Worker


def start_early() -> None:
    """Fork one worker now, at the very start of `ogi parse`, so that its import of the parser
    overlaps the parent's own start-up and planning (a one-file run waits for that import
    otherwise). It does not know the run's limits yet: the first forked `Worker` takes it and
    sends them, with where its error output goes (the output folder is not made yet), before
    any job; `discard_early()` ends it if none does."""
    if not _EARLY:
        _EARLY.append(_ForkedChild(None))


def _take_early():
    return _EARLY.pop() if _EARLY else None


def discard_early() -> None:
    """End a worker `start_early` forked that no run took."""
    while _EARLY:
        child = _EARLY.pop()
        child.kill()
        child.wait()
        for f in (child.stdin, child.stdout):
            f.close()


class _ForkedChild:
    """A worker forked from this process (no new interpreter, no second import of what is
    already loaded), with the part of `subprocess.Popen`'s interface `Worker` uses."""

    def __init__(self, cfg: dict | None, stderr=None):
        to_child_r, to_child_w = os.pipe()
        to_parent_r, to_parent_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: serve jobs, never return into the parent's code
            code = 0
            try:
                os.close(to_child_w)
                os.close(to_parent_r)
                if stderr is not None:
                    os.dup2(stderr.fileno(), 2)
                os.dup2(2, 1)
                # nothing else of the parent's stays open here (its output-folder lock, its state)
                lo, hi = sorted((to_child_r, to_parent_w))
                os.closerange(3, lo)
                os.closerange(lo + 1, hi)
                os.closerange(hi + 1, 1 << 16)
                # fresh stream objects: a lock the parent's threads held at the fork stays held
                sys.stdout = open(1, "w", closefd=False)
                sys.stderr = open(2, "w", closefd=False)
                serve(os.fdopen(to_child_r, "rb"), os.fdopen(to_parent_w, "wb"), cfg)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(to_child_r)
        os.close(to_parent_w)
        self.pid = pid
        self.stdin = os.fdopen(to_child_w, "wb")
        self.stdout = os.fdopen(to_parent_r, "rb")
        self.returncode = None

    def poll(self):
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self):
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# ------------------------------------------------------------------ parent side
class Worker:
    """One child process. `start()`, then `submit(job)`; wait until `fileno()` is readable or
    a deadline passes, then `collect()` returns the result (or a failure result when the child
    crashed); `check()` kills a child over its time or memory limit and returns the failure."""

    def __init__(self, timeout: float, max_memory_mb: int | None, stderr=None, max_jobs: int = 0,
                 fork: bool = False):
        self.fork = fork  # fork this process instead of starting a new interpreter
        self.timeout = timeout
        self.max_memory_mb = max_memory_mb
        self.max_jobs = max_jobs  # replace the child after this many files (0: never)
        self.jobs = 0
        self.stderr = stderr
        self.proc = None  # a subprocess.Popen, or a _ForkedChild
        self.ending = None  # when told to finish: the time by which it must have ended
        self.job: dict | None = None
        self.started_at = 0.0
        self.ready = False
        self.wide = None
        self._next_mem_check = 0.0

    # -- lifecycle
    def start(self) -> None:
        cfg = {"max_memory_mb": self.max_memory_mb}
        if self.fork:
            self.proc = _take_early()
            if self.proc is None:
                self.proc = _ForkedChild(cfg, self.stderr)
            else:
                _send(self.proc.stdin, {"op": "config", **cfg,
                                        "stderr": self.stderr.name if self.stderr is not None else None})
        else:
            import subprocess
            env = dict(os.environ)
            root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
            if os.path.basename(root) not in ("site-packages", "dist-packages"):  # a source checkout
                env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
            self.proc = subprocess.Popen([sys.executable, "-c", "from pipeline.worker import child_main; child_main()",
                                          json.dumps(cfg)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=self.stderr, env=env)
        self.ready = False
        self.job = None
        self.jobs = 0
        self.started_at = time.monotonic()

    def finish(self) -> None:
        """Tell an idle child to end (at the end of its input it saves what it keeps for later
        processes, see pipeline.label_scores) without waiting for it; `stop()` reaps it."""
        if self.proc is not None and self.idle and self.ending is None and self.proc.poll() is None:
            self.ending = time.monotonic() + 1.0
            try:
                self.proc.stdin.close()
            except OSError:
                pass

    def stop(self) -> None:
        """End the child: an idle one as `finish()` does, killed if it has not ended within a
        second; a busy one is killed."""
        if self.proc is None:
            return
        try:
            self.finish()
            while self.ending is not None and self.proc.poll() is None and time.monotonic() < self.ending:
                time.sleep(0.001)
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
            self.ending = None

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

    def collect(self) -> dict | None:
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
            self.wide = msg.get("wide")  # the wide files' columns, as the parser defines them
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

    def check(self, now: float | None = None) -> dict | None:
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
            if over_limit(self.proc.pid, self.max_memory_mb * (1 << 20)):
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
