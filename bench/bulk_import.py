"""First load of an empty wiki: ``ozgwiki import`` (one edit per page) against MediaWiki's XML import.

    python -m bench.bulk_import [--chunks 50,200,0] [--runs N] [--dir PREFIX] [--port N] [--smw CONFIG]

Question (issue 13, item 4): is ``action=import`` with an uploaded XML file (schema export-0.11, the one
MediaWiki 1.39 writes) clearly faster than the importer's per-page edits for the first load, and does it
end in the same wiki? Each contender gets a fresh local wiki with the deployed definitions (templates,
properties), then loads the same pages: the texts ``ozgwiki import`` writes into an empty wiki (every
catalogue page, the ID-title redirects, the Begriffsklärung pages). Measured: wall time, HTTP requests,
the server's CPU (``php -S`` and the Lua processes it starts, from ``/proc``), the jobs left in the queue
and the time ``runJobs.php`` takes to drain them. Then the end states are compared with the per-page
wiki's: every page's text byte for byte, templates, categories and page props of every page, the
members of every category, and -- on Semantic MediaWiki -- the stored facts of every page
(``action=browsebysubject``). Finally ``ozgwiki import`` runs on each bulk-loaded wiki: it must make no
edit.

The local wiki's bot may import already (``ozgwiki import --bulk`` needs it: ``importupload`` for the
bot group, the ``import`` grant on its bot password). With ``--smw`` the same runs on a Semantic
MediaWiki given by its ozgwiki config; that wiki must already grant ``importupload`` to the bot and
``--smw-bulk-secret`` names a file with a bot password ``<bot>@bulk`` holding the ``import`` grant (the
lab wiki: see :func:`smw_prepare_hint`).

Not part of ``python -m bench``: it writes wikis. Run it under ``flock /tmp/ozgwiki-heavy.lock``.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.measure import tree_cpu_seconds
from ozgwiki.bots import bulk as bulk_bot
from ozgwiki.bots import importer
from ozgwiki.catalogue import load
from ozgwiki.config import Config, load_config
from ozgwiki.definitions import schema
from ozgwiki.domain.model import Catalogue
from ozgwiki.engine.bot import BotContext
from ozgwiki.localwiki import LocalWiki
from ozgwiki.render.plans import title_scheme
from ozgwiki.render.xmldump import DumpPage, render
from ozgwiki.wiki.site import Site

DEFAULT_DIR = Path(tempfile.gettempdir()) / "ozgwiki-bench-h4"
DEFAULT_PORT = 8130
BULK_APP = "bulk"
BULK_GRANTS = ("basic", "highvolume", "editpage", "createeditmovepage", "import")
#: Given to action=import as ``interwikiprefix`` (required for uploads); with ``assignknownusers`` only
#: names the wiki does not know get it ("ozgwiki>Someone"), the bot's own name stays the bot's.
INTERWIKI_PREFIX = "ozgwiki"
IMPORT_SUMMARY = "Bot: Erstbefüllung aus dem OZG-Katalog (XML-Import)"
#: SMW facts that say when and by whom, not what: they differ between two loads of the same text.
VOLATILE_FACTS = frozenset({"_MDAT", "_CDAT", "_LEDT", "_NEWP", "_REDI"})
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------- the pages


def first_load(catalogue: Catalogue) -> list[DumpPage]:
    """The pages ``ozgwiki import`` creates in an empty wiki, with the texts and summaries it writes
    (the product's own list, :func:`ozgwiki.bots.bulk.first_load`)."""
    return bulk_bot.first_load(catalogue, title_scheme(catalogue, schema.load()))


# --------------------------------------------------------------------------------------- measuring


@dataclass
class Measure:
    """One contender on one wiki."""

    name: str
    seconds: float = 0.0
    requests: int = 0
    edits: int = 0
    server_cpu: float = 0.0
    jobs: int = 0
    drain_seconds: float = 0.0
    drain_cpu: float = 0.0
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)


class Target:
    """A wiki to load: its config, the server process to meter, and how its job queue drains."""

    def __init__(self, config: Config, server_pid: Callable[[], int], drain: Callable[[], tuple[int, float]]):
        self.config = config
        self.server_pid = server_pid
        self.drain = drain  # -> (jobs run, CPU seconds of the runner)
        self.settings: Path | None = None  # the file that decides the Lua engine, if known

    def fingerprint(self) -> str:
        """What the wiki runs with, so runs on a tree that others change meanwhile are not compared
        blindly: a hash of the shipped templates and, for a local wiki, its Lua engine line."""
        digest = hashlib.sha1()
        for path in sorted((Path(__file__).resolve().parent.parent / "templates").glob("*.wiki")):
            digest.update(path.read_bytes())
        engine = ""
        if self.settings is not None and self.settings.is_file():
            engine = next((ln for ln in self.settings.read_text().splitlines() if "DefaultEngine" in ln), "")
        return f"templates {digest.hexdigest()[:10]}; {engine.strip()}"

    def site(self, **wiki: Any) -> Site:
        site = Site(dataclasses.replace(self.config.wiki, **wiki) if wiki else self.config.wiki)
        site.login()
        return site


