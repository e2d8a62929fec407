"""The pages every contender writes: the texts ``ozgwiki import`` would write into an empty wiki.

Computed with ozgwiki's pure code (the title scheme, the page plans, the importer's transforms of an
empty page), so the bare loop, mwclient and pywikibot write byte for byte what ozgwiki writes: the
content pages, the ID-title redirects and the Begriffsklärungen, in the importer's order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ozgwiki.bots import importer
from ozgwiki.definitions import schema
from ozgwiki.domain.model import Catalogue
from ozgwiki.render import plans as page_plans


@dataclass(frozen=True)
class Target:
    """One page: its title, the text a first import writes, and the importer's kind of page."""

    title: str
    text: str
    kind: str


def import_targets(catalogue: Catalogue) -> list[Target]:
    """Every page a first import of ``catalogue`` writes into an empty wiki, in the importer's order
    (the importer's own list, :func:`ozgwiki.bots.importer.page_changes`)."""
    scheme = page_plans.title_scheme(catalogue, schema.load())
    plans = page_plans.plan_pages(catalogue, scheme)
    out = []
    for change in importer.page_changes(importer.import_items(plans, ()), plans, scheme):
        text = change.transform("")
        if text is not None:  # no transform leaves a missing page alone today
            out.append(Target(change.title, text, change.kind))
    return out


def write_targets(targets: list[Target], path: Path) -> Path:
    """Write ``{title: text}`` (in order) for the workers, which must not need ozgwiki to read it."""
    path.write_text(json.dumps({t.title: t.text for t in targets}, ensure_ascii=False), encoding="utf-8")
    return path
