"""``ozgwiki import`` against the real local wiki.

The sample catalogue's pages are the demo content of the shared wiki, so the sample is imported for
real; every test leaves the wiki in the full-sample state. What an editor touches is an extra
Themenfeld with a unique name added to the sample (so no demo page keeps test text), and the
retirement test takes one real sample key out and puts it back.

Other engineers' tests run against the same wiki at the same time: their bots add marked sections below
the import's template, and their tests create ``LeiKa 99999…`` pages, which any import correctly marks
ausgemustert. So page texts are checked up to the end of the import's template, and edits and the
diff are checked for the catalogue's own pages and keys.

Pages are titled by name (``ozgwiki.domain.titles``); every title here comes from the sample's
:func:`~ozgwiki.render.plans.title_scheme` (through :func:`plan_pages`), and the ID titles are checked to
redirect to the names.
"""

from __future__ import annotations

import dataclasses
import math
import shutil
from pathlib import Path

import pytest

from ozgwiki.bots import importer
from ozgwiki.catalogue import load, sample_path
from ozgwiki.config import Config
from ozgwiki.domain.model import Catalogue, Themenfeld
from ozgwiki.engine.bot import BotContext, StepResult
from ozgwiki.engine.sync import Outcome
from ozgwiki.render.plans import (
    KIND_KOMMUNE,
    KIND_LEIKA,
    KIND_OZG,
    KIND_THEMENFELD,
    PagePlan,
    plan_pages,
    title_scheme,
)
from ozgwiki.wiki.site import Site

pytestmark = pytest.mark.wiki

REMOVED_KEY = "99001027004000"  # Elektroschrott Entsorgung, one of Abfallentsorgung's keys
REMOVED_ROW = ";99001027004000;"


@pytest.fixture(scope="module")
def sample() -> Catalogue:
    return load()


EMPTY_DIFF = {"new": [], "changed": {}, "retired": []}  # (reverted is not a catalogue change)
EDITED = (Outcome.CREATED, Outcome.CHANGED)


def ours(diff: dict, keys: set[str]) -> dict:
    """The diff restricted to ``keys`` (other tests' LeiKa pages may be retired by any import)."""
    return {
        "new": [k for k in diff["new"] if k in keys],
        "changed": {k: v for k, v in diff["changed"].items() if k in keys},
        "retired": [k for k in diff["retired"] if k in keys],
    }


SAMPLE_KEYS = {x.schluessel for x in load().leika_leistungen}


def run_import(site: Site, catalogue: Catalogue) -> StepResult:
    ctx = BotContext(Config(site.wiki), site, site.userinfo.name, load_catalogue=lambda: catalogue)
    # The shared test wiki holds other tests' LeiKa pages, which an import retires: that is no
    # catalogue that lost its rows, so the mass-retire rail (unit-tested on its own) is lifted here.
    return importer.run(ctx, allow_mass_retire=True)


def with_themenfeld(catalogue: Catalogue, themenfeld: Themenfeld) -> Catalogue:
    return dataclasses.replace(catalogue, themenfelder=(*catalogue.themenfelder, themenfeld))


def text_of(site: Site, title: str) -> str:
    return site.read_pages([title])[title].text


def outcome_of(result: StepResult, title: str) -> Outcome:
    return next(p.outcome for p in result.report.pages if p.title == title)


def plan_of(catalogue: Catalogue, kind: str, key: str) -> PagePlan:
    """The plan of one thing's page: its name title (``title``) and its ID title (``id_title``)."""
    return next(p for p in plan_pages(catalogue) if p.kind == kind and p.key == key)


def redirects_of(site: Site, plans: list[PagePlan]) -> dict[str, str]:
    """Where the plans' ID titles lead on the wiki, read in one request (absent: no redirect)."""
    return site.redirect_targets(p.id_title for p in plans)


def manifest_without_key(folder: Path) -> Path:
    """A copy of the sample catalogue without one LeiKa row (bytes kept: BOM, CRLF)."""
    shutil.copytree(sample_path().parent, folder, dirs_exist_ok=True)
    sheet = folder / "umsetzungskatalog.csv"
    raw = sheet.read_bytes()
    lines = raw.split(b"\r\n")
    kept = [line for line in lines if REMOVED_ROW.encode() not in line]
    assert len(kept) == len(lines) - 1
    sheet.write_bytes(b"\r\n".join(kept))
    return folder / "catalogue.yaml"


