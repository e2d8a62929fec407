"""One measured run of one contender, in a process of its own: ``python -m bench.worker SPEC OUT``.

A process per run gives every run its own peak RSS and its own counters, and keeps the contenders'
libraries out of each other's memory (this module imports nothing but :mod:`bench.measure` before
the clock starts). ``SPEC`` is a JSON file written by :mod:`bench.run`; ``OUT`` receives the result.

Contenders:

* ``bare`` -- the minimal ``requests`` loop: log in, read the texts in batches (``titles=`` 500 per
  request with ``apihighlimits``, else 50), one ``action=edit`` per page whose text differs. No
  maxlag, no retries, no conflict detection: the wiki's limit.
* ``mwclient`` -- ``site.pages[title].text()`` then ``Page.edit(text, summary)`` per page.
* ``pywikibot`` -- a generated user-config (throttle off), ``PreloadingGenerator`` for the reads,
  ``Page.text = …; Page.save(summary, bot=True)``.
* ``ozgwiki`` -- the CLI in this process (``ozgwiki.cli.main``), exactly as cron runs it; with
  ``pages`` set, the import's sync engine on the first ``pages`` changes of the same import.
* ``load`` -- ``ozgwiki.catalogue.load`` ``repeat`` times (catalogue load, no wiki).
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bench.measure import HttpCounter, peak_rss_mb

SUMMARY = "Bench: Katalogseite geschrieben"


def _differs(old: str, new: str) -> bool:
    """MediaWiki drops trailing whitespace on save: compare as it stores."""
    return old.rstrip() != new.rstrip()


def _texts(spec: Mapping[str, Any]) -> dict[str, str]:
    texts: dict[str, str] = json.loads(Path(spec["texts"]).read_text(encoding="utf-8"))
    if spec.get("pages"):
        texts = dict(list(texts.items())[: int(spec["pages"])])
    return texts


def run_bare(spec: Mapping[str, Any]) -> dict[str, Any]:
    import requests

    texts = _texts(spec)
    api = spec["api_url"]
    http = requests.Session()

    def call(method: str, **params: str) -> dict[str, Any]:
        params.update(format="json", formatversion="2")
        if method == "GET":
            resp = http.get(api, params=params, timeout=120)
        else:
            resp = http.post(api, data=params, timeout=120)
        resp.raise_for_status()
        answer: dict[str, Any] = resp.json()
        if "error" in answer:
            raise RuntimeError(f"API error: {answer['error']}")
        return answer

    token = call("GET", action="query", meta="tokens", type="login")["query"]["tokens"]["logintoken"]
    login = call("POST", action="login", lgname=spec["login"], lgpassword=spec["password"], lgtoken=token)
    if login.get("login", {}).get("result") != "Success":
        raise RuntimeError(f"login failed: {login}")
    q = call("GET", action="query", meta="tokens|userinfo", uiprop="rights")["query"]
    csrf = q["tokens"]["csrftoken"]
    batch = 500 if "apihighlimits" in q["userinfo"].get("rights", []) else 50
    titles = list(texts)
    edits = 0
    for i in range(0, len(titles), batch):
        chunk = titles[i : i + batch]
        answer = call("POST", action="query", prop="revisions", rvprop="content", rvslots="main",
                      titles="|".join(chunk))["query"]  # fmt: skip
        renamed = {n["to"]: n["from"] for n in answer.get("normalized", [])}
        for page in answer["pages"]:
            title = renamed.get(page["title"], page["title"])
            old = page["revisions"][0]["slots"]["main"]["content"] if "revisions" in page else ""
            new = texts[title]
            if _differs(old, new):
                call("POST", action="edit", title=title, text=new, summary=spec.get("summary", SUMMARY),
                     bot="1", token=csrf)  # fmt: skip
                edits += 1
    return {"changed": edits, "pages": len(titles)}


def run_mwclient(spec: Mapping[str, Any]) -> dict[str, Any]:
    from urllib.parse import urlsplit

    import mwclient

    texts = _texts(spec)
    url = urlsplit(spec["api_url"])
    site = mwclient.Site(url.netloc, path=url.path.rsplit("/", 1)[0] + "/", scheme=url.scheme)
    site.login(spec["login"], spec["password"])
    edits = 0
    for title, new in texts.items():
        page = site.pages[title]
        if _differs(page.text(), new):
            page.edit(new, summary=SUMMARY, bot=True)
            edits += 1
    return {"changed": edits, "pages": len(texts)}


def pywikibot_config(folder: Path, api_url: str, login: str, password: str) -> None:
    """Write a user-config for the wiki (an automatic family from its API URL) with the throttle off.

    ``put_throttle`` 0 and ``minthrottle``/``maxthrottle`` 0 remove pywikibot's deliberate pauses; its
    maxlag (``write_maxlag`` 5 s) stays at the default, like ozgwiki's own ``maxlag: 5``.
    """
    user, _, app = login.partition("@")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "user-config.py").write_text(
        "family = 'ozgbench'\n"
        "mylang = 'ozgbench'\n"
        f"family_files['ozgbench'] = {api_url!r}\n"
        f"usernames['ozgbench']['ozgbench'] = {user!r}\n"
        "password_file = 'user-password.py'\n"
        "put_throttle = 0\nminthrottle = 0\nmaxthrottle = 0\n"
        "max_retries = 2\nretry_wait = 1\n"
        "console_encoding = 'utf-8'\n",
        encoding="utf-8",
    )
    secret = f"({user!r}, BotPassword({app!r}, {password!r}))" if app else f"({user!r}, {password!r})"
    pw = folder / "user-password.py"
    pw.write_text(secret + "\n", encoding="utf-8")
    pw.chmod(0o600)


def run_pywikibot(spec: Mapping[str, Any]) -> dict[str, Any]:
    folder = Path(spec["pywikibot_dir"])
    if not (folder / "user-config.py").is_file():
        pywikibot_config(folder, spec["api_url"], spec["login"], spec["password"])
    os.environ["PYWIKIBOT_DIR"] = str(folder)
    texts = _texts(spec)
    import pywikibot
    from pywikibot import pagegenerators

    site = pywikibot.Site()
    site.login()
    edits = 0
    pages = (pywikibot.Page(site, t) for t in texts)
    for page in pagegenerators.PreloadingGenerator(pages, groupsize=500, quiet=True):
        new = texts[page.title()]
        old = page.text if page.exists() else ""
        if _differs(old, new):
            page.text = new
            page.save(summary=SUMMARY, bot=True, quiet=True)
            edits += 1
    return {"changed": edits, "pages": len(texts)}


def run_ozgwiki(spec: Mapping[str, Any]) -> dict[str, Any]:
    if spec.get("pages"):
        return _ozgwiki_cut(spec)
    from ozgwiki.cli import main

    # Into a file, not a StringIO: a dry run of the 10× catalogue prints 27 MB of diffs, which a
    # StringIO would hold (as 4-byte characters) in the very process whose peak memory is measured.
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        with contextlib.redirect_stdout(out):
            code = main(["--config", spec["config"], *spec["argv"]])
        if code > 1:
            raise RuntimeError(f"ozgwiki {' '.join(spec['argv'])} exited {code}")
        report: dict[str, Any] = {}
        if "json" in spec["argv"]:  # --format json: one report, small
            out.seek(0)
            text = out.read()
            with contextlib.suppress(ValueError):
                report = json.loads(text[text.index("{") :]) if "{" in text else {}
    return {"exit": code, "summary": report.get("summary", "")}


def _ozgwiki_cut(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The import's own changes (content pages, redirects, Begriffsklärungen), the first ``pages`` of
    them, through the engine the import uses: ozgwiki's write path at a smaller size."""
    from ozgwiki.bots import importer
    from ozgwiki.catalogue import load
    from ozgwiki.config import load_config
    from ozgwiki.engine.bot import BotContext
    from ozgwiki.engine.sync import Changes, Phase
    from ozgwiki.render import plans as page_plans
    from ozgwiki.wiki.site import Site

    config = load_config(spec["config"])
    catalogue = load(spec.get("catalogue"))
    site = Site.from_config(config)
    site.login()
    ctx = BotContext(config, site, site.userinfo.name, lambda: catalogue)
    plans = page_plans.plan_pages(catalogue, ctx.titles)
    changes = importer.page_changes(importer.import_items(plans, ()), plans, ctx.titles)
    engine = ctx.engine(chunk=500, scope=ctx.catalogue_scope)
    report = engine.run_phases([Phase(Changes(changes.sources[: int(spec["pages"])], changes.make))])
    return {"pages": len(report.pages)}


def run_load(spec: Mapping[str, Any]) -> dict[str, Any]:
    from ozgwiki.catalogue import load

    load(spec.get("catalogue"))  # warm-up: imports, file cache
    times = []
    for _ in range(int(spec.get("repeat", 7))):
        start = time.perf_counter()
        load(spec.get("catalogue"))
        times.append(time.perf_counter() - start)
    return {"load_seconds": times, "load_median": statistics.median(times)}


CONTENDERS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "bare": run_bare,
    "mwclient": run_mwclient,
    "pywikibot": run_pywikibot,
    "ozgwiki": run_ozgwiki,
    "load": run_load,
}


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    counter = HttpCounter().install()
    start = time.perf_counter()
    cpu0 = os.times()
    extra = CONTENDERS[spec["contender"]](spec)
    wall = time.perf_counter() - start
    cpu1 = os.times()
    result = {
        "wall": wall,
        "bot_cpu": (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system),
        "peak_rss_mb": peak_rss_mb(),
        "http": counter.as_dict(),
        "extra": extra,
    }
    Path(argv[1]).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
