"""Which pages the bot may write: its own, and nothing else, whatever a definition asks for. Pure.

A wiki is shared with people. The bot owns the pages of its title scheme (``LeiKa …``, ``OZG-Leistung
…``, ``Kommune …``, the overview pages its definitions make), the templates, modules, properties,
categories and forms it ships, the navigation pages it deploys, the maintenance page, and its own user
space. The scope is derived from those definitions and the configuration -- but only inside the
namespaces a bot of this kind may touch at all: a definition that asks for ``Benutzer:Jemand/…`` or
``MediaWiki:Common.js`` is refused all the same. The sync engine checks every change against the
scope before it reads or writes anything.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from ozgwiki.definitions.schema import PLACEHOLDER, Schema
from ozgwiki.domain import titles

#: Namespace prefixes as the wiki spells them (German) and their canonical English names.
_NAMESPACES = {
    "vorlage": "template", "template": "template",
    "modul": "module", "module": "module",
    "attribut": "property", "property": "property",
    "kategorie": "category", "category": "category",
    "formular": "form", "form": "form",
    "mediawiki": "mediawiki",
    "benutzer": "user", "user": "user", "benutzerin": "user",
    "project": "project", "projekt": "project",
}  # fmt: skip
#: Namespaces whose every page the scope decides title by title (the bot's own definitions).
_OWN_NAMESPACES = frozenset({"main", "template", "module", "property", "category", "form"})
#: The only interface message a definition may deploy: the sidebar (never Common.js and the like).
INTERFACE_PAGES = frozenset({"MediaWiki:Sidebar"})


def namespace_of(title: str) -> str:
    """The canonical namespace of a title (``main`` when the part before ``:`` is no namespace)."""
    head, sep, _rest = title.partition(":")
    return _NAMESPACES.get(head.strip().lower(), "main") if sep else "main"


@dataclass(frozen=True)
class Scope:
    """Exact titles and title prefixes the bot owns."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]
    #: Titles outside the own namespaces that are still the bot's (sidebar, report page, user space).
    special_exact: frozenset[str] = frozenset()
    special_prefixes: tuple[str, ...] = ()
    #: Every article (namespace 0): only for the key-format fix an admin switched on (fix_format).
    articles: bool = False

    def allows(self, title: str) -> bool:
        """True when the bot may write ``title``."""
        title = " ".join(title.replace("_", " ").split())
        namespace = namespace_of(title)
        if namespace not in _OWN_NAMESPACES:
            return title in self.special_exact or title.startswith(self.special_prefixes)
        if self.articles and namespace == "main":
            return True
        return title in self.exact or title.startswith(self.prefixes)

    def with_titles(self, titles: Iterable[str]) -> Scope:
        """This scope plus the given article titles: the catalogue's pages titled by name, which no
        prefix can describe (:class:`ozgwiki.domain.titles.TitleScheme`)."""
        own = frozenset(t for t in titles if namespace_of(t) == "main")
        return dataclasses.replace(self, exact=self.exact | own)

    def with_articles(self) -> Scope:
        """This scope plus every article: the validate bot's opt-in format fix edits editors' pages."""
        return dataclasses.replace(self, articles=True)

    def why_not(self, title: str) -> str:
        """A German sentence for the report of a refused page."""
        return (
            f"„{title}“ gehört nicht zu den Seiten des Bots (Titelschema, Vorlagen, Attribute, Kategorien, "
            "Formulare, Navigations- und Wartungsseiten) – nicht bearbeitet"
        )


def _prefix_of(pattern: str) -> str | None:
    """``Themenfeld {Name}`` -> ``Themenfeld ``; a pattern without placeholder has no prefix."""
    m = PLACEHOLDER.search(pattern)
    return pattern[: m.start()] if m else None


def of(schema: Schema, *, bot_user: str, extra_titles: Iterable[str] = ()) -> Scope:
    """The scope of a bot with these definitions, writing as ``bot_user``.

    ``extra_titles`` are configured pages the bot writes (the maintenance page). Overview page titles
    contribute their fixed part (``Roadmap/``, ``Größenklasse ``) -- a pattern that starts with a
    placeholder would own everything and is not taken.
    """
    exact = {t.title for t in schema.templates}
    exact |= {p.title for p in schema.properties} | {c.title for c in schema.categories}
    exact |= {f.title for f in schema.forms} | {n.title for n in schema.navigation}
    prefixes = [
        titles.LEIKA_PREFIX, titles.OZG_PREFIX, titles.LAGE_PREFIX, titles.THEMENFELD_PREFIX,
        titles.KOMMUNE_PREFIX, titles.PROJEKT_PREFIX, titles.GROESSENKLASSE_PREFIX,
    ]  # fmt: skip
    for page in schema.pages:
        for pattern in (page.title, page.filter_title or ""):
            if not pattern:
                continue
            prefix = _prefix_of(pattern)
            if prefix is None:
                exact.add(pattern)
            elif prefix.strip():
                prefixes.append(prefix)
    user = bot_user.split("@", 1)[0]
    special = {t for t in exact if t in INTERFACE_PAGES}
    special |= {t for t in extra_titles if namespace_of(t) in ("main", "project")}
    own = frozenset(t for t in exact if namespace_of(t) in _OWN_NAMESPACES) | {
        t for t in extra_titles if namespace_of(t) == "main"
    }
    return Scope(
        exact=own,
        prefixes=tuple(p for p in prefixes if namespace_of(p) in _OWN_NAMESPACES),
        special_exact=frozenset(special),
        special_prefixes=(f"Benutzer:{user}/", f"User:{user}/"),
    )
