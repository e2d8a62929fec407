"""The deployed templates on the real local wiki (plain MediaWiki + ParserFunctions + Scribunto):
every template expands without errors, sets its category, checks LeiKa keys and shows special
characters literally.

Known keys need ``LeiKa <key>`` pages: the tests create a few with made-up keys of group 999 (no real
LeiKa group), unique per run, so they never meet the import bot's pages.
"""

from __future__ import annotations

import html
import json
import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from ozgwiki import localwiki as lw
from ozgwiki.bots import deploy as deploy_bot
from ozgwiki.config import LOCALWIKI_DIR_ENV, Config
from ozgwiki.definitions import schema
from ozgwiki.engine.bot import BotContext
from ozgwiki.wiki.pages import ParsedPage
from ozgwiki.wiki.site import Site
from ozgwiki.wikitext.escape import param_value
from ozgwiki.wikitext.params import is_redirect

pytestmark = pytest.mark.wiki

ERRORS = (
    "Expression error",
    "Ausdrucksfehler",
    "Skriptfehler",
    "Script error",
    "Lua-Fehler",
    'class="error"',
)
UNKNOWN_CATEGORY = "Seiten mit unbekannten LeiKa-Schlüsseln"

# Realistic calls (from the templates' own documentation), the page they stand on and their category.
CASES = [
    (
        "LeiKa-Leistung",
        "LeiKa 99012001001000",
        "{{LeiKa-Leistung\n| Schlüssel = 99012001001000\n| Bezeichnung = Abbruchgenehmigung Erteilung\n"
        "| Typ = 2/3\n| OZG-ID = 10513\n| Rechtsgrundlage = § 61 BauO NRW\n| Gesetze = Bauordnung NRW\n"
        "| Gesetzeskürzel = BauO NRW\n| SDG1 = ja\n| SDG2 = nein\n| Status = ausgemustert\n}}",
        ["LeiKa-Leistung", "Ausgemusterte LeiKa-Leistung"],
    ),
    (
        "OZG-Leistung",
        "OZG-Leistung 10513",
        "{{OZG-Leistung\n| OZG-ID = 10513\n| Name = Abbruchgenehmigung\n"
        "| EfA = EfA gemäß erster Liste vom BMI\n"
        "| Lage = Bauen & Immobilien\n| Themenfeld = Bauen & Wohnen\n| Zuständigkeiten = Kommunal; Land\n"
        "| Priorität = 1\n| Größenklassen = Mittlere kreisangehörige Stadt, Große kreisangehörige Stadt\n"
        "| LeiKa-Schlüssel = \n}}",
        ["OZG-Leistung"],
    ),
    (
        "Themenfeld",
        "Themenfeld Bildung",
        "{{Themenfeld\n| Name = Bildung\n| Workshop = 2019-12-12\n"
        "| Beschreibung = Termin Themenfeld-Workshop: Q4 2019, voraussichtlich 12.12.\n}}",
        ["Themenfeld"],
    ),
    (
        "Lage",
        "Lage Bauen & Immobilien",
        "{{Lage\n| Name = Bauen & Immobilien\n| Art = Lebenslage\n| Themenfeld = Bauen & Wohnen\n}}",
        ["Lage"],
    ),
    (
        "Kommune",
        "Kommune 05554004",
        "{{Kommune\n| AGS = 05554004\n| ARS = 055540004004\n| Name = Ahaus\n| Kreis = 05554000\n"
        "| Regierungsbezirk = Münster\n| Größenklasse = Mittlere kreisangehörige Stadt\n"
        "| Einwohner = 39331\n}}",
        ["Kommune"],
    ),
    (
        "Umsetzungsprojekt",
        "Umsetzungsprojekt Einbürgerung",
        "{{Umsetzungsprojekt\n| Name = Einbürgerung\n| Themenfelder = Ein- & Auswanderung\n"
        "| Status = Umsetzung\n"
        "| Vorbereitung = 2020-01\n| Konzeption = 2020-01\n| Umsetzung = 2021-02\n| Pilotierung NRW =\n"
        "| Inbetriebnahme NRW = 2021-05\n| Start bundesweiter Roll-out = 2021-08\n| EfA = keine Angabe\n"
        "| OZG-IDs = 10513\n| LeiKa-Schlüssel =\n}}",
        ["Umsetzungsprojekt"],
    ),
    (
        "Steckbrief",
        "Steckbrief Online-Anmeldung Hundesteuer",
        "{{Steckbrief\n| Titel = Online-Anmeldung Hundesteuer\n| Kommunen = 05554004\n"
        "| Themenfeld = Steuern & Zoll\n| LeiKa-Schlüssel = \n| URL = https://www.example.org/dienst\n"
        "| Status = umgesetzt\n| Reifegrad = 3\n| Kontakt = OZG-Koordination\n}}",
        ["Steckbrief"],
    ),
]


