"""The validate bot against the real local wiki: an editor writes keys, the maintenance page lists them.

Known keys come from the shipped sample catalogue, not from the wiki. Each test uses its own report
page, its own state folder and ``validate.only_prefix`` set to its unique title prefix, so the shared
wiki's other pages (and colleagues' test runs) never show up in its report.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from wikitables import maintenance_rows

from ozgwiki import catalogue
from ozgwiki.bots import validate
from ozgwiki.config import Config
from ozgwiki.engine.bot import BotContext, StepResult
from ozgwiki.render.maintenance import SECTION
from ozgwiki.wiki.site import Site
from ozgwiki.wikitext.sections import get_section

pytestmark = pytest.mark.wiki

KNOWN = "99012001001000"  # in the sample catalogue
KNOWN_2 = "99115003012000"
TYPO = "99102001001000"  # KNOWN with two neighbouring digits swapped: unknown, one suggestion
UNKNOWN = "99012001001009"


def _context(bot_site: Site, tmp_path: Path, unique: str) -> BotContext:
    config = Config(
        wiki=bot_site.wiki,
        path=tmp_path / "ozgwiki.yaml",
        raw={
            "validate": {"report_page": f"Project:LeiKa-Prüfung {unique}", "only_prefix": unique},
            "state": {"dir": str(tmp_path / "state")},
        },
    )
    return BotContext(config, bot_site, bot_site.userinfo.name, catalogue.load)


def _write(site: Site, title: str, text: str) -> None:
    result = site.edit(title, lambda _old: text, "Test: Redakteurin schreibt Schlüssel")
    assert result.outcome.value in ("created", "changed"), result


def _rows(bot_site: Site, title: str) -> list[tuple[str, str, str]]:
    """(page, key as written, status word) of each row in the generated part of the report page."""
    text = bot_site.read_pages([title])[title].text
    section = get_section(text, SECTION)
    assert section is not None, text
    return maintenance_rows(section)


def _run(ctx: BotContext, **kwargs: Any) -> StepResult:
    before = ctx.site.stats.edits_sent
    result = validate.run(ctx, **kwargs)
    result.data["edits_sent"] = ctx.site.stats.edits_sent - before
    return result


def test_report_lists_findings_fixed_ones_disappear_and_idle_runs_do_not_edit(
    bot_site: Site, editor_site: Site, tmp_path: Path, unique: str
) -> None:
    a, b = f"{unique} Steckbrief A", f"{unique} Steckbrief B"
    _write(
        editor_site,
        a,
        "{{Steckbrief\n|Titel=Abbruch online\n"
        f"|LeiKa-Schlüssel={KNOWN}, {TYPO}; {KNOWN_2}\n"
        "|Status=offen\n}}\n"
        f"Früher: <!-- {UNKNOWN} --> siehe {{{{LeiKa|{KNOWN}|9901200100100}}}}\n",
    )
    _write(editor_site, b, f"{{{{Steckbrief\n|Titel=Zweiter\n|LeiKa-Schlüssel={UNKNOWN}\n}}}}\n")
    ctx = _context(bot_site, tmp_path, unique)
    report_title = f"OZG-Wiki:LeiKa-Prüfung {unique}"

    first = _run(ctx)
    assert first.data["mode"] == "full"
    assert first.exit_code == 1 and first.findings == 3
    assert sorted(_rows(bot_site, report_title)) == [
        (a, "9901200100100", "kein Schlüssel"),
        (a, TYPO, "unbekannt"),
        (b, UNKNOWN, "unbekannt"),
    ]
    assert any(f["suggestion"] == KNOWN for f in first.data["findings"])
    assert (tmp_path / "state" / "validate.json").is_file()

    # The editor fixes the typo; only A is checked again, B keeps its stored finding.
    _write(
        editor_site,
        a,
        "{{Steckbrief\n|Titel=Abbruch online\n"
        f"|LeiKa-Schlüssel={KNOWN}, {KNOWN}; {KNOWN_2}\n"
        "|Status=offen\n}}\n"
        f"Früher: <!-- {UNKNOWN} --> siehe {{{{LeiKa|{KNOWN}|9901200100100}}}}\n",
    )
    second = _run(ctx)
    assert second.data["mode"] == "incremental" and second.data["checked"] == 1
    assert sorted(_rows(bot_site, report_title)) == [
        (a, "9901200100100", "kein Schlüssel"),
        (b, UNKNOWN, "unbekannt"),
    ]

    third = _run(ctx)
    assert third.data["mode"] == "incremental" and third.data["checked"] == 0
    assert third.data["edits_sent"] == 0 and third.report.edits == 0
    assert third.findings == 2

    # Everything fixed: the list is empty and the run is clean.
    _write(editor_site, a, f"{{{{Steckbrief\n|LeiKa-Schlüssel={KNOWN}\n}}}}\n")
    _write(editor_site, b, f"{{{{Steckbrief\n|LeiKa-Schlüssel={KNOWN_2}\n}}}}\n")
    clean = _run(ctx)
    assert clean.findings == 0 and clean.exit_code == 0
    assert _rows(bot_site, report_title) == []


def test_human_text_on_the_report_page_survives(
    bot_site: Site, editor_site: Site, tmp_path: Path, unique: str
) -> None:
    _write(editor_site, f"{unique} Seite", f"{{{{LeiKa|{UNKNOWN}}}}}\n")
    ctx = _context(bot_site, tmp_path, unique)
    report_title = f"OZG-Wiki:LeiKa-Prüfung {unique}"
    _run(ctx)
    text = bot_site.read_pages([report_title])[report_title].text
    _write(editor_site, report_title, "Notiz der Redaktion oben.\n" + text + "\nNotiz unten.")
    _write(editor_site, f"{unique} Seite", f"{{{{LeiKa|{KNOWN}}}}}\n")
    _run(ctx)
    after = bot_site.read_pages([report_title])[report_title].text
    assert after.startswith("Notiz der Redaktion oben.\n") and after.endswith("\nNotiz unten.")
    assert "keine Funde" in (get_section(after, SECTION) or "")


def test_fix_format_changes_only_the_key_bytes(
    bot_site: Site, editor_site: Site, tmp_path: Path, unique: str
) -> None:
    title = f"{unique} Formatfehler"
    before = (
        "Einleitung  mit  doppelten Leerzeichen.\n{{Steckbrief\n|Titel = Test \n"
        f"|LeiKa-Schlüssel = 99 012 001 001 000 , {KNOWN_2}\n}}}}\n<!-- 99 012 001 001 000 -->\nEnde"
    )
    _write(editor_site, title, before)
    ctx = _context(bot_site, tmp_path, unique)

    dry = validate.run(_dry(ctx, bot_site), fix=True)
    assert dry.data["fixed"] and bot_site.read_pages([title])[title].text == before

    result = _run(ctx, fix=True)
    page = bot_site.read_pages([title])[title]
    assert page.text == before.replace("99 012 001 001 000 ,", f"{KNOWN} ,", 1)
    assert page.user == bot_site.userinfo.name
    assert result.findings == 0
    assert [p.outcome.value for p in result.report.pages if p.kind == "LeiKa-Schreibweise"] == ["changed"]


def _dry(ctx: BotContext, bot_site: Site) -> BotContext:
    site = Site(bot_site.wiki, dry_run=True, diff_out=io.StringIO())
    site.login()
    return BotContext(ctx.config, site, ctx.bot_user, ctx.load_catalogue)
