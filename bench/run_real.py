"""Time the whole cron job, ``ozgwiki run``, on a fresh local wiki: a first run and a no-op run.

    python -m bench.run_real [--sample] [--dir PATH] [--port N] [--keep]

Each run is the real command in a subprocess (``python -m ozgwiki --config … run --format json``), so
the numbers include start-up, login, deploy, import, validate and regenerate exactly as cron sees them.
The wiki is set up afresh in its own folder (default ``/tmp/ozgwiki-bench-run`` on port 8094) and
stopped afterwards; the real catalogue (the shipped ``nrw``) takes minutes, the sample seconds.

Not part of ``python -m bench`` (no ``run()``): it writes a wiki.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ozgwiki.localwiki import LocalWiki

DEFAULT_DIR = Path(tempfile.gettempdir()) / "ozgwiki-bench-run"
DEFAULT_PORT = 8094


def write_config(wiki: LocalWiki, *, sample: bool) -> Path:
    """The local wiki's config plus a catalogue manifest (real data) and a state folder of its own."""
    config = wiki.directory / "bench.yaml"
    text = (wiki.directory / "ozgwiki.yaml").read_text(encoding="utf-8")
    text += f"state:\n  dir: {wiki.directory / 'bench-state'}\n"
    if not sample:
        text += "catalogue:\n  manifest: nrw\n"  # the real catalogue, shipped as package data
    config.write_text(text, encoding="utf-8")
    return config


def one_run(label: str, config: Path) -> dict[str, Any]:
    """Run ``ozgwiki run`` once and print its time, requests and edits per step."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "ozgwiki", "--config", str(config), "run", "--format", "json"],
        capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if proc.returncode > 1:
        print(proc.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"{label}: ozgwiki run exited {proc.returncode}")
    report = json.loads(proc.stdout)
    stats = report["stats"]
    print(f"{label}: {seconds:.1f} s, exit {proc.returncode}, {stats['total_requests']} API requests "
          f"{dict(sorted(stats['requests'].items()))}, {stats['edits_sent']} edits")  # fmt: skip
    for step in report["steps"]:
        print(f"  {step['step']:<10} {step['summary']}")
    return {"seconds": seconds, "requests": stats["total_requests"], "edits": stats["edits_sent"]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_real", description=__doc__.split("\n")[0])
    parser.add_argument("--sample", action="store_true", help="the shipped sample instead of nrw")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"wiki folder ({DEFAULT_DIR})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT})")
    parser.add_argument("--keep", action="store_true", help="leave the wiki running afterwards")
    args = parser.parse_args(argv)
    wiki = LocalWiki(args.dir, args.port)
    wiki.down()
    shutil.rmtree(args.dir, ignore_errors=True)
    up = wiki.up()
    print(f"fresh wiki {up.api_url} in {up.seconds:.1f} s; catalogue: {'sample' if args.sample else 'nrw'}")
    try:
        config = write_config(wiki, sample=args.sample)
        one_run("first run", config)
        second = one_run("no-op run", config)
        return 0 if second["edits"] == 0 else 1
    finally:
        if not args.keep:
            wiki.down()


if __name__ == "__main__":
    sys.exit(main())