def ctx_for(site: Site) -> BotContext:
    return BotContext(
        Config(site.wiki), site, site.userinfo.name, load_catalogue=lambda: pytest.fail("unused")
    )


@pytest.fixture
def site(bot_site: Site) -> Site:
    """The bot's site on a deployed wiki (a no-op after the first deploy: one read, no edits)."""
    result = deploy_bot.run(ctx_for(bot_site))
    assert result.exit_code == 0, result.data["refused"]
    return bot_site


def free_keys(site: Site, n: int) -> list[str]:
    """``n`` made-up group-999 keys without a ``LeiKa <key>`` page.

    The shared wiki keeps the pages of earlier runs: draw until none of the keys has a page."""
    for _attempt in range(20):
        base = int(uuid.uuid4().int % 900) + 100
        keys = [f"99999{base:03d}{i + 1:03d}000" for i in range(n)]
        pages = site.read_pages([f"LeiKa {k}" for k in keys])
        if not any(page.exists for page in pages.values()):
            return keys
    pytest.fail("no free group-999 test keys left on the wiki")


@pytest.fixture
def known_keys(bot_site: Site) -> Callable[[int], list[str]]:
    """Create ``n`` pages ``LeiKa <key>`` with made-up group-999 keys; return the keys."""

    def make(n: int) -> list[str]:
        keys = free_keys(bot_site, n)
        for key in keys:
            result = bot_site.edit(
                f"LeiKa {key}",
                lambda _t, k=key: f"{{{{LeiKa-Leistung|Schlüssel={k}|Bezeichnung=Testleistung {k}}}}}",
                "Bot: Testseite für Vorlagentests",
            )
            assert result.outcome.value == "created"
        return keys

    return make


def text_of(parsed: ParsedPage) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", parsed.html))


def assert_clean(parsed: ParsedPage, missing: frozenset[str] = frozenset()) -> None:
    """No errors, no raw parser functions, no missing template or module; ``missing`` are pages the
    Lua modules are expected to look up in vain."""
    for word in ERRORS:
        assert word not in parsed.html, f"{word!r} in the rendering of {parsed.title}"
    assert "{{#" not in parsed.html and "{{#" not in text_of(parsed)
    # Modul:LeiKa reads "LeiKa <key>" with getContent(), which records the page as a dependency (so
    # the page is re-rendered once the key's page is created); a missing one is an unknown key.
    assert [t for t in parsed.missing_templates if not t.startswith("LeiKa ") and t not in missing] == []
    missing_modules = [t.title for t in parsed.templates if t.title.startswith("Modul:") and not t.exists]
    assert missing_modules == []


@pytest.mark.parametrize(("template", "title", "call", "categories"), CASES, ids=[c[0] for c in CASES])
def test_every_template_expands_cleanly_and_sets_its_category(
    site: Site, template: str, title: str, call: str, categories: list[str]
) -> None:
    parsed = site.parse(text=call, context_title=title)
    assert_clean(parsed)
    assert f"Vorlage:{template}" in {t.title for t in parsed.templates}
    assert set(categories) <= set(parsed.categories)
    assert "ozg-infobox" in parsed.html


