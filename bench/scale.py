"""The bot's own costs at scale, without a wiki: the real catalogue (1×), 10× and Germany scale.

    python -m bench.scale [--runs N] [--cases 1x,10x,germany]     # the table (``run()``)
    python -m bench.scale --import-rss CONFIG MANIFEST            # peak RSS of ``ozgwiki import --dry-run``

Each case runs in a fresh subprocess per run, so the peak RSS (``ru_maxrss``) is that case's alone.
The stages are what the bots compute client-side, in the order they do it:

``load``      ``ozgwiki.catalogue.load`` of the manifest;
``plan``      title scheme, page plans, redirect and Begriffsklärung plans;
``render``    every page text the import writes into an empty wiki (``ImportItem.transform("")``, the
              redirects' and Begriffsklärungen's texts), in chunks of 500 as the engine reads;
``diff``      each change applied to its own output (what a no-op run computes per page): must be a no-op;
``facts``     the fact store regenerate builds, as if the wiki held exactly the catalogue;
``overview``  the static renders of the overview pages (``regenerate --mode static``). At 10× and
              Germany scale a page can take seconds to minutes (see docs/scaling.md), so those cases
              render a sample -- the first two pages of each definition -- and extrapolate.

Row fields (for the bench harness): ``case``, ``size`` (items of the stage), ``runs``, ``median``,
``minimum``, ``maximum`` (seconds), ``peak_rss_mb`` (the highest ``VmHWM`` of the runs, taken right
after the stage: the process's peak so far). Nothing is asserted: speed lives here, not in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.measure import peak_rss_mb

MAX_ARTICLE_BYTES = 2 * 2**20  # MediaWiki's default $wgMaxArticleSize (2,048 KiB)
CHUNK = 500  # the engine reads and writes in chunks of this many pages
CASES = ("1x", "10x", "germany")
#: Definitions left out of a sampled overview: a Größenklasse page of the 10× catalogue lists ≈ 46,000
#: rows (one took three minutes to render before the fact store had indexes; docs/scaling.md).
SKIP_SAMPLED = {"10x": ("groessenklasse",)}


@dataclass(frozen=True)
class Row:
    case: str
    size: int
    runs: int
    median: float
    minimum: float
    maximum: float
    peak_rss_mb: float


# ------------------------------------------------------------------------------ one case, in-process


def measure(manifest: str, overview: str = "all", skip: Sequence[str] = ()) -> dict[str, Any]:
    """All stages for one catalogue; ``overview`` is ``all``, ``sample`` or ``none``."""
    from ozgwiki.bots import importer
    from ozgwiki.bots.regenerate import kind_of, page_sections, transform_for
    from ozgwiki.catalogue import load
    from ozgwiki.definitions import schema
    from ozgwiki.render import facts as facts_mod
    from ozgwiki.render import overview as overview_mod
    from ozgwiki.render.plans import plan_pages, title_scheme

    out: dict[str, Any] = {"stages": {}, "size": {}, "rss_mb": {"start": peak_rss_mb()}}

    def stage(name: str, seconds: float, size: int) -> None:
        out["stages"][name] = seconds
        out["size"][name] = size
        out["rss_mb"][name] = peak_rss_mb()

    t = time.perf_counter()
    cat = load(manifest)
    stage("load", time.perf_counter() - t, len(cat.leika_leistungen) + len(cat.kommunen))

    t = time.perf_counter()
    scheme = title_scheme(cat)
    plans = plan_pages(cat, scheme)
    changes = list(importer.page_changes(importer.import_items(plans, ()), plans, scheme))
    stage("plan", time.perf_counter() - t, len(changes))

    render_s = diff_s = 0.0
    text_bytes = biggest = 0
    for i in range(0, len(changes), CHUNK):
        chunk = changes[i : i + CHUNK]
        t = time.perf_counter()
        texts = [c.transform("") for c in chunk]
        render_s += time.perf_counter() - t
        t = time.perf_counter()
        for c, text in zip(chunk, texts, strict=True):
            if c.transform(text or "") != text:
                raise AssertionError(f"{c.title}: the change is not idempotent")
        diff_s += time.perf_counter() - t
        sizes = [len(x.encode("utf-8")) for x in texts if x]
        text_bytes += sum(sizes)
        biggest = max([biggest, *sizes])
    stage("render", render_s, len(changes))
    stage("diff", diff_s, len(changes))
    out["import_text_mb"] = text_bytes / 2**20
    out["import_biggest_bytes"] = biggest

    if overview == "none":
        return out
    t = time.perf_counter()
    facts = facts_mod.build(cat, {}, scheme=scheme)
    loaded = schema.load()
    props = {p.name: p for p in loaded.properties}
    stage("facts", time.perf_counter() - t, len(facts.subjects))

    pages: dict[str, Any] = {}
    total = 0.0
    for definition in loaded.pages:
        all_pages = overview_mod.pages_of(definition, facts, props)
        kind = kind_of(all_pages[0]) if all_pages else definition.file
        if not all_pages or (overview == "sample" and kind in skip):
            pages[kind] = {"pages": len(all_pages), "rendered": 0}
            continue
        # A sample is the first two pages: the first also builds the fact store's indexes for its
        # sections, which every later page reuses, so it is not extrapolated.
        todo = all_pages if overview == "all" else all_pages[:2]
        times, sizes = [], []
        for page in todo:
            t = time.perf_counter()
            text = transform_for(page_sections(page, facts, props, "static"), page.title)("")
            times.append(time.perf_counter() - t)
            sizes.append(len(text.encode("utf-8")))
        seconds = sum(times)
        later = times[1:] or times
        estimate = times[0] + sum(later) / len(later) * (len(all_pages) - 1)
        total += estimate
        pages[kind] = {
            "pages": len(all_pages),
            "rendered": len(todo),
            "seconds": seconds,
            "estimated_seconds": estimate,
            "max_bytes": max(sizes),
            "mean_bytes": sum(sizes) / len(sizes),
            "over_limit": sum(1 for s in sizes if s > MAX_ARTICLE_BYTES),
        }
    stage("overview", total, sum(p["pages"] for p in pages.values()))
    out["overview"] = pages
    out["overview_sampled"] = overview != "all"
    return out


# ------------------------------------------------------------------------------ cases and subprocesses


def prepare(case: str, folder: Path) -> str:
    """The manifest of a case (generated into ``folder`` when not the real catalogue)."""
    from bench.generate import generate, germany

    if case == "1x":
        return "nrw"
    if case == "10x":
        return str(generate(10, folder / "x10"))
    if case == "germany":
        return str(germany(folder / "germany"))
    raise ValueError(f"unknown case {case!r}; known: {', '.join(CASES)}")


def _worker(manifest: str, overview: str, skip: Sequence[str]) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.scale", "--worker", manifest, "--overview", overview]
    cmd += [a for s in skip for a in ("--skip", s)]
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=root)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run_cases(cases: Sequence[str], runs: int, folder: Path) -> tuple[list[Row], dict[str, list[Any]]]:
    rows: list[Row] = []
    raw: dict[str, list[Any]] = {}
    for case in cases:
        manifest = prepare(case, folder)
        mode = "all" if case == "1x" else "sample"
        results = [_worker(manifest, mode, SKIP_SAMPLED.get(case, ())) for _ in range(runs)]
        raw[case] = results
        for name in results[0]["stages"]:
            times = [r["stages"][name] for r in results]
            label = f"{case} {name}" + (
                " (sampled, extrapolated)" if name == "overview" and mode != "all" else ""
            )
            rows.append(
                Row(
                    label,
                    results[0]["size"][name],
                    len(times),
                    statistics.median(times),
                    min(times),
                    max(times),
                    max(r["rss_mb"][name] for r in results),
                )
            )
    return rows, raw


def run(runs: int = 3, cases: Sequence[str] = CASES) -> list[Row]:
    """Rows for the bench harness: one per case and stage (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="ozgwiki-bench-h3-") as tmp:
        rows, _raw = run_cases(cases, runs, Path(tmp))
    return rows