def local_target(wiki: LocalWiki) -> Target:
    def pid() -> int:
        server = wiki._server()
        assert server is not None
        return server[0]

    def drain() -> tuple[int, float]:
        jobs = 0
        before = os.times()
        while True:
            result = wiki.run_jobs()
            jobs += result.jobs
            if result.jobs == 0:
                break
        after = os.times()
        return jobs, (after.children_user - before.children_user) + (
            after.children_system - before.children_system
        )

    target = Target(load_config(wiki.path("ozgwiki.yaml")), pid, drain)
    target.settings = wiki.path("ozgwiki-settings.php")
    return target


def machine_busy() -> float:
    """CPU seconds all cores of this machine have been busy since boot (``/proc/stat``)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def measured(target: Target, m: Measure, work: Callable[[], tuple[int, int]]) -> Measure:
    """Run ``work`` (-> requests, edits), then drain the job queue; fill ``m``.

    ``other_cpu`` is what the rest of the machine used meanwhile (neither the server nor this
    process): other work on a shared machine stretches the wall time, not the server's CPU seconds.
    """
    m.extra["setup"] = target.fingerprint()
    cpu = tree_cpu_seconds(target.server_pid())
    busy, own = machine_busy(), os.times()
    start = time.perf_counter()
    m.requests, m.edits = work()
    m.seconds = time.perf_counter() - start
    m.server_cpu = tree_cpu_seconds(target.server_pid()) - cpu
    done = os.times()
    client = (done.user - own.user) + (done.system - own.system)
    m.extra["client_cpu"] = round(client, 2)
    m.extra["other_cpu"] = round(machine_busy() - busy - m.server_cpu - client, 1)
    reader = target.site()
    m.extra["queued"] = reader.job_count()
    start = time.perf_counter()
    m.jobs, m.drain_cpu = target.drain()
    m.drain_seconds = time.perf_counter() - start
    return m


def per_page(target: Target, catalogue: Catalogue) -> Measure:
    def work() -> tuple[int, int]:
        site = Site.from_config(target.config)
        site.login()
        importer.run(BotContext(target.config, site, site.userinfo.name, lambda: catalogue))
        return site.stats.total_requests, site.stats.edits_sent

    return measured(target, Measure("ozgwiki import"), work)


def bulk(target: Target, pages: Sequence[DumpPage], chunk: int, secret: str | None = None) -> Measure:
    """Log in (as ``<bot>@bulk`` with ``secret`` where the wiki's own bot password lacks the ``import``
    grant), check that no page exists (as a bulk bot must), upload the XML. Then send the first
    document once more, as a retry after a lost answer would: MediaWiki must skip it."""
    bot = target.config.wiki.username.split("@", 1)[0]
    login = {} if secret is None else {"username": f"{bot}@{BULK_APP}", "secret": secret}
    m = Measure(f"XML import, {chunk or 'all'} pages/request")
    documents: list[bytes] = []

    def work() -> tuple[int, int]:
        site = target.site(**login)
        info = site.pages_info(p.title for p in pages)
        assert not any(i.exists for i in info.values()), "the wiki is not empty"
        size = chunk or len(pages)
        imported = 0
        for i in range(0, len(pages), size):
            part = pages[i : i + size]
            documents.append(
                render(part, user=bot, timestamp=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
            )
            done = site.import_xml(documents[-1], summary=IMPORT_SUMMARY, interwiki_prefix=INTERWIKI_PREFIX)
            imported += sum(1 for n in done.values() if n)
            missing = {p.title for p in part} - {t for t, n in done.items() if n}
            if missing:
                raise RuntimeError(f"not imported: {sorted(missing)[:5]} ({len(missing)})")
        m.extra["xml_bytes"] = sum(len(d) for d in documents)
        return site.stats.total_requests, imported

    measured(target, m, work)
    again = target.site(**login).import_xml(
        documents[0], summary=IMPORT_SUMMARY, interwiki_prefix=INTERWIKI_PREFIX
    )
    m.extra["resent_revisions_imported"] = sum(again.values())
    return m


# -------------------------------------------------------------------------------------- end states


def _merge(into: dict[str, dict[str, Any]], body: Mapping[str, Any], keys: Sequence[str]) -> None:
    for page in body.get("query", {}).get("pages", []):
        entry = into.setdefault(page["title"], {k: [] for k in keys} | {"pageprops": {}})
        for key in keys:
            entry[key] += [x["title"] for x in page.get(key, [])]
        entry["pageprops"].update(page.get("pageprops", {}))


def end_state(site: Site, titles: Sequence[str], smw: bool) -> dict[str, Any]:
    """What a reader and the wiki's tables see: texts, links, categories, props, facts."""
    texts = {t: s.text for t, s in site.read_pages(titles).items()}
    links: dict[str, dict[str, Any]] = {}
    for i in range(0, len(titles), site.batch_size):
        batch = "|".join(titles[i : i + site.batch_size])
        for body in site.query(
            prop="templates|categories|pageprops", titles=batch, tllimit="max", cllimit="max"
        ):
            _merge(links, body, ("templates", "categories"))
    for entry in links.values():
        entry["templates"].sort()
        entry["categories"].sort()
    categories = []
    for body in site.query(list="allcategories", aclimit="max"):
        categories += [e.get("category", e.get("*")) for e in body["query"]["allcategories"]]
    members = {}
    for cat in categories:
        found = []
        for body in site.query(list="categorymembers", cmtitle=f"Kategorie:{cat}", cmlimit="max"):
            found += [e["title"] for e in body["query"]["categorymembers"]]
        members[cat] = sorted(found)
    state: dict[str, Any] = {"texts": texts, "links": links, "members": members}
    if smw:
        state["facts"] = {t: facts(site, t) for t in titles}
    return state