def test_three_known_keys_render_and_an_unknown_one_is_marked(
    site: Site, known_keys: Callable[[int], list[str]]
) -> None:
    keys = known_keys(3)
    clean = site.parse(
        text=f"{{{{LeiKa|{keys[0]}|{keys[1]}|{keys[2]}}}}}", context_title="Testseite Schlüssel"
    )
    assert_clean(clean)
    for key in keys:
        assert f'title="LeiKa {key}"' in clean.html
        assert f'class="new" title="LeiKa {key}' not in clean.html  # linked, not a red link
    assert UNKNOWN_CATEGORY not in clean.categories and "ozg-warnung" not in clean.html

    unknown = f"99999{int(keys[0][5:8]):03d}999000"  # same made-up group, no page
    parsed = site.parse(text=f"{{{{LeiKa|{keys[0]}|{unknown}}}}}", context_title="Testseite Schlüssel")
    assert_clean(parsed)
    assert "ozg-warnung" in parsed.html and "unbekannter LeiKa-Schlüssel" in text_of(parsed)
    assert unknown in text_of(parsed)
    assert UNKNOWN_CATEGORY in parsed.categories
    assert f"LeiKa {unknown}" in parsed.missing_templates  # the dependency on the missing page


def test_keys_in_an_infobox_list_are_checked_too(site: Site, known_keys: Callable[[int], list[str]]) -> None:
    keys = known_keys(2)
    call = f"{{{{Steckbrief|Titel=Test|LeiKa-Schlüssel={keys[0]}, {keys[1]}; 99999000001000}}}}"
    parsed = site.parse(text=call, context_title="Steckbrief Test")
    assert_clean(parsed)
    assert all(f'title="LeiKa {k}"' in parsed.html for k in keys)
    assert "Seiten mit ungültigen LeiKa-Schlüsseln" in parsed.categories  # group 000 is malformed


@pytest.mark.parametrize(
    "value",
    ["a | b", "{c} und {{d}}", "[e] [[f]]", "g = h", "Rechtsgrundlage: § 61 | BauO [NRW] {x} = y"],
    ids=["pipe", "braces", "brackets", "equals", "all"],
)
def test_special_characters_render_literally(site: Site, value: str) -> None:
    call = f"{{{{OZG-Leistung|OZG-ID=10513|Name={param_value(value)}|EfA={param_value(value)}}}}}"
    parsed = site.parse(text=call, context_title="OZG-Leistung 10513")
    assert_clean(parsed)
    assert text_of(parsed).count(value) >= 2  # heading and EfA row, literally
    assert "OZG-Leistung" in parsed.categories


RETIRED_CATEGORY = "Seiten mit ausgemusterten LeiKa-Schlüsseln"
REPO = Path(__file__).resolve().parents[2]


def test_retired_key_is_marked_and_categorised_an_active_one_linked(
    site: Site, known_keys: Callable[[int], list[str]]
) -> None:
    active, retired = known_keys(2)
    result = site.edit(
        f"LeiKa {retired}",
        lambda _t: (
            f"{{{{LeiKa-Leistung\n| Schlüssel = {retired}\n| Bezeichnung = Testleistung\n"
            "| Status   =   ausgemustert\n}}"
        ),
        "Bot: Testseite für Vorlagentests (ausgemustert)",
    )
    assert result.outcome.value == "changed"

    parsed = site.parse(text=f"{{{{LeiKa|{active}|{retired}}}}}", context_title="Testseite Schlüssel")
    assert_clean(parsed)
    text = text_of(parsed)
    assert f"⚠ {retired} (ausgemusterter LeiKa-Schlüssel)" in text
    assert f'title="LeiKa {retired}"' in parsed.html  # still a link to its page
    assert RETIRED_CATEGORY in parsed.categories
    assert UNKNOWN_CATEGORY not in parsed.categories

    clean = site.parse(text=f"{{{{LeiKa|{active}}}}}", context_title="Testseite Schlüssel")
    assert_clean(clean)
    assert f'title="LeiKa {active}"' in clean.html and "ozg-warnung" not in clean.html
    assert RETIRED_CATEGORY not in clean.categories

    # The retired page itself says so, but is no maintenance case.
    own = site.parse(title=f"LeiKa {retired}")
    assert_clean(own)
    assert "(ausgemustert)" in text_of(own) and "Ausgemusterte LeiKa-Leistung" in own.categories
    assert RETIRED_CATEGORY not in own.categories and "ozg-warnung" not in own.html


