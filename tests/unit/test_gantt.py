"""The roadmap month grid: spans, phase per month, warnings for phases out of order, golden."""

from __future__ import annotations

import re

import golden
import pytest

from ozgwiki.definitions import schema
from ozgwiki.domain.model import Monat, Phase, Zeitplan
from ozgwiki.render import gantt, overview
from ozgwiki.render.facts import Facts, Subject


def grid(kind_title: str, sample_facts: Facts) -> str:
    loaded = schema.load()
    props = {p.name: p for p in loaded.properties}
    d = next(p for p in loaded.pages if p.file == "pages/roadmap.yaml")
    page = next(p for p in overview.pages_of(d, sample_facts, props) if p.title == kind_title)
    sec = next(s for s in d.sections if s.format == "gantt")
    return overview.render_section(sec, page, sample_facts, props, "static")


@pytest.mark.parametrize(
    ("name", "title"), [("roadmap-zeitplan", "Roadmap"), ("roadmap-umwelt-zeitplan", "Roadmap/Umwelt")]
)
def test_golden_grid(sample_facts: Facts, name: str, title: str) -> None:
    # The grid is the roadmap page's gantt section, rendered static: a case of the overview goldens.
    golden.check(golden.ROOT / "overview" / name / "static.wiki", grid(title, sample_facts) + "\n")


def test_grid_spans_every_month_and_has_one_row_per_project(sample_facts: Facts) -> None:
    text = grid("Roadmap", sample_facts)
    assert 'colspan="12" | 2020 !! colspan="12" | 2021' in text  # Januar 2020 .. Dezember 2021
    rows = [line for line in text.splitlines() if line.startswith('! style="text-align:left;white-space')]
    assert len(rows) == 7
    cells = [line for line in text.splitlines() if line.startswith("|") and not line.startswith(("|-", "|}"))]
    assert all(line.count("||") == 23 for line in cells)  # 24 months per row


def test_sprengstofferlaubnis_is_shown_and_warned_about(sample_facts: Facts) -> None:
    text = grid("Roadmap/Umwelt", sample_facts)
    assert "Sprengstofferlaubnis|Sprengstofferlaubnis]] <span" in text
    assert "Inbetriebnahme NRW (Juni 2021) liegt vor Umsetzung (Dezember 2021)" in text
    row = next(line for line in text.splitlines() if "Umsetzung (Dezember 2021)" in line)
    assert re.findall(r"\| ([VKUPIR])(?= |$)", row) == ["V", "V", "K", "K", "I", "I", "I", "I", "I", "I", "U"]
    assert "Altlasten" in text and "⚠" not in text.split("Altlasten")[1].split("\n")[0]


def test_legend_names_every_phase_with_inline_styles_only(sample_facts: Facts) -> None:
    text = grid("Roadmap", sample_facts)
    for phase in Phase:
        assert phase.label in gantt.legend()
    assert 'class="wikitable ozg-gantt"' in text and "background:#" in text


def test_empty_selection_shows_the_empty_text(sample_facts: Facts) -> None:
    assert grid("Roadmap/Bildung", sample_facts).endswith("''noch keine Umsetzungsprojekte''")


def plan(**months: str) -> Zeitplan:
    return Zeitplan({Phase.parse(k): Monat.parse(v) for k, v in months.items()})


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        ("2020-01", None),
        ("2020-02", Phase.VORBEREITUNG),
        ("2020-03", Phase.VORBEREITUNG),
        ("2020-04", Phase.KONZEPTION),
        ("2020-06", Phase.UMSETZUNG),
        ("2020-07", None),  # the last phase is a start date, shown in its own month only
    ],
)
def test_phase_runs_until_the_next_begins(month: str, expected: Phase | None) -> None:
    p = plan(vorbereitung="2020-02", konzeption="2020-04", umsetzung="2020-06")
    assert gantt.phase_in(p, Monat.parse(month)) is expected


def test_same_month_the_later_phase_wins() -> None:
    p = plan(vorbereitung="2020-01", konzeption="2020-01", umsetzung="2020-03")
    assert gantt.phase_in(p, Monat.parse("2020-01")) is Phase.KONZEPTION


def test_months_between_crosses_years() -> None:
    got = gantt.months_between(Monat(2020, 11), Monat(2021, 2))
    assert [m.iso for m in got] == ["2020-11", "2020-12", "2021-01", "2021-02"]


def test_project_without_months_gives_the_empty_text() -> None:
    s = Subject("Umsetzungsprojekt X", frozenset({"Umsetzungsprojekt"}), {"Name": ("X",)})
    assert gantt.render([s], Facts([s]), empty="''leer''") == "''leer''"
