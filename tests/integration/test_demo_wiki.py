"""The demo's editor pages: written by the editor account, created once, never overwritten."""

from __future__ import annotations

import pytest

from ozgwiki import demo
from ozgwiki.catalogue import load
from ozgwiki.engine.sync import Outcome
from ozgwiki.localwiki import read_accounts
from ozgwiki.render.plans import title_scheme

pytestmark = pytest.mark.wiki


def test_seed_creates_editor_pages_once_and_keeps_human_changes(accounts, unique, editor_site) -> None:
    pages = {f"{unique} {title}": text for title, text in demo.DEMO_PAGES.items()}
    site = demo.editor_site(read_accounts())
    first = site.stats.edits_sent
    report = demo.seed(site, pages)
    assert [p.outcome for p in report.pages] == [Outcome.CREATED] * len(pages)
    assert site.stats.edits_sent - first == len(pages)

    title = next(iter(pages))
    state = site.read_pages([title])[title]
    assert state.user == accounts["editor"]["username"]  # an editor wrote it, not the bot
    assert state.text == pages[title].rstrip()

    changed = state.text + "\nNachtrag der Redaktion."
    editor_site.edit(title, lambda _t: changed, "Nachtrag")
    again = demo.seed(site, pages)
    assert [p.outcome for p in again.pages] == [Outcome.SKIPPED] * len(pages)
    assert site.read_pages([title])[title].text == changed


def test_page_urls_point_at_index_php(accounts) -> None:
    title = title_scheme(load()).title("kommune", "05554000")  # a name title with a space
    url = demo.page_url(accounts["index_url"], title)
    assert url == accounts["index_url"] + "?title=Kreis_Borken"