def facts(site: Site, title: str) -> dict[str, list[str]]:
    """The page's stored SMW facts (property key -> sorted values), without the volatile ones."""
    body = site.api("browsebysubject", subject=title)
    out: dict[str, list[str]] = {}
    for prop in body.get("query", {}).get("data", []):
        if prop["property"] in VOLATILE_FACTS:
            continue
        values = prop.get("dataitem", [])
        out[prop["property"]] = sorted(str(v.get("item")) for v in values)
    for sub in body.get("query", {}).get("sobj", []) or []:
        key = "#" + str(sub.get("subject", "")).split("#", 1)[-1]
        for prop in sub.get("data", []):
            if prop["property"] not in VOLATILE_FACTS:
                out[f"{key}/{prop['property']}"] = sorted(
                    str(v.get("item")) for v in prop.get("dataitem", [])
                )
    return out


def differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, list[str]]:
    """Per part of the state, the keys (titles, categories) whose values differ."""
    out: dict[str, list[str]] = {}
    for part in a:
        left, right = a[part], b.get(part, {})
        keys = sorted(set(left) | set(right))
        bad = [k for k in keys if left.get(k) != right.get(k)]
        if bad:
            out[part] = bad
    return out


def history(site: Site, title: str) -> list[dict[str, Any]]:
    """Who the page's revisions are attributed to, their summaries and flags (oldest first)."""
    body = site.api("query", prop="revisions", titles=title, rvprop="user|comment|flags|size", rvlimit=10,
                    rvdir="newer")  # fmt: skip
    return [dict(r) for r in body["query"]["pages"][0].get("revisions", [])]


def recent_changes(site: Site) -> dict[str, int]:
    """The recent changes of namespace 0, counted by type, log type, bot flag and user."""
    counts: Counter[str] = Counter()
    for body in site.query(list="recentchanges", rcnamespace=0, rclimit="max", rcprop="user|flags|loginfo",
                           rctype="edit|new|log"):  # fmt: skip
        for e in body["query"]["recentchanges"]:
            kind = e["type"] if e["type"] != "log" else f"log/{e.get('logtype')}/{e.get('logaction')}"
            counts[f"{kind} by {e.get('user')}{' (bot)' if e.get('bot') else ''}"] += 1
    return dict(sorted(counts.items()))


def rerun(target: Target, catalogue: Catalogue) -> dict[str, int]:
    """``ozgwiki import`` on the loaded wiki: what a normal run does next."""
    site = Site.from_config(target.config)
    site.login()
    result = importer.run(BotContext(target.config, site, site.userinfo.name, lambda: catalogue))
    return {"edits": site.stats.edits_sent, "requests": site.stats.total_requests, **result.data["counts"]}


# -------------------------------------------------------------------------------------------- wikis


