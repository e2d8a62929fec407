"""Demo content for the local wiki: editor pages as a person would write them, and where to look.

``make demo`` shows the whole cycle of the Kommunalportal guide: the bots import the sample
catalogue, an editor (the local account ``Redakteurin``, not the bot) writes Steckbriefe with several
LeiKa keys per page — one of them mistyped, one unknown, one hidden in a comment —, and the next bot run
reports the problems and lists the Steckbriefe on the overview pages.

The pages are created once and then left alone, so anything a person changes on them stays.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import quote

from ozgwiki.config import RetryConfig, WikiConfig
from ozgwiki.domain import titles
from ozgwiki.engine.sync import PageChange, SyncEngine, SyncReport
from ozgwiki.localwiki import Accounts
from ozgwiki.wiki.site import Site

SUMMARY = "Beispiel-Steckbrief für die Demo angelegt"

# Written like editors write: spaces in a key, keys separated by commas and semicolons, keys in the
# inline template, a key parked in a comment, a key with a digit missing and a key with two digits
# swapped (99001009040000 instead of 99001009004000, Sperrmüll Entsorgung).
DEMO_PAGES: dict[str, str] = {
    "Steckbrief Online-Abbruchgenehmigung Ahaus": """{{Steckbrief
| Titel = Online-Abbruchgenehmigung Ahaus
| Kommunen = 05554004
| Themenfeld = Bauen & Wohnen
| LeiKa-Schlüssel = 99012001000000, 99 012 001 001 000, 9901200100100
| URL = https://www.example.org/ahaus/abbruchgenehmigung
| Status = umgesetzt
| Reifegrad = 3
| Kontakt = Bauordnungsamt
}}
'''Beispiel für die Demo.''' Die Abbruchgenehmigung kann online über das Servicekonto.NRW beantragt
werden; die Unterlagen werden hochgeladen, der Bescheid kommt ins Postfach.
<!-- früher auch: 99012002000000 (gehört aber zur Abgeschlossenheitsbescheinigung) -->

== Erfahrungen ==
Seit dem Start kommen rund zwei Drittel der Anträge online.
""",
    "Steckbrief Sperrmüll-Anmeldung online": """{{Steckbrief
| Titel = Sperrmüll-Anmeldung online
| Kommunen = 05554004; 05554008
| Themenfeld = Bauen & Wohnen
| LeiKa-Schlüssel = 99001009000000; 99001009040000
| Status = in Bearbeitung
| Reifegrad = 2
| Kontakt = Abfallberatung
}}
'''Beispiel für die Demo.''' Bürgerinnen und Bürger melden Sperrmüll online an und wählen einen Termin.
Abgedeckte Leistungen: {{LeiKa|99001009004001|99001009004002}}.
""",
}

# What a reader of the demo should open, as (label, title).
LOOK_AT: tuple[tuple[str, str], ...] = (
    ("Hauptseite", "Hauptseite"),
    ("Themenfeld Bildung", "Bildung"),  # pages are titled by name (ozgwiki.domain.titles)
    ("Ahaus (Mittlere kreisangehörige Stadt)", "Ahaus"),
    ("Kommunen in NRW, nach Regierungsbezirk und Kreis", "Kommunen in NRW"),
    ("Roadmap", titles.roadmap_for()),
)


def editor_site(accounts: Accounts) -> Site:
    """A site logged in as the local wiki's ordinary editor account."""
    wiki = WikiConfig(
        api_url=accounts.api_url,
        username=accounts.editor.login,
        secret=accounts.editor.password,
        retry=RetryConfig(max_attempts=3, base_delay=0.5, max_delay=5, budget_seconds=60),
    )
    site = Site(wiki)
    site.login()
    return site


def _create_only(text: str) -> Callable[[str], str | None]:
    return lambda current: None if current else text


def seed(site: Site, pages: Mapping[str, str] = DEMO_PAGES) -> SyncReport:
    """Create the demo's editor pages that do not exist yet; existing ones are left as they are."""
    engine = SyncEngine(site, bot_user=site.userinfo.name, respect_opt_out=False)
    return engine.run(
        PageChange(title, _create_only(text), SUMMARY, kind="Steckbrief", skip_reason="existiert schon")
        for title, text in pages.items()
    )


def page_url(index_url: str, title: str) -> str:
    """The reader's URL of a page on the wiki (``index.php?title=...``)."""
    return f"{index_url}?title={quote(title.replace(' ', '_'), safe=':/')}"
