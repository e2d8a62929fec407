"""``ozgwiki import`` against a bare API loop: same wiki, same catalogue, same target texts.

    python -m bench.bare_loop [--real] [--dir PATH] [--port N]

The bare loop is what a quick script would do with ``requests`` alone: log in, then for every page
read its text (one request per page), and save it when it differs (one more). No batching, no maxlag,
no retries, no conflict detection, no opt-out — the baseline the site client's safety and batching are
measured against. Each side runs twice on a fresh wiki of its own (a first run that creates every page,
then a no-op run); the printed table has wall time, HTTP requests and edits.

The bare loop writes exactly the texts ozgwiki would write (it reuses the importer's pure transforms), so
both sides do the same work on the wiki. Not part of ``python -m bench``: it writes wikis.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import requests

from ozgwiki.bots import importer
from ozgwiki.catalogue import load
from ozgwiki.config import load_config
from ozgwiki.domain.model import Catalogue
from ozgwiki.engine.bot import BotContext
from ozgwiki.localwiki import LocalWiki, read_accounts
from ozgwiki.render.plans import plan_pages
from ozgwiki.wiki.site import Site

DEFAULT_DIR = Path(tempfile.gettempdir()) / "ozgwiki-bench-bare"
DEFAULT_PORT = 8096


def fresh_wiki(folder: Path, port: int) -> LocalWiki:
    wiki = LocalWiki(folder, port)
    wiki.down()
    shutil.rmtree(folder, ignore_errors=True)
    wiki.up()
    return wiki


def bare_loop(wiki: LocalWiki, catalogue: Catalogue) -> dict[str, float]:
    """One GET per page, one POST per changed page; the importer's transforms give the target text."""
    accounts = read_accounts(wiki.path("accounts.json"))
    api = accounts.api_url
    http = requests.Session()
    count = {"requests": 0, "edits": 0}

    def call(method: str, **params: str) -> dict:
        count["requests"] += 1
        params.update(format="json", formatversion="2")
        resp = http.request(method, api, params=params if method == "GET" else None,
                            data=params if method == "POST" else None, timeout=60)  # fmt: skip
        resp.raise_for_status()
        return resp.json()

    start = time.perf_counter()
    token = call("GET", action="query", meta="tokens", type="login")["query"]["tokens"]["logintoken"]
    call("POST", action="login", lgname=accounts.bot.login, lgpassword=accounts.bot.password, lgtoken=token)
    csrf = call("GET", action="query", meta="tokens")["query"]["tokens"]["csrftoken"]
    for item in importer.import_items(plan_pages(catalogue), ()):
        page = call("GET", action="query", prop="revisions", rvprop="content", rvslots="main",
                    titles=item.title)["query"]["pages"][0]  # fmt: skip
        old = page["revisions"][0]["slots"]["main"]["content"] if "revisions" in page else ""
        new = item.transform(old)
        if new.rstrip() != old.rstrip():
            call("POST", action="edit", title=item.title, text=new, summary="bare loop", bot="1", token=csrf)
            count["edits"] += 1
    return {"seconds": time.perf_counter() - start, **count}


def ozgwiki_import(wiki: LocalWiki, catalogue: Catalogue) -> dict[str, float]:
    config = load_config(wiki.path("ozgwiki.yaml"))
    site = Site.from_config(config)
    start = time.perf_counter()
    site.login()
    importer.run(BotContext(config, site, site.userinfo.name, lambda: catalogue))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "requests": site.stats.total_requests, "edits": site.stats.edits_sent}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bare_loop", description=__doc__.split("\n")[0])
    parser.add_argument("--real", action="store_true", help="the full real catalogue (minutes per run)")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"wiki folder ({DEFAULT_DIR})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT})")
    args = parser.parse_args(argv)
    catalogue = load("nrw" if args.real else None)  # nrw: the real catalogue, shipped as package data
    rows = []
    for name, run in (("bare API loop", bare_loop), ("ozgwiki import", ozgwiki_import)):
        wiki = fresh_wiki(args.dir, args.port)
        try:
            rows += [(name, "first", run(wiki, catalogue)), (name, "no-op", run(wiki, catalogue))]
        finally:
            wiki.down()
    print(f"{'':16} {'run':6} {'seconds':>8} {'requests':>9} {'edits':>6}")
    for name, label, r in rows:
        print(f"{name:16} {label:6} {r['seconds']:8.1f} {int(r['requests']):9d} {int(r['edits']):6d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
