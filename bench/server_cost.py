"""The wiki's server CPU per page the bot writes, and each page kind's parse cost.

    flock /tmp/ozgwiki-heavy.lock .venv/bin/python -m bench.server_cost [--case NAME ...] [--templates DIR]
    flock /tmp/ozgwiki-heavy.lock .venv/bin/python -m bench.server_cost --config PATH --pid PID

Without ``--config`` every case gets a fresh local wiki of its own (ports 8110-8119, folders
``/tmp/ozgwiki-bench-h2-<case>``): deploy, then import the sample catalogue. With ``--config`` it runs
once against that wiki (e.g. the SMW lab after ``reset.sh``; ``--pid`` is its ``php -S`` process).

Why the server's CPU and not wall time: on one machine the bot and the wiki share the cores, and the
wiki is the bottleneck of a first import. The figure is the growth of utime+stime+cutime+cstime of the
``php -S`` process tree (``/proc/<pid>/stat``; ``cutime`` holds the ``lua5.1`` children Scribunto's
``luastandalone`` engine starts and reaps) over the import, divided by the edits it made. Per page kind,
a few pages are parsed again with ``action=parse`` and their limit report read (the parser's CPU time,
Scribunto's Lua time); the ``#invoke`` count per page comes from the deployed template texts and
the page's parameters (an invoke behind ``{{#if:{{{P|}}}|`` counts when the page sets ``P``).

Cases (fresh local wiki each):

============  ==================================================================================
``before``    ``luastandalone`` and the templates of ``--old-templates`` (what issue 13 measured)
``sandbox``   ``luasandbox`` (in-process Lua), old templates
``templates`` ``luastandalone``, the shipped templates
``after``     ``luasandbox`` and the shipped templates (what ``ozgwiki localwiki up`` gives now)
============  ==================================================================================

Other code (H1's ``make bench`` harness) calls :func:`run_cost` with a wiki it set up itself.
Not part of ``python -m bench`` (it writes wikis): the module has no ``run``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import statistics
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.measure import tree_cpu_seconds
from ozgwiki.bots import deploy as deploy_bot
from ozgwiki.bots import importer
from ozgwiki.catalogue import load as load_catalogue
from ozgwiki.config import load_config
from ozgwiki.definitions import schema as schema_mod
from ozgwiki.engine.bot import BotContext
from ozgwiki.engine.sync import Outcome
from ozgwiki.localwiki import LocalWiki
from ozgwiki.wiki.site import Site

DIR_PREFIX = Path(tempfile.gettempdir()) / "ozgwiki-bench-h2"
FIRST_PORT = 8110
#: Pages per kind parsed again for the limit report: enough for a stable median, cheap enough.
PARSE_SAMPLE = 8
_WROTE = (Outcome.CREATED, Outcome.CHANGED)
_TEMPLATE_CALL = re.compile(r"\{\{\s*([^|{}\n#][^|{}\n]*?)\s*[|}]")

#: case -> (Scribunto engine, use the old templates)
CASES: dict[str, tuple[str, bool]] = {
    "before": ("luastandalone", True),
    "sandbox": ("luasandbox", True),
    "templates": ("luastandalone", False),
    "after": ("luasandbox", False),
}


# --------------------------------------------------------------------------------------- CPU


@contextmanager
def cpu_meter(pid: int | None) -> Iterator[dict[str, float]]:
    """Yield a dict that holds ``seconds`` (server CPU spent inside the block) afterwards."""
    out: dict[str, float] = {}
    before = tree_cpu_seconds(pid) if pid else 0.0
    try:
        yield out
    finally:
        out["seconds"] = (tree_cpu_seconds(pid) - before) if pid else float("nan")


# --------------------------------------------------------------------------------------- pages


def page_kind(text: str) -> str:
    """The kind of a page the bot wrote: ``Weiterleitung``, the first template it calls, or ``Text``."""
    if text.lstrip().upper().startswith("#REDIRECT") or text.lstrip().upper().startswith("#WEITERLEITUNG"):
        return "Weiterleitung"
    m = _TEMPLATE_CALL.search(text)
    return m.group(1).replace("_", " ") if m else "Text"


#: An ``#invoke`` (of a field) guarded by ``{{#if:{{{P|}}}|`` runs only when the page sets ``P``.
_INVOKE = re.compile(r"(\{\{#if:\{\{\{([^|{}]+)\|\}\}\}\|)?\{\{#invoke:")


def invokes_per_template(
    schema: schema_mod.Schema, *, smw: bool, pageforms: bool
) -> dict[str, list[str | None]]:
    """Per deployed template, each ``#invoke`` in its transcluded part: the parameter guarding it or None."""
    out: dict[str, list[str | None]] = {}
    for t in schema.templates:
        if t.is_module:
            continue
        text = t.render(smw=smw, pageforms=pageforms)
        included = re.sub(r"<noinclude>.*?</noinclude>", "", text, flags=re.S)
        out[t.name] = [m.group(2) for m in _INVOKE.finditer(included)]
    return out


