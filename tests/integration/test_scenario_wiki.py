"""Issue 5, literally: the guide's cycle through the real cron command on the shared local wiki.

An editor (``Redakteurin``, not the bot) writes Steckbriefe the way people do; ``ozgwiki run`` (the
console script cron calls, as a subprocess, sample catalogue) reports the bad keys on a maintenance page
and lists the Steckbriefe on the overview pages; the editor fixes one key, the next run drops that
finding; one more run makes no edit at all.

The run has its own config: its own state folder, switch page and maintenance page
(``validate.report_page``), so the shared wiki's report and switch are never touched. Other tests'
pages live on the same wiki, so the maintenance page and the Steckbriefe section are read only for this
test's title prefix; the Ahaus table and the roadmap hold catalogue data only and are asserted exactly.
Generated sections are read from the saved page text (``sections.get_section``), not from HTML.
Pages are titled by name: their titles come from the sample's title scheme.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO
from wikitables import SHARED_WIKI_IMPORT, bot_wiki_config, maintenance_rows

from ozgwiki.catalogue import load
from ozgwiki.render.maintenance import SECTION as REPORT_SECTION
from ozgwiki.render.plans import title_scheme
from ozgwiki.wiki.site import Site
from ozgwiki.wikitext.sections import get_section

pytestmark = pytest.mark.wiki

OZGWIKI = [str(Path(sys.executable).parent / "ozgwiki")]
SECRET_ENV = "OZGWIKI_IT_SCENARIO_SECRET"

KNOWN = "99012001000000"  # Abbruchgenehmigung, in the sample catalogue
SPACED = "99 012 001 001 000"  # 99012001001000, known, written with spaces
MALFORMED = "9901200100100"  # 13 digits: a digit missing
FIXED = "99012002000000"  # what the editor meant (Abgeschlossenheitsbescheinigung), known
INLINE_KNOWN = "99115003012000"  # known
TRANSPOSED = "99102001001000"  # 99012001001000 with two neighbouring digits swapped: unknown
COMMENTED = "99012001001009"  # unknown, but parked in an HTML comment: must not be reported

PRIO = " Umsetzungspriorität für die Kommunen in NRW"
SCHEME = title_scheme(load())  # the cron run imports the sample catalogue


def steckbrief_a(name: str, third_key: str) -> str:
    return f"""{{{{Steckbrief
| Titel = {name}
| Kommunen = 05554004
| Themenfeld = Bauen & Wohnen
| LeiKa-Schlüssel = {KNOWN}, {SPACED}; {third_key}
| URL = https://www.example.org/ahaus/abbruch
| Status = umgesetzt
| Reifegrad = 3
| Kontakt = Bauordnungsamt
}}}}
Die Abbruchgenehmigung wird online beantragt. Außerdem abgedeckt: {{{{LeiKa|{INLINE_KNOWN}|{TRANSPOSED}}}}}.
<!-- früher stand hier auch {COMMENTED}, gehört aber nicht dazu -->

== Erfahrungen ==
Rund zwei Drittel der Anträge kommen online.
"""


def steckbrief_b(name: str) -> str:
    return f"""{{{{Steckbrief
| Titel = {name}
| Kommunen = alle
| Themenfeld = Bauen & Wohnen
| LeiKa-Schlüssel = {INLINE_KNOWN}
| Status = in Planung
| Reifegrad = 1
| Kontakt = Abfallberatung
}}}}
Noch in Planung.
"""


# ------------------------------------------------------------------------------------------ helpers


@pytest.fixture
def tag(unique: str) -> str:
    """This run's unique title part, spaced as MediaWiki normalises titles (no double spaces)."""
    return " ".join(unique.split())


