"""The Semantic MediaWiki variant on a real SMW + Page Forms wiki, as an admin and an editor use it.

One pass, in the order of the guide: ``ozgwiki deploy`` (properties first; their types must be active
before data is written), ``ozgwiki import``, an editor writes Steckbriefe with good and bad keys (one
through the API like any client, one through Page Forms' ``pfautoedit``), ``ozgwiki validate``, then
``ozgwiki regenerate`` once with ``--mode static`` and once with ``--mode ask`` on the same wiki. Every
overview page is parsed after each and compared as readers see it (headings, paragraphs, every table
cell's text and link targets): the live tables must show exactly what the static ones show. Then the
stored data is counted against the catalogue, and a further cron run must make no edit.

With ``OZGWIKI_SMW_RECORD=1`` the pass also records the wiki's answers into ``tests/data/smw/`` (see
``record.py``), which ``make test`` checks the ``ask`` rendering against.
"""

from __future__ import annotations

import os
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import readerview
from record import RECORD_ENV, record
from smwsuite import CliRun, SuiteConfig, wait_for_jobs

from ozgwiki import catalogue
from ozgwiki.definitions import schema
from ozgwiki.domain import titles
from ozgwiki.domain.titles import TitleScheme
from ozgwiki.render import facts, overview
from ozgwiki.render.plans import title_scheme
from ozgwiki.wiki.site import Site

pytestmark = pytest.mark.smw

PREFIX = "Steckbrief SMW-Test"
API_STECKBRIEF = f"{PREFIX} Hortanmeldung"
FORM_STECKBRIEF = f"{PREFIX} Schülerbeförderung"


@dataclass
class World:
    """What the pass did and saw, for the tests below to check."""

    catalogue: catalogue.Catalogue
    runs: dict[str, CliRun] = field(default_factory=dict)
    static: dict[str, str] = field(default_factory=dict)  # overview page -> parse HTML
    ask: dict[str, str] = field(default_factory=dict)
    static_text: dict[str, str] = field(default_factory=dict)  # overview page -> saved wikitext
    ask_text: dict[str, str] = field(default_factory=dict)
    steckbriefe: dict[str, str] = field(default_factory=dict)  # title -> saved text
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def titles(self) -> TitleScheme:
        """The sample's titles, names first (ozgwiki.domain.titles)."""
        return title_scheme(self.catalogue)


def known_keys(cat: catalogue.Catalogue, ozg_id: str, n: int) -> list[str]:
    return sorted(k.schluessel for k in cat.leika_leistungen if k.ozg_id == ozg_id)[:n]


def steckbrief_text(keys: dict[str, str]) -> str:
    """An editor's Steckbrief: two valid keys (one spaced), a 13-digit key, a transposed (unknown) key
    inline, and keys parked in a comment and in nowiki, which must count for nothing."""
    spaced = " ".join(keys["second"][i : i + 3] for i in range(0, 14, 3))
    return f"""{{{{Steckbrief
| Titel = Hortanmeldung online (SMW-Test)
| Kommunen = 05554004, 05554008
| Themenfeld = Bildung
| LeiKa-Schlüssel = {keys["first"]}, {spaced}; {keys["first"][:-1]}
| URL = https://www.example.org/ahaus/hort
| Status = umgesetzt
| Reifegrad = 3
| Kontakt = Schulamt
}}}}
Die Hortanmeldung geht online. Auch: {{{{LeiKa|{keys["third"]}|{keys["transposed"]}}}}}.
<!-- alt: {{{{LeiKa|{keys["commented"]}}}}} -->
<nowiki>{{{{LeiKa|{keys["nowiki"]}}}}}</nowiki>
"""


def transposed(key: str, known: set[str]) -> str:
    for i in range(3, 13):
        swapped = key[:i] + key[i + 1] + key[i] + key[i + 2 :]
        if swapped != key and swapped not in known:
            return swapped
    raise AssertionError(f"no unknown transposition of {key}")


def overview_titles(site: Site, cat: catalogue.Catalogue) -> list[str]:
    """Every overview page the definitions make (with the wiki's Steckbriefe in the facts)."""
    loaded = schema.load()
    props = {p.name: p for p in loaded.properties}
    f = facts.build(cat)
    return [p.title for d in loaded.pages for p in overview.pages_of(d, f, props)]