def _call_params(text: str, start: int) -> dict[str, str]:
    """The named parameters of the template call whose name ends at ``start`` (bot-written, flat)."""
    depth, i, params, current = 2, start, [], []
    while i < len(text) and depth:
        two = text[i : i + 2]
        if two in ("{{", "[["):
            depth += 1
            current.append(two)
            i += 2
            continue
        if two in ("}}", "]]"):
            depth -= 1
            if depth:
                current.append(two)
            i += 2
            continue
        if text[i] == "|" and depth == 2:
            params.append("".join(current))
            current = []
        else:
            current.append(text[i])
        i += 1
    params.append("".join(current))
    named = {}
    for raw in params[1:]:
        key, eq, value = raw.partition("=")
        if eq:
            named[key.strip()] = value.strip()
    return named


def invokes_in(text: str, per_template: dict[str, list[str | None]]) -> int:
    """``#invoke`` calls one parse of ``text`` makes through the templates it calls."""
    total = 0
    for m in _TEMPLATE_CALL.finditer(text):
        name = m.group(1).replace("_", " ")
        name = name[:1].upper() + name[1:]
        guards = per_template.get(name.removeprefix("Vorlage:"))
        if not guards:
            continue
        params = _call_params(text, m.start(1))
        total += sum(1 for g in guards if g is None or params.get(g, ""))
    return total


def parse_report(site: Site, title: str) -> dict[str, float]:
    """The limit report of one fresh parse: parser CPU seconds, Lua seconds, expensive functions."""
    data = site.api("parse", page=title, prop="limitreportdata", disablelimitreport="1")
    report = {r["name"]: r for r in data["parse"].get("limitreportdata", [])}

    def first(name: str) -> float:
        row = report.get(name)
        return float(row["0"]) if row and "0" in row else 0.0

    return {
        "cpu": first("limitreport-cputime"),
        "lua": first("scribunto-limitreport-timeusage"),
        "expensive": first("limitreport-expensivefunctioncount"),
    }


# --------------------------------------------------------------------------------------- measure


@contextmanager
def _metered_edits(site: Site, pid: int | None, into: dict[str, float]) -> Iterator[None]:
    """Add each ``action=edit`` request's server CPU to ``into[title]`` (the client sends one at a time)."""
    if not pid:
        yield
        return
    original = site.api

    def api(action: str, **params: Any) -> dict[str, Any]:
        if action != "edit":
            return original(action, **params)
        before = tree_cpu_seconds(pid)
        try:
            return original(action, **params)
        finally:
            into[str(params.get("title", ""))] += tree_cpu_seconds(pid) - before

    site.api = api  # type: ignore[method-assign]  # bench-only wrapper
    try:
        yield
    finally:
        del site.api