def test_sample_import_writes_the_expected_pages_and_a_second_run_nothing(
    bot_site: Site, make_site, sample: Catalogue
) -> None:
    run_import(bot_site, sample)  # the shared wiki may start anywhere: bring it to the sample state

    scheme = title_scheme(sample)
    ozg, leika, ahaus = (
        plan_of(sample, KIND_OZG, "10513"),
        plan_of(sample, KIND_LEIKA, "99012001001000"),
        plan_of(sample, KIND_KOMMUNE, "05554004"),
    )
    assert text_of(bot_site, ozg.title).startswith(
        "{{OZG-Leistung\n| OZG-ID = 10513\n| Name = Abbruchgenehmigung\n"
        "| EfA = EfA gemäß erster Liste vom BMI, nachnutzbare Lösung bereitgestellt bis Juni 2021\n"
        "| Lage = Bauen & Immobilien\n| Themenfeld = Bauen & Wohnen\n| Zuständigkeiten = Kommunal\n"
        "| Priorität = 1\n| Größenklassen = Mittlere kreisangehörige Stadt\n"
        "| LeiKa-Schlüssel = 99012001000000, 99012001001000\n}}"
    )
    assert text_of(bot_site, leika.title).startswith(
        "{{LeiKa-Leistung\n| Schlüssel = 99012001001000\n| Bezeichnung = Abbruchgenehmigung Erteilung\n"
        "| Typ = 4\n| OZG-ID = 10513\n| Rechtsgrundlage =\n| Gesetze =\n| Gesetzeskürzel =\n"
        "| SDG1 = nein\n| SDG2 = nein\n| Status = aktiv\n}}"
    )
    assert text_of(bot_site, ahaus.title).startswith(
        "{{Kommune\n| AGS = 05554004\n| ARS = 055540004004\n| Name = Ahaus\n| Kreis = 05554000\n"
        "| Regierungsbezirk = Münster\n| Größenklasse = Mittlere kreisangehörige Stadt\n"
        "| Einwohner = 39381\n}}"
    )
    # The ID titles (every link and template that builds one) lead to the pages titled by name.
    assert redirects_of(bot_site, [ozg, leika, ahaus]) == {p.id_title: p.title for p in (ozg, leika, ahaus)}

    fresh = make_site("bot")
    second = run_import(fresh, sample)
    titles = {p.title for p in plan_pages(sample, scheme)}
    mine = [p for p in second.report.pages if p.title in titles]
    assert len(mine) == 367 and all(p.outcome is Outcome.UNCHANGED for p in mine)
    # The ID-title redirects and the Begriffsklärung pages are the catalogue's too: nothing to do either.
    kept = set(scheme.redirects()) | set(scheme.disambiguations())
    extra = [p for p in second.report.pages if p.title in kept]
    assert len(extra) == len(kept) and all(p.outcome is Outcome.UNCHANGED for p in extra)
    assert second.data["counts"]["moved"] == 0
    ours_all = titles | kept
    others_edited = [p for p in second.report.pages if p.title not in ours_all and p.outcome in EDITED]
    assert fresh.stats.edits_sent == len(others_edited)  # 0 unless another test made LeiKa pages meanwhile
    assert ours(second.data["diff"], SAMPLE_KEYS) == EMPTY_DIFF
    # Issue 13's budget for a no-op: one census of the main namespace instead of reading every page
    # (the memory knows what the first run left converged), so at most ⌈pages / 500⌉ + 10 requests.
    # Each page another test left for the import to change costs its read, token and save on top.
    budget = math.ceil(len(second.report.pages) / 500) + 10 + 3 * len(others_edited)
    assert fresh.stats.total_requests <= budget, dict(fresh.stats.requests)


def test_new_page_is_created_and_editor_text_survives_the_next_import(
    bot_site: Site, editor_site: Site, sample: Catalogue, unique: str
) -> None:
    name = f"{unique} Feld"
    catalogue = with_themenfeld(sample, Themenfeld(name, workshop="2021-03"))
    plan = plan_of(catalogue, KIND_THEMENFELD, name)
    title = plan.title
    first = run_import(bot_site, catalogue)
    assert outcome_of(first, title) is Outcome.CREATED
    created = text_of(bot_site, title)
    assert created == f"{{{{Themenfeld\n| Name = {name}\n| Workshop = 2021-03\n| Beschreibung =\n}}}}"
    assert outcome_of(first, plan.id_title) is Outcome.CREATED  # the ID title's redirect
    assert redirects_of(bot_site, [plan]) == {plan.id_title: title}

    edited = (
        "Vorwort der Redaktion.\n"
        + created.replace("| Workshop", "| Moderation = Frau Beispiel <!-- bis Juni -->\n| Workshop")
        + "\n== Ergebnisse ==\nProtokoll folgt. [[Kategorie:Workshop]]"
    )
    editor_site.edit(title, lambda _t: edited, "Redaktion: Vorwort und Moderation ergänzt")

    second = run_import(bot_site, with_themenfeld(sample, Themenfeld(name, workshop="2021-04")))
    assert outcome_of(second, title) is Outcome.CHANGED
    assert text_of(bot_site, title) == edited.replace("| Workshop = 2021-03", "| Workshop = 2021-04")
    assert ours(second.data["diff"], SAMPLE_KEYS) == EMPTY_DIFF  # not a LeiKa page
    revs = bot_site.api("query", prop="revisions", titles=title, rvprop="comment", rvlimit=1)["query"][
        "pages"
    ][0]["revisions"]
    assert revs[0]["comment"] == "Bot: Katalogdaten aktualisiert (Workshop)"

    third = run_import(bot_site, with_themenfeld(sample, Themenfeld(name, workshop="2021-04")))
    assert outcome_of(third, title) is Outcome.UNCHANGED