def parse_all(site: Site, pages: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The ``action=parse`` HTML of each page, and its saved text."""
    html = {}
    for title in pages:
        body = site.api("parse", page=title, prop="text", disablelimitreport=1, formatversion=2)
        html[title] = body["parse"]["text"]
    texts = {t: s.text for t, s in site.read_pages(pages).items()}
    return html, texts


def pfautoedit(site: Site, title: str, fields: dict[str, str]) -> None:
    """Create a Steckbrief through Page Forms as its form's save button does."""
    query = urllib.parse.urlencode({f"Steckbrief[{k}]": v for k, v in fields.items()})
    body = site.api(
        "pfautoedit", method="POST", form="Steckbrief", target=title, query=query, token=site.token()
    )
    assert body.get("status", 200) in (200, "200"), body


@pytest.fixture(scope="module")
def world(suite: SuiteConfig, bot: Site, editor: Site, cli: Callable[..., CliRun]) -> World:
    cat = catalogue.load_from_config(suite.bot)
    w = World(cat)
    w.runs["deploy"] = cli("deploy")
    wait_for_jobs(bot)
    w.runs["import"] = cli("import")
    w.runs["import-again"] = cli("import")
    known = set(cat.known_keys)
    hort = known_keys(cat, "10040", 1) + known_keys(cat, "10041", 4)
    w.keys = {
        "first": hort[0], "second": hort[1], "third": hort[2],
        "transposed": transposed(hort[3], known), "commented": hort[3][:-1] + "9", "nowiki": hort[4],
    }  # fmt: skip
    text = steckbrief_text(w.keys)
    editor.edit(API_STECKBRIEF, lambda _old: text, "Steckbrief angelegt (SMW-Test)")
    pfautoedit(
        editor,
        FORM_STECKBRIEF,
        {
            "Titel": "Schülerbeförderung online (SMW-Test)",
            "Kommunen": "Ahaus, Bocholt",  # what the autocompletion writes: the page titles, names now
            "Themenfeld": "Bildung",
            "LeiKa-Schlüssel": ", ".join(known_keys(cat, "10042", 2)),
            "Status": "in Bearbeitung",
            "Reifegrad": "2",
        },
    )
    wait_for_jobs(bot)
    states = bot.read_pages([API_STECKBRIEF, FORM_STECKBRIEF])
    w.steckbriefe = {t: s.text for t, s in states.items() if s.exists}
    w.runs["validate"] = cli("validate", "--all")
    pages = overview_titles(bot, cat)
    w.runs["regenerate-static"] = cli("regenerate", "--mode", "static")
    wait_for_jobs(bot)
    w.static, w.static_text = parse_all(bot, pages)
    w.runs["regenerate-ask"] = cli("regenerate", "--mode", "ask")
    wait_for_jobs(bot)
    w.ask, w.ask_text = parse_all(bot, pages)
    if os.environ.get(RECORD_ENV):
        record(bot, cat, w.steckbriefe, w.static, w.ask, w.static_text, w.ask_text)
    w.runs["run"] = cli("run")
    w.runs["run-again"] = cli("run")
    return w


# ------------------------------------------------------------------------------------------ deploy


def test_properties_are_deployed_with_their_types_active(world: World, bot: Site) -> None:
    assert world.runs["deploy"].code == 0, world.runs["deploy"].stderr
    found = bot.ask("[[:Attribut:+]] |?Has type |limit=500")
    types = {
        key.removeprefix("Attribut:"): [v.rsplit("#", 1)[-1] for v in entry["printouts"].get("Datentyp", [])]
        for key, entry in found.items()
        if "#" not in key
    }
    for prop in schema.load().properties:
        assert types.get(prop.name) == [prop.type_id], prop.name


# ------------------------------------------------------------------------------------------ data


def test_import_then_no_op(world: World) -> None:
    again = world.runs["import-again"].data["counts"]
    assert again["created"] == again["changed"] == 0 and again["unchanged"] > 0


def test_ask_counts_match_the_catalogue(world: World, bot: Site) -> None:
    cat = world.catalogue
    ozg = bot.ask("[[Kategorie:OZG-Leistung]] |?-OZG-Leistung=n |limit=5000")
    assert len(ozg) == len(cat.ozg_leistungen)
    for o in cat.ozg_leistungen:
        entry = ozg[world.titles.title("ozg", o.ozg_id)]
        assert len(entry["printouts"]["n"]) == cat.leika_count(o.ozg_id), o.ozg_id
    kommunen = bot.ask("[[Kategorie:Kommune]] |?Größenklasse |limit=5000")
    per_class = Counter(e["printouts"]["Größenklasse"][0] for e in kommunen.values())
    assert per_class == Counter(k.groessenklasse.label for k in cat.kommunen)


def test_only_valid_keys_of_the_steckbriefe_are_stored(world: World, bot: Site) -> None:
    found = bot.ask(f"[[Kategorie:Steckbrief]] [[~{PREFIX}*]] |?LeiKa-Schlüssel |limit=50")
    stored = {t: sorted(e["printouts"]["LeiKa-Schlüssel"]) for t, e in found.items()}
    k = world.keys
    assert stored[API_STECKBRIEF] == sorted([k["first"], k["second"], k["third"]])
    assert stored[FORM_STECKBRIEF] == known_keys(world.catalogue, "10042", 2)


def test_form_written_steckbrief_names_its_kommunen_as_pages(world: World, bot: Site) -> None:
    found = bot.ask(f"[[{FORM_STECKBRIEF}]] |?Kommune |?Themenfeld")
    entry = found[FORM_STECKBRIEF]["printouts"]
    assert sorted(v["fulltext"] for v in entry["Kommune"]) == ["Ahaus", "Bocholt"]
    assert [v["fulltext"] for v in entry["Themenfeld"]] == ["Bildung"]


def test_validate_reports_the_bad_keys_and_nothing_hidden(world: World) -> None:
    run = world.runs["validate"]
    assert run.code == 1, run.stderr
    mine = {f["status"]: f["normalized"] for f in run.lines if f["page"] == API_STECKBRIEF}
    k = world.keys
    # the spaced key is valid but asked to be written plainly; nothing from the comment or nowiki
    assert mine == {"format": k["second"], "not_a_key": k["first"][:-1], "unknown": k["transposed"]}
    assert not [f for f in run.lines if f["page"] == FORM_STECKBRIEF]


# ------------------------------------------------------------------------------------------ readers


def test_live_tables_show_readers_what_the_static_tables_show(world: World) -> None:
    assert world.static.keys() == world.ask.keys() and len(world.static) > 10
    view = readerview.blocks
    differ = [t for t in world.static if view(world.static[t]) != view(world.ask[t])]
    assert differ == [], f"{len(differ)} of {len(world.static)} overview pages differ: {differ[:5]}"


def test_live_pages_hold_tables_not_markup(world: World) -> None:
    for title, html in world.ask.items():
        assert "{{#ask" not in html and "Übersichtszeile" not in html, title
        assert "smw-format" not in html or "wikitable" in html, title


def test_steckbriefe_are_listed_on_their_themenfeld(world: World) -> None:
    tables = readerview.tables(world.ask["Bildung"])
    listed = {c.links[0] for t in tables for row in t.rows for c in row[:1] if c.links}
    assert {API_STECKBRIEF, FORM_STECKBRIEF} <= listed


def test_steckbrief_and_project_pages_offer_the_form(world: World, bot: Site, suite: SuiteConfig) -> None:
    import requests

    index = suite.bot.wiki.api_url.rsplit("/", 1)[0] + "/index.php"
    project = titles.umsetzungsprojekt(world.catalogue.umsetzungsprojekte[0].name)
    for title in (API_STECKBRIEF, project):
        html = requests.get(index, params={"title": title}, timeout=60).text
        assert "action=formedit" in html and "Mit Formular bearbeiten" in html, title


# ------------------------------------------------------------------------------------------ cron


def test_a_further_run_makes_no_edit(world: World) -> None:
    again = world.runs["run-again"]
    assert again.data["stats"]["edits_sent"] == 0, again.data["stats"]
    assert again.data["stats"]["changed"] == 0 and again.data["stats"]["created"] == 0
