"""Page titles of the things the bots own.

Titles are derived from keys, OZG-IDs and AGS, never from names that change; names are shown by the
templates instead (``$wgRestrictDisplayTitle`` forbids replacing a title with DISPLAYTITLE). Themenfelder
and Lagen have no official IDs: their names are their IDs. The templates and ``Modul:LeiKa`` build the
same titles (``LeiKa <key>`` decides whether a key is known), so change both together.
"""

from __future__ import annotations

LEIKA_PREFIX = "LeiKa "
OZG_PREFIX = "OZG-Leistung "
LAGE_PREFIX = "Lage "
THEMENFELD_PREFIX = "Themenfeld "
KOMMUNE_PREFIX = "Kommune "
PROJEKT_PREFIX = "Umsetzungsprojekt "
STECKBRIEF_PREFIX = "Steckbrief "
GROESSENKLASSE_PREFIX = "Größenklasse "
ROADMAP = "Roadmap"


def leika(key: str) -> str:
    """``LeiKa 99012001001000``."""
    return LEIKA_PREFIX + key


def ozg_leistung(ozg_id: str) -> str:
    """``OZG-Leistung 10513``."""
    return OZG_PREFIX + ozg_id


def lage(name: str) -> str:
    """``Lage Bauen & Immobilien``."""
    return LAGE_PREFIX + name


def themenfeld(name: str) -> str:
    """``Themenfeld Bildung``."""
    return THEMENFELD_PREFIX + name


def kommune(ags: str) -> str:
    """``Kommune 05554004``."""
    return KOMMUNE_PREFIX + ags


def umsetzungsprojekt(name: str) -> str:
    """``Umsetzungsprojekt Einbürgerung``."""
    return PROJEKT_PREFIX + name


def groessenklasse(label: str) -> str:
    """``Größenklasse Mittlere kreisangehörige Stadt``."""
    return GROESSENKLASSE_PREFIX + label


def roadmap_for(themenfeld_name: str | None = None) -> str:
    """``Roadmap`` overall, ``Roadmap/Bildung`` for one Themenfeld."""
    return ROADMAP if themenfeld_name is None else f"{ROADMAP}/{themenfeld_name}"


def key_of_leika_title(title: str) -> str | None:
    """The key of a ``LeiKa <key>`` title, or None for any other title."""
    if title.startswith(LEIKA_PREFIX):
        rest = title[len(LEIKA_PREFIX) :]
        if len(rest) == 14 and rest.isascii() and rest.isdigit():
            return rest
    return None