def test_removed_key_is_retired_and_comes_back_aktiv(
    bot_site: Site, make_site, sample: Catalogue, tmp_path: Path
) -> None:
    title = plan_of(sample, KIND_LEIKA, REMOVED_KEY).title  # reached through "LeiKa <key>" once retired
    run_import(bot_site, sample)
    before = text_of(bot_site, title)
    reduced = load(manifest_without_key(tmp_path / "katalog"))
    assert reduced.leika_leistung(REMOVED_KEY) is None

    dry = make_site("bot", dry_run=True)
    preview = run_import(dry, reduced)
    assert ours(preview.data["diff"], SAMPLE_KEYS)["retired"] == [REMOVED_KEY]
    assert dry.stats.edits_sent == 0 and text_of(bot_site, title) == before

    try:
        gone = run_import(bot_site, reduced)
        assert ours(gone.data["diff"], SAMPLE_KEYS) == {"new": [], "changed": {}, "retired": [REMOVED_KEY]}
        assert outcome_of(gone, title) is Outcome.CHANGED
        assert text_of(bot_site, title) == before.replace("| Status = aktiv", "| Status = ausgemustert")
        assert outcome_of(run_import(bot_site, reduced), title) is Outcome.UNCHANGED  # no churn
    finally:
        back = run_import(bot_site, sample)  # leave the shared wiki in the full-sample state
    assert ours(back.data["diff"], SAMPLE_KEYS) == {"new": [REMOVED_KEY], "changed": {}, "retired": []}
    assert text_of(bot_site, title) == before


def test_opted_out_page_is_left_alone_and_reported(
    bot_site: Site, editor_site: Site, sample: Catalogue, unique: str
) -> None:
    name = f"{unique} Gesperrt"
    catalogue = with_themenfeld(sample, Themenfeld(name))
    title = plan_of(catalogue, KIND_THEMENFELD, name).title  # where the import would write
    text = "{{nobots}}\nDiese Seite pflegt die Redaktion von Hand."
    editor_site.edit(title, lambda _t: text, "Redaktion: Seite für Bots gesperrt")

    result = run_import(bot_site, catalogue)
    assert outcome_of(result, title) is Outcome.OPTED_OUT
    assert text_of(bot_site, title) == text
    assert result.exit_code == 1


def test_dry_run_writes_nothing(make_site, bot_site: Site, sample: Catalogue, unique: str) -> None:
    name = f"{unique} Probe"
    catalogue = with_themenfeld(sample, Themenfeld(name))
    plan = plan_of(catalogue, KIND_THEMENFELD, name)
    dry = make_site("bot", dry_run=True)
    result = run_import(dry, catalogue)
    assert outcome_of(result, plan.title) is Outcome.CREATED
    assert outcome_of(result, plan.id_title) is Outcome.CREATED  # its redirect: would be, is not
    assert dry.stats.edits_sent == 0
    states = bot_site.read_pages([plan.title, plan.id_title])
    assert not states[plan.title].exists and not states[plan.id_title].exists


def test_an_editors_change_set_back_by_the_import_is_not_a_catalogue_change(
    bot_site: Site, editor_site: Site, sample: Catalogue
) -> None:
    run_import(bot_site, sample)
    key = "99012001001000"
    title = plan_of(sample, KIND_LEIKA, key).title
    editor_site.edit(title, lambda t: t.replace("| Typ = 4", "| Typ = 2"), "Typ korrigiert (Test)")
    result = run_import(bot_site, sample)
    assert outcome_of(result, title) is Outcome.CHANGED  # the bot owns the field: set back
    assert "| Typ = 4" in text_of(bot_site, title)
    assert key not in result.data["diff"]["changed"]
    assert result.data["diff"]["reverted"] == {key: ["Typ"]}
