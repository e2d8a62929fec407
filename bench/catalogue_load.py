"""How long loading and validating a catalogue takes: the real one (5,249 rows + 427 Kommunen) and
the sample. The target for the real catalogue is well under 2 s; bots load it on every run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from ozgwiki.catalogue import load, sample_path, shipped_path

NRW = shipped_path("nrw").parent  # the real catalogue, shipped as package data


@dataclass(frozen=True)
class Row:
    case: str
    size: int
    runs: int
    median: float
    minimum: float
    maximum: float


def _time(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm-up: imports, file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _row(case: str, size: int, times: list[float]) -> Row:
    return Row(case, size, len(times), statistics.median(times), min(times), max(times))


def run(runs: int = 7) -> list[Row]:
    rows = []
    sample = load(sample_path())
    rows.append(
        _row("sample catalogue", len(sample.leika_leistungen), _time(lambda: load(sample_path()), runs))
    )
    size = sum(1 for _ in (NRW / "ozg_umsetzungskatalog.csv").open(encoding="utf-8-sig")) - 1
    size += sum(1 for _ in (NRW / "nrw_gemeinden_kreise.csv").open(encoding="utf-8")) - 1
    rows.append(_row("real catalogue + Kommunen (nrw)", size, _time(lambda: load("nrw"), runs)))
    return rows