def run_cost(
    api_config: Path,
    server_pid: int | None,
    *,
    templates_root: Path | None = None,
    deploy: bool = True,
    parse_sample: int = PARSE_SAMPLE,
    digest: bool = True,
    job_pids: Sequence[int] = (),
    log: Callable[[str], None] = lambda s: None,
) -> dict[str, Any]:
    """Deploy (unless ``deploy=False``), import the sample, and measure the server's cost.

    ``api_config`` is the bot's ``ozgwiki.yaml`` of an empty (or freshly reset) wiki; ``server_pid``
    the wiki's ``php -S`` process (``None``: CPU figures are NaN, parse reports still come).
    ``templates_root`` deploys other template texts than the shipped ones (the "before" case);
    ``job_pids`` are job runner processes whose CPU after the import (until the queue is empty) is
    reported as ``jobs_cpu_s``.
    Returns ``{"deploy": {edits, cpu_s}, "import": {edits, requests, cpu_s, ms_per_edit},
    "kinds": {kind: {pages, edit_ms, invokes, parse_cpu_ms, lua_ms, expensive, server_ms_per_parse}},
    "digest": {title: sha1 of the rendered page}}`` (``digest=False`` leaves the last out).
    """
    config = load_config(api_config)
    site = Site.from_config(config)
    site.login()
    catalogue = load_catalogue(None)
    ctx = BotContext(config, site, site.userinfo.name, lambda: catalogue)
    schema = schema_mod.load(templates_root) if templates_root else schema_mod.load()
    result: dict[str, Any] = {}
    if deploy:
        original = deploy_bot.load_schema
        deploy_bot.load_schema = lambda: schema  # type: ignore[assignment]  # bench-only swap
        try:
            edits0 = site.stats.edits_sent
            with cpu_meter(server_pid) as cpu:
                deployed = deploy_bot.run(ctx)
            if deployed.exit_code:
                raise RuntimeError(f"deploy failed: {deployed.report}")
        finally:
            deploy_bot.load_schema = original  # type: ignore[assignment]
        result["deploy"] = {"edits": site.stats.edits_sent - edits0, "cpu_s": cpu["seconds"]}
        log(f"deploy: {result['deploy']['edits']} edits, {cpu['seconds']:.2f} s server CPU")
    edits0, requests0 = site.stats.edits_sent, site.stats.total_requests
    edit_cpu: dict[str, float] = defaultdict(float)
    jobs_before = sum(tree_cpu_seconds(p) for p in job_pids)
    with cpu_meter(server_pid) as cpu, _metered_edits(site, server_pid, edit_cpu):
        imported = importer.run(ctx)
    if job_pids:
        # A job runner beside the server (the SMW lab's) does part of each edit's work later: wait for
        # the queue to drain and count that CPU too, separately.
        deploy_bot.wait_for_job_queue(site, timeout=900)
        result["jobs_cpu_s"] = sum(tree_cpu_seconds(p) for p in job_pids) - jobs_before
    edits = site.stats.edits_sent - edits0
    written = [p.title for p in imported.report.pages if p.outcome in _WROTE]
    result["import"] = {
        "edits": edits,
        "requests": site.stats.total_requests - requests0,
        "cpu_s": cpu["seconds"],
        "ms_per_edit": 1000 * cpu["seconds"] / edits if edits else float("nan"),
    }
    log(
        f"import: {edits} edits, {cpu['seconds']:.2f} s server CPU, "
        f"{result['import']['ms_per_edit']:.1f} ms/edit"
    )

    info = site.siteinfo
    per_template = invokes_per_template(schema, smw=info.extensions.smw, pageforms=info.extensions.pageforms)
    states = site.read_pages(written)
    by_kind: dict[str, list[str]] = defaultdict(list)
    for title in written:
        by_kind[page_kind(states[title].text)].append(title)
    kinds: dict[str, Any] = {}
    for kind, titles in sorted(by_kind.items()):
        sample = titles[:parse_sample]
        reports = []
        with cpu_meter(server_pid) as cpu:
            for title in sample:
                reports.append(parse_report(site, title))
        kinds[kind] = {
            "pages": len(titles),
            "edit_ms": 1000 * sum(edit_cpu[t] for t in titles) / len(titles) if server_pid else float("nan"),
            "invokes": statistics.median(invokes_in(states[t].text, per_template) for t in sample),
            "parse_cpu_ms": 1000 * statistics.median(r["cpu"] for r in reports),
            "lua_ms": 1000 * statistics.median(r["lua"] for r in reports),
            "expensive": statistics.median(r["expensive"] for r in reports),
            "server_ms_per_parse": 1000 * cpu["seconds"] / len(sample),
        }
    result["kinds"] = kinds
    if digest:
        result["digest"] = rendering_digest(
            site, [t for t in written if page_kind(states[t].text) != "Weiterleitung"]
        )
    return result


