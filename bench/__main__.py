"""Run all benchmarks and print one table: ``python -m bench [NAME ...] [--runs N]``.

``python -m bench.import_real`` imports the full real catalogue into a local wiki (minutes; not run here).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

import bench


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmark modules to run (default: all)")
    parser.add_argument("--runs", type=int, default=7, help="runs per case; the median is reported")
    args = parser.parse_args(argv)
    found = [
        m.name for m in pkgutil.iter_modules([str(Path(bench.__file__).parent)]) if not m.name.startswith("_")
    ]
    names = args.names or found
    rows: list[tuple[str, str, str, str, str, str]] = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        run = getattr(module, "run", None)
        if run is None:
            continue
        for r in run(runs=args.runs):
            rows.append(
                (
                    f"{name}: {r.case}",
                    str(r.size),
                    f"{r.median:.3f}",
                    f"{r.minimum:.3f}",
                    f"{r.maximum:.3f}",
                    str(r.runs),
                )
            )
    header = ("case", "rows", "median s", "min s", "max s", "runs")
    widths = [max(len(x[i]) for x in [header, *rows]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *rows]:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(line, widths, strict=True))
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