@pytest.mark.parametrize("separator", [" / ", " sowie ", " oder ", " bzw. ", " & ", "<br />"])
def test_keys_split_like_the_validation_bot(
    site: Site, known_keys: Callable[[int], list[str]], separator: str
) -> None:
    a, b = known_keys(2)
    call = f"{{{{Steckbrief|Titel=Test|LeiKa-Schlüssel={a}{separator}{b}}}}}"  # as an editor types it
    parsed = site.parse(text=call, context_title="Steckbrief Test")
    assert_clean(parsed)
    assert f'title="LeiKa {a}"' in parsed.html and f'title="LeiKa {b}"' in parsed.html
    assert "ozg-warnung" not in parsed.html


def test_page_using_a_key_follows_when_the_key_is_retired(
    site: Site, known_keys: Callable[[int], list[str]]
) -> None:
    """getContent() records "LeiKa <key>" as a dependency: retiring the key re-renders the user page
    (through the job queue, which the local wiki runs only when asked)."""
    (key,) = known_keys(1)
    title = f"Testseite Ausmusterung {key}"
    site.edit(title, lambda _t: f"{{{{LeiKa|{key}}}}}", "Bot: Testseite für Vorlagentests")
    wiki = lw.LocalWiki(os.environ.get(LOCALWIKI_DIR_ENV) or REPO / ".localwiki")

    def categories() -> set[str]:
        answer = site.api("query", prop="categories", titles=title, cllimit="max")
        return {c["title"].split(":", 1)[1] for c in answer["query"]["pages"][0].get("categories", [])}

    # No job run here: the save itself stores the page's categories, and the shared wiki's importer
    # retires test keys it does not know (other engineers' runs), so keep this window short.
    assert RETIRED_CATEGORY not in categories()
    site.edit(
        f"LeiKa {key}",
        lambda _t: f"{{{{LeiKa-Leistung|Schlüssel={key}|Status=ausgemustert}}}}",
        "Bot: Testseite für Vorlagentests (ausgemustert)",
    )
    assert wiki.run_jobs().failed == 0
    assert RETIRED_CATEGORY in categories()


MALFORMED_CATEGORY = "Seiten mit ungültigen LeiKa-Schlüsseln"
#: The shared key rule (tests/unit/test_key_rules_shared.py runs it through Python and lua5.1).
KEY_RULES = json.loads((REPO / "tests/golden/templates/key_rules.json").read_text(encoding="utf-8"))


def test_shared_key_rules_render_on_the_wiki_as_python_judges_them(site: Site) -> None:
    """Every case of key_rules.json as an editor writes it, ``{{LeiKa|…}}``, through Vorlage:LeiKa and
    the Modul:LeiKa the ``site`` fixture has just deployed: a well-formed key is looked up as
    ``LeiKa <key>`` (the page dependency MediaWiki records) and shown, never marked malformed; a
    malformed one shows the reason Python gives, word for word, puts the page into the maintenance
    category and is not looked up (so never linked or stored)."""
    failures = []
    for case in KEY_RULES["cases"]:
        key, reason = case["key"], case["reason"]
        parsed = site.parse(text=f"{{{{LeiKa|{case['text']}}}}}", context_title="Testseite Schlüsselregeln")
        assert_clean(parsed)
        shown = text_of(parsed)
        lookups = {t.title for t in parsed.templates if t.title.startswith("LeiKa ")}
        if reason is None:
            ok = (
                lookups == {f"LeiKa {key}"}
                and key in shown
                and "ungültiger" not in shown
                and MALFORMED_CATEGORY not in parsed.categories
            )
        else:
            ok = (
                f"(ungültiger LeiKa-Schlüssel: {reason})" in shown
                and MALFORMED_CATEGORY in parsed.categories
                and lookups == set()
            )
        if not ok:
            failures.append((case["id"], shown, sorted(lookups), parsed.categories))
    assert failures == []


