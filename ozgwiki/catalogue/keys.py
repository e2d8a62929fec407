"""What the loader does with one raw key from a catalogue row: import it, report it, or skip it.

The rules are :mod:`ozgwiki.domain.leika`'s (DOMAIN.md §3), checked for format only — the catalogue being
loaded is what defines which keys are known. Regional keys (14 digits without the 99 prefix) are
imported with a warning: such keys exist in the wild (DOMAIN.md §3.4).

Digits outside 0–9 (full-width ``９``, Arabic-Indic ``٩``) are an error here, whatever
:mod:`ozgwiki.domain.leika` does with what editors type on pages: a catalogue file is the authority that
defines the keys, and such digits mean its export went wrong somewhere; mapping them silently would
import a key the file does not really contain.
"""

from __future__ import annotations

from dataclasses import dataclass

from ozgwiki.domain import leika


@dataclass(frozen=True)
class KeyCheck:
    """Outcome for one raw key: ``key`` is the normalised key when it may be imported."""

    key: str | None
    error: str | None = None
    warning: str | None = None


def is_placeholder(raw: str) -> bool:
    """KDN's literal "nicht im LeiKa" (any case/spacing): a row whose Leistung has no key yet."""
    return leika.is_placeholder(raw)


def check_key(raw: str) -> KeyCheck:
    """Normalise (spaces, dots, dashes, …) and check the structure of a LeiKa key."""
    foreign = next((ch for ch in raw if ch.isdecimal() and not ch.isascii()), None)
    if foreign is not None:
        kind = "vollbreite Ziffer" if "\uff10" <= foreign <= "\uff19" else "Ziffer aus einer anderen Schrift"
        message = f"„{raw.strip()}“: enthält die {kind} „{foreign}“; im Katalog nur Ziffern 0–9"
        return KeyCheck(None, error=message)
    check = leika.classify(raw, allow_regional=True, catalogue_given=False)
    if check.status is leika.KeyStatus.VALID:
        return KeyCheck(check.key)
    if check.status is leika.KeyStatus.REGIONAL:
        return KeyCheck(check.key, warning=check.message)
    return KeyCheck(None, error=f"„{raw.strip()}“: {check.message}")