def fresh_local(folder: Path, port: int) -> LocalWiki:
    """A fresh local wiki with the definitions deployed and its queue drained. Its bot may import
    already: the local wiki gives the bot group ``importupload`` and the bot password the ``import``
    grant (``ozgwiki import --bulk``)."""
    wiki = LocalWiki(folder, port)
    wiki.down()
    shutil.rmtree(folder, ignore_errors=True)
    wiki.up()
    subprocess.run(
        [sys.executable, "-m", "ozgwiki", "--config", str(wiki.path("ozgwiki.yaml")), "deploy"],
        check=True, capture_output=True,
    )  # fmt: skip
    while wiki.run_jobs().jobs:
        pass
    return wiki


def smw_target(config_path: Path, server_pidfile: Path, runner_pidfile: Path) -> Target:
    """The SMW lab: its server's PID file; its own job runner drains the queue (polled here)."""
    config = load_config(config_path)

    def pid() -> int:
        return int(server_pidfile.read_text().strip())

    def drain() -> tuple[int, float]:
        runner = int(runner_pidfile.read_text().strip())
        cpu = tree_cpu_seconds(runner)
        site = Site(config.wiki)
        site.login()
        while site.job_count():
            time.sleep(0.5)  # a measurement's poll, not a test's synchronisation
        return -1, tree_cpu_seconds(runner) - cpu

    return Target(config, pid, drain)


def smw_prepare_hint() -> str:
    return (
        "on the SMW wiki: $wgGroupPermissions['bot']['importupload'] = true; in its LocalSettings, and "
        "php maintenance/createBotPassword.php --appid=bulk --grants="
        + ",".join(BULK_GRANTS)
        + " <bot> <secret>"
    )


# -------------------------------------------------------------------------------------------- main


def row(m: Measure, base: Measure | None) -> str:
    wall = f"{base.seconds / m.seconds:5.2f}×" if base else "  —  "
    cpu = f"{base.server_cpu / m.server_cpu:5.2f}×" if base and m.server_cpu else "  —  "
    return (
        f"{m.name:34} {m.seconds:7.1f} {m.requests:6d} {m.edits:6d} {m.server_cpu:8.1f} "
        f"{m.extra.get('queued', 0):7d} {m.jobs:6d} {m.drain_seconds:7.1f} {m.drain_cpu:7.1f} "
        f"{m.extra.get('other_cpu', 0):7.1f}   {wall}  {cpu}"
    )


HEADER = (
    f"{'contender':34} {'wall s':>7} {'req':>6} {'edits':>6} {'srv CPU':>8} {'queued':>7} {'jobs':>6} "
    f"{'drain s':>7} {'drain CPU':>7} {'other':>7}  wall vs  CPU vs"
)


def median_of(runs: list[Measure]) -> Measure:
    m = dataclasses.replace(runs[0])
    for f in ("seconds", "server_cpu", "drain_seconds", "drain_cpu"):
        setattr(m, f, statistics.median(getattr(r, f) for r in runs))
    m.extra = dict(runs[0].extra, runs=[dataclasses.asdict(r) for r in runs])
    return m


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bulk_import", description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", default="50,200,0", help="pages per action=import request (0: all)")
    parser.add_argument("--runs", type=int, default=1, help="runs per contender (medians)")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"wiki folder prefix ({DEFAULT_DIR})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"first port ({DEFAULT_PORT})")
    parser.add_argument("--smw", type=Path, help="ozgwiki config of a Semantic MediaWiki to measure instead")
    parser.add_argument("--smw-bulk-secret", type=Path, help="file with the <bot>@bulk bot password there")
    parser.add_argument("--smw-server-pid", type=Path, default=Path("/work/smwlab/run/server.pid"))
    parser.add_argument("--smw-runner-pid", type=Path, default=Path("/work/smwlab/run/jobrunner.pid"))
    parser.add_argument(
        "--smw-reset", default="/work/smwlab/reset.sh", help="restores the SMW wiki's snapshot"
    )
    parser.add_argument("--smw-prepare", help="command run after each reset (grants, deploy)")
    parser.add_argument("--json", type=Path, help="write all figures and comparisons here")
    args = parser.parse_args(argv)
    catalogue = load(None)
    pages = first_load(catalogue)
    titles = [p.title for p in pages]
    chunks = [int(c) for c in args.chunks.split(",")]
    print(f"{len(pages)} pages, {sum(len(p.text.encode()) for p in pages)} bytes of wikitext")
    report: dict[str, Any] = {"pages": len(pages), "rows": [], "compare": {}}
    if args.smw:
        return smw_main(args, catalogue, pages, titles, chunks, report)
    base_runs: list[Measure] = []
    bulk_runs: dict[int, list[Measure]] = {c: [] for c in chunks}
    states: dict[str, Any] = {}
    wikis: list[LocalWiki] = []
    try:
        for run in range(args.runs):
            last = run == args.runs - 1
            wiki = fresh_local(Path(f"{args.dir}-edit"), args.port)
            wikis.append(wiki)
            target = local_target(wiki)
            base_runs.append(per_page(target, catalogue))
            print(row(base_runs[-1], None), flush=True)
            if last:
                site = target.site()
                states["edit"] = end_state(site, titles, smw=False)
                report["history_edit"] = history(site, titles[0])
                report["rc_edit"] = recent_changes(site)
            wiki.down()
            for i, chunk in enumerate(chunks):
                wiki = fresh_local(Path(f"{args.dir}-xml{chunk}"), args.port + 1 + i)
                wikis.append(wiki)
                target = local_target(wiki)
                bulk_runs[chunk].append(bulk(target, pages, chunk))
                print(row(bulk_runs[chunk][-1], base_runs[-1]), flush=True)
                if last:
                    site = target.site()
                    state = end_state(site, titles, smw=False)
                    report["compare"][str(chunk)] = {
                        "differences": differences(states["edit"], state),
                        "history": history(site, titles[0]),
                        "recent_changes": recent_changes(site),
                        "rerun": rerun(target, catalogue),
                    }
                    if report["compare"][str(chunk)]["differences"]:
                        states[f"xml{chunk}"] = state
                wiki.down()
    finally:
        for wiki in wikis:
            wiki.down()
    base = median_of(base_runs)
    print(f"\nmedians of {args.runs} run(s), {len(pages)} pages, local MediaWiki (SQLite, php -S)")
    print(HEADER)
    print(row(base, None))
    report["rows"].append(dataclasses.asdict(base))
    for chunk in chunks:
        m = median_of(bulk_runs[chunk])
        print(row(m, base))
        report["rows"].append(dataclasses.asdict(m))
    print_compare(report)
    if args.json:
        report["states_with_differences"] = {
            k: v for k, v in states.items() if k != "edit" or len(states) > 1
        }
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str))
    return 0