def rendering_digest(site: Site, titles: Sequence[str]) -> dict[str, str]:
    """SHA-1 of each page's rendered HTML and categories: two template versions must agree on them."""
    out = {}
    for title in titles:
        data = site.api("parse", page=title, prop="text|categories", disablelimitreport="1")["parse"]
        cats = sorted(c["category"] for c in data.get("categories", []))
        out[title] = hashlib.sha1(json.dumps([data["text"], cats]).encode()).hexdigest()
    return out


def _fresh_wiki(case: str, port: int, engine: str) -> LocalWiki:
    folder = Path(f"{DIR_PREFIX}-{case}")
    wiki = LocalWiki(folder, port)
    wiki.down()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    # LocalSettings.extra.php is read last: it pins the engine this case measures.
    (folder / "LocalSettings.extra.php").write_text(
        f"<?php\n$wgScribuntoDefaultEngine = '{engine}';\n", encoding="utf-8"
    )
    wiki.up()
    return wiki


def run_case(case: str, port: int, old_templates: Path | None, log: Callable[[str], None]) -> dict[str, Any]:
    """One case of :data:`CASES` on a fresh local wiki (stopped afterwards)."""
    engine, old = CASES[case]
    if old and old_templates is None:
        raise SystemExit(f"case {case!r} needs --old-templates DIR (a copy of the old templates/)")
    wiki = _fresh_wiki(case, port, engine)
    try:
        pid, _ = wiki._server()
        log(f"{case}: wiki on port {port}, php -S pid {pid}, engine {engine}")
        out = run_cost(wiki.path("ozgwiki.yaml"), pid, templates_root=old_templates if old else None, log=log)
        out["engine"] = engine
        return out
    finally:
        wiki.down()


def print_table(results: dict[str, dict[str, Any]]) -> None:
    """ms/edit per case, then each page kind's invokes and parse cost."""
    print(f"{'case':10} {'edits':>6} {'server CPU s':>13} {'ms/edit':>8}")
    for case, r in results.items():
        i = r["import"]
        jobs = f"  + job runner {r['jobs_cpu_s']:.2f} s" if "jobs_cpu_s" in r else ""
        print(f"{case:10} {i['edits']:6d} {i['cpu_s']:13.2f} {i['ms_per_edit']:8.1f}{jobs}")
    for case, r in results.items():
        print(
            f"\n{case}: page kind, pages, server ms/edit, #invoke/page, parse CPU ms, Lua ms, server ms/parse"
        )
        for kind, k in r["kinds"].items():
            print(
                f"  {kind:22} {k['pages']:5d} {k['edit_ms']:7.1f} {k['invokes']:6.0f} "
                f"{k['parse_cpu_ms']:8.1f} {k['lua_ms']:7.1f} {k['server_ms_per_parse']:8.1f}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.server_cost", description=__doc__.split("\n")[0])
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="cases to run (default: all)")
    parser.add_argument("--old-templates", type=Path, help="templates/ folder of the old version (before)")
    parser.add_argument("--config", type=Path, help="measure this wiki once instead (e.g. the SMW lab)")
    parser.add_argument("--pid", type=int, help="with --config: the wiki's php -S process")
    parser.add_argument("--templates", type=Path, help="with --config: deploy these templates")
    parser.add_argument("--job-pid", type=int, action="append", default=[], help="with --config: job runner")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    results: dict[str, dict[str, Any]] = {}
    if args.config:
        results["wiki"] = run_cost(
            args.config, args.pid, templates_root=args.templates, job_pids=args.job_pid, log=log
        )
    else:
        for offset, case in enumerate(args.case or list(CASES)):
            results[case] = run_case(case, FIRST_PORT + offset, args.old_templates, log)
    print_table(results)
    digests = {case: r["digest"] for case, r in results.items() if "digest" in r}
    if len(digests) > 1:
        first, *others = digests
        for case in others:
            differ = sorted(t for t in digests[first] if digests[case].get(t) != digests[first][t])
            print(
                f"\nrendering {case} vs {first}: {len(differ)} of {len(digests[first])} pages differ "
                f"{differ[:5]}"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
