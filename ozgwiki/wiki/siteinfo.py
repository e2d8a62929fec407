"""What the wiki says about itself (``meta=siteinfo``) and about the bot (``meta=userinfo``).

Parsing accepts formatversion 2 (what the client asks for) and formatversion 1 (what many recorded
responses use): flags are ``true`` in one and ``""`` in the other, names live in ``name`` or ``*``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SMW_EXTENSION = "SemanticMediaWiki"
PAGEFORMS_EXTENSION = "PageForms"


class Extensions(frozenset[str]):
    """The names of a wiki's installed extensions (``siprop=extensions``): the one place that says which
    of them the bots care about, for the site client and for the local wiki's status alike.
    """

    @classmethod
    def from_api(cls, query: Mapping[str, Any]) -> Extensions:
        """From a ``query`` answer holding ``extensions`` (either formatversion)."""
        return cls(str(e.get("name", "")) for e in query.get("extensions", []))

    @property
    def smw(self) -> bool:
        """Semantic MediaWiki is installed (``action=ask`` and the Attribut namespace exist)."""
        return SMW_EXTENSION in self

    @property
    def pageforms(self) -> bool:
        """Page Forms is installed."""
        return PAGEFORMS_EXTENSION in self


def flag(data: Mapping[str, Any], key: str) -> bool:
    """A boolean API flag in either formatversion: present and not ``false``."""
    return key in data and data[key] is not False


def name_of(data: Mapping[str, Any], key: str = "name") -> str:
    """The value of ``key`` (formatversion 2) or ``*`` (formatversion 1)."""
    value = data.get(key, data.get("*", ""))
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class Namespace:
    """One namespace: its localised name (``Vorlage``), canonical name (``Template``) and aliases."""

    id: int
    name: str
    canonical: str | None = None
    aliases: tuple[str, ...] = ()
    case: str = "first-letter"

    def names(self) -> tuple[str, ...]:
        """Every name the wiki accepts for this namespace."""
        out = [self.name]
        if self.canonical and self.canonical not in out:
            out.append(self.canonical)
        out.extend(a for a in self.aliases if a not in out)
        return tuple(out)


@dataclass(frozen=True)
class SiteInfo:
    """The parts of ``meta=siteinfo`` the bots rely on."""

    sitename: str
    generator: str
    lang: str
    case: str
    namespaces: Mapping[int, Namespace] = field(default_factory=dict)
    extensions: Extensions = field(default_factory=Extensions)

    def namespace_id(self, name: str) -> int | None:
        """The id for a localised, canonical or alias namespace name (case- and ``_``-insensitive)."""
        key = name.replace("_", " ").strip().casefold()
        for ns in self.namespaces.values():
            if any(n.casefold() == key for n in ns.names()):
                return ns.id
        return None

    def namespace_name(self, ns_id: int) -> str:
        """The localised name of a namespace (``10`` -> ``Vorlage`` on a German wiki)."""
        return self.namespaces[ns_id].name

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> SiteInfo:
        """Build from the ``query`` part of a siteinfo response (either formatversion)."""
        general = query.get("general", {})
        aliases: dict[int, list[str]] = {}
        for alias in query.get("namespacealiases", []):
            aliases.setdefault(int(alias["id"]), []).append(name_of(alias, "alias"))
        namespaces: dict[int, Namespace] = {}
        raw_ns = query.get("namespaces", {})
        for raw in raw_ns.values() if isinstance(raw_ns, Mapping) else raw_ns:
            ns_id = int(raw["id"])
            namespaces[ns_id] = Namespace(
                id=ns_id,
                name=name_of(raw),
                canonical=raw.get("canonical"),
                aliases=tuple(aliases.get(ns_id, ())),
                case=raw.get("case", "first-letter"),
            )
        return cls(
            sitename=general.get("sitename", ""),
            generator=general.get("generator", ""),
            lang=general.get("lang", ""),
            case=general.get("case", "first-letter"),
            namespaces=namespaces,
            extensions=Extensions.from_api(query),
        )


@dataclass(frozen=True)
class UserInfo:
    """Who the session is: name, groups and rights (rights are limited by the bot password's grants)."""

    name: str
    anonymous: bool
    groups: frozenset[str] = frozenset()
    rights: frozenset[str] = frozenset()

    @property
    def apihighlimits(self) -> bool:
        """The session may ask for 500 titles per request instead of 50."""
        return "apihighlimits" in self.rights

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> UserInfo:
        """Build from the ``query`` part of a ``meta=userinfo`` response."""
        info = query.get("userinfo", {})
        return cls(
            name=info.get("name", ""),
            anonymous=flag(info, "anon"),
            groups=frozenset(info.get("groups", [])),
            rights=frozenset(info.get("rights", [])),
        )