#: Pages that are, or look like, redirects (tests/unit/test_human_text_random.py has more).
REDIRECT_TEXTS = [
    "#WEITERLEITUNG [[Ziel]]",
    "#weiterleitung [[Ziel|Text]]",
    "  \n\t#REDIRECT:[[Ziel#Abschnitt]]\n[[Kategorie:X]]",
    "#Redirect\n[[Ziel]] und Text\n{{LeiKa-Leistung|Status=aktiv}}",
    "#REDIRECT :[[:Kategorie:X]]",
    "#WEITERLEITUNG [[%C3%84rger]]",
    "#WEITERLEITUNG [[ Ziel |]]",
    "Text\n#WEITERLEITUNG [[Ziel]]",
    "#WEITERLEITUNGEN [[Ziel]]",
    "# WEITERLEITUNG [[Ziel]]",
    "#REDIRECT: : [[Ziel]]",
    "#REDIRECT [[]]",
    "#REDIRECT [[#Abschnitt]]",
    "#REDIRECT [[a<b]]",
    "#REDIRECT [[a~~~b]]",
    "#REDIRECT [[../x]]",
    "#REDIRECT [[Ziel\n]]",
    "<!-- -->#REDIRECT [[Ziel]]",
    "<nowiki>#REDIRECT [[Ziel]]</nowiki>",
    "\ufeff#REDIRECT [[Ziel]]",
    "\u00a0#REDIRECT [[Ziel]]",
    "{{LeiKa-Leistung}}\n#WEITERLEITUNG [[Ziel]]",
]


def test_is_redirect_agrees_with_mediawiki(site: Site) -> None:
    """``ozgwiki.wikitext.params.is_redirect`` (which the sync engine asks before writing) says what the wiki
    says: MediaWiki renders a redirect page with its "redirectMsg" box."""
    verdicts = {t: "redirectMsg" in site.parse(text=t, context_title="Test").html for t in REDIRECT_TEXTS}
    assert {t: is_redirect(t) for t in REDIRECT_TEXTS} == verdicts
    assert set(verdicts.values()) == {True, False}


# ------------------------------------------------------------------ names first: ID titles redirect
#
# The pages readers look up are titled by name; "Kommune <AGS>" and "LeiKa <key>" are redirects to
# them. The tests build that situation with their own pages: titles from the ``unique`` prefix, AGS of
# the unused "0599" range (no Kreis of NRW has it) and group-999 keys.


def free_ags(site: Site) -> str:
    """A made-up AGS without a ``Kommune <AGS>`` page."""
    for _attempt in range(20):
        ags = f"0599{uuid.uuid4().int % 10000:04d}"
        if not site.read_pages([f"Kommune {ags}"])[f"Kommune {ags}"].exists:
            return ags
    pytest.fail("no free test AGS left on the wiki")


def create(site: Site, title: str, text: str) -> None:
    result = site.edit(title, lambda _t: text, "Bot: Testseite für Vorlagentests (Namen als Titel)")
    assert result.outcome.value == "created", (title, result.outcome)


def stored_by_smw_variant(site: Site, function: str, args: dict[str, str]) -> list[str]:
    """What the SMW variant of Modul:OZG stores for one call, run by the wiki's own Scribunto.

    The local wiki has no SMW, so its Modul:OZG never stores. Scribunto's debug console
    (``action=scribunto-console``, what the module editor uses) runs the SMW variant's source against
    the real pages instead, with a frame that records the ``#set`` calls rather than making them."""
    source = schema.load().template("Modul:OZG").render(smw=True, pageforms=True)
    # Positional arguments are numbers in a frame's args, named ones strings.
    keys = {k: k if k.isdigit() else f"[==[{k}]==]" for k in args}
    fields = ", ".join(f"[ {keys[k]} ] = [==[{v}]==]" for k, v in args.items())
    question = (
        "=(function() local sets = {} "
        f"local frame = {{ args = {{ {fields} }}, callParserFunction = function(self, name, a) "
        "table.insert(sets, name .. ' ' .. table.concat(a, ' | ')) return '' end } "
        f"p.{function}(frame) return table.concat(sets, '\\30') end)()"
    )
    answer = site.api(
        "scribunto-console", method="POST", title="Modul:OZG", content=source, question=question
    )
    assert answer.get("type") == "normal", answer
    return [s for s in answer["return"].split("\x1e") if s]