@pytest.fixture
def scenario(tmp_path: Path, accounts: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tag: str) -> Path:
    """A cron config for the bot: own state dir, own switch page, own maintenance page."""
    monkeypatch.setenv(SECRET_ENV, accounts["bot"]["secret"])
    data = {
        "wiki": bot_wiki_config(accounts, SECRET_ENV),
        "state": {"dir": str(tmp_path / "state")},
        "import": SHARED_WIKI_IMPORT,
        "validate": {"report_page": f"Project:LeiKa-Schlüsselprüfung Szenario {tag}"},
        "run": {"stop_page": f"Benutzer:{{bot}}/Notaus Szenario {tag}", "stop_check_seconds": 0},
    }
    path = tmp_path / "ozgwiki.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def ozgwiki_run(config: Path) -> dict[str, Any]:
    """``ozgwiki --config … run --format json`` as cron calls it (no terminal); the JSON document."""
    done = subprocess.run(
        [*OZGWIKI, "--config", str(config), "run", "--format", "json"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=REPO, env=os.environ.copy(),
        timeout=1800,
    )  # fmt: skip
    # Exit 1: the maintenance page lists findings (ours at least); anything else is a failed run.
    assert done.returncode == 1, done.stdout + done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    assert [s["step"] for s in doc["steps"]] == ["deploy", "import", "validate", "regenerate"]
    assert all(s["status"] in ("ok", "findings") for s in doc["steps"]), doc["steps"]
    return doc


def write(site: Site, title: str, text: str) -> None:
    result = site.edit(title, lambda _old: text, "Steckbrief bearbeitet")
    assert result.outcome.value in ("created", "changed"), result


def section_of(site: Site, title: str, name: str) -> str:
    state = site.read_pages([title])[title]
    assert state.exists, title
    section = get_section(state.text, name)
    assert section is not None, f"[[{title}]] has no section {name}:\n{state.text}"
    return section


def report_rows(site: Site, report_page: str, prefix: str) -> list[tuple[str, str, str]]:
    """(page, key as written, status word) of each maintenance row for pages under ``prefix``."""
    section = section_of(site, report_page, REPORT_SECTION)
    return sorted(row for row in maintenance_rows(section) if row[0].startswith(prefix))


_LINK = re.compile(r"\[\[([^|\]]+)(?:\|([^\]]*))?\]\]")  # [[Titel|Label]] or [[Titel]]


def table_rows(section: str) -> list[tuple[str, list[str]]]:
    """Rows of the static tables in a section: (first column's link target, cell texts).

    Cell texts as a reader sees them: links reduced to their labels, sort attributes dropped.
    """
    rows: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in section.splitlines():
        if line == "|-":
            current = []
        elif line.startswith("|}"):
            current = None
        elif current is not None and line.startswith("|"):
            cell = line[1:].strip()
            if cell.startswith("data-sort-value="):
                cell = cell.split(" | ", 1)[1]
            if not current:
                first = _LINK.match(cell)
                assert first, f"row without a link in its first cell: {line}"
                rows.append((first.group(1), current))
            current.append(_LINK.sub(lambda m: m.group(2) if m.group(2) is not None else m.group(1), cell))
    return rows


def gantt_letters(section: str, project: str) -> list[str]:
    """The phase letter (or "") per month in the month grid's row of ``project``."""
    lines = section.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("! ") and f"[[{project}|" in line)
    cells = lines[head + 1].removeprefix("|").split("||")
    return [c.rsplit("|", 1)[1].strip() if "|" in c else c.strip() for c in cells]


# ------------------------------------------------------------------------------------------ the test


