"""What the site client's named listings hand back, and how one API answer is read for them.

:class:`ozgwiki.wiki.site.Site` sends the requests (``allpages``, ``embeddedin``, ``pages_info``,
``revisions``, ``logevents``, ``recentchanges``, ``site_statistics``, ``redirect_targets``) and follows
``continue``; the functions here only take the entries out of one decoded answer, in either
formatversion, so no bot has to know the API's JSON shapes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ozgwiki.wiki.siteinfo import flag


@dataclass(frozen=True, slots=True)
class PageInfo:
    """One page of ``prop=info``: whether it exists, whether it is a redirect, and when it was last
    rendered (``touched``); with ``prop=revisions&rvprop=ids|sha1`` also the SHA-1 of its current text
    (what :mod:`ozgwiki.engine.memory` compares)."""

    title: str
    exists: bool
    touched: str | None = None
    lastrevid: int | None = None
    ns: int | None = None
    redirect: bool = False
    sha1: str | None = None


@dataclass(frozen=True, slots=True)
class Revision:
    """One revision of ``prop=revisions`` with ``rvprop=ids|content``: its id and main-slot text."""

    revid: int | None
    text: str


def entries(body: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """The entries of a ``list=<key>`` module in one answer ([] when the wiki sent none)."""
    found = body.get("query", {}).get(key, [])
    return list(found) if isinstance(found, list) else []


def pages(body: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The ``query.pages`` entries of one answer: a list (formatversion 2) or a dict by page id (1)."""
    raw = body.get("query", {}).get("pages", [])
    yield from raw.values() if isinstance(raw, Mapping) else raw


def page_info(page: Mapping[str, Any]) -> PageInfo:
    """A :class:`PageInfo` from one ``prop=info`` page entry (and its ``revisions``, when asked for)."""
    revs = page.get("revisions") or [{}]
    return PageInfo(
        title=str(page["title"]),
        exists=not (flag(page, "missing") or flag(page, "invalid")),
        touched=page.get("touched") or None,
        lastrevid=page.get("lastrevid"),
        ns=page.get("ns"),
        redirect=flag(page, "redirect"),
        sha1=revs[0].get("sha1") or None,
    )


def revisions(page: Mapping[str, Any]) -> list[Revision]:
    """The revisions of one ``prop=revisions`` page entry, newest first as the wiki sent them."""
    out = []
    for rev in page.get("revisions", []) or []:
        slot = rev.get("slots", {}).get("main", {})
        out.append(Revision(rev.get("revid"), str(slot.get("content", slot.get("*", "")))))
    return out


def title_map(body: Mapping[str, Any], key: str) -> dict[str, str]:
    """The ``from`` -> ``to`` pairs of one answer's ``query.<key>`` list: ``normalized`` (requested
    title -> the wiki's spelling) or ``redirects`` (a redirect -> the page it points to, without the
    section a redirect may name; an interwiki target as the wiki writes it, prefix included)."""
    found = body.get("query", {}).get(key, [])
    if not isinstance(found, list):
        return {}
    return {
        str(e["from"]): str(e["to"]) for e in found if isinstance(e, Mapping) and "from" in e and "to" in e
    }