def test_kreis_by_ags_links_the_name_page_its_id_title_redirects_to(site: Site, unique: str) -> None:
    """``Kreis = <AGS>`` where ``Kommune <AGS>`` redirects to the Kreis's name page: the infobox shows
    that page's Name and links the page itself, not the redirect; the SMW variant stores that page."""
    ags, tag = free_ags(site), unique.rsplit(" ", 1)[-1]
    kreis = f"{unique} Kreis"
    create(site, kreis, f"{{{{Kommune\n| AGS = {ags}\n| Name = Testkreis {tag}\n| Größenklasse = Kreis\n}}}}")
    create(site, f"Kommune {ags}", f"#WEITERLEITUNG [[{kreis}]]")

    parsed = site.parse(
        text=f"{{{{Kommune\n| AGS = {ags[:5]}999\n| Name = Testort\n| Kreis = {ags}\n}}}}",
        context_title=f"{unique} Ort",
    )
    assert_clean(parsed)
    assert f'title="{kreis}"' in parsed.html and f"Testkreis {tag}" in text_of(parsed)
    assert f'title="Kommune {ags}"' not in parsed.html  # no hop through the redirect
    assert {kreis, f"Kommune {ags}"} <= {t.title for t in parsed.templates}  # both are dependencies
    assert stored_by_smw_variant(
        site, "seiten", {"1": ags, "praefix": "Kommune", "einzeln": "ja", "namen": "ja", "attribut": "Kreis"}
    ) == [f"#set Kreis={kreis}"]


def test_steckbrief_takes_a_kommune_by_its_name_title(site: Site, unique: str) -> None:
    """The Steckbrief form now writes the Kommune's title ("Ahaus"): it is linked and stored as it is,
    not turned into "Kommune Ahaus"."""
    ags, tag = free_ags(site), unique.rsplit(" ", 1)[-1]
    ort = f"{unique} Ort"
    create(site, ort, f"{{{{Kommune\n| AGS = {ags}\n| Name = Testort {tag}\n}}}}")

    parsed = site.parse(
        text=f"{{{{Steckbrief|Titel=Test|Kommunen={ort}}}}}", context_title=f"Steckbrief {unique}"
    )
    assert_clean(parsed, missing=frozenset({f"Kommune {ort}"}))  # tried first: an AGS would be there
    assert f'title="{ort}"' in parsed.html and f"Testort {tag}" in text_of(parsed)
    assert f"Kommune {ort}" not in {t.title for t in parsed.links}
    assert stored_by_smw_variant(
        site, "seiten",
        {"1": ort, "praefix": "Kommune", "namen": "ja", "titel": "ja", "attribut": "Kommune"},
    ) == [f"#set Kommune={ort}"]  # fmt: skip


def test_key_whose_page_redirects_is_judged_by_the_leika_page(site: Site, unique: str) -> None:
    """``LeiKa <key>`` redirects to the LeiKa-Leistung titled by its Bezeichnung: Status ausgemustert
    there marks the key as retired, Status aktiv as known; both link the LeiKa page directly."""
    active, retired = free_keys(site, 2)
    pages = {active: f"{unique} Leistung aktiv", retired: f"{unique} Leistung ausgemustert"}
    for key, status in ((active, "aktiv"), (retired, "ausgemustert")):
        create(site, pages[key], f"{{{{LeiKa-Leistung\n| Schlüssel = {key}\n| Status = {status}\n}}}}")
        create(site, f"LeiKa {key}", f"#WEITERLEITUNG [[{pages[key]}]]")

    parsed = site.parse(text=f"{{{{LeiKa|{active}|{retired}}}}}", context_title="Testseite Schlüssel")
    assert_clean(parsed)
    text = text_of(parsed)
    assert f"⚠ {retired} (ausgemusterter LeiKa-Schlüssel)" in text
    assert f"⚠ {active}" not in text and "unbekannter" not in text
    assert f'title="{pages[active]}"' in parsed.html and f'title="{pages[retired]}"' in parsed.html
    assert RETIRED_CATEGORY in parsed.categories and UNKNOWN_CATEGORY not in parsed.categories
    # The LeiKa pages are dependencies too: retiring the key there re-renders the pages using it.
    assert set(pages.values()) <= {t.title for t in parsed.templates}
