"""``make bench`` / ``python -m bench``: every measurement of issue 13, then docs/benchmarks.md and .svg.

    python -m bench [--quick] [--runs N] [--dir PATH] [--port N] [--no-nrw] [--out-md PATH]

1. **Side by side** on the sample catalogue: bare ``requests`` loop, mwclient, pywikibot and ozgwiki
   write the same pages (:mod:`bench.texts`), each on a fresh copy of one empty, deployed wiki
   (:mod:`bench.wikis`), a first import then a no-op pass, at two sizes (the first ``--small`` pages
   and all of them), all of them ``--runs`` times in rotating order (the smaller size once); medians.
2. **The real NRW catalogue** with ozgwiki alone: first import (one run: ~10+ minutes), no-op ``import``
   and ``run``, a bare batched read of the same pages, ``regenerate`` (first, no-op), ``validate`` (full
   scan, then after 1,000 editor edits made by a bare loop as the editor account), catalogue load.
3. **10×** (:mod:`bench.scale`, client side) when that module is there.
4. **SMW**, when ``$OZGWIKI_SMW_CONFIG`` names the SMW suite's config: the side-by-side rows on that wiki,
   which must be empty of the sample's pages (reset it before; the bench refuses otherwise).

Runs are strictly sequential: one wiki is busy at a time. Each run is a worker process of its own
(:mod:`bench.worker`); the raw results go to ``<dir>/results.json``, the report is rendered from them
(:mod:`bench.report`), so ``python -m bench.report <dir>/results.json`` re-renders without measuring.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report
from bench.measure import median, median_counts, proc_cpu_seconds
from bench.texts import Target, import_targets, write_targets
from bench.wikis import BenchWiki, Credentials, bench_config

DEFAULT_DIR = Path(tempfile.gettempdir()) / "ozgwiki-bench"
DEFAULT_PORT = 8100
CONTENDERS = ("bare", "mwclient", "pywikibot", "ozgwiki")
EDITOR_EDITS = 1000
SERVER_PID_ENV = "OZGWIKI_BENCH_SERVER_PID"
SMW_CONFIG_ENV = "OZGWIKI_SMW_CONFIG"
#: Set by `make bench` so that the report names the command that was typed.
COMMAND_ENV = "OZGWIKI_BENCH_COMMAND"
REPO = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------------------- one run


class Runner:
    """Runs workers and measures the server around them; remembers every raw run."""

    def __init__(self, root: Path, python: str, log: Callable[[str], None]) -> None:
        self.root = root
        self.python = python
        self.log = log
        self.seq = 0
        self.runs: list[dict[str, Any]] = []

    def measure(self, spec: dict[str, Any], server_pid: int | None, **labels: Any) -> dict[str, Any]:
        """One worker run; server CPU from /proc of ``server_pid`` before and after (None: n/a)."""
        self.seq += 1
        spec_file = self.root / "specs" / f"{self.seq:04d}.json"
        out_file = spec_file.with_suffix(".out.json")
        spec_file.parent.mkdir(parents=True, exist_ok=True)
        spec_file.write_text(json.dumps(spec), encoding="utf-8")
        spec_file.chmod(0o600)  # it holds a bot password
        cpu0 = proc_cpu_seconds(server_pid) if server_pid else None
        start = time.perf_counter()
        proc = subprocess.run(
            [self.python, "-m", "bench.worker", str(spec_file), str(out_file)],
            cwd=REPO, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        elapsed = time.perf_counter() - start
        cpu1 = proc_cpu_seconds(server_pid) if server_pid else None
        spec_file.unlink()
        if proc.returncode != 0:
            raise RuntimeError(f"worker {labels} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        result = json.loads(out_file.read_text(encoding="utf-8"))
        result.update(labels)
        result["process_wall"] = elapsed
        result["server_cpu"] = (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None
        self.runs.append(result)
        http = result["http"]
        self.log(
            f"  {labels.get('case')} {labels.get('contender')} {labels.get('phase', '')}: "
            f"{result['wall']:.2f} s, {http['requests']} requests, {http['edits']} edits, "
            f"server {_fmt(result['server_cpu'])} s, rss {result['peak_rss_mb']:.0f} MB"
        )
        return result


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def contender_spec(contender: str, creds: Credentials, texts: Path, **extra: Any) -> dict[str, Any]:
    return {
        "contender": contender,
        "api_url": creds.api_url,
        "login": creds.login,
        "password": creds.password,
        "texts": str(texts),
        **extra,
    }


# ------------------------------------------------------------------------------------- rows


def aggregate(runs: Sequence[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """One report row from the runs of one case: medians of every measured figure."""
    http = [r["http"] for r in runs]
    edits = median(h["edits"] for h in http)
    server = median(r.get("server_cpu") for r in runs)
    jobs = median(r.get("jobs_cpu") for r in runs)
    row = {
        **fields,
        "runs": len(runs),
        "wall": median(r["wall"] for r in runs),
        "requests": median(h["requests"] for h in http),
        "by_action": median_counts([h["by_action"] for h in http]),
        "edits": edits,
        "bytes_sent": median(h["bytes_sent"] for h in http),
        "bytes_received": median(h["bytes_received"] for h in http),
        "peak_rss_mb": median(r["peak_rss_mb"] for r in runs),
        "bot_cpu": median(r["bot_cpu"] for r in runs),
        "server_cpu": server,
        "server_cpu_per_edit": (server / edits) if server is not None and edits else None,
        "jobs_cpu": jobs,
        "jobs_cpu_per_edit": (jobs / edits) if jobs is not None and edits else None,
    }
    extra = [r.get("extra", {}) for r in runs]
    if extra and "load_median" in extra[0]:
        row["wall"] = median(e["load_median"] for e in extra)
    return row


# ------------------------------------------------------------------------------------- side by side


def side_by_side(
    runner: Runner, wiki: BenchWiki, targets: list[Target], *, runs: int, sizes: Sequence[int]
) -> list[dict[str, Any]]:
    """Every contender on a fresh wiki per run and size: first import, job queue, no-op pass."""
    texts = write_targets(targets, runner.root / "sample-texts.json")
    results: dict[tuple[str, int, str], list[dict[str, Any]]] = {}
    for n in range(runs):
        order = CONTENDERS[n % len(CONTENDERS) :] + CONTENDERS[: n % len(CONTENDERS)]
        # The smaller size is for the plot: one run of it is enough, the full size gets every run.
        for size in sizes if n == 0 else sizes[-1:]:
            cut = size if size < len(targets) else None
            for contender in order:
                pid = wiki.fresh()
                creds = wiki.credentials()
                config = str(bench_config(wiki.directory, manifest=None))
                extra: dict[str, Any] = {"pages": cut}
                if contender == "ozgwiki":
                    extra |= {"config": config, "argv": ["import", "--format", "json"]}
                if contender == "pywikibot":
                    extra["pywikibot_dir"] = str(runner.root / "pywikibot" / f"run{n}-{size}")
                spec = contender_spec(contender, creds, texts, **extra)
                label = {"case": f"sample {size}", "contender": contender, "run": n}
                first = runner.measure(spec, pid, phase="first", **label)
                if n == 0:
                    # The queue a first import leaves is the same for every contender (same pages) and
                    # draining it costs about as long as the import: measured once, on the first run.
                    cost = wiki.drain_jobs()
                    first |= {"jobs_cpu": cost.cpu, "jobs": cost.jobs, "jobs_wall": cost.seconds}
                noop = runner.measure(spec, pid, phase="noop", **label)
                results.setdefault((contender, size, "first"), []).append(first)
                results.setdefault((contender, size, "noop"), []).append(noop)
    wiki.down()
    return [
        aggregate(rs, group="side", wiki="plain", contender=c, pages=size, phase=phase,
                  case=f"{'first import' if phase == 'first' else 'no-op pass'} ({size} pages)")
        for (c, size, phase), rs in results.items()
    ]  # fmt: skip


# ------------------------------------------------------------------------------------- NRW


def editor_texts(keys: Sequence[str], count: int) -> dict[str, str]:
    """``count`` Steckbrief pages an editor writes, each citing one real key; every 100th key is
    mistyped (a finding for validate), as editors do."""
    out = {}
    for i in range(count):
        key = keys[i % len(keys)]
        if i % 100 == 99:
            key = key[:-1] + ("0" if key[-1] != "0" else "1")
        out[f"Bench-Steckbrief {i + 1:04d}"] = (
            f"{{{{Steckbrief\n|LeiKa-Schlüssel={key}\n}}}}\n"
            f"Steckbrief einer Redakteurin (Bench, Nr. {i + 1}).\n"
        )
    return out


def nrw_rows(runner: Runner, wiki: BenchWiki, *, runs: int, rows: list[dict[str, Any]]) -> None:
    """ozgwiki on the real catalogue, in the order a wiki lives through: import, no-op runs, validate.
    Each row lands in ``rows`` as soon as it is measured (a later failure keeps the earlier rows)."""
    try:
        _nrw_rows(runner, wiki, runs=runs, rows=rows)
    finally:
        wiki.down()


def _nrw_rows(runner: Runner, wiki: BenchWiki, *, runs: int, rows: list[dict[str, Any]]) -> None:
    from ozgwiki.catalogue import load

    catalogue = load("nrw")
    targets = import_targets(catalogue)
    texts = write_targets(targets, runner.root / "nrw-texts.json")
    pages = len(targets)
    pid = wiki.fresh()
    creds = wiki.credentials()
    config = str(bench_config(wiki.directory, manifest="nrw"))

    def cli(case: str, argv: list[str], n: int = 1, *, jobs: bool = False, **fields: Any) -> dict[str, Any]:
        got = []
        for i in range(n):
            spec = contender_spec("ozgwiki", creds, texts, config=config, argv=[*argv, "--format", "json"])
            r = runner.measure(spec, pid, case=case, contender="ozgwiki", run=i)
            if jobs:
                cost = wiki.drain_jobs()
                r |= {"jobs_cpu": cost.cpu, "jobs": cost.jobs, "jobs_wall": cost.seconds}
            got.append(r)
        row = aggregate(got, group="nrw", wiki="plain", contender="ozgwiki", case=case, **fields)
        rows.append(row)
        return row

    runner.log(f"NRW: first import of {pages} pages (one run, ~10+ minutes)")
    cli("(a) first import", ["import"], jobs=True, pages=pages, phase="first")
    cli("(b) no-op import", ["import"], runs, pages=pages, phase="noop")
    got = [
        runner.measure(contender_spec("bare", creds, texts), pid, case="bare batched read", contender="bare")
        for _ in range(runs)
    ]
    rows.append(aggregate(got, group="nrw", wiki="plain", contender="bare", case="(b) bare batched read",
                          pages=pages, phase="noop"))  # fmt: skip
    cli("(d) regenerate, first", ["regenerate"], phase="first")
    cli("(d) regenerate, no-op", ["regenerate"], runs, phase="noop")
    cli("(c) validate, first (full scan)", ["validate"], phase="first")
    cli("ozgwiki run (settling)", ["run"], phase="first")
    cli("(b) no-op run", ["run"], runs, pages=pages, phase="noop")
    keys = sorted(x.schluessel for x in catalogue.leika_leistungen)
    edits = write_targets([Target(t, x, "Steckbrief") for t, x in editor_texts(keys, EDITOR_EDITS).items()],
                          runner.root / "editor-texts.json")  # fmt: skip
    got = [runner.measure(contender_spec("bare", wiki.credentials(editor=True), edits,
                                         summary="Steckbrief bearbeitet"),
                          pid, case="editor edits", contender="bare (editor)")]  # fmt: skip
    rows.append(aggregate(got, group="nrw", wiki="plain", contender="bare (editor)",
                          case=f"(c) {EDITOR_EDITS:,} editor edits (bare loop, no target)",
                          pages=EDITOR_EDITS, phase="first"))  # fmt: skip
    cli(f"(c) validate after {EDITOR_EDITS:,} editor edits", ["validate"], phase="after-edits",
        pages=EDITOR_EDITS)  # fmt: skip
    # 10×: a first import of 118,000 pages would take hours here; what grows with the catalogue (load,
    # plans, the engine's chunks, the report) is measured by a dry run against the wiki holding 1×.
    from bench.generate import generate

    runner.log("10×: import --dry-run of the generated catalogue against the wiki holding the real one")
    manifest = generate(10, runner.root / "x10")
    argv = ["import", "--dry-run", "-q", "--catalogue", str(manifest)]
    got = [runner.measure(contender_spec("ozgwiki", creds, texts, config=config, argv=argv), pid,
                          case="10x dry run", contender="ozgwiki")]  # fmt: skip
    rows.append(aggregate(got, group="nrw", wiki="plain", contender="ozgwiki", factor=10, phase="scale",
                          case="10× catalogue: import --dry-run, wiki holding the real one"))  # fmt: skip
    wiki.down()
    load = runner.measure({"contender": "load", "catalogue": "nrw", "repeat": 7}, None,
                          case="catalogue load", contender="ozgwiki")  # fmt: skip
    rows.append(aggregate([load], group="nrw", wiki="none", contender="ozgwiki",
                          case="(e) catalogue load (nrw, median of 7)", phase="load"))  # fmt: skip


# ------------------------------------------------------------------------------------- 10×


def scale_rows(root: Path, log: Callable[[str], None]) -> tuple[list[dict[str, Any]], str]:
    """H3's client-side 10× rows (bench/scale.py), or a note saying why there are none."""
    try:
        from bench import scale  # type: ignore[attr-defined]
    except ImportError:
        return [], "bench/scale.py is not there yet: the 10× rows are missing (hook in bench/run.py)."
    log("10×: bench.scale.run()")
    got = scale.run(runs=1)  # client CPU of one process per case; three runs add 8 minutes
    return [{**report.as_mapping(r), "group": "scale"} for r in got], ""


