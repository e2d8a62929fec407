"""The roadmap at a glance: a Gantt-style month grid as a plain coloured wikitable. Pure.

One row per Umsetzungsprojekt, one column per month across the whole span, each cell coloured by the
phase running in that month and marked with the phase's letter (so it reads without colour, too).
Inline styles only: it works on every wiki, with or without site CSS or Semantic MediaWiki.

A phase runs from its month until the next phase (in calendar order) begins; the last phase is shown
in its own month only (it is a start date, not a span). Months are taken as they are: when the data
puts a later phase before an earlier one (Sprengstofferlaubnis: Inbetriebnahme NRW in June 2021,
Umsetzung in December 2021), the grid shows the months in calendar order, the project stays in the
grid, and a visible warning names the phases (``Zeitplan.out_of_order``).

:func:`grid` computes the grid as data; :func:`render` writes it as wikitext and ``ozgwiki export``
(:mod:`ozgwiki.export.roadmap`) draws the same grid as an SVG picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ozgwiki.domain.model import MONATE, Monat, Phase, Zeitplan
from ozgwiki.render.facts import PHASE_PROPERTIES, Facts, Subject
from ozgwiki.wikitext import escape  # one escaping rule for every generated table

#: Background colour and letter per phase (light to dark as the project advances).
PHASE_STYLE: dict[Phase, tuple[str, str]] = {
    Phase.VORBEREITUNG: ("#dbe9f6", "V"),
    Phase.KONZEPTION: ("#9fc5e8", "K"),
    Phase.UMSETZUNG: ("#ffe599", "U"),
    Phase.PILOTIERUNG_NRW: ("#f9cb9c", "P"),
    Phase.INBETRIEBNAHME_NRW: ("#b6d7a8", "I"),
    Phase.START_BUNDESWEITER_ROLLOUT: ("#6aa84f", "R"),
}
WARNING_STYLE = "color:#b32424;font-weight:bold"


def zeitplan_of(subject: Subject) -> Zeitplan:
    """The months of a project's phases from its stored dates (a day, if given, is ignored)."""
    items = []
    for phase, prop in PHASE_PROPERTIES.items():
        value = subject.first(prop)
        if value:
            items.append((phase, Monat.parse(value[:7])))
    return Zeitplan(items)


def _next(m: Monat) -> Monat:
    return Monat(m.jahr + m.monat // 12, m.monat % 12 + 1)


def months_between(first: Monat, last: Monat) -> list[Monat]:
    out = [first]
    while out[-1] < last:
        out.append(_next(out[-1]))
    return out


def phase_in(plan: Zeitplan, month: Monat) -> Phase | None:
    """The phase running in ``month``: the latest start on or before it (ties: the later phase)."""
    started = [(m, p.rang, p) for p, m in plan.items() if m <= month]
    if not started:
        return None
    last_start = max(m for m in plan.values())
    m, _rang, phase = max(started)
    if m == last_start and month > m:
        return None  # the last phase is a start date: shown in its own month only
    return phase


@dataclass(frozen=True)
class Warning:
    """Two phases whose months run backwards, worded for the wiki."""

    title: str
    label: str
    text: str


def warnings_of(rows: Sequence[Subject], facts: Facts) -> list[Warning]:
    out = []
    for s in rows:
        for p1, m1, p2, m2 in zeitplan_of(s).out_of_order():
            text = f"{p2.label} ({m2}) liegt vor {p1.label} ({m1}) – bitte den Zeitplan prüfen"
            out.append(Warning(s.title, facts.label(s.title), text))
    return out


def legend() -> str:
    items = [
        f'<span style="background:{colour};padding:0 0.4em;border:1px solid #a2a9b1">{letter}</span>'
        f" {phase.label}"
        for phase, (colour, letter) in PHASE_STYLE.items()
    ]
    return "Legende: " + " · ".join(items)


@dataclass(frozen=True)
class GridRow:
    """One project of the grid: its page, the name shown, the phase of each month (None: no phase)
    and whether a warning names it."""

    title: str
    label: str
    cells: tuple[Phase | None, ...]
    flagged: bool


@dataclass(frozen=True)
class Grid:
    """The month grid as data, so the wiki table (:func:`render`) and the SVG of ``ozgwiki export``
    show the same months, rows, phases and warnings."""

    months: tuple[Monat, ...]
    rows: tuple[GridRow, ...]
    warnings: tuple[Warning, ...]

    @property
    def years(self) -> dict[int, int]:
        """Year -> how many of its months the span holds, in calendar order (the header's spans)."""
        years: dict[int, int] = {}
        for m in self.months:
            years[m.jahr] = years.get(m.jahr, 0) + 1
        return years


def month_abbr(month: Monat) -> str:
    """The column heading of a month: its first three letters (``Mär``)."""
    return MONATE[month.monat - 1][:3]


def grid(rows: Sequence[Subject], facts: Facts) -> Grid | None:
    """The grid for ``rows`` (already selected and sorted); None when no project has a month."""
    plans = [(s, zeitplan_of(s)) for s in rows]
    months = [m for _s, plan in plans for m in plan.values()]
    if not months:
        return None
    span = tuple(months_between(min(months), max(months)))
    warnings = tuple(warnings_of(rows, facts))
    flagged = {w.title for w in warnings}
    return Grid(
        months=span,
        rows=tuple(
            GridRow(s.title, facts.label(s.title), tuple(phase_in(plan, m) for m in span), s.title in flagged)
            for s, plan in plans
        ),
        warnings=warnings,
    )


def render(rows: Sequence[Subject], facts: Facts, *, empty: str) -> str:
    """The grid for ``rows`` (already selected and sorted), its legend and the order warnings."""

    g = grid(rows, facts)
    if g is None:
        return empty
    lines = ['{| class="wikitable ozg-gantt" style="text-align:center;font-size:85%"']
    lines.append(
        '! rowspan="2" style="text-align:left" | Umsetzungsprojekt'
        + "".join(f' !! colspan="{n}" | {year}' for year, n in g.years.items())
    )
    lines.append("|-")
    lines.append("! " + " !! ".join(month_abbr(m) for m in g.months))
    for row in g.rows:
        lines.append("|-")
        name = escape.link(row.title, row.label)
        if row.flagged:
            name += f' <span style="{WARNING_STYLE}" title="Phasen in falscher Reihenfolge">⚠</span>'
        lines.append(f'! style="text-align:left;white-space:nowrap" | {name}')
        cells = []
        for m, phase in zip(g.months, row.cells, strict=True):
            if phase is None:
                cells.append(" ")
            else:
                colour, letter = PHASE_STYLE[phase]
                cells.append(
                    f' style="background:{colour}" title="{escape.cell(phase.label)} ({m})" | {letter} '
                )
        lines.append("|" + "||".join(cells).rstrip())
    lines.append("|}")
    lines.append(legend())
    for w in g.warnings:
        lines.append(
            f'<div class="ozg-warnung" style="{WARNING_STYLE}">⚠ Phasen in falscher Reihenfolge: '
            f"{escape.link(w.title, w.label)}: {escape.cell(w.text)}.</div>"
        )
    return "\n".join(lines)
