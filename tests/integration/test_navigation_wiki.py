"""A reader clicks Hauptseite → Themenfeld → Lage → OZG-Leistung → LeiKa-Leistung on the real local wiki.

Deploy, import and regenerate run first (sample catalogue, static mode on the plain wiki; all three are
idempotent, so on a wiki that has them already they change nothing) — the test does not depend on other
tests having run before it. Then each hop is a link the wiki itself reports for the page
(``action=parse&prop=links``, the parser's fresh output, no job queue involved), and each link target is
an existing page. Pages are titled by name (the sample's title scheme); a link to an ID title
(``Themenfeld Bildung``) counts as a link to the page it redirects to, as a reader lands there.
"""

from __future__ import annotations

import pytest

from ozgwiki import catalogue
from ozgwiki.bots import deploy, importer, regenerate
from ozgwiki.config import Config
from ozgwiki.engine.bot import BotContext
from ozgwiki.render.plans import title_scheme
from ozgwiki.wiki.site import Site
from ozgwiki.wikitext import escape
from ozgwiki.wikitext.params import get_template_params
from ozgwiki.wikitext.sections import get_section

pytestmark = pytest.mark.wiki

SAMPLE = catalogue.load(catalogue.sample_path())
SCHEME = title_scheme(SAMPLE)
SCHULAUFNAHME = "10041"  # Schulaufnahme und -wechsel, Lage Schule, Themenfeld Bildung


def context(site: Site) -> BotContext:
    return BotContext(
        config=Config(wiki=site.wiki, raw={}),
        site=site,
        bot_user=site.userinfo.name,
        load_catalogue=lambda: SAMPLE,
    )


def links(site: Site, title: str) -> dict[str, bool]:
    """Main-namespace link targets of a page as the parser sees them now -> whether they exist."""
    body = site.api("parse", page=title, prop="links", redirects=1)
    return {link["title"]: bool(link.get("exists")) for link in body["parse"]["links"] if link["ns"] == 0}


def hop(site: Site, source: str, target: str) -> dict[str, bool]:
    """Assert ``source`` links to ``target`` (directly or through a redirect) and ``target`` exists;
    the links of ``target``."""
    found = links(site, source)
    leads = site.redirect_targets(t for t, ok in found.items() if ok)
    via = [t for t in found if leads.get(t, t) == target]
    assert via, f"[[{source}]] does not link to [[{target}]]; it links to {sorted(found)}"
    assert all(found[t] for t in via), f"[[{source}]] links to [[{via[0]}]], which does not exist"
    assert site.read_pages([target])[target].exists
    return links(site, target)


def test_reader_clicks_from_the_main_page_down_to_a_leika_leistung(bot_site: Site) -> None:
    deploy.run(context(bot_site))
    imported = importer.run(context(bot_site), allow_mass_retire=True)  # other tests' LeiKa pages
    assert not imported.report.needs_attention, imported.report.summary()
    result = regenerate.run(context(bot_site), allow_mass_retire=True)
    assert result.data["mode"] == "static"
    assert not result.report.needs_attention, result.report.summary()
    assert bot_site.read_pages(["Hauptseite"])["Hauptseite"].exists, "deploy the wiki: `ozgwiki deploy`"

    themenfeld, lage, ozg = (
        SCHEME.title("themenfeld", "Bildung"),
        SCHEME.title("lage", "Schule"),
        SCHEME.title("ozg", SCHULAUFNAHME),
    )
    hop(bot_site, "Hauptseite", themenfeld)
    hop(bot_site, themenfeld, lage)
    from_ozg = hop(bot_site, lage, ozg)

    # The Themenfeld → Lage and Lage → OZG-Leistung links are the regeneration bot's, in its sections.
    bildung = bot_site.read_pages([themenfeld])[themenfeld].text
    assert f"=== {escape.link(lage, 'Schule')} ===" in (get_section(bildung, "ozg-leistungen") or "")
    schule = bot_site.read_pages([lage])[lage].text
    row = "| " + escape.link(ozg, "Schulaufnahme und -wechsel")
    assert row in (get_section(schule, "ozg-leistungen") or "")

    # OZG-Leistung → LeiKa-Leistung: every key of the catalogue is linked, and each page exists.
    # Modul:LeiKa links a known key to the page its "LeiKa <key>" redirect leads to: the name title.
    keys = [li.schluessel for li in SAMPLE.leika_leistungen if li.ozg_id == SCHULAUFNAHME]
    expected = {SCHEME.title("leika", k) for k in keys}
    leika_links = {t: ok for t, ok in from_ozg.items() if t in SCHEME.titles_of("leika")}
    assert expected and expected <= set(leika_links), sorted(expected - set(leika_links))
    first = sorted(expected)[0]
    hop(bot_site, ozg, first)
    assert all(leika_links[t] for t in expected), [t for t in expected if not leika_links[t]]
    params = get_template_params(bot_site.read_pages([first])[first].text, "LeiKa-Leistung")
    assert params is not None and params["OZG-ID"].strip() == SCHULAUFNAHME
