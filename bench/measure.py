"""Measurement primitives of the bench: the HTTP counter, peak RSS, server CPU, medians and ratios.

Every contender (ozgwiki, the bare loop, mwclient, pywikibot) sends its requests through ``requests``,
so one hook on :meth:`requests.adapters.HTTPAdapter.send` counts them all the same way, inside the
worker process that runs the contender: requests by API action (for ``action=query`` also its
``prop``/``list``/``meta``), bytes sent (URL + body) and received (body as delivered to the client), and
edits (``action=edit`` answers that saved a revision; a ``nochange`` answer is no edit).

Server CPU is read from ``/proc/<pid>/stat`` of the wiki's ``php -S`` (user + system time of the process
and of its reaped children: Scribunto's ``luastandalone`` runs ``lua`` as children of the server), before
and after a run; nothing else talks to the wiki meanwhile, so the difference is the run's cost.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = [
    "HttpCounter",
    "JobsCost",
    "median",
    "peak_rss_mb",
    "proc_cpu_seconds",
    "ratio",
    "request_key",
    "run_jobs_cpu",
    "tree_cpu_seconds",
]

#: The ``action=query`` modules that name what a query asks for.
QUERY_MODULES = ("prop", "list", "meta", "generator")


def _params(url: str, body: bytes | str | None, content_type: str) -> dict[str, str]:
    """The API parameters of one request: its query string, plus a form-encoded or multipart body."""
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    if not body:
        return params
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    if "multipart/form-data" in content_type:
        # Only the names the key needs; values of those fields are short ASCII.
        for part in raw.split(b"\r\n--"):
            head, _, value = part.partition(b"\r\n\r\n")
            marker = b'name="'
            if marker not in head:
                continue
            name = head.split(marker, 1)[1].split(b'"', 1)[0].decode("utf-8", "replace")
            if name in ("action", *QUERY_MODULES):
                params.setdefault(name, value.rstrip(b"\r\n").decode("utf-8", "replace"))
        return params
    with contextlib.suppress(UnicodeDecodeError):
        params.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    return params


def request_key(url: str, body: bytes | str | None = None, content_type: str = "") -> str:
    """How a request is counted: ``edit``, ``login``, ``query(prop=revisions)``, ``query(meta=tokens)``...

    A request without an ``action`` (a page view, ``index.php?action=raw``) counts as ``other``.
    """
    params = _params(url, body, content_type)
    action = params.get("action")
    if not action:
        return "other"
    if action != "query":
        return action
    parts = [f"{m}={params[m]}" for m in QUERY_MODULES if params.get(m)]
    return f"query({';'.join(parts)})" if parts else "query"


def _saved(content: bytes) -> bool:
    """Whether an ``action=edit`` answer saved a revision (a ``nochange`` answer did not)."""
    try:
        answer = json.loads(content)
    except ValueError:
        return False
    edit = answer.get("edit") if isinstance(answer, dict) else None
    return isinstance(edit, dict) and edit.get("result") == "Success" and "nochange" not in edit


@dataclass
class HttpCounter:
    """Counts what passes through :meth:`requests.adapters.HTTPAdapter.send` while installed."""

    by_action: Counter[str] = field(default_factory=Counter)
    bytes_sent: int = 0
    bytes_received: int = 0
    edits: int = 0
    _original: Callable[..., Any] | None = None

    @property
    def requests(self) -> int:
        return sum(self.by_action.values())

    def observe(self, request: Any, response: Any) -> None:
        """Count one request/response pair (``requests.PreparedRequest`` / ``requests.Response``)."""
        body = request.body
        key = request_key(request.url or "", body, request.headers.get("Content-Type", ""))
        self.by_action[key] += 1
        self.bytes_sent += len(request.url or "") + (
            len(body.encode("utf-8")) if isinstance(body, str) else len(body or b"")
        )
        content = response.content or b""
        self.bytes_received += len(content)
        if key == "edit" and _saved(content):
            self.edits += 1

    def install(self) -> HttpCounter:
        """Wrap ``HTTPAdapter.send`` (idempotent per counter); :meth:`uninstall` restores it."""
        from requests.adapters import HTTPAdapter

        if self._original is not None:
            return self
        original = HTTPAdapter.send
        self._original = original
        counter = self

        def send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            response = original(adapter, request, *args, **kwargs)
            counter.observe(request, response)
            return response

        HTTPAdapter.send = send  # type: ignore[method-assign]
        return self

    def uninstall(self) -> None:
        from requests.adapters import HTTPAdapter

        if self._original is not None:
            HTTPAdapter.send = self._original  # type: ignore[method-assign]
            self._original = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_action": dict(sorted(self.by_action.items())),
            "bytes_sent": self.bytes_sent,
            "bytes_received": self.bytes_received,
            "edits": self.edits,
        }


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB: ``VmHWM`` of ``/proc/self/status`` (the peak of
    this program since its exec). Not ``ru_maxrss``: Linux carries that over ``exec``, so a worker
    started by a bigger parent would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ticks(stat: str) -> int:
    """utime + stime + cutime + cstime of one ``/proc/<pid>/stat`` line, in clock ticks."""
    # The command name (field 2) may hold spaces and parentheses: split after its closing one.
    fields = stat[stat.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state); utime..cstime are fields 14..17.
    return sum(int(fields[i]) for i in range(11, 15))


def proc_cpu_seconds(pid: int, proc: Path = Path("/proc")) -> float:
    """utime + stime + cutime + cstime of ``pid`` in seconds (children count once they are reaped)."""
    return _ticks((proc / str(pid) / "stat").read_text()) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int, proc: Path = Path("/proc")) -> float:
    """The same for ``pid`` and its live descendants (a ``lua5.1`` still running, the ``runJobs.php`` a
    job runner started), found through ``/proc/<pid>/task/<pid>/children``. Reaped children are in
    their parent's ``cutime``/``cstime`` already; a process that is gone counts 0."""
    ticks, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            ticks += _ticks((proc / str(current) / "stat").read_text())
            children = (proc / str(current) / "task" / str(current) / "children").read_text()
        except OSError:
            continue
        todo.extend(int(x) for x in children.split())
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class JobsCost:
    """What draining the job queue after a run cost: CPU of ``runJobs.php`` and its wall time."""

    cpu: float
    seconds: float
    jobs: int


def run_jobs_cpu(php: str, mediawiki_dir: Path, env: Mapping[str, str], cwd: Path) -> JobsCost:
    """Run ``runJobs.php`` as a child and take its CPU from ``RUSAGE_CHILDREN`` (before/after)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [php, str(mediawiki_dir / "maintenance" / "runJobs.php"), "--result=json"],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    jobs = 0
    if "{" in proc.stdout:
        try:
            jobs = len(json.loads(proc.stdout[proc.stdout.index("{") :]).get("jobs") or [])
        except ValueError:
            jobs = 0
    if proc.returncode != 0:
        raise RuntimeError(f"runJobs.php failed (exit {proc.returncode}): {proc.stderr[-500:]}")
    return JobsCost(cpu, seconds, jobs)


def median(values: Iterable[float | None]) -> float | None:
    """The median of the values that were measured (None: nothing measured)."""
    got = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.median(got) if got else None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, None when either is missing or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def median_counts(runs: Sequence[Mapping[str, int]]) -> dict[str, float]:
    """Per key, the median over runs (a key missing in a run counts 0 there)."""
    keys = sorted({k for r in runs for k in r})
    return {k: statistics.median(r.get(k, 0) for r in runs) for k in keys}