def print_compare(report: Mapping[str, Any]) -> None:
    if "history_edit" in report:
        print(f"\nper-page edits: revisions of the first page: {report['history_edit']}")
        print(f"per-page edits: recent changes: {report['rc_edit']}")
    for chunk, c in report["compare"].items():
        diff = {k: (len(v), v[:3]) for k, v in c["differences"].items()}
        label = "all" if chunk == "0" else chunk
        print(f"\nXML import ({label} per request): differences from the per-page wiki: {diff or 'none'}")
        print(f"  revisions of the first page: {c['history']}")
        print(f"  recent changes: {c['recent_changes']}")
        print(f"  ozgwiki import afterwards: {c['rerun']}")


def smw_main(
    args: argparse.Namespace,
    catalogue: Catalogue,
    pages: list[DumpPage],
    titles: list[str],
    chunks: list[int],
    report: dict[str, Any],
) -> int:
    if args.smw_bulk_secret is None:
        print(f"--smw needs --smw-bulk-secret; {smw_prepare_hint()}", file=sys.stderr)
        return 2
    secret = args.smw_bulk_secret.read_text().strip()
    target = smw_target(args.smw, args.smw_server_pid, args.smw_runner_pid)

    def reset() -> None:
        subprocess.run([args.smw_reset], check=True, capture_output=True)
        if args.smw_prepare:
            subprocess.run(args.smw_prepare, shell=True, check=True, capture_output=True)
        subprocess.run(
            [sys.executable, "-m", "ozgwiki", "--config", str(args.smw), "deploy"],
            check=True,
            capture_output=True,
        )
        target.drain()

    reset()
    base = per_page(target, catalogue)
    print(HEADER)
    print(row(base, None), flush=True)
    site = target.site()
    edit_state = end_state(site, titles, smw=True)
    report["history_edit"] = history(site, titles[0])
    report["rc_edit"] = recent_changes(site)
    report["rows"].append(dataclasses.asdict(base))
    for chunk in chunks:
        reset()
        m = bulk(target, pages, chunk, secret)
        print(row(m, base), flush=True)
        report["rows"].append(dataclasses.asdict(m))
        site = target.site()
        state = end_state(site, titles, smw=True)
        report["compare"][str(chunk)] = {
            "differences": differences(edit_state, state),
            "history": history(site, titles[0]),
            "recent_changes": recent_changes(site),
            "rerun": rerun(target, catalogue),
        }
        if report["compare"][str(chunk)]["differences"] and args.json:
            report.setdefault("states", {})[str(chunk)] = state
    if args.json:
        report.setdefault("states", {})["edit"] = edit_state
    print_compare(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
