"""``ozgwiki import --bulk`` against a fresh local wiki of its own (the shared one is never empty).

The XML first load must end where the per-page import ends: the same texts byte for byte, the pages in
their categories once the job queue ran, the bot as the author; the normal import that follows makes no
edit; and a second ``--bulk`` on the now full wiki is refused before it writes anything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults import own_wiki

from ozgwiki import localwiki as lw
from ozgwiki.bots import bulk
from ozgwiki.catalogue import load
from ozgwiki.config import load_config
from ozgwiki.definitions import schema
from ozgwiki.errors import EXIT_CONFIG
from ozgwiki.render.plans import title_scheme
from ozgwiki.wiki.site import Site

pytestmark = pytest.mark.wiki


def ozgwiki(wiki: lw.LocalWiki, *args: str) -> subprocess.CompletedProcess[str]:
    config = str(wiki.path("ozgwiki.yaml"))
    return subprocess.run(
        [sys.executable, "-m", "ozgwiki", "--config", config, *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def wiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lw.LocalWiki]:
    """A fresh wiki with the definitions deployed and their jobs run: what an admin starts from."""
    with own_wiki(tmp_path_factory.mktemp("bulk") / "wiki") as own:
        deployed = ozgwiki(own, "deploy")
        assert deployed.returncode == 0, deployed.stderr
        while own.run_jobs().jobs:
            pass
        yield own


def site_of(wiki: lw.LocalWiki) -> Site:
    site = Site.from_config(load_config(wiki.path("ozgwiki.yaml")))
    site.login()
    return site


def test_bulk_first_load_ends_like_the_import_and_is_refused_once_the_wiki_is_full(
    wiki: lw.LocalWiki, tmp_path: Path
) -> None:
    catalogue = load()
    pages = bulk.first_load(catalogue, title_scheme(catalogue, schema.load()))
    done = ozgwiki(wiki, "import", "--bulk", "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["bulk"]["counts"]["created"] == len(pages)
    assert result["bulk"]["load"]["requests"] == -(-len(pages) // bulk.CHUNK)
    # The normal import right after it: nothing to create, nothing to change.
    assert result["counts"]["created"] == result["counts"]["changed"] == 0
    assert {p["outcome"] for p in result["pages"]} == {"unchanged"}

    site = site_of(wiki)
    texts = site.read_pages([p.title for p in pages])
    assert {t: s.text for t, s in texts.items()} == {p.title: p.text for p in pages}
    assert {s.user for s in texts.values()} == {"OzgBot"}  # the null revision, by the importing bot
    first = site.api(
        "query", prop="revisions", titles=pages[0].title, rvprop="user|comment", rvlimit=2, rvdir="newer"
    )["query"]["pages"][0]["revisions"]
    assert [r["user"] for r in first] == [
        "OzgBot",
        "OzgBot",
    ]  # the import keeps the bot, not "ozgwiki>OzgBot"
    assert first[0]["comment"] == pages[0].summary

    while wiki.run_jobs().jobs:
        pass
    members = {
        e["title"]
        for body in site.query(list="categorymembers", cmtitle="Kategorie:Themenfeld", cmlimit="max")
        for e in body["query"]["categorymembers"]
    }
    assert members == {t.name for t in catalogue.themenfelder}

    again = ozgwiki(wiki, "import", "--bulk")
    assert again.returncode == EXIT_CONFIG
    assert "nur in ein leeres Wiki" in again.stderr
    assert site_of(wiki).read_pages([pages[0].title])[pages[0].title].revid == texts[pages[0].title].revid
