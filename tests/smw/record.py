"""The recorder: what a real Semantic MediaWiki answered to the product's own pages and queries.

Run by the SMW suite when ``OZGWIKI_SMW_RECORD=1`` (``make smw-record``), after it regenerated the
overview pages once statically and once with live queries. It writes ``tests/data/smw/recording.json``:

* ``wiki``: MediaWiki, Semantic MediaWiki and Page Forms versions;
* ``catalogue``: which catalogue was imported (the recording is only meaningful for the sample);
* ``steckbriefe``: the editor's Steckbrief pages as saved;
* ``pages``: for one page of each kind (and the Aachen and empty cases), the page text and the
  ``action=parse`` HTML after the static and after the live regeneration;
* ``asks``: for every table section of those pages, the ``action=ask`` answer (row titles in order) to
  the section's conditions and sort;
* ``properties``: each of the product's properties with its type as SMW reports it after the job
  queue ran.

``tests/unit/test_ask_recorded.py`` checks the ``ask`` rendering against this file in every
``make test``; it says when the recording no longer matches the renderer (re-record then).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ozgwiki import catalogue
from ozgwiki.definitions import schema
from ozgwiki.render import facts, overview
from ozgwiki.wiki.site import Site

RECORD_ENV = "OZGWIKI_SMW_RECORD"
RECORDING = Path(__file__).resolve().parents[1] / "data" / "smw" / "recording.json"
#: The pages recorded: one of each kind, Aachen (its Größenklasse), an empty roadmap.
PAGES = (  # titled by name (docs/templates.md, "Page titles")
    "Bildung",
    "Umwelt",
    "Schule",
    "Bauen & Immobilien",
    "Ahaus",
    "Aachen",
    "Kommunen in NRW",
    "Größenklasse Mittlere kreisangehörige Stadt",
    "Größenklasse regionsangehörige Stadt Aachen",
    "Roadmap",
    "Roadmap/Umwelt",
    "Roadmap/Bildung",
)


def _versions(site: Site) -> dict[str, str]:
    body = site.api("query", meta="siteinfo", siprop="general|extensions")
    ext = {e["name"]: e.get("version", "") for e in body["query"]["extensions"]}
    return {
        "mediawiki": body["query"]["general"]["generator"],
        "semantic_mediawiki": ext.get("SemanticMediaWiki", ""),
        "page_forms": ext.get("PageForms", ""),
    }


def section_queries(cat: catalogue.Catalogue, steckbriefe: Mapping[str, str]) -> list[dict[str, Any]]:
    """The conditions and sort of every table section of the recorded pages (groups one by one)."""
    loaded = schema.load()
    props = {p.name: p for p in loaded.properties}
    f = facts.build(cat, steckbriefe)
    out = []
    for d in loaded.pages:
        for page in overview.pages_of(d, f, props):
            if page.title not in PAGES:
                continue
            for section in (s for s in d.sections if s.format == "table"):
                where = list(overview.conditions(section, page))
                selection = overview.select_section(section, page, f)
                groups = [g for g, _rows in overview.groups(section, selection)]
                for group in groups if section.group_by else [None]:
                    full = [*where, (section.group_by, group)] if group is not None else where
                    query = overview.ask_query(section, full, props)
                    out.append(
                        {
                            "page": page.title,
                            "section": section.name,
                            "group": group,
                            "category": query.category,
                            "where": [list(w) for w in query.where],
                            "sort": list(query.sort),
                            "order": list(query.order),
                        }
                    )
    return out


def _ask_titles(site: Site, q: Mapping[str, Any]) -> list[str]:
    text = overview.AskQuery(q["category"], tuple(map(tuple, q["where"])), (), "").condition_text()
    if q["sort"]:
        text += f"|sort={','.join(q['sort'])}|order={','.join(q['order'])}"
    body = site.api("ask", query=f"{text}|limit=5000")  # all rows: the API's cap is $smwgQMaxLimit
    results = body.get("query", {}).get("results", [])
    return [str(e.get("fulltext", k)) for k, e in results.items()] if isinstance(results, dict) else []


def record(
    site: Site,
    cat: catalogue.Catalogue,
    steckbriefe: Mapping[str, str],
    static_html: Mapping[str, str],
    ask_html: Mapping[str, str],
    static_text: Mapping[str, str],
    ask_text: Mapping[str, str],
) -> Path:
    """Write the recording (see the module docstring); return its path."""
    ours = {p.name for p in schema.load().properties}
    types = {}
    for key, entry in site.ask("[[:Attribut:+]] |?Has type |limit=500").items():
        if "#" not in key and key.removeprefix("Attribut:") in ours:
            values = entry["printouts"].get("Datentyp", [])
            types[key.removeprefix("Attribut:")] = values[0].rsplit("#", 1)[-1] if values else None
    queries = section_queries(cat, steckbriefe)
    for q in queries:
        q["titles"] = _ask_titles(site, q)
    data = {
        "wiki": _versions(site),
        "catalogue": "sample" if cat == catalogue.load(catalogue.sample_path()) else "other",
        "steckbriefe": dict(steckbriefe),
        "pages": {
            t: {
                "static": {"text": static_text[t], "html": static_html[t]},
                "ask": {"text": ask_text[t], "html": ask_html[t]},
            }
            for t in PAGES
        },
        "asks": queries,
        "properties": dict(sorted(types.items())),
    }
    RECORDING.parent.mkdir(parents=True, exist_ok=True)
    RECORDING.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return RECORDING