# ------------------------------------------------------------------------------------- SMW


def smw_setup(root: Path) -> tuple[Credentials, Path]:
    """Credentials and a bench copy of the SMW bot config (state folder of the bench's own)."""
    import yaml

    from ozgwiki.config import load_config

    suite = Path(os.environ[SMW_CONFIG_ENV]).expanduser()
    data = yaml.safe_load(suite.read_text(encoding="utf-8")) or {}
    bot_path = (suite.parent / data["bot"]).resolve()
    config = load_config(bot_path)
    raw = yaml.safe_load(bot_path.read_text(encoding="utf-8")) or {}
    if raw.get("wiki", {}).get("password_file"):
        raw["wiki"]["password_file"] = str((bot_path.parent / raw["wiki"]["password_file"]).resolve())
    raw["state"] = {"dir": str(root / "smw-state")}
    copy = root / "smw-bot.yaml"
    copy.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    copy.chmod(0o600)
    return Credentials(config.wiki.api_url, config.wiki.username, config.wiki.password()), copy


def smw_rows(runner: Runner, targets: list[Target], *, runs: int, first: str) -> list[dict[str, Any]]:
    """On the SMW wiki: ``first`` writes the sample into the empty wiki, then every contender's no-op."""
    from ozgwiki.config import load_config
    from ozgwiki.wiki.site import Site

    creds, config = smw_setup(runner.root)
    site = Site.from_config(load_config(config))
    site.login()
    there = sorted({i.title for i in site.pages_info([t.title for t in targets], existing=True).values()})
    if there:
        raise SystemExit(
            f"the SMW wiki at {creds.api_url} already holds {len(there)} of the sample's {len(targets)} "
            f"pages (e.g. {there[0]!r}); the bench needs it without them -- have its admin reset it, or "
            f"unset ${SMW_CONFIG_ENV}"
        )
    pid_env = os.environ.get(SERVER_PID_ENV)
    pid = int(pid_env) if pid_env else None
    texts = write_targets(targets, runner.root / "sample-texts.json")
    rows = []

    def spec(contender: str, n: int) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if contender == "ozgwiki":
            extra = {"config": str(config), "argv": ["import", "--format", "json"]}
        if contender == "pywikibot":
            extra = {"pywikibot_dir": str(runner.root / "pywikibot" / f"smw{n}")}
        return contender_spec(contender, creds, texts, **extra)

    got = [runner.measure(spec(first, 0), pid, case="smw first", contender=first, phase="first")]
    rows.append(aggregate(got, group="smw", wiki="smw", contender=first, pages=len(targets), phase="first",
                          case=f"first import ({len(targets)} pages)"))  # fmt: skip
    for contender in CONTENDERS:
        got = [runner.measure(spec(contender, n), pid, case="smw noop", contender=contender, phase="noop")
               for n in range(runs)]  # fmt: skip
        rows.append(aggregate(got, group="smw", wiki="smw", contender=contender, pages=len(targets),
                              phase="noop", case=f"no-op pass ({len(targets)} pages)"))  # fmt: skip
    return rows


