"""The bench's report: ``docs/benchmarks.md`` (every row, the ratios, the targets) and
``docs/benchmarks.svg`` (requests and wall time against pages written), both from the results only.

    python -m bench.report RESULTS.json [--out-md PATH] [--out-svg PATH]

Pure: rows in, text out. The SVG is written by hand (no plotting library in the bench environment):
two panels with log-scaled axes, one polyline with points per contender.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from bench.measure import ratio

#: Server CPU per edit of the first import before issue 13 (plain MediaWiki, sample, this machine kind).
TODAY_SERVER_CPU_PER_EDIT = 0.117
#: The same on Semantic MediaWiki as issue 13 gives it: "about four times as much" as plain MediaWiki.
TODAY_SMW_SERVER_CPU_PER_EDIT = 4 * TODAY_SERVER_CPU_PER_EDIT
SERVER_CPU_SHARE = 0.60
FIRST_WALL_RATIO = 1.10
NOOP_WALL_RATIO = 1.5
RSS_LIMIT_MB = 200.0
LOAD_LIMIT_S = 1.0
LABELS = {"bare": "bare loop", "mwclient": "mwclient", "pywikibot": "pywikibot", "ozgwiki": "ozgwiki"}
COLOURS = {"bare": "#555555", "mwclient": "#1f77b4", "pywikibot": "#d62728", "ozgwiki": "#2ca02c"}


def as_mapping(row: Any) -> dict[str, Any]:
    """A row of any shape (dict, dataclass, object with attributes) as a dict."""
    if isinstance(row, Mapping):
        return dict(row)
    if dataclasses.is_dataclass(row) and not isinstance(row, type):
        return dataclasses.asdict(row)
    return dict(vars(row))


# ------------------------------------------------------------------------------------- numbers


def fmt_s(v: float | None) -> str:
    if v is None:
        return "n/a"
    return f"{v:.2f} s" if v < 10 else f"{v:.1f} s"


def fmt_ms(v: float | None) -> str:
    return "n/a" if v is None else f"{v * 1000:.0f} ms"


def fmt_n(v: float | None) -> str:
    if v is None:
        return "n/a"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def fmt_bytes(v: float | None) -> str:
    if v is None:
        return "n/a"
    for unit, size in (("MB", 1e6), ("kB", 1e3)):
        if v >= size:
            return f"{v / size:.1f} {unit}"
    return f"{v:.0f} B"


def fmt_ratio(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.2f}×"


def fmt_mb(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.0f} MB"


def noop_request_limit(pages: int) -> int:
    """Issue 13: a no-op run may send at most ⌈pages / 500⌉ + 10 requests (``apihighlimits``)."""
    return math.ceil(pages / 500) + 10


def validate_request_limit(edits: int) -> int:
    """Issue 13: validate after ``edits`` editor edits may send at most ⌈edits / 50⌉ + 10 requests."""
    return math.ceil(edits / 50) + 10


def met(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def fmt_met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**not met**")


# ------------------------------------------------------------------------------------- finding rows


def find(rows: Iterable[Mapping[str, Any]], **match: Any) -> Mapping[str, Any] | None:
    for r in rows:
        if all(r.get(k) == v for k, v in match.items()):
            return r
    return None


def side_sizes(rows: Sequence[Mapping[str, Any]], wiki: str = "plain") -> list[int]:
    return sorted({int(r["pages"]) for r in rows if r.get("group") == "side" and r.get("wiki") == wiki})


def targets(rows: Sequence[Mapping[str, Any]], sample_pages: int) -> list[dict[str, Any]]:
    """Every target of issue 13 item 3 with what was measured against it and whether it is met."""
    out: list[dict[str, Any]] = []

    def add(name: str, measured: str, limit: str, ok: bool | None) -> None:
        out.append({"target": name, "measured": measured, "limit": limit, "met": ok})

    size = max(side_sizes(rows), default=sample_pages)
    oz = find(rows, group="side", contender="ozgwiki", pages=size, phase="first")
    bare = find(rows, group="side", contender="bare", pages=size, phase="first")
    if oz and bare:
        r = ratio(oz["wall"], bare["wall"])
        add(f"first import (sample, {size} pages): wall vs bare loop", fmt_ratio(r),
            f"≤ {FIRST_WALL_RATIO:.2f}×", met(r, FIRST_WALL_RATIO))  # fmt: skip
        limit = TODAY_SERVER_CPU_PER_EDIT * SERVER_CPU_SHARE
        v = oz.get("server_cpu_per_edit")
        add("first import: server CPU per page written (plain MediaWiki)", fmt_ms(v),
            f"≤ {limit * 1000:.0f} ms (60 % of {TODAY_SERVER_CPU_PER_EDIT * 1000:.0f} ms)",
            met(v, limit))  # fmt: skip
    smw = find(rows, group="smw", phase="first")
    if smw:
        limit = TODAY_SMW_SERVER_CPU_PER_EDIT * SERVER_CPU_SHARE
        v = smw.get("server_cpu_per_edit")
        add(f"first import on SMW ({smw['contender']}): server CPU per page written", fmt_ms(v),
            f"≤ {limit * 1000:.0f} ms (60 % of ≈ {TODAY_SMW_SERVER_CPU_PER_EDIT * 1000:.0f} ms: issue 13's "
            "\"about four times\" plain MediaWiki)", met(v, limit))  # fmt: skip

    def noop(label: str, row: Mapping[str, Any] | None, read: Mapping[str, Any] | None, pages: int) -> None:
        if row is None:
            return
        add(f"{label}: edits", fmt_n(row["edits"]), "0", row["edits"] == 0)
        lim = noop_request_limit(pages)
        add(f"{label}: requests", fmt_n(row["requests"]), f"≤ {lim} (⌈{pages:,}/500⌉ + 10)",
            met(row["requests"], lim))  # fmt: skip
        if read is not None:
            r = ratio(row["wall"], read["wall"])
            add(f"{label}: wall vs bare batched read ({fmt_s(read['wall'])})", fmt_ratio(r),
                f"≤ {NOOP_WALL_RATIO:.1f}×", met(r, NOOP_WALL_RATIO))  # fmt: skip

    noop(f"no-op import (sample, {size} pages)",
         find(rows, group="side", contender="ozgwiki", pages=size, phase="noop"),
         find(rows, group="side", contender="bare", pages=size, phase="noop"), size)  # fmt: skip
    read = find(rows, group="nrw", case="(b) bare batched read")
    nrw_import = find(rows, group="nrw", case="(b) no-op import")
    pages = int((nrw_import or {}).get("pages") or 0)
    noop(f"no-op import (NRW, {pages:,} pages)", nrw_import, read, pages)
    run = find(rows, group="nrw", case="(b) no-op run")
    noop(f"no-op run (NRW, {pages:,} import pages)", run, read, pages)
    for r in rows:
        if r.get("group") == "nrw" and r.get("phase") == "after-edits":
            lim = validate_request_limit(int(r["pages"]))
            add(f"validate after {int(r['pages']):,} editor edits: requests", fmt_n(r["requests"]),
                f"≤ {lim} (⌈{int(r['pages']):,}/50⌉ + 10)", met(r["requests"], lim))  # fmt: skip
    rss = [r for r in rows if r.get("factor") == 10 and r.get("peak_rss_mb")]
    if rss:
        v = max(float(r["peak_rss_mb"]) for r in rss)
        add("peak RSS of the bot at 10× (`import --dry-run`, whole process)", fmt_mb(v),
            f"< {RSS_LIMIT_MB:.0f} MB", v < RSS_LIMIT_MB)  # fmt: skip
    else:
        add("peak RSS of the bot at 10×", "not measured in this run", f"< {RSS_LIMIT_MB:.0f} MB", None)
    load = find(rows, group="nrw", phase="load")
    if load:
        add("catalogue load of the real data (median of 7)", fmt_s(load["wall"]), f"< {LOAD_LIMIT_S:.0f} s",
            load["wall"] < LOAD_LIMIT_S)  # fmt: skip
    return out


# ------------------------------------------------------------------------------------- markdown


def table(header: Sequence[str], body: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in body]
    return lines


def by_action(row: Mapping[str, Any]) -> str:
    items = sorted((row.get("by_action") or {}).items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{k} {fmt_n(v)}" for k, v in items) or "—"


def per_page(row: Mapping[str, Any], key: str) -> float | None:
    pages = row.get("pages")
    return None if not pages or row.get(key) is None else row[key] / pages


def side_tables(rows: Sequence[Mapping[str, Any]], wiki: str) -> list[str]:
    out: list[str] = []
    for size in side_sizes(rows, wiki) or sorted({int(r["pages"]) for r in rows if r.get("wiki") == wiki}):
        for phase, title in (("first", "first import"), ("noop", "no-op pass")):
            got = [r for r in rows if r.get("wiki") == wiki and r.get("group") in ("side", "smw")
                   and int(r.get("pages") or 0) == size and r.get("phase") == phase]  # fmt: skip
            if not got:
                continue
            base = find(got, contender="bare")
            oz = find(got, contender="ozgwiki")
            out += ["", f"### {title}, {size} pages" + (" (SMW)" if wiki == "smw" else ""), ""]
            vs = "vs bare batched read" if phase == "noop" else "vs bare loop"
            out += table(
                ["contender", "wall", "requests", "requests/page", "edits", "sent", "received", "peak RSS",
                 "bot CPU", "server CPU", "server CPU/edit", "job queue CPU", f"wall {vs}",
                 f"requests {vs}", "runs"],
                [[LABELS.get(r["contender"], r["contender"]), fmt_s(r["wall"]), fmt_n(r["requests"]),
                  f"{per_page(r, 'requests'):.2f}" if per_page(r, "requests") is not None else "n/a",
                  fmt_n(r["edits"]), fmt_bytes(r["bytes_sent"]), fmt_bytes(r["bytes_received"]),
                  fmt_mb(r["peak_rss_mb"]), fmt_s(r.get("bot_cpu")), fmt_s(r.get("server_cpu")),
                  fmt_ms(r.get("server_cpu_per_edit")), fmt_s(r.get("jobs_cpu")),
                  fmt_ratio(ratio(r["wall"], base["wall"])) if base else "n/a",
                  fmt_ratio(ratio(r["requests"], base["requests"])) if base else "n/a", str(r["runs"])]
                 for r in sorted(got, key=lambda r: list(LABELS).index(r["contender"])
                                 if r["contender"] in LABELS else 9)],
            )  # fmt: skip
            pwb = find(got, contender="pywikibot")
            if oz and (base or pwb):
                parts = []
                if base:
                    w, q = ratio(oz["wall"], base["wall"]), ratio(oz["requests"], base["requests"])
                    parts.append(f"ozgwiki / bare: wall **{fmt_ratio(w)}**, requests **{fmt_ratio(q)}**")
                if pwb:
                    w, q = ratio(pwb["wall"], oz["wall"]), ratio(pwb["requests"], oz["requests"])
                    parts.append(f"pywikibot / ozgwiki: wall **{fmt_ratio(w)}**, requests **{fmt_ratio(q)}**")
                out += ["", "Ratios (medians): " + "; ".join(parts) + "."]
    return out


def render(results: Mapping[str, Any]) -> str:
    """The whole of docs/benchmarks.md."""
    rows = [as_mapping(r) for r in results["rows"]]
    m = results.get("machine", {})
    command = results.get("command", "make bench")
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{command}` ({m.get('date', '?')}, {results.get('minutes', 0):.0f} min). "
        "Do not edit by hand: run the command again. Raw results: `results.json` in the bench's work "
        "folder; `python -m bench.report <that file>` renders this page from them without measuring.",
        "",
        "## Machine",
        "",
    ]
    lines += table(["", ""], [[k, v] for k, v in m.items()])
    lines += ["", "## Targets (issue 13, item 3)", ""]
    lines += table(
        ["target", "measured", "limit", "met"],
        [[t["target"], t["measured"], t["limit"], fmt_met(t["met"])]
         for t in targets(rows, int(results.get("sample_pages") or 0))],
    )  # fmt: skip
    lines += [
        "",
        "## Side by side: sample catalogue, plain MediaWiki",
        "",
        "Every contender writes the same pages (the texts `ozgwiki import` writes into an empty wiki: "
        "content pages, ID-title redirects, Begriffsklärungen) on its own fresh copy of one installed, "
        "deployed, empty wiki; then a second pass that finds nothing to do (for the bare loop that pass "
        "is the *bare batched read*). Medians over the runs, contenders in rotating order. The smaller "
        "size is the first N pages of the same texts (ozgwiki: the import's own changes through its sync"
        " engine; the full size runs the CLI, `ozgwiki import`).",
    ]
    lines += side_tables(rows, "plain")
    nrw = [r for r in rows if r.get("group") == "nrw"]
    if nrw:
        lines += ["", "## Real NRW catalogue (ozgwiki)", ""]
        lines += table(
            ["case", "pages", "wall", "requests", "edits", "sent", "received", "peak RSS", "bot CPU",
             "server CPU", "server CPU/edit", "job queue CPU", "runs"],
            [[r["case"], fmt_n(r.get("pages")), fmt_s(r["wall"]), fmt_n(r["requests"]), fmt_n(r["edits"]),
              fmt_bytes(r["bytes_sent"]), fmt_bytes(r["bytes_received"]), fmt_mb(r["peak_rss_mb"]),
              fmt_s(r.get("bot_cpu")), fmt_s(r.get("server_cpu")), fmt_ms(r.get("server_cpu_per_edit")),
              fmt_s(r.get("jobs_cpu")), str(r["runs"])] for r in nrw],
        )  # fmt: skip
    scale = [r for r in rows if r.get("group") == "scale"]
    if scale:
        keys = [k for k in scale[0] if k not in ("group",)]
        lines += ["", "## 10× the real catalogue (client side: bench/scale.py)", ""]
        lines += table(keys, [[_cell(r.get(k)) for k in keys] for r in scale])
    smw = [r for r in rows if r.get("wiki") == "smw"]
    if smw:
        lines += [
            "",
            "## Side by side on Semantic MediaWiki",
            "",
            "The SMW wiki cannot be made fresh by the bench: it must hold none of the sample's pages (its "
            "admin resets it before), one contender writes the sample into it (`--smw-first`), then every "
            "contender makes its no-op pass. Server CPU needs `$OZGWIKI_BENCH_SERVER_PID` (else n/a).",
        ]
        lines += side_tables(rows, "smw")
    lines += ["", "## Requests by action", ""]
    lines += table(
        ["group", "case", "contender", "requests by action (medians)"],
        [[r.get("group", ""), r.get("case", ""), LABELS.get(r.get("contender", ""), r.get("contender", "")),
          by_action(r)] for r in rows if r.get("group") != "scale"],
    )  # fmt: skip
    lines += ["", "## How it is measured", ""]
    lines += [
        "- **Each run is a process of its own** (`bench/worker.py`, in `.venv-bench`); *wall* is measured "
        "inside it, from before the contender's library is imported to its last answer (interpreter start "
        "excluded, the same for all); *peak RSS* is the worker's `VmHWM` (not `ru_maxrss`, which Linux "
        "carries over `exec`); *bot CPU* its user+system time.",
        "- **Requests, bytes, edits**: one hook on `requests.adapters.HTTPAdapter.send` in the worker counts "
        "every contender alike: requests by API action (`query(...)` names its prop/list/meta), bytes sent "
        "(URL + body), bytes received (response bodies as delivered), edits (`action=edit` answers that "
        "saved a revision).",
        "- **Server CPU**: utime+stime+cutime+cstime of the wiki's `php -S` from `/proc/<pid>/stat` before "
        "and after the run (Scribunto's `luastandalone` `lua` children count once reaped); *server CPU/edit* "
        "= that / edits. *Job queue CPU*: `runJobs.php` run afterwards as a child (`RUSAGE_CHILDREN`), "
        "apart; side by side only after the first run (the same pages leave the same queue).",
        "- **Baselines**: the bare loop logs in, reads the texts in batches (`titles=` 500 per request with "
        "`apihighlimits`, else 50) and sends one `action=edit` per page that differs; no maxlag, no retries. "
        "mwclient: `site.pages[title].text()` then `Page.edit(text, summary)`. pywikibot: "
        "`PreloadingGenerator(groupsize=500)`, `Page.text = …; Page.save(summary, bot=True)`, with "
        "`put_throttle = 0`, `minthrottle = maxthrottle = 0`, maxlag at its default (`write_maxlag = 5`).",
        "- **Editor edits** for (c) are made by the bare loop logged in as the wiki's editor account (not "
        "through ozgwiki): pages `Bench-Steckbrief NNNN` with one real key each, every 100th mistyped.",
    ]
    for note in results.get("notes", []):
        lines.append(f"- {note}")
    return "\n".join(lines) + "\n"


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.3f}" if v < 100 else f"{v:,.0f}"
    if isinstance(v, Mapping):
        return ", ".join(f"{k} {_cell(x)}" for k, x in v.items())
    return "" if v is None else str(v)


# ------------------------------------------------------------------------------------- SVG


def series(rows: Sequence[Mapping[str, Any]], key: str) -> dict[str, list[tuple[float, float]]]:
    """Per contender, (pages written, value) of the first imports on plain MediaWiki, by pages."""
    out: dict[str, list[tuple[float, float]]] = {}
    for r in rows:
        if r.get("wiki") != "plain" or r.get("phase") != "first" or r.get("group") not in ("side", "nrw"):
            continue
        if r.get("contender") not in LABELS or not r.get("pages") or r.get(key) is None:
            continue
        if r.get("group") == "nrw" and r.get("case") != "(a) first import":
            continue
        out.setdefault(r["contender"], []).append((float(r["pages"]), float(r[key])))
    return {c: sorted(p) for c, p in out.items()}


def _log_ticks(lo: float, hi: float) -> list[float]:
    ticks = []
    for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        for m in (1, 2, 5):
            v = m * 10.0**e
            if lo <= v <= hi:
                ticks.append(v)
    return ticks


def _panel(x0: float, title: str, unit: str, data: Mapping[str, list[tuple[float, float]]]) -> list[str]:
    w, h, left, top, bottom = 420.0, 300.0, 60.0, 30.0, 40.0
    points = [p for ps in data.values() for p in ps]
    out = [
        f'<g transform="translate({x0:.0f},0)">',
        f'<text x="{w / 2:.0f}" y="18" text-anchor="middle" font-weight="bold">{escape(title)}</text>',
    ]
    if not points:
        out += [f'<text x="{w / 2:.0f}" y="{h / 2:.0f}" text-anchor="middle">no data</text>', "</g>"]
        return out
    xs = [p[0] for p in points]
    ys = [p[1] for p in points if p[1] > 0] or [1.0]
    xlo, xhi = min(xs) / 1.5, max(xs) * 1.5
    ylo, yhi = min(ys) / 1.5, max(ys) * 1.5

    def sx(v: float) -> float:
        return left + (math.log10(v) - math.log10(xlo)) / (math.log10(xhi) - math.log10(xlo)) * (
            w - left - 10
        )

    def sy(v: float) -> float:
        v = max(v, ylo)
        return top + (1 - (math.log10(v) - math.log10(ylo)) / (math.log10(yhi) - math.log10(ylo))) * (
            h - top - bottom
        )

    out.append(f'<rect x="{left}" y="{top}" width="{w - left - 10}" height="{h - top - bottom}" '
               'fill="none" stroke="#999"/>')  # fmt: skip
    for t in _log_ticks(xlo, xhi):
        out.append(f'<text x="{sx(t):.1f}" y="{h - bottom + 15}" text-anchor="middle" font-size="10">'
                   f"{t:,.0f}</text>")  # fmt: skip
    for t in _log_ticks(ylo, yhi):
        out.append(f'<line x1="{left}" x2="{w - 10}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 4}" y="{sy(t) + 3:.1f}" text-anchor="end" font-size="10">{t:g}</text>')
    out.append(f'<text x="{(left + w) / 2:.0f}" y="{h - 8}" text-anchor="middle" font-size="11">'
               "pages written (log)</text>")  # fmt: skip
    mid = (top + h - bottom) / 2
    out.append(f'<text x="12" y="{mid:.0f}" text-anchor="middle" font-size="11" '
               f'transform="rotate(-90 12 {mid:.0f})">{escape(unit)} (log)</text>')  # fmt: skip
    for contender, ps in data.items():
        colour = COLOURS.get(contender, "#000")
        coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in ps)
        out.append(f'<polyline class="{escape(contender)}" points="{coords}" fill="none" '
                   f'stroke="{colour}" stroke-width="2"/>')  # fmt: skip
        out += [f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{colour}"/>' for x, y in ps]
    out.append("</g>")
    return out


def svg(rows: Sequence[Mapping[str, Any]]) -> str:
    """Two panels (requests, wall time) against pages written, one line per contender."""
    rows = [as_mapping(r) for r in rows]
    req, wall = series(rows, "requests"), series(rows, "wall")
    contenders = [c for c in LABELS if c in req or c in wall]
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="880" height="340" viewBox="0 0 880 340" '
        'font-family="sans-serif" font-size="12">',
        '<rect width="880" height="340" fill="white"/>',
    ]
    out += _panel(0, "API requests, first import", "requests", req)
    out += _panel(440, "wall time, first import", "seconds", wall)
    for i, c in enumerate(contenders):
        x = 70 + i * 150
        out.append(f'<line x1="{x}" x2="{x + 20}" y1="328" y2="328" stroke="{COLOURS[c]}" stroke-width="2"/>')
        out.append(f'<text x="{x + 25}" y="332">{escape(LABELS[c])}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write(results: Mapping[str, Any], md: Path, svg_path: Path) -> None:
    md.write_text(render(results), encoding="utf-8")
    svg_path.write_text(svg(results["rows"]), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.split("\n")[0])
    parser.add_argument("results", type=Path)
    parser.add_argument(
        "--out-md", type=Path, default=Path(__file__).resolve().parents[1] / "docs/benchmarks.md"
    )
    parser.add_argument(
        "--out-svg", type=Path, default=Path(__file__).resolve().parents[1] / "docs/benchmarks.svg"
    )
    args = parser.parse_args(argv)
    write(json.loads(args.results.read_text(encoding="utf-8")), args.out_md, args.out_svg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