def test_issue_5_editor_writes_cron_reports_editor_fixes_cron_is_quiet(
    scenario: Path, editor_site: Site, bot_site: Site, tag: str
) -> None:
    prefix = f"Steckbrief {tag}"
    a, b = f"{prefix} Abbruch", f"{prefix} Sperrmüll"
    name_a, name_b = f"Online-Abbruchgenehmigung {tag}", f"Sperrmüll-Termin {tag}"
    report_page = f"Project:LeiKa-Schlüsselprüfung Szenario {tag}"

    # 1. The editor writes two Steckbriefe, as people do.
    write(editor_site, a, steckbrief_a(name_a, MALFORMED))
    write(editor_site, b, steckbrief_b(name_b))

    # 2. The cron job.
    ozgwiki_run(scenario)

    assert report_rows(bot_site, report_page, prefix) == sorted(
        [(a, SPACED, "Schreibweise"), (a, MALFORMED, "kein Schlüssel"), (a, TRANSPOSED, "unbekannt")]
    )
    assert COMMENTED not in section_of(bot_site, report_page, REPORT_SECTION)

    themenfeld, ahaus_title = (
        SCHEME.title("themenfeld", "Bauen & Wohnen"),
        SCHEME.title("kommune", "05554004"),
    )
    leads = {i: t for i, t in SCHEME.redirects().items() if t in (themenfeld, ahaus_title)}
    assert len(leads) == 2 and bot_site.redirect_targets(leads) == leads  # the ID titles lead there
    steckbriefe = [
        (target, cells)
        for target, cells in table_rows(section_of(bot_site, themenfeld, "steckbriefe"))
        if target.startswith(prefix)
    ]
    assert steckbriefe == [
        (a, [name_a, "Ahaus", "umgesetzt", "3"]),
        (b, [name_b, "", "in Planung", "1"]),
    ]
    page_text = bot_site.read_pages([themenfeld])[themenfeld].text
    for bad in (MALFORMED, TRANSPOSED, COMMENTED):
        assert bad not in page_text, f"{bad} reached {themenfeld}"

    ahaus = table_rows(section_of(bot_site, ahaus_title, "ozg-leistungen"))
    ozg = {
        ozg_id: SCHEME.title("ozg", ozg_id)
        for ozg_id in ("10513", "10514", "10111", "10110", "10011", "10515")
    }
    assert [(t, c) for t, c in ahaus] == [
        (ozg["10513"], ["Abbruchgenehmigung", "10513", "Kommunal", "Bauen & Immobilien",
                        "Bauen & Wohnen", "1 - höchste" + PRIO]),
        (ozg["10514"], ["Abgeschlossenheitsbescheinigung für Wohnraum", "10514", "Kommunal",
                        "Bauen & Immobilien", "Bauen & Wohnen", "1 - höchste" + PRIO]),
        (ozg["10111"], ["Auskunfts- und Übermittlungssperren im Melderegister, Adressbuchsperre",
                        "10111", "Kommunal", "Wohnen & Umzug", "Bauen & Wohnen", "2 - hohe" + PRIO]),
        (ozg["10110"], ["Abfallentsorgung", "10110", "Land, Kommunal", "Wohnen & Umzug",
                        "Bauen & Wohnen", "3 - niedrige" + PRIO]),
        (ozg["10011"], ["Adoption", "10011", "Land, Kommunal", "Adoption & Pflegekinder",
                        "Familie & Kind", "3 - niedrige" + PRIO]),
        (ozg["10515"], ["Erschließungsbeitrag und Anliegerbescheinigung", "10515", "Land, Kommunal",
                        "Bauen & Immobilien", "Bauen & Wohnen", "3 - niedrige" + PRIO]),
    ]  # fmt: skip

    roadmap = table_rows(section_of(bot_site, "Roadmap", "roadmap"))
    # Umsetzungsprojekt, Themenfeld(er), Status, Vorbereitung, Konzeption, Umsetzung, Pilotierung NRW,
    # Inbetriebnahme NRW, Start bundesweiter Roll-out -- sorted by the phases, then by name; several
    # Themenfelder by title, as the live tables on SMW show them.
    assert [cells for _t, cells in roadmap] == [
        ["Einbürgerung", "Ein- & Auswanderung", "Umsetzung",
         "Januar 2020", "Januar 2020", "Februar 2021", "", "Mai 2021", "August 2021"],
        ["Reitkennzeichen", "Engagement & Hobby", "Umsetzung",
         "März 2020", "April 2020", "Juli 2020", "", "Juni 2021", ""],
        ["Urkundenausgabe", "Familie & Kind, Gesundheit, Querschnitt", "Konzeption",
         "März 2020", "August 2020", "April 2021", "", "Juni 2021", ""],
        ["Altlasten & Bodenschutzkataster", "Umwelt", "Umsetzung",
         "April 2020", "Juni 2020", "Januar 2021", "", "Juli 2021", ""],
        ["Meldebescheinigung & -registerauskunft", "Querschnitt", "Umsetzung",
         "April 2020", "Juli 2020", "Dezember 2020", "", "Juli 2021", ""],
        ["Geringverdiener & Seniorenpass", "Arbeit & Ruhestand", "Konzeption",
         "November 2020", "Januar 2021", "April 2021", "", "Juli 2021", ""],
        ["Sprengstofferlaubnis", "Umwelt", "Vorbereitung",
         "Februar 2021", "April 2021", "Dezember 2021", "", "Juni 2021", ""],
    ]  # fmt: skip
    grid = section_of(bot_site, "Roadmap", "roadmap-zeitplan")
    # Months January 2020 .. December 2021, one letter per phase.
    assert gantt_letters(grid, "Umsetzungsprojekt Einbürgerung") == (
        ["K"] * 13 + ["U"] * 3 + ["I"] * 3 + ["R"] + [""] * 4
    )
    assert gantt_letters(grid, "Umsetzungsprojekt Sprengstofferlaubnis") == (
        [""] * 13 + ["V", "V", "K", "K"] + ["I"] * 6 + ["U"]
    )
    assert (
        "⚠ Phasen in falscher Reihenfolge: [[Umsetzungsprojekt Sprengstofferlaubnis|Sprengstofferlaubnis]]: "
        "Inbetriebnahme NRW (Juni 2021) liegt vor Umsetzung (Dezember 2021) – bitte den Zeitplan prüfen."
    ) in grid

    # 3. The editor fixes the mistyped key; the next run drops that finding and keeps the others.
    write(editor_site, a, steckbrief_a(name_a, FIXED))
    ozgwiki_run(scenario)
    assert report_rows(bot_site, report_page, prefix) == sorted(
        [(a, SPACED, "Schreibweise"), (a, TRANSPOSED, "unbekannt")]
    )

    # 4. Nothing changed since: the cron job sends no edit at all.
    quiet = ozgwiki_run(scenario)
    assert quiet["stats"]["edits_sent"] == 0, [
        (s["step"], p["title"], p["outcome"]) for s in quiet["steps"] for p in s["pages"]
        if p["outcome"] in ("created", "changed")
    ]  # fmt: skip
