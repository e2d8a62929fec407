"""Read the pages the export is made of: every content page that uses one of the datasets' templates.

Pages are found by their template (``list=embeddedin`` of ``Vorlage:<name>``), never by a title
prefix, so pages editors create under any title count and a change of the title scheme changes
nothing here. Everything goes through the site client's named listings and batched reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ozgwiki.export.records import TEMPLATES, Page
from ozgwiki.wiki.site import Site

TEMPLATE_PREFIX = "Vorlage:"
#: Only articles are data; a template's documentation or a user's sandbox is not.
CONTENT_NAMESPACES = (0,)


def read_pages(site: Site, templates: Iterable[str] = TEMPLATES) -> dict[str, list[Page]]:
    """Template name -> the existing pages that embed it, with text and address, in listing order.

    A page using two templates is read once. Redirects embed nothing, so none is listed.
    """
    found: dict[str, list[str]] = {
        t: list(dict.fromkeys(site.embeddedin(TEMPLATE_PREFIX + t, namespaces=CONTENT_NAMESPACES)))
        for t in templates
    }
    titles = list(dict.fromkeys(title for listed in found.values() for title in listed))
    states = site.read_pages(titles)
    urls: Mapping[str, str] = site.page_urls(s.title for s in states.values() if s.exists)
    return {
        template: [
            Page(state.title, state.text, urls.get(state.title))
            for state in (states[title] for title in listed)
            if state.exists
        ]
        for template, listed in found.items()
    }