# ------------------------------------------------------------------------------------- machine


def machine(wiki: BenchWiki | None, software: dict[str, str]) -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in ("mwclient", "pywikibot", "requests"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:
            versions[name] = "not installed"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "os": platform.platform(),
        **software,
        **versions,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


# ------------------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="sample only, 1 run, no NRW (development)")
    parser.add_argument("--runs", type=int, default=3, help="runs per side-by-side case (median)")
    parser.add_argument("--small", type=int, default=100, help="the smaller sample size (first N pages)")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"work folder ({DEFAULT_DIR})")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port of the bench wiki ({DEFAULT_PORT})"
    )
    parser.add_argument("--no-nrw", action="store_true", help="leave out the real-catalogue rows")
    parser.add_argument("--smw-first", default="ozgwiki", choices=CONTENDERS,
                        help="who writes the sample into the empty SMW wiki (one per reset)")  # fmt: skip
    parser.add_argument("--out-md", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument("--out-svg", type=Path, default=REPO / "docs" / "benchmarks.svg")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else max(1, args.runs)
    root = args.dir.absolute()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    # pywikibot keeps its config, password and login cookie per folder; an earlier bench's folders
    # name the accounts of a wiki that has since been installed anew.
    shutil.rmtree(root / "pywikibot", ignore_errors=True)
    # The other contenders load from the byte code pip wrote when it installed them; ozgwiki, installed
    # editable, would be compiled from source in every worker where PYTHONDONTWRITEBYTECODE is set
    # (0.15 s of a 0.6 s no-op run). Compile it once, as `pip install` of a wheel does.
    compileall.compile_dir(REPO / "ozgwiki", quiet=1)
    t0 = time.monotonic()

    def log(line: str) -> None:
        print(f"[{time.monotonic() - t0:7.1f} s] {line}", flush=True)

    from ozgwiki.catalogue import load

    runner = Runner(root, sys.executable, log)
    wiki = BenchWiki(root, args.port)
    log(f"bench wiki in {wiki.directory} on port {args.port}: install, deploy, snapshot")
    wiki.prepare(sys.executable)
    wiki.fresh()
    software = wiki.software()
    wiki.down()
    targets = import_targets(load())
    sizes = sorted({min(args.small, len(targets)), len(targets)})
    log(f"side by side: {len(targets)} sample pages, sizes {sizes}, {runs} run(s)")
    given = sys.argv[1:] if argv is None else list(argv)
    command = os.environ.get(COMMAND_ENV) or " ".join(["python -m bench", *map(shlex.quote, given)])
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    raw = root / "results.json"

    def save() -> dict[str, Any]:
        """The results so far, on disk after every block: a block that fails later loses nothing."""
        results = {
            "command": command,
            "machine": machine(wiki, software),
            "rows": rows,
            "notes": notes,
            "minutes": (time.monotonic() - t0) / 60,
            "sample_pages": len(targets),
        }
        raw.write_text(json.dumps(results, indent=1), encoding="utf-8")
        (root / "runs.json").write_text(json.dumps(runner.runs, indent=1), encoding="utf-8")
        return results

    def block(name: str, measure: Callable[[list[dict[str, Any]]], object]) -> bool:
        """Run one block, which adds its rows to the list it is given; a failure is a note in the
        report (and exit 1), never lost rows."""
        try:
            measure(rows)
        except Exception as exc:  # any failure of a block is reported; the other blocks still run
            log(f"{name} failed: {type(exc).__name__}: {exc}")
            notes.append(f"The {name} rows failed: `{type(exc).__name__}: {str(exc)[:300]}`.")
            return False
        finally:
            save()
        return True

    ok = block(
        "side-by-side", lambda out: out.extend(side_by_side(runner, wiki, targets, runs=runs, sizes=sizes))
    )
    if args.quick or args.no_nrw:
        notes.append("The real-catalogue rows were left out (`--quick` / `--no-nrw`).")
    else:
        ok = block("real-catalogue", lambda out: nrw_rows(runner, wiki, runs=runs, rows=out)) and ok
    if args.quick:
        notes.append("10× rows not run with `--quick`.")
    else:

        def scaled(out: list[dict[str, Any]]) -> None:
            found, note = scale_rows(root, log)
            out.extend(found)
            if note:
                notes.append(note)

        ok = block("10×", scaled) and ok
    if os.environ.get(SMW_CONFIG_ENV):
        log(f"SMW: {os.environ[SMW_CONFIG_ENV]}")
        ok = (
            block("SMW", lambda out: out.extend(smw_rows(runner, targets, runs=runs, first=args.smw_first)))
            and ok
        )
    else:
        notes.append(f"No SMW rows: ${SMW_CONFIG_ENV} was not set.")
    results = save()
    report.write(results, args.out_md, args.out_svg)
    log(f"wrote {args.out_md} and {args.out_svg} (raw: {raw}); {results['minutes']:.1f} min")
    return 0 if ok else 1