# ------------------------------------------------------------------------------ the real bot process


def import_rss(config: str, manifest: str) -> dict[str, Any]:
    """Peak RSS of a whole ``ozgwiki import --dry-run`` process (its own child process)."""
    cmd = [sys.executable, "-m", "ozgwiki", "--config", config, "import", "--dry-run", "-q"]
    cmd += ["--catalogue", manifest]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    with open(os.devnull, "w") as sink:
        done = subprocess.run(cmd, stdout=sink, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "seconds": seconds,
        "exit": done.returncode,
        "peak_rss_mb": peak / 1024,
        "note": "" if peak > before else "peak not above an earlier child's",
        "stderr_tail": done.stderr[-600:],
    }


def traced_import(config: str, manifest: str, top: int = 15, frames: int = 1) -> dict[str, Any]:
    """The same import in this process under tracemalloc: what is allocated when the import bot
    returns (its report still alive), grouped by source line, and the traced peak."""
    from ozgwiki import cli
    from ozgwiki.bots import importer

    snapshots: list[tracemalloc.Snapshot] = []
    original: Callable[..., Any] = importer.run

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        snapshots.append(tracemalloc.take_snapshot())
        return result

    importer.run = wrapped  # type: ignore[assignment]
    tracemalloc.start(frames)
    try:
        with open(os.devnull, "w") as sink, redirect_stdout(sink):  # the dry run's diffs: not kept
            try:
                code: object = cli.main(
                    ["--config", config, "import", "--dry-run", "-q", "--catalogue", manifest]
                )
            except SystemExit as exc:  # the CLI exits with its code
                code = exc.code
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        importer.run = original  # type: ignore[assignment]
    out: dict[str, Any] = {"exit": code, "traced_peak_mb": peak / 2**20}
    if snapshots:
        stats = snapshots[0].statistics("lineno")
        out["held_mb"] = sum(s.size for s in stats) / 2**20
        out["top"] = [(str(s.traceback[0]), round(s.size / 2**20, 2), s.count) for s in stats[:top]]
        by_file = snapshots[0].statistics("filename")
        out["top_files"] = [(str(s.traceback[0].filename), round(s.size / 2**20, 2)) for s in by_file[:top]]
    return out


