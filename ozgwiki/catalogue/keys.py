"""The structural LeiKa-key check the loader needs (DOMAIN.md §3.5), and the placeholder rule.

This is deliberately the loader's own small check, not the full classification of
:mod:`ozgwiki.leika`: the catalogue must load even while that module changes, and the loader only has
to decide "import this key", "skip this placeholder" or "report this row".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_STRIP = re.compile(r"[\s.\-]+")
_EXPONENT = re.compile(r"^\d(?:[.,]\d+)?[eE]\+?\d+$")
_PLACEHOLDER = re.compile(r"^\s*nicht\s+im\s+leika\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class KeyCheck:
    """Outcome for one raw key: ``key`` is the normalised key when it may be imported."""

    key: str | None
    error: str | None = None
    warning: str | None = None


def is_placeholder(raw: str) -> bool:
    """KDN's literal "nicht im LeiKa" (any case/spacing): a row whose Leistung has no key yet."""
    return bool(_PLACEHOLDER.match(raw))


def check_key(raw: str) -> KeyCheck:
    """Normalise (strip spaces, dots, hyphens) and check the structure of a LeiKa key.

    - 14 digits starting with 99: group, Leistung ≠ 000 and "Detail ≠ 000 ⇒ Verrichtung ≠ 000";
    - 14 digits not starting with 99: accepted with a warning (regional keys exist, DOMAIN §3.4);
    - anything else is an error, with a hint for the usual causes (an OZG-ID in the key column, Excel
      turning the key into 9,9012E+13).
    """
    text = raw.strip()
    if _EXPONENT.match(text):
        return KeyCheck(
            None,
            error=f"„{text}“ ist eine Zahl in Exponentialschreibweise: die Tabellenkalkulation hat den "
            "Schlüssel verstümmelt (Spalte als Text formatieren)",
        )
    key = _STRIP.sub("", text)
    if not key.isascii() or not key.isdigit():
        return KeyCheck(None, error=f"„{text}“ ist kein LeiKa-Schlüssel (14 Ziffern erwartet)")
    if len(key) != 14:
        hint = " (das ist eine OZG-ID)" if len(key) == 5 else ""
        return KeyCheck(None, error=f"„{text}“ hat {len(key)} statt 14 Ziffern{hint}")
    if not key.startswith("99"):
        return KeyCheck(key, warning=f"{key} ist kein bundesweiter 99er-Schlüssel (regionaler Schlüssel?)")
    group, leistung, verrichtung, detail = key[2:5], key[5:8], key[8:11], key[11:14]
    if group == "000":
        return KeyCheck(None, error=f"{key}: Leistungsgruppierung 000 gibt es nicht")
    if leistung == "000":
        return KeyCheck(None, error=f"{key}: Leistungskennung 000 gibt es nicht")
    if verrichtung == "000" and detail != "000":
        return KeyCheck(None, error=f"{key}: Verrichtungsdetail {detail} ohne Verrichtung")
    return KeyCheck(key)
