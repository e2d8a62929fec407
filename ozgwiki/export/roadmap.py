"""The roadmap's month grid as an SVG picture for slides. Pure (text in, SVG text out).

The grid is the one the wiki's Roadmap page shows (:func:`ozgwiki.render.gantt.grid`): the rows the
definition ``semantic/pages/roadmap.yaml`` selects and sorts, read from the wiki's Umsetzungsprojekt
pages as their template stores them; the same phases per month, the same letters and colours, the
same legend and warnings, in German as on the page. Besides the wiki's warnings (phases out of
order) the picture names dates the wiki cannot read, which the grid has to leave out.

Plain SVG 1.1 text, no library: every text goes through :mod:`xml.sax.saxutils`. 1280 px wide (a
slide), as high as the rows need; one ``<title>`` per cell, so a browser shows "Umsetzung (Dezember
2021)" on hover, like the wiki's table.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from ozgwiki.definitions import schema
from ozgwiki.definitions.schema import PageDef, SectionDef
from ozgwiki.domain.model import Phase
from ozgwiki.errors import PageTextError
from ozgwiki.export.records import UMSETZUNGSPROJEKTE, Page
from ozgwiki.render import gantt, overview
from ozgwiki.render.facts import PHASE_PROPERTIES, Facts, Subject, subject_of
from ozgwiki.render.plans import PHASE_PARAMS
from ozgwiki.wikitext import escape as wikitext_escape
from ozgwiki.wikitext.params import get_template_params

WIDTH = 1280
MARGIN = 24
FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
BORDER = "#a2a9b1"
WARNING_COLOUR = "#b32424"
ROW_HEIGHT = 24
#: Rough width of one character per pixel of font size (DejaVu Sans is wide; this errs on the safe side).
CHAR_WIDTH = 0.62
BAD_DATE = "Datum bitte als JJJJ-MM oder JJJJ-MM-TT angeben"
#: The definition of the wiki's Roadmap page, whose month grid the picture repeats.
ROADMAP_DEFINITION = "pages/roadmap.yaml"


@dataclass(frozen=True)
class DateWarning:
    """A phase date on a project page the wiki cannot read (so the grid leaves it out)."""

    title: str
    label: str
    phase: Phase
    raw: str

    @property
    def text(self) -> str:
        return f"{self.phase.label} „{self.raw}“ – {BAD_DATE}"


@dataclass(frozen=True)
class Roadmap:
    """What the picture shows: the wiki's grid (None: no project has a month) and unreadable dates."""

    heading: str
    empty: str
    grid: gantt.Grid | None
    bad_dates: tuple[DateWarning, ...] = ()


def _roadmap_definition() -> tuple[PageDef, SectionDef]:
    """The Roadmap page's definition and its month-grid section (``format: gantt``)."""
    loaded = schema.load()
    page = next(p for p in loaded.pages if p.file == ROADMAP_DEFINITION)
    return page, next(s for s in page.sections if s.format == "gantt")


def _project_params(pages: Sequence[Page]) -> list[tuple[Page, dict[str, str]]]:
    out = []
    for page in pages:
        try:
            params = get_template_params(page.text, UMSETZUNGSPROJEKTE.template)
        except PageTextError:
            continue  # named as skipped by the records
        if params is not None:
            out.append((page, params))
    return out


def _bad_dates(subject: Subject, params: dict[str, str], facts: Facts) -> list[DateWarning]:
    out = []
    for phase, param in PHASE_PARAMS.items():
        raw = wikitext_escape.unescape(params.get(param, "")).strip()
        if raw and not subject.get(PHASE_PROPERTIES[phase]):
            out.append(DateWarning(subject.title, facts.label(subject.title), phase, raw))
    return out


def roadmap_of(project_pages: Sequence[Page]) -> Roadmap:
    """The roadmap of the Umsetzungsprojekt pages as read from the wiki."""
    definition, section = _roadmap_definition()
    found = _project_params(project_pages)
    subjects = {p.title: subject_of(p.title, UMSETZUNGSPROJEKTE.template, params) for p, params in found}
    facts = Facts(subjects.values())
    rows = overview.select_section(
        section, overview.OverviewPage(definition.title, definition, {}), facts
    ).rows
    bad = [w for p, params in found for w in _bad_dates(subjects[p.title], params, facts)]
    order = {s.title: i for i, s in enumerate(rows)}
    bad.sort(key=lambda w: order.get(w.title, len(order)))
    return Roadmap(section.heading, section.empty, gantt.grid(rows, facts), tuple(bad))


# ------------------------------------------------------------------------------ drawing


def _text(x: float, y: float, content: str, *, size: int = 13, anchor: str = "start", **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>'
        f"{escape(content)}</text>"
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, *, tip: str | None = None) -> str:
    shape = f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}" stroke="{BORDER}"'
    if tip is None:
        return shape + "/>"
    return f"{shape}><title>{escape(tip)}</title></rect>"


def _fit(label: str, width: float, size: int) -> str:
    """``label`` cut to what fits in ``width`` pixels, with an ellipsis when cut."""
    room = int(width / (size * CHAR_WIDTH))
    return label if len(label) <= room else label[: max(room - 1, 1)].rstrip() + "…"


def _wrapped(text: str, size: int) -> list[str]:
    return textwrap.wrap(text, width=int((WIDTH - 2 * MARGIN) / (size * CHAR_WIDTH))) or [""]


#: Room a row label needs besides its text: padding, and the warning sign of a flagged row.
LABEL_PADDING = 12
WARNING_SIGN = 18