def _table(rows: Sequence[Row]) -> str:
    header = ("case", "size", "median s", "min s", "max s", "runs", "peak RSS MB")
    body = [
        (r.case, str(r.size), f"{r.median:.3f}", f"{r.minimum:.3f}", f"{r.maximum:.3f}", str(r.runs),
         f"{r.peak_rss_mb:.0f}")
        for r in rows
    ]  # fmt: skip
    widths = [max(len(x[i]) for x in [header, *body]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        pairs = enumerate(zip(cells, widths, strict=True))
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs)

    return "\n".join(line(x) for x in [header, tuple("-" * w for w in widths), *body])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--keep", type=Path, help="generate the catalogues here and keep them")
    parser.add_argument("--json", type=Path, help="also write every raw measurement here")
    parser.add_argument("--worker", metavar="MANIFEST", help=argparse.SUPPRESS)
    parser.add_argument("--overview", default="all", help=argparse.SUPPRESS)
    parser.add_argument("--skip", action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--import-rss", nargs=2, metavar=("CONFIG", "MANIFEST"))
    parser.add_argument("--trace-import", nargs=2, metavar=("CONFIG", "MANIFEST"))
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(measure(args.worker, args.overview, args.skip)))
        return 0
    if args.import_rss:
        print(json.dumps(import_rss(*args.import_rss), indent=1))
        return 0
    if args.trace_import:
        print(json.dumps(traced_import(*args.trace_import), indent=1))
        return 0
    cases = [c for c in args.cases.split(",") if c]
    if args.keep:
        rows, raw = run_cases(cases, args.runs, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="ozgwiki-bench-h3-") as tmp:
            rows, raw = run_cases(cases, args.runs, Path(tmp))
    print(_table(rows))
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    for case, results in raw.items():
        r = results[0]
        print(
            f"\n{case}: import texts {r['import_text_mb']:.1f} MB, biggest {r['import_biggest_bytes']} bytes"
        )
        for kind, p in r.get("overview", {}).items():
            if p.get("rendered"):
                print(
                    f"  {kind}: {p['pages']} pages, rendered {p['rendered']} in {p['seconds']:.2f} s, "
                    f"est. all {p['estimated_seconds']:.0f} s, max {p['max_bytes']:,} bytes "
                    f"(limit {MAX_ARTICLE_BYTES:,}), {p['over_limit']} rendered over the limit"
                )
            else:
                print(f"  {kind}: {p['pages']} pages, not rendered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