def _label_width(grid: gantt.Grid, flagged: set[str]) -> float:
    """The name column: as wide as the longest name needs, at least 180 px, at most 420 px."""
    needed = (
        len(r.label) * 13 * CHAR_WIDTH + LABEL_PADDING + (WARNING_SIGN if r.title in flagged else 0)
        for r in grid.rows
    )
    return min(max(max(needed, default=0.0) + 4, 180.0), 420.0)


def _month_heading(grid: gantt.Grid, index: int, cell: float) -> str:
    name = gantt.month_abbr(grid.months[index])
    if cell >= 24:
        return name
    return name[0] if cell >= 9 else ""


def _grid_parts(grid: gantt.Grid, flagged: set[str], top: float) -> tuple[list[str], float]:
    """The grid's SVG elements from ``top`` down, and the y below it."""
    label_w = _label_width(grid, flagged)
    left = MARGIN + label_w
    cell = (WIDTH - MARGIN - left) / len(grid.months)
    head = 22.0
    out = [_rect(MARGIN, top, label_w, 2 * head, "#eaecf0")]
    out.append(_text(MARGIN + 6, top + head + 6, "Umsetzungsprojekt", font_weight="bold"))
    x = left
    for year, count in grid.years.items():
        out.append(_rect(x, top, count * cell, head, "#eaecf0"))
        out.append(_text(x + count * cell / 2, top + 16, str(year), anchor="middle", font_weight="bold"))
        x += count * cell
    for i in range(len(grid.months)):
        out.append(_rect(left + i * cell, top + head, cell, head, "#eaecf0"))
        heading = _month_heading(grid, i, cell)
        if heading:
            out.append(_text(left + (i + 0.5) * cell, top + head + 15, heading, size=10, anchor="middle"))
    y = top + 2 * head
    for n, row in enumerate(grid.rows):
        out.append(_rect(MARGIN, y, label_w, ROW_HEIGHT, "#f8f9fa" if n % 2 else "#ffffff"))
        name = _fit(row.label, label_w - LABEL_PADDING - (WARNING_SIGN if row.title in flagged else 0), 13)
        out.append(_text(MARGIN + 6, y + 16, name))
        if row.title in flagged:
            out.append(
                _text(
                    MARGIN + label_w - 8, y + 16, "⚠", anchor="end", fill=WARNING_COLOUR, font_weight="bold"
                )
            )
        for i, (month, phase) in enumerate(zip(grid.months, row.cells, strict=True)):
            cx = left + i * cell
            if phase is None:
                out.append(_rect(cx, y, cell, ROW_HEIGHT, "#ffffff"))
                continue
            colour, letter = gantt.PHASE_STYLE[phase]
            out.append(_rect(cx, y, cell, ROW_HEIGHT, colour, tip=f"{phase.label} ({month})"))
            if cell >= 10:
                out.append(_text(cx + cell / 2, y + 16, letter, size=11, anchor="middle"))
        y += ROW_HEIGHT
    x = left
    for count in list(grid.years.values())[:-1]:  # a stronger line where a year ends
        x += count * cell
        out.append(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#54595d"/>')
    return out, y


def _legend_parts(top: float) -> tuple[list[str], float]:
    """„Legende:“ and one swatch with letter and label per phase, wrapped to the width."""
    out = [_text(MARGIN, top + 14, "Legende:", font_weight="bold")]
    x, y = MARGIN + 78.0, top
    for phase, (colour, letter) in gantt.PHASE_STYLE.items():
        width = 26 + len(phase.label) * 13 * CHAR_WIDTH + 18
        if x + width > WIDTH - MARGIN:
            x, y = MARGIN + 78.0, y + 24
        out.append(_rect(x, y, 18, 18, colour))
        out.append(_text(x + 9, y + 14, letter, size=11, anchor="middle"))
        out.append(_text(x + 26, y + 14, phase.label))
        x += width
    return out, y + 24


def _warning_lines(roadmap: Roadmap) -> list[str]:
    """The warnings, worded as on the wiki page (plus the dates the wiki cannot read)."""
    lines = []
    if roadmap.grid is not None:
        lines += [f"⚠ Phasen in falscher Reihenfolge: {w.label}: {w.text}." for w in roadmap.grid.warnings]
    lines += [f"⚠ Ungültige Datumsangabe: {w.label}: {w.text}." for w in roadmap.bad_dates]
    return lines


def to_svg(roadmap: Roadmap, *, stand: date, source: str) -> str:
    """The picture: heading, source and date, the grid (or the empty text), legend, warnings."""
    body = [
        _text(MARGIN, MARGIN + 18, f"Roadmap – {roadmap.heading}", size=20, font_weight="bold"),
        _text(MARGIN, MARGIN + 40, f"Stand: {stand:%d.%m.%Y} · Quelle: {source}", size=12, fill="#54595d"),
    ]
    y = MARGIN + 56.0
    if roadmap.grid is None:
        body.append(_text(MARGIN, y + 18, roadmap.empty, font_style="italic"))
        y += 32
    else:
        flagged = {r.title for r in roadmap.grid.rows if r.flagged} | {w.title for w in roadmap.bad_dates}
        parts, y = _grid_parts(roadmap.grid, flagged, y)
        body += parts
        legend, y = _legend_parts(y + 14)
        body += legend
    for line in _warning_lines(roadmap):
        for part in _wrapped(line, 13):
            y += 20
            body.append(_text(MARGIN, y, part, fill=WARNING_COLOUR, font_weight="bold"))
    height = int(y + MARGIN)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family={quoteattr(FONT)}>\n'
        f"<title>{escape(f'Roadmap – {roadmap.heading}')}</title>\n"
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>\n'
    )
    return head + "\n".join(body) + "\n</svg>\n"
